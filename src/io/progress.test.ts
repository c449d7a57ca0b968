/** progressLines: what a long command prints when stderr is not a terminal, on an injected clock. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBars, progressFor, progressLines } from './progress.ts';

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

/** A fake terminal: what cli-progress draws, as the rows it draws (escape codes removed, the time-dependent ETA cut off). */
function terminal(): { stream: Writable & { isTTY: boolean; columns: number }; raw: string[]; rows: () => string[] } {
  const raw: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        raw.push(String(chunk));
        done();
      },
    }),
    { isTTY: true, columns: 200 },
  );
  const rows = () =>
    raw
      .join('')
      .split('\u001b[1G')
      .slice(1)
      .map((r) => r.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '').replace(/ \| [0-9a-z.]+ left[\s\S]*$/, ' | … left'))
      .filter((r, i, all) => i === 0 || r !== all[i - 1]); // a redraw of the same row (the timer's, stop's) is one row
  return { stream, raw, rows };
}

describe('progressBars (a terminal)', () => {
  // Kills progress.ts:22–27 (the format: the phase padded to 34, done/size in the unit, MB with one decimal; the bar started at 0 of total),
  // :30 (update), :33–34 (stop: the cursor shown again, later updates drawn nowhere).
  it('draws "phase [bar] p% | done/size unit | ETA left", hides the cursor while it runs', () => {
    const { stream, raw, rows } = terminal();
    const p = progressBars(stream);
    p.update(5); // before any start: nothing
    p.stop();
    expect(raw).toEqual([]);
    p.start('downloading a.tgz', 2_000_000, 'MB');
    p.update(1_000_000);
    p.stop();
    p.update(2_000_000); // after stop: nothing
    const bar = (full: number) => '█'.repeat(full) + '░'.repeat(40 - full);
    expect(rows()).toEqual([`downloading a.tgz${' '.repeat(17)} [${bar(0)}] 0% | 0.0/2.0 MB | … left`, `downloading a.tgz${' '.repeat(17)} [${bar(20)}] 50% | 1.0/2.0 MB | … left`]);
    const text = raw.join('');
    expect(text.startsWith('\u001b7\u001b[?25l')).toBe(true); // cursor hidden
    expect(text.endsWith('\u001b[?25h\u001b[?7h\u001b8\n')).toBe(true); // shown again on stop
  });

  // Kills progress.ts:20–22 (a new phase stops the bar before it; units other than MB are whole numbers).
  it('a new phase ends the bar before it, and counts other units as they are', () => {
    const { stream, raw, rows } = terminal();
    const p = progressBars(stream);
    p.start('first', 3_000_000, 'MB');
    p.start('images', 10, 'images');
    expect(raw.join('').split('\u001b[?25h').length - 1).toBe(1); // the first bar was stopped
    p.update(5);
    p.stop();
    expect(raw.join('').split('\u001b[?25h').length - 1).toBe(2);
    const bar = (full: number) => '█'.repeat(full) + '░'.repeat(40 - full);
    expect(rows()).toEqual([
      `first${' '.repeat(29)} [${bar(0)}] 0% | 0.0/3.0 MB | … left`,
      `images${' '.repeat(28)} [${bar(0)}] 0% | 0/10 images | … left`,
      `images${' '.repeat(28)} [${bar(20)}] 50% | 5/10 images | … left`,
    ]);
  });

  // Kills progress.ts:88 (isTTY === true chooses bars).
  it('progressFor draws bars on a terminal', () => {
    const { stream, rows } = terminal();
    progressFor(stream).start('t', 4, 'images');
    expect(rows()).toEqual([`t${' '.repeat(33)} [${'░'.repeat(40)}] 0% | 0/4 images | … left`]);
  });
});

describe('progressLines, edge cases', () => {
  // Kills progress.ts:56/58 StringLiteral (no phase and no unit before the first start), :63 (no total: 0 %, not a division by zero).
  it('an update before any start prints an empty phase, unit and total', () => {
    const { stream, lines } = sink();
    progressLines(stream, { now: () => 0 }).update(3);
    expect(lines).toEqual([': 3/0  (0 %)']);
  });

  // Kills progress.ts:65 (no time left is shown once the work is done).
  it('the last line, at the total, shows no time left', () => {
    let now = 0;
    const { stream, lines } = sink();
    const p = progressLines(stream, { now: () => now });
    p.start('p', 10, 'images');
    now = 5000;
    p.update(10);
    expect(lines).toEqual(['p: 0/10 images (0 %)', 'p: 10/10 images (100 %)']);
  });
});
