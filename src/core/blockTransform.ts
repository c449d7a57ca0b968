/**
 * Fast block-wise encryption and decryption of whole batches (System A,
 * Eqs. 4–6), with one precomputed index map per (image size, layout, key).
 *
 * For one image, encryption is a gather followed by a flip:
 *   out[i] = flip_i(in[source[i]])
 * where source[i] is where Eq. (4) takes value i from (same block, position
 * permutation[k] instead of k) and flip_i is Eq. (5)/(6) for r_k = 1.
 * Decryption scatters back: out[source[i]] = flip_i(in[i]).
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
      `image size ${shape.height}×${shape.width} (${describeShape(shape, layout)}) is not divisible by block size ${blockSize}`,
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

/** Encrypts 8-bit images (Eqs. 4–5). Returns a new batch in the same layout. */
export function encryptUint8(batch: Uint8Batch, key: BlockKey): Uint8Batch {
  checkUint8(batch);
  const map = blockIndexMap(batch.shape, batch.layout, key);
  return { data: gatherUint8(batch.data, map), shape: batch.shape, layout: batch.layout };
}

/** Decrypts 8-bit images: the inverse of encryptUint8. */
export function decryptUint8(batch: Uint8Batch, key: BlockKey): Uint8Batch {
  checkUint8(batch);
  const map = inverseIndexMap(blockIndexMap(batch.shape, batch.layout, key));
  return { data: gatherUint8(batch.data, map), shape: batch.shape, layout: batch.layout };
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
