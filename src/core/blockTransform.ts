/**
 * Fast block-wise encryption and decryption of whole batches (System A,
 * Eqs. 4–6), with one precomputed index map per (image size, layout, key).
 *
 * For one image, encryption is a gather followed by a flip:
 *   out[i] = flip_i(in[source[i]])
 * where source[i] is where Eq. (4) takes value i from (same block, position
 * permutation[k] instead of k) and flip_i is Eq. (5)/(6) for r_k = 1.
 * Decryption scatters back: out[source[i]] = flip_i(in[i]).
 *
 * 8-bit images have two implementations (Uint8Kernel): 'wasm-simd'
 * (blockTransformSimd.ts: M = 4, C = 3, the paper's CIFAR-10 setting, when
 * the runtime has WebAssembly SIMD) and 'js' (the index map above, any M and
 * C). encryptUint8/decryptUint8 take wasm-simd for batches of 256 KiB or more
 * where it applies (uint8KernelFor); encryptUint8With/decryptUint8With name
 * one explicitly.
 * Both give the same bytes.
 */
import { fail } from './errors.ts';
import {
  type BatchShape,
  type FloatArray,
  type FloatBatch,
  type ImageBatch,
  type Layout,
  type Uint8Batch,
  describeShape,
  imageBatch,
} from './images.ts';
import { type BlockKey, expectKeyFor } from './key.ts';
import { SIMD_MIN_BATCH_BYTES, simdKernelAvailable, simdKernelCovers, transformUint8Simd } from './blockTransformSimd.ts';

/** Index map for one image of a given size and layout. */
export interface BlockIndexMap {
  readonly imageLength: number; // H·W·C
  readonly source: Int32Array; // length H·W·C
  readonly flip: Uint8Array; // length H·W·C, 1 where the value is flipped
}

export function checkDivisible(shape: BatchShape, blockSize: number, layout: Layout): void {
  if (shape.height % blockSize !== 0 || shape.width % blockSize !== 0) {
    fail(
      'image.not-divisible',
      `image size ${shape.width}×${shape.height} (width×height; ${describeShape(shape, layout)}) is not divisible by block size ${blockSize}`,
    );
  }
}

export function blockIndexMap(shape: BatchShape, layout: Layout, key: BlockKey): BlockIndexMap {
  const { height: H, width: W, channels: C } = shape;
  const M = key.blockSize;
  expectKeyFor(key, M, C, 'the images');
  checkDivisible(shape, M, layout);
  const pb = M * M * C;
  // Offset of block position k = (c·M + i)·M + j from the block's top-left value.
  const offset = new Int32Array(pb);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < M; j++)
        offset[(c * M + i) * M + j] = layout === 'NHWC' ? (i * W + j) * C + c : (c * H + i) * W + j;
  const source = new Int32Array(H * W * C);
  const flip = new Uint8Array(H * W * C);
  for (let by = 0; by < H; by += M) {
    for (let bx = 0; bx < W; bx += M) {
      const base = layout === 'NHWC' ? (by * W + bx) * C : by * W + bx;
      for (let k = 0; k < pb; k++) {
        source[base + offset[k]] = base + offset[key.permutation[k]];
        flip[base + offset[k]] = key.flip[k];
      }
    }
  }
  return { imageLength: H * W * C, source, flip };
}

function checkUint8(batch: Uint8Batch): void {
  imageBatch(batch.data, batch.shape, batch.layout);
  if (!(batch.data instanceof Uint8Array)) fail('image.dtype', '8-bit encryption needs a Uint8Array');
}

