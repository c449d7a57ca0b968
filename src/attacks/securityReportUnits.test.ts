/**
 * Issue 25: mutation kills for src/attacks/securityReport.ts (runAttackReport
 * and its checks) with a stand-in engine, a 2×2-patch single-channel model
 * (p_b = 4) and six hand-made 4×4 images, so the whole report runs in well
 * under a second. The split, the known-plaintext block counts and the effort
 * checks are worked from the module comment and the images by hand. Mutant
 * names: securityReport.ts:LINE mutator.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import { encryptUint8 } from '../core/blockTransform.ts';
import { imageBatch, sliceImages } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { Engine } from '../engine/engine.ts';
import type { Progress } from '../io/progress.ts';
import { encryptModel } from '../model/encryptModel.ts';
import { seededRandom } from '../core/keygen.ts';
import { type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import { ciphertextOnlyAttack } from './ciphertextOnly.ts';
import { uint8ImagesToBlocks } from './common.ts';
import { greedyKeySearch } from './greedy.ts';
import { perturbedEmbedding, recoverKeyFromLeakedModel } from './leakedModel.ts';
import { partialKeyAttack } from './partialKey.ts';
import { type AttackEffort, DEFAULT_EFFORT, PAPER_CLAIMS, PAPER_WRONG_KEY_RANGE, imagesNeeded, runAttackReport } from './securityReport.ts';

const config = { dim: 8, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 };
const weights = randomConvMixerWeights(config, 'report-units');
const key: BlockKey = { blockSize: 2, channels: 1, permutation: Int32Array.of(2, 0, 3, 1), flip: Uint8Array.of(1, 0, 0, 1) };

// Six 4×4 images (blocks in row-major order of 2×2 blocks). Image 0: all 16 pixels distinct, so its first
// block already decides the key (4 distinct values, none 255 − another) → 1 block; image 1: a flat first
// block (7s, every candidate of matching flip kept), then distinct → 2 blocks; image 2: two flat blocks → 3.
// Pixel i = (base + 7i² + 5i) mod 127 + 1: 16 distinct values ≤ 127 (so no value is 255 − another), not affine in i
// (the blocks span all 4 dimensions, as System C's least squares needs).
const distinct = (base: number) => Array.from({ length: 16 }, (_, i) => ((base + 7 * i * i + 5 * i) % 127) + 1);
const flatFirst = (blocks: number) => {
  const img = distinct(20);
  // pixel (y, x) of block (by, bx) at index (2by + i)·4 + 2bx + j; flat blocks (0, 0) and then (0, 1).
  for (let b = 0; b < blocks; b++) for (const [i, j] of [[0, 0], [0, 1], [1, 0], [1, 1]]) img[i * 4 + 2 * b + j] = 7;
  return img;
};
const pixels = [distinct(1), flatFirst(1), flatFirst(2), distinct(60), distinct(90), distinct(120)];
const images = imageBatch(Uint8Array.from(pixels.flat()), { count: 6, height: 4, width: 4, channels: 1 }, 'NHWC');
const labels = Uint8Array.of(0, 0, 1, 1, 0, 1);
const effort: Partial<AttackEffort> = {
  images: 2,
  randomKeys: 2,
  distances: [1, 2],
  trials: 1,
  greedyImages: 1,
  greedySteps: 2,
  knownPlaintextImages: 3,
  noise: [0, 0.5],
  noiseTrials: 2,
  ciphertextImages: [1, 3],
  reference: 2,
  restarts: 1,
};

/** A stand-in engine predicting class 0 for every image; counts engines made and disposed. */
function standIn() {
  let made = 0;
  let disposed = 0;
  const createEngine = async (w: ConvMixerWeights): Promise<Engine> => {
    made++;
    return {
      name: 'stand-in',
      backend: 'none',
      threads: 1,
      version: 'test',
      config: w.config,
      async logits(batch) {
        const out = new Float32Array(batch.shape.count * 2);
        for (let n = 0; n < batch.shape.count; n++) out[2 * n] = 1;
        return out;
      },
      logitsNormalized: () => Promise.reject(new Error('not used')),
      dispose: () => void disposed++,
    };
  };
  return { createEngine, made: () => made, disposed: () => disposed };
}


