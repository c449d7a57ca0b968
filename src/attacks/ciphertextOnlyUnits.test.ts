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
import { seededRandom } from '../core/keygen.ts';
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
    const pb = 6;
    const rand = () => r.int(2001) / 100 - 10;
    const sym = () => {
      const a = new Float64Array(pb * pb);
      for (let k = 0; k < pb; k++) for (let l = 0; l <= k; l++) a[k * pb + l] = a[l * pb + k] = k === l ? 5 + Math.abs(rand()) : rand();
      return a;
    };
    for (let trial = 0; trial < 4; trial++) {
      const e: Moments = { mean: Float64Array.from({ length: pb }, rand), covariance: sym() };
      const f: Moments = { mean: Float64Array.from({ length: pb }, rand), covariance: sym() };
      const m = matchPermutation(e, f, { restarts: 1, random: seededRandom(`start${trial}`), meanWeight: 0.5 });
      const c = momentCost(e, f, m.permutation, 0.5);
      expect(m.cost).toBeCloseTo(c, 9);
      for (let k = 0; k < pb; k++)
        for (let l = k + 1; l < pb; l++) {
          const p = Int32Array.from(m.permutation);
          [p[k], p[l]] = [p[l], p[k]];
          expect(momentCost(e, f, p, 0.5)).toBeGreaterThanOrEqual(c - 1e-9);
        }
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