/** The inverse map: decryption is then a gather too, out[j] = flip_j(in[inverse[j]]). */
export function inverseIndexMap(map: BlockIndexMap): BlockIndexMap {
  const source = new Int32Array(map.imageLength);
  const flip = new Uint8Array(map.imageLength);
  for (let i = 0; i < map.imageLength; i++) {
    source[map.source[i]] = i;
    flip[map.source[i]] = map.flip[i];
  }
  return { imageLength: map.imageLength, source, flip };
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * out[n·L + i] = input[n·L + source[i]] ⊕ xor[i] for every image n. When the
 * image length is a multiple of 4 (and the machine little-endian) four
 * gathered bytes are assembled into one 32-bit store: about twice as fast.
 */
function gatherUint8(input: Uint8Array, { imageLength: L, source, flip }: BlockIndexMap): Uint8Array {
  const out = new Uint8Array(input.length);
  const xor = flip.map((r) => r * 255);
  if (LITTLE_ENDIAN && L % 4 === 0) {
    const out32 = new Uint32Array(out.buffer);
    const xor32 = new Uint32Array(xor.buffer);
    const words = L / 4;
    for (let base = 0, w = 0; base < input.length; base += L, w += words) {
      for (let i = 0, k = 0; i < words; i++, k += 4) {
        out32[w + i] =
          (input[base + source[k]] | (input[base + source[k + 1]] << 8) | (input[base + source[k + 2]] << 16) | (input[base + source[k + 3]] << 24)) ^ xor32[i];
      }
    }
    return out;
  }
  for (let base = 0; base < input.length; base += L) {
    for (let i = 0; i < L; i++) out[base + i] = input[base + source[i]] ^ xor[i];
  }
  return out;
}

/** The implementations of 8-bit encryption and decryption (same results). */
export type Uint8Kernel = 'wasm-simd' | 'js';
export const UINT8_KERNELS: readonly Uint8Kernel[] = ['wasm-simd', 'js'];

/** Whether a kernel can transform these images with this key (the JS path always can). */
export function uint8KernelSupports(kernel: Uint8Kernel, shape: BatchShape, key: BlockKey): boolean {
  if (kernel === 'js') return true;
  return simdKernelAvailable() && simdKernelCovers(shape, key.blockSize) && key.channels === shape.channels;
}

/**
 * The kernel encryptUint8/decryptUint8 use for these images: 'wasm-simd'
 * where it applies and the batch has at least SIMD_MIN_BATCH_BYTES (256 KiB,
 * 86 CIFAR images; below that compiling a kernel for a new key costs more
 * than it saves), else 'js'.
 */
export function uint8KernelFor(shape: BatchShape, key: BlockKey): Uint8Kernel {
  const bytes = shape.count * shape.height * shape.width * shape.channels;
  return bytes >= SIMD_MIN_BATCH_BYTES && uint8KernelSupports('wasm-simd', shape, key) ? 'wasm-simd' : 'js';
}

/** Options of encryptUint8With/decryptUint8With. */
export interface Uint8KernelOptions {
  /** wasm-simd only: images per pass through wasm memory (default: 256 KiB worth). */
  readonly chunkImages?: number;
}

function checkKernel(kernel: Uint8Kernel, batch: Uint8Batch, key: BlockKey, options: Uint8KernelOptions): void {
  if (!UINT8_KERNELS.includes(kernel)) fail('transform.kernel', `unknown 8-bit kernel "${String(kernel)}": use ${UINT8_KERNELS.map((k) => `"${k}"`).join(' or ')}`);
  expectKeyFor(key, key.blockSize, batch.shape.channels, 'the images');
  checkDivisible(batch.shape, key.blockSize, batch.layout);
  if (!uint8KernelSupports(kernel, batch.shape, key)) {
    const why = simdKernelAvailable() ? 'it covers block size 4 with 3 channels and images up to 64 MiB only' : 'this runtime has no WebAssembly SIMD';
    fail('transform.kernel-unsupported', `the ${kernel} kernel cannot transform ${describeShape(batch.shape, batch.layout)} with block size ${key.blockSize}: ${why}`);
  }
  const chunk = options.chunkImages;
  if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1)) fail('transform.chunk', `chunkImages must be a positive integer, got ${chunk}`);
}

/** The block map of decryption: output value k is input value source[k] (the inverse of the key's permutation). */
function inverseBlockMap(key: BlockKey): BlockIndexMap {
  return inverseIndexMap({ imageLength: key.permutation.length, source: key.permutation, flip: key.flip });
}

/** Encrypts 8-bit images (Eqs. 4–5) with the named kernel. Returns a new batch in the same layout. */
export function encryptUint8With(kernel: Uint8Kernel, batch: Uint8Batch, key: BlockKey, options: Uint8KernelOptions = {}): Uint8Batch {
  checkUint8(batch);
  checkKernel(kernel, batch, key, options);
  if (kernel === 'wasm-simd') {
    const data = transformUint8Simd(batch.data, batch.shape, batch.layout, key.permutation, key.flip, options.chunkImages);
    return { data, shape: batch.shape, layout: batch.layout };
  }
  const map = blockIndexMap(batch.shape, batch.layout, key);
  return { data: gatherUint8(batch.data, map), shape: batch.shape, layout: batch.layout };
}

