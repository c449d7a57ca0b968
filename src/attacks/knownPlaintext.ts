/**
 * Known-plaintext key recovery (issue 13, attack 4).
 *
 * Signed permutation (System A and its parts, any uint8 variant whose block
 * map is x′[k] = x[v_k] or 255 − x[v_k]): every (plain, encrypted) block pair
 * rules out each candidate (j, flipped) for position k that disagrees; the
 * key is exact once every position has one candidate left (after removing
 * sources already taken by decided positions). Ambiguity remains only while
 * two block positions have carried equal (or 255-complementary) values in
 * every block seen, e.g. flat or saturated regions.
 *
 * Linear (System C, and any variant whose block map is affine): least
 * squares of x′ = x A (+ b) over the known block pairs; it needs p_b (p_b + 1
 * with an offset) linearly independent blocks, and the residual tells whether
 * the variant is affine at all.
 */
import { fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import type { OrthogonalKey } from '../core/orthogonal.ts';
import { type BlockBatch, blockLength, checkBlockBatch } from '../variants/contract.ts';
import { type AttackResult, blockCount, elapsed, keyFractionCorrect, leastSquares } from './common.ts';

export interface SignedPermutationResult extends AttackResult {
  readonly attack: 'known-plaintext';
  /** The recovered key where decided; −1 where a position is still ambiguous. */
  readonly permutation: Int32Array;
  readonly flip: Uint8Array;
  /** Positions with more than one candidate left after every block. */
  readonly ambiguousPositions: number;
  /** Positions with no candidate: the data is not a signed permutation of the plain blocks (wrong pairs or another variant). */
  readonly inconsistentPositions: number;
  /** The fewest leading blocks after which the key was exact (null: never within the data). */
  readonly blocksNeeded: number | null;
}

function checkPairs(plain: BlockBatch, encrypted: BlockBatch): number {
  checkBlockBatch(plain);
  checkBlockBatch(encrypted);
  if (plain.blockSize !== encrypted.blockSize || plain.channels !== encrypted.channels || plain.data.length !== encrypted.data.length) {
    fail('attack.pairs', `plain and encrypted blocks differ in shape (${blockCount(plain)} vs ${blockCount(encrypted)} blocks of M=${plain.blockSize},C=${plain.channels} vs M=${encrypted.blockSize},C=${encrypted.channels})`);
  }
  return blockLength(plain);
}

/**
 * Candidates left per position, with sources already owned by decided
 * positions removed until nothing changes. Returns the decided source
 * (j·2 + flipped) per position, −1 when ambiguous, −2 when none.
 */
function decide(alive: Uint8Array, pb: number): Int32Array {
  const cand = Uint8Array.from(alive);
  const out = new Int32Array(pb).fill(-1);
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 0; k < pb; k++) {
      if (out[k] >= 0) continue;
      let count = 0;
      let last = -1;
      for (let c = 0; c < 2 * pb; c++) if (cand[k * 2 * pb + c]) { count++; last = c; }
      if (count === 0) out[k] = -2;
      else if (count === 1) {
        out[k] = last;
        const j = last >> 1;
        for (let o = 0; o < pb; o++) if (o !== k) { cand[o * 2 * pb + 2 * j] = 0; cand[o * 2 * pb + 2 * j + 1] = 0; changed = true; }
      }
    }
  }
  return out;
}

/**
 * Recovers a signed-permutation key from (plain, encrypted) block pairs with
 * values 0..255 (flip x ↦ flipTo − x; 255 for System A). `truth`, when
 * given, is only used to report the fraction recovered.
 */
export function recoverSignedPermutation(plain: BlockBatch, encrypted: BlockBatch, options: { truth?: BlockKey; flipTo?: number } = {}): SignedPermutationResult {
  const started = performance.now();
  const pb = checkPairs(plain, encrypted);
  const flipTo = options.flipTo ?? 255;
  const n = blockCount(plain);
  const alive = new Uint8Array(pb * 2 * pb).fill(1);
  let blocksNeeded: number | null = null;
  for (let b = 0; b < n; b++) {
    const x = plain.data.subarray(b * pb, (b + 1) * pb);
    const y = encrypted.data.subarray(b * pb, (b + 1) * pb);
    let removed = false;
    for (let k = 0; k < pb; k++) {
      const row = k * 2 * pb;
      for (let j = 0; j < pb; j++) {
        if (alive[row + 2 * j] && y[k] !== x[j]) { alive[row + 2 * j] = 0; removed = true; }
        if (alive[row + 2 * j + 1] && y[k] !== flipTo - x[j]) { alive[row + 2 * j + 1] = 0; removed = true; }
      }
    }
    // Exactness can only change when a block removed a candidate.
    if (blocksNeeded === null && removed && decide(alive, pb).every((c) => c >= 0)) blocksNeeded = b + 1;
  }
  const decided = decide(alive, pb);
  const permutation = Int32Array.from(decided, (c) => (c >= 0 ? c >> 1 : -1));
  const flip = Uint8Array.from(decided, (c) => (c >= 0 ? c & 1 : 0));
  const ambiguous = decided.filter((c) => c === -1).length;
  const inconsistent = decided.filter((c) => c === -2).length;
  const isPermutation = new Set(permutation).size === pb && ambiguous === 0 && inconsistent === 0;
  return {
    attack: 'known-plaintext',
    keyRecovered: isPermutation,
    fractionCorrect: options.truth ? keyFractionCorrect({ permutation, flip }, options.truth) : null,
    effort: { pairs: plain.images, blocks: n },
    seconds: elapsed(started),
    permutation,
    flip,
    ambiguousPositions: ambiguous,
    inconsistentPositions: inconsistent,
    blocksNeeded,
  };
}

