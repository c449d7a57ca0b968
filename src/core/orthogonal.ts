/**
 * System C (Aso, Chuman & Kiya 2023) on typed arrays: every normalized block
 * vector times a secret orthogonal matrix Q (p_b × p_b, row-major), and the
 * patch embedding E′ = Qᵀ E (bias unchanged). The encrypted values are real
 * numbers: they cannot be stored as 8-bit images without losing exactness.
 */
import { checkDivisible } from './blockTransform.ts';
import { fail } from './errors.ts';
import { type FloatArray, type ImageBatch, imageBatch } from './images.ts';
import type { RandomSource } from './keygen.ts';
import type { PatchEmbeddingWeight } from './modelTransform.ts';
import { plural } from './words.ts';

export interface OrthogonalKey {
  readonly blockSize: number; // M
  readonly channels: number; // C
  /** Q, p_b × p_b, row-major: Q[i][j] = matrix[i·p_b + j]. */
  readonly matrix: Float64Array;
}

/** Checks the shape and orthogonality (max |QQᵀ − I| ≤ tolerance). */
export function validateOrthogonalKey(key: OrthogonalKey, tolerance = 1e-9): OrthogonalKey {
  const pb = key.blockSize * key.blockSize * key.channels;
  if (key.matrix.length !== pb * pb) fail('orthogonal.shape', `Q has ${key.matrix.length} values, p_b² = ${pb * pb}`);
  for (let i = 0; i < pb; i++)
    for (let j = 0; j < pb; j++) {
      let dot = 0;
      for (let k = 0; k < pb; k++) dot += key.matrix[i * pb + k] * key.matrix[j * pb + k];
      if (!(Math.abs(dot - (i === j ? 1 : 0)) <= tolerance)) fail('orthogonal.not-orthogonal', `Q is not orthogonal: (QQᵀ)[${i}][${j}] = ${dot}`);
    }
  return key;
}

/** Offsets of block position k from a block's first value (the (channel, row, column) order). */
function blockOffsets(M: number, C: number, H: number, W: number, nhwc: boolean): Int32Array {
  const offsets = new Int32Array(M * M * C);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < M; j++) offsets[(c * M + i) * M + j] = nhwc ? (i * W + j) * C + c : (c * H + i) * W + j;
  return offsets;
}

function multiplyBlocks<A extends FloatArray>(batch: ImageBatch<A>, key: OrthogonalKey, transposed: boolean): ImageBatch<A> {
  imageBatch(batch.data, batch.shape, batch.layout);
  const { count, height: H, width: W, channels: C } = batch.shape;
  const M = key.blockSize;
  if (key.channels !== C) fail('key.wrong-channels', `the key is for ${plural(key.channels, 'channel')}, but the images have ${C}`);
  checkDivisible(batch.shape, M, batch.layout);
  const pb = M * M * C;
  const nhwc = batch.layout === 'NHWC';
  const offsets = blockOffsets(M, C, H, W, nhwc);
  const Q = key.matrix;
  const input = batch.data;
  const out = (input instanceof Float32Array ? new Float32Array(input.length) : new Float64Array(input.length)) as A;
  const x = new Float64Array(pb);
  const image = H * W * C;
  for (let n = 0; n < count; n++)
    for (let by = 0; by < H; by += M)
      for (let bx = 0; bx < W; bx += M) {
        const base = n * image + (nhwc ? (by * W + bx) * C : by * W + bx);
        for (let k = 0; k < pb; k++) x[k] = input[base + offsets[k]];
        for (let j = 0; j < pb; j++) {
          let sum = 0;
          // x′_j = Σ_i x_i Q[i][j]  (decrypt: Σ_i x_i Q[j][i])
          for (let i = 0; i < pb; i++) sum += x[i] * (transposed ? Q[j * pb + i] : Q[i * pb + j]);
          out[base + offsets[j]] = sum;
        }
      }
  return { data: out, shape: batch.shape, layout: batch.layout };
}

/** Encrypts normalized float images: x′ = x Q per block. */
export function encryptOrthogonal<A extends FloatArray>(batch: ImageBatch<A>, key: OrthogonalKey): ImageBatch<A> {
  return multiplyBlocks(batch, key, false);
}

/** Decrypts: x = x′ Qᵀ per block. */
export function decryptOrthogonal<A extends FloatArray>(batch: ImageBatch<A>, key: OrthogonalKey): ImageBatch<A> {
  return multiplyBlocks(batch, key, true);
}

/** The model transformation E′ = Qᵀ E on a (d, C, P, P) weight: w′[o][k] = Σ_i Q[i][k]·w[o][i]. */
export function transformPatchEmbeddingOrthogonal<A extends FloatArray>(weight: PatchEmbeddingWeight<A>, key: OrthogonalKey): PatchEmbeddingWeight<A> {
  const [d, C, P] = weight.shape;
  if (P !== key.blockSize || C !== key.channels) fail('key.wrong-block-size', `Q is for block size ${key.blockSize} and ${plural(key.channels, 'channel')}, the patch embedding has patch size ${P} and ${plural(C, 'channel')}`);
  const pb = C * P * P;
  if (weight.data.length !== d * pb) fail('model.weight-length', `patch-embedding weight has ${weight.data.length} values, shape (${weight.shape.join(', ')}) needs ${d * pb}`);
  const w = weight.data;
  const out = (w instanceof Float32Array ? new Float32Array(w.length) : new Float64Array(w.length)) as A;
  for (let o = 0; o < d; o++)
    for (let k = 0; k < pb; k++) {
      let sum = 0;
      for (let i = 0; i < pb; i++) sum += key.matrix[i * pb + k] * w[o * pb + i];
      out[o * pb + k] = sum;
    }
  return { data: out, shape: weight.shape };
}

/** A Haar-random orthogonal matrix: Gram–Schmidt (twice, for stability) on Gaussian rows. */
export function randomOrthogonal(n: number, random: RandomSource): Float64Array {
  const gaussian = () => {
    // Box–Muller from two uniforms in (0, 1) with 2^-30 resolution.
    const u = (random.int(2 ** 30) + 0.5) / 2 ** 30;
    const v = random.int(2 ** 30) / 2 ** 30;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const q = Float64Array.from({ length: n * n }, gaussian);
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += q[i * n + k] * q[j * n + k];
        for (let k = 0; k < n; k++) q[i * n + k] -= dot * q[j * n + k];
      }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += q[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) q[i * n + k] /= norm;
  }
  return q;
}
