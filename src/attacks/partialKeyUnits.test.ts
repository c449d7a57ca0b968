/**
 * Issue 25: mutation kills for src/attacks/partialKey.ts with a stand-in
 * engine (no inference). The attacker's images carry the distinct values
 * 1..48 (one 4×4×3 image, p_b = 48), so the engine can read off every
 * encrypted image which plain pixel each pixel came from and whether it was
 * flipped (255 − x lies in 207..254): the guesses the attack makes are
 * checked against their definitions (module comment) in that pixel view,
 * which is a relabelling of the key positions, so counts of differing
 * positions are the same. The accuracy of each call is scripted. Mutant
 * names: partialKey.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import { imageBatch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import { generateKey } from '../core/keygen.ts';
import type { Engine } from '../engine/engine.ts';
import type { Progress } from '../io/progress.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { systemA } from '../variants/builtin/systemA.ts';
import { chanceLevel, keyScorer, partialKeyAttack, variantPartialKeyAttack } from './partialKey.ts';

const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 3 }, 'partial-units');
const key = generateKey({ blockSize: 4, channels: 3, seed: 'partial-units' });
const N = 4;
// Image n: pixel i (NHWC) = i + 1, the same for every image.
const images = imageBatch(Uint8Array.from({ length: N * 48 }, (_, i) => (i % 48) + 1), { count: N, height: 4, width: 4, channels: 3 }, 'NHWC');
const labels = Uint8Array.of(0, 0, 1, 2); // most frequent label 0: chance 2/4

/** Source pixel and flip of each pixel of an encrypted image (the key in pixel coordinates). */
interface Seen {
  readonly src: number[];
  readonly flip: number[];
}
function decode(data: Uint8Array): Seen {
  const src: number[] = [];
  const flip: number[] = [];
  for (let i = 0; i < 48; i++) {
    const y = data[i];
    if (y >= 1 && y <= 48) (src.push(y - 1), flip.push(0));
    else (src.push(255 - y - 1), flip.push(1));
  }
  return { src, flip };
}
const diff = (a: number[], b: number[]) => a.filter((v, i) => v !== b[i]).length;

/** A stand-in engine: records the key of each call; call c's accuracy is accuracy(c) (images 0..a·N−1 right). */
function standIn(accuracy: (call: number) => number) {
  const seen: Seen[] = [];
  const made: string[] = [];
  let disposed = 0;
  const engine: Engine = {
    name: 'stand-in',
    backend: 'none',
    threads: 1,
    version: 'test',
    config: weights.config,
    async logits(batch) {
      seen.push(decode(batch.data));
      const a = accuracy(seen.length - 1);
      const out = new Float32Array(batch.shape.count * 3);
      for (let n = 0; n < batch.shape.count; n++) out[n * 3 + (n < Math.round(a * batch.shape.count) ? labels[n] : (labels[n] + 1) % 3)] = 1;
      return out;
    },
    logitsNormalized: () => Promise.reject(new Error('not used')),
    dispose: () => void disposed++,
  };
  return {
    seen,
    made,
    disposed: () => disposed,
    createEngine: async (w: typeof weights) => (made.push(w === weights ? 'plain' : 'other'), engine),
  };
}


