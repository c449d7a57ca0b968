/**
 * Fast block transforms (src/core/blockTransform.ts) against the spec
 * (spec/blockEncryption.ts), and the invertibility claims of Eqs. (4)–(6).
 * 8-bit transforms are checked for each kernel (wasm-simd and js) as well as
 * through encryptUint8/decryptUint8, which pick one.
 */
import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  decryptImage8bit,
  decryptImageUnit,
  encryptImage8bit,
  encryptImageNormalized,
  encryptImageUnit,
} from '../spec/blockEncryption.ts';
import type { SpecImage } from '../spec/image.ts';
import {
  type Uint8Kernel,
  type Uint8KernelOptions,
  UINT8_KERNELS,
  decryptFloat,
  decryptUint8,
  decryptUint8With,
  encryptFloat,
  encryptUint8,
  encryptUint8With,
  uint8KernelFor,
  uint8KernelSupports,
} from '../src/core/blockTransform.ts';
import { DEFAULT_CHUNK_BYTES, SIMD_MIN_BATCH_BYTES } from '../src/core/blockTransformSimd.ts';
import { type BatchShape, type FloatArray, type Layout, imageBatch, toLayout } from '../src/core/images.ts';
import { type BlockKey, validateKey } from '../src/core/key.ts';
import { generateKey } from '../src/core/keygen.ts';
import { type Uint8Case, blockKeyArb, distinctKeysArb, floatCaseArb, layoutArb, range, shapeCaseArb, shapeLength, uint8CaseArb } from './arbitraries.ts';
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

/**
 * The wasm-simd kernel's configuration (M = 4, C = 3) with any image size it
 * covers (1–3 blocks per side: 4×4 up to 12×12, e.g. 8×12), 1–7 images, and a
 * chunk size of 1–8 images or the default, so that chunk boundaries fall
 * anywhere in the batch (before the first image, mid-batch, exactly at the
 * end, beyond it).
 */
const simdCaseArb: fc.Arbitrary<Uint8Case & { chunkImages: number | undefined }> = fc
  .record({
    blockRows: fc.integer({ min: 1, max: 3 }),
    blockCols: fc.integer({ min: 1, max: 3 }),
    count: fc.integer({ min: 1, max: 7 }),
    layout: layoutArb,
    chunkImages: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  })
  .chain(({ blockRows, blockCols, count, layout, chunkImages }) => {
    const shape = { count, height: 4 * blockRows, width: 4 * blockCols, channels: 3 };
    return fc
      .record({ key: blockKeyArb(4, 3), pixels: fc.uint8Array({ minLength: shapeLength(shape), maxLength: shapeLength(shape) }) })
      .map(({ key, pixels }) => ({ blockSize: 4, channels: 3, layout, shape, key, pixels, chunkImages }));
  });

/** Cases each kernel is checked on: js on every block configuration, wasm-simd on the one it covers. */
const KERNEL_CASES: [Uint8Kernel, fc.Arbitrary<Uint8Case & { chunkImages?: number }>][] = UINT8_KERNELS.map((kernel) => [
  kernel,
  kernel === 'js' ? uint8CaseArb : simdCaseArb,
]);

function options(c: { chunkImages?: number }): Uint8KernelOptions {
  return { chunkImages: c.chunkImages };
}

