/**
 * The random-key attack's numbers (the security report's first plot): each
 * try's accuracy, their five-number summary and the best-so-far curve. A
 * scripted stand-in engine makes the accuracy of every pass a chosen value, so
 * the expected numbers are computed here: the curve is numpy's running maximum
 * (numpy 2.4.6: np.maximum.accumulate([.1, .08, .13, .12, .2, .19]) =
 * [.1, .1, .13, .13, .2, .2]), the summary numpy's linear quantiles of the six
 * accuracies (np.quantile(xs, [0, .25, .5, .75, 1]) = .08, .105, .125, .175, .2; np.mean = .13666…).
 */
import { describe, expect, it } from 'vitest';
import { imageBatch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { Engine } from '../engine/engine.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { generateKey } from '../core/keygen.ts';
import { randomKeyAttack } from './randomKey.ts';

describe('randomKeyAttack', () => {
  it('tries in order, the best-so-far curve is the running maximum, the summary numpy\'s', async () => {
    const count = 100;
    // Accuracy of each pass of the encrypted model: plain images, right key, then the six random keys.
    const script = [0.11, 0.9, 0.1, 0.08, 0.13, 0.12, 0.2, 0.19];
    let call = 0;
    const engine = (plain: boolean): Engine => ({
      name: 'scripted',
      backend: 'none',
      threads: 1,
      version: 'test',
      config: weights.config,
      async logits(images) {
        const accuracy = plain ? 0.9 : script[call++];
        const out = new Float32Array(images.shape.count * 10);
        // Label 0 for every image: the first accuracy·count images predict class 0, the others class 1.
        for (let n = 0; n < images.shape.count; n++) out[n * 10 + (n < Math.round(accuracy * count) ? 0 : 1)] = 1;
        return out;
      },
      logitsNormalized: () => Promise.reject(new Error('not used')),
      dispose() {},
    });
    const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 }, 'random-key-test');
    const key: BlockKey = { blockSize: 2, channels: 3, permutation: Int32Array.from({ length: 12 }, (_, i) => 11 - i), flip: Uint8Array.from({ length: 12 }, (_, i) => i % 2) };
    let engines = 0;
    const r = await randomKeyAttack({
      weights,
      key,
      images: imageBatch(new Uint8Array(count * 4 * 4 * 3), { count, height: 4, width: 4, channels: 3 }, 'NHWC'),
      labels: new Uint8Array(count),
      createEngine: async () => engine(engines++ === 0),
      keys: 6,
    });
    expect(r.tries.map((t) => t.accuracy)).toEqual([0.1, 0.08, 0.13, 0.12, 0.2, 0.19]);
    expect(r.tries.map((t) => t.seed)).toEqual(['random-key:0', 'random-key:1', 'random-key:2', 'random-key:3', 'random-key:4', 'random-key:5']);
    expect(r.bestSoFar).toEqual([0.1, 0.1, 0.13, 0.13, 0.2, 0.2]);
    expect(r.rightKey).toBe(0.9);
    expect(r.encryptedModelPlainImages).toBe(0.11);
    const s = r.summary;
    expect([s.min, s.median, s.max, s.count]).toEqual([0.08, 0.125, 0.2, 6]);
    expect(s.q1).toBeCloseTo(0.105, 12);
    expect(s.q3).toBeCloseTo(0.175, 12);
    expect(s.mean).toBeCloseTo(0.1366666666666667, 12);
  });
  // Issue 25 kills (randomKey.ts:61, 71, 76–81): the key-count check, the progress passed on, the best key fraction
  // (wrong key i is generateKey with seed "<seed>:i", documented in RandomKeyOptions; fractions counted here by
  // hand), keyRecovered, the attack name and the effort. A stand-in engine answers class 0 for everything.
  it('checks the key count; reports the best key fraction, the name and the effort', async () => {
    const w = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 }, 'random-key-units');
    const key = generateKey({ blockSize: 2, channels: 1, seed: 'rk-right' });
    const engine: Engine = {
      name: 'stand-in',
      backend: 'none',
      threads: 1,
      version: 'test',
      config: w.config,
      logits: async (images) => new Float32Array(images.shape.count * 2),
      logitsNormalized: () => Promise.reject(new Error('not used')),
      dispose() {},
    };
    const images = imageBatch(new Uint8Array(2 * 16), { count: 2, height: 4, width: 4, channels: 1 }, 'NHWC');
    const base = { weights: w, key, images, labels: Uint8Array.of(0, 1), createEngine: async () => engine };
    for (const keys of [0, -1, 1.5]) await expect(randomKeyAttack({ ...base, keys })).rejects.toMatchObject({ check: 'attack.keys', message: `the number of random keys must be a positive integer, got ${keys}` });
    // One key is enough (kills randomKey.ts:61, keys < 1 → <= 1).
    expect((await randomKeyAttack({ ...base, keys: 1 })).tries).toHaveLength(1);
    const phases: string[] = [];
    const r = await randomKeyAttack({ ...base, keys: 6, seed: 'rk', progress: { start: (p) => phases.push(p), update() {}, stop() {} } });
    expect(phases.length).toBeGreaterThan(0);
    const right = (i: number) => {
      const g = generateKey({ blockSize: 2, channels: 1, seed: `rk:${i}` });
      let n = 0;
      for (let k = 0; k < 4; k++) if (g.permutation[k] === key.permutation[k] && g.flip[k] === key.flip[k]) n++;
      return n / 4;
    };
    const fractions = [0, 1, 2, 3, 4, 5].map(right);
    expect(r.tries.map((t) => t.keyFraction)).toEqual(fractions);
    expect(Math.min(...fractions)).toBeLessThan(Math.max(...fractions));
    expect(r.fractionCorrect).toBe(Math.max(...fractions));
    expect([r.keyRecovered, r.attack]).toEqual([false, 'random-key']);
    expect(r.effort).toEqual({ keys: 6, images: 2, queries: 12 });
  });
});
