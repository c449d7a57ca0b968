/**
 * The WebAssembly SIMD path of System A on 8-bit images (Eqs. 4–5) for block
 * size M = 4 and C = 3 channels, the paper's CIFAR-10 setting. The kernel
 * (blockTransformSimd.wat, compiled into blockTransformSimd.wasm.ts by
 * `npm run wasm:build`) permutes and flips each 48-byte block with byte
 * swizzles. It is a template: this module writes one block map's swizzle
 * masks and flip vectors into its constant placeholders and compiles the
 * result (cached per block map), then streams a batch through wasm memory in
 * chunks small enough to stay in the CPU cache (copy in → kernel → copy out).
 *
 * Wasm memory (one, shared by every compiled kernel) during one call:
 *   [0, chunk)            output of the current chunk
 *   …
 *   [end − chunk, end)    input of the current chunk, flush against the end
 * The kernel reads no byte past a block, so there is no padding: a kernel
 * that did would trap (out of bounds) on every call.
 */
import { fail } from './errors.ts';
import { BLOCK_KERNEL_WASM_BASE64 } from './blockTransformSimd.wasm.ts';
import type { BatchShape, Layout } from './images.ts';

// The few WebAssembly JS-API members used here (TypeScript's lib.dom has the
// full declarations; this project compiles without the DOM library).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export const SIMD_BLOCK_SIZE = 4;
export const SIMD_CHANNELS = 3;
const PAGE = 65536;
/**
 * Input bytes per chunk: input and output of one chunk (2 × 256 KiB) stay in
 * the L2 cache. 85 CIFAR images; see bench/RESULTS.md.
 */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/**
 * Smaller batches go to the JS path: a kernel is compiled per block map
 * (≈ 0.25 ms CPU), which a small batch with a new key does not pay back:
 * measured with a new key per call, the two break even at ≈ 40–85 CIFAR
 * images (bench/RESULTS.md).
 */
export const SIMD_MIN_BATCH_BYTES = DEFAULT_CHUNK_BYTES;
/** Larger images go to the JS path (wasm32 memory would have to hold two of them). */
export const MAX_SIMD_IMAGE_BYTES = 64 * 1024 * 1024;
/** Compiled kernels kept (one per block map: a key's encryption or decryption). */
const CACHED_KERNELS = 16;

/** A compiled kernel: the two exported functions of blockTransformSimd.wat. */
export interface Kernel {
  readonly nhwc_m4c3: (src: number, dst: number, blockRows: number, stride: number) => void;
  readonly nchw_m4c3: (src: number, dst: number, images: number, height: number, width: number) => void;
}

let template: Uint8Array | undefined;
/** The kernel template's wasm bytes (decoded once). */
export function blockKernelBytes(): Uint8Array {
  template ??= Uint8Array.from(atob(BLOCK_KERNEL_WASM_BASE64), (ch) => ch.charCodeAt(0));
  return template;
}