describe.each(KERNEL_CASES)('8-bit kernel %s', (kernel, caseArb) => {
  it('is available on this runtime (Node ≥ 20.19 has WebAssembly SIMD)', () => {
    expect(uint8KernelSupports(kernel, { count: 1, height: 32, width: 32, channels: 3 }, generateKey({ blockSize: 4, channels: 3, seed: 'k' }))).toBe(true);
  });

  test.prop([caseArb])('spec ≡ src, bit for bit: encryption (Eqs. 4–5)', (c) => {
    const enc = encryptUint8With(kernel, imageBatch(c.pixels, c.shape, c.layout), c.key, options(c));
    expectSame(enc.data, specBatch(encryptImage8bit, c, c.pixels), c);
  });

  test.prop([caseArb])('spec ≡ src, bit for bit: decryption', (c) => {
    const dec = decryptUint8With(kernel, imageBatch(c.pixels, c.shape, c.layout), c.key, options(c));
    expectSame(dec.data, specBatch(decryptImage8bit, c, c.pixels), c);
  });

  test.prop([caseArb])('decrypt ∘ encrypt = identity and encrypt ∘ decrypt = identity', (c) => {
    const batch = imageBatch(c.pixels, c.shape, c.layout);
    expectSame(decryptUint8With(kernel, encryptUint8With(kernel, batch, c.key, options(c)), c.key, options(c)).data, c.pixels, c);
    expectSame(encryptUint8With(kernel, decryptUint8With(kernel, batch, c.key, options(c)), c.key, options(c)).data, c.pixels, c);
  });

  test.prop([caseArb])('the input is left unchanged', (c) => {
    const copy = Uint8Array.from(c.pixels);
    encryptUint8With(kernel, imageBatch(c.pixels, c.shape, c.layout), c.key, options(c));
    decryptUint8With(kernel, imageBatch(c.pixels, c.shape, c.layout), c.key, options(c));
    expect(c.pixels).toEqual(copy);
  });

  it('a hand-worked block, M = 4, C = 3, in both layouts', () => {
    // One 4×4×3 image whose NCHW values are 0…47, i.e. value k sits at block
    // position k = (c·4 + i)·4 + j. Key: v_k = (k + 5) mod 48, r_k = 1 for
    // k < 24. Eq. (4): x′(k) = x(v_k) = (k + 5) mod 48; Eq. (5): 255 − x′(k)
    // where r_k = 1.
    const key = validateKey({
      blockSize: 4,
      channels: 3,
      permutation: range(48).map((k) => (k + 5) % 48),
      flip: range(48).map((k) => (k < 24 ? 1 : 0)),
    });
    const plain = imageBatch(Uint8Array.from(range(48)), { count: 1, height: 4, width: 4, channels: 3 }, 'NCHW');
    const expected = imageBatch(Uint8Array.from(range(48), (k) => (k < 24 ? 255 - ((k + 5) % 48) : (k + 5) % 48)), plain.shape, 'NCHW');
    for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
      const enc = encryptUint8With(kernel, toLayout(plain, layout), key);
      expect(Array.from(enc.data), layout).toEqual(Array.from(toLayout(expected, layout).data));
      expect(Array.from(decryptUint8With(kernel, enc, key).data), layout).toEqual(Array.from(toLayout(plain, layout).data));
    }
  });
});

describe('hand-worked vectors (golden/vectors/system-a.json) through each kernel that covers them', () => {
  interface ImageGroup {
    blockSize: number;
    channels: number;
    key: { permutation: number[]; flip: number[] };
    tests: { tcId: number; shape: [number, number, number, number]; plain: number[]; encrypted: number[] }[];
  }
  const groups = (JSON.parse(readFileSync(new URL('../golden/vectors/system-a.json', import.meta.url), 'utf8')) as { imageGroups: ImageGroup[] }).imageGroups;
  for (const kernel of UINT8_KERNELS) {
    it(`${kernel}: every image vector it covers (the js kernel covers them all)`, () => {
      let covered = 0;
      for (const group of groups) {
        const key = validateKey({ blockSize: group.blockSize, channels: group.channels, ...group.key });
        for (const t of group.tests) {
          const [n, C, H, W] = t.shape;
          const batch = imageBatch(Uint8Array.from(t.plain), { count: n, height: H, width: W, channels: C }, 'NCHW');
          if (!uint8KernelSupports(kernel, batch.shape, key)) continue;
          covered++;
          expect(Array.from(encryptUint8With(kernel, batch, key).data), `tcId ${t.tcId}`).toEqual(t.encrypted);
          expect(Array.from(decryptUint8With(kernel, { ...batch, data: Uint8Array.from(t.encrypted) }, key).data), `tcId ${t.tcId}`).toEqual(t.plain);
        }
      }
      // The vectors are small hand-worked cases (M ≤ 2): wasm-simd (M = 4, C = 3) covers none;
      // its hand-worked case is the M = 4, C = 3 block above.
      expect(covered).toBe(kernel === 'js' ? groups.reduce((s, g) => s + g.tests.length, 0) : 0);
    });
  }
});

