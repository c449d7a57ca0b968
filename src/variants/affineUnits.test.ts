/**
 * The least-squares adapter search (affine.ts) on fits small enough to work
 * out by hand: which column the pivoting picks, the rank it stops at, the
 * basic solution of a rank-deficient system, the residual and worst sample,
 * and how adapterShape names a fit. No fast-check (affine.test.ts has the
 * random affine maps): these run in milliseconds for mutation runs. Each
 * test names the Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { type AffineFit, adapterShape, affineResidual, fitAffine } from './affine.ts';

const f64 = (...x: number[]) => Float64Array.from(x);
const close = (a: ArrayLike<number>, b: number[], digits = 12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i], digits);
};

describe('fitAffine', () => {
  // affine.ts:31–49 (the design matrix [x′ 1], its norms), :51–91 (pivoting, the reflection), :93–109 (back substitution, un-pivoting).
  it('one input, one output: x = 2x′ + 1 exactly', () => {
    const fit = fitAffine(f64(0, 1, 2, 3), f64(1, 3, 5, 7), 4, 1, 1);
    close(fit.a, [2]);
    close(fit.c, [1]);
    expect(fit).toMatchObject({ p: 1, q: 1, samples: 4, rank: 2 });
    expect(fit.residual).toBeLessThan(1e-12);
    expect(fit.worstError).toBeLessThan(1e-12);
  });

  it('two inputs, two outputs, a non-symmetric A and a bias: A and c recovered', () => {
    // x = x′A + c with A = [[1, 2], [−3, 0.5]] (row i = input i), c = (0.25, −1).
    const xe = f64(0, 0, 1, 0, 0, 1, 2, 3, -1, 4);
    const n = 5;
    const x = new Float64Array(2 * n);
    for (let s = 0; s < n; s++) {
      const [u, v] = [xe[2 * s], xe[2 * s + 1]];
      x[2 * s] = u * 1 + v * -3 + 0.25;
      x[2 * s + 1] = u * 2 + v * 0.5 - 1;
    }
    const fit = fitAffine(xe, x, n, 2, 2);
    close(fit.a, [1, 2, -3, 0.5], 10);
    close(fit.c, [0.25, -1], 10);
    expect(fit.rank).toBe(3);
    expect(fit.residual).toBeLessThan(1e-12);
  });

  it('a duplicated input column: the first of the tied columns is kept, the copy gets 0', () => {
    // Columns t, t, 1 with t = 1..4: ‖t‖ = √30 > ‖1‖ = 2, the tie between t and its copy goes to the first;
    // then the copy has nothing left (rank 2) and the constant column is the second pivot: a = (3, 0), c = 1.
    const t = [1, 2, 3, 4];
    const fit = fitAffine(f64(...t.flatMap((v) => [v, v])), f64(...t.map((v) => 3 * v + 1)), 4, 2, 1);
    expect(fit.rank).toBe(2);
    close(fit.a, [3, 0]);
    close(fit.c, [1]);
    expect(fit.residual).toBeLessThan(1e-12);
  });

  it('a constant input explains nothing: rank 1, the mean as bias, the worst sample the first of the largest errors', () => {
    // x′ = 0.5 throughout, x = 1, 2, 3, 4: [x′ 1] has rank 1, ‖1‖ = 2 > ‖x′‖ = 1 so the bias column is the pivot:
    // c = mean = 2.5, a = 0; errors 1.5, 0.5, 0.5, 1.5: worst 1.5 at sample 0; residual 1.5 / max(1, 4).
    const fit = fitAffine(f64(0.5, 0.5, 0.5, 0.5), f64(1, 2, 3, 4), 4, 1, 1);
    expect(fit.rank).toBe(1);
    close(fit.a, [0]);
    close(fit.c, [2.5]);
    expect(fit.worstSample).toBe(0);
    expect(fit.worstError).toBeCloseTo(1.5, 12);
    expect(fit.residual).toBeCloseTo(0.375, 12);
  });

  it('fewer samples than unknowns: min(n, p + 1) steps, the largest column alone', () => {
    // One sample x′ = (1, 2), x = 5: the column of 2 is the pivot (norm 2 > 1 = 1), a = (0, 2.5), c = 0.
    const fit = fitAffine(f64(1, 2), f64(5), 1, 2, 1);
    expect(fit.rank).toBe(1);
    close(fit.a, [0, 2.5]);
    close(fit.c, [0]);
    expect(fit.residual).toBeLessThan(1e-12);
  });

  it('all-zero samples: nothing above the tolerance, rank 0, A = 0 and c = 0', () => {
    const fit = fitAffine(f64(0, 0, 0), f64(0, 0, 0), 3, 1, 1);
    // The bias column (norm √3) is still there: rank 1, c = 0.
    expect(fit.rank).toBe(1);
    close(fit.a, [0]);
    close(fit.c, [0]);
    const none = fitAffine(new Float64Array(0), new Float64Array(0), 0, 1, 1);
    expect(none.rank).toBe(0);
    close(none.a, [0]);
    close(none.c, [0]);
  });

  it('a negative leading entry reflects the other way (alpha = +norm): same fit', () => {
    // x′ = −1, −2, −3, x = −x′ − 2 (a = −1, c = −2).
    const fit = fitAffine(f64(-1, -2, -3), f64(-1, 0, 1), 3, 1, 1);
    close(fit.a, [-1]);
    close(fit.c, [-2]);
    expect(fit.rank).toBe(2);
  });
});

describe('fitAffine, numerics (issue 25, session 4: survivors of the first affine.ts run)', () => {
  // affine.ts:46 (maxNorm's loop → none, `>=`, Math.max → Math.min), :47 (Math.max(maxNorm, 1) → Math.min): the rank
  // tolerance scales with the largest column. Columns of ~5.5e6: a second column differing by 1e-5 in one sample
  // is below the tolerance 5.5e6·1e-10 = 5.5e-4 and counts as a copy (rank 2), not as a new direction (rank 3).
  it('the rank tolerance is relative to the largest column', () => {
    const t = [1, 2, 3, 4].map((v) => v * 1e6);
    const x = f64(...t.flatMap((v, i) => [v, v + (i === 1 ? 1e-5 : 0)]));
    const fit = fitAffine(x, f64(...t.map((v) => 2e-6 * v)), 4, 2, 1);
    expect(fit.rank).toBe(2);
    expect(fit.residual).toBeLessThan(1e-9);
  });

  // affine.ts:70 (alpha's sign: `true`/`false ?`, `<`, `+norms[best]`, the index of the diagonal entry), :73 (`− alpha` → `+`):
  // the reflection must use alpha of the sign opposite to the diagonal entry, or 3 − 3 cancels when the rest of the
  // column is tiny (1e-9) and the subdiagonal is not zeroed. Exact data (x = (1, 2), two samples, two inputs): residual 0.
  it('the Householder sign avoids cancellation (diagonal entries of either sign)', () => {
    for (const x of [[3, 1e-9, 1e-9, 3], [-3, 1e-9, 1e-9, -3], [-3, -1e-9, 1e-9, 3], [3, 1e-9, -1e-9, -3]]) {
      expect(fitAffine(f64(...x), f64(1, 2), 2, 2, 1).residual).toBe(0);
    }
  });
});

describe('affineResidual', () => {
  // affine.ts:115–136 (the scale max(1, max |x|), the sum x′A + c, the strict worst).
  it('max |x′A + c − x| over every sample and output, over max(1, max |x|)', () => {
    // A = [[1, 0], [0, 2]] (p = q = 2), c = (0, 1): predictions (1, 3) and (2, 9) for x′ = (1, 1), (2, 4).
    const fit = { a: f64(1, 0, 0, 2), c: f64(0, 1), p: 2, q: 2 };
    // x = (1, 3.5) and (−10, 9): errors 0, 0.5, 12, 0; scale 10.
    expect(affineResidual(fit, f64(1, 1, 2, 4), f64(1, 3.5, -10, 9))).toEqual({ residual: 1.2, worstSample: 1, worstError: 12 });
    // Errors 0.25 (sample 0) and 0.25 (sample 1): the first stays; scale 8.75.
    expect(affineResidual(fit, f64(1, 1, 2, 4), f64(0.75, 3, 2, 8.75))).toEqual({ residual: 0.25 / 8.75, worstSample: 0, worstError: 0.25 });
    // A 1 × 2 map (p = 1, q = 2): a = (2, −1), c = (0, 0).
    expect(affineResidual({ a: f64(2, -1), c: f64(0, 0), p: 1, q: 2 }, f64(0.5, 0.25), f64(1, -0.5, 0.5, 0))).toEqual({ residual: 0.25, worstSample: 1, worstError: 0.25 });
    expect(affineResidual(fit, new Float64Array(0), new Float64Array(0))).toEqual({ residual: 0, worstSample: 0, worstError: 0 });
  });
});

/** adapterShape with another eps (its parameter's type is the default's literal type, 1e-8). */
const shapeWithEps = adapterShape as (fit: AffineFit, eps: number) => ReturnType<typeof adapterShape>;

