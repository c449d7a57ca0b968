/**
 * orthogonal.ts (System C) on hand-worked cases: Q = [[0, 1], [−1, 0]]
 * (p_b = 2: M = 1, C = 2) sends a block x to x′ = xQ = (−x₁, x₀) and the
 * embedding row (3, 5) to QᵀE = (−5, 3); the cyclic shift Q[i][(i+1) mod 4]
 * = 1 (p_b = 4: M = 2, C = 1) sends x to (x₃, x₀, x₁, x₂) in each block's
 * (row, column) order. Mutation kills (issue 25, area io) named per test as
 * orthogonal.ts:<line> <mutator>.
 */
import { describe, expect, it } from 'vitest';
import { decryptOrthogonal, encryptOrthogonal, randomOrthogonal, transformPatchEmbeddingOrthogonal, validateOrthogonalKey } from './orthogonal.ts';
import { refusal } from '../../properties/rejection.ts';


const rot = { blockSize: 1, channels: 2, matrix: Float64Array.of(0, 1, -1, 0) };
const shift = { blockSize: 2, channels: 1, matrix: Float64Array.from({ length: 16 }, (_, n) => (Math.floor(n / 4) + 1) % 4 === n % 4 ? 1 : 0) };

describe('validateOrthogonalKey', () => {
  // Kills orthogonal.ts:22–30 (the length check and message, every (i, j), the tolerance and its default, NaN refused).
  it('checks the length and QQᵀ = I within the tolerance', () => {
    expect(validateOrthogonalKey(rot)).toBe(rot);
    expect(validateOrthogonalKey(shift)).toBe(shift);
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1, 0, 0) }))).toEqual({ check: 'orthogonal.shape', message: 'Q has 3 values, p_b² = 4' });
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1, 0, 0, 1, 0) })).check).toBe('orthogonal.shape');
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1, 0, 0, 2) }))).toEqual({ check: 'orthogonal.not-orthogonal', message: 'Q is not orthogonal: (QQᵀ)[1][1] = 4' });
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1, 0, 1, 1) }))).toEqual({ check: 'orthogonal.not-orthogonal', message: 'Q is not orthogonal: (QQᵀ)[0][1] = 1' });
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1, 1, 0, 1) }))).toEqual({ check: 'orthogonal.not-orthogonal', message: 'Q is not orthogonal: (QQᵀ)[0][0] = 2' });
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(Number.NaN, 0, 0, 1) })).check).toBe('orthogonal.not-orthogonal');
    // (QQᵀ)[0][0] = (1 + ε)²: inside 1e-9 for ε = 1e-11, outside for ε = 1e-8; a wider tolerance is honoured.
    expect(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1 + 1e-11, 0, 0, 1) })).not.toThrow();
    expect(refusal(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1 + 1e-8, 0, 0, 1) })).check).toBe('orthogonal.not-orthogonal');
    expect(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1 + 1e-8, 0, 0, 1) }, 1e-6)).not.toThrow();
    expect(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1, 0, 0, 1 + 4e-10) })).not.toThrow();
    // Exactly at the tolerance passes (≤): (QQᵀ)[0][0] − 1 = 1.5² − 1 = 1.25.
    expect(() => validateOrthogonalKey({ ...rot, matrix: Float64Array.of(1.5, 0, 0, 1) }, 1.25)).not.toThrow();
  });
});

describe('encryptOrthogonal / decryptOrthogonal', () => {
  // Kills orthogonal.ts:35–41 (the block offsets, both layouts), :44–70 (every loop and bound, xQ and xQᵀ, the array type kept).
  it('x′ = xQ per block, x = x′Qᵀ, in both layouts', () => {
    // One image, H = 1, W = 2, C = 2: pixels (1, 2) and (3, 4) → (−2, 1) and (−4, 3).
    const nhwc = encryptOrthogonal({ data: Float64Array.of(1, 2, 3, 4), shape: { count: 1, height: 1, width: 2, channels: 2 }, layout: 'NHWC' }, rot);
    expect(Array.from(nhwc.data)).toEqual([-2, 1, -4, 3]);
    expect(nhwc.data).toBeInstanceOf(Float64Array);
    expect(nhwc.layout).toBe('NHWC');
    // NCHW: planes (1, 3) and (2, 4) hold the same pixels.
    const nchw = encryptOrthogonal({ data: Float32Array.of(1, 3, 2, 4), shape: { count: 1, height: 1, width: 2, channels: 2 }, layout: 'NCHW' }, rot);
    expect(Array.from(nchw.data)).toEqual([-2, -4, 1, 3]);
    expect(nchw.data).toBeInstanceOf(Float32Array);
    expect(Array.from(decryptOrthogonal(nhwc, rot).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(decryptOrthogonal(nchw, rot).data)).toEqual([1, 3, 2, 4]);
    // Two images, H = 2, W = 4, C = 1, value 10y + x (+100 in image 1): each 2 × 2 block (a, b; c, d) → (d, a; b, c).
    const img = (base: number) => [0, 1, 2, 3, 10, 11, 12, 13].map((v) => v + base);
    const shape = { count: 2, height: 2, width: 4, channels: 1 };
    const out = (base: number) => [11, 0, 13, 2, 1, 10, 3, 12].map((v) => v + base);
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const e = encryptOrthogonal({ data: Float64Array.from([...img(0), ...img(100)]), shape, layout }, shift);
      expect(Array.from(e.data)).toEqual([...out(0), ...out(100)]);
      expect(Array.from(decryptOrthogonal(e, shift).data)).toEqual([...img(0), ...img(100)]);
    }
  });

  // Kills orthogonal.ts:48–49 (the channel check and message).
  it('refuses images of another channel count', () => {
    expect(refusal(() => encryptOrthogonal({ data: new Float64Array(3), shape: { count: 1, height: 1, width: 1, channels: 3 }, layout: 'NHWC' }, rot))).toEqual({ check: 'key.wrong-channels', message: 'the key is for 2 channels, but the images have 3' });
    expect(refusal(() => decryptOrthogonal({ data: new Float64Array(2), shape: { count: 1, height: 1, width: 2, channels: 1 }, layout: 'NHWC' }, { ...shift, channels: 1 })).check).toBe('image.not-divisible');
  });
});

