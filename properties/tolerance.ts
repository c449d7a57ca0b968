/**
 * Every numerical tolerance of the property suite, in one place. Exact
 * operations (permutations, bit flips, sign flips) are compared exactly and
 * have no entry here. A value passes when |a − b| ≤ atol + rtol·|b|.
 */
import { type Tolerance, VARIANT_TOLERANCE } from '../src/variants/tolerance.ts';

export type { Tolerance };

/**
 * |a − b| ≤ atol + rtol·|b|, the oracle's own comparison (numpy.isclose's
 * rule): not src's withinTolerance, so that a bug there cannot make the
 * properties that judge src pass (properties/ORACLES.md).
 */
export function withinTolerance(a: number, b: number, tol: Tolerance): boolean {
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
}

export const TOLERANCE = {
  /** Patch embedding in float64, same products summed in another order (Eqs. 1, 3, 8–9). */
  embedding: { atol: 1e-12, rtol: 1e-12 },
  /** Whole spec ConvMixer in float64 on plain vs encrypted inputs (Eqs. 1–2, 8–9). */
  specLogits: { atol: 1e-9, rtol: 1e-9 },
  /** Spec forward pass (float64) vs PyTorch's float64 reference vectors (golden/vectors/convmixer-torch.json). */
  torchFloat64: { atol: 1e-10, rtol: 1e-10 },
  /** TypeScript engines (float32) vs the PyTorch golden logits (float32, TF32 off) on the CI subset. */
  goldenLogits: { atol: 2e-4, rtol: 2e-4 },
  /** Patch embedding (spec, float64) vs PyTorch float32; E′ of System C vs PyTorch's float64→float32 product. */
  goldenEmbedding: { atol: 1e-5, rtol: 1e-5 },
  /** System C in float64: products with Q and Qᵀ (sums of p_b ≤ 48 terms of size ≤ 1). */
  orthogonal: { atol: 1e-11, rtol: 1e-11 },
  /**
   * An engine's float32 logits (tfjs: float32 arithmetic, erf approximated to
   * ~1.5e-7) against the float64 spec ConvMixer on the same weights (stored as
   * float32) and images. Measured worst over 150 random models with d ≤ 16,
   * depth ≤ 3 and |logit| ≤ 22: |Δ| = 5e-6 (wasm), 2.4e-6 (cpu); this allows
   * ≥ 1e-4, 20× that. A wrong padding, residual or BatchNorm is off by ≫ 0.01.
   */
  engineLogits: { atol: 1e-4, rtol: 1e-4 },
  /**
   * System B's ResNet on tfjs and onnx (float32, BatchNorm folded into the convs)
   * against the float64 spec ResNet on the same weights and 8-bit images.
   * Measured worst over 100 random models with w ≤ 4, 1–2 blocks per stage,
   * images up to 12×12 and |logit| ≤ 11: |Δ| = 9.2e-7 (wasm), 2.2e-6 (cpu),
   * 9.2e-7 (onnx);
   * this allows ≥ 1e-4, 45× that. A wrong padding or shortcut is off by ≫ 0.01.
   */
  resnetEngineLogits: { atol: 1e-4, rtol: 1e-4 },
  /**
   * The variant fuzz harness (`cipherpatch fuzz`): its tolerances ship with the
   * command in src/variants/tolerance.ts, where each is justified; listed here
   * so that every tolerance of the suite is in one place.
   */
  variantRoundTrip: VARIANT_TOLERANCE.roundTrip,
  variantEmbedding: VARIANT_TOLERANCE.embedding,
  variantAffinity: VARIANT_TOLERANCE.affinity,
  variantAdapterResidual: VARIANT_TOLERANCE.adapterResidual,
  variantAdapterEntries: VARIANT_TOLERANCE.adapterEntries,
  variantByteGrid: VARIANT_TOLERANCE.byteGrid,
} as const satisfies Record<string, Tolerance>;

/**
 * Round trip of Eq. (6) in floating point, x ↦ 1 − (1 − x): derived bound,
 * half an ulp of values in [0.5, 1] (the second subtraction is exact).
 */
export const TOLERANCE_BOUNDS = {
  unitFlipRoundTrip: { float64: 2 ** -54, float32: 2 ** -25 },
} as const;

/** First index where two arrays differ beyond the tolerance, or −1. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>, tol: Tolerance): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!withinTolerance(a[i], b[i], tol)) return i;
  return -1;
}