export interface LinearRecoveryResult extends AttackResult {
  readonly attack: 'known-plaintext-linear';
  /** The recovered map A (p_b × p_b, row-major): x′ = x A + offset; undefined when the blocks do not determine it. */
  readonly matrix: Float64Array | undefined;
  readonly offset: Float64Array | undefined;
  /** Independent blocks needed: p_b, or p_b + 1 with an offset. */
  readonly blocksNeeded: number;
  /** max |x A + b − x′| over the pairs used (rounding-level when the variant is affine). */
  readonly residual: number | null;
  /** max |x A + b − x′| over held-out pairs (the recovered map decrypts unseen data). */
  readonly heldOutResidual: number | null;
  /** max |A − Q| when the true orthogonal key is given. */
  readonly keyError: number | null;
}

function maxResidual(X: Float64Array, Y: Float64Array, n: number, pb: number, A: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let r = 0; r < n; r++)
    for (let j = 0; j < pb; j++) {
      let s = b[j];
      for (let i = 0; i < pb; i++) s += X[r * pb + i] * A[i * pb + j];
      worst = Math.max(worst, Math.abs(s - Y[r * pb + j]));
    }
  return worst;
}

/**
 * Fits x′ = x A (+ b) by least squares on the first `use` block pairs (all
 * by default) and checks the fit on the rest. keyRecovered: the map was
 * determined and reproduces every pair (used and held out) within `tolerance`.
 */
export function recoverLinearMap(
  plain: BlockBatch,
  encrypted: BlockBatch,
  options: { use?: number; withOffset?: boolean; truth?: OrthogonalKey; tolerance?: number } = {},
): LinearRecoveryResult {
  const started = performance.now();
  const pb = checkPairs(plain, encrypted);
  const total = blockCount(plain);
  const use = Math.min(options.use ?? total, total);
  if (!Number.isInteger(use) || use < 1) fail('attack.pairs', `the number of block pairs to use must be a positive integer, got ${String(options.use)}`);
  const withOffset = options.withOffset ?? false;
  const tolerance = options.tolerance ?? 1e-6;
  const p = pb + (withOffset ? 1 : 0);
  const X = new Float64Array(use * p);
  for (let r = 0; r < use; r++) {
    X.set(plain.data.subarray(r * pb, (r + 1) * pb), r * p);
    if (withOffset) X[r * p + pb] = 1;
  }
  const solution = leastSquares(X, encrypted.data.subarray(0, use * pb), use, p, pb);
  let matrix: Float64Array | undefined;
  let offset: Float64Array | undefined;
  let residual: number | null = null;
  let heldOut: number | null = null;
  let keyError: number | null = null;
  if (solution !== undefined) {
    matrix = solution.subarray(0, pb * pb);
    offset = withOffset ? solution.slice(pb * pb) : new Float64Array(pb);
    residual = maxResidual(plain.data, encrypted.data, use, pb, matrix, offset);
    if (use < total) heldOut = maxResidual(plain.data.subarray(use * pb), encrypted.data.subarray(use * pb), total - use, pb, matrix, offset);
    if (options.truth) {
      keyError = 0;
      for (let i = 0; i < pb * pb; i++) keyError = Math.max(keyError, Math.abs(matrix[i] - options.truth.matrix[i]));
    }
  }
  const scale = Math.max(1, ...Array.from(encrypted.data.subarray(0, Math.min(encrypted.data.length, 4096)), Math.abs));
  const recovered = residual !== null && residual <= tolerance * scale && (heldOut === null || heldOut <= tolerance * scale);
  return {
    attack: 'known-plaintext-linear',
    keyRecovered: recovered,
    fractionCorrect: null,
    effort: { blocks: use },
    seconds: elapsed(started),
    matrix,
    offset,
    blocksNeeded: p,
    residual,
    heldOutResidual: heldOut,
    keyError,
  };
}
