/**
 * Fast, exact tests of the wasm-simd block kernel's JS side
 * (src/core/blockTransformSimd.ts) for mutation runs: which shapes it covers
 * (each limit on both sides), the kernel constants of hand-worked block maps,
 * and transformUint8Simd against Eqs. 4–5 (a plain loop over the definitions,
 * itself checked against spec/blockEncryption.ts; no code of src/ involved) on
 * small batches, through chunk
 * sizes, memory growth, the default chunk of a large image and the cache of
 * compiled kernels. Every expected value comes from the paper's definitions
 * or is worked out by hand in the comments, never from the module itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encryptImage8bit } from '../../spec/blockEncryption.ts';
import { specImage } from '../../spec/image.ts';
import {
  DEFAULT_CHUNK_BYTES,
  MAX_SIMD_IMAGE_BYTES,
  SIMD_MIN_BATCH_BYTES,
  kernelConstants,
  simdKernelCovers,
  transformUint8Simd,
} from './blockTransformSimd.ts';
import type { BatchShape, Layout } from './images.ts';
import { generateKey } from './keygen.ts';

const shape = (count: number, height: number, width: number, channels = 3): BatchShape => ({ count, height, width, channels });

describe('simdKernelCovers: M = 4, C = 3, H and W divisible by 4, at most 64 MiB per image', () => {
  // Kills blockTransformSimd.ts:76–80 (each condition → true, each && → ||, % → *, * → /, <= → >).
  it('covers exactly the shapes of its definition, each limit tried on both sides', () => {
    expect(simdKernelCovers(shape(1, 4, 4), 4)).toBe(true);
    expect(simdKernelCovers(shape(7, 32, 32), 4)).toBe(true);
    expect(simdKernelCovers(shape(1, 8, 12), 4)).toBe(true);
    expect(simdKernelCovers(shape(1, 8, 8), 2)).toBe(false); // M = 2
    expect(simdKernelCovers(shape(1, 8, 8), 8)).toBe(false); // M = 8
    expect(simdKernelCovers(shape(1, 8, 8, 1), 4)).toBe(false); // C = 1
    expect(simdKernelCovers(shape(1, 8, 8, 4), 4)).toBe(false); // C = 4
    expect(simdKernelCovers(shape(1, 6, 8), 4)).toBe(false); // H = 6
    expect(simdKernelCovers(shape(1, 8, 6), 4)).toBe(false); // W = 6
    expect(simdKernelCovers(shape(1, 2, 8), 4)).toBe(false); // H = 2 < M
    // 64 MiB = 67,108,864 bytes. 4 × 5,592,404 × 3 = 67,108,848 (≤); 4 × 5,592,408 × 3 = 67,108,896 (>).
    expect(MAX_SIMD_IMAGE_BYTES).toBe(67_108_864);
    expect(simdKernelCovers(shape(1, 4, 5_592_404), 4)).toBe(true);
    expect(simdKernelCovers(shape(1, 4, 5_592_408), 4)).toBe(false);
    expect(simdKernelCovers(shape(1, 5_592_408, 4), 4)).toBe(false);
  });

  it('the thresholds: 256 KiB per chunk and per batch', () => {
    expect(DEFAULT_CHUNK_BYTES).toBe(262_144);
    expect(SIMD_MIN_BATCH_BYTES).toBe(262_144);
  });
});

/**
 * Block value k = (c·4 + i)·4 + j (channel c, row i, column j of the block).
 * NCHW: vector c, lane 4i + j = k mod 16. NHWC: byte u = 12i + 3j + c of the
 * block's 48 bytes, vector ⌊u/16⌋, lane u mod 16. Slot out·3 + in (0–8) is the
 * swizzle mask of output vector `out` from input vector `in`: lane ← input lane,
 * 0x80 where the output lane comes from another vector; slot 9 + out is the
 * flip vector of output vector `out` (0xFF where flipped).
 */
function expectedConstants(entries: { slot: number; lane: number; value: number }[]): number[] {
  const out = new Array<number>(12 * 16).fill(0);
  out.fill(0x80, 0, 9 * 16);
  for (const { slot, lane, value } of entries) out[slot * 16 + lane] = value;
  return out;
}

