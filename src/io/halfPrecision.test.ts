import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bf16Value, f16Value } from '../../properties/safetensorsFiles.ts';
import * as halfPrecision from './halfPrecision.ts';

describe('safetensors: half precision', () => {
  it('decodes all 65,536 F16 patterns like the textbook formula and encodes them back bit for bit', () => {
    const f = new Float32Array(1);
    const bits = new Uint32Array(f.buffer);
    for (let h = 0; h < 0x10000; h++) {
      bits[0] = halfPrecision.f16ToF32Bits(h);
      const want = f16Value(h);
      if (!Object.is(f[0], want)) throw new Error(`F16 ${h.toString(16)} decoded to ${f[0]}, expected ${want}`);
      if (halfPrecision.f32BitsToF16(bits[0]) !== h) throw new Error(`F16 ${h.toString(16)} did not survive a round trip`);
    }
  });

  it('encodes every BF16 pattern back bit for bit', () => {
    for (let h = 0; h < 0x10000; h++) if (halfPrecision.f32BitsToBf16((h << 16) >>> 0) !== h) throw new Error(`BF16 ${h.toString(16)}`);
  });

  /** Checks that `h` is the nearest (ties to even) of the 16-bit neighbours to x. */
  function isNearest(x: number, h: number, value: (m: number) => number, infBits: number, infValue: number): boolean {
    const sign = h & 0x8000;
    if ((x < 0 || Object.is(x, -0)) !== (sign !== 0)) return false;
    const ax = Math.abs(x);
    const m = h & 0x7fff;
    const mag = (k: number) => (k === infBits ? infValue : value(k));
    const d = Math.abs(ax - mag(m));
    for (const k of [m - 1, m + 1]) {
      if (k < 0 || k > infBits) continue;
      const dk = Math.abs(ax - mag(k));
      if (dk < d || (dk === d && (m & 1) === 1)) return false;
    }
    return true;
  }

  it('rounds float32 to F16 and BF16 to nearest, ties to even', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        const b = new Uint32Array(new Float32Array([x]).buffer)[0];
        const h = halfPrecision.f32BitsToF16(b);
        const hb = halfPrecision.f32BitsToBf16(b);
        return isNearest(x, h, f16Value, 0x7c00, 2 ** 16) && isNearest(x, hb, bf16Value, 0x7f80, 2 ** 128);
      }),
    );
    // exact ties and boundaries
    expect(halfPrecision.f32BitsToF16(new Uint32Array(new Float32Array([65520]).buffer)[0])).toBe(0x7c00);
    expect(halfPrecision.f32BitsToF16(new Uint32Array(new Float32Array([65519]).buffer)[0])).toBe(0x7bff);
    expect(halfPrecision.f32BitsToF16(new Uint32Array(new Float32Array([2 ** -25]).buffer)[0])).toBe(0);
    expect(halfPrecision.f32BitsToF16(new Uint32Array(new Float32Array([3 * 2 ** -25]).buffer)[0])).toBe(2);
    expect(halfPrecision.f32BitsToF16(new Uint32Array(new Float32Array([1 + 2 ** -11]).buffer)[0])).toBe(0x3c00);
  });

  it('NaN stays NaN', () => {
    expect(halfPrecision.f32BitsToF16(0x7f800001) & 0x7fff).toBeGreaterThan(0x7c00);
    expect(halfPrecision.f32BitsToBf16(0x7f800001) & 0x7fff).toBeGreaterThan(0x7f80);
  });
});
