/**
 * Ciphertext-only key estimation for System A (issue 13, attack 6), on any
 * uint8 variant whose blocks are a signed permutation (system-a, shuffle,
 * flip), from encrypted images alone plus public plain statistics.
 *
 * Flip: the values of one block of a natural image are positively
 * correlated with each other, so two encrypted positions correlate
 * negatively exactly when one of them is flipped. The signs of the leading
 * eigenvector of the encrypted positions' correlation matrix split them into
 * two halves; the half whose un-flipped mean is closer to the plain images'
 * mean is taken as unflipped.
 *
 * Shuffle (a jigsaw inside the block): after un-flipping, the covariance of
 * encrypted positions k, l equals the plain covariance of positions v_k,
 * v_l. The attacker estimates the plain covariance and means from any plain
 * natural images (the reference) and searches the permutation that matches
 * both (a quadratic assignment, by local search over swaps with random
 * restarts). Natural-image statistics are nearly isotropic, so the shuffle
 * is typically found only up to the block's symmetries (mirror, transpose).
 */
import { fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import { type RandomSource, randomPermutation, seededRandom } from '../core/keygen.ts';
import { type BlockBatch, type Variant, blockLength, checkBlockBatch } from '../variants/contract.ts';
import { type AttackResult, blockCount, elapsed, keyFractionCorrect } from './common.ts';
import { flipTarget, signedPermutationOf, variantKeyFraction } from './variants.ts';

export interface Moments {
  readonly mean: Float64Array; // p_b
  readonly covariance: Float64Array; // p_b × p_b
}

/** Mean and covariance of the block positions over every block of a batch. */
export function blockMoments(batch: BlockBatch, transform?: (k: number, value: number) => number): Moments {
  checkBlockBatch(batch);
  const pb = blockLength(batch);
  const n = blockCount(batch);
  const mean = new Float64Array(pb);
  const second = new Float64Array(pb * pb);
  const x = new Float64Array(pb);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < pb; k++) {
      const v = batch.data[b * pb + k];
      x[k] = transform ? transform(k, v) : v;
      mean[k] += x[k];
    }
    for (let k = 0; k < pb; k++) for (let l = 0; l <= k; l++) second[k * pb + l] += x[k] * x[l];
  }
  for (let k = 0; k < pb; k++) mean[k] /= n;
  const covariance = new Float64Array(pb * pb);
  for (let k = 0; k < pb; k++)
    for (let l = 0; l <= k; l++) {
      const c = second[k * pb + l] / n - mean[k] * mean[l];
      covariance[k * pb + l] = c;
      covariance[l * pb + k] = c;
    }
  return { mean, covariance };
}

/** Leading eigenvector of a symmetric matrix by power iteration (shifted to make it the largest in magnitude). */
function leadingEigenvector(a: Float64Array, n: number): Float64Array {
  let shift = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(a[i * n + j]);
    shift = Math.max(shift, row);
  }
  let v = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  for (let it = 0; it < 1000; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = shift * v[i];
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      w[i] = s;
    }
    const norm = Math.hypot(...w);
    for (let i = 0; i < n; i++) w[i] /= norm;
    v = w;
  }
  return v;
}

/**
 * The flip estimate: exactly `ones` ones (default p_b/2). The `ones`
 * positions at one end of the leading eigenvector are flipped; which end is
 * decided by the mean (un-flipped, it should be closer to the reference's).
 */
