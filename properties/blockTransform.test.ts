/**
 * Fast block transforms (src/core/blockTransform.ts) against the spec
 * (spec/blockEncryption.ts), and the invertibility claims of Eqs. (4)–(6).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  decryptImage8bit,
  decryptImageUnit,
  encryptImage8bit,
  encryptImageNormalized,
  encryptImageUnit,
} from '../spec/blockEncryption.ts';
import type { SpecImage } from '../spec/image.ts';
import { decryptFloat, decryptUint8, encryptFloat, encryptUint8 } from '../src/core/blockTransform.ts';
import { type BatchShape, type FloatArray, type Layout, imageBatch } from '../src/core/images.ts';
import type { BlockKey } from '../src/core/key.ts';
import { distinctKeysArb, floatCaseArb, range, shapeCaseArb, uint8CaseArb } from './arbitraries.ts';
import { firstDifference, fromSpecImages, toSpecImages } from './bridge.ts';
import { TOLERANCE_BOUNDS } from './tolerance.ts';

type SpecTransform = (img: SpecImage, M: number, v: readonly number[], r: readonly number[]) => SpecImage;

function specBatch(transform: SpecTransform, c: { shape: BatchShape; layout: Layout; key: BlockKey }, data: ArrayLike<number>): Float64Array {
  const v = Array.from(c.key.permutation);
  const r = Array.from(c.key.flip);
  const out = toSpecImages(data, c.shape, c.layout).map((img) => transform(img, c.key.blockSize, v, r));
  return fromSpecImages(out, c.shape, c.layout);
}

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, c: { shape: BatchShape; layout: Layout }): void {
  expect(firstDifference(actual, expected, c.shape, c.layout)).toBeNull();
}

describe('spec ≡ src, bit for bit', () => {
  test.prop([uint8CaseArb])('8-bit encryption (Eqs. 4–5)', (c) => {
    const enc = encryptUint8(imageBatch(c.pixels, c.shape, c.layout), c.key);
    expectSame(enc.data, specBatch(encryptImage8bit, c, c.pixels), c);
  });

  test.prop([uint8CaseArb])('8-bit decryption', (c) => {
    const dec = decryptUint8(imageBatch(c.pixels, c.shape, c.layout), c.key);
    expectSame(dec.data, specBatch(decryptImage8bit, c, c.pixels), c);
  });

  test.prop([floatCaseArb(0, 1)])('[0,1] float64 encryption and decryption (Eqs. 4, 6)', (c) => {
    const data = Float64Array.from(c.values);
    expectSame(encryptFloat(imageBatch(data, c.shape, c.layout), c.key, 'unit').data, specBatch(encryptImageUnit, c, data), c);
    expectSame(decryptFloat(imageBatch(data, c.shape, c.layout), c.key, 'unit').data, specBatch(decryptImageUnit, c, data), c);
  });

  test.prop([floatCaseArb(0, 1)])('[0,1] float32 encryption equals the spec rounded to float32', (c) => {
    const data = Float32Array.from(c.values);
    const expected = Float32Array.from(specBatch(encryptImageUnit, c, data));
    expectSame(encryptFloat(imageBatch(data, c.shape, c.layout), c.key, 'unit').data, expected, c);
  });

  test.prop([floatCaseArb(-1, 1)])('normalized [−1,1] encryption (Eq. 4, then sign change)', (c) => {
    const data = Float64Array.from(c.values);
    expectSame(encryptFloat(imageBatch(data, c.shape, c.layout), c.key, 'normalized').data, specBatch(encryptImageNormalized, c, data), c);
  });
});

describe('decrypt ∘ encrypt = identity', () => {
  test.prop([uint8CaseArb])('8-bit images', (c) => {
    const batch = imageBatch(c.pixels, c.shape, c.layout);
    expectSame(decryptUint8(encryptUint8(batch, c.key), c.key).data, c.pixels, c);
  });

  test.prop([floatCaseArb(0, 1), fc.boolean()])('[0,1] float images: identity up to the rounding of 1 − (1 − x)', (c, single) => {
    // Eq. (6) in floating point is not exactly invertible: for x < 0.5, 1 − x
    // rounds (half an ulp of numbers in [0.5, 1]); the second 1 − y is exact
    // (Sterbenz). So the error is at most 2^-54 (float64) or 2^-25 (float32).
    const data: FloatArray = single ? Float32Array.from(c.values) : Float64Array.from(c.values);
    const bound = single ? TOLERANCE_BOUNDS.unitFlipRoundTrip.float32 : TOLERANCE_BOUNDS.unitFlipRoundTrip.float64;
    const back = decryptFloat(encryptFloat(imageBatch(data, c.shape, c.layout), c.key, 'unit'), c.key, 'unit').data;
    let worst = 0;
    back.forEach((y, i) => (worst = Math.max(worst, Math.abs(y - data[i]))));
    expect(worst).toBeLessThanOrEqual(bound);
  });

  test.prop([uint8CaseArb])('[0,1] float images holding 8-bit values k/255: decrypt ∘ encrypt rounds back to the same 8-bit image', (c) => {
    const data = Float32Array.from(c.pixels, (x) => x / 255);
    const back = decryptFloat(encryptFloat(imageBatch(data, c.shape, c.layout), c.key, 'unit'), c.key, 'unit').data;
    expectSame(Uint8Array.from(back, (y) => Math.round(255 * y)), c.pixels, c);
  });

  test.prop([floatCaseArb(-1, 1)])('normalized float images', (c) => {
    const batch = imageBatch(Float64Array.from(c.values), c.shape, c.layout);
    expectSame(decryptFloat(encryptFloat(batch, c.key, 'normalized'), c.key, 'normalized').data, batch.data, c);
  });
});

/**
 * A generic image: in its first block every value is distinct, below 128
 * (so no value is another's complement 255 − x), and nonzero. On such an
 * image two different signed permutations of a block always disagree.
 */
