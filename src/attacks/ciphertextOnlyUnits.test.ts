/**
 * Issue 25: mutation kills for src/attacks/ciphertextOnly.ts on tiny blocks
 * (p_b = 2..8, M = 1): moments and costs worked by hand, and synthetic
 * "natural" blocks whose positions all rise with one brightness u but with
 * distinct means and variances, so the key is identifiable from moments
 * (the module comment's argument) and the attack must return it exactly.
 * Mutant names: ciphertextOnly.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import type { BlockKey } from '../core/key.ts';
import { type RandomSource, randomPermutation, seededRandom } from '../core/keygen.ts';
import { flip as flipVariant, shuffle, systemA } from '../variants/builtin/systemA.ts';
import type { BlockBatch } from '../variants/contract.ts';
import { type Moments, blockMoments, ciphertextOnlyAttack, estimateFlip, matchPermutation, momentCost, unflipMoments, variantCiphertextOnlyAttack } from './ciphertextOnly.ts';

const blocks = (rows: number[][], channels = rows[0].length): BlockBatch => ({ data: Float64Array.from(rows.flat()), images: 1, rows: 1, cols: rows.length, blockSize: 1, channels });

/** 64 blocks of p_b positions: position k = 10 + 20k + u / 2^k for u = 0, 3, …, 189 (all rise with u). */
function natural(pb: number): number[][] {
  return Array.from({ length: 64 }, (_, t) => Array.from({ length: pb }, (_, k) => 10 + 20 * k + (3 * t) / 2 ** k));
}
/** The signed permutation by its definition: x′[k] = x[v_k], or flipTo − x[v_k] where r_k = 1. */
function encrypt(rows: number[][], v: number[], r: number[], flipTo = 255): number[][] {
  return rows.map((x) => v.map((j, k) => (r[k] ? flipTo - x[j] : x[j])));
}
const key = (v: number[], r: number[]): BlockKey => ({ blockSize: 1, channels: v.length, permutation: Int32Array.from(v), flip: Uint8Array.from(r) });


/** Random moments of p_b positions: values −10..10 in steps of 0.01, the variances diagonal(value). */
function randomMoments(r: RandomSource, pb: number, diagonal: (x: number) => number): Moments {
  const rand = () => r.int(2001) / 100 - 10;
  const mean = Float64Array.from({ length: pb }, rand);
  const covariance = new Float64Array(pb * pb);
  for (let k = 0; k < pb; k++) for (let l = 0; l <= k; l++) covariance[k * pb + l] = covariance[l * pb + k] = k === l ? diagonal(rand()) : rand();
  return { mean, covariance };
}
/** Asserts that no single swap of `permutation` lowers momentCost; returns its cost. */
function expectSwapLocalMinimum(e: Moments, f: Moments, permutation: ArrayLike<number>, meanWeight: number): number {
  const c = momentCost(e, f, permutation, meanWeight);
  for (let k = 0; k < permutation.length; k++)
    for (let l = k + 1; l < permutation.length; l++) {
      const p = Int32Array.from(permutation);
      [p[k], p[l]] = [p[l], p[k]];
      expect(momentCost(e, f, p, meanWeight)).toBeGreaterThanOrEqual(c - 1e-9);
    }
  return c;
}