export function estimateFlip(encrypted: Moments, reference: Moments, flipTo = 255, ones?: number): Uint8Array {
  const pb = encrypted.mean.length;
  const count = ones ?? pb / 2;
  if (!Number.isInteger(count) || count < 0 || count > pb) fail('attack.flips', `${count} flips asked for in a block of ${pb}`);
  const corr = new Float64Array(pb * pb);
  for (let k = 0; k < pb; k++)
    for (let l = 0; l < pb; l++) {
      const d = Math.sqrt(encrypted.covariance[k * pb + k] * encrypted.covariance[l * pb + l]);
      corr[k * pb + l] = d > 0 ? encrypted.covariance[k * pb + l] / d : 0;
    }
  const v = leadingEigenvector(corr, pb);
  const order = Array.from({ length: pb }, (_, k) => k).sort((a, b) => v[b] - v[a] || a - b);
  const top = new Uint8Array(pb);
  const bottom = new Uint8Array(pb);
  for (let t = 0; t < count; t++) {
    top[order[t]] = 1;
    bottom[order[pb - 1 - t]] = 1;
  }
  const refMean = reference.mean.reduce((a, b) => a + b, 0) / pb;
  const unflippedMean = (flip: Uint8Array) => {
    let s = 0;
    for (let k = 0; k < pb; k++) s += flip[k] ? flipTo - encrypted.mean[k] : encrypted.mean[k];
    return s / pb;
  };
  return Math.abs(unflippedMean(top) - refMean) <= Math.abs(unflippedMean(bottom) - refMean) ? top : bottom;
}

/** The moments after un-flipping (x ↦ flipTo − x where flip[k] = 1): means reflect, covariances change sign across the split. */
export function unflipMoments(m: Moments, flip: ArrayLike<number>, flipTo: number): Moments {
  const pb = m.mean.length;
  const sign = Float64Array.from({ length: pb }, (_, k) => (flip[k] ? -1 : 1));
  return {
    mean: m.mean.map((x, k) => (flip[k] ? flipTo - x : x)),
    covariance: m.covariance.map((x, i) => x * sign[Math.floor(i / pb)] * sign[i % pb]),
  };
}

/** The matching cost of matchPermutation for one permutation (without the scaling). */
export function momentCost(encrypted: Moments, reference: Moments, permutation: ArrayLike<number>, meanWeight = 1): number {
  const pb = encrypted.mean.length;
  let scale = 0;
  for (let k = 0; k < pb; k++) scale += reference.covariance[k * pb + k];
  scale = scale / pb || 1;
  let c = 0;
  for (let k = 0; k < pb; k++) {
    c += (meanWeight * pb * (encrypted.mean[k] - reference.mean[permutation[k]]) ** 2) / scale;
    for (let l = 0; l < pb; l++) c += ((encrypted.covariance[k * pb + l] - reference.covariance[permutation[k] * pb + permutation[l]]) / scale) ** 2;
  }
  return c;
}

/**
 * The permutation π minimising Σ_{k,l} (A[k,l] − B[π_k,π_l])² + w·p_b·Σ_k (a_k − b_{π_k})²
 * (A, a: encrypted covariance and mean; B, b: reference), both scaled by
 * the reference's mean variance. Local search over swaps, `restarts` random starts.
 */
export function matchPermutation(
  encrypted: Moments,
  reference: Moments,
  options: { restarts?: number; random?: RandomSource; meanWeight?: number; start?: Int32Array } = {},
): { permutation: Int32Array; cost: number } {
  const pb = encrypted.mean.length;
  if (reference.mean.length !== pb) fail('attack.moments', `encrypted statistics have ${pb} positions, the reference ${reference.mean.length}`);
  let scale = 0;
  for (let k = 0; k < pb; k++) scale += reference.covariance[k * pb + k];
  scale = scale / pb || 1;
  const A = encrypted.covariance.map((x) => x / scale);
  const B = reference.covariance.map((x) => x / scale);
  const sd = Math.sqrt(scale);
  const am = encrypted.mean.map((x) => x / sd);
  const bm = reference.mean.map((x) => x / sd);
  const w = (options.meanWeight ?? 1) * pb;
  const random = options.random ?? seededRandom('ciphertext-only');
  const restarts = options.restarts ?? 100;
  const cost = (p: Int32Array) => {
    let c = 0;
    for (let k = 0; k < pb; k++) {
      c += w * (am[k] - bm[p[k]]) ** 2;
      for (let l = 0; l < pb; l++) c += (A[k * pb + l] - B[p[k] * pb + p[l]]) ** 2;
    }
    return c;
  };
  const sq = (x: number) => x * x;
  let best: { permutation: Int32Array; cost: number } | undefined;
  for (let r = 0; r < restarts; r++) {
    const p = r === 0 && options.start ? Int32Array.from(options.start) : randomPermutation(pb, random);
    let improved = true;
    while (improved) {
      improved = false;
      for (let k = 0; k < pb; k++)
        for (let l = k + 1; l < pb; l++) {
          const pk = p[k];
          const pl = p[l];
          let delta = w * (sq(am[k] - bm[pl]) + sq(am[l] - bm[pk]) - sq(am[k] - bm[pk]) - sq(am[l] - bm[pl]));
          delta += sq(A[k * pb + k] - B[pl * pb + pl]) + sq(A[l * pb + l] - B[pk * pb + pk]) - sq(A[k * pb + k] - B[pk * pb + pk]) - sq(A[l * pb + l] - B[pl * pb + pl]);
          for (let m = 0; m < pb; m++) {
            if (m === k || m === l) continue;
            const pm = p[m];
            delta +=
              2 * (sq(A[k * pb + m] - B[pl * pb + pm]) - sq(A[k * pb + m] - B[pk * pb + pm]) + sq(A[l * pb + m] - B[pk * pb + pm]) - sq(A[l * pb + m] - B[pl * pb + pm]));
          }
          if (delta < -1e-12) {
            p[k] = pl;
            p[l] = pk;
            improved = true;
          }
        }
    }
    const c = cost(p);
    if (best === undefined || c < best.cost) best = { permutation: p, cost: c };
  }
  return best as { permutation: Int32Array; cost: number };
}

