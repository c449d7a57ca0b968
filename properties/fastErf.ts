/**
 * erf without mathjs, for fast mutation-run tests (importing mathjs costs
 * seconds, and Stryker reloads a test file's imports for every mutant): such
 * tests replace mathjs by this module (vi.mock('mathjs', …)), so the spec
 * ConvMixer's GELU (spec/convmixer.ts) uses it. Accurate to about 1e-14:
 *   |x| < 2.5: the Maclaurin series 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n!(2n+1));
 *   else:      erfc by its continued fraction (Abramowitz & Stegun 7.1.14),
 *              √π·e^{x²}·erfc(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
 * Checked against tabulated values in fastErf.test.ts.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x; // (−1)ⁿ x²ⁿ⁺¹ / n!
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (a > 6) return Math.sign(x);
  // The fraction evaluated from the tail: f = x + (k/2)/f, k = 60 … 1.
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