/** Decrypts 8-bit images with the named kernel: the inverse of encryptUint8With. */
export function decryptUint8With(kernel: Uint8Kernel, batch: Uint8Batch, key: BlockKey, options: Uint8KernelOptions = {}): Uint8Batch {
  checkUint8(batch);
  checkKernel(kernel, batch, key, options);
  if (kernel === 'wasm-simd') {
    const inverse = inverseBlockMap(key);
    const data = transformUint8Simd(batch.data, batch.shape, batch.layout, inverse.source, inverse.flip, options.chunkImages);
    return { data, shape: batch.shape, layout: batch.layout };
  }
  const map = inverseIndexMap(blockIndexMap(batch.shape, batch.layout, key));
  return { data: gatherUint8(batch.data, map), shape: batch.shape, layout: batch.layout };
}

/** Encrypts 8-bit images (Eqs. 4–5) with the fastest kernel that applies. Returns a new batch in the same layout. */
export function encryptUint8(batch: Uint8Batch, key: BlockKey): Uint8Batch {
  checkUint8(batch);
  return encryptUint8With(uint8KernelFor(batch.shape, key), batch, key);
}

/** Decrypts 8-bit images: the inverse of encryptUint8. */
export function decryptUint8(batch: Uint8Batch, key: BlockKey): Uint8Batch {
  checkUint8(batch);
  return decryptUint8With(uint8KernelFor(batch.shape, key), batch, key);
}

/**
 * The domain of float images:
 *   unit:       values in [0, 1], flipping is Eq. (6), x ↦ 1 − x;
 *   normalized: values in [−1, 1] after Eq. (7), flipping is x ↦ −x.
 */
export type FloatDomain = 'unit' | 'normalized';

function checkFloat(batch: FloatBatch, domain: FloatDomain): void {
  imageBatch(batch.data, batch.shape, batch.layout);
  if (!(batch.data instanceof Float32Array || batch.data instanceof Float64Array)) fail('image.dtype', 'float encryption needs a Float32Array or Float64Array');
  if (domain !== 'unit' && domain !== 'normalized') fail('image.domain', `unknown float domain "${String(domain)}": use "unit" or "normalized"`);
  const [lo, hi] = domain === 'unit' ? [0, 1] : [-1, 1];
  const data = batch.data;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (Number.isNaN(x)) fail('image.nan', `image value ${i} is NaN`);
    if (x < lo || x > hi) fail('image.range', `image value ${i} is ${x}, outside [${lo}, ${hi}] of the "${domain}" domain`);
  }
}

function newLike(data: FloatArray): FloatArray {
  return data instanceof Float32Array ? new Float32Array(data.length) : new Float64Array(data.length);
}

/** Encrypts float images (Eqs. 4 and 6, or 4 and the sign change after Eq. 7). */
export function encryptFloat<A extends FloatArray>(batch: ImageBatch<A>, key: BlockKey, domain: FloatDomain = 'unit'): ImageBatch<A> {
  checkFloat(batch, domain);
  const { imageLength: L, source, flip } = blockIndexMap(batch.shape, batch.layout, key);
  const unit = domain === 'unit';
  const input = batch.data;
  const out = newLike(input) as A;
  for (let base = 0; base < input.length; base += L) {
    for (let i = 0; i < L; i++) {
      const x = input[base + source[i]];
      out[base + i] = flip[i] === 0 ? x : unit ? 1 - x : -x;
    }
  }
  return { data: out, shape: batch.shape, layout: batch.layout };
}

/** Decrypts float images: the inverse of encryptFloat. */
export function decryptFloat<A extends FloatArray>(batch: ImageBatch<A>, key: BlockKey, domain: FloatDomain = 'unit'): ImageBatch<A> {
  checkFloat(batch, domain);
  const { imageLength: L, source, flip } = blockIndexMap(batch.shape, batch.layout, key);
  const unit = domain === 'unit';
  const input = batch.data;
  const out = newLike(input) as A;
  for (let base = 0; base < input.length; base += L) {
    for (let i = 0; i < L; i++) {
      const x = input[base + i];
      out[base + source[i]] = flip[i] === 0 ? x : unit ? 1 - x : -x;
    }
  }
  return { data: out, shape: batch.shape, layout: batch.layout };
}
