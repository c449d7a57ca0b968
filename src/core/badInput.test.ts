/** Bad input to the core: each gets a CipherpatchError whose check and message name the problem. */
import { describe, expect, it } from 'vitest';
import { decryptFloat, encryptFloat, encryptUint8 } from './blockTransform.ts';
import { CipherpatchError } from './errors.ts';
import { type BatchShape, imageBatch } from './images.ts';
import { generateKey } from './keygen.ts';
import { keySpace } from './keySpace.ts';
import { transformPatchEmbedding } from './modelTransform.ts';

function rejection(f: () => unknown): { check: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof CipherpatchError) return { check: e.check, message: e.message };
    throw e;
  }
  throw new Error('expected a CipherpatchError, but the call succeeded');
}

/** Built inside each test that uses it (not at collection time, which Stryker cannot attribute to a test: mutation/README.md). */
const key4x3 = () => generateKey({ blockSize: 4, channels: 3, seed: 'bad-input' });
const shape = (h: number, w: number, c = 3): BatchShape => ({ count: 1, height: h, width: w, channels: c });

describe('images', () => {
  it('size not divisible by the block size', () => {
    const r = rejection(() => encryptUint8(imageBatch(new Uint8Array(30 * 32 * 3), shape(30, 32), 'NHWC'), key4x3()));
    expect(r.check).toBe('image.not-divisible');
    expect(r.message).toMatch(/30×32.*block size 4/);
  });

  it('data length that does not match the shape', () => {
    const r = rejection(() => imageBatch(new Uint8Array(10), shape(4, 4), 'NHWC'));
    expect(r.check).toBe('image.length');
    expect(r.message).toMatch(/10 values.*needs 48/);
  });

  it('unknown layout, non-integer dimensions', () => {
    expect(rejection(() => imageBatch(new Uint8Array(48), shape(4, 4), 'HWC' as never)).check).toBe('image.layout');
    expect(rejection(() => imageBatch(new Uint8Array(48), { count: 1, height: 4.5, width: 4, channels: 3 }, 'NHWC')).check).toBe('image.shape');
  });

  it('a key for another channel count or block size', () => {
    const r = rejection(() => encryptUint8(imageBatch(new Uint8Array(16), shape(4, 4, 1), 'NCHW'), key4x3()));
    expect(r.check).toBe('key.wrong-channels');
    expect(r.message).toMatch(/3 channels.*has 1/);
  });

  it('NaN and out-of-range float values, with their index', () => {
    const nan = new Float32Array(48);
    nan[7] = Number.NaN;
    const r1 = rejection(() => encryptFloat(imageBatch(nan, shape(4, 4), 'NHWC'), key4x3()));
    expect(r1.check).toBe('image.nan');
    expect(r1.message).toMatch(/value 7/);
    const big = new Float64Array(48);
    big[3] = 1.5;
    expect(rejection(() => encryptFloat(imageBatch(big, shape(4, 4), 'NHWC'), key4x3(), 'unit')).check).toBe('image.range');
    const neg = new Float64Array(48);
    neg[0] = -0.5;
    expect(rejection(() => decryptFloat(imageBatch(neg, shape(4, 4), 'NHWC'), key4x3(), 'unit')).check).toBe('image.range');
    expect(() => encryptFloat(imageBatch(neg, shape(4, 4), 'NHWC'), key4x3(), 'normalized')).not.toThrow();
  });

  it('wrong array type for the transform', () => {
    expect(rejection(() => encryptUint8(imageBatch(new Float32Array(48) as unknown as Uint8Array, shape(4, 4), 'NHWC'), key4x3())).check).toBe('image.dtype');
  });
});

describe('keys and models', () => {
  it('odd p_b for bit flipping', () => {
    const r = rejection(() => generateKey({ blockSize: 3, channels: 1 }));
    expect(r.check).toBe('key.odd-block-length');
    expect(r.message).toMatch(/p_b = M²C = 3²·1 = 9 is odd/);
    expect(rejection(() => keySpace(1, 3)).check).toBe('key.odd-block-length');
  });

  it('a patch embedding whose patch size differs from the key block size', () => {
    const r = rejection(() => transformPatchEmbedding({ data: new Float32Array(8 * 3 * 2 * 2), shape: [8, 3, 2, 2] }, key4x3()));
    expect(r.check).toBe('key.wrong-block-size');
    expect(r.message).toMatch(/block size 4.*needs block size 2/);
  });

  it('a weight whose data does not match its shape, or that is not square', () => {
    expect(rejection(() => transformPatchEmbedding({ data: new Float32Array(10), shape: [8, 3, 4, 4] }, key4x3())).check).toBe('model.weight-length');
    expect(rejection(() => transformPatchEmbedding({ data: new Float32Array(8 * 3 * 4 * 2), shape: [8, 3, 4, 2] }, key4x3())).check).toBe('model.weight-shape');
  });
});
