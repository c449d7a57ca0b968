/**
 * Issue 25: mutation kills for src/attacks/knownPlaintext.ts on blocks of
 * p_b = 2 (M = 1, C = 2) small enough to work by hand: each expected key,
 * residual and message is derived in the comment beside it. Mutant names:
 * knownPlaintext.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import type { BlockBatch } from '../variants/contract.ts';
import { recoverLinearMap, recoverSignedPermutation } from './knownPlaintext.ts';

/** Blocks of p_b = 2 (M = 1, C = 2), one per row of `rows`, as 1 image × 1 row × n columns. */
function blocks(rows: number[][]): BlockBatch {
  return { data: Float64Array.from(rows.flat()), images: 1, rows: 1, cols: rows.length, blockSize: 1, channels: 2 };
}


describe('known-plaintext: the pairs must have one shape', () => {
  const b = (blockSize: number, channels: number, rows: number, cols: number): BlockBatch => ({ data: new Float64Array(rows * cols * blockSize * blockSize * channels), images: 1, rows, cols, blockSize, channels });
  // Kills knownPlaintext.ts:39 ConditionalExpression / LogicalOperator (each of the three conditions alone) and :40 StringLiteral.
  it('rejects a differing block size, channel count or length, with both shapes in the message', () => {
    const cases: [BlockBatch, BlockBatch, string][] = [
      [b(2, 1, 1, 1), b(1, 1, 2, 2), '(1 vs 4 blocks of M=2,C=1 vs M=1,C=1)'],
      [b(1, 2, 1, 2), b(1, 1, 2, 2), '(2 vs 4 blocks of M=1,C=2 vs M=1,C=1)'],
      [b(1, 1, 1, 1), b(1, 1, 1, 2), '(1 vs 2 blocks of M=1,C=1 vs M=1,C=1)'],
    ];
    for (const [p, e, shape] of cases)
      for (const f of [() => recoverSignedPermutation(p, e), () => recoverLinearMap(p, e)]) {
        const err = rejection(f);
        expect(err.check).toBe('attack.pairs');
        expect(err.message).toBe(`plain and encrypted blocks differ in shape ${shape}`);
      }
  });
});