describe('transformPatchEmbeddingOrthogonal', () => {
  // Kills orthogonal.ts:83–95 (the checks and messages, w′[o][k] = Σ_i Q[i][k]·w[o][i], every row, the array type kept).
  it('E′ = QᵀE per output row', () => {
    const e = transformPatchEmbeddingOrthogonal({ data: Float32Array.of(3, 5, 7, 11), shape: [2, 2, 1, 1] }, rot);
    expect(Array.from(e.data)).toEqual([-5, 3, -11, 7]);
    expect(e.data).toBeInstanceOf(Float32Array);
    expect(e.shape).toEqual([2, 2, 1, 1]);
    // The shift: row (a, b, c, d) → (d, a, b, c)? w′[k] = Σ_i Q[i][k] w[i] = w[k − 1].
    expect(Array.from(transformPatchEmbeddingOrthogonal({ data: Float64Array.of(1, 2, 3, 4), shape: [1, 1, 2, 2] }, shift).data)).toEqual([4, 1, 2, 3]);
    expect(refusal(() => transformPatchEmbeddingOrthogonal({ data: new Float32Array(4), shape: [1, 1, 2, 2] }, rot))).toEqual({ check: 'key.wrong-block-size', message: 'Q is for block size 1 and 2 channels, the patch embedding has patch size 2 and 1 channel' });
    expect(refusal(() => transformPatchEmbeddingOrthogonal({ data: new Float32Array(8), shape: [2, 1, 1, 1] }, rot)).check).toBe('key.wrong-block-size');
    // Only the patch size differs (C = 2 matches): kills orthogonal.ts:85 ConditionalExpression (P !== M → false).
    expect(refusal(() => transformPatchEmbeddingOrthogonal({ data: new Float32Array(8), shape: [1, 2, 2, 2] }, rot))).toEqual({ check: 'key.wrong-block-size', message: 'Q is for block size 1 and 2 channels, the patch embedding has patch size 2 and 2 channels' });
    expect(refusal(() => transformPatchEmbeddingOrthogonal({ data: new Float32Array(4), shape: [2, 2, 1, 1] }, { ...shift, blockSize: 1 }))).toEqual({ check: 'key.wrong-block-size', message: 'Q is for block size 1 and 1 channel, the patch embedding has patch size 1 and 2 channels' });
    expect(refusal(() => transformPatchEmbeddingOrthogonal({ data: new Float32Array(5), shape: [2, 2, 1, 1] }, rot))).toEqual({ check: 'model.weight-length', message: 'patch-embedding weight has 5 values, shape (2, 2, 1, 1) needs 4' });
  });
});

describe('randomOrthogonal', () => {
  /** A source that returns the given integers in turn, recording each bound. */
  const source = (values: number[]) => {
    const bounds: number[] = [];
    let n = 0;
    return { bounds, random: { int: (bound: number) => (bounds.push(bound), values[n++ % values.length]) } };
  };
  const gaussian = (a: number, b: number) => Math.sqrt(-2 * Math.log((a + 0.5) / 2 ** 30)) * Math.cos((2 * Math.PI * b) / 2 ** 30);

  // Kills orthogonal.ts:100–120 (Box–Muller from two 30-bit uniforms, the normalization, Gram–Schmidt against every earlier row).
  it('Box–Muller draws, normalized rows, orthogonal to each other', () => {
    const one = source([2 ** 20, 2 ** 29]); // v = 1/2: cos π = −1
    expect(Array.from(randomOrthogonal(1, one.random))).toEqual([-1]);
    expect(one.bounds).toEqual([2 ** 30, 2 ** 30]);
    const draws = [12345, 0, 999999, 2 ** 27, 54321, 2 ** 28 + 7, 3, 2 ** 29 + 2 ** 27];
    const two = source(draws);
    const q = randomOrthogonal(2, two.random);
    expect(two.bounds.length).toBe(8);
    const g = [0, 2, 4, 6].map((i) => gaussian(draws[i], draws[i + 1]));
    const norm = Math.hypot(g[0], g[1]);
    expect(q[0]).toBeCloseTo(g[0] / norm, 12);
    expect(q[1]).toBeCloseTo(g[1] / norm, 12);
    // Row 1 is ±(−q₁, q₀), its sign that of g's component along it.
    const sign = Math.sign(-q[1] * g[2] + q[0] * g[3]);
    expect(q[2]).toBeCloseTo(-sign * q[1], 12);
    expect(q[3]).toBeCloseTo(sign * q[0], 12);
    const three = randomOrthogonal(3, source([101, 2 ** 25, 7, 2 ** 28, 77777, 5, 31, 2 ** 29 + 11, 2 ** 26, 17, 2 ** 24, 3, 999, 2 ** 29, 4242, 1, 2 ** 23, 65]).random);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 3; k++) dot += three[i * 3 + k] * three[j * 3 + k];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
  });
});
