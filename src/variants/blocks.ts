/**
 * Images (NCHW, float64) ↔ block batches, patches, the model-input map and
 * the patch embedding, for the fuzz harness. A patch of size P is cut exactly
 * like a block of size M = P, so one function does both.
 */
import { fail } from '../core/errors.ts';
import { type BlockBatch, type Domain, type Normalization, type PatchEmbedding, blockLength } from './contract.ts';
import { plural } from '../core/words.ts';

/** Images in NCHW order, float64. */
export interface Images {
  readonly data: Float64Array;
  readonly count: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Cuts images into M×M blocks (or P×P patches), each flattened (c, i, j). */
export function toBlocks(img: Images, blockSize: number): BlockBatch {
  const { count: N, channels: C, height: H, width: W } = img;
  const M = blockSize;
  if (H % M !== 0 || W % M !== 0) fail('image.not-divisible', `image size ${W}×${H} is not divisible by ${M}`);
  const rows = H / M;
  const cols = W / M;
  const pb = M * M * C;
  const out = new Float64Array(img.data.length);
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let by = 0; by < rows; by++)
      for (let bx = 0; bx < cols; bx++)
        for (let c = 0; c < C; c++)
          for (let i = 0; i < M; i++) {
            const base = ((n * C + c) * H + by * M + i) * W + bx * M;
            for (let j = 0; j < M; j++) out[o++] = img.data[base + j];
          }
  if (o !== N * rows * cols * pb) throw new Error('toBlocks: internal size mismatch');
  return { data: out, images: N, rows, cols, blockSize: M, channels: C };
}

/** The inverse of toBlocks. */
export function fromBlocks(b: BlockBatch): Images {
  const { images: N, rows, cols, blockSize: M, channels: C } = b;
  const H = rows * M;
  const W = cols * M;
  const out = new Float64Array(b.data.length);
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let by = 0; by < rows; by++)
      for (let bx = 0; bx < cols; bx++)
        for (let c = 0; c < C; c++)
          for (let i = 0; i < M; i++) {
            const base = ((n * C + c) * H + by * M + i) * W + bx * M;
            for (let j = 0; j < M; j++) out[base + j] = b.data[o++];
          }
  return { data: out, count: N, channels: C, height: H, width: W };
}

/** Values of the domain → what the model sees: uint8 n(x/255), unit n(x), real x (already normalized). */
export function modelInput(img: Images, domain: Domain, norm: Normalization): Images {
  if (domain === 'real') return img;
  const { channels: C, height: H, width: W } = img;
  const plane = H * W;
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / plane) % C;
    const u = domain === 'uint8' ? img.data[i] / 255 : img.data[i];
    out[i] = (u - norm.mean[c]) / norm.std[c];
  }
  return { ...img, data: out };
}

/**
 * The patch embedding (Eq. 3) of every patch: z = x_p·E + b, with E the
 * weight (d, C, P, P) read as (d, p) rows. Returns [patch][d], patches in
 * (image, patch row, patch column) order.
 */
export function embed(img: Images, e: PatchEmbedding): Float64Array {
  const patches = toBlocks(img, e.patch);
  const p = blockLength({ blockSize: e.patch, channels: e.channels });
  if (img.channels !== e.channels) fail('variant.embedding', `image has ${plural(img.channels, 'channel')}, the embedding ${e.channels}`);
  const count = patches.data.length / p;
  const out = new Float64Array(count * e.dim);
  for (let n = 0; n < count; n++)
    for (let o = 0; o < e.dim; o++) {
      let sum = e.bias[o];
      for (let k = 0; k < p; k++) sum += patches.data[n * p + k] * e.weight[o * p + k];
      out[n * e.dim + o] = sum;
    }
  return out;
}

/** Where value i of an NCHW image is: image n, channel c, row y, column x. */
export function coordinates(img: Omit<Images, 'data'>, i: number): { n: number; c: number; y: number; x: number } {
  const x = i % img.width;
  const y = Math.floor(i / img.width) % img.height;
  const c = Math.floor(i / (img.width * img.height)) % img.channels;
  const n = Math.floor(i / (img.width * img.height * img.channels));
  return { n, c, y, x };
}

export function describeValue(img: Omit<Images, 'data'>, i: number): string {
  const { n, c, y, x } = coordinates(img, i);
  return `${img.count > 1 ? `image ${n} ` : ''}(c=${c}, y=${y}, x=${x})`;
}