const identity = Array.from({ length: 48 }, (_, k) => k);
const noFlip = new Array<number>(48).fill(0);
/** Slots 0, 4, 8 as identity swizzles (each output vector from the same input vector). */
const diagonal = [0, 4, 8].flatMap((slot) => Array.from({ length: 16 }, (_, lane) => ({ slot, lane, value: lane })));

describe('kernelConstants: the swizzle masks and flip vectors of hand-worked block maps', () => {
  // Kills blockTransformSimd.ts:93–99 (vectorLane: M·M, ⌊k/M⌋ mod M, k mod M, the NCHW lane 4i + j,
  // u = (4i + j)·3 + c, u >> 4, u & 15) and :111–117 (the 0x80 fill, the slot index, the flip slot).
  it('the identity map without flips: three identity swizzles, 0x80 elsewhere, no flip lanes, in both layouts', () => {
    const expected = expectedConstants(diagonal);
    expect(Array.from(kernelConstants('NHWC', identity, noFlip))).toEqual(expected);
    expect(Array.from(kernelConstants('NCHW', identity, noFlip))).toEqual(expected);
  });

  it('flips land in the lane of their block value', () => {
    // Flipped k = 5 (c 0, i 1, j 1), 6 (c 0, i 1, j 2), 16 (c 1, i 0, j 0), 47 (c 2, i 3, j 3).
    const flip = noFlip.map((_, k) => ([5, 6, 16, 47].includes(k) ? 1 : 0));
    // NHWC: u = 15 → slot 9 lane 15; u = 18 → slot 10 lane 2; u = 1 → slot 9 lane 1; u = 47 → slot 11 lane 15.
    expect(Array.from(kernelConstants('NHWC', identity, flip))).toEqual(
      expectedConstants([...diagonal, { slot: 9, lane: 15, value: 255 }, { slot: 10, lane: 2, value: 255 }, { slot: 9, lane: 1, value: 255 }, { slot: 11, lane: 15, value: 255 }]),
    );
    // NCHW: k = 5 → slot 9 lane 5; 6 → slot 9 lane 6; 16 → slot 10 lane 0; 47 → slot 11 lane 15.
    expect(Array.from(kernelConstants('NCHW', identity, flip))).toEqual(
      expectedConstants([...diagonal, { slot: 9, lane: 5, value: 255 }, { slot: 9, lane: 6, value: 255 }, { slot: 10, lane: 0, value: 255 }, { slot: 11, lane: 15, value: 255 }]),
    );
  });

  it('a swap of two block values in different channels', () => {
    // source[0] = 16, source[16] = 0 (c 0 and c 1 at row 0, column 0), the rest identity.
    const source = identity.map((k) => (k === 0 ? 16 : k === 16 ? 0 : k));
    // NHWC: k = 0 is u = 0 (vector 0, lane 0), k = 16 is u = 1 (vector 0, lane 1): both inside slot 0.
    const nhwc = diagonal.map((e) => (e.slot === 0 && e.lane < 2 ? { ...e, value: 1 - e.lane } : e));
    expect(Array.from(kernelConstants('NHWC', source, noFlip))).toEqual(expectedConstants(nhwc));
    // NCHW: k = 0 is vector 0 lane 0, k = 16 vector 1 lane 0. Output vector 0 lane 0 from input vector 1 lane 0
    // (slot 1), output vector 1 lane 0 from input vector 0 lane 0 (slot 3); slots 0 and 4 lose their lane 0.
    const nchw = [...diagonal.filter((e) => !((e.slot === 0 || e.slot === 4) && e.lane === 0)), { slot: 1, lane: 0, value: 0 }, { slot: 3, lane: 0, value: 0 }];
    expect(Array.from(kernelConstants('NCHW', source, noFlip))).toEqual(expectedConstants(nchw));
  });

  it('the reversal k ↦ 47 − k: output vector v from input vector 2 − v, lanes reversed (NCHW)', () => {
    // NCHW: output k (vector ⌊k/16⌋, lane k mod 16) ← input 47 − k (vector 2 − ⌊k/16⌋, lane 15 − k mod 16).
    const reversed = identity.map((k) => 47 - k);
    const entries = [0, 1, 2].flatMap((out) => Array.from({ length: 16 }, (_, lane) => ({ slot: out * 3 + (2 - out), lane, value: 15 - lane })));
    expect(Array.from(kernelConstants('NCHW', reversed, noFlip))).toEqual(expectedConstants(entries));
  });
});

