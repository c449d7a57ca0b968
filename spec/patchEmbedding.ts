/**
 * The patch embedding of ConvMixer, in the two forms the paper uses.
 *
 * Weight layout is PyTorch's conv weight (d, C, P, P), flat, index
 * ((o·C + c)·P + i)·P + j; bias has d values.
 */
import { segmentBlocks } from './blocks.ts';
import type { SpecImage } from './image.ts';

export interface PatchEmbeddingWeights {
  readonly dim: number; // d
  readonly channels: number; // C
  readonly patch: number; // P
  readonly weight: Float64Array; // (d, C, P, P)
  readonly bias: Float64Array; // (d)
}

/** A d×(H/P)×(W/P) feature map, channel-major like SpecImage. */
export type FeatureMap = SpecImage;

/** Eq. (1), convolution part: Conv_{C→d}(x) with kernel P and stride P (no padding). */
export function patchEmbeddingConv(x: SpecImage, e: PatchEmbeddingWeights): FeatureMap {
  const { dim, channels, patch: P } = e;
  if (x.channels !== channels) throw new Error(`patchEmbeddingConv: image has ${x.channels} channels, weight expects ${channels}`);
  const oh = x.height / P;
  const ow = x.width / P;
  if (!Number.isInteger(oh) || !Number.isInteger(ow)) throw new Error(`patchEmbeddingConv: ${x.height}×${x.width} not divisible by ${P}`);
  const out = new Float64Array(dim * oh * ow);
  for (let o = 0; o < dim; o++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let sum = e.bias[o];
        for (let c = 0; c < channels; c++) {
          for (let i = 0; i < P; i++) {
            for (let j = 0; j < P; j++) {
              const w = e.weight[((o * channels + c) * P + i) * P + j];
              sum += w * x.data[(c * x.height + y * P + i) * x.width + xx * P + j];
            }
          }
        }
        out[(o * oh + y) * ow + xx] = sum;
      }
    }
  }
  return { channels: dim, height: oh, width: ow, data: out };
}

/** Eq. (3): E ∈ R^{(P²C)×d}, the conv weight reshaped and transposed: E[k][o] = weight[o][k]. */
export function embeddingMatrix(e: PatchEmbeddingWeights): number[][] {
  const pb = e.channels * e.patch * e.patch;
  const E: number[][] = [];
  for (let k = 0; k < pb; k++) {
    const row: number[] = [];
    for (let o = 0; o < e.dim; o++) row.push(e.weight[o * pb + k]);
    E.push(row);
  }
  return E;
}

/** The inverse of embeddingMatrix: a (P²C)×d matrix back to a (d, C, P, P) weight. */
export function weightFromEmbeddingMatrix(E: readonly (readonly number[])[], dim: number): Float64Array {
  const pb = E.length;
  const weight = new Float64Array(dim * pb);
  for (let k = 0; k < pb; k++) for (let o = 0; o < dim; o++) weight[o * pb + k] = E[k][o];
  return weight;
}

/**
 * Eq. (3): z_p = x_p E + b for every patch, patches in raster order. Returns
 * N rows of d values, N = HW/P².
 */
export function patchEmbeddingMatrix(x: SpecImage, E: readonly (readonly number[])[], bias: ArrayLike<number>, patch: number): number[][] {
  return segmentBlocks(x, patch).map((xp) => {
    if (xp.length !== E.length) throw new Error(`patchEmbeddingMatrix: patch has ${xp.length} values, E has ${E.length} rows`);
    const z: number[] = [];
    for (let o = 0; o < bias.length; o++) {
      let sum = bias[o];
      for (let k = 0; k < xp.length; k++) sum += xp[k] * E[k][o];
      z.push(sum);
    }
    return z;
  });
}