describe('partialKeyAttack with a stand-in engine', () => {
  // Kills partialKey.ts:170–213: the order and the kind of every guess (right key; true permutation and random
  // flips; random permutation and true flips; random keys; s disjoint swaps; s flip exchanges), the per-point
  // means and key fractions, queries, progress, the result fields.
  it('makes the guesses of each setting in order and averages their accuracies', async () => {
    const script = (c: number) => [1, 0.25, 0.5, 0.75][c % 4];
    const e = standIn(script);
    const events: string[] = [];
    const progress: Progress = { start: (p, t, u) => events.push(`start ${p} ${t} ${u}`), update: (v) => events.push(`${v}`), stop: () => events.push('stop') };
    const distances = [0, 1, 3];
    const trials = 2;
    const r = await partialKeyAttack({ weights, key, images, labels, createEngine: e.createEngine, distances, trials, progress, seed: 's' });
    const total = 1 + trials * (3 + 2 * distances.length);
    expect(e.seen.length).toBe(total);
    expect(e.made).toEqual(['other']); // the encrypted model, made once
    expect(e.disposed()).toBe(1);
    expect(events).toEqual([`start partial keys ${total} keys`, ...Array.from({ length: total }, (_, i) => `${i + 1}`), 'stop']);
    const truth = e.seen[0];
    const ones = (s: Seen) => s.flip.reduce((a, b) => a + b, 0);
    const fraction = (s: Seen) => s.src.filter((v, i) => v === truth.src[i] && s.flip[i] === truth.flip[i]).length / 48;
    const at = (point: number, t: number) => e.seen[1 + point * trials + t];
    for (let t = 0; t < trials; t++) {
      // right shuffle, wrong flip
      expect(diff(at(0, t).src, truth.src)).toBe(0);
      expect(diff(at(0, t).flip, truth.flip)).toBeGreaterThan(0);
      expect(ones(at(0, t))).toBe(24);
      // wrong shuffle, right flip
      expect(diff(at(1, t).src, truth.src)).toBeGreaterThan(0);
      expect(diff(at(1, t).flip, truth.flip)).toBe(0);
      // random keys: both wrong
      expect(diff(at(2, t).src, truth.src)).toBeGreaterThan(0);
      expect(diff(at(2, t).flip, truth.flip)).toBeGreaterThan(0);
      distances.forEach((s, i) => {
        const sw = at(3 + i, t);
        expect([diff(sw.src, truth.src), diff(sw.flip, truth.flip)]).toEqual([2 * s, 0]);
        const fl = at(3 + distances.length + i, t);
        expect([diff(fl.src, truth.src), diff(fl.flip, truth.flip), ones(fl)]).toEqual([0, 2 * s, 24]);
      });
    }
    expect(new Set(e.seen.map((s) => s.src.join() + s.flip.join())).size).toBeGreaterThan(total - 2 * trials - 2);
    const point = (p: number) => {
      const acc = Array.from({ length: trials }, (_, t) => script(1 + p * trials + t));
      const frac = Array.from({ length: trials }, (_, t) => fraction(at(p, t)));
      return { acc, mean: (acc[0] + acc[1]) / 2, keyFraction: (frac[0] + frac[1]) / 2 };
    };
    const check = (got: { distance: number; accuracies: readonly number[]; mean: number; keyFraction: number }, p: number, distance: number) => {
      const want = point(p);
      expect(got.distance).toBe(distance);
      expect(got.accuracies).toEqual(want.acc);
      expect(got.mean).toBeCloseTo(want.mean, 12);
      expect(got.keyFraction).toBeCloseTo(want.keyFraction, 12);
    };
    check(r.rightShuffleWrongFlip, 0, -1);
    check(r.wrongShuffleRightFlip, 1, -1);
    check(r.randomKeys, 2, -1);
    distances.forEach((s, i) => {
      check(r.swapDistance[i], 3 + i, s);
      check(r.flipDistance[i], 3 + distances.length + i, s);
    });
    expect(r.swapDistance[2].keyFraction).toBeCloseTo(1 - 6 / 48, 12);
    expect(r.rightKey).toBe(1);
    expect(r.chance).toBe(0.5);
    expect([r.attack, r.keyRecovered, r.fractionCorrect, r.images]).toEqual(['partial-key', null, null, N]);
    expect(r.effort).toEqual({ images: N, queries: N * total });
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThan(60);
  });

  // Kills :168–169 (defaults: 3 trials, distances 1, 2, 4, 8, 16) and :172 (seed "partial-key").
  it('defaults: 3 trials, distances 1, 2, 4, 8, 16, seed "partial-key"', async () => {
    const a = standIn(() => 0);
    const r = await partialKeyAttack({ weights, key, images, labels, createEngine: a.createEngine });
    expect(a.seen.length).toBe(1 + 3 * (3 + 2 * 5));
    expect(r.swapDistance.map((p) => p.distance)).toEqual([1, 2, 4, 8, 16]);
    expect(r.flipDistance.map((p) => [p.distance, p.accuracies.length])).toEqual([1, 2, 4, 8, 16].map((s) => [s, 3]));
    for (const [i, s] of [1, 2, 4, 8, 16].entries()) expect(diff(a.seen[1 + 9 + 3 * i].src, a.seen[0].src)).toBe(2 * s);
    const b = standIn(() => 0);
    await partialKeyAttack({ weights, key, images, labels, createEngine: b.createEngine, seed: 'partial-key' });
    expect(b.seen).toEqual(a.seen);
    const c = standIn(() => 0);
    await partialKeyAttack({ weights, key, images, labels, createEngine: c.createEngine, seed: 'other' });
    expect(c.seen).not.toEqual(a.seen);
  });

  // Kills :133–134 (trials check) and :170 (distance check: not an integer, negative, 2s > p_b).
  it('rejects bad trials and distances by name, before any engine', async () => {
    for (const trials of [0, 1.5]) {
      const e = await asyncRejection(partialKeyAttack({ weights, key, images, labels, createEngine: standIn(() => 0).createEngine, trials }));
      expect([e.check, e.message]).toEqual(['attack.trials', `trials must be a positive integer, got ${trials}`]);
    }
    for (const s of [-1, 0.5, 25]) {
      const made = standIn(() => 0);
      const e = await asyncRejection(partialKeyAttack({ weights, key, images, labels, createEngine: made.createEngine, distances: [1, s] }));
      expect([e.check, e.message]).toEqual(['attack.distance', `distance ${s} is not an integer in 0..24 (p_b/2 for p_b = 48)`]);
      expect(made.made).toEqual([]);
    }
    await expect(partialKeyAttack({ weights, key, images, labels, createEngine: standIn(() => 0).createEngine, distances: [24], trials: 1 })).resolves.toBeDefined();
  });

  // Kills the finally (:207–210): an engine failure still stops the progress and disposes the engine.
  it('stops the progress and disposes the engine when scoring fails', async () => {
    const e = standIn((c) => {
      if (c === 2) throw new Error('engine broke');
      return 0;
    });
    const events: string[] = [];
    const progress: Progress = { start: () => events.push('start'), update: () => {}, stop: () => events.push('stop') };
    await expect(partialKeyAttack({ weights, key, images, labels, createEngine: e.createEngine, distances: [1], trials: 1, progress })).rejects.toThrow('engine broke');
    expect(events).toEqual(['start', 'stop']);
    expect(e.disposed()).toBe(1);
  });
});