/** Eqs. 4–5 on every image of a batch through the spec (one image at a time, channel-major), in the batch's layout. */
function specEncrypt(data: Uint8Array, s: BatchShape, layout: Layout, v: readonly number[], r: readonly number[]): Uint8Array {
  const { count: N, height: H, width: W, channels: C } = s;
  const L = H * W * C;
  const out = new Uint8Array(data.length);
  for (let n = 0; n < N; n++) {
    const img = specImage(C, H, W);
    for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.data[(c * H + y) * W + x] = data[n * L + at(s, layout, c, y, x)];
    const enc = encryptImage8bit(img, 4, v, r);
    for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[n * L + at(s, layout, c, y, x)] = enc.data[(c * H + y) * W + x];
  }
  return out;
}

/** Position of value (c, y, x) within an image of the layout. */
function at(s: BatchShape, layout: Layout, c: number, y: number, x: number): number {
  return layout === 'NCHW' ? (c * s.height + y) * s.width + x : (y * s.width + x) * s.channels + c;
}

/**
 * The same equations as one plain loop, fast enough for large batches: in the
 * block at (by, bx), value k = (c·4 + i)·4 + j of the output is value v_k of the
 * input (Eq. 4), XOR 0xFF where r_k = 1 (Eq. 5). Checked against the spec below.
 */
function loopEncrypt(data: Uint8Array, s: BatchShape, layout: Layout, v: ArrayLike<number>, r: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(data.length);
  const L = s.height * s.width * s.channels;
  const pos = (k: number, by: number, bx: number) => at(s, layout, Math.floor(k / 16), by + (Math.floor(k / 4) % 4), bx + (k % 4));
  for (let n = 0; n < s.count; n++)
    for (let by = 0; by < s.height; by += 4)
      for (let bx = 0; bx < s.width; bx += 4)
        for (let k = 0; k < 48; k++) out[n * L + pos(k, by, bx)] = data[n * L + pos(v[k], by, bx)] ^ (r[k] === 1 ? 0xff : 0);
  return out;
}

/** Pseudo-random bytes (a fixed LCG; any values will do, as long as they differ). */
function bytes(length: number, seed: number): Uint8Array {
  let x = seed >>> 0;
  return Uint8Array.from({ length }, () => {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x >>> 24;
  });
}

const keyA = generateKey({ blockSize: 4, channels: 3, seed: 'simd-units-a' });
const keyB = generateKey({ blockSize: 4, channels: 3, seed: 'simd-units-b' });

/** Byte-for-byte equality, reporting the first difference (fast on large batches, unlike a diff of arrays). */
function expectSameBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  const first = got.findIndex((x, i) => x !== want[i]);
  expect(first === -1 ? 'equal' : `first difference at ${first}: ${got[first]} ≠ ${want[first]}`).toBe('equal');
}

describe('the plain loop of Eqs. 4–5 used below ≡ the spec', () => {
  it('on both layouts and three image sizes, for two keys', () => {
    for (const layout of ['NHWC', 'NCHW'] as Layout[])
      for (const [h, w] of [[4, 4], [8, 12], [12, 8]])
        for (const k of [keyA, keyB]) {
          const s = shape(2, h, w);
          const input = bytes(2 * h * w * 3, h + w);
          expectSameBytes(loopEncrypt(input, s, layout, k.permutation, k.flip), specEncrypt(input, s, layout, Array.from(k.permutation), Array.from(k.flip)));
        }
  });
});

