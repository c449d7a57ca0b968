/**
 * Issue 25: mutation kills for src/attacks/common.ts. Every expected value is
 * worked by hand from the definitions (stated beside it), never read back
 * from the code under test. Mutant names: common.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { CipherpatchError } from '../core/errors.ts';
import { imageBatch, toLayout } from '../core/images.ts';
import { attackJsonText, blockCount, elapsed, engineLabel, keyFractionCorrect, leastSquares, meanLogLikelihood, uint8ImagesToBlocks } from './common.ts';


describe('engineLabel, elapsed, attackJsonText, blockCount', () => {
  // Kills common.ts:26 StringLiteral / ConditionalExpression / EqualityOperator (the plural "s").
  it('writes "name (backend, N thread(s), version)"', () => {
    expect(engineLabel({ name: 'onnx', backend: 'cpu', threads: 1, version: '1.2' })).toBe('onnx (cpu, 1 thread, 1.2)');
    expect(engineLabel({ name: 'tfjs', backend: 'wasm', threads: 4, version: '4.0' })).toBe('tfjs (wasm, 4 threads, 4.0)');
  });

  // Kills common.ts:30 ArithmeticOperator (− → +, / → *): seconds since a start 1.5 s ago.
  it('elapsed is seconds since the start', () => {
    const s = elapsed(performance.now() - 1500);
    expect(s).toBeGreaterThanOrEqual(1.5);
    expect(s).toBeLessThan(60);
  });

  // Kills common.ts:35 ConditionalExpression / LogicalOperator / BooleanLiteral / StringLiteral:
  // typed arrays become plain arrays, a DataView stays an object ({}), two-space indent, final newline.
  it('attackJsonText turns typed arrays into arrays, nothing else', () => {
    const text = attackJsonText({ a: Int32Array.of(1, -2), b: new DataView(new ArrayBuffer(2)), c: 'x' });
    expect(text).toBe('{\n  "a": [\n    1,\n    -2\n  ],\n  "b": {},\n  "c": "x"\n}\n');
  });

  // Kills common.ts:66 ArithmeticOperator: 2 images × 3 rows × 5 columns.
  it('blockCount is images × rows × cols', () => {
    expect(blockCount({ data: new Float64Array(0), images: 2, rows: 3, cols: 5, blockSize: 1, channels: 1 })).toBe(30);
  });
});

describe('keyFractionCorrect', () => {
  const truth = { blockSize: 1, channels: 4, permutation: Int32Array.of(0, 1, 2, 3), flip: Uint8Array.of(1, 0, 1, 0) };

  // Kills common.ts:42 LogicalOperator (&& → ||), ConditionalExpression, EqualityOperator, and the
  // division (ArithmeticOperator): position 0 right in both, 1 flip wrong, 2 and 3 permutation wrong → 1/4.
  it('counts the positions where both the permutation entry and the flip bit are right', () => {
    expect(keyFractionCorrect({ permutation: [0, 1, 3, 2], flip: [1, 1, 1, 0] }, truth)).toBe(0.25);
    expect(keyFractionCorrect({ permutation: [0, 1, 2, 3], flip: [1, 0, 1, 0] }, truth)).toBe(1);
    expect(keyFractionCorrect({ permutation: [1, 0, 3, 2], flip: [0, 1, 0, 1] }, truth)).toBe(0);
  });

  // Kills common.ts:40 ConditionalExpression / LogicalOperator / EqualityOperator and StringLiteral (check and message).
  it('rejects a guess of another length, permutation or flip, with both lengths in the message', () => {
    const e = rejection(() => keyFractionCorrect({ permutation: [0, 1, 2], flip: [0, 0, 0, 0] }, truth));
    expect(e).toBeInstanceOf(CipherpatchError);
    expect(e.check).toBe('attack.key-length');
    expect(e.message).toBe('guessed key has 3 entries, the true key 4');
    const f = rejection(() => keyFractionCorrect({ permutation: [0, 1, 2, 3], flip: [0, 0, 0] }, truth));
    expect(f.check).toBe('attack.key-length');
    expect(f.message).toBe('guessed key has 4 entries, the true key 4');
  });
});

describe('uint8ImagesToBlocks', () => {
  // Pixel (y, x, c) = 10y + x + 100c of one 2×4 image, 2 channels; blocks of 2: block (0, 0) is
  // c = 0: (0,0) (0,1) (1,0) (1,1) = 0 1 10 11, c = 1: 100 101 110 111; block (0, 1) the same + 2.
  const H = 2;
  const W = 4;
  const C = 2;
  const nhwc = Uint8Array.from({ length: H * W * C }, (_, i) => {
    const c = i % C;
    const x = Math.floor(i / C) % W;
    const y = Math.floor(i / (C * W));
    return 10 * y + x + 100 * c;
  });
  const expected = [0, 1, 10, 11, 100, 101, 110, 111, 2, 3, 12, 13, 102, 103, 112, 113];

  // Kills common.ts:50 StringLiteral ('NCHW' → ''), the layout conversion, from either layout.
  it('cuts either layout into blocks in the contract order (c, i, j), values 0..255', () => {
    const img = imageBatch(nhwc, { count: 1, height: H, width: W, channels: C }, 'NHWC');
    for (const batch of [img, toLayout(img, 'NCHW')]) {
      const b = uint8ImagesToBlocks(batch, 2);
      expect(Array.from(b.data)).toEqual(expected);
      expect(b.data).toBeInstanceOf(Float64Array);
      expect([b.images, b.rows, b.cols, b.blockSize, b.channels]).toEqual([1, 1, 2, 2, 2]);
    }
  });
});

describe('meanLogLikelihood', () => {
  // Expected from the definition log softmax(z)[y] = log(exp(z_y) / Σ exp(z_c)), unshifted (the code shifts by the max):
  // image 0: z = (1, 2, 3), y = 2; image 1: z = (0, 5, 0), y = 0. Kills common.ts:55–61 (indices, the sum, the mean).
  it('is the mean log-softmax of the true label, image by image', () => {
    const l0 = Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    const l1 = Math.log(1 / (1 + Math.exp(5) + 1));
    expect(meanLogLikelihood(Float32Array.of(1, 2, 3, 0, 5, 0), Uint8Array.of(2, 0), 3)).toBeCloseTo((l0 + l1) / 2, 12);
  });

  // Kills common.ts:57 MethodExpression (Math.max → Math.min) and the max's initial value (−Infinity → +Infinity):
  // without the shift by the largest logit exp(1000) overflows; log softmax = −1000 − log(1 + e^−1000) = −1000.
  it('shifts by the largest logit: no overflow at 1000', () => {
    expect(meanLogLikelihood(Float32Array.of(1000, 0), Uint8Array.of(1), 2)).toBe(-1000);
    expect(meanLogLikelihood(Float32Array.of(-1000, 0), Uint8Array.of(1), 2)).toBe(0);
  });
});

describe('leastSquares', () => {
  const close = (a: Float64Array | undefined, b: number[], tol = 1e-12) => {
    expect(a).toBeDefined();
    expect(a!.length).toBe(b.length);
    for (let i = 0; i < b.length; i++) expect(Math.abs(a![i] - b[i])).toBeLessThan(tol);
  };

  // Exact system: X (3 × 2) rows (1, 0), (0, 1), (1, 1) and Y = X A for A = [[2, −1], [3, 4]]
  // (Y rows (2, −1), (3, 4), (5, 3)): A is returned. Kills the Cholesky and solve index mutants (common.ts:77–119).
  it('returns A when Y = X A exactly', () => {
    close(leastSquares(Float64Array.of(1, 0, 0, 1, 1, 1), Float64Array.of(2, -1, 3, 4, 5, 3), 3, 2, 2), [2, -1, 3, 4]);
  });

  // Over-determined: a line through (0, 1), (1, 2), (2, 2) with X rows (1, t): normal equations
  // [[3, 3], [3, 5]] a = (5, 6), so a = (7/6, 1/2) (by hand: det 6, a0 = (25 − 18)/6, a1 = (18 − 15)/6).
  it('fits the least-squares line', () => {
    close(leastSquares(Float64Array.of(1, 0, 1, 1, 1, 2), Float64Array.of(1, 2, 2), 3, 2, 1), [7 / 6, 1 / 2]);
  });

  // A 3 × 3 lower-triangular-heavy system exercising k < j sums in both solves: X = I₃ rows plus (1, 1, 1)
  // and (1, 2, 3); Y = X a for a = (1, −2, 3) (Y = 1, −2, 3, 2, 6): a exactly.
  it('solves a 3-unknown exact system through every Cholesky step', () => {
    close(leastSquares(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3), Float64Array.of(1, -2, 3, 2, 6), 5, 3, 1), [1, -2, 3], 1e-11);
  });

  // One unknown: the mean (1 + 2 + 6) / 3 = 3.
  it('with one unknown and X = 1 it is the mean', () => {
    close(leastSquares(Float64Array.of(1, 1, 1), Float64Array.of(1, 2, 6), 3, 1, 1), [3]);
  });

  // Kills common.ts:90–93 (the singularity test): dependent rows, too few rows, an all-zero X.
  it('returns undefined when XᵀX is singular', () => {
    expect(leastSquares(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 2), 2, 2, 1)).toBeUndefined();
    expect(leastSquares(Float64Array.of(1, 2), Float64Array.of(1), 1, 2, 1)).toBeUndefined();
    expect(leastSquares(new Float64Array(4), Float64Array.of(1, 2), 2, 2, 1)).toBeUndefined();
  });

  // The threshold is relative to the largest diagonal of XᵀX: diag (1e6, 1e−6) is singular at 1e−10 relative
  // (1e−6 < 1e−4), diag (1e−6, 1e−6) is not (scale-free). Kills common.ts:88/91 MethodExpression and ArithmeticOperator.
  it('judges singularity relative to the scale of X', () => {
    expect(leastSquares(Float64Array.of(1e3, 0, 0, 1e-3), Float64Array.of(1, 1), 2, 2, 1)).toBeUndefined();
    // The same with the large diagonal last: the largest of all diagonal entries counts, not the first.
    // Kills common.ts:92 ArithmeticOperator (G[i·p + i] → G[i·p − i], an off-diagonal 0 for i = 1).
    expect(leastSquares(Float64Array.of(1e-3, 0, 0, 1e3), Float64Array.of(1, 1), 2, 2, 1)).toBeUndefined();
    close(leastSquares(Float64Array.of(1e-3, 0, 0, 1e-3), Float64Array.of(1, 2), 2, 2, 1), [1000, 2000], 1e-6);
  });
});
