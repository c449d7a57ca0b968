/**
 * What the engine properties share: the same weights as a spec model, spec
 * logits for 8-bit images, and the comparison with TOLERANCE.engineLogits.
 */
import { normalize8bit } from '../spec/blockEncryption.ts';
import { type SpecBatchNorm, type SpecConvMixer, convMixerForward } from '../spec/convmixer.ts';
import type { SpecImage } from '../spec/image.ts';
import { expect } from 'vitest';
import { CipherpatchError } from '../src/core/errors.ts';
import type { ImageBatch } from '../src/core/images.ts';
import type { TfjsBackendRequest } from '../src/engine/engine.ts';
import { loadOnnxRuntime } from '../src/engine/onnx.ts';
import { selectTfjsBackend } from '../src/engine/tfjs.ts';
import type { ConvMixerWeights } from '../src/model/convmixer.ts';
import type { BatchNormWeights } from '../src/model/stateDict.ts';
import { toSpecImage } from './bridge.ts';
import { TOLERANCE, type Tolerance, withinTolerance } from './tolerance.ts';

/**
 * ε of BatchNorm in the spec models: PyTorch's default, torch.nn.BatchNorm2d(num_features,
 * eps=1e-05), which the ConvMixer of Trockman & Kolter (2022) and the papers' models use;
 * written here, not taken from src (properties/ORACLES.md).
 */
export const PYTORCH_BATCH_NORM_EPS = 1e-5;

const f64 = (a: Float32Array) => Float64Array.from(a);
const specNorm = (bn: BatchNormWeights): SpecBatchNorm => ({
  weight: f64(bn.weight),
  bias: f64(bn.bias),
  runningMean: f64(bn.runningMean),
  runningVar: f64(bn.runningVar),
  eps: PYTORCH_BATCH_NORM_EPS,
});

/** The same float32 weights as a spec model (values widened exactly to float64). */
export function specModel(w: ConvMixerWeights): SpecConvMixer {
  const c = w.config;
  return {
    ...c,
    embed: { dim: c.dim, channels: c.channels, patch: c.patch, weight: f64(w.embedWeight), bias: f64(w.embedBias) },
    embedNorm: specNorm(w.embedNorm),
    layers: w.layers.map((l) => ({
      depthwiseWeight: f64(l.depthwiseWeight),
      depthwiseBias: f64(l.depthwiseBias),
      depthwiseNorm: specNorm(l.depthwiseNorm),
      pointwiseWeight: f64(l.pointwiseWeight),
      pointwiseBias: f64(l.pointwiseBias),
      pointwiseNorm: specNorm(l.pointwiseNorm),
    })),
    headWeight: f64(w.headWeight),
    headBias: f64(w.headBias),
  };
}

/** Spec logits, image by image, N × classes: Eq. (7) via normalize8bit, then Eqs. (1)–(2). */
export function specLogits(model: SpecConvMixer, images: ImageBatch<Uint8Array>): number[][] {
  return specLogitsWith(images, (image) => convMixerForward(image, model));
}

/** Spec logits of any spec model's `forward`, image by image, N × classes, on images normalized by Eq. (7) (normalize8bit). */
export function specLogitsWith(images: ImageBatch<Uint8Array>, forward: (image: SpecImage) => number[]): number[][] {
  return Array.from({ length: images.shape.count }, (_, n) => {
    const img = toSpecImage(images.data, images.shape, images.layout, n);
    return forward({ ...img, data: img.data.map(normalize8bit) });
  });
}

/** Whether this tfjs backend can run here (false when it is unavailable; any other error is thrown). */
export async function tfjsBackendAvailable(backend: TfjsBackendRequest): Promise<boolean> {
  try {
    return (await selectTfjsBackend(backend)).backend === backend;
  } catch (error) {
    if (error instanceof CipherpatchError && error.check === 'engine.backend-unavailable') return false;
    throw error;
  }
}

/** Whether onnxruntime-node loads here. */
export function onnxRuntimeLoads(): Promise<boolean> {
  return loadOnnxRuntime().then(
    () => true,
    () => false,
  );
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Every logit within tolerance, and the same top-1 class — unless the spec's
 * own top two are within the tolerance of each other (a tie float32 may break
 * either way). Failure messages name image n, logit c and both values.
 * `tol` is TOLERANCE.engineLogits unless given.
 */
export function expectLogitsMatch(actual: Float32Array, expected: readonly number[][], classes: number, context: string, tol: Tolerance = TOLERANCE.engineLogits): void {
  expected.forEach((ref, n) => {
    for (let c = 0; c < classes; c++) {
      const got = actual[n * classes + c];
      if (!withinTolerance(got, ref[c], tol)) {
        expect.fail(`${context}: image n=${n}, logit c=${c}: engine ${got}, spec ${ref[c]} (|Δ| = ${Math.abs(got - ref[c])} > ${tol.atol} + ${tol.rtol}·|spec|)`);
      }
    }
    const row = actual.subarray(n * classes, (n + 1) * classes);
    const top = argmax(row);
    const specTop = argmax(ref);
    if (top !== specTop && !withinTolerance(ref[top], ref[specTop], tol)) {
      expect.fail(`${context}: image n=${n}: engine top-1 class ${top} (engine ${row[top]}, spec ${ref[top]}), spec top-1 class ${specTop} (engine ${row[specTop]}, spec ${ref[specTop]})`);
    }
  });
}