describe('moments', () => {
  // Blocks (1, 2), (3, 6): means (2, 4); variances ((−1)² + 1²)/2 = 1, ((−2)² + 2²)/2 = 4; covariance ((−1)(−2) + (1)(2))/2 = 2.
  // With x0 ↦ 10 − x0: values 9, 7 → mean 8, covariance −2. Kills blockMoments (:34–57).
  it('blockMoments: means and (population) covariances of the positions, optionally transformed', () => {
    const m = blockMoments(blocks([[1, 2], [3, 6]]));
    expect(Array.from(m.mean)).toEqual([2, 4]);
    expect(Array.from(m.covariance)).toEqual([1, 2, 2, 4]);
    const t = blockMoments(blocks([[1, 2], [3, 6]]), (k, v) => (k === 0 ? 10 - v : v));
    expect(Array.from(t.mean)).toEqual([8, 4]);
    expect(Array.from(t.covariance)).toEqual([1, -2, -2, 4]);
  });

  // Reflecting position 0 about 255: mean 255 − 10, covariances across the split change sign. Kills unflipMoments (:113–119).
  it('unflipMoments reflects the flipped means and the signs of their covariances', () => {
    const u = unflipMoments({ mean: Float64Array.of(10, 20), covariance: Float64Array.of(1, 2, 2, 4) }, [1, 0], 255);
    expect(Array.from(u.mean)).toEqual([245, 20]);
    expect(Array.from(u.covariance)).toEqual([1, -2, -2, 4]);
    const none = unflipMoments({ mean: Float64Array.of(10, 20), covariance: Float64Array.of(1, 2, 2, 4) }, [0, 0], 1);
    expect(Array.from(none.mean)).toEqual([10, 20]);
    expect(Array.from(none.covariance)).toEqual([1, 2, 2, 4]);
  });

  // Reference mean (0, 0), covariance 2I: scale = mean variance 2. Encrypted mean (1, 0), same covariance:
  // cost = w · p_b · 1² / 2 = w. Encrypted covariance diag (4, 2): ((4 − 2)/2)² = 1 more. A zero reference
  // covariance scales by 1. Kills momentCost (:122–134).
  it('momentCost by hand', () => {
    const ref: Moments = { mean: Float64Array.of(0, 0), covariance: Float64Array.of(2, 0, 0, 2) };
    expect(momentCost({ mean: Float64Array.of(1, 0), covariance: Float64Array.of(2, 0, 0, 2) }, ref, [0, 1])).toBe(1);
    expect(momentCost({ mean: Float64Array.of(1, 0), covariance: Float64Array.of(2, 0, 0, 2) }, ref, [0, 1], 3)).toBe(3);
    expect(momentCost({ mean: Float64Array.of(1, 0), covariance: Float64Array.of(4, 0, 0, 2) }, ref, [0, 1])).toBe(2);
    // Off-diagonal and the permutation: encrypted cov [[2, 1], [1, 2]] against the reference's [[2, 0], [0, 2]] → 2 · (1/2)².
    expect(momentCost({ mean: Float64Array.of(0, 0), covariance: Float64Array.of(2, 1, 1, 2) }, ref, [1, 0])).toBe(0.5);
    const swapped: Moments = { mean: Float64Array.of(5, 1), covariance: Float64Array.of(3, 0, 0, 1) };
    const reference: Moments = { mean: Float64Array.of(1, 5), covariance: Float64Array.of(1, 0, 0, 3) };
    expect(momentCost(swapped, reference, [1, 0])).toBe(0);
    // identity: means differ by 4 twice, scale 2: 1 · 2 · 16 / 2 · 2 = 32; variances (3 − 1)/2, (1 − 3)/2 → 1 + 1.
    expect(momentCost(swapped, reference, [0, 1])).toBe(34);
    expect(momentCost({ mean: Float64Array.of(1, 0), covariance: new Float64Array(4) }, { mean: Float64Array.of(0, 0), covariance: new Float64Array(4) }, [0, 1])).toBe(2);
  });
});

describe('estimateFlip', () => {
  // Positions {0, 1} and {2, 3} correlate +0.5 within, −0.5 across: the leading eigenvector is ±(1, 1, −1, −1).
  // Means (200, 200, 55, 55): flipping {0, 1} gives means 55 (close to a reference mean of 50), flipping {2, 3}
  // gives 200. Against a reference of mean 200 the other half is flipped. Kills :79–110 (correlations, the
  // eigenvector, the halves, the mean rule).
  const cov = Float64Array.of(1, 0.5, -0.5, -0.5, 0.5, 1, -0.5, -0.5, -0.5, -0.5, 1, 0.5, -0.5, -0.5, 0.5, 1);
  const enc: Moments = { mean: Float64Array.of(200, 200, 55, 55), covariance: cov };
  const ref = (m: number): Moments => ({ mean: Float64Array.of(m, m, m, m), covariance: cov });
  it('splits by the anti-correlation and picks the half by the mean', () => {
    expect(Array.from(estimateFlip(enc, ref(50)))).toEqual([1, 1, 0, 0]);
    expect(Array.from(estimateFlip(enc, ref(200)))).toEqual([0, 0, 1, 1]);
    // Scaled covariance (variances 4): the correlation, not the covariance, is what is split.
    expect(Array.from(estimateFlip({ mean: enc.mean, covariance: cov.map((c) => 4 * c) }, ref(50)))).toEqual([1, 1, 0, 0]);
    // flipTo 1, means in [0, 1]: (0.9, 0.9, 0.2, 0.2) against a reference of 0.15: flip {0, 1} (1 − 0.9 = 0.1).
    expect(Array.from(estimateFlip({ mean: Float64Array.of(0.9, 0.9, 0.2, 0.2), covariance: cov }, ref(0.15), 1))).toEqual([1, 1, 0, 0]);
  });

  // Kills :80 (the count check and message) and the `ones` default p_b/2.
  it('takes exactly `ones` flips, 0..p_b', () => {
    expect(Array.from(estimateFlip(enc, ref(50), 255, 0))).toEqual([0, 0, 0, 0]);
    expect(Array.from(estimateFlip(enc, ref(50), 255, 4))).toEqual([1, 1, 1, 1]);
    for (const ones of [-1, 5, 1.5]) {
      const e = rejection(() => estimateFlip(enc, ref(50), 255, ones));
      expect([e.check, e.message]).toEqual(['attack.flips', `${ones} flips asked for in a block of 4`]);
    }
  });
});