describe('transformUint8Simd ≡ Eqs. 4–5, small batches', () => {
  // Kills blockTransformSimd.ts:196–216 (chunk count and offsets, the layout switch, the kernel's block-row
  // count (images·H)/4 and stride W·C, copying in and out) and, through the results, the constants.
  for (const layout of ['NHWC', 'NCHW'] as Layout[]) {
    for (const [h, w] of [
      [4, 4],
      [8, 12],
      [12, 8],
    ]) {
      for (const chunk of [undefined, 1, 2, 3, 5]) {
        it(`${layout} ${h}×${w}, 5 images, chunkImages ${String(chunk)}`, () => {
          const s = shape(5, h, w);
          const input = bytes(5 * h * w * 3, h * 100 + w + (layout === 'NCHW' ? 7 : 0));
          const copy = input.slice();
          const got = transformUint8Simd(input, s, layout, keyA.permutation, keyA.flip, chunk);
          expectSameBytes(got, loopEncrypt(input, s, layout, keyA.permutation, keyA.flip));
          expect(input).toEqual(copy);
        });
      }
    }
  }

  it('one block map by hand: the reversal of each block, every other value flipped (4×4 NCHW, one image)', () => {
    // Block value k is input value 47 − k, then x ↦ 255 − x where k is even. Input value k = k.
    const source = identity.map((k) => 47 - k);
    const flip = identity.map((k) => (k % 2 === 0 ? 1 : 0));
    const got = transformUint8Simd(Uint8Array.from(identity), shape(1, 4, 4), 'NCHW', source, flip);
    expect(Array.from(got)).toEqual(identity.map((k) => (k % 2 === 0 ? 255 - (47 - k) : 47 - k)));
  });
});

describe('transformUint8Simd: memory and chunks', () => {
  it('a batch that needs more wasm memory than one 64 KiB page (memory grows, input and output do not overlap)', () => {
    // 32×32×3 = 3,072 bytes per image; chunks of 20 images need 2 · 61,440 bytes: one more page.
    // Then chunks of 50 images (307,200 bytes): several more pages. Kills :203 (the grow condition and page count).
    const s20 = shape(23, 32, 32);
    const a = bytes(23 * 3072, 11);
    expectSameBytes(transformUint8Simd(a, s20, 'NHWC', keyA.permutation, keyA.flip, 20), loopEncrypt(a, s20, 'NHWC', keyA.permutation, keyA.flip));
    const s50 = shape(60, 32, 32);
    const b = bytes(60 * 3072, 12);
    expectSameBytes(transformUint8Simd(b, s50, 'NCHW', keyB.permutation, keyB.flip, 50), loopEncrypt(b, s50, 'NCHW', keyB.permutation, keyB.flip));
  });

  it('the default chunk of an image larger than 256 KiB is one image (296×296×3 = 262,848 bytes)', () => {
    // ⌊262,144 / 262,848⌋ = 0, so max(1, 0) = 1 image per chunk. Kills :198 (Math.max → Math.min: no progress, a timeout).
    const s = shape(2, 296, 296);
    const input = bytes(2 * 262_848, 13);
    expectSameBytes(transformUint8Simd(input, s, 'NHWC', keyB.permutation, keyB.flip), loopEncrypt(input, s, 'NHWC', keyB.permutation, keyB.flip));
  });

  it('the default chunk of small images: 5,462 images of 4×4×3 (⌊262,144 / 48⌋ = 5,461 per chunk, then 1)', () => {
    // Kills :198 (DEFAULT_CHUNK_BYTES / L → · L, the chunk floor) where a too-large chunk would not fit the memory layout.
    const s = shape(5462, 4, 4);
    const input = bytes(5462 * 48, 14);
    expectSameBytes(transformUint8Simd(input, s, 'NCHW', keyA.permutation, keyA.flip), loopEncrypt(input, s, 'NCHW', keyA.permutation, keyA.flip));
  });
});