describe('recoverSignedPermutation by hand (p_b = 2)', () => {
  // Key v = (1, 0), r = (0, 1): y0 = x1, y1 = 255 − x0. Plain (10, 20) → (20, 245): every other candidate
  // of each position is ruled out by this one block (10 ≠ 20, 245 ≠ 20, 235 ≠ 20; 10, 20, 235 ≠ 245).
  // Kills the candidate tests (knownPlaintext.ts:86–87) and the decoding of j·2 + flipped (:94–95).
  it('one informative block decides the key', () => {
    const r = recoverSignedPermutation(blocks([[10, 20]]), blocks([[20, 245]]), { truth: { blockSize: 1, channels: 2, permutation: Int32Array.of(1, 0), flip: Uint8Array.of(0, 1) } });
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect(Array.from(r.flip)).toEqual([0, 1]);
    expect([r.keyRecovered, r.fractionCorrect, r.blocksNeeded, r.ambiguousPositions, r.inconsistentPositions]).toEqual([true, 1, 1, 0, 0]);
    expect(r.effort).toEqual({ pairs: 1, blocks: 1 });
    expect(r.attack).toBe('known-plaintext');
  });

  // Block 1: plain (7, 7) → (7, 248) leaves both sources for each position (ambiguous); block 2: (1, 2) → (2, 254)
  // decides v = (1, 0), r = (0, 1): blocksNeeded = 2. Kills :89 (blocksNeeded = b + 1, the `removed` guard).
  it('counts the leading blocks needed', () => {
    const first = recoverSignedPermutation(blocks([[7, 7]]), blocks([[7, 248]]));
    expect([first.ambiguousPositions, first.blocksNeeded, first.keyRecovered, first.fractionCorrect]).toEqual([2, null, false, null]);
    expect(Array.from(first.permutation)).toEqual([-1, -1]);
    expect(Array.from(first.flip)).toEqual([0, 0]);
    const both = recoverSignedPermutation(blocks([[7, 7], [1, 2], [1, 2]]), blocks([[7, 248], [2, 254], [2, 254]]));
    expect([both.blocksNeeded, both.keyRecovered]).toEqual([2, true]);
    expect(Array.from(both.permutation)).toEqual([1, 0]);
  });

  // Two blocks that each leave ties, together decide: (7, 7) → (7, 248) then (7, 3) → (3, 248): position 0
  // keeps (1, unflipped) only (7 ≠ 3 rules out source 0), position 1 (0, flipped) only (255 − 3 ≠ 248).
  // With flipTo = 14, (7, 7) → (7, 7) then (2, 12) → (12, 12) leaves each position (0, flipped) and (1, unflipped)
  // (14 − 2 = 12 and 12; 2 and 14 − 12 ≠ 12): two ambiguous positions, nothing guessed. Kills decide() (:55–67).
  it('decides from several blocks, and leaves real ties ambiguous', () => {
    const r = recoverSignedPermutation(blocks([[7, 7], [7, 3]]), blocks([[7, 248], [3, 248]]));
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect(Array.from(r.flip)).toEqual([0, 1]);
    expect(r.blocksNeeded).toBe(2);
    const amb = recoverSignedPermutation(blocks([[7, 7], [2, 12]]), blocks([[7, 7], [12, 12]]), { flipTo: 14 });
    expect([amb.ambiguousPositions, amb.inconsistentPositions, amb.keyRecovered]).toEqual([2, 0, false]);
  });

  // Identity key, no flips: position 0 is source 0 unflipped, the candidate numbered 0. Block 1 (7, 7) → (7, 7)
  // removes only the flipped candidates (248 ≠ 7); block 2 (1, 2) → (1, 2) removes only unflipped ones and decides.
  // Kills :57 (out[k] ≥ 0 → > 0: candidate 0 decided again forever), :91 (removed = true on an unflipped removal),
  // :96 (every c ≥ 0 → > 0) and :99 (c ≥ 0 → > 0 turns source 0 into −1).
  it('decides source 0 unflipped (candidate 0) and counts a block that removes only unflipped candidates', () => {
    const r = recoverSignedPermutation(blocks([[7, 7], [1, 2]]), blocks([[7, 7], [1, 2]]));
    expect(Array.from(r.permutation)).toEqual([0, 1]);
    expect(Array.from(r.flip)).toEqual([0, 0]);
    expect([r.blocksNeeded, r.keyRecovered]).toEqual([2, true]);
  });

  // v = (1, 0), no flips: (10, 20) → (20, 10). Position 1's only candidate is source 0 unflipped (candidate 0,
  // the first of position 1's row): counting one past position 0's row would count it for position 0.
  // Kills :60 (c < 2·p_b → ≤).
  it('counts each position\'s own candidates only', () => {
    const r = recoverSignedPermutation(blocks([[10, 20]]), blocks([[20, 10]]));
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect([r.ambiguousPositions, r.keyRecovered, r.blocksNeeded]).toEqual([0, true, 1]);
  });

  // p_b = 3 (M = 1, C = 3), identity key: block (7, 7, 9) decides position 2 alone (positions 0 and 1 see both
  // sources 0 and 1); block (1, 2, 3) decides all. blocksNeeded counts the block after which every position is decided.
  // Kills :96 (every → some).
  it('blocksNeeded waits for every position', () => {
    const three = (rows: number[][]) => ({ ...blocks(rows), channels: 3 });
    const r = recoverSignedPermutation(three([[7, 7, 9], [1, 2, 3]]), three([[7, 7, 9], [1, 2, 3]]));
    expect([r.blocksNeeded, r.keyRecovered]).toEqual([2, true]);
  });

  // Pairs that are no signed permutation: (10, 20) → (10, 10) and → (10, 245). Position 0 takes source 0 (its only
  // candidate); position 1's only candidate, source 0 unflipped resp. flipped, is then taken: no candidate left.
  // Kills the removal of taken sources (:65: the loop, o ≠ k, the two indices, the block) and :103 (inconsistent = 0).
  it('a source taken by a decided position is removed from the others', () => {
    for (const y of [10, 245]) {
      const r = recoverSignedPermutation(blocks([[10, 20]]), blocks([[10, y]]));
      expect(Array.from(r.permutation)).toEqual([0, -1]);
      expect([r.inconsistentPositions, r.ambiguousPositions, r.keyRecovered]).toEqual([1, 0, false]);
    }
  });

  // Kills knownPlaintext.ts:79 (flipTo default / ?? → &&): values in [0, 1] flip about 1. Plain (0.25, 0.625),
  // v = (1, 0), r = (0, 1): encrypted (0.625, 0.75) (the other candidates give 0.25, 0.75 / 0.375 and 0.25, 0.625, 0.375).
  it('flips about flipTo', () => {
    const r = recoverSignedPermutation(blocks([[0.25, 0.625]]), blocks([[0.625, 0.75]]), { flipTo: 1 });
    expect(Array.from(r.permutation)).toEqual([1, 0]);
    expect(Array.from(r.flip)).toEqual([0, 1]);
    expect(r.keyRecovered).toBe(true);
  });

  // Kills :96–98: (1, 2) → (3, 3) has no candidate anywhere (3 ∉ {1, 2, 254, 253}): two inconsistent positions.
  it('counts the positions with no candidate', () => {
    const r = recoverSignedPermutation(blocks([[1, 2]]), blocks([[3, 3]]));
    expect([r.inconsistentPositions, r.ambiguousPositions, r.keyRecovered, r.blocksNeeded]).toEqual([2, 0, false, null]);
    expect(Array.from(r.permutation)).toEqual([-1, -1]);
  });
});