describe('keyScorer', () => {
  // Kills :111–116: the checks (objective, labels, the key for the model) and their messages.
  it('rejects an unknown objective, a label count that differs, a key for another model', async () => {
    const make = standIn(() => 0).createEngine;
    const bad = await asyncRejection(keyScorer({ weights, key, images, labels, createEngine: make, objective: 'loss' as 'accuracy' }));
    expect([bad.check, bad.message]).toEqual(['attack.objective', 'unknown objective "loss": use accuracy or log-likelihood']);
    const lab = await asyncRejection(keyScorer({ weights, key, images, labels: Uint8Array.of(0, 1, 2), createEngine: make }));
    expect([lab.check, lab.message]).toEqual(['attack.labels', '3 labels for 4 images']);
    const other = await asyncRejection(keyScorer({ weights, key: generateKey({ blockSize: 2, channels: 3, seed: 'x' }), images, labels, createEngine: make }));
    expect([other.check, other.message]).toEqual(['key.wrong-block-size', 'the key is for block size 2, but the model (patch size 4, 3 channels) needs block size 4']);
  });

  // Log-likelihood: the stand-in puts logit 1 on the right label for the first a·N images and on another for
  // the rest: per image log(e/(e + 2)) or log(1/(e + 2)); a = 0.5 → mean of two of each. Kills :121 (the objective switch).
  it('scores accuracy by default and the mean log-likelihood on request', async () => {
    const e = standIn(() => 0.5);
    const acc = await keyScorer({ weights, key, images, labels, createEngine: e.createEngine });
    expect(await acc.score(key)).toBe(0.5);
    const ll = await keyScorer({ weights, key, images, labels, createEngine: e.createEngine, objective: 'log-likelihood' });
    const E = Math.E;
    expect(await ll.score(key)).toBeCloseTo((Math.log(E / (E + 2)) + Math.log(1 / (E + 2))) / 2, 6);
    ll.dispose();
    expect(e.disposed()).toBe(1);
  });
});

