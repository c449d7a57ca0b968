/**
 * The fuzz harness's tolerances. They ship with `cipherpatch fuzz`, so they
 * live in src/; properties/tolerance.ts lists them beside the suite's own,
 * with the same Tolerance type and test. A value passes when
 * |a − b| ≤ atol + rtol·|b|. uint8 round trips are compared exactly and have
 * no entry.
 */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

export const VARIANT_TOLERANCE = {
  /** decrypt(encrypt(x)) = x for unit/real values: float64 products with an orthogonal Q (≤ 192 terms, |x| ≤ 3) or 1 − (1 − x) (≤ 2⁻⁵⁴). */
  roundTrip: { atol: 1e-10, rtol: 1e-10 },
  /** A variant's adapter: plain vs adapted patch embedding, float64, ≤ 192 terms of size ≤ 4 (σ ≥ 0.24). A wrong adapter is off by ≫ 1e-3. */
  embedding: { atol: 1e-9, rtol: 1e-9 },
  /** Affinity probes: differences of encrypted values from two base images, float64. Non-affine maps differ by ≥ 1/999. */
  affinity: { atol: 1e-9, rtol: 1e-9 },
  /** Least-squares adapter search: max residual / max(1, max |x|) at or below this is "exact". Non-adaptable transforms leave ≥ 1e-2. */
  adapterResidual: { atol: 1e-9, rtol: 0 },
  /** Reading the least-squares adapter: |a| ≤ this is 0, ||a| − 1| ≤ this is ±1 (exact fits are accurate to ~1e-14). */
  adapterEntries: { atol: 1e-8, rtol: 0 },
  /** An 8-bit value of the unit/real domain: 255·x (or (255·x + 255)/2) within this of an integer (k/255 is correctly rounded). */
  byteGrid: { atol: 1e-9, rtol: 0 },
} as const satisfies Record<string, Tolerance>;

export function withinTolerance(a: number, b: number, tol: Tolerance): boolean {
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
}
