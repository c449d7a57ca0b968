/**
 * Least squares for the adapter search: given samples of encrypted patches
 * x′ (model input, n × p) and the plain patches x (n × q) they come from,
 * find A (p × q) and c (q) minimizing ‖x′A + c − x‖. If the residual is zero
 * (to rounding), an exact adapter exists: embedding(x′, E′ = A·E,
 * b′ = b + c·E) = x·E + b for every E, b.
 *
 * Householder QR with column pivoting, so rank-deficient samples (constant
 * or duplicated encrypted values) still give the best basic solution.
 */
import { VARIANT_TOLERANCE } from './tolerance.ts';

export interface AffineFit {
  /** p × q, row-major: A[i][j] = a[i·q + j]. */
  readonly a: Float64Array;
  readonly c: Float64Array;
  readonly p: number;
  readonly q: number;
  readonly samples: number;
  /** Numerical rank of [x′ 1]. */
  readonly rank: number;
  /** max |x′A + c − x| / max(1, max |x|). */
  readonly residual: number;
  /** The sample (row) with the largest error, and that error. */
  readonly worstSample: number;
  readonly worstError: number;
}

/** x′ (n × p) and x (n × q), row-major. */
export function fitAffine(xEnc: Float64Array, xPlain: Float64Array, n: number, p: number, q: number): AffineFit {
  const m = p + 1;
  const R = new Float64Array(n * m);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < p; i++) R[s * m + i] = xEnc[s * p + i];
    R[s * m + p] = 1;
  }
  const Y = Float64Array.from(xPlain);
  const perm = Int32Array.from({ length: m }, (_, i) => i);
  const norms = new Float64Array(m);
  const colNorm = (j: number, from: number) => {
    let s = 0;
    for (let r = from; r < n; r++) s += R[r * m + j] ** 2;
    return Math.sqrt(s);
  };
  let maxNorm = 0;
  for (let j = 0; j < m; j++) maxNorm = Math.max(maxNorm, colNorm(j, 0));
  const tol = Math.max(maxNorm, 1) * 1e-10;
  let rank = 0;
  const steps = Math.min(n, m);
  const v = new Float64Array(n);
  for (let k = 0; k < steps; k++) {
    // Pivot: the remaining column with the largest norm below row k.
    let best = k;
    for (let j = k; j < m; j++) {
      norms[j] = colNorm(j, k);
      if (norms[j] > norms[best]) best = j;
    }
    if (norms[best] <= tol) break;
    if (best !== k) {
      for (let r = 0; r < n; r++) {
        const t = R[r * m + k];
        R[r * m + k] = R[r * m + best];
        R[r * m + best] = t;
      }
      const t = perm[k];
      perm[k] = perm[best];
      perm[best] = t;
    }
    // Householder reflection zeroing R[k+1.., k].
    const alpha = R[k * m + k] >= 0 ? -norms[best] : norms[best];
    let vv = 0;
    for (let r = k; r < n; r++) {
      v[r] = R[r * m + k] - (r === k ? alpha : 0);
      vv += v[r] * v[r];
    }
    if (vv > 0) {
      for (let j = k; j < m; j++) {
        let dot = 0;
        for (let r = k; r < n; r++) dot += v[r] * R[r * m + j];
        const f = (2 * dot) / vv;
        for (let r = k; r < n; r++) R[r * m + j] -= f * v[r];
      }
      for (let j = 0; j < q; j++) {
        let dot = 0;
        for (let r = k; r < n; r++) dot += v[r] * Y[r * q + j];
        const f = (2 * dot) / vv;
        for (let r = k; r < n; r++) Y[r * q + j] -= f * v[r];
      }
    }
    rank++;
  }
  // Back substitution on the leading rank × rank triangle; the other coefficients are 0.
  const W = new Float64Array(m * q); // in pivoted order
  for (let j = 0; j < q; j++) {
    for (let i = rank - 1; i >= 0; i--) {
      let s = Y[i * q + j];
      for (let l = i + 1; l < rank; l++) s -= R[i * m + l] * W[l * q + j];
      W[i * q + j] = s / R[i * m + i];
    }
  }
  const a = new Float64Array(p * q);
  const c = new Float64Array(q);
  for (let i = 0; i < m; i++) {
    const row = perm[i];
    for (let j = 0; j < q; j++) {
      if (row === p) c[j] = W[i * q + j];
      else a[row * q + j] = W[i * q + j];
    }
  }
  // Residual, measured directly on the samples.
  return { a, c, p, q, samples: n, rank, ...affineResidual({ a, c, p, q }, xEnc, xPlain) };
}

/** How far x′A + c is from x over every sample (x′ n × p, x n × q, row-major): the AffineFit residual fields. */
export function affineResidual(
  fit: Pick<AffineFit, 'a' | 'c' | 'p' | 'q'>,
  xEnc: Float64Array,
  xPlain: Float64Array,
): Pick<AffineFit, 'residual' | 'worstSample' | 'worstError'> {
  const { a, c, p, q } = fit;
  let scale = 1;
  for (let i = 0; i < xPlain.length; i++) scale = Math.max(scale, Math.abs(xPlain[i]));
  let worst = 0;
  let worstSample = 0;
  for (let s = 0; s < xPlain.length / q; s++)
    for (let j = 0; j < q; j++) {
      let z = c[j];
      for (let i = 0; i < p; i++) z += xEnc[s * p + i] * a[i * q + j];
      const e = Math.abs(z - xPlain[s * q + j]);
      if (e > worst) {
        worst = e;
        worstSample = s;
      }
    }
  return { residual: worst / scale, worstSample, worstError: worst };
}

export type AdapterForm = 'identity' | 'permutation' | 'signed permutation' | 'scaled permutation' | 'dense';

export interface AdapterShape {
  readonly form: AdapterForm;
  /** For permutation forms: rows moved (not diagonal), some negated, some rescaled (|a| ≠ 1). */
  readonly permuted: boolean;
  readonly negated: boolean;
  readonly rescaled: boolean;
  /** max |c|: 0 means the bias stays unchanged. */
  readonly biasCorrection: number;
  readonly biasUnchanged: boolean;
}

/** What kind of adapter the fit is: E′ = A·E with A a (generalized) permutation or dense; b′ = b + c·E. */
export function adapterShape(fit: AffineFit, eps = VARIANT_TOLERANCE.adapterEntries.atol): AdapterShape {
  const { a, p, q } = fit;
  const rowCount = new Int32Array(p);
  const colCount = new Int32Array(q);
  let rescaled = false;
  let negated = false;
  let permuted = false;
  for (let i = 0; i < p; i++)
    for (let j = 0; j < q; j++) {
      const x = a[i * q + j];
      if (Math.abs(x) <= eps) continue;
      rowCount[i]++;
      colCount[j]++;
      if (Math.abs(Math.abs(x) - 1) > eps) rescaled = true;
      if (x < 0) negated = true;
      if (i !== j) permuted = true;
    }
  const perm = p === q && rowCount.every((r) => r === 1) && colCount.every((r) => r === 1);
  let bias = 0;
  for (const x of fit.c) bias = Math.max(bias, Math.abs(x));
  const biasUnchanged = bias <= eps;
  const form: AdapterForm = !perm ? 'dense' : rescaled ? 'scaled permutation' : negated ? 'signed permutation' : permuted || !biasUnchanged ? 'permutation' : 'identity';
  return { form, permuted: perm && permuted, negated: perm && negated, rescaled: perm && rescaled, biasCorrection: bias, biasUnchanged };
}