describe('kernel choice and chunking (CIFAR-sized batches)', () => {
  const key = generateKey({ blockSize: 4, channels: 3, seed: 'chunks' });
  const cifar = (count: number): BatchShape => ({ count, height: 32, width: 32, channels: 3 });
  const perChunk = Math.floor(DEFAULT_CHUNK_BYTES / 3072);

  it('encryptUint8/decryptUint8 use wasm-simd for M = 4, C = 3 from 256 KiB per batch on, js for smaller batches and every other configuration', () => {
    expect(SIMD_MIN_BATCH_BYTES).toBe(256 * 1024);
    expect(uint8KernelFor(cifar(86), key)).toBe('wasm-simd'); // 264,192 bytes
    expect(uint8KernelFor(cifar(85), key)).toBe('js'); // 261,120 bytes
    expect(uint8KernelFor(cifar(1), key)).toBe('js');
    expect(uint8KernelFor({ count: 1000, height: 8, width: 12, channels: 3 }, key)).toBe('wasm-simd');
    expect(uint8KernelFor(cifar(10_000), generateKey({ blockSize: 2, channels: 3, seed: 'm2' }))).toBe('js');
    expect(uint8KernelFor({ ...cifar(10_000), channels: 1 }, generateKey({ blockSize: 4, channels: 1, seed: 'c1' }))).toBe('js');
    expect(uint8KernelFor({ ...cifar(10_000), channels: 4 }, generateKey({ blockSize: 4, channels: 4, seed: 'c4' }))).toBe('js');
    expect(uint8KernelFor(cifar(10_000), generateKey({ blockSize: 8, channels: 3, seed: 'm8' }))).toBe('js');
  });

  it('naming a kernel that does not cover the images fails with transform.kernel-unsupported; an unknown kernel with transform.kernel', () => {
    const k2 = generateKey({ blockSize: 2, channels: 3, seed: 'm2' });
    const batch = imageBatch(new Uint8Array(2 * 2 * 3), { count: 1, height: 2, width: 2, channels: 3 }, 'NHWC');
    expect(() => encryptUint8With('wasm-simd', batch, k2)).toThrow(expect.objectContaining({ check: 'transform.kernel-unsupported' }));
    expect(() => decryptUint8With('wasm-simd', batch, k2)).toThrow(expect.objectContaining({ check: 'transform.kernel-unsupported' }));
    expect(() => encryptUint8With('simd' as Uint8Kernel, batch, k2)).toThrow(expect.objectContaining({ check: 'transform.kernel' }));
    const cifarBatch = imageBatch(new Uint8Array(3072), cifar(1), 'NHWC');
    expect(() => encryptUint8With('wasm-simd', cifarBatch, key, { chunkImages: 0 })).toThrow(expect.objectContaining({ check: 'transform.chunk' }));
  });

  it('compiled kernels are per block map: keys sharing the permutation or the flip vector, used in turn, each ≡ js', () => {
    const shape = { count: 3, height: 8, width: 12, channels: 3 };
    const pixels = Uint8Array.from({ length: shapeLength(shape) }, (_, i) => (i * 97 + 5) & 255);
    const base = generateKey({ blockSize: 4, channels: 3, seed: 'shared-parts' });
    const other = generateKey({ blockSize: 4, channels: 3, seed: 'shared-parts-2' });
    const keys: BlockKey[] = [
      base,
      { ...base, flip: base.flip.map((r) => 1 - r) }, // same permutation, complementary flips
      { ...other, flip: base.flip }, // same flips, another permutation
      base,
    ];
    for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
      const batch = imageBatch(pixels, shape, layout);
      for (const k of [...keys, ...keys.slice().reverse()]) {
        expectSame(encryptUint8With('wasm-simd', batch, k).data, encryptUint8With('js', batch, k).data, { shape, layout });
        expectSame(decryptUint8With('wasm-simd', batch, k).data, decryptUint8With('js', batch, k).data, { shape, layout });
      }
    }
  });

  // Batch sizes around the default chunk (1, chunk − 1, chunk, chunk + 1, two chunks + 1):
  // the chunk boundary, a short last chunk and the last image of the buffer.
  for (const count of [1, perChunk - 1, perChunk, perChunk + 1, 2 * perChunk + 1]) {
    it(`${count} CIFAR images: wasm-simd ≡ js in both layouts, encryption and decryption, ≡ encryptUint8/decryptUint8`, () => {
      const shape = cifar(count);
      const pixels = Uint8Array.from({ length: shapeLength(shape) }, (_, i) => (i * 2654435761 + count) >>> 24);
      for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
        const batch = imageBatch(pixels, shape, layout);
        const c = { shape, layout };
        const enc = encryptUint8With('js', batch, key).data;
        const dec = decryptUint8With('js', batch, key).data;
        expectSame(encryptUint8With('wasm-simd', batch, key).data, enc, c);
        expectSame(decryptUint8With('wasm-simd', batch, key).data, dec, c);
        expectSame(encryptUint8(batch, key).data, enc, c);
        expectSame(decryptUint8(batch, key).data, dec, c);
      }
    });
  }
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
