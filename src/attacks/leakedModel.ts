/**
 * Leaked-model key recovery (issue 13, attack 5).
 *
 * System A: the encrypted model's patch embedding has w′[o][k] = ±w[o][v_k]
 * (Eqs. 8–9), so column k of E′ (a d-vector over output channels o) is a
 * signed copy of column v_k of the plain E. Matching columns by |cosine|
 * (greedy, best pairs first, each source used once) recovers (v, r). With a
 * different plain model of the same architecture the columns are not copies;
 * the fraction recovered then says how much a merely similar model leaks.
 *
 * System C: E′ = QᵀE, so with the same plain model Q = (E Eᵀ)⁻¹ E E′ᵀ
 * (E as p_b × d, full row rank when d ≥ p_b) by least squares.
 */
import { fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import type { OrthogonalKey } from '../core/orthogonal.ts';
import { seededRandom } from '../core/keygen.ts';
import { matchPermutation } from './ciphertextOnly.ts';
import { type AttackResult, elapsed, keyFractionCorrect, leastSquares } from './common.ts';

/** A patch-embedding weight in PyTorch layout (d, C, P, P), flat. */
export interface EmbeddingWeight {
  readonly data: ArrayLike<number>;
  readonly dim: number; // d
  readonly blockLength: number; // p_b = C·P·P
}

export interface LeakedModelResult extends AttackResult {
  readonly attack: 'leaked-model';
  readonly permutation: Int32Array;
  readonly flip: Uint8Array;
  /** |cosine| of each matched pair, in key order (1 for exact copies). */
  readonly matchScores: Float64Array;
  /** Smallest matched |cosine|: near 1 when E′ really is a signed permutation of E. */
  readonly minScore: number;
}

function checkEmbeddings(plain: EmbeddingWeight, encrypted: EmbeddingWeight): void {
  for (const [name, e] of [['plain', plain], ['encrypted', encrypted]] as const) {
    if (!Number.isInteger(e.dim) || e.dim < 1 || !Number.isInteger(e.blockLength) || e.blockLength < 1) fail('attack.embedding', `${name} embedding needs positive integer dim and blockLength`);
    if (e.data.length !== e.dim * e.blockLength) fail('attack.embedding', `${name} embedding has ${e.data.length} values, ${e.dim}×${e.blockLength} expected`);
  }
  if (plain.dim !== encrypted.dim || plain.blockLength !== encrypted.blockLength) {
    fail('attack.embedding', `plain embedding is ${plain.dim}×${plain.blockLength}, encrypted ${encrypted.dim}×${encrypted.blockLength}: not the same architecture`);
  }
}

/** Columns as unit vectors: column k = (w[0][k], …, w[d−1][k]) / norm. */
function unitColumns(e: EmbeddingWeight): Float64Array {
  const { dim: d, blockLength: pb, data } = e;
  const out = new Float64Array(pb * d);
  for (let k = 0; k < pb; k++) {
    let norm = 0;
    for (let o = 0; o < d; o++) norm += data[o * pb + k] ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let o = 0; o < d; o++) out[k * d + o] = data[o * pb + k] * s;
  }
  return out;
}

export function recoverKeyFromLeakedModel(plain: EmbeddingWeight, encrypted: EmbeddingWeight, options: { truth?: BlockKey } = {}): LeakedModelResult {
  const started = performance.now();
  checkEmbeddings(plain, encrypted);
  const { dim: d, blockLength: pb } = plain;
  const a = unitColumns(encrypted);
  const b = unitColumns(plain);
  const pairs: { k: number; j: number; cos: number }[] = [];
  for (let k = 0; k < pb; k++)
    for (let j = 0; j < pb; j++) {
      let dot = 0;
      for (let o = 0; o < d; o++) dot += a[k * d + o] * b[j * d + o];
      pairs.push({ k, j, cos: dot });
    }
  pairs.sort((x, y) => Math.abs(y.cos) - Math.abs(x.cos) || x.k - y.k || x.j - y.j);
  const permutation = new Int32Array(pb).fill(-1);
  const flip = new Uint8Array(pb);
  const scores = new Float64Array(pb);
  const used = new Uint8Array(pb);
  let assigned = 0;
  for (const { k, j, cos } of pairs) {
    if (assigned === pb) break;
    if (permutation[k] >= 0 || used[j]) continue;
    permutation[k] = j;
    flip[k] = cos < 0 ? 1 : 0;
    scores[k] = Math.abs(cos);
    used[j] = 1;
    assigned++;
  }
  const minScore = Math.min(...scores);
  const fraction = options.truth ? keyFractionCorrect({ permutation, flip }, options.truth) : null;
  return {
    attack: 'leaked-model',
    // Without the truth, "recovered" means every column found an (almost) exact signed copy.
    keyRecovered: fraction !== null ? fraction === 1 : minScore > 1 - 1e-6,
    fractionCorrect: fraction,
    effort: {},
    seconds: elapsed(started),
    permutation,
    flip,
    matchScores: scores,
    minScore,
  };
}