describe('adapterShape', () => {
  const fit = (p: number, q: number, a: number[], c: number[]): AffineFit => ({ a: f64(...a), c: f64(...c), p, q, samples: 0, rank: 0, residual: 0, worstSample: 0, worstError: 0 });

  // affine.ts:152–175 (the counts, the three flags, the bias, the form ladder, the flags only for permutations).
  it('names each form and sets the flags only for permutation forms', () => {
    expect(adapterShape(fit(2, 2, [1, 0, 0, 1], [0, 0]))).toEqual({ form: 'identity', permuted: false, negated: false, rescaled: false, biasCorrection: 0, biasUnchanged: true });
    // Identity rows, but a bias correction: a permutation (the trivial one) with a new bias.
    expect(adapterShape(fit(2, 2, [1, 0, 0, 1], [0, -0.5]))).toEqual({ form: 'permutation', permuted: false, negated: false, rescaled: false, biasCorrection: 0.5, biasUnchanged: false });
    expect(adapterShape(fit(2, 2, [0, 1, 1, 0], [0, 0]))).toEqual({ form: 'permutation', permuted: true, negated: false, rescaled: false, biasCorrection: 0, biasUnchanged: true });
    expect(adapterShape(fit(2, 2, [0, -1, 1, 0], [0, 0]))).toEqual({ form: 'signed permutation', permuted: true, negated: true, rescaled: false, biasCorrection: 0, biasUnchanged: true });
    expect(adapterShape(fit(2, 2, [-2, 0, 0, 1], [0, 0]))).toEqual({ form: 'scaled permutation', permuted: false, negated: true, rescaled: true, biasCorrection: 0, biasUnchanged: true });
    // Dense: a row with two entries; a column with two; an empty row; p ≠ q. Flags off whatever the entries.
    const dense = { form: 'dense', permuted: false, negated: false, rescaled: false, biasCorrection: 0, biasUnchanged: true };
    expect(adapterShape(fit(2, 2, [1, 1, 0, 1], [0, 0]))).toEqual(dense);
    expect(adapterShape(fit(2, 2, [0, -2, 0, 1], [0, 0]))).toEqual(dense);
    expect(adapterShape(fit(2, 2, [1, 0, 0, 0], [0, 0]))).toEqual(dense);
    expect(adapterShape(fit(1, 2, [1, 0], [0, 0]))).toEqual(dense);
    expect(adapterShape(fit(2, 1, [1, 0], [0]))).toEqual(dense);
    // affine.ts:169 (rows and columns each checked, each with every, not some): one entry per column but a row with two;
    // 3 × 3 with rows (1, 2, 0) and columns (1, 1, 1); rows (1, 1, 1) and columns (1, 2, 0).
    expect(adapterShape(fit(2, 2, [1, 1, 0, 0], [0, 0]))).toEqual(dense);
    expect(adapterShape(fit(3, 3, [1, 0, 0, 0, 1, 1, 0, 0, 0], [0, 0, 0]))).toEqual(dense);
    expect(adapterShape(fit(3, 3, [1, 0, 0, 0, 1, 0, 0, 1, 0], [0, 0, 0]))).toEqual(dense);
  });

  it('entries and biases within eps count as 0 (or ±1); eps can be given', () => {
    // Default eps 1e-8: 5e-9 is 0, 1 + 5e-9 is 1, a bias of 5e-9 is unchanged.
    expect(adapterShape(fit(2, 2, [1 + 5e-9, 5e-9, -5e-9, 1], [5e-9, 0]))).toMatchObject({ form: 'identity', biasUnchanged: true, biasCorrection: 5e-9 });
    expect(adapterShape(fit(2, 2, [1 + 5e-8, 0, 0, 1], [0, 0]))).toMatchObject({ form: 'scaled permutation', rescaled: true });
    expect(adapterShape(fit(2, 2, [1, 0, 0, 1], [2e-8, 0]))).toMatchObject({ form: 'permutation', biasUnchanged: false });
    // affine.ts:165 (`> eps` → `>=`): |1.5| − 1 = 0.5 is exactly eps = 0.5: still ±1, not rescaled.
    expect(shapeWithEps(fit(2, 2, [1.5, 0, 0, 1], [0, 0]), 0.5)).toMatchObject({ form: 'identity', rescaled: false });
    // Exactly eps is still within.
    expect(shapeWithEps(fit(2, 2, [1, 0.1, 0, 1], [0.1, 0]), 0.1)).toMatchObject({ form: 'identity', biasUnchanged: true });
    expect(shapeWithEps(fit(2, 2, [1, 0.1, 0, 1], [0, 0]), 0.05)).toMatchObject({ form: 'dense' });
    // The largest |c|, whatever its sign and place.
    expect(adapterShape(fit(2, 2, [1, 0, 0, 1], [0.5, -3])).biasCorrection).toBe(3);
  });
});