export interface CiphertextOnlyResult extends AttackResult {
  readonly attack: 'ciphertext-only';
  readonly key: BlockKey;
  /** Fraction of flip bits right / of permutation entries right (when the truth is given). */
  readonly flipFraction: number | null;
  readonly permutationFraction: number | null;
  readonly matchCost: number;
}

/**
 * Estimates the key from encrypted blocks (values 0..255) and plain
 * reference blocks (any natural images, not the encrypted ones).
 */
export function ciphertextOnlyAttack(encrypted: BlockBatch, reference: BlockBatch, options: { truth?: BlockKey; restarts?: number; seed?: string } = {}): CiphertextOnlyResult {
  const started = performance.now();
  checkBlockBatch(encrypted);
  checkBlockBatch(reference);
  if (encrypted.blockSize !== reference.blockSize || encrypted.channels !== reference.channels) fail('attack.reference', `reference blocks are M=${reference.blockSize},C=${reference.channels}, encrypted M=${encrypted.blockSize},C=${encrypted.channels}`);
  const pb = blockLength(encrypted);
  if (pb % 2 !== 0) fail('attack.block-length', `p_b = ${pb} is odd: System A needs p_b/2 flips`);
  const ref = blockMoments(reference);
  const flip = estimateFlip(blockMoments(encrypted), ref);
  const unflipped = blockMoments(encrypted, (k, v) => (flip[k] ? 255 - v : v));
  const match = matchPermutation(unflipped, ref, { restarts: options.restarts, random: seededRandom(options.seed ?? 'ciphertext-only') });
  const key: BlockKey = { blockSize: encrypted.blockSize, channels: encrypted.channels, permutation: match.permutation, flip };
  const truth = options.truth;
  return {
    attack: 'ciphertext-only',
    keyRecovered: truth ? keyFractionCorrect(key, truth) === 1 : null,
    fractionCorrect: truth ? keyFractionCorrect(key, truth) : null,
    effort: { images: encrypted.images, blocks: blockCount(encrypted) },
    seconds: elapsed(started),
    key,
    flipFraction: truth ? flip.filter((r, k) => r === truth.flip[k]).length / pb : null,
    permutationFraction: truth ? match.permutation.filter((v, k) => v === truth.permutation[k]).length / pb : null,
    matchCost: match.cost,
  };
}

/** Key spaces at most this large are searched exhaustively by the moment cost instead of by local search. */
export const EXHAUSTIVE_KEY_SPACE = 5040n;

export interface VariantCiphertextOnlyResult<K> extends AttackResult {
  readonly attack: 'ciphertext-only';
  readonly variant: string;
  readonly key: K;
  /** How the positions were searched: local search over swaps, every key of a small key space, or none (flip-only variant). */
  readonly search: 'local' | 'exhaustive' | 'none';
  readonly flipFraction: number | null;
  readonly permutationFraction: number | null;
  readonly matchCost: number;
}

