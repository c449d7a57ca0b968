/**
 * The experiment's plumbing, with stand-in engines (no inference): the input
 * checks and their messages, a shard's range of the wrong keys, the passes
 * over the images in chunks with their progress, and the timing figures.
 * Expected values are worked out by hand in the comments.
 */
import { describe, expect, it, vi } from 'vitest';
import { asyncRejection, rejection } from '../../properties/rejection.ts';
import { oracleSeededKey } from '../../properties/seededKeyOracle.ts';
import { imageBatch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { Engine } from '../engine/engine.ts';
import type { Progress } from '../io/progress.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { type EvaluateOptions, evaluate, experimentSummary, logitsInChunks, wrongKeyRangeOf, wrongKeySummary } from './evaluate.ts';

const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 }, 'experiment-test');
const asKey = (seed: string): BlockKey => {
  const k = oracleSeededKey(2, 3, seed);
  return { blockSize: 2, channels: 3, permutation: Int32Array.from(k.permutation), flip: Uint8Array.from(k.flip) };
};
const right = asKey('right');
const count = 7;
const images = imageBatch(Uint8Array.from({ length: count * 4 * 4 * 3 }, (_, i) => i % 256), { count, height: 4, width: 4, channels: 3 }, 'NHWC');

/** Class 0 for every image; records the batch sizes it was called with. */
function zeroEngine(calls: number[]): Engine {
  return {
    name: 'zero',
    backend: 'none',
    threads: 3,
    version: 'v',
    config: weights.config,
    async logits(batch) {
      calls.push(batch.shape.count);
      const out = new Float32Array(batch.shape.count * 10);
      for (let n = 0; n < batch.shape.count; n++) out[n * 10] = 1;
      return out;
    },
    logitsNormalized: () => Promise.reject(new Error('not used')),
    dispose() {},
  };
}

function recordingProgress(): Progress & { log: string[] } {
  const log: string[] = [];
  return { log, start: (phase, total, unit) => log.push(`start ${phase} ${total} ${unit}`), update: (v) => log.push(`update ${v}`), stop: () => log.push('stop') };
}

const options = (over: Partial<EvaluateOptions>): EvaluateOptions => ({ weights, key: right, images, labels: new Uint8Array(count), wrongKeySeed: 'wrong-key', createEngine: async () => zeroEngine([]), ...over });

describe('the experiment\'s inputs, checked before any engine', () => {
  const noEngine = () => Promise.reject(new Error('an engine was made'));

  it('labels and images must agree; the wrong-key count must be a non-negative integer', async () => {
    const labels = await asyncRejection(evaluate(options({ labels: new Uint8Array(6), createEngine: noEngine })));
    expect([labels.check, labels.message]).toEqual(['evaluate.labels', '6 labels for 7 images']);
    for (const [n, shown] of [[-1, '-1'], [1.5, '1.5']] as const) {
      const e = await asyncRejection(evaluate(options({ wrongKeys: n, createEngine: noEngine })));
      expect([e.check, e.message]).toEqual(['evaluate.wrong-keys', `the number of wrong keys must be a non-negative integer, got ${shown}`]);
    }
  });

  it('a right key of another block size names the model', async () => {
    const e = await asyncRejection(evaluate(options({ key: { ...right, blockSize: 4, permutation: Int32Array.from({ length: 48 }, (_, i) => i), flip: Uint8Array.from({ length: 48 }, (_, i) => i % 2) }, createEngine: noEngine })));
    expect(e.check).toBe('key.wrong-block-size');
    expect(e.message).toContain('the model (patch size 2, 3 channels)');
  });

  it('only the first `wrongKeys` keys of a list are checked and run (a later right key is not an error)', async () => {
    const r = await evaluate(options({ wrongKeyList: [asKey('a'), asKey('b'), right], wrongKeys: 2 }));
    expect(r.wrongKeys.map((w) => w.seed)).toEqual(['list:0', 'list:1']);
  });
});

describe('a shard\'s range of the wrong keys', () => {
  it('keys 1 … 2 of 3 seeded keys: the same keys, seeds and indices as in the whole run', async () => {
    const r = await evaluate(options({ wrongKeys: 3, wrongKeyRange: { start: 1, end: 3 } }));
    expect(r.wrongKeys.map((w) => [w.index, w.seed])).toEqual([[1, 'wrong-key:1'], [2, 'wrong-key:2']]);
    expect(Array.from(r.wrongKeys[0].key.permutation)).toEqual(oracleSeededKey(2, 3, 'wrong-key:1').permutation);
  });

  it('wrongKeyRangeOf: the whole list by default; a range inside it as given; anything else refused with its message', () => {
    expect(wrongKeyRangeOf(undefined, 5)).toEqual({ start: 0, end: 5 });
    expect(wrongKeyRangeOf({ start: 2, end: 2 }, 5)).toEqual({ start: 2, end: 2 });
    expect(wrongKeyRangeOf({ start: 0, end: 5 }, 5)).toEqual({ start: 0, end: 5 });
    for (const [range, message] of [
      [{ start: 0.5, end: 2 }, 'wrong keys 0.5 … 1 are not a range of the 5 wrong keys'],
      [{ start: 0, end: 2.5 }, 'wrong keys 0 … 1.5 are not a range of the 5 wrong keys'],
      [{ start: -1, end: 2 }, 'wrong keys -1 … 1 are not a range of the 5 wrong keys'],
      [{ start: 3, end: 2 }, 'wrong keys 3 … 1 are not a range of the 5 wrong keys'],
      [{ start: 0, end: 6 }, 'wrong keys 0 … 5 are not a range of the 5 wrong keys'],
    ] as const) {
      const e = rejection(() => wrongKeyRangeOf(range, 5));
      expect([e.check, e.message]).toEqual(['evaluate.wrong-key-range', message]);
    }
  });
});