describe('matchPermutation', () => {
  // Reference means (0, 10, 20), variances (1, 2, 3); the encrypted moments permuted by π = (2, 0, 1).
  const ref: Moments = { mean: Float64Array.of(0, 10, 20), covariance: Float64Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3) };
  const enc: Moments = { mean: Float64Array.of(20, 0, 10), covariance: Float64Array.of(3, 0, 0, 0, 1, 0, 0, 0, 2) };

  it('finds π of permuted moments; `start` is the first restart', () => {
    const m = matchPermutation(enc, ref);
    expect(Array.from(m.permutation)).toEqual([2, 0, 1]);
    expect(m.cost).toBe(0);
    const s = matchPermutation(enc, ref, { restarts: 1, start: Int32Array.of(2, 0, 1) });
    expect([Array.from(s.permutation), s.cost]).toEqual([[2, 0, 1], 0]);
  });

  // The local search must end in a local minimum of the cost it reports, which is momentCost (the same
  // objective, unscaled form): every single swap from the result costs at least as much. Generic random moments
  // of p_b = 6, one restart from each of several starts. Kills the swap delta (:170–181) and the cost (:157–163).
  it('ends in a swap-local minimum of momentCost and reports its cost', () => {
    const r = seededRandom('local-min');
    for (let trial = 0; trial < 4; trial++) {
      const e = randomMoments(r, 6, (x) => 5 + Math.abs(x));
      const f = randomMoments(r, 6, (x) => 5 + Math.abs(x));
      const m = matchPermutation(e, f, { restarts: 1, random: seededRandom(`start${trial}`), meanWeight: 0.5 });
      expect(m.cost).toBeCloseTo(expectSwapLocalMinimum(e, f, m.permutation, 0.5), 9);
    }
  });

  // Kills :151 (the length check) and the defaults (restarts 100, the seeded source "ciphertext-only").
  it('rejects moments of different lengths; defaults are deterministic', () => {
    const e = rejection(() => matchPermutation(enc, { mean: Float64Array.of(0, 1), covariance: new Float64Array(4) }));
    expect([e.check, e.message]).toEqual(['attack.moments', 'encrypted statistics have 3 positions, the reference 2']);
    const a = matchPermutation(enc, ref, { restarts: 3 });
    const b = matchPermutation(enc, ref, { restarts: 3, random: seededRandom('ciphertext-only') });
    expect(Array.from(a.permutation)).toEqual(Array.from(b.permutation));
  });
});

describe('ciphertextOnlyAttack on synthetic blocks', () => {
  const plain = natural(4);
  const v = [2, 0, 3, 1];
  const r = [1, 0, 0, 1];
  // Kills :220–239: flips from the anti-correlation, the positions from the moments, the result fields.
  it('recovers (v, r) exactly when the reference statistics are the plain ones', () => {
    const res = ciphertextOnlyAttack(blocks(encrypt(plain, v, r)), blocks(plain), { truth: key(v, r), restarts: 5 });
    expect(Array.from(res.key.permutation)).toEqual(v);
    expect(Array.from(res.key.flip)).toEqual(r);
    expect([res.keyRecovered, res.fractionCorrect, res.flipFraction, res.permutationFraction, res.attack]).toEqual([true, 1, 1, 1, 'ciphertext-only']);
    expect(res.matchCost).toBeLessThan(1e-9);
    expect(res.effort).toEqual({ images: 1, blocks: 64 });
    expect([res.key.blockSize, res.key.channels]).toEqual([1, 4]);
    // Against another truth the fractions count what is right: flips (0, 0, 1, 1) → 2/4, permutation (0, 1, 3, 2) → 1/4, both at no position.
    const other = ciphertextOnlyAttack(blocks(encrypt(plain, v, r)), blocks(plain), { truth: key([0, 1, 3, 2], [0, 0, 1, 1]), restarts: 5 });
    expect([other.keyRecovered, other.flipFraction, other.permutationFraction, other.fractionCorrect]).toEqual([false, 0.5, 0.25, 0]);
    const blind = ciphertextOnlyAttack(blocks(encrypt(plain, v, r)), blocks(plain));
    expect([blind.keyRecovered, blind.fractionCorrect, blind.flipFraction, blind.permutationFraction]).toEqual([null, null, null, null]);
  });

  // Kills :219 and :221 (the checks and messages).
  it('rejects a reference of another shape and an odd p_b', () => {
    const e = rejection(() => ciphertextOnlyAttack(blocks(plain), blocks([[1, 2]])));
    expect([e.check, e.message]).toEqual(['attack.reference', 'reference blocks are M=1,C=2, encrypted M=1,C=4']);
    const big = { ...blocks([[1, 2, 3, 4]]), blockSize: 2, channels: 1 };
    expect(rejection(() => ciphertextOnlyAttack(blocks([[1, 2, 3, 4]]), big)).message).toBe('reference blocks are M=2,C=1, encrypted M=1,C=4');
    const odd = rejection(() => ciphertextOnlyAttack(blocks(natural(3)), blocks(natural(3))));
    expect([odd.check, odd.message]).toEqual(['attack.block-length', 'p_b = 3 is odd: System A needs p_b/2 flips']);
  });
});

