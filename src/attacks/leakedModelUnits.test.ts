/**
 * Issue 25: mutation kills for src/attacks/leakedModel.ts on embeddings of
 * d = 2 or 3 output channels and p_b = 2 (columns worked by hand; weights
 * row-major (o, k)). Mutant names: leakedModel.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { generateKey, seededRandom } from '../core/keygen.ts';
import { transformPatchEmbedding } from '../core/modelTransform.ts';
import { type EmbeddingWeight, perturbedEmbedding, recoverKeyFromLeakedModel, recoverOrthogonalFromLeakedModel, recoverPermutationByGramMatching } from './leakedModel.ts';

const w = (dim: number, blockLength: number, data: number[]): EmbeddingWeight => ({ data, dim, blockLength });


describe('leaked model: embedding checks', () => {
  // Kills leakedModel.ts:40–45 (each condition, the names, the messages).
  it('rejects non-positive or fractional sizes, a wrong value count, and two architectures', () => {
    const ok = w(2, 2, [1, 0, 0, 1]);
    const cases: [EmbeddingWeight, EmbeddingWeight, string][] = [
      [w(0, 2, []), ok, 'plain embedding needs positive integer dim and blockLength'],
      [ok, w(1.5, 2, [1, 2, 3]), 'encrypted embedding needs positive integer dim and blockLength'],
      [w(2, 0, []), ok, 'plain embedding needs positive integer dim and blockLength'],
      [ok, w(2, 1.5, [1, 2, 3]), 'encrypted embedding needs positive integer dim and blockLength'],
      [w(2, 2, [1, 2, 3]), ok, 'plain embedding has 3 values, 2×2 expected'],
      [ok, w(2, 2, [1, 2, 3, 4, 5]), 'encrypted embedding has 5 values, 2×2 expected'],
      [w(1, 4, [1, 0, 0, 1]), ok, 'plain embedding is 1×4, encrypted 2×2: not the same architecture'],
      [w(4, 1, [1, 0, 0, 1]), ok, 'plain embedding is 4×1, encrypted 2×2: not the same architecture'],
      // one size differing at a time (kills :43, each condition alone)
      [w(1, 2, [1, 0]), ok, 'plain embedding is 1×2, encrypted 2×2: not the same architecture'],
      [w(2, 1, [1, 0]), ok, 'plain embedding is 2×1, encrypted 2×2: not the same architecture'],
    ];
    for (const [p, e, message] of cases)
      for (const f of [recoverKeyFromLeakedModel, recoverOrthogonalFromLeakedModel, recoverPermutationByGramMatching]) {
        const err = rejection(() => f(p, e));
        expect([err.check, err.message]).toEqual(['attack.embedding', message]);
      }
  });
});

describe('recoverKeyFromLeakedModel by hand', () => {
  // Plain columns (1, 0) and (0, 2); key v = (1, 0), r = (1, 0): column 0 of E′ is −(0, 2), column 1 is (1, 0),
  // rows of E′ (0, 1) and (−2, 0). Kills the column normalisation (:53–58), the dot products (:69–73), the flip (:82).
  it('reads (v, r) off a signed copy of the columns', () => {
    const r = recoverKeyFromLeakedModel(w(2, 2, [1, 0, 0, 2]), w(2, 2, [0, 1, -2, 0]));
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect(Array.from(r.flip)).toEqual([1, 0]);
    expect(Array.from(r.matchScores)).toEqual([1, 1]);
    expect([r.minScore, r.keyRecovered, r.fractionCorrect, r.attack]).toEqual([1, true, null, 'leaked-model']);
    const truth = { blockSize: 1, channels: 2, permutation: Int32Array.of(1, 0), flip: Uint8Array.of(1, 0) };
    expect(recoverKeyFromLeakedModel(w(2, 2, [1, 0, 0, 2]), w(2, 2, [0, 1, -2, 0]), { truth }).fractionCorrect).toBe(1);
    const wrong = { ...truth, flip: Uint8Array.of(0, 1) };
    const rw = recoverKeyFromLeakedModel(w(2, 2, [1, 0, 0, 2]), w(2, 2, [0, 1, -2, 0]), { truth: wrong });
    expect([rw.fractionCorrect, rw.keyRecovered]).toEqual([0, false]);
  });

  // Best pairs first: E′ columns (0.9, 0.8) and (0.95, 0.1) against plain (1, 0), (0, 1). |cos|: (k1, j0) =
  // 0.95/√0.9125 is the largest, so k1 takes source 0 and k0 gets source 1 at 0.8/√1.45 (in index order k0 would
  // take source 0 at 0.9/√1.45). Not all near 1 → not recovered. Kills the sort (:75) and the matching (:80–87).
  it('matches the best pairs first, each source once', () => {
    const r = recoverKeyFromLeakedModel(w(2, 2, [1, 0, 0, 1]), w(2, 2, [0.9, 0.95, 0.8, 0.1]));
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect(r.matchScores[0]).toBeCloseTo(0.8 / Math.sqrt(1.45), 12);
    expect(r.matchScores[1]).toBeCloseTo(0.95 / Math.sqrt(0.9125), 12);
    expect(r.minScore).toBeCloseTo(0.8 / Math.sqrt(1.45), 12);
    expect(r.keyRecovered).toBe(false);
  });

  // Equal |cosine| everywhere (E′ columns both (1, 1)/√2 against (1, 0), (0, 1)): ties go by position, then source:
  // k0 → 0, k1 → 1. Kills :74 (the tie-breaks).
  it('breaks ties by position, then source', () => {
    const r = recoverKeyFromLeakedModel(w(2, 2, [1, 0, 0, 1]), w(2, 2, [1, 1, 1, 1]));
    expect(Array.from(r.permutation)).toEqual([0, 1]);
  });

  // d = 3: |cos| (k0, j0) = 1/√1.81 > (k0, j1) = 0.9/√1.81 > (k1, j0) = 0.5/√1.26 > (k1, j1) = 0.1/√1.26. k0 takes
  // source 0; its second pair is skipped (k0 is matched), as is (k1, j0) (source 0 taken): k1 → 1.
  // Kills :82 (permutation[k] ≥ 0 → false / > 0: k0 would be matched again).
  it('matches each position once', () => {
    const r = recoverKeyFromLeakedModel(w(3, 2, [1, 0, 0, 1, 0, 0]), w(3, 2, [1, 0.5, 0.9, 0.1, 0, 1]));
    expect(Array.from(r.permutation)).toEqual([0, 1]);
  });

  // With the truth given, keyRecovered is whether the key is right, not whether the columns are exact copies: a noisy
  // copy (0.3 × RMS) still gives the whole key with |cosine| < 1. Kills :94 (the truth branch).
  it('with the truth, keyRecovered means the key is right', () => {
    const key = { blockSize: 2, channels: 1, permutation: Int32Array.of(2, 0, 3, 1), flip: Uint8Array.of(1, 0, 0, 1) };
    const rnd = seededRandom('noisy-units');
    const plain = Float64Array.from({ length: 32 * 4 }, () => rnd.int(2001) / 1000 - 1);
    const enc = transformPatchEmbedding({ data: plain, shape: [32, 1, 2, 2] }, key).data;
    const noisy = perturbedEmbedding(w(32, 4, Array.from(plain)), 0.3, () => (rnd.int(2 ** 30) + 0.5) / 2 ** 30);
    const r = recoverKeyFromLeakedModel(noisy, w(32, 4, Array.from(enc)), { truth: key });
    expect(r.minScore).toBeLessThan(1 - 1e-6);
    expect([r.fractionCorrect, r.keyRecovered]).toEqual([1, true]);
  });

  // A zero column has no direction: its |cosine| with everything is 0 (not NaN), and a cosine of 0 is no flip.
  // Plain columns (1, 0), (0, 0); E′ columns (0, 0), (2, 0): k1 ↔ source 0 (cos 1), k0 ↔ source 1 (cos 0).
  // Kills :56 (norm > 0 → ≥) and :82 (cos < 0 → ≤).
  it('a zero column scores 0 and is not flipped', () => {
    const r = recoverKeyFromLeakedModel(w(2, 2, [1, 0, 0, 0]), w(2, 2, [0, 2, 0, 0]));
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect(Array.from(r.flip)).toEqual([0, 0]);
    expect(Array.from(r.matchScores)).toEqual([0, 1]);
    expect(r.minScore).toBe(0);
  });
});

describe('recoverOrthogonalFromLeakedModel by hand', () => {
  // E = I (d = p_b = 2), E′ = E Q with Q = [[0, −1], [1, 0]]: Q itself, residual 0.
  it('returns Q when E′ = E Q', () => {
    const truth = { blockSize: 1, channels: 2, matrix: Float64Array.of(0, -1, 1, 0) };
    const r = recoverOrthogonalFromLeakedModel(w(2, 2, [1, 0, 0, 1]), w(2, 2, [0, -1, 1, 0]), { truth });
    expect(Array.from(r.matrix!)).toEqual([0, -1, 1, 0]);
    expect([r.residual, r.keyError, r.keyRecovered, r.fractionCorrect, r.attack]).toEqual([0, 0, true, null, 'leaked-model-orthogonal']);
    expect(r.effort).toEqual({});
    // Residual exactly 0 is within a tolerance of 0 (≤). Kills :142 (≤ → <).
    expect(recoverOrthogonalFromLeakedModel(w(2, 2, [1, 0, 0, 1]), w(2, 2, [0, -1, 1, 0]), { tolerance: 0 }).keyRecovered).toBe(true);
  });

  // d = 3 rows (1, 0), (0, 1), (1, 1) against (1, 0), (0, 1), (1, 1.3): column 0 fits exactly; column 1 by the
  // normal equations [[2, 1], [1, 2]] a = (1.3, 2.3): a = (0.1, 1.1) (det 3), predictions 0.1, 1.1, 1.2 →
  // residual 0.1. scale = 1.3: tolerance 0.1 → 0.13 ≥ 0.1 (recovered), 0.07 → 0.091 < 0.1 (not), default 1e−4 not.
  // Against the truth I the key error is 0.1. Kills :134–146 (residual loops, key error, tolerance, scale).
  it('measures the residual and judges it against tolerance × the largest |E′| value', () => {
    const plain = w(3, 2, [1, 0, 0, 1, 1, 1]);
    const enc = w(3, 2, [1, 0, 0, 1, 1, 1.3]);
    const r = recoverOrthogonalFromLeakedModel(plain, enc, { truth: { blockSize: 1, channels: 2, matrix: Float64Array.of(1, 0, 0, 1) } });
    [1, 0.1, 0, 1.1].forEach((v, i) => expect(r.matrix![i]).toBeCloseTo(v, 12));
    expect(r.residual!).toBeCloseTo(0.1, 12);
    expect(r.keyError!).toBeCloseTo(0.1, 12);
    expect(r.keyRecovered).toBe(false);
    expect(recoverOrthogonalFromLeakedModel(plain, enc, { tolerance: 0.1 }).keyRecovered).toBe(true);
    expect(recoverOrthogonalFromLeakedModel(plain, enc, { tolerance: 0.07 }).keyRecovered).toBe(false);
    expect(recoverOrthogonalFromLeakedModel(plain, enc).keyError).toBeNull();
  });

  // Kills the undetermined branch: d = 1 < p_b = 2.
  it('cannot with d < p_b', () => {
    const r = recoverOrthogonalFromLeakedModel(w(1, 2, [1, 2]), w(1, 2, [2, 1]), { truth: { blockSize: 1, channels: 2, matrix: Float64Array.of(0, 1, 1, 0) } });
    expect([r.matrix, r.residual, r.keyError, r.keyRecovered]).toEqual([undefined, null, null, false]);
  });
});

describe('perturbedEmbedding', () => {
  // Box–Muller with u = e^−1/2 (√(−2 ln u) = 1) and v = 0 or 1/2 (cos = ±1): noise = ±relative × RMS.
  // Data (3, 4): RMS = √12.5. Kills :166–174 (the RMS, the noise formula, the 1e−300 floor for u = 0).
  it('adds relative × RMS × a Box–Muller normal', () => {
    const draws = [Math.exp(-0.5), 0, Math.exp(-0.5), 0.5];
    let i = 0;
    const e = perturbedEmbedding(w(1, 2, [3, 4]), 0.1, () => draws[i++]);
    expect(e.dim).toBe(1);
    expect(e.blockLength).toBe(2);
    expect(e.data[0]).toBeCloseTo(3 + 0.1 * Math.sqrt(12.5), 12);
    expect(e.data[1]).toBeCloseTo(4 - 0.1 * Math.sqrt(12.5), 12);
    // v = 1/6: cos(π/3) = 1/2 (kills :160, × cos → ÷ cos, which ±1 cannot tell).
    const half = perturbedEmbedding(w(1, 1, [2]), 1, (() => {
      const d = [Math.exp(-0.5), 1 / 6];
      let j = 0;
      return () => d[j++];
    })());
    expect(half.data[0]).toBeCloseTo(2 + 0.5 * 2, 12);
    // u = 0 is floored at 1e−300: √(−2 ln 1e−300) = √(600 ln 10), a finite draw.
    const z = perturbedEmbedding(w(1, 1, [1]), 1, () => 0);
    expect(z.data[0]).toBeCloseTo(1 + Math.sqrt(600 * Math.log(10)), 9);
  });
});

describe('recoverPermutationByGramMatching', () => {
  // A random d = 6 × p_b = 4 embedding and its System A encryption (M = 2, C = 1): the Gram matrices match
  // exactly under v, up to signs (taken out by |·|). Kills :195–214 (Gram, |·|, the fraction).
  it('finds the permutation of a signed-permuted copy', () => {
    const r = seededRandom('gram-units');
    const plain = Float64Array.from({ length: 6 * 4 }, () => r.int(2001) / 1000 - 1);
    const key = generateKey({ blockSize: 2, channels: 1, seed: 'gram-units' });
    const enc = transformPatchEmbedding({ data: plain, shape: [6, 1, 2, 2] }, key).data;
    const m = recoverPermutationByGramMatching(w(6, 4, Array.from(plain)), w(6, 4, Array.from(enc)), { truth: key, restarts: 5 });
    expect(Array.from(m.permutation)).toEqual(Array.from(key.permutation));
    expect([m.permutationFraction, m.fractionCorrect, m.keyRecovered, m.attack]).toEqual([1, 1, true, 'leaked-model-gram']);
    expect(m.matchCost).toBeCloseTo(0, 9);
    // A truth with two entries swapped: 2 of 4 right. Kills :197 (the count).
    const wrong = { ...key, permutation: Int32Array.from(key.permutation) };
    [wrong.permutation[0], wrong.permutation[1]] = [wrong.permutation[1], wrong.permutation[0]];
    const half = recoverPermutationByGramMatching(w(6, 4, Array.from(plain)), w(6, 4, Array.from(enc)), { truth: wrong, restarts: 5 });
    expect([half.permutationFraction, half.keyRecovered]).toEqual([0.5, false]);
    // Other keys. Kills :191 (the Gram matrix's index).
    for (const seed of ['g1', 'g2', 'g3']) {
      const k2 = generateKey({ blockSize: 2, channels: 1, seed });
      const e2 = transformPatchEmbedding({ data: plain, shape: [6, 1, 2, 2] }, k2).data;
      expect(Array.from(recoverPermutationByGramMatching(w(6, 4, Array.from(plain)), w(6, 4, Array.from(e2)), { truth: k2, restarts: 5 }).permutation)).toEqual(Array.from(k2.permutation));
    }
    const blind = recoverPermutationByGramMatching(w(6, 4, Array.from(plain)), w(6, 4, Array.from(enc)));
    expect([blind.permutationFraction, blind.keyRecovered]).toEqual([null, null]);
    expect(Array.from(blind.permutation)).toEqual(Array.from(key.permutation));
  });
});