describe('passes, progress and timing', () => {
  it('logitsInChunks: 7 images in chunks of 3 are calls of 3, 3 and 1, placed in order, progress 3, 6, 7', async () => {
    const progress = recordingProgress();
    const seen: [number, number][] = [];
    const out = await logitsInChunks(7, 2, 3, progress, 'phase', async (start, n) => {
      seen.push([start, n]);
      return Float32Array.from({ length: n * 2 }, (_, i) => 100 * start + i);
    });
    expect(seen).toEqual([[0, 3], [3, 3], [6, 1]]);
    // Image i's two logits: 100·(its chunk's start) + 2·(i − start) + {0, 1}.
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5, 300, 301, 302, 303, 304, 305, 600, 601]);
    expect(progress.log).toEqual(['start phase 7 images', 'update 3', 'update 6', 'update 7', 'stop']);
  });

  it('logitsInChunks: 6 images in chunks of 3 are exactly two calls (no empty third one)', async () => {
    const progress = recordingProgress();
    const seen: [number, number][] = [];
    await logitsInChunks(6, 2, 3, progress, 'phase', async (start, n) => {
      seen.push([start, n]);
      return new Float32Array(n * 2);
    });
    expect(seen).toEqual([[0, 3], [3, 3]]);
    expect(progress.log).toEqual(['start phase 6 images', 'update 3', 'update 6', 'stop']);
  });

  it('both engines are disposed, also when a pass fails', async () => {
    let disposed = 0;
    const counting = async () => ({ ...zeroEngine([]), dispose: () => void disposed++ });
    await evaluate(options({ wrongKeys: 1, createEngine: counting }));
    expect(disposed).toBe(2);
    disposed = 0;
    const failing = async () => ({ ...zeroEngine([]), logits: () => Promise.reject(new Error('engine failed')), dispose: () => void disposed++ });
    await expect(evaluate(options({ wrongKeys: 1, createEngine: failing }))).rejects.toThrow('engine failed');
    expect(disposed).toBe(1);
    let made = 0;
    const secondFails = async () => ({ ...zeroEngine([]), logits: (b: Parameters<Engine['logits']>[0]) => (made++ === 0 ? zeroEngine([]).logits(b) : Promise.reject(new Error('second engine failed'))), dispose: () => void disposed++ });
    disposed = 0;
    await expect(evaluate(options({ wrongKeys: 1, createEngine: secondFails }))).rejects.toThrow('second engine failed');
    expect(disposed).toBe(2);
  });

  it('evaluate: each pass named in the progress, one chunk size for every engine call', async () => {
    const progress = recordingProgress();
    const calls: number[] = [];
    await evaluate(options({ wrongKeys: 2, chunk: 4, progress, createEngine: async () => zeroEngine(calls) }));
    expect(progress.log.filter((l) => l.startsWith('start'))).toEqual([
      'start plain model, plain images 7 images',
      'start encrypted model, plain images 7 images',
      'start encrypted model, right key 7 images',
      'start wrong key 1/2 7 images',
      'start wrong key 2/2 7 images',
    ]);
    expect(calls).toEqual([4, 3, 4, 3, 4, 3, 4, 3, 4, 3]);
  });

  it('timing: 5 passes (plain, encrypted plain, right key, 2 wrong keys) over 7 images', async () => {
    const now = vi.spyOn(performance, 'now');
    try {
      now.mockReturnValue(1000);
      const started = 1000;
      now.mockReturnValue(3000); // 2 s later
      const s = experimentSummary([{ accuracy: 0.5 }], zeroEngine([]), started, 5, 7);
      // total 2 s; per pass 2/5 = 0.4 s; 5·7 = 35 images in 2 s = 17.5 images/s.
      expect(s.seconds).toEqual({ total: 2, perPass: 0.4, imagesPerSecond: 17.5 });
      expect(s.engine).toEqual({ name: 'zero', backend: 'none', threads: 3, version: 'v' });
    } finally {
      now.mockRestore();
    }
    const r = await evaluate(options({ wrongKeys: 2 }));
    expect(r.seconds.perPass * 5).toBeCloseTo(r.seconds.total, 9);
    expect(r.seconds.imagesPerSecond * r.seconds.total).toBeCloseTo(35, 6);
  });

  it('no wrong keys: no summary', async () => {
    const r = await evaluate(options({ wrongKeys: 0 }));
    expect([r.wrongKeys.length, r.wrongKeySummary]).toEqual([0, null]);
    expect(wrongKeySummary([])).toBeNull();
    expect(wrongKeySummary([{ accuracy: 0.25 }])?.median).toBe(0.25);
  });
});