describe('variantCiphertextOnlyAttack on synthetic blocks', () => {
  // system-a with p_b = 4: 4! · C(4, 2) = 144 ≤ 5040 keys, searched exhaustively. Kills :282–292.
  it('searches a small key space exhaustively and finds the key', () => {
    const params = { blockSize: 1, channels: 4 };
    const variant = { ...systemA, params };
    const plain = natural(4);
    const k = key([3, 1, 0, 2], [0, 1, 1, 0]);
    const res = variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, [3, 1, 0, 2], [0, 1, 1, 0])), blocks(plain), { truth: k });
    expect(res.search).toBe('exhaustive');
    expect(Array.from(res.key.permutation)).toEqual([3, 1, 0, 2]);
    expect(Array.from(res.key.flip)).toEqual([0, 1, 1, 0]);
    expect([res.keyRecovered, res.fractionCorrect, res.flipFraction, res.permutationFraction, res.variant, res.attack]).toEqual([true, 1, 1, 1, 'system-a', 'ciphertext-only']);
    expect(res.matchCost).toBeLessThan(1e-9);
    expect(res.effort).toEqual({ images: 1, blocks: 64 });
  });

  // The search is exhaustive up to a claimed 5040 keys (≤), local beyond; a stand-in claim on p_b = 4 (the size is
  // what the rule reads; the enumeration lists three keys, the right one among them) keeps this fast. Kills :281
  // (≤ → <, the conditions) and the exhaustive minimum (:284–289).
  it('is exhaustive up to 5040 claimed keys, local beyond', () => {
    const pb = 4;
    const plain = natural(pb);
    const v = [1, 3, 0, 2];
    const none = [0, 0, 0, 0];
    const listed = [[0, 1, 2, 3], v, [3, 2, 1, 0]].map((p) => key(p, none));
    for (const [size, search] of [
      [5040n, 'exhaustive'],
      [5041n, 'local'],
    ] as const) {
      const claim = { ...shuffle.keySpace!, size: () => size, enumerate: () => listed };
      const variant = { ...shuffle, params: { blockSize: 1, channels: pb }, keySpace: claim };
      const res = variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, v, none)), blocks(plain), { truth: key(v, none), restarts: 3, seed: 's' });
      expect(res.search).toBe(search);
      expect(Array.from(res.key.permutation)).toEqual(v);
      expect([res.flipFraction, res.permutationFraction, res.keyRecovered]).toEqual([1, 1, true]);
      expect(res.matchCost).toBeLessThan(1e-9);
    }
    // An enumeration that lists no key is refused by name.
    const empty = { ...shuffle, params: { blockSize: 1, channels: pb }, keySpace: { ...shuffle.keySpace!, size: () => 24n, enumerate: () => [] } };
    const e = rejection(() => variantCiphertextOnlyAttack(empty, blocks(plain), blocks(plain)));
    expect([e.check, e.message]).toEqual(['attack.key-space', 'shuffle: keySpace.enumerate gave no keys']);
  });

  // flip alone (no permutation): no search, the identity positions, the flips estimated (values in 0..255).
  it('a flip-only variant gets no position search', () => {
    const variant = { ...flipVariant, params: { blockSize: 1, channels: 4 } };
    const plain = natural(4);
    const res = variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, [0, 1, 2, 3], [0, 1, 0, 1])), blocks(plain), { truth: key([0, 1, 2, 3], [0, 1, 0, 1]) });
    expect(res.search).toBe('none');
    expect(Array.from(res.key.flip)).toEqual([0, 1, 0, 1]);
    expect([res.keyRecovered, res.permutationFraction]).toEqual([true, 1]);
    expect(res.matchCost).toBeLessThan(1e-9);
  });

  // Kills :268–270 (blocks of another size than the variant's, named encrypted or reference).
  it('rejects blocks that are not the variant\'s size', () => {
    const variant = { ...systemA, params: { blockSize: 1, channels: 4 } };
    const plain = natural(4);
    const two = blocks([[1, 2]]);
    expect(rejection(() => variantCiphertextOnlyAttack(variant, two, blocks(plain))).message).toBe('encrypted blocks are M=1,C=2, variant system-a works on M=1,C=4');
    const e = rejection(() => variantCiphertextOnlyAttack(variant, blocks(plain), two));
    expect([e.check, e.message]).toEqual(['attack.reference', 'reference blocks are M=1,C=2, variant system-a works on M=1,C=4']);
  });
});

