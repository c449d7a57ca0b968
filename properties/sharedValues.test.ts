/**
 * The values the oracles used to take from src/ and now take from their
 * sources (properties/ORACLES.md), checked against src directly: a wrong
 * value in src fails here at once, besides making the differential
 * properties that use the oracle's copy disagree.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { pixelIndex } from '../src/core/images.ts';
import { DTYPE_BYTES } from '../src/io/safetensors.ts';
import { BATCH_NORM_EPS } from '../src/model/stateDict.ts';
import { withinTolerance as srcWithinTolerance } from '../src/variants/tolerance.ts';
import { layoutIndex } from './bridge.ts';
import { PYTORCH_BATCH_NORM_EPS } from './engineBridge.ts';
import { FORMAT_DTYPE_BYTES } from './safetensorsFiles.ts';
import { withinTolerance } from './tolerance.ts';

describe('src values ≡ their sources', () => {
  it("BatchNorm ε is PyTorch's default, 1e-5 (torch.nn.BatchNorm2d)", () => expect(BATCH_NORM_EPS).toBe(PYTORCH_BATCH_NORM_EPS));

  it('the safetensors dtypes and their sizes are the format\'s', () => expect(DTYPE_BYTES).toEqual(FORMAT_DTYPE_BYTES));

  const shapeArb = fc.record({ count: fc.integer({ min: 1, max: 3 }), height: fc.integer({ min: 1, max: 5 }), width: fc.integer({ min: 1, max: 5 }), channels: fc.integer({ min: 1, max: 4 }) });
  test.prop([shapeArb.chain((s) => fc.tuple(fc.constant(s), fc.constantFrom('NHWC' as const, 'NCHW' as const), fc.nat(s.count - 1), fc.nat(s.height - 1), fc.nat(s.width - 1), fc.nat(s.channels - 1)))])(
    "pixelIndex is the layouts' index (NHWC channels last, NCHW PyTorch's order)",
    ([shape, layout, n, y, x, c]) => {
      expect(pixelIndex(shape, layout, n, y, x, c)).toBe(layoutIndex(shape, layout, n, y, x, c));
    },
  );

  const tolArb = fc.record({ atol: fc.constantFrom(0, 1e-12, 1e-4, 0.5), rtol: fc.constantFrom(0, 1e-9, 1e-4) });
  test.prop([fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true }), tolArb])(
    "the fuzz harness's withinTolerance is |a − b| ≤ atol + rtol·|b|",
    (b, delta, tol) => {
      expect(srcWithinTolerance(b + delta, b, tol)).toBe(withinTolerance(b + delta, b, tol));
      // On the boundary itself: equal is within.
      const edge = tol.atol + tol.rtol * Math.abs(b);
      expect(srcWithinTolerance(b, b, tol)).toBe(true);
      if (Number.isFinite(b + edge) && b + edge - b === edge) expect(srcWithinTolerance(b + edge, b, tol)).toBe(true);
      expect(srcWithinTolerance(b + 2 * edge + 1e-3, b, tol)).toBe(false);
    },
  );
});