/**
 * Ciphertext-only key estimation on any variant with `signedPermutation`
 * and an 8-bit or [0, 1] domain: the flips (if the variant flips) from the
 * anti-correlation, then the positions by matching moments — over every key
 * when the claimed key space is small (≤ 5040 keys and enumerable), else by
 * local search — and the variant's nearest key to the estimate. Blocks are
 * in the variant's domain (encrypted: its output, reference: plain input).
 */
export function variantCiphertextOnlyAttack<K>(variant: Variant<K>, encrypted: BlockBatch, reference: BlockBatch, options: { truth?: K; restarts?: number; seed?: string } = {}): VariantCiphertextOnlyResult<K> {
  const started = performance.now();
  const view = signedPermutationOf(variant, 'ciphertext-only');
  const flipTo = flipTarget(variant as Variant<unknown>, 'ciphertext-only');
  checkBlockBatch(encrypted);
  checkBlockBatch(reference);
  const { params } = variant;
  for (const [name, b] of [['encrypted', encrypted], ['reference', reference]] as const) {
    if (b.blockSize !== params.blockSize || b.channels !== params.channels) fail('attack.reference', `${name} blocks are M=${b.blockSize},C=${b.channels}, variant ${variant.name} works on M=${params.blockSize},C=${params.channels}`);
  }
  const pb = blockLength(encrypted);
  const ref = blockMoments(reference);
  const enc = blockMoments(encrypted);
  const ones = view.flips(params);
  const flip = ones > 0 ? estimateFlip(enc, ref, flipTo, ones) : new Uint8Array(pb);
  let search: VariantCiphertextOnlyResult<K>['search'] = 'none';
  let key: K;
  let cost: number;
  const size = variant.keySpace?.size(params);
  if (view.permutes && size !== undefined && size <= EXHAUSTIVE_KEY_SPACE && variant.keySpace?.enumerate !== undefined) {
    search = 'exhaustive';
    let best: { key: K; cost: number } | undefined;
    for (const candidate of variant.keySpace.enumerate(params)) {
      const sp = view.toSignedPermutation(candidate);
      const c = momentCost(unflipMoments(enc, sp.flip, flipTo), ref, sp.permutation);
      if (best === undefined || c < best.cost) best = { key: candidate, cost: c };
    }
    if (best === undefined) fail('attack.key-space', `${variant.name}: keySpace.enumerate gave no keys`);
    ({ key, cost } = best);
  } else if (view.permutes) {
    search = 'local';
    const match = matchPermutation(unflipMoments(enc, flip, flipTo), ref, { restarts: options.restarts, random: seededRandom(options.seed ?? 'ciphertext-only') });
    key = view.nearestKey(params, { permutation: match.permutation, flip });
    const sp = view.toSignedPermutation(key);
    cost = momentCost(unflipMoments(enc, sp.flip, flipTo), ref, sp.permutation);
  } else {
    key = view.nearestKey(params, { permutation: Int32Array.from({ length: pb }, (_, k) => k), flip });
    const sp = view.toSignedPermutation(key);
    cost = momentCost(unflipMoments(enc, sp.flip, flipTo), ref, sp.permutation);
  }
  const truth = options.truth === undefined ? undefined : view.toSignedPermutation(options.truth);
  const guess = view.toSignedPermutation(key);
  const fraction = options.truth === undefined ? null : variantKeyFraction(variant, key, options.truth);
  return {
    attack: 'ciphertext-only',
    variant: variant.name,
    keyRecovered: fraction === null ? null : fraction === 1,
    fractionCorrect: fraction,
    effort: { images: encrypted.images, blocks: blockCount(encrypted) },
    seconds: elapsed(started),
    key,
    search,
    flipFraction: truth ? guess.flip.filter((r, k) => r === truth.flip[k]).length / pb : null,
    permutationFraction: truth ? guess.permutation.filter((v, k) => v === truth.permutation[k]).length / pb : null,
    matchCost: cost,
  };
}