// Session 4 of issue 25: the survivors of the first measured run (2026-12-03). Mutant names: ciphertextOnly.ts:LINE mutator.

/** A random source that counts its draws. */
function counting(seed: string) {
  const inner = seededRandom(seed);
  const c = { draws: 0, int: (bound: number) => (c.draws++, inner.int(bound)) };
  return c;
}
/** Moments that every permutation matches equally well (all zero): the local search makes no move. */
const flat = (pb: number): Moments => ({ mean: new Float64Array(pb), covariance: new Float64Array(pb * pb) });
/** Every permutation of 0..n−1. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('ciphertextOnly survivors: blockMoments and estimateFlip', () => {
  // Kills ciphertextOnly.ts:42 EqualityOperator (k <= pb: the transform also called for a position past the block).
  it('blockMoments calls the transform once per position of every block, positions 0..p_b−1 only', () => {
    const seen: number[] = [];
    blockMoments(blocks([[1, 2, 3], [4, 5, 6]]), (k, v) => (seen.push(k), v));
    expect(seen).toEqual([0, 1, 2, 0, 1, 2]);
  });

  // A position of variance 0 correlates with nothing (correlation 0, not 0/0): positions 0 and 1 correlate +0.5,
  // both −0.5 with position 2, so the leading eigenvector is ±(1, 1, −1, 0) and with one flip the ends are
  // position 0 (first of the tie) and position 2. Means (55, 55, 200, 55) against a reference of 55: un-flipping
  // position 2 gives mean 55, un-flipping position 0 gives 127.5, so position 2 is flipped. With 0/0 = NaN the
  // order falls back to 0..3 and position 3 would be the other end. Kills :96 ConditionalExpression true and
  // EqualityOperator d >= 0.
  it('a constant position does not disturb the split', () => {
    const cov = Float64Array.of(1, 0.5, -0.5, 0, 0.5, 1, -0.5, 0, -0.5, -0.5, 1, 0, 0, 0, 0, 0);
    const ref: Moments = { mean: Float64Array.of(55, 55, 55, 55), covariance: cov };
    expect(Array.from(estimateFlip({ mean: Float64Array.of(55, 55, 200, 55), covariance: cov }, ref, 255, 1))).toEqual([0, 0, 1, 0]);
  });

  // The mean rule is a distance on the real line, for means of either sign. Halves {0, 1} and {2, 3} (as in the
  // estimateFlip tests above); flipTo 1, means (−0.4, −0.4, 0.6, 0.6): un-flipping {2, 3} gives (−0.4, −0.4, 0.4,
  // 0.4), mean 0; un-flipping {0, 1} gives (1.4, 1.4, 0.6, 0.6), mean 1. A reference mean of −0.8 is closer to 0
  // (0.8 against 1.8), so {2, 3}; and mirrored. Kills :112 ArithmeticOperator (|mean(bottom) + ref|, which picks the
  // other half when the reference mean is negative).
  it('picks the half whose un-flipped mean is nearer the reference, also below zero', () => {
    const cov = Float64Array.of(1, 0.5, -0.5, -0.5, 0.5, 1, -0.5, -0.5, -0.5, -0.5, 1, 0.5, -0.5, -0.5, 0.5, 1);
    const ref: Moments = { mean: Float64Array.of(-0.8, -0.8, -0.8, -0.8), covariance: cov };
    expect(Array.from(estimateFlip({ mean: Float64Array.of(-0.4, -0.4, 0.6, 0.6), covariance: cov }, ref, 1))).toEqual([0, 0, 1, 1]);
    expect(Array.from(estimateFlip({ mean: Float64Array.of(0.6, 0.6, -0.4, -0.4), covariance: cov }, ref, 1))).toEqual([1, 1, 0, 0]);
  });
});

describe('ciphertextOnly survivors: matchPermutation restarts', () => {
  // With flat moments no swap improves (every swap's change is exactly 0), so a restart ends where it starts:
  // the result is the first restart's start — `start` when given, else the first random permutation of the
  // source ("ciphertext-only" by default), and later restarts of equal cost do not replace it. Kills :160
  // StringLiteral (the default seed), :173 ConditionalExpression false and EqualityOperator r !== 0 (start
  // ignored), :189 UnaryOperator (a swap of change 0 < +1e-12 taken: endless), :197 ConditionalExpression true and
  // EqualityOperator c <= best.cost (the last of equal restarts kept).
  it('a restart ends where it starts on flat moments; the first of equal restarts is kept', () => {
    const pb = 8;
    const first = Array.from(randomPermutation(pb, seededRandom('ciphertext-only')));
    expect(first).not.toEqual(Array.from(randomPermutation(pb, seededRandom('')))); // the default seed matters here
    expect(Array.from(matchPermutation(flat(pb), flat(pb), { restarts: 1 }).permutation)).toEqual(first);
    expect(Array.from(matchPermutation(flat(pb), flat(pb), { restarts: 3 }).permutation)).toEqual(first);
    const start = Int32Array.of(7, 6, 5, 4, 3, 2, 1, 0);
    const s = matchPermutation(flat(pb), flat(pb), { restarts: 2, start });
    expect([Array.from(s.permutation), s.cost]).toEqual([[7, 6, 5, 4, 3, 2, 1, 0], 0]);
    expect(Array.from(start)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]); // the caller's start is copied, not searched in place
  });

  // `restarts` random starts, of which `start` (when given) replaces the first: a random permutation of p_b
  // draws what randomPermutation draws (counted here on its own), so 3 restarts draw 3 of them, 2 with a start.
  // Kills :172 EqualityOperator (r <= restarts) and :173 (start at every restart / at none / not at the first).
  it('draws one random start per restart, none for the given start', () => {
    const pb = 5;
    const one = counting('x');
    randomPermutation(pb, one);
    const r = counting('x');
    matchPermutation(flat(pb), flat(pb), { restarts: 3, random: r });
    expect(r.draws).toBe(3 * one.draws);
    const s = counting('x');
    matchPermutation(flat(pb), flat(pb), { restarts: 3, random: s, start: Int32Array.of(0, 1, 2, 3, 4) });
    expect(s.draws).toBe(2 * one.draws);
  });

  // Moments of p_b = 4 (integer covariances, zero means) where the permutation (2, 3, 0, 1) is a strict local
  // minimum of momentCost under swaps but not the global one — both found here by trying all 24 permutations.
  // From that start one restart stays there; with more restarts a random start reaches the global minimum and
  // replaces it. Kills :173 ConditionalExpression true (the start at every restart), :197 ConditionalExpression
  // false (the first restart always kept) and EqualityOperator c >= best.cost.
  it('a later restart that ends lower replaces a local minimum', () => {
    const e: Moments = { mean: new Float64Array(4), covariance: Float64Array.of(4, 3, 0, 2, 3, 6, -3, 1, 0, -3, 5, 1, 2, 1, 1, 5) };
    const f: Moments = { mean: new Float64Array(4), covariance: Float64Array.of(5, 1, 1, -2, 1, 4, 3, -2, 1, 3, 6, 3, -2, -2, 3, 4) };
    const all = permutations(4).map((p) => ({ p, cost: momentCost(e, f, p) }));
    const global = all.reduce((a, b) => (b.cost < a.cost ? b : a));
    const local = [2, 3, 0, 1];
    const localCost = momentCost(e, f, local);
    expect(localCost).toBeGreaterThan(global.cost + 1e-6);
    for (const { p, cost } of all) if (p.filter((v, k) => v !== local[k]).length === 2) expect(cost).toBeGreaterThan(localCost + 1e-6);
    const stay = matchPermutation(e, f, { restarts: 1, start: Int32Array.from(local) });
    expect(Array.from(stay.permutation)).toEqual(local);
    const best = matchPermutation(e, f, { restarts: 8, start: Int32Array.from(local), random: seededRandom('restarts') });
    expect(Array.from(best.permutation)).toEqual(global.p);
    expect(best.cost).toBeCloseTo(global.cost, 9);
  });

  // Many more random instances than the test above (p_b = 6, one restart each): the search must end in a
  // swap-local minimum of momentCost. Kills the remaining swap-change mutants (:182 ArithmeticOperator).
  it('ends in a swap-local minimum of momentCost on 40 random instances', () => {
    const r = seededRandom('local-min-40');
    for (let trial = 0; trial < 40; trial++) {
      const e = randomMoments(r, 6, (x) => 1 + Math.abs(3 * x));
      const f = randomMoments(r, 6, (x) => 1 + Math.abs(3 * x));
      const m = matchPermutation(e, f, { restarts: 1, random: seededRandom(`start-40-${trial}`), meanWeight: 0.1 });
      expectSwapLocalMinimum(e, f, m.permutation, 0.1);
    }
  });
});

describe('ciphertextOnly survivors: the attacks', () => {
  // Constant blocks: every permutation matches the (constant) reference equally, so the local search returns the
  // first random start of the seed the attack derives: `seed`, else "ciphertext-only". Kills :225 and :294
  // (LogicalOperator, ObjectLiteral, StringLiteral: the seed passed on).
  it('the local search starts from the seed given, else "ciphertext-only"', () => {
    const pb = 8;
    const constant = blocks(Array.from({ length: 16 }, () => new Array(pb).fill(100)));
    const from = (seed: string) => Array.from(randomPermutation(pb, seededRandom(seed)));
    expect(new Set([from('s'), from('ciphertext-only'), from('')].map(String)).size).toBe(3);
    expect(Array.from(ciphertextOnlyAttack(constant, constant, { restarts: 2, seed: 's' }).key.permutation)).toEqual(from('s'));
    expect(Array.from(ciphertextOnlyAttack(constant, constant, { restarts: 2 }).key.permutation)).toEqual(from('ciphertext-only'));
    // shuffle: 8! > 5040 keys, so a local search; its nearest key to a permutation is that permutation.
    const variant = { ...shuffle, params: { blockSize: 1, channels: pb } };
    const v = variantCiphertextOnlyAttack(variant, constant, constant, { restarts: 2, seed: 's' });
    expect([v.search, Array.from(v.key.permutation)]).toEqual(['local', from('s')]);
    expect(Array.from(variantCiphertextOnlyAttack(variant, constant, constant, { restarts: 2 }).key.permutation)).toEqual(from('ciphertext-only'));
  });

  // Blocks of the same channel count but another block size (and so another p_b) are refused by the shape check
  // itself. Kills :219 and :271 ConditionalExpression false (the block-size comparison).
  it('refuses blocks of another block size with the same channels', () => {
    const other: BlockBatch = { data: Float64Array.from({ length: 16 }, (_, i) => i), images: 1, rows: 1, cols: 1, blockSize: 2, channels: 4 };
    const e = rejection(() => ciphertextOnlyAttack(blocks(natural(4)), other));
    expect([e.check, e.message]).toEqual(['attack.reference', 'reference blocks are M=2,C=4, encrypted M=1,C=4']);
    const variant = { ...systemA, params: { blockSize: 1, channels: 4 } };
    const v = rejection(() => variantCiphertextOnlyAttack(variant, blocks(natural(4)), other));
    expect([v.check, v.message]).toEqual(['attack.reference', 'reference blocks are M=2,C=4, variant system-a works on M=1,C=4']);
  });

  // Kills :265 and :266 StringLiteral (the attack named in the capability messages).
  it('names the ciphertext-only attack when a variant cannot be attacked', () => {
    const plain = blocks(natural(4));
    const noView = { ...systemA, params: { blockSize: 1, channels: 4 }, signedPermutation: undefined };
    expect(rejection(() => variantCiphertextOnlyAttack(noView, plain, plain)).message).toMatch(/^the ciphertext-only attack needs /);
    const real = { ...systemA, params: { blockSize: 1, channels: 4 }, domain: 'real' as const };
    expect(rejection(() => variantCiphertextOnlyAttack(real, plain, plain)).message).toMatch(/^the ciphertext-only attack needs a variant that maps 8-bit or \[0, 1\] values/);
  });

  // A variant with no key-space claim, or a small one that cannot be enumerated, is searched locally.
  // Kills :281 OptionalChaining (keySpace read without ?.) and :282 ConditionalExpression true (enumerate assumed).
  it('searches locally without a key-space claim or without an enumeration', () => {
    const pb = 4;
    const plain = natural(pb);
    const v = [1, 3, 0, 2];
    const none = [0, 0, 0, 0];
    for (const keySpace of [undefined, { ...shuffle.keySpace!, size: () => 24n, enumerate: undefined }]) {
      const variant = { ...shuffle, params: { blockSize: 1, channels: pb }, keySpace };
      const res = variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, v, none)), blocks(plain), { truth: key(v, none), restarts: 3 });
      expect([res.search, Array.from(res.key.permutation), res.keyRecovered]).toEqual(['local', v, true]);
    }
  });

  // Keys of equal cost (here the same key listed twice): the first in enumeration order is kept.
  // Kills :288 EqualityOperator c <= best.cost.
  it('keeps the first of equally good enumerated keys', () => {
    const pb = 4;
    const plain = natural(pb);
    const v = [1, 3, 0, 2];
    const none = [0, 0, 0, 0];
    const listed = [key([0, 1, 2, 3], none), key(v, none), key(v, none)];
    const variant = { ...shuffle, params: { blockSize: 1, channels: pb }, keySpace: { ...shuffle.keySpace!, size: () => 3n, enumerate: () => listed } };
    const res = variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, v, none)), blocks(plain));
    expect(res.search).toBe('exhaustive');
    expect(res.key).toBe(listed[1]);
  });

  // A variant that does not permute gets the identity positions as its estimate (here its own nearestKey is
  // watched). Kills :299 ObjectLiteral and ArrowFunction (another permutation passed on).
  it('a flip-only variant is given the identity positions', () => {
    const seen: number[][] = [];
    const view = flipVariant.signedPermutation!;
    const watched: typeof view = { ...view, nearestKey: (params, guess) => (seen.push(Array.from(guess.permutation)), view.nearestKey(params, guess)) };
    const variant = { ...flipVariant, params: { blockSize: 1, channels: 4 }, signedPermutation: watched };
    const plain = natural(4);
    variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, [0, 1, 2, 3], [0, 1, 0, 1])), blocks(plain));
    expect(seen).toEqual([[0, 1, 2, 3]]);
  });

  // The fractions count against the truth given, and are null without one. The exhaustive search finds
  // (v, r) = ((3, 1, 0, 2), (0, 1, 1, 0)) (test above); against the truth ((3, 0, 1, 2), (0, 1, 0, 1)) the
  // positions 0 and 3 agree (2/4), the flips at positions 0 and 1 (2/4), entry and flip together at 0 only (1/4).
  // Kills :303, :305, :309 ConditionalExpression, :315 and :316 MethodExpression and ConditionalExpression.
  it('counts the fractions against the truth, null without one', () => {
    const variant = { ...systemA, params: { blockSize: 1, channels: 4 } };
    const plain = natural(4);
    const enc = blocks(encrypt(plain, [3, 1, 0, 2], [0, 1, 1, 0]));
    const res = variantCiphertextOnlyAttack(variant, enc, blocks(plain), { truth: key([3, 0, 1, 2], [0, 1, 0, 1]) });
    expect(Array.from(res.key.permutation)).toEqual([3, 1, 0, 2]);
    expect([res.keyRecovered, res.fractionCorrect, res.permutationFraction, res.flipFraction]).toEqual([false, 0.25, 0.5, 0.5]);
    const blind = variantCiphertextOnlyAttack(variant, enc, blocks(plain));
    expect([blind.keyRecovered, blind.fractionCorrect, blind.permutationFraction, blind.flipFraction]).toEqual([null, null, null, null]);
  });

  // Without a truth the view is never asked to convert one (a view may read its key's fields: here one that
  // copies them refuses undefined). Kills :303 ConditionalExpression false (toSignedPermutation(undefined)).
  it('does not convert a truth that was not given', () => {
    const view = systemA.signedPermutation!;
    const strict: typeof view = { ...view, toSignedPermutation: (k) => ({ permutation: k.permutation, flip: k.flip }) };
    const variant = { ...systemA, params: { blockSize: 1, channels: 4 }, signedPermutation: strict };
    const plain = natural(4);
    const res = variantCiphertextOnlyAttack(variant, blocks(encrypt(plain, [3, 1, 0, 2], [0, 1, 1, 0])), blocks(plain));
    expect([Array.from(res.key.permutation), res.fractionCorrect]).toEqual([[3, 1, 0, 2], null]);
  });
});