let available: boolean | undefined;
/** Whether this runtime can run the kernel: WebAssembly with the SIMD proposal. */
export function simdKernelAvailable(): boolean {
  available ??= typeof WebAssembly === 'object' && WebAssembly.validate(blockKernelBytes());
  return available;
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

/** Constant vectors per layout: 9 swizzle masks and 3 flip vectors. */
const SLOTS = 12;
const KERNEL_LAYOUTS: readonly Layout[] = ['NHWC', 'NCHW'];

/**
 * The kernel's constants for one block map and layout (12 × 16 bytes):
 * output block value k is input block value source[k], flipped
 * (x ↦ x XOR 0xFF = 255 − x, Eq. 5) where flip[k] = 1. Slot out·3 + in is the
 * swizzle mask of output vector `out` from input vector `in` (lane ← source
 * lane; 0x80, which gives 0, where the value comes from another vector);
 * slot 9 + out is the flip vector of output vector `out`.
 */
export function kernelConstants(layout: Layout, source: ArrayLike<number>, flip: ArrayLike<number>): Uint8Array {
  const constants = new Uint8Array(SLOTS * 16);
  constants.fill(0x80, 0, 9 * 16);
  for (let k = 0; k < source.length; k++) {
    const [outVector, outLane] = vectorLane(layout, k);
    const [inVector, inLane] = vectorLane(layout, source[k]);
    constants[(outVector * 3 + inVector) * 16 + outLane] = inLane;
    if (flip[k] === 1) constants[(9 + outVector) * 16 + outLane] = 0xff;
  }
  return constants;
}

/** The template's placeholder for slot `slot` of layout number `layout` (see the .wat). */
function placeholder(layout: number, slot: number): number[] {
  const marker = [0xc1, 0x9e, 0x7a, 0x5b];
  return [...marker, layout, slot, ...marker, layout, slot, ...marker];
}

let offsets: number[] | undefined;
/** Byte offset of every placeholder in the template (index layout·12 + slot); each occurs exactly once. */
export function placeholderOffsets(): readonly number[] {
  if (offsets) return offsets;
  const bytes = blockKernelBytes();
  const found: number[] = [];
  for (let layout = 0; layout < KERNEL_LAYOUTS.length; layout++) {
    for (let slot = 0; slot < SLOTS; slot++) {
      const pattern = placeholder(layout, slot);
      const at: number[] = [];
      for (let i = 0; i + 16 <= bytes.length; i++) if (pattern.every((b, j) => bytes[i + j] === b)) at.push(i);
      if (at.length !== 1) fail('transform.kernel-template', `kernel placeholder ${layout}/${slot} occurs ${at.length} times in the template (expected once)`);
      found.push(at[0]);
    }
  }
  offsets = found;
  return offsets;
}

/** The template with one block map's constants (per layout, from kernelConstants) in place of its placeholders. */
export function specializeKernel(constants: Readonly<Record<Layout, Uint8Array>>): Uint8Array {
  const bytes = Uint8Array.from(blockKernelBytes());
  const at = placeholderOffsets();
  KERNEL_LAYOUTS.forEach((layout, l) => {
    for (let slot = 0; slot < SLOTS; slot++) bytes.set(constants[layout].subarray(slot * 16, slot * 16 + 16), at[l * SLOTS + slot]);
  });
  return bytes;
}

/** Compiles kernel bytes against a memory. */
export function instantiateKernel(bytes: Uint8Array, memory: WasmMemory): Kernel {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as Kernel;
}

let sharedMemory: WasmMemory | undefined;
const kernels = new Map<string, Kernel>();

/** The compiled kernel of one block map (least recently used ones are dropped). */
function kernelFor(source: ArrayLike<number>, flip: ArrayLike<number>): Kernel {
  sharedMemory ??= new WebAssembly.Memory({ initial: 1 });
  const id = `${Array.from(source).join(',')}/${Array.from(flip).join('')}`;
  let kernel = kernels.get(id);
  if (kernel) {
    kernels.delete(id);
  } else {
    const constants = { NHWC: kernelConstants('NHWC', source, flip), NCHW: kernelConstants('NCHW', source, flip) };
    kernel = instantiateKernel(specializeKernel(constants), sharedMemory);
    if (kernels.size >= CACHED_KERNELS) kernels.delete(kernels.keys().next().value as string);
  }
  kernels.set(id, kernel);
  return kernel;
}

/**
 * Applies one block map to every block of every image: output block value k
 * is input block value source[k], flipped where flip[k] = 1. `chunkImages`
 * (default: DEFAULT_CHUNK_BYTES worth) is how many images go through wasm
 * memory at a time. The caller has checked the shape (simdKernelCovers).
 */
export function transformUint8Simd(
  input: Uint8Array,
  shape: BatchShape,
  layout: Layout,
  source: ArrayLike<number>,
  flip: ArrayLike<number>,
  chunkImages?: number,
): Uint8Array {
  const { count, height: H, width: W, channels: C } = shape;
  const L = H * W * C;
  const perChunk = Math.min(count, chunkImages ?? Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / L)));
  const kernel = kernelFor(source, flip);
  const wasm = sharedMemory as WasmMemory;
  const needed = 2 * perChunk * L;
  if (wasm.buffer.byteLength < needed) wasm.grow(Math.ceil((needed - wasm.buffer.byteLength) / PAGE));
  const memory = new Uint8Array(wasm.buffer);
  const out = new Uint8Array(input.length);
  for (let n = 0; n < count; n += perChunk) {
    const images = Math.min(perChunk, count - n);
    const start = n * L;
    const length = images * L;
    const inOffset = memory.length - length;
    memory.set(input.subarray(start, start + length), inOffset);
    if (layout === 'NHWC') kernel.nhwc_m4c3(inOffset, 0, (images * H) / SIMD_BLOCK_SIZE, W * C);
    else kernel.nchw_m4c3(inOffset, 0, images, H, W);
    out.set(memory.subarray(0, length), start);
  }
  return out;
}
