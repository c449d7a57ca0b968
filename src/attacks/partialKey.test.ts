import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateKey, seededRandom } from '../core/keygen.ts';
import { createEngine } from '../engine/factory.ts';
import { sliceImages } from '../core/images.ts';
import { parseCifarRecords } from '../io/cifar10.ts';
import { loadGoldenRun } from '../../golden/goldenRun.ts';
import { keyFractionCorrect, meanLogLikelihood } from './common.ts';
import { keyAtFlipDistance, keyAtSwapDistance, partialKeyAttack } from './partialKey.ts';

describe('keys at a distance', () => {
  const key = generateKey({ blockSize: 4, channels: 3, seed: 'd' });
  it('swap distance s changes exactly 2s permutation entries and no flip', () => {
    for (const s of [0, 1, 5, 24]) {
      const g = keyAtSwapDistance(key, s, seededRandom(`s${s}`));
      expect(g.permutation.filter((v, k) => v !== key.permutation[k]).length).toBe(2 * s);
      expect(Array.from(g.flip)).toEqual(Array.from(key.flip));
      expect(new Set(g.permutation).size).toBe(48);
    }
  });
  it('flip distance s changes exactly 2s flip bits and keeps p_b/2 ones', () => {
    for (const s of [0, 3, 24]) {
      const g = keyAtFlipDistance(key, s, seededRandom(`f${s}`));
      expect(g.flip.filter((r, k) => r !== key.flip[k]).length).toBe(2 * s);
      expect(g.flip.reduce((a, b) => a + b, 0)).toBe(24);
      expect(keyFractionCorrect(g, key)).toBe(1 - (2 * s) / 48);
    }
  });
  it('rejects distances beyond p_b/2', () => {
    expect(() => keyAtSwapDistance(key, 25, seededRandom('x'))).toThrow(/distance/);
  });
});

describe('meanLogLikelihood', () => {
  it('is −log(classes) for equal logits and near 0 for a confident right answer', () => {
    expect(meanLogLikelihood(new Float32Array(20), new Uint8Array(2), 10)).toBeCloseTo(-Math.log(10), 6);
    expect(meanLogLikelihood(Float32Array.of(50, 0, 0), Uint8Array.of(0), 3)).toBeCloseTo(0, 6);
    expect(meanLogLikelihood(Float32Array.of(50, 0, 0), Uint8Array.of(1), 3)).toBeLessThan(-49);
  });
});

describe('partial-key attack on the golden model', () => {
  it('distance 0 gives the right-key accuracy, one swap stays close, random keys collapse', async () => {
    const run = loadGoldenRun('cpu');
    const data = parseCifarRecords(readFileSync(fileURLToPath(new URL('../../golden/data/test_batch_first1000.bin', import.meta.url))));
    const n = 200;
    const r = await partialKeyAttack({
      weights: run.weights,
      key: run.key,
      images: sliceImages(data.images, 0, n),
      labels: data.labels.subarray(0, n),
      createEngine: (w) => createEngine(w, undefined, { engine: 'auto', threads: 2 }),
      distances: [0, 1, 24],
      trials: 1,
    });
    expect(r.rightKey).toBeGreaterThan(0.45);
    expect(r.swapDistance[0].mean).toBe(r.rightKey);
    expect(r.flipDistance[0].mean).toBe(r.rightKey);
    expect(r.swapDistance[1].mean).toBeGreaterThan(r.rightKey - 0.1);
    expect(r.randomKeys.mean).toBeLessThan(r.rightKey - 0.2);
    expect(r.flipDistance[2].mean).toBeLessThan(r.rightKey - 0.2);
    expect(r.effort.queries).toBe(n * (1 + 3 + 6));
  }, 60_000);
});
