/**
 * The wrong keys of `cipherpatch evaluate` when no list is given: key i is
 * the seeded key of `${seed}:${i}`, in that order, skipping any equal to the
 * right key, 100 of them unless asked (Fig. 5 of Iijima & Kiya 2022 uses 100
 * wrong keys). Every expected value comes from outside src/: the keys from
 * the documented keygen algorithm run on seedrandom directly
 * (properties/seededKeyOracle.ts), the encrypted images from spec/, the
 * quartiles from their definition on a sorted list.
 */
import { describe, expect, it } from 'vitest';
import { encryptImage8bit } from '../../spec/blockEncryption.ts';
import { specImage } from '../../spec/image.ts';
import { type OracleKey, asOracleKey, oracleSeededKey } from '../../properties/seededKeyOracle.ts';
import { imageBatch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { Engine } from '../engine/engine.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { type EvaluateOptions, SYSTEM_A, evaluate, seededWrongKeys, wrongKeyCount, wrongKeysFor } from './evaluate.ts';

const asKey = (blockSize: number, channels: number, k: OracleKey): BlockKey => ({ blockSize, channels, permutation: Int32Array.from(k.permutation), flip: Uint8Array.from(k.flip) });
const sameKey = (a: OracleKey, b: OracleKey) => a.permutation.join() === b.permutation.join() && a.flip.join() === b.flip.join();

describe('seeded wrong keys: `${seed}:${i}`, in order, never the right key', () => {
  it('block 4, 3 channels (the paper\'s M = 4 on CIFAR-10), seed "wrong-key": keys 0…4 are the seeded keys of "wrong-key:0" … "wrong-key:4"', () => {
    const right = asKey(4, 3, oracleSeededKey(4, 3, 'right'));
    const wrong = wrongKeysFor(right, 5, 'wrong-key');
    expect(wrong.map((w) => w.seed)).toEqual(['wrong-key:0', 'wrong-key:1', 'wrong-key:2', 'wrong-key:3', 'wrong-key:4']);
    wrong.forEach((w, i) => expect(asOracleKey(w.key), w.seed).toEqual(oracleSeededKey(4, 3, `wrong-key:${i}`)));
    expect(wrongKeysFor(right, 0, 'wrong-key')).toEqual([]);
  });

  it('a seeded key equal to the right key is skipped, and the next index taken (p_b = 2: only 4 keys, so collisions are common)', () => {
    const right = oracleSeededKey(1, 2, 's:0');
    // The expected list, from the oracle alone: indices 0, 1, 2, … whose key is not the right key.
    const expected: { seed: string; key: OracleKey }[] = [];
    for (let i = 0; expected.length < 6; i++) {
      const k = oracleSeededKey(1, 2, `s:${i}`);
      if (!sameKey(k, right)) expected.push({ seed: `s:${i}`, key: k });
    }
    const skipped = expected.map((e) => e.seed).join() !== ['s:0', 's:1', 's:2', 's:3', 's:4', 's:5'].join();
    expect(skipped, 'this seed must collide with the right key at least once').toBe(true);
    const wrong = seededWrongKeys(SYSTEM_A, asKey(1, 2, right), 6, 's');
    expect(wrong.map((w) => ({ seed: w.seed, key: asOracleKey(w.key) }))).toEqual(expected);
  });

  it('how many: the count asked for, else the whole list, else 100 (Fig. 5: 100 wrong keys)', () => {
    expect(wrongKeyCount(undefined)).toBe(100);
    expect(wrongKeyCount(undefined, [1, 2, 3])).toBe(3);
    expect(wrongKeyCount(2, [1, 2, 3])).toBe(2);
    expect(wrongKeyCount(0)).toBe(0);
  });
});

/**
 * A stand-in engine whose prediction is plain arithmetic on the pixels, so
 * the accuracy under each wrong key can be computed here from the spec's
 * encryption: image n's logits are its first 10 values in (c, y, x) order
 * (NCHW), so it predicts the position of the largest of them.
 */
function firstValuesEngine(config: Engine['config']): Engine {
  return {
    name: 'test',
    backend: 'arithmetic',
    threads: 1,
    version: 'first-values',
    config,
    async logits(images) {
      const { count, height, width, channels } = images.shape;
      expect(images.layout).toBe('NCHW');
      const size = height * width * channels;
      const out = new Float32Array(count * 10);
      for (let n = 0; n < count; n++) for (let c = 0; c < 10; c++) out[n * 10 + c] = images.data[n * size + c];
      return out;
    },
    logitsNormalized: () => Promise.reject(new Error('not used')),
    dispose() {},
  };
}

describe('evaluate() with seeded wrong keys: which keys, each key\'s accuracy, the summary', () => {
  const config = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 };
  const weights = randomConvMixerWeights(config, 'wrong-keys-test');
  const count = 40;
  const [H, W, C] = [4, 4, 3];
  const size = C * H * W;
  const pixels = Uint8Array.from({ length: count * size }, (_, i) => (i * 89 + (i >> 3) * 53 + 7) % 256);
  const right = oracleSeededKey(2, 3, 'right');
  /** The stand-in engine's prediction for image n encrypted (spec, Eqs. 4–5) with `key`. */
  const oraclePrediction = (key: OracleKey, n: number) => {
    const enc = encryptImage8bit(specImage(C, H, W, pixels.subarray(n * size, (n + 1) * size)), 2, key.permutation, key.flip).data;
    let best = 0;
    for (let c = 1; c < 10; c++) if (enc[c] > enc[best]) best = c;
    return best;
  };
  // Labels that wrong key n mod 4 ("wrong-key:0" … ":3") gets right, so that the keys' accuracies differ.
  const labels = Uint8Array.from({ length: count }, (_, n) => oraclePrediction(oracleSeededKey(2, 3, `wrong-key:${n % 4}`), n));
  const images = imageBatch(pixels, { count, height: H, width: W, channels: C }, 'NCHW');
  const options = (over: Partial<EvaluateOptions>): EvaluateOptions => ({ weights, key: asKey(2, 3, right), images, labels, wrongKeySeed: 'wrong-key', createEngine: async (w) => firstValuesEngine(w.config), ...over });

  /** The accuracy of the stand-in engine on the images encrypted with `key`. */
  function oracleAccuracy(key: OracleKey): number {
    let correct = 0;
    for (let n = 0; n < count; n++) if (oraclePrediction(key, n) === labels[n]) correct++;
    return correct / count;
  }

  it('5 wrong keys: seeds, keys and accuracies from the oracle; quartiles are order statistics for 5 values (numpy linear: position (5 − 1)·q)', async () => {
    const r = await evaluate(options({ wrongKeys: 5 }));
    const expected = [0, 1, 2, 3, 4].map((i) => oracleSeededKey(2, 3, `wrong-key:${i}`));
    expect(r.wrongKeys.map((w) => w.seed)).toEqual(expected.map((_, i) => `wrong-key:${i}`));
    expect(r.wrongKeys.map((w) => w.index)).toEqual([0, 1, 2, 3, 4]);
    r.wrongKeys.forEach((w, i) => expect(asOracleKey(w.key), w.seed).toEqual(expected[i]));
    const accuracies = expected.map(oracleAccuracy);
    expect(r.wrongKeys.map((w) => w.accuracy)).toEqual(accuracies);
    expect(new Set(accuracies).size, `the keys must give different accuracies, or the order would not matter: ${accuracies}`).toBeGreaterThan(3);
    const s = [...accuracies].sort((a, b) => a - b);
    expect(r.wrongKeySummary).toEqual({ min: s[0], q1: s[1], median: s[2], q3: s[3], max: s[4], mean: (s[0] + s[1] + s[2] + s[3] + s[4]) / 5, count: 5 });
    // Right key: the stand-in engine sees the plain model's weights and encrypted images, so only the accuracy of the right key's images is fixed.
    expect(r.encryptedModelEncryptedImages.accuracy).toBe(oracleAccuracy(right));
  });

  it('neither a count nor a list: 100 wrong keys, "wrong-key:0" … "wrong-key:99"', async () => {
    const r = await evaluate(options({}));
    expect(r.wrongKeys).toHaveLength(100);
    expect(r.wrongKeySummary?.count).toBe(100);
    expect(r.wrongKeys[99].seed).toBe('wrong-key:99');
    expect(asOracleKey(r.wrongKeys[99].key)).toEqual(oracleSeededKey(2, 3, 'wrong-key:99'));
  });

  it('an explicit list: its keys in order, named "list:i", the first `wrongKeys` of them', async () => {
    const listed = [7, 8, 9].map((i) => oracleSeededKey(2, 3, `listed:${i}`));
    const r = await evaluate(options({ wrongKeyList: listed.map((k) => asKey(2, 3, k)), wrongKeys: 2 }));
    expect(r.wrongKeys.map((w) => w.seed)).toEqual(['list:0', 'list:1']);
    r.wrongKeys.forEach((w, i) => expect(asOracleKey(w.key)).toEqual(listed[i]));
    expect(r.wrongKeys.map((w) => w.accuracy)).toEqual(listed.slice(0, 2).map(oracleAccuracy));
  });
});