/**
 * AttackEffort's defaults as its doc comments state them: each comment
 * "(default a; b)" or "(default a, b, c)" covers the fields declared under it,
 * in order (";" between fields when a field is a list, else ","); a
 * `readonly number[]` field reads a comma-separated list.
 */
function documentedEffortDefaults(): Record<string, unknown> {
  const source = readFileSync(new URL('./securityReport.ts', import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('export interface AttackEffort {'), source.indexOf('export const DEFAULT_EFFORT'));
  const out: Record<string, unknown> = {};
  for (const m of body.matchAll(/\(default ([^)]*)\)[^\n]*\n((?:\s*readonly \w+: [^;]+;\n)+)/g)) {
    const fields = [...m[2]!.matchAll(/readonly (\w+): ([^;]+);/g)].map((f) => ({ name: f[1]!, type: f[2]! }));
    let parts = m[1]!.split(';');
    if (parts.length !== fields.length) parts = m[1]!.split(',');
    expect(parts.length, `the default of ${fields.map((f) => f.name).join(', ')}`).toBe(fields.length);
    fields.forEach(({ name, type }, i) => {
      const text = parts[i]!.trim();
      out[name] = type === 'readonly number[]' ? text.split(',').map(Number) : type === 'number' ? Number(text) : text;
    });
  }
  return out;
}

describe('imagesNeeded and the defaults', () => {
  // evaluation = max(images, ciphertext counts, known-plaintext pairs), plus reference, plus labelled.
  // Kills securityReport.ts:126–128 and pins DEFAULT_EFFORT to its documented values (the interface comments).
  it('adds the evaluation, reference and labelled sets', () => {
    expect(imagesNeeded(effort)).toBe(3 + 2 + 1);
    expect(imagesNeeded({ ...effort, images: 9 })).toBe(9 + 2 + 1);
    expect(imagesNeeded({ ...effort, knownPlaintextImages: 7 })).toBe(7 + 2 + 1);
    expect(imagesNeeded()).toBe(500 + 500 + 100);
    // The expected defaults are read from AttackEffort's doc comments ("(default …)"), not restated from the object.
    expect(DEFAULT_EFFORT).toEqual(documentedEffortDefaults());
    expect(PAPER_WRONG_KEY_RANGE).toEqual([0.12, 0.2]);
    expect(Object.keys(PAPER_CLAIMS).sort()).toEqual(['ciphertextOnly', 'greedy', 'knownPlaintext', 'leakedModel', 'partialKey', 'randomKey']);
  });
});