describe('chanceLevel', () => {
  // The most frequent label's share, any label 0..255. Kills :249–252.
  it('is the share of the most frequent label', () => {
    expect(chanceLevel(Uint8Array.of(0, 0, 1, 2))).toBe(0.5);
    expect(chanceLevel(Uint8Array.of(255, 255, 255, 3))).toBe(0.75);
    expect(chanceLevel(Uint8Array.of(7))).toBe(1);
  });
});

describe('variantPartialKeyAttack with a stand-in engine', () => {
  const params = { blockSize: 4, channels: 3 };
  const variant = { ...systemA, params };
  const vkey: BlockKey = systemA.generateKey(params, 'vk');
  /** The stand-in for normalized input: call c has accuracy acc(c); counts calls, records the inputs. */
  function normalizedStandIn(acc: (c: number) => number, config = weights.config) {
    let calls = 0;
    let disposed = 0;
    const inputs: number[][] = [];
    const engine: Engine = {
      name: 'stand-in',
      backend: 'none',
      threads: 1,
      version: 'test',
      config,
      logits: () => Promise.reject(new Error('not used')),
      async logitsNormalized(batch) {
        inputs.push(Array.from(batch.data));
        const a = acc(calls++);
        const out = new Float32Array(batch.shape.count * 3);
        for (let n = 0; n < batch.shape.count; n++) out[n * 3 + (n < Math.round(a * batch.shape.count) ? labels[n] : (labels[n] + 1) % 3)] = 1;
        return out;
      },
      dispose: () => void disposed++,
    };
    return { engine, inputs, calls: () => calls, disposed: () => disposed };
  }

  // Kills :224–244: default distances (1, 2, …, 32 up to maxDistance = p_b = 48), the distance check, the seeds of
  // the random keys, queries, the fields naming the variant, its step and adapter, and dispose.
  it('defaults to distances 1..32, names the variant, its step and adapter, counts queries', async () => {
    const s = normalizedStandIn((c) => (c === 0 ? 1 : 0.25));
    const r = await variantPartialKeyAttack({ variant, key: vkey, weights, images, labels, createEngine: async () => s.engine, trials: 1 });
    expect(r.distance.map((p) => p.distance)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(s.calls()).toBe(1 + 1 + 6);
    expect(r.effort).toEqual({ images: N, queries: N * 8 });
    expect([r.attack, r.variant, r.step, r.adapter, r.rightKey, r.chance, r.images, r.keyRecovered, r.fractionCorrect]).toEqual([
      'partial-key',
      'system-a',
      systemA.neighbours!.step,
      "the variant's adapter",
      1,
      0.5,
      N,
      null,
      null,
    ]);
    expect(r.randomKeys.accuracies).toEqual([0.25]);
    expect(s.disposed()).toBe(1);
    // keyFraction in the signed-permutation view: distance 0 is the key itself.
    const z = await variantPartialKeyAttack({ variant, key: vkey, weights, images, labels, createEngine: async () => normalizedStandIn(() => 0).engine, trials: 2, distances: [0] });
    expect(z.distance[0].keyFraction).toBe(1);
    expect(z.randomKeys.keyFraction).toBeLessThan(1);
    for (const d of [-1, 1.5, 49]) {
      const e = await asyncRejection(variantPartialKeyAttack({ variant, key: vkey, weights, images, labels, createEngine: async () => s.engine, distances: [d] }));
      expect([e.check, e.message]).toEqual(['attack.distance', `distance ${d} is not an integer in 0..48 (system-a: ${systemA.neighbours!.step})`]);
    }
  });

  // System A on one 2×2 single-channel block: maxDistance = p_b = 4, so the default distances are 1, 2, 4 (≤ max) and 4
  // itself is allowed. Random key i is the variant's key "<seed>/random/i" (key fractions counted here by hand); no
  // seed means "partial-key"; the attack names itself when a capability is missing.
  // Kills :218, :221–223, :225, :236.
  it('tiny variant: default distances up to maxDistance, the random keys\' seeds, the default seed, the name', async () => {
    const p4 = { blockSize: 2, channels: 1 };
    const v4 = { ...systemA, params: p4 };
    const w4 = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 3 }, 'partial-units-4');
    const img4 = imageBatch(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), { count: 2, height: 2, width: 2, channels: 1 }, 'NHWC');
    const lab4 = Uint8Array.of(0, 1);
    const k4 = systemA.generateKey(p4, 'k4');
    const { engine, inputs } = normalizedStandIn(() => 0, w4.config);
    const base = { variant: v4, key: k4, weights: w4, images: img4, labels: lab4, createEngine: async () => engine, trials: 2 };
    const r = await variantPartialKeyAttack(base);
    expect(r.distance.map((d) => d.distance)).toEqual([1, 2, 4]);
    expect(r.randomKeys.distance).toBe(-1);
    const right = (g: BlockKey) => [0, 1, 2, 3].filter((i) => g.permutation[i] === k4.permutation[i] && g.flip[i] === k4.flip[i]).length / 4;
    const drawn = [0, 1].map((i) => right(systemA.generateKey(p4, `partial-key/random/${i}`)));
    expect(r.randomKeys.keyFraction).toBeCloseTo((drawn[0] + drawn[1]) / 2, 12);
    const noSeed = inputs.splice(0);
    await variantPartialKeyAttack({ ...base, seed: 'partial-key' });
    expect(inputs.splice(0)).toEqual(noSeed);
    await variantPartialKeyAttack({ ...base, seed: 'other' });
    expect(inputs.splice(0)).not.toEqual(noSeed);
    await expect(variantPartialKeyAttack({ ...base, distances: [4] })).resolves.toBeDefined();
    await expect(variantPartialKeyAttack({ ...base, variant: { ...v4, neighbours: undefined } })).rejects.toThrow(/^the partial-key attack needs "neighbours"/);
    // Without an adapter and p = M²C = 2·2·300 = 1200 > 1024: no least-squares adapter either.
    const wide = { ...systemA, params: { blockSize: 2, channels: 300 }, adapter: undefined };
    const w300 = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 300, classes: 3 }, 'wide');
    const img300 = imageBatch(new Uint8Array(2 * 2 * 300), { count: 1, height: 2, width: 2, channels: 300 }, 'NHWC');
    await expect(
      variantPartialKeyAttack({ variant: wide, key: systemA.generateKey({ blockSize: 2, channels: 300 }, 'w'), weights: w300, images: img300, labels: Uint8Array.of(0), createEngine: async () => engine, distances: [1] }),
    ).rejects.toThrow(/^the partial-key attack needs an adapter .*variant system-a does not provide it \(p = M²C = 1200 is too large/);
  });
});
