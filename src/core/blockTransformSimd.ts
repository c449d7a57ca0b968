/**
 * The WebAssembly SIMD path of System A on 8-bit images (Eqs. 4–5) for block
 * size M = 4 and C = 3 channels, the paper's CIFAR-10 setting. The kernel
 * (blockTransformSimd.wat, compiled into blockTransformSimd.wasm.ts by
 * `npm run wasm:build`) permutes and flips each 48-byte block with byte
 * swizzles; this module builds its masks from one block's source/flip vectors
 * and streams a batch through wasm memory in chunks small enough to stay in
 * the CPU cache (copy in → kernel → copy out).
 *
 * Wasm memory layout during one call:
 *   [0, MASK_BYTES)                    masks
 *   [MASK_BYTES, MASK_BYTES + chunk)   output of the current chunk
 *   …
 *   [end − chunk, end)                 input of the current chunk, flush
 *                                      against the end of memory
 * The kernel reads no byte past a block, so there is no padding: a kernel
 * that did would trap (out of bounds) on every call.
 */
import { BLOCK_KERNEL_WASM_BASE64 } from './blockTransformSimd.wasm.ts';
import type { BatchShape, Layout } from './images.ts';

// The few WebAssembly JS-API members used here (TypeScript's lib.dom has the
// full declarations; this project compiles without the DOM library).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export const SIMD_BLOCK_SIZE = 4;
export const SIMD_CHANNELS = 3;
/** Bytes reserved for the masks at the start of memory (the kernel uses 192). */
const MASK_BYTES = 512;
const PAGE = 65536;
/**
 * Input bytes per chunk: input and output of one chunk (2 × 256 KiB) stay in
 * the L2 cache. 85 CIFAR images; see bench/RESULTS.md.
 */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** Larger images go to the JS path (wasm32 memory would have to hold two of them). */
export const MAX_SIMD_IMAGE_BYTES = 64 * 1024 * 1024;

interface Kernel {
  readonly memory: WasmMemory;
  readonly nhwc_m4c3: (src: number, dst: number, masks: number, blockRows: number, stride: number) => void;
  readonly nchw_m4c3: (src: number, dst: number, masks: number, images: number, height: number, width: number) => void;
}

let bytes: Uint8Array | undefined;
/** The kernel's wasm bytes (decoded once). */
export function blockKernelBytes(): Uint8Array {
  bytes ??= Uint8Array.from(atob(BLOCK_KERNEL_WASM_BASE64), (ch) => ch.charCodeAt(0));
  return bytes;
}

let available: boolean | undefined;
/** Whether this runtime can run the kernel: WebAssembly with the SIMD proposal. */
export function simdKernelAvailable(): boolean {
  available ??= typeof WebAssembly === 'object' && WebAssembly.validate(blockKernelBytes());
  return available;
}

let kernel: Kernel | undefined;
function instance(): Kernel {
  kernel ??= new WebAssembly.Instance(new WebAssembly.Module(blockKernelBytes()), {}).exports as unknown as Kernel;
  return kernel;
}

/** Whether the kernel covers these images (any H, W divisible by 4; M = 4, C = 3). */
export function simdKernelCovers(shape: BatchShape, blockSize: number): boolean {
  return (
    blockSize === SIMD_BLOCK_SIZE &&
    shape.channels === SIMD_CHANNELS &&
    shape.height % SIMD_BLOCK_SIZE === 0 &&
    shape.width % SIMD_BLOCK_SIZE === 0 &&
    shape.height * shape.width * shape.channels <= MAX_SIMD_IMAGE_BYTES
  );
}

/**
 * Where block value k = (c·M + i)·M + j sits in the kernel's 3 vectors: NHWC
 * packs the block's 4 rows of 12 bytes in row order (byte u = 12i + 3j + c is
 * vector ⌊u/16⌋, lane u mod 16); NCHW has one vector per channel (lane 4i + j).
 */
function vectorLane(layout: Layout, k: number): [number, number] {
  const M = SIMD_BLOCK_SIZE;
  const c = Math.floor(k / (M * M));
  const i = Math.floor(k / M) % M;
  const j = k % M;
  if (layout === 'NCHW') return [c, i * M + j];
  const u = (i * M + j) * SIMD_CHANNELS + c;
  return [u >> 4, u & 15];
}

/**
 * The kernel's masks for one block map: output block value k is input block
 * value source[k], flipped (x ↦ x XOR 0xFF = 255 − x, Eq. 5) where flip[k] = 1.
 * Swizzle mask (out, in) at (out·3 + in)·16 — lane ← source lane, 0x80 (gives
 * 0) where the value comes from another vector — then the flip vectors at
 * 144 + out·16.
 */
export function kernelMasks(layout: Layout, source: ArrayLike<number>, flip: ArrayLike<number>): Uint8Array {
  const V = 3;
  const masks = new Uint8Array(MASK_BYTES);
  masks.fill(0x80, 0, V * V * 16);
  for (let k = 0; k < source.length; k++) {
    const [outVector, outLane] = vectorLane(layout, k);
    const [inVector, inLane] = vectorLane(layout, source[k]);
    masks[(outVector * V + inVector) * 16 + outLane] = inLane;
    if (flip[k] === 1) masks[V * V * 16 + outVector * 16 + outLane] = 0xff;
  }
  return masks;
}

/**
 * Applies the block map of `masks` to every block of every image. `chunkImages`
 * (default: DEFAULT_CHUNK_BYTES worth) is how many images go through wasm
 * memory at a time. The caller has checked the shape (simdKernelCovers).
 */
export function transformUint8Simd(input: Uint8Array, shape: BatchShape, layout: Layout, masks: Uint8Array, chunkImages?: number): Uint8Array {
  const { count, height: H, width: W, channels: C } = shape;
  const L = H * W * C;
  const perChunk = Math.min(count, chunkImages ?? Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / L)));
  const k = instance();
  const needed = MASK_BYTES + 2 * perChunk * L;
  if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / PAGE));
  const memory = new Uint8Array(k.memory.buffer);
  memory.set(masks, 0);
  const out = new Uint8Array(input.length);
  for (let n = 0; n < count; n += perChunk) {
    const images = Math.min(perChunk, count - n);
    const start = n * L;
    const length = images * L;
    const inOffset = memory.length - length;
    memory.set(input.subarray(start, start + length), inOffset);
    if (layout === 'NHWC') k.nhwc_m4c3(inOffset, MASK_BYTES, 0, (images * H) / SIMD_BLOCK_SIZE, W * C);
    else k.nchw_m4c3(inOffset, MASK_BYTES, 0, images, H, W);
    out.set(memory.subarray(MASK_BYTES, MASK_BYTES + length), start);
  }
  return out;
}