export interface LeakedOrthogonalResult extends AttackResult {
  readonly attack: 'leaked-model-orthogonal';
  readonly matrix: Float64Array | undefined;
  /** max |QᵀE − E′| with the recovered Q. */
  readonly residual: number | null;
  /** max |Q̂ − Q| when the true key is given. */
  readonly keyError: number | null;
}

/** System C: Q from E′ = QᵀE by least squares (needs d ≥ p_b). */
export function recoverOrthogonalFromLeakedModel(plain: EmbeddingWeight, encrypted: EmbeddingWeight, options: { truth?: OrthogonalKey; tolerance?: number } = {}): LeakedOrthogonalResult {
  const started = performance.now();
  checkEmbeddings(plain, encrypted);
  const { dim: d, blockLength: pb } = plain;
  // Rows o of the weight: w′[o][:] = w[o][:] Q, so X = plain weight (d × p_b), Y = encrypted (d × p_b).
  const X = Float64Array.from(plain.data);
  const Y = Float64Array.from(encrypted.data);
  const Q = leastSquares(X, Y, d, pb, pb);
  let residual: number | null = null;
  let keyError: number | null = null;
  if (Q !== undefined) {
    residual = 0;
    for (let o = 0; o < d; o++)
      for (let k = 0; k < pb; k++) {
        let s = 0;
        for (let i = 0; i < pb; i++) s += X[o * pb + i] * Q[i * pb + k];
        residual = Math.max(residual, Math.abs(s - Y[o * pb + k]));
      }
    if (options.truth) {
      keyError = 0;
      for (let i = 0; i < pb * pb; i++) keyError = Math.max(keyError, Math.abs(Q[i] - options.truth.matrix[i]));
    }
  }
  let scale = 0;
  for (let i = 0; i < Y.length; i++) scale = Math.max(scale, Math.abs(Y[i]));
  return {
    attack: 'leaked-model-orthogonal',
    keyRecovered: residual !== null && residual <= (options.tolerance ?? 1e-4) * Math.max(scale, 1e-12),
    fractionCorrect: null,
    effort: {},
    seconds: elapsed(started),
    matrix: Q,
    residual,
    keyError,
  };
}

/** A copy of a weight with Gaussian noise of `relative` × its RMS added (a stand-in for a similar model). */
export function perturbedEmbedding(e: EmbeddingWeight, relative: number, random: () => number): EmbeddingWeight {
  let ms = 0;
  for (let i = 0; i < e.data.length; i++) ms += e.data[i] ** 2;
  const rms = Math.sqrt(ms / e.data.length);
  const data = Float64Array.from(e.data, (w) => {
    const u = Math.max(random(), 1e-300);
    const v = random();
    return w + relative * rms * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  });
  return { data, dim: e.dim, blockLength: e.blockLength };
}

export interface GramMatchResult extends AttackResult {
  readonly attack: 'leaked-model-gram';
  readonly permutation: Int32Array;
  /** Fraction of permutation entries right (flips are not estimated: the Gram matrix cannot tell a flip vector from its complement). */
  readonly permutationFraction: number | null;
  readonly matchCost: number;
}

/**
 * A leaked-model attack that does not need the same model: G = EᵀE (p_b ×
 * p_b, summed over the d output channels) does not depend on the order of
 * the output channels, which two independently trained models never share,
 * and |G′[k, l]| = |G[v_k, v_l]| for the encrypted model. The permutation is
 * the one matching |G′| to the attacker's |G| (the quadratic assignment of
 * the ciphertext-only attack, matchPermutation).
 */
export function recoverPermutationByGramMatching(plain: EmbeddingWeight, encrypted: EmbeddingWeight, options: { truth?: BlockKey; restarts?: number; seed?: string } = {}): GramMatchResult {
  const started = performance.now();
  checkEmbeddings(plain, encrypted);
  const { dim: d, blockLength: pb } = plain;
  const gram = (e: EmbeddingWeight) => {
    const g = new Float64Array(pb * pb);
    for (let k = 0; k < pb; k++)
      for (let l = 0; l < pb; l++) {
        let s = 0;
        for (let o = 0; o < d; o++) s += e.data[o * pb + k] * e.data[o * pb + l];
        g[k * pb + l] = Math.abs(s);
      }
    return g;
  };
  const zero = new Float64Array(pb);
  const m = matchPermutation({ mean: zero, covariance: gram(encrypted) }, { mean: zero, covariance: gram(plain) }, { restarts: options.restarts ?? 50, random: seededRandom(options.seed ?? 'gram') });
  const fraction = options.truth ? m.permutation.filter((v, k) => v === options.truth!.permutation[k]).length / pb : null;
  return {
    attack: 'leaked-model-gram',
    keyRecovered: fraction === null ? null : fraction === 1,
    fractionCorrect: fraction,
    effort: {},
    seconds: elapsed(started),
    permutation: m.permutation,
    permutationFraction: fraction,
    matchCost: m.cost,
  };
}
