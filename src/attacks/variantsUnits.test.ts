/**
 * Issue 25: mutation kills for src/attacks/variants.ts (capabilities, the key
 * fraction, the scorer, the flip target) with a stand-in engine and System A
 * on one 2×2 single-channel block (p_b = 4), encrypted by hand from Eqs. 4–5.
 * Mutant names: variants.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection, rejection } from '../../properties/rejection.ts';
import { imageBatch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { Engine } from '../engine/engine.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { systemA } from '../variants/builtin/systemA.ts';
import type { Variant } from '../variants/contract.ts';
import { flipTarget, missingCapability, neighboursOf, signedPermutationOf, variantKeyFraction, variantKeyScorer } from './variants.ts';


const params = { blockSize: 2, channels: 1 };
const tiny = { ...systemA, params } as Variant<BlockKey>;
const k = (v: number[], r: number[]): BlockKey => ({ blockSize: 2, channels: 1, permutation: Int32Array.from(v), flip: Uint8Array.from(r) });

describe('capabilities', () => {
  // Kills variants.ts:36–42 (the three descriptions, the message, the optional detail).
  it('missingCapability names the attack, what is needed, the variant and the detail', () => {
    const e = rejection(() => missingCapability(tiny as Variant<unknown>, 'neighbours', 'greedy'));
    expect([e.check, e.message]).toEqual(['attack.capability', 'the greedy attack needs "neighbours" (keys at distance d from a key); variant system-a does not provide it']);
    expect(rejection(() => missingCapability(tiny as Variant<unknown>, 'signedPermutation', 'ciphertext-only')).message).toBe(
      'the ciphertext-only attack needs "signedPermutation" (the key as a signed permutation of block positions); variant system-a does not provide it',
    );
    expect(rejection(() => missingCapability(tiny as Variant<unknown>, 'adapter', 'partial-key', 'p too large')).message).toBe(
      'the partial-key attack needs an adapter (a model for encrypted images), its own or an exact least-squares one; variant system-a does not provide it (p too large)',
    );
  });

  // Kills :46–50 and :53–58: absent → missingCapability; not an object, null, or functions missing → each named.
  it('checks that a capability is an object with the contract\'s functions', () => {
    const without = { ...tiny, neighbours: undefined, signedPermutation: undefined } as Variant<BlockKey>;
    expect(rejection(() => neighboursOf(without, 'greedy')).message).toMatch(/^the greedy attack needs "neighbours"/);
    expect(rejection(() => signedPermutationOf(without, 'ciphertext-only')).message).toMatch(/^the ciphertext-only attack needs "signedPermutation"/);
    const bad = (neighbours: unknown) => rejection(() => neighboursOf({ ...tiny, neighbours } as unknown as Variant<BlockKey>, 'greedy'));
    for (const n of [null, 5])
      expect([bad(n).check, bad(n).message]).toEqual(['attack.capability', 'variant system-a: "neighbours" must be an object with the functions maxDistance, atDistance; missing or not a function: maxDistance, atDistance']);
    expect(bad({ maxDistance: () => 1, atDistance: 3 }).message).toBe('variant system-a: "neighbours" must be an object with the functions maxDistance, atDistance; missing or not a function: atDistance');
    const sp = rejection(() => signedPermutationOf({ ...tiny, signedPermutation: { flips: () => 0 } } as unknown as Variant<BlockKey>, 'x'));
    expect(sp.message).toBe('variant system-a: "signedPermutation" must be an object with the functions flips, toSignedPermutation, nearestKey; missing or not a function: toSignedPermutation, nearestKey');
    // A function is not an object, even with the right properties (kills :48, typeof c !== 'object').
    const fn = Object.assign(() => 0, { maxDistance: () => 1, atDistance: () => 0 });
    expect(bad(fn).message).toBe('variant system-a: "neighbours" must be an object with the functions maxDistance, atDistance; missing or not a function: maxDistance, atDistance');
    expect(neighboursOf(tiny, 'greedy')).toBe(systemA.neighbours);
    expect(signedPermutationOf(tiny, 'x')).toBe(systemA.signedPermutation);
  });

  // Kills :63–67: null without a view; else the fraction in the view (positions 0 and 2 right → 1/2).
  it('variantKeyFraction counts in the signed-permutation view', () => {
    const truth = k([1, 0, 3, 2], [1, 0, 0, 1]);
    expect(variantKeyFraction(tiny, k([1, 2, 3, 0], [1, 1, 0, 1]), truth)).toBe(0.5);
    expect(variantKeyFraction({ ...tiny, signedPermutation: undefined }, truth, truth)).toBeNull();
  });

  // Kills :120–123: uint8 → 255, unit → 1; real, or a domain that changes, is refused by name.
  it('flipTarget: 255 for 8-bit, 1 for [0, 1], refused otherwise', () => {
    expect(flipTarget(tiny as Variant<unknown>, 'a')).toBe(255);
    expect(flipTarget({ ...tiny, domain: 'unit' } as Variant<unknown>, 'a')).toBe(1);
    const real = rejection(() => flipTarget({ ...tiny, domain: 'real' } as Variant<unknown>, 'ciphertext-only'));
    expect([real.check, real.message]).toEqual(['attack.capability', 'the ciphertext-only attack needs a variant that maps 8-bit or [0, 1] values into the same domain; system-a maps "real" to "real"']);
    expect(rejection(() => flipTarget({ ...tiny, domain: { input: 'uint8', output: 'unit' } } as Variant<unknown>, 'x')).message).toMatch(/system-a maps "uint8" to "unit"$/);
  });
});

describe('variantKeyScorer with a stand-in engine', () => {
  const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 }, 'variants-units');
  // Two identical images, pixels (10, 20, 30, 40); labels (0, 1).
  const images = imageBatch(Uint8Array.of(10, 20, 30, 40, 10, 20, 30, 40), { count: 2, height: 2, width: 2, channels: 1 }, 'NHWC');
  const labels = Uint8Array.of(0, 1);
  function standIn() {
    const inputs: number[][] = [];
    const made: number[][] = [];
    let disposed = 0;
    const engine: Engine = {
      name: 'stand-in',
      backend: 'none',
      threads: 1,
      version: 'test',
      config: weights.config,
      logits: () => Promise.reject(new Error('not used')),
      // Logits (1, 0) for every image: class 0, right for image 0 only; accuracy 1/2.
      async logitsNormalized(batch) {
        inputs.push(Array.from(batch.data));
        return Float32Array.of(1, 0, 1, 0);
      },
      dispose: () => void disposed++,
    };
    return { inputs, made, disposed: () => disposed, createEngine: async (w: typeof weights) => (made.push(Array.from(w.embedWeight)), engine) };
  }

  // Key v = (1, 0, 3, 2), r = (1, 0, 0, 1): Eqs. 4–5 give (255 − 20, 10, 40, 255 − 30) = (235, 10, 40, 225);
  // the 0.5/0.5 normalization (x/255 − 0.5)/0.5. Kills :89–116 (the input path, the objective, dispose).
  it('encrypts the images with the guess, normalizes 0.5/0.5, scores accuracy or log-likelihood', async () => {
    const s = standIn();
    const key = k([1, 0, 3, 2], [1, 0, 0, 1]);
    const acc = await variantKeyScorer({ variant: tiny, weights, key, images, labels, createEngine: s.createEngine, attack: 'partial-key' });
    expect(acc.adapter).toBe("the variant's adapter");
    expect(await acc.score(key)).toBe(0.5);
    const want = [235, 10, 40, 225].map((x) => Math.fround((x / 255 - 0.5) / 0.5));
    expect(s.inputs[0].map((x) => Math.fround(x))).toEqual([...want, ...want].map((x) => Math.fround(x)));
    expect(s.inputs[0].every((x, i) => Math.abs(x - [...want, ...want][i]) < 1e-6)).toBe(true);
    // The model was adapted with the right key: not the plain embedding.
    expect(s.made[0]).not.toEqual(Array.from(weights.embedWeight));
    acc.dispose();
    expect(s.disposed()).toBe(1);
    // log-likelihood: image 0 log(e/(e+1)), image 1 log(1/(e+1)).
    const ll = await variantKeyScorer({ variant: tiny, weights, key, images, labels, createEngine: s.createEngine, attack: 'partial-key', objective: 'log-likelihood' });
    expect(await ll.score(key)).toBeCloseTo((Math.log(Math.E / (Math.E + 1)) + Math.log(1 / (Math.E + 1))) / 2, 6);
  });

  // Without an adapter of its own: the exact least-squares one, named with why it applies. Kills :100–104.
  it('uses the least-squares adapter for a variant without one', async () => {
    const s = standIn();
    const r = await variantKeyScorer({ variant: { ...tiny, adapter: undefined }, weights, key: k([1, 0, 3, 2], [1, 0, 0, 1]), images, labels, createEngine: s.createEngine, attack: 'partial-key' });
    expect(r.adapter).toMatch(/^least squares \(.+\)$/);
    expect(await r.score(k([1, 0, 3, 2], [1, 0, 0, 1]))).toBe(0.5);
  });

  // Kills :87–90 (the objective and label checks and messages).
  it('rejects an unknown objective and a label count that differs', async () => {
    const s = standIn();
    const key = k([1, 0, 3, 2], [1, 0, 0, 1]);
    const o = await asyncRejection(variantKeyScorer({ variant: tiny, weights, key, images, labels, createEngine: s.createEngine, attack: 'x', objective: 'loss' as 'accuracy' }));
    expect([o.check, o.message]).toEqual(['attack.objective', 'unknown objective "loss": use accuracy or log-likelihood']);
    const l = await asyncRejection(variantKeyScorer({ variant: tiny, weights, key, images, labels: Uint8Array.of(0), createEngine: s.createEngine, attack: 'x' }));
    expect([l.check, l.message]).toEqual(['attack.labels', '1 labels for 2 images']);
    expect(s.made).toEqual([]);
  });

  // An adapter that returns a weight of the wrong size is named in the error (kills :99, the adapter's name).
  it('names the variant\'s adapter when it returns a bad weight', async () => {
    const broken = { ...tiny, adapter: { ...systemA.adapter!, adapt: (e: { bias: Float64Array }) => ({ ...e, weight: new Float64Array(1) }) } } as unknown as Variant<BlockKey>;
    await expect(variantKeyScorer({ variant: broken, weights, key: k([1, 0, 3, 2], [1, 0, 0, 1]), images, labels, createEngine: standIn().createEngine, attack: 'x' })).rejects.toThrow(
      `system-a's adapter returned a weight of 1 values, expected ${weights.embedWeight.length}`,
    );
  });
});