describe('recoverLinearMap by hand (p_b = 2)', () => {
  // A swaps the two values: x A = (x1, x0).
  const plain = blocks([[1, 0], [0, 1], [1, 1], [2, 3]]);
  const swapped = blocks([[0, 1], [1, 0], [1, 1], [3, 2]]);

  // Kills :150–181 (the fit on the first `use` blocks, held-out check, zero offset, key error, effort).
  it('fits A from p_b blocks and checks it on the rest', () => {
    const r = recoverLinearMap(plain, swapped, { use: 2, truth: { blockSize: 1, channels: 2, matrix: Float64Array.of(1, 0, 0, 1) } });
    expect(Array.from(r.matrix!)).toEqual([0, 1, 1, 0]);
    expect(Array.from(r.offset!)).toEqual([0, 0]);
    expect([r.residual, r.heldOutResidual, r.keyError, r.blocksNeeded, r.keyRecovered]).toEqual([0, 0, 1, 2, true]);
    expect(r.effort).toEqual({ blocks: 2 });
    expect(r.attack).toBe('known-plaintext-linear');
    expect(r.fractionCorrect).toBeNull();
    // All blocks by default, and more than there are is capped: nothing held out.
    for (const use of [undefined, 100]) {
      const all = recoverLinearMap(plain, swapped, use === undefined ? {} : { use });
      expect([all.effort.blocks, all.heldOutResidual, all.keyError, all.keyRecovered]).toEqual([4, null, null, true]);
    }
  });

  // With offset b = (10, −5): x′ = x A + b; p_b + 1 = 3 blocks needed. Kills :156–161 (the column of ones, offset = last row).
  it('fits an offset with p_b + 1 blocks', () => {
    const shifted = blocks([[10, -4], [11, -5], [11, -4], [13, -3]]);
    const r = recoverLinearMap(plain, shifted, { use: 3, withOffset: true });
    expect(r.blocksNeeded).toBe(3);
    for (const [got, want] of [
      [r.matrix!, [0, 1, 1, 0]],
      [r.offset!, [10, -5]],
    ] as const)
      want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(1e-9));
    expect(r.keyRecovered).toBe(true);
    expect(recoverLinearMap(plain, shifted, { use: 2, withOffset: true }).matrix).toBeUndefined();
  });

  // Block 4 encrypted as (3, 2.5) instead of (3, 2): the fit on blocks 1–2 is exact, held-out residual 0.5.
  // scale = max(1, |values|) = 3: tolerance 0.1 → 0.3 < 0.5 (not recovered), 0.2 → 0.6 ≥ 0.5 (recovered).
  // Kills :176–177 (the held-out condition, the tolerance default, the scale).
  it('judges the held-out residual against tolerance × scale', () => {
    const off = blocks([[0, 1], [1, 0], [1, 1], [3, 2.5]]);
    const r = recoverLinearMap(plain, off, { use: 2 });
    expect(r.residual).toBe(0);
    expect(r.heldOutResidual).toBeCloseTo(0.5, 12);
    expect(r.keyRecovered).toBe(false);
    expect(recoverLinearMap(plain, off, { use: 2, tolerance: 0.1 }).keyRecovered).toBe(false);
    expect(recoverLinearMap(plain, off, { use: 2, tolerance: 0.2 }).keyRecovered).toBe(true);
    // Fitted on all four blocks the residual is in the fit itself.
    const all = recoverLinearMap(plain, off);
    expect(all.residual!).toBeGreaterThan(0.01);
    expect(all.keyRecovered).toBe(false);
    expect(recoverLinearMap(plain, off, { tolerance: 1 }).keyRecovered).toBe(true);
  });

  // Kills :180 (pb · pb → pb / pb: only the first entry compared): the truth differs only in its last entry.
  it('keyError is the largest difference over every entry of A', () => {
    const r = recoverLinearMap(plain, swapped, { use: 2, truth: { blockSize: 1, channels: 2, matrix: Float64Array.of(0, 1, 1, 0.5) } });
    expect(r.keyError).toBe(0.5);
  });

  // An exact fit has residual 0, within a tolerance of 0 (≤, not <), for the fit and for the held-out blocks.
  // Kills :184 (both ≤ → <).
  it('tolerance 0 accepts an exact map', () => {
    expect(recoverLinearMap(plain, swapped, { use: 2, tolerance: 0 }).keyRecovered).toBe(true);
  });

  // The fit's own residual is judged against tolerance × scale (scale 3 here): a tolerance of 1.01 × residual / 3
  // accepts it, one of 0.99 × residual / 3 does not. Kills :184 (tolerance · scale → tolerance / scale).
  it('judges the fit residual against tolerance × scale', () => {
    const off = blocks([[0, 1], [1, 0], [1, 1], [3, 2.5]]);
    const res = recoverLinearMap(plain, off).residual!;
    expect(res).toBeGreaterThan(0);
    expect(recoverLinearMap(plain, off, { tolerance: (1.01 * res) / 3 }).keyRecovered).toBe(true);
    expect(recoverLinearMap(plain, off, { tolerance: (0.99 * res) / 3 }).keyRecovered).toBe(false);
  });

  // scale = max(1, |values|) over the first 4096 encrypted values only: 2049 blocks of p_b = 2, the map the
  // identity except block 1 off by 0.5, values ≤ 4 except the last block (10⁶, beyond value 4096). Tolerance 0.1:
  // 0.1 × 4 = 0.4 < residual (about 0.5), so not recovered; a scale over all values would accept it.
  // Kills :183 (Math.min → Math.max).
  it('takes the scale from the first 4096 encrypted values', () => {
    const rows = Array.from({ length: 2049 }, (_, i) => (i === 2048 ? [1e6, 1e6] : [i % 5, (i * 3) % 4]));
    const enc = rows.map((r, i) => (i === 1 ? [r[0] + 0.5, r[1]] : r));
    const r = recoverLinearMap(blocks(rows), blocks(enc), { tolerance: 0.1 });
    expect(r.residual!).toBeGreaterThan(0.4);
    expect(r.residual!).toBeLessThan(1);
    expect(r.keyRecovered).toBe(false);
  });

  // Kills :151 (the check of `use`) and the under-determined result.
  it('rejects a use that is not a positive integer; one block leaves the map undetermined', () => {
    for (const use of [0, 1.5]) {
      const e = rejection(() => recoverLinearMap(plain, swapped, { use }));
      expect([e.check, e.message]).toEqual(['attack.pairs', `the number of block pairs to use must be a positive integer, got ${use}`]);
    }
    const r = recoverLinearMap(plain, swapped, { use: 1, truth: { blockSize: 1, channels: 2, matrix: Float64Array.of(0, 1, 1, 0) } });
    expect([r.matrix, r.offset, r.residual, r.heldOutResidual, r.keyError, r.keyRecovered]).toEqual([undefined, undefined, null, null, null, false]);
  });
});