describe('compiled kernels: one per block map, 16 kept', () => {
  // Kills :164 (the cache key: the permutation's separator, the '/' between permutation and flips) and :166–171.
  it('two permutations whose values, written without separators, read the same ("1","11" and "11","1") each get their own kernel', () => {
    const a = identity.map((k) => (k === 0 ? 1 : k === 1 ? 11 : k === 11 ? 0 : k));
    const b = identity.map((k) => (k === 0 ? 11 : k === 1 ? 1 : k === 11 ? 0 : k));
    const input = bytes(2 * 48, 15);
    for (const source of [a, b, a]) {
      expectSameBytes(transformUint8Simd(input, shape(2, 4, 4), 'NHWC', source, noFlip), loopEncrypt(input, shape(2, 4, 4), 'NHWC', source, noFlip));
    }
  });

  it('one permutation with different flip vectors, and 20 block maps used in turn and again (beyond the 16 kept)', () => {
    const input = bytes(3 * 8 * 8 * 3, 16);
    const s = shape(3, 8, 8);
    const keys = Array.from({ length: 20 }, (_, i) => generateKey({ blockSize: 4, channels: 3, seed: `simd-cache-${i}` }));
    const flipped = keys[0].flip.map((f: number) => 1 - f);
    for (const round of [0, 1]) {
      for (const k of keys) {
        expectSameBytes(transformUint8Simd(input, s, 'NCHW', k.permutation, k.flip), loopEncrypt(input, s, 'NCHW', k.permutation, k.flip));
      }
      expectSameBytes(transformUint8Simd(input, s, 'NCHW', keys[0].permutation, flipped), loopEncrypt(input, s, 'NCHW', keys[0].permutation, flipped));
    }
  });
});

/**
 * A fresh copy of the module (empty kernel cache, no wasm memory yet) on a
 * WebAssembly whose Module constructor counts compilations and whose Memory
 * is kept, so the cache's policy and the memory's size can be seen.
 */
/** The few WebAssembly members used here (this project compiles without the DOM library). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: unknown;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}
const REAL_WEBASSEMBLY = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
async function freshModule(): Promise<{ simd: typeof import('./blockTransformSimd.ts'); compiled: () => number; memoryBytes: () => number }> {
  const real = REAL_WEBASSEMBLY;
  let compiled = 0;
  let memory: { readonly buffer: ArrayBuffer } | undefined;
  vi.stubGlobal('WebAssembly', {
    validate: (bytes: Uint8Array) => real.validate(bytes),
    Module: function Module(bytes: Uint8Array) {
      compiled++;
      return new real.Module(bytes);
    },
    Instance: real.Instance,
    Memory: function Memory(descriptor: { initial: number }) {
      memory = new real.Memory(descriptor);
      return memory;
    },
  });
  vi.resetModules();
  const simd = await import('./blockTransformSimd.ts');
  return { simd, compiled: () => compiled, memoryBytes: () => memory?.buffer.byteLength ?? 0 };
}

describe('a fresh module: runtime check, kernel cache policy, memory size', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  // Kills :71 (`typeof WebAssembly === 'object' && …` → true, → `true && …`, && → ||): NoCoverage before.
  it('no WebAssembly: the kernel is not available', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const { simdKernelAvailable } = await import('./blockTransformSimd.ts');
    expect(simdKernelAvailable()).toBe(false);
  });

  it('WebAssembly that does not validate the kernel (no SIMD): not available; one that does: available', async () => {
    vi.stubGlobal('WebAssembly', { validate: () => false });
    vi.resetModules();
    expect((await import('./blockTransformSimd.ts')).simdKernelAvailable()).toBe(false);
    const { simd } = await freshModule();
    expect(simd.simdKernelAvailable()).toBe(true);
  });

  // Kills :173 (`if (kernel)` → false, its block → {}: no reuse, or no refresh of the order) and :178 (the eviction:
  // → true, → false, >= → >, >= → <).
  it('one compilation per block map, the 16 most recently used kept', async () => {
    const { simd, compiled } = await freshModule();
    const input = bytes(48, 21);
    const keys = Array.from({ length: 17 }, (_, i) => generateKey({ blockSize: 4, channels: 3, seed: `lru-${i}` }));
    const run = (i: number) => expectSameBytes(simd.transformUint8Simd(input, shape(1, 4, 4), 'NHWC', keys[i].permutation, keys[i].flip), loopEncrypt(input, shape(1, 4, 4), 'NHWC', keys[i].permutation, keys[i].flip));
    run(0);
    run(1);
    run(0); // reused, and now the most recently used: key 1 is the least
    expect(compiled()).toBe(2);
    for (let i = 2; i < 16; i++) run(i);
    expect(compiled()).toBe(16); // 16 kept: 1, 0, 2, …, 15 from least to most recently used
    run(16); // the 17th evicts key 1 (first compiled would be key 0)
    expect(compiled()).toBe(17);
    run(0);
    expect(compiled()).toBe(17); // key 0 still kept
    run(1);
    expect(compiled()).toBe(18); // key 1 was evicted
  });

  // Kills :200 (Math.min → Math.max: one chunk of the default size even for one image; DEFAULT_CHUNK_BYTES / L → · L)
  // and :204 (the pages to grow: needed − size → needed + size).
  it('wasm memory grows to two chunks (input and output) of the batch, in whole 64 KiB pages, no more', async () => {
    const { simd, memoryBytes } = await freshModule();
    const run = (count: number, h: number, w: number, chunk?: number) => {
      const s = shape(count, h, w);
      const input = bytes(count * h * w * 3, count + h);
      expectSameBytes(simd.transformUint8Simd(input, s, 'NCHW', keyA.permutation, keyA.flip, chunk), loopEncrypt(input, s, 'NCHW', keyA.permutation, keyA.flip));
    };
    run(1, 4, 4); // 2 · 48 bytes: the first page
    expect(memoryBytes()).toBe(65_536);
    run(20, 32, 32, 20); // 2 · 20 · 3,072 = 122,880 bytes: ⌈(122,880 − 65,536) / 65,536⌉ = 1 more page
    expect(memoryBytes()).toBe(131_072);
    run(5462, 4, 4); // default chunks of ⌊262,144 / 48⌋ = 5,461 images: 2 · 5,461 · 48 = 524,256 bytes, 8 pages
    expect(memoryBytes()).toBe(524_288);
  });
});

/** The .wat's placeholder of layout L, slot S (blockTransformSimd.wat, line 8): c1 9e 7a 5b L S c1 9e 7a 5b L S c1 9e 7a 5b. */
const placeholderBytes = (L: number, S: number) => [0xc1, 0x9e, 0x7a, 0x5b, L, S, 0xc1, 0x9e, 0x7a, 0x5b, L, S, 0xc1, 0x9e, 0x7a, 0x5b];

