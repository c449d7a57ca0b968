/** The least-squares adapter search: recovers a known affine map, handles rank deficiency, and reports non-affine residuals. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/keygen.ts';
import { adapterShape, fitAffine } from './affine.ts';

function samples(n: number, p: number, seed: string): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n * p }, () => r.int(256) / 255);
}

/** y = x·A + c, row-major. */
function apply(x: Float64Array, n: number, p: number, a: Float64Array, c: Float64Array, q: number): Float64Array {
  const y = new Float64Array(n * q);
  for (let s = 0; s < n; s++)
    for (let j = 0; j < q; j++) {
      let z = c[j];
      for (let i = 0; i < p; i++) z += x[s * p + i] * a[i * q + j];
      y[s * q + j] = z;
    }
  return y;
}

describe('fitAffine', () => {
  test.prop([fc.integer({ min: 1, max: 12 }), fc.string()])('recovers a random affine map exactly (residual ≈ 0, same A and c)', (p, seed) => {
    const n = p + 10;
    const x = samples(n, p, `x/${seed}`);
    const r = seededRandom(`a/${seed}`);
    const a = Float64Array.from({ length: p * p }, () => r.int(2001) / 1000 - 1);
    const c = Float64Array.from({ length: p }, () => r.int(2001) / 1000 - 1);
    const fit = fitAffine(x, apply(x, n, p, a, c, p), n, p, p);
    expect(fit.residual).toBeLessThan(1e-9);
    expect(fit.rank).toBe(p + 1);
    for (let i = 0; i < a.length; i++) expect(fit.a[i]).toBeCloseTo(a[i], 6);
    for (let j = 0; j < p; j++) expect(fit.c[j]).toBeCloseTo(c[j], 6);
  });

  it('classifies permutations, sign flips, rescaling and bias', () => {
    const p = 3;
    const n = 20;
    const x = samples(n, p, 'shape');
    const fitOf = (a: number[], c: number[]) => adapterShape(fitAffine(x, apply(x, n, p, Float64Array.from(a), Float64Array.from(c), p), n, p, p));
    expect(fitOf([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0])).toMatchObject({ form: 'identity', biasUnchanged: true });
    expect(fitOf([0, 1, 0, 1, 0, 0, 0, 0, 1], [0, 0, 0])).toMatchObject({ form: 'permutation', permuted: true, negated: false });
    expect(fitOf([-1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 0, 0])).toMatchObject({ form: 'signed permutation', permuted: false, negated: true, biasUnchanged: false, biasCorrection: expect.closeTo(1, 9) });
    expect(fitOf([0, 2, 0, 1, 0, 0, 0, 0, 1], [0, 0, 0])).toMatchObject({ form: 'scaled permutation', rescaled: true });
    expect(fitOf([1, 1, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0])).toMatchObject({ form: 'dense' });
  });

  it('rank-deficient inputs (a constant and a duplicated column) still fit exactly when the target allows', () => {
    const n = 30;
    const base = samples(n, 2, 'rank');
    const x = new Float64Array(n * 4);
    for (let s = 0; s < n; s++) x.set([base[2 * s], base[2 * s + 1], base[2 * s], 0.5], 4 * s);
    const y = Float64Array.from({ length: n }, (_, s) => 3 * base[2 * s] - base[2 * s + 1] + 2);
    const fit = fitAffine(x, y, n, 4, 1);
    expect(fit.rank).toBe(3);
    expect(fit.residual).toBeLessThan(1e-9);
  });

  it('a non-affine target leaves a residual and names the worst sample', () => {
    const n = 40;
    const x = samples(n, 1, 'square');
    const y = x.map((v) => v * v);
    const fit = fitAffine(x, y, n, 1, 1);
    expect(fit.residual).toBeGreaterThan(0.01);
    expect(Math.abs(fit.a[0] * x[fit.worstSample] + fit.c[0] - y[fit.worstSample])).toBeCloseTo(fit.worstError, 12);
  });
});
