/** progressLines: what a long command prints when stderr is not a terminal, on an injected clock. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressFor, progressLines } from './progress.ts';

function sink(): { stream: Writable & { isTTY?: boolean }; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { stream, lines };
}

describe('progressLines', () => {
  it('prints the first phase at once, then at most one line per interval, across phases', () => {
    let now = 0;
    const { stream, lines } = sink();
    const p = progressLines(stream, { now: () => now, intervalMs: 5000 });
    p.start('plain model', 1000, 'images');
    expect(lines).toEqual(['plain model: 0/1000 images (0 %)']);
    now = 1000;
    p.update(100); // too soon
    now = 5000;
    p.update(500);
    expect(lines.at(-1)).toBe('plain model: 500/1000 images (50 %), ~5 s left');
    now = 6000;
    p.update(1000);
    p.stop();
    p.start('encrypted model', 1000, 'images'); // within the interval: silent
    now = 10_000;
    p.update(250);
    expect(lines).toEqual(['plain model: 0/1000 images (0 %)', 'plain model: 500/1000 images (50 %), ~5 s left', 'encrypted model: 250/1000 images (25 %), ~12 s left']);
  });

  it('a long run prints a line every interval, not one line and then nothing', () => {
    let now = 0;
    const { stream, lines } = sink();
    const p = progressLines(stream, { now: () => now });
    p.start('wrong key 1', 10_000, 'images');
    for (let done = 0; done <= 10_000; done += 100) {
      now += 1000; // 100 images per second: 100 s in all
      p.update(done);
    }
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.length).toBeLessThanOrEqual(22);
  });

  it('MB are shown with one decimal', () => {
    let now = 0;
    const { stream, lines } = sink();
    const p = progressLines(stream, { now: () => now });
    p.start('downloading x.tgz', 170_052_171, 'MB');
    now = 5000;
    p.update(85_000_000);
    expect(lines).toEqual(['downloading x.tgz: 0.0/170.1 MB (0 %)', 'downloading x.tgz: 85.0/170.1 MB (49 %), ~5 s left']);
  });
});

describe('progressFor', () => {
  it('lines when the stream is not a terminal', () => {
    const { stream, lines } = sink();
    progressFor(stream, { now: () => 0 }).start('phase', 10, 'images');
    expect(lines).toEqual(['phase: 0/10 images (0 %)']);
  });
});