/** The module loaded anew on a made-up template: a zero byte before each of the given placeholders. */
async function withTemplate(placeholders: [number, number][]): Promise<typeof import('./blockTransformSimd.ts')> {
  const template = Uint8Array.from(placeholders.flatMap(([L, S]) => [0, ...placeholderBytes(L, S)]));
  vi.resetModules();
  vi.doMock('./blockTransformSimd.wasm.ts', () => ({ BLOCK_KERNEL_WASM_BASE64: Buffer.from(template).toString('base64') }));
  return import('./blockTransformSimd.ts');
}

describe('placeholderOffsets on made-up templates', () => {
  afterEach(() => {
    vi.doUnmock('./blockTransformSimd.wasm.ts');
    vi.resetModules();
  });
  const all = Array.from({ length: 24 }, (_, p): [number, number] => [Math.floor(p / 12), p % 12]);

  // Kills :141 (`i + 16 <= bytes.length` → <: the last placeholder ends with the template).
  it('every placeholder found, in layout-major order, also one flush against the end', async () => {
    const simd = await withTemplate(all);
    // Placeholder p starts at 17p + 1 (a zero byte, then 16 bytes each); the last ends at byte 408, the end.
    expect(simd.placeholderOffsets()).toEqual(all.map((_, p) => 17 * p + 1));
    const shuffled = await withTemplate([...all.slice(12), ...all.slice(0, 12)]); // NCHW's first
    expect(shuffled.placeholderOffsets()).toEqual(all.map((_, p) => 17 * ((p + 12) % 24) + 1));
  });

  // The module's CipherpatchError class is the fresh copy's own: compare check and message.
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return { check: (e as { check?: string }).check, message: (e as Error).message };
    }
    return 'nothing thrown';
  };

  // Kills :142 (`at.length !== 1` → false; the check and message, NoCoverage before).
  it('a placeholder missing or twice in the template is refused', async () => {
    const missing = await withTemplate(all.slice(1));
    expect(thrown(() => missing.placeholderOffsets())).toEqual({ check: 'transform.kernel-template', message: 'kernel placeholder 0/0 occurs 0 times in the template (expected once)' });
    const twice = await withTemplate([...all, [1, 11]]);
    expect(thrown(() => twice.placeholderOffsets())).toEqual({ check: 'transform.kernel-template', message: 'kernel placeholder 1/11 occurs 2 times in the template (expected once)' });
  });
});