describe('runAttackReport with a stand-in engine', () => {
  it('splits the images, runs every attack with derived seeds, and disposes every engine', async () => {
    const e = standIn();
    const events: string[] = [];
    const progress: Progress = { start: (p, t, u) => events.push(`start ${p} ${t} ${u}`), update: (v) => events.push(`${v}`), stop: () => events.push('stop') };
    const r = await runAttackReport({ weights, key, images, labels, createEngine: e.createEngine, effort, seed: 's', progress, secondModel: { label: 'same', weights } });
    expect(e.made()).toBeGreaterThan(0);
    expect(e.disposed()).toBe(e.made());
    expect([r.format, r.version, r.blockSize, r.channels, r.seed]).toEqual(['cipherpatch-attack-report', 1, 2, 1, 's']);
    expect(r.model).toEqual({ dim: 8, depth: 1, patch: 2, kernel: 3, classes: 2 });
    // log2(4! · C(4, 2)) = log2 144.
    expect(r.keySpaceLog2).toBeCloseTo(Math.log2(144), 9);
    expect(r.effort).toEqual({ ...DEFAULT_EFFORT, ...effort });
    // Evaluation 0..2, victim's images 0..3, pairs 0..3, reference 3..5, labelled 5..6.
    expect(r.split).toEqual({ evaluation: [0, 2], victimImagesSeen: [0, 3], knownPlaintextPairs: [0, 3], reference: [3, 5], labelled: [5, 6] });
    // Every prediction is class 0: the accuracy on the evaluation labels (0, 0) is 1; chance = 1.
    expect(r.baseline).toEqual({ plainModelPlainImages: 1, rightKey: 1, encryptedModelPlainImages: 1, chance: 1 });
    expect(r.paperClaims).toBe(PAPER_CLAIMS);
    // Seeds derived from the report's.
    expect(r.attacks.randomKey.tries.map((t) => t.seed)).toEqual(['s/random-key:0', 's/random-key:1']);
    expect(r.attacks.randomKey.images).toBe(2);
    expect(r.attacks.partialKey.swapDistance.map((p) => p.distance)).toEqual([1, 2]);
    expect(r.attacks.partialKey.images).toBe(2);
    // Greedy: 1 labelled image per query, start + 2 steps; traced every max(1, ⌊2/15⌋) = 1 step.
    expect(r.attacks.greedy.effort).toEqual({ queries: 3, images: 1 });
    expect(r.attacks.greedy.trace.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(r.attacks.greedy.heldOutScore).toBe(1);
    // Known plaintext: blocks needed 1, 2, 3 → median 2, p90 3 (index min(2, ⌈2.7⌉ − 1)), max 3; every step's
    // fraction 1 once the image's 4 blocks are used (n = min(b, 4)); System C with 12 blocks: steps < 12 of
    // (8, 16, 32, 3, 4, 20, 8) → 8, 3, 4, 8, exact from p_b = 4 blocks.
    const kp = r.attacks.knownPlaintext;
    expect([kp.attack, kp.images, kp.exactFromOnePair, kp.systemCBlocksNeeded]).toEqual(['known-plaintext', 3, 3, 4]);
    expect(kp.blocksNeeded).toEqual({ median: 2, p90: 3, max: 3 });
    expect(kp.fractionAfterBlocks.map((f) => f.blocks)).toEqual([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]);
    expect(kp.fractionAfterBlocks.slice(3).every((f) => f.meanFraction === 1)).toBe(true);
    expect(kp.fractionAfterBlocks[0].meanFraction).toBeLessThan(1);
    expect(kp.systemC.map((c) => [c.blocks, c.recovered])).toEqual([
      [8, true],
      [3, false],
      [4, true],
      [8, true],
    ]);
    expect(kp.systemC[1].keyError).toBeNull();
    // Leaked model: noise 0 is the model itself (one draw, whole key); 0.5 has noiseTrials draws.
    const lm = r.attacks.leakedModel;
    expect(lm.noise.map((n) => [n.noise, n.fractions.length])).toEqual([
      [0, 1],
      [0.5, 2],
    ]);
    expect(lm.noise[0].meanFraction).toBe(1);
    expect(lm.noise[1].meanFraction).toBeCloseTo((lm.noise[1].fractions[0] + lm.noise[1].fractions[1]) / 2, 12);
    expect(lm.chance).toBe(0.25);
    // The second model is the attacked one: everything recovered.
    const sm = lm.secondModel!;
    expect([sm.label, sm.fractionCorrect, sm.permutationFraction, sm.flipFraction, sm.accuracyWithRecoveredKey, sm.secondModelPlainAccuracy]).toEqual(['same', 1, 1, 1, 1, 1]);
    expect(sm.minScore).toBeCloseTo(1, 6);
    expect(sm.meanScore).toBeCloseTo(1, 6);
    expect(sm.gramPermutationFraction).toBeGreaterThanOrEqual(0);
    // Ciphertext only: one point per count of images seen.
    const co = r.attacks.ciphertextOnly;
    expect([co.attack, co.reference]).toEqual(['ciphertext-only', 2]);
    expect(co.points.map((p) => [p.images, p.plainModelAccuracy])).toEqual([
      [1, 1],
      [3, 1],
    ]);
    for (const p of co.points) expect(p.keyRecovered).toBe(p.keyFraction === 1);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThan(60);
    // Progress: the phases in order, each stopped.
    const starts = events.filter((x) => x.startsWith('start'));
    expect(starts).toEqual(expect.arrayContaining(['start greedy search 2 steps', 'start known plaintext 3 pairs', 'start ciphertext only 2 runs']));
    const g = events.indexOf('start greedy search 2 steps');
    expect(events.slice(g, g + 5)).toEqual(['start greedy search 2 steps', '0', '1', '2', 'stop']);
    const k = events.indexOf('start known plaintext 3 pairs');
    expect(events.slice(k, k + 5)).toEqual(['start known plaintext 3 pairs', '1', '2', '3', 'stop']);
    const c = events.indexOf('start ciphertext only 2 runs');
    expect(events.slice(c, c + 4)).toEqual(['start ciphertext only 2 runs', '1', '2', 'stop']);
  });

  it('without a second model: null; the default seed is "attack-report"', async () => {
    const r = await runAttackReport({ weights, key, images, labels, createEngine: standIn().createEngine, effort });
    expect(r.attacks.leakedModel.secondModel).toBeNull();
    expect(r.seed).toBe('attack-report');
    expect(r.attacks.randomKey.tries[0].seed).toBe('attack-report/random-key:0');
  });

  // Kills :131–145 (every effort check and message), :163–171 (labels, images, second model, key).
  it('rejects bad effort, labels, too few images, a second model of another shape, a key for another model', async () => {
    const base = { weights, key, images, labels, createEngine: standIn().createEngine, effort };
    const bad = async (patch: Partial<AttackEffort>) => asyncRejection(runAttackReport({ ...base, effort: { ...effort, ...patch } }));
    for (const name of ['images', 'randomKeys', 'trials', 'greedyImages', 'knownPlaintextImages', 'noiseTrials', 'reference', 'restarts'] as const)
      for (const v of [0, 1.5]) {
        const e = await bad({ [name]: v });
        expect([e.check, e.message]).toEqual(['attack-report.effort', `${name} must be a positive integer, got ${v}`]);
      }
    for (const v of [-1, 0.5]) expect((await bad({ greedySteps: v })).message).toBe(`greedySteps must be a non-negative integer, got ${v}`);
    expect((await bad({ ciphertextImages: [] })).message).toBe('ciphertextImages must list at least one count');
    expect((await bad({ ciphertextImages: [1, 0] })).message).toBe('ciphertextImages must be a positive integer, got 0');
    for (const n of [-1, Infinity, Number.NaN]) expect((await bad({ noise: [0, n] })).message).toBe(`noise levels must be finite and ≥ 0, got 0, ${n}`);
    const o = await bad({ greedyObjective: 'loss' as 'accuracy' });
    expect([o.check, o.message]).toEqual(['attack.objective', 'unknown objective "loss": use accuracy or log-likelihood']);
    await expect(runAttackReport({ ...base, effort: { ...effort, greedySteps: 0, greedyObjective: 'accuracy' } })).resolves.toBeDefined();

    const l = await asyncRejection(runAttackReport({ ...base, labels: labels.subarray(0, 5) }));
    expect([l.check, l.message]).toEqual(['attack-report.labels', '5 labels for 6 images']);
    const few = await asyncRejection(runAttackReport({ ...base, effort: { ...effort, reference: 3 } }));
    expect([few.check, few.message]).toEqual(['attack-report.images', 'the report needs 7 test images with this effort (evaluation 3, reference 3, labelled 1); the data holds 6']);
    for (const c of [{ dim: 4 }, { patch: 4 }, { channels: 3 }]) {
      const w2 = { ...weights, config: { ...config, ...c } };
      const s = await asyncRejection(runAttackReport({ ...base, secondModel: { label: 'other', weights: w2 } }));
      expect([s.check, s.message]).toEqual(['attack-report.second-model', 'the second model (other) has another patch embedding shape than the attacked model']);
    }
    const k = await asyncRejection(runAttackReport({ ...base, key: { ...key, channels: 3 } }));
    expect([k.check, k.message]).toEqual(['key.wrong-channels', 'the key is for 3 channels, but the model (patch size 2, 1 channel) has 1']);
  });
});

// Session 4 of issue 25: the survivors of the first measured run (2026-12-03). Mutant names: securityReport.ts:LINE mutator.

/** What no key changes in an image: the multiset of min(x, 255 − x) of its pixels (keys permute and flip inside blocks). */
const fingerprint = (data: ArrayLike<number>) => Array.from(data, (x) => Math.min(x, 255 - x)).sort((a, b) => a - b).join(',');

/** The stand-in engine of standIn(), recording the fingerprint of every image it is given and the batch size. */
function watching(fixture: number[][]) {
  const known = new Map(fixture.map((p, i) => [fingerprint(p), i]));
  const seen: { image: number; batch: number }[] = [];
  const createEngine = async (w: ConvMixerWeights): Promise<Engine> => ({
    ...(await standIn().createEngine(w)),
    async logits(batch) {
      const size = batch.data.length / batch.shape.count;
      for (let n = 0; n < batch.shape.count; n++) seen.push({ image: known.get(fingerprint(batch.data.subarray(n * size, (n + 1) * size))) ?? -1, batch: batch.shape.count });
      const out = new Float32Array(batch.shape.count * 2);
      for (let n = 0; n < batch.shape.count; n++) out[2 * n] = 1;
      return out;
    },
  });
  return { createEngine, seen };
}

const flat = () => new Array(16).fill(7);
const batchOf = (px: number[][], size: number) => imageBatch(Uint8Array.from(px.flat()), { count: px.length, height: size, width: size, channels: 1 }, 'NHWC');

describe('runAttackReport survivors', () => {
  // Kills :121, :126, :128 StringLiteral (the check of those three messages) and :129 ConditionalExpression false
  // (an unknown objective caught only later, by the greedy scorer, after engines were made).
  it('names the effort check, and refuses the effort before any engine is made', async () => {
    const e = standIn();
    const base = { weights, key, images, labels, createEngine: e.createEngine };
    for (const patch of [{ greedySteps: -1 }, { ciphertextImages: [] }, { noise: [-1] }]) expect((await asyncRejection(runAttackReport({ ...base, effort: { ...effort, ...patch } }))).check).toBe('attack-report.effort');
    expect((await asyncRejection(runAttackReport({ ...base, effort: { ...effort, greedyObjective: 'loss' as 'accuracy' } }))).check).toBe('attack.objective');
    expect(e.made()).toBe(0);
  });

  // The engines see the evaluation images (0, 1) and, for the greedy search, the labelled image 5 alone (one
  // image per query); the reference images (3, 4) are the ciphertext-only attacker's and never reach a model.
  // Image 2 is only a known-plaintext pair and a victim image seen encrypted. Kills :163 ArithmeticOperator
  // (the labelled set taken from before the reference).
  it('feeds the models the evaluation images and the labelled set only', async () => {
    const w = watching(pixels);
    await runAttackReport({ weights, key, images, labels, createEngine: w.createEngine, effort, seed: 's' });
    expect([...new Set(w.seen.map((s) => s.image))].sort()).toEqual([0, 1, 5]);
    expect(w.seen.filter((s) => s.image === 5).every((s) => s.batch === 1)).toBe(true);
    expect(w.seen.filter((s) => s.image !== 5).every((s) => s.batch === 2)).toBe(true);
  });

  // The attacks' seeds are the report's seed with the attack's name: the partial-key guesses and the greedy
  // walk (every proposal kept: the stand-in scores all keys alike) are those of the attacks run on their own with
  // "s/partial-key" and "s/greedy". Kills :172 and :192 StringLiteral.
  it('seeds the partial-key and greedy attacks with "<seed>/partial-key" and "<seed>/greedy"', async () => {
    const r = await runAttackReport({ weights, key, images, labels, createEngine: standIn().createEngine, effort, seed: 's' });
    const evalImages = sliceImages(images, 0, 2);
    const p = await partialKeyAttack({ weights, key, images: evalImages, labels: labels.subarray(0, 2), createEngine: standIn().createEngine, distances: [1, 2], trials: 1, seed: 's/partial-key' });
    const fractions = (x: typeof p) => [x.rightShuffleWrongFlip, x.wrongShuffleRightFlip, x.randomKeys, ...x.swapDistance, ...x.flipDistance].map((a) => a.keyFraction);
    expect(fractions(r.attacks.partialKey)).toEqual(fractions(p));
    const g = await greedyKeySearch({ truth: key, score: async () => 0, imagesPerQuery: 1, steps: 2, traceEvery: 1, seed: 's/greedy' });
    expect(r.attacks.greedy.trace.map((t) => t.keyFraction)).toEqual(g.trace.map((t) => t.keyFraction));
    expect(Array.from(r.attacks.greedy.key.permutation)).toEqual(Array.from(g.key.permutation));
    expect(Array.from(r.attacks.greedy.key.flip)).toEqual(Array.from(g.key.flip));
  });

  // Eleven known-plaintext pairs: a flat image (never decided: null), then blocks needed 3, 1, 2 and seven
  // images decided by their first block: exact = 10 pairs, sorted 1 ×8, 2, 3 → median the 5th (1), p90 the
  // ⌈0.9·10⌉ = 9th (2), max 3. With one pair, the flat image alone: nothing exact, no statistics.
  // Kills :220 (the filter of nulls, the sort and its order), :235 (the null case; p90's index).
  it('blocks needed: nulls left out, sorted, p90 the ⌈0.9 n⌉-th', async () => {
    const px = [flat(), flatFirst(2), distinct(1), flatFirst(1), ...[11, 22, 33, 44, 55, 66, 77].map(distinct), distinct(60), distinct(90), distinct(120)];
    const lab = Uint8Array.from(px, (_, i) => i % 2);
    const run = async (knownPlaintextImages: number) =>
      (await runAttackReport({ weights, key, images: batchOf(px, 4), labels: lab, createEngine: standIn().createEngine, effort: { ...effort, knownPlaintextImages }, seed: 's' })).attacks.knownPlaintext;
    const kp = await run(11);
    expect([kp.exactFromOnePair, kp.blocksNeeded]).toEqual([10, { median: 1, p90: 2, max: 3 }]);
    const one = await run(1);
    expect([one.exactFromOnePair, one.blocksNeeded]).toEqual([0, null]);
  });

  // The model's second copy with its embedding's columns relabelled: its column 0 is the plain column 1, its
  // column 1 the plain column 0 negated. The key (2, 0, 3, 1), flips (1, 0, 0, 1): at position 1 (v = 0) the
  // recovered entry is 1 and the flip toggled, at position 3 (v = 1) the entry is 0, flip right: entries right
  // at 0 and 2 (1/2), flips right at 0, 2, 3 (3/4), both at 0 and 2 (1/2). Kills :266 and :267
  // (MethodExpression, ConditionalExpression: the fractions counted over every position).
  it('counts the second model\'s recovered entries and flips against the key', async () => {
    const pb = 4;
    const embedWeight = Float32Array.from(weights.embedWeight);
    for (let o = 0; o < config.dim; o++) {
      embedWeight[o * pb + 0] = weights.embedWeight[o * pb + 1];
      embedWeight[o * pb + 1] = -weights.embedWeight[o * pb + 0];
    }
    const r = await runAttackReport({ weights, key, images, labels, createEngine: standIn().createEngine, effort, seed: 's', secondModel: { label: 'relabelled', weights: { ...weights, embedWeight } } });
    const sm = r.attacks.leakedModel.secondModel!;
    expect([sm.fractionCorrect, sm.permutationFraction, sm.flipFraction]).toEqual([0.5, 0.5, 0.75]);
  });

  // The ciphertext-only points are the attack's own results on the first n encrypted images against the
  // reference images 3 and 4, with the report's restarts and seed "<seed>/ciphertext-only". Kills :289
  // (ObjectLiteral: no truth, restarts or seed passed; StringLiteral: the seed).
  it('runs the ciphertext-only attack with the truth, the restarts and "<seed>/ciphertext-only"', async () => {
    const r = await runAttackReport({ weights, key, images, labels, createEngine: standIn().createEngine, effort: { ...effort, restarts: 2 }, seed: 's' });
    const ref = uint8ImagesToBlocks(sliceImages(images, 3, 2), 2);
    const expected = [1, 3].map((n) => ciphertextOnlyAttack(uint8ImagesToBlocks(encryptUint8(sliceImages(images, 0, n), key), 2), ref, { truth: key, restarts: 2, seed: 's/ciphertext-only' }));
    expect(r.attacks.ciphertextOnly.points.map((p) => [p.flipFraction, p.permutationFraction, p.keyFraction, p.keyRecovered])).toEqual(
      expected.map((x) => [x.flipFraction, x.permutationFraction, x.fractionCorrect, x.keyRecovered]),
    );
  });

  // The leaked-model points: noise level 0 is the plain model itself (no draw), each other level takes
  // noiseTrials draws of the attacker's copy, each weight plus level × RMS × a Box–Muller normal from uniforms
  // (int(2³⁰) + 0.5)/2³⁰ of the stream "<seed>/leaked-model", matched against the encrypted model of
  // src/model/encryptModel.ts (Eqs. 8–9). Recomputed here from those pieces. Kills :243 StringLiteral and :247
  // (level 0 perturbed or level 4 not, the uniform's arithmetic, no uniform).
  it('draws the leaked-model noise from "<seed>/leaked-model", none for level 0', async () => {
    const r = await runAttackReport({ weights, key, images, labels, createEngine: standIn().createEngine, effort: { ...effort, noise: [0, 4], noiseTrials: 2 }, seed: 's' });
    const pb = 4;
    const plain = { data: weights.embedWeight, dim: config.dim, blockLength: pb };
    const encrypted = { data: encryptModel(weights, key).embedWeight, dim: config.dim, blockLength: pb };
    const random = seededRandom('s/leaked-model');
    const uniform = () => (random.int(2 ** 30) + 0.5) / 2 ** 30;
    const four = [0, 1].map(() => recoverKeyFromLeakedModel(perturbedEmbedding(plain, 4, uniform), encrypted, { truth: key }).fractionCorrect);
    expect(r.attacks.leakedModel.noise.map((n) => n.fractions)).toEqual([[1], four]);
    expect(four.some((f) => f !== null && f < 1)).toBe(true); // the noise is large enough to matter
  });

  // Images whose 2×2 blocks are "natural" as in ciphertextOnlyUnits: position k = 10 + 20k + u/2^k, every position
  // rising with the block's brightness u = 48b + 8·(n mod 2) for block b of image n (a multiple of 8, so integers;
  // alike in every image, so the reference's statistics are the victim's) but with its own mean and variance, so the
  // moments identify the key. The ciphertext-only attack then recovers it from 3 images against the reference
  // images 3 and 4. Kills :295 ConditionalExpression (keyRecovered always false).
  it('reports a ciphertext-only recovery', async () => {
    const px = Array.from({ length: 6 }, (_, n) => {
      const img = new Array(16).fill(0);
      for (let b = 0; b < 4; b++) {
        const u = 48 * b + 8 * (n % 2);
        const [by, bx] = [Math.floor(b / 2), b % 2];
        [[0, 0], [0, 1], [1, 0], [1, 1]].forEach(([i, j], k) => (img[(2 * by + i) * 4 + 2 * bx + j] = 10 + 20 * k + u / 2 ** k));
      }
      return img;
    });
    const r = await runAttackReport({ weights, key, images: batchOf(px, 4), labels, createEngine: standIn().createEngine, effort: { ...effort, ciphertextImages: [3], restarts: 3 }, seed: 's' });
    expect(r.attacks.ciphertextOnly.points.map((p) => [p.keyFraction, p.keyRecovered])).toEqual([[1, true]]);
  });

  // 8×8 blocks (p_b = 64, one block per 8×8 image): a 32×32 image holds (32/8)² = 16 of them, so the block
  // counts stop at 16. Kills :203 (the filter and its bound: dropped, < for ≤, 32·M for 32/M).
  it('known-plaintext block counts stop at the blocks of a 32×32 image', async () => {
    const cfg = { dim: 4, depth: 1, kernel: 3, patch: 8, channels: 1, classes: 2 };
    const k8: BlockKey = { blockSize: 8, channels: 1, permutation: Int32Array.from({ length: 64 }, (_, i) => 63 - i), flip: Uint8Array.from({ length: 64 }, (_, i) => (i < 32 ? 1 : 0)) };
    const px = Array.from({ length: 6 }, (_, n) => Array.from({ length: 64 }, (_, i) => ((n * 31 + 7 * i * i + 5 * i) % 127) + 1));
    const small = { ...effort, randomKeys: 1, distances: [1], greedySteps: 0, noise: [0], ciphertextImages: [1], knownPlaintextImages: 1 };
    const r = await runAttackReport({ weights: randomConvMixerWeights(cfg, 'report-8'), key: k8, images: batchOf(px, 8), labels, createEngine: standIn().createEngine, effort: small, seed: 's' });
    expect(r.attacks.knownPlaintext.fractionAfterBlocks.map((f) => f.blocks)).toEqual([1, 2, 3, 4, 6, 8, 12, 16]);
  });

  // Three channels, 2×2 blocks: p_b = 12, and System C's three 4×4 images hold 3·4 = 12 blocks, so of the counts
  // (8, 16, 32, 11, 12, 28, 24) only those below 12 are tried: 8, 11 (12 blocks leave none held out).
  // Kills :226 EqualityOperator (≤ for <).
  it('System C is tried on fewer blocks than the three images hold', async () => {
    const cfg = { dim: 8, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 2 };
    const k3: BlockKey = { blockSize: 2, channels: 3, permutation: Int32Array.of(11, 0, 10, 1, 9, 2, 8, 3, 7, 4, 6, 5), flip: Uint8Array.of(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0) };
    const px = Array.from({ length: 6 }, (_, n) => Array.from({ length: 48 }, (_, i) => ((n * 17 + 7 * i * i + 5 * i) % 127) + 1));
    const rgb = imageBatch(Uint8Array.from(px.flat()), { count: 6, height: 4, width: 4, channels: 3 }, 'NHWC');
    const r = await runAttackReport({ weights: randomConvMixerWeights(cfg, 'report-rgb'), key: k3, images: rgb, labels, createEngine: standIn().createEngine, effort, seed: 's' });
    expect(r.attacks.knownPlaintext.systemC.map((c) => c.blocks)).toEqual([8, 11]);
  });
});