const genericWrongKeyCaseArb = shapeCaseArb
  .filter((sc) => sc.blockSize * sc.blockSize * sc.channels <= 127)
  .chain((sc) => {
    const pb = sc.blockSize * sc.blockSize * sc.channels;
    const n = sc.shape.count * sc.shape.height * sc.shape.width * sc.shape.channels;
    return fc
      .record({
        keys: distinctKeysArb(sc.blockSize, sc.channels),
        firstBlock: fc.shuffledSubarray(range(127).map((i) => i + 1), { minLength: pb, maxLength: pb }),
        rest: fc.uint8Array({ minLength: n, maxLength: n }),
      })
      .map(({ keys, firstBlock, rest }) => {
        // Write the generic block into image 0, block (0, 0), via the spec's (c, i, j) order.
        const pixels = Uint8Array.from(rest);
        const img = toSpecImages(pixels, sc.shape, sc.layout);
        const M = sc.blockSize;
        firstBlock.forEach((value, k) => {
          const c = Math.floor(k / (M * M));
          const i = Math.floor(k / M) % M;
          const j = k % M;
          img[0].data[(c * sc.shape.height + i) * sc.shape.width + j] = value;
        });
        return { ...sc, keys, pixels: Uint8Array.from(fromSpecImages(img, sc.shape, sc.layout)) };
      });
  });

describe('a different key does not decrypt', () => {
  test.prop([genericWrongKeyCaseArb])('encrypt with K, decrypt with K′ ≠ K: not the original (generic images)', (c) => {
    const [k1, k2] = c.keys;
    const batch = imageBatch(c.pixels, c.shape, c.layout);
    const roundTrip = decryptUint8(encryptUint8(batch, k1), k2);
    expect(firstDifference(roundTrip.data, c.pixels, c.shape, c.layout)).not.toBeNull();
  });

  test.prop([genericWrongKeyCaseArb])('the same image under two different keys gives two different ciphertexts', (c) => {
    const [k1, k2] = c.keys;
    const batch = imageBatch(c.pixels, c.shape, c.layout);
    expect(firstDifference(encryptUint8(batch, k1).data, encryptUint8(batch, k2).data, c.shape, c.layout)).not.toBeNull();
  });
});
