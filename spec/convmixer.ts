/**
 * The ConvMixer forward pass, Eqs. (1)–(2), literally, for one image whose
 * values are already normalized (Eq. 7). Weights are in PyTorch layouts.
 *
 *   (1) z₀ = BN(σ(Conv_{C→d}(x, kernel P, stride P)))
 *   (2) z′ₗ = BN(σ(DepthwiseConv_k(zₗ₋₁))) + zₗ₋₁     ("same" padding)
 *       zₗ  = BN(σ(PointwiseConv(z′ₗ)))
 *   then global average pooling and a linear classifier.
 *
 * σ is the exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2; BatchNorm is in
 * inference mode with running statistics.
 */
import { erf } from 'mathjs';
import type { SpecImage } from './image.ts';
import { type FeatureMap, type PatchEmbeddingWeights, patchEmbeddingConv } from './patchEmbedding.ts';

export interface SpecBatchNorm {
  readonly weight: Float64Array; // γ (d)
  readonly bias: Float64Array; // β (d)
  readonly runningMean: Float64Array; // (d)
  readonly runningVar: Float64Array; // (d)
  readonly eps: number;
}

export interface SpecConvMixerLayer {
  readonly depthwiseWeight: Float64Array; // (d, 1, k, k)
  readonly depthwiseBias: Float64Array; // (d)
  readonly depthwiseNorm: SpecBatchNorm;
  readonly pointwiseWeight: Float64Array; // (d, d, 1, 1)
  readonly pointwiseBias: Float64Array; // (d)
  readonly pointwiseNorm: SpecBatchNorm;
}

export interface SpecConvMixer {
  readonly dim: number;
  readonly depth: number;
  readonly kernel: number;
  readonly patch: number;
  readonly channels: number;
  readonly classes: number;
  readonly embed: PatchEmbeddingWeights;
  readonly embedNorm: SpecBatchNorm;
  readonly layers: readonly SpecConvMixerLayer[];
  readonly headWeight: Float64Array; // (classes, d)
  readonly headBias: Float64Array; // (classes)
}

/** σ: exact GELU. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** BatchNorm in inference mode, per channel: (x − μ)/√(σ² + ε)·γ + β. */
export function batchNorm(z: FeatureMap, bn: SpecBatchNorm): FeatureMap {
  const plane = z.height * z.width;
  const out = new Float64Array(z.data.length);
  for (let c = 0; c < z.channels; c++) {
    for (let p = 0; p < plane; p++) {
      const x = z.data[c * plane + p];
      out[c * plane + p] = ((x - bn.runningMean[c]) / Math.sqrt(bn.runningVar[c] + bn.eps)) * bn.weight[c] + bn.bias[c];
    }
  }
  return { ...z, data: out };
}

export function applyGelu(z: FeatureMap): FeatureMap {
  return { ...z, data: z.data.map(gelu) };
}

/**
 * Depthwise convolution with a k×k kernel per channel, stride 1, "same"
 * padding as PyTorch pads it: k − 1 zeros in all, ⌊(k−1)/2⌋ before.
 */
export function depthwiseConv(z: FeatureMap, weight: Float64Array, bias: Float64Array, k: number): FeatureMap {
  const { channels, height, width } = z;
  const before = Math.floor((k - 1) / 2);
  const out = new Float64Array(z.data.length);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = bias[c];
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const yy = y + i - before;
            const xx = x + j - before;
            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
            sum += weight[(c * k + i) * k + j] * z.data[(c * height + yy) * width + xx];
          }
        }
        out[(c * height + y) * width + x] = sum;
      }
    }
  }
  return { ...z, data: out };
}

/** Pointwise (1×1) convolution d → d. */
export function pointwiseConv(z: FeatureMap, weight: Float64Array, bias: Float64Array): FeatureMap {
  const { channels, height, width } = z;
  const plane = height * width;
  const out = new Float64Array(z.data.length);
  for (let o = 0; o < channels; o++) {
    for (let p = 0; p < plane; p++) {
      let sum = bias[o];
      for (let c = 0; c < channels; c++) sum += weight[o * channels + c] * z.data[c * plane + p];
      out[o * plane + p] = sum;
    }
  }
  return { ...z, data: out };
}

export function add(a: FeatureMap, b: FeatureMap): FeatureMap {
  return { ...a, data: a.data.map((x, i) => x + b.data[i]) };
}

/** Global average pooling: one value per channel. */
export function globalAveragePool(z: FeatureMap): number[] {
  const plane = z.height * z.width;
  const pooled: number[] = [];
  for (let c = 0; c < z.channels; c++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += z.data[c * plane + p];
    pooled.push(sum / plane);
  }
  return pooled;
}

/** Linear classifier: logits = W·pooled + b, W of shape (classes, d). */
export function linear(pooled: readonly number[], weight: Float64Array, bias: Float64Array): number[] {
  const logits: number[] = [];
  for (let o = 0; o < bias.length; o++) {
    let sum = bias[o];
    for (let c = 0; c < pooled.length; c++) sum += weight[o * pooled.length + c] * pooled[c];
    logits.push(sum);
  }
  return logits;
}

/** Eq. (1): the stem. */
export function convMixerStem(x: SpecImage, m: SpecConvMixer): FeatureMap {
  return batchNorm(applyGelu(patchEmbeddingConv(x, m.embed)), m.embedNorm);
}

/** Eq. (2): one ConvMixer layer. */
export function convMixerLayer(z: FeatureMap, layer: SpecConvMixerLayer, kernel: number): FeatureMap {
  const mixed = add(batchNorm(applyGelu(depthwiseConv(z, layer.depthwiseWeight, layer.depthwiseBias, kernel)), layer.depthwiseNorm), z);
  return batchNorm(applyGelu(pointwiseConv(mixed, layer.pointwiseWeight, layer.pointwiseBias)), layer.pointwiseNorm);
}

/** The whole network: logits for one normalized image. */
export function convMixerForward(x: SpecImage, m: SpecConvMixer): number[] {
  let z = convMixerStem(x, m);
  for (const layer of m.layers) z = convMixerLayer(z, layer, m.kernel);
  return linear(globalAveragePool(z), m.headWeight, m.headBias);
}
