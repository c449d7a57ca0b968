/**
 * The ConvMixer model description shared by every inference engine: its
 * configuration, its weights (float32, PyTorch layouts), validation of a
 * tensor map against the reference naming, a deterministic random model for
 * tests and benchmarks, and the FLOP count of one forward pass.
 *
 * Weight naming: the PyTorch state dict of the reference ConvMixer
 * (locuslab/convmixer), one `nn.Sequential`:
 *
 *   index      module                                  tensors (shape)
 *   0          Conv2d(C, d, kernel P, stride P)         0.weight (d, C, P, P), 0.bias (d)
 *   1          GELU                                     —
 *   2          BatchNorm2d(d)                           2.weight, 2.bias, 2.running_mean, 2.running_var (d each)
 *   3 + l      layer l = 0..depth−1, a Sequential of
 *     .0         Residual(Sequential(                    (the Residual's inner module is `fn`)
 *     .0.fn.0      Conv2d(d, d, k, groups=d, "same")    i.0.fn.0.weight (d, 1, k, k), i.0.fn.0.bias (d)
 *     .0.fn.1      GELU
 *     .0.fn.2      BatchNorm2d(d)))                     i.0.fn.2.{weight, bias, running_mean, running_var}
 *     .1         Conv2d(d, d, 1)                        i.1.weight (d, d, 1, 1), i.1.bias (d)
 *     .2         GELU
 *     .3         BatchNorm2d(d)                         i.3.{weight, bias, running_mean, running_var}
 *   3 + depth  AdaptiveAvgPool2d((1, 1))                —
 *   4 + depth  Flatten                                  —
 *   5 + depth  Linear(d, classes)                       (5+depth).weight (classes, d), (5+depth).bias (classes)
 *
 * Every BatchNorm2d also has `num_batches_tracked` (an int64 scalar); it is
 * accepted and ignored. BatchNorm runs in inference mode with ε = 1e-5
 * (PyTorch's default): (x − running_mean)/√(running_var + ε)·weight + bias.
 */
import seedrandom from 'seedrandom';
import { fail } from '../core/errors.ts';
import { plural } from '../core/words.ts';
import { type BatchNormWeights, type TensorLike, type TensorSpec, batchNormSpecs, checkTensor, checkTensorNames, inferShape, readBatchNorm, shapeText } from './stateDict.ts';

export interface ConvMixerConfig {
  readonly dim: number; // d, the hidden width
  readonly depth: number; // L, the number of ConvMixer layers
  readonly kernel: number; // k, the depthwise kernel size
  readonly patch: number; // P, patch size = stride of the stem
  readonly channels: number; // C, image channels
  readonly classes: number; // classifier outputs
}

export interface ConvMixerLayerWeights {
  readonly depthwiseWeight: Float32Array; // (d, 1, k, k)
  readonly depthwiseBias: Float32Array; // (d)
  readonly depthwiseNorm: BatchNormWeights;
  readonly pointwiseWeight: Float32Array; // (d, d, 1, 1)
  readonly pointwiseBias: Float32Array; // (d)
  readonly pointwiseNorm: BatchNormWeights;
}

/** A validated ConvMixer: float32 arrays in PyTorch layouts, flat, row-major. */
export interface ConvMixerWeights {
  readonly config: ConvMixerConfig;
  readonly embedWeight: Float32Array; // (d, C, P, P)
  readonly embedBias: Float32Array; // (d)
  readonly embedNorm: BatchNormWeights;
  readonly layers: readonly ConvMixerLayerWeights[];
  readonly headWeight: Float32Array; // (classes, d)
  readonly headBias: Float32Array; // (classes)
}

/** A float32 tensor, flat row-major. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Module index of layer l in the Sequential. */
export function layerIndex(l: number): number {
  return 3 + l;
}

/** Module index of the linear head. */
export function headIndex(depth: number): number {
  return 5 + depth;
}

/** Checks that every field is an integer in range; returns a plain copy. Check `model.config`. */
export function validateConvMixerConfig(config: ConvMixerConfig): ConvMixerConfig {
  if (typeof config !== 'object' || config === null) fail('model.config', 'ConvMixer config must be an object');
  const fields: [keyof ConvMixerConfig, number][] = [
    ['dim', 1],
    ['depth', 0],
    ['kernel', 1],
    ['patch', 1],
    ['channels', 1],
    ['classes', 1],
  ];
  for (const [field, min] of fields) {
    const value = config[field];
    if (!Number.isSafeInteger(value) || value < min) {
      fail('model.config', `ConvMixer config ${field} must be an integer ≥ ${min}, got ${String(value)}`);
    }
  }
  const { dim, depth, kernel, patch, channels, classes } = config;
  return { dim, depth, kernel, patch, channels, classes };
}

/** Every tensor a ConvMixer of this configuration has, in state-dict order (num_batches_tracked left out). */
export function convMixerTensorSpecs(config: ConvMixerConfig): TensorSpec[] {
  const { dim: d, depth, kernel: k, patch: P, channels: C, classes } = validateConvMixerConfig(config);
  const specs: TensorSpec[] = [
    { name: '0.weight', shape: [d, C, P, P] },
    { name: '0.bias', shape: [d] },
  ];
  const batchNorm = (prefix: string) => {
    specs.push(...batchNormSpecs(prefix, d));
  };
  batchNorm('2');
  for (let l = 0; l < depth; l++) {
    const i = layerIndex(l);
    specs.push({ name: `${i}.0.fn.0.weight`, shape: [d, 1, k, k] }, { name: `${i}.0.fn.0.bias`, shape: [d] });
    batchNorm(`${i}.0.fn.2`);
    specs.push({ name: `${i}.1.weight`, shape: [d, d, 1, 1] }, { name: `${i}.1.bias`, shape: [d] });
    batchNorm(`${i}.3`);
  }
  const h = headIndex(depth);
  specs.push({ name: `${h}.weight`, shape: [classes, d] }, { name: `${h}.bias`, shape: [classes] });
  return specs;
}

/**
 * Reads the configuration from tensor shapes: d, C, P from `0.weight`; depth
 * = the number of consecutive layers 3, 4, … that have a depthwise weight;
 * k from the first depthwise weight (1 when depth = 0); classes from the head.
 * Check `model.infer`. The result still has to pass convMixerWeightsFromTensors.
 */
export function inferConvMixerConfig(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>): ConvMixerConfig {
  const [dim, channels, patch, patch2] = inferShape(tensors, '0.weight', 4, 'patch-embedding weight (d, C, P, P)', 'ConvMixer');
  if (patch !== patch2) fail('model.infer', `cannot infer the ConvMixer configuration: patch-embedding weight "0.weight" has a non-square kernel ${shapeText([dim, channels, patch, patch2])}`);
  let depth = 0;
  while (tensors.has(`${layerIndex(depth)}.0.fn.0.weight`)) depth++;
  let kernel = 1;
  if (depth > 0) {
    const name = `${layerIndex(0)}.0.fn.0.weight`;
    const [, , k, k2] = inferShape(tensors, name, 4, 'depthwise weight (d, 1, k, k)', 'ConvMixer');
    if (k !== k2) fail('model.infer', `cannot infer the ConvMixer configuration: depthwise weight "${name}" has a non-square kernel ${shapeText(tensors.get(name)!.shape)}`);
    kernel = k;
  }
  const [classes] = inferShape(tensors, `${headIndex(depth)}.weight`, 2, `linear head weight (classes, d) after ${depth} layer(s)`, 'ConvMixer');
  return { dim, depth, kernel, patch, channels, classes };
}

/**
 * Validates a tensor map (a PyTorch state dict, see the table above) and
 * returns the weights. Without `config` it is inferred from the shapes.
 * Checks, each a CipherpatchError naming the tensor:
 *   model.config, model.infer, model.missing-tensor, model.unexpected-tensor,
 *   model.tensor, model.tensor-shape, model.tensor-dtype, model.tensor-length,
 *   model.tensor-not-finite (NaN or ±Infinity), model.negative-variance.
 * float64 data is converted to float32; float32 arrays are used as they are (not copied).
 */
export function convMixerWeightsFromTensors(tensors: ReadonlyMap<string, TensorLike>, config?: ConvMixerConfig): ConvMixerWeights {
  const cfg = validateConvMixerConfig(config ?? inferConvMixerConfig(tensors));
  const specs = convMixerTensorSpecs(cfg);
  checkTensorNames(tensors, specs, `ConvMixer d=${cfg.dim} depth=${cfg.depth} k=${cfg.kernel} P=${cfg.patch} C=${cfg.channels} classes=${cfg.classes}`);
  const arrays = new Map<string, Float32Array>();
  for (const spec of specs) arrays.set(spec.name, checkTensor(spec.name, tensors.get(spec.name)!, spec.shape, 'ConvMixer'));
  const get = (name: string) => arrays.get(name)!;
  const batchNorm = (prefix: string): BatchNormWeights => readBatchNorm(get, prefix);
  const layers: ConvMixerLayerWeights[] = [];
  for (let l = 0; l < cfg.depth; l++) {
    const i = layerIndex(l);
    layers.push({
      depthwiseWeight: get(`${i}.0.fn.0.weight`),
      depthwiseBias: get(`${i}.0.fn.0.bias`),
      depthwiseNorm: batchNorm(`${i}.0.fn.2`),
      pointwiseWeight: get(`${i}.1.weight`),
      pointwiseBias: get(`${i}.1.bias`),
      pointwiseNorm: batchNorm(`${i}.3`),
    });
  }
  const h = headIndex(cfg.depth);
  return {
    config: cfg,
    embedWeight: get('0.weight'),
    embedBias: get('0.bias'),
    embedNorm: batchNorm('2'),
    layers,
    headWeight: get(`${h}.weight`),
    headBias: get(`${h}.bias`),
  };
}

/** The weights as a state-dict tensor map (no num_batches_tracked); the arrays are shared, not copied. */
export function convMixerWeightsToTensors(weights: ConvMixerWeights): Map<string, WeightTensor> {
  const specs = convMixerTensorSpecs(weights.config);
  const arrays: Float32Array[] = [];
  const batchNorm = (bn: BatchNormWeights) => arrays.push(bn.weight, bn.bias, bn.runningMean, bn.runningVar);
  arrays.push(weights.embedWeight, weights.embedBias);
  batchNorm(weights.embedNorm);
  for (const layer of weights.layers) {
    arrays.push(layer.depthwiseWeight, layer.depthwiseBias);
    batchNorm(layer.depthwiseNorm);
    arrays.push(layer.pointwiseWeight, layer.pointwiseBias);
    batchNorm(layer.pointwiseNorm);
  }
  arrays.push(weights.headWeight, weights.headBias);
  if (arrays.length !== specs.length) fail('model.config', `weights hold ${weights.layers.length} layers but the config says depth ${weights.config.depth}`);
  return new Map(specs.map((spec, i) => [spec.name, { shape: spec.shape, data: arrays[i] }]));
}

/** The largest ConvMixer randomConvMixerWeights makes: 2^28 parameters, 1 GiB as float32 (ConvMixer-1536/20 has about 50 million). */
export const MAX_RANDOM_PARAMETERS = 2 ** 28;

/** The number of values in every tensor of this configuration (num_batches_tracked left out). */
export function convMixerParameterCount(config: ConvMixerConfig): number {
  return convMixerTensorSpecs(config).reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * A deterministic random ConvMixer with plausible scales: convolution and
 * linear weights ~ N(0, 2/fan_in) (He), biases ~ U(−0.1, 0.1); BatchNorm
 * γ ~ U(0.5, 1.5), β ~ U(−0.2, 0.2), running_mean ~ U(−0.5, 0.5),
 * running_var ~ U(0.5, 2) (always positive). The same (config, seed) gives the
 * same weights on every platform (seedrandom's ARC4 stream).
 */
export function randomConvMixerWeights(config: ConvMixerConfig, seed: string | number): ConvMixerWeights {
  const cfg = validateConvMixerConfig(config);
  const count = convMixerParameterCount(cfg);
  if (count > MAX_RANDOM_PARAMETERS) {
    fail('model.too-large', `ConvMixer-${cfg.dim}/${cfg.depth} (kernel ${cfg.kernel}, patch ${cfg.patch}, ${plural(cfg.channels, 'channel')}, ${plural(cfg.classes, 'class', 'classes')}) has ${count.toLocaleString('en-US')} parameters; a random model has at most ${MAX_RANDOM_PARAMETERS.toLocaleString('en-US')} (2^28, 1 GiB as float32)`);
  }
  const prng = seedrandom(`convmixer:${String(seed)}`);
  const uniform = (n: number, lo: number, hi: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * prng.double();
    return out;
  };
  const normal = (n: number, std: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      // Box–Muller: two independent standard normals from two uniforms in (0, 1].
      const u = 1 - prng.double();
      const v = prng.double();
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = std * r * Math.cos(2 * Math.PI * v);
      if (i + 1 < n) out[i + 1] = std * r * Math.sin(2 * Math.PI * v);
    }
    return out;
  };
  const { dim: d, kernel: k, patch: P, channels: C, classes } = cfg;
  const batchNorm = (): BatchNormWeights => ({
    weight: uniform(d, 0.5, 1.5),
    bias: uniform(d, -0.2, 0.2),
    runningMean: uniform(d, -0.5, 0.5),
    runningVar: uniform(d, 0.5, 2),
  });
  const embedWeight = normal(d * C * P * P, Math.sqrt(2 / (C * P * P)));
  const embedBias = uniform(d, -0.1, 0.1);
  const embedNorm = batchNorm();
  const layers: ConvMixerLayerWeights[] = [];
  for (let l = 0; l < cfg.depth; l++) {
    layers.push({
      depthwiseWeight: normal(d * k * k, Math.sqrt(2 / (k * k))),
      depthwiseBias: uniform(d, -0.1, 0.1),
      depthwiseNorm: batchNorm(),
      pointwiseWeight: normal(d * d, Math.sqrt(2 / d)),
      pointwiseBias: uniform(d, -0.1, 0.1),
      pointwiseNorm: batchNorm(),
    });
  }
  return {
    config: cfg,
    embedWeight,
    embedBias,
    embedNorm,
    layers,
    headWeight: normal(classes * d, Math.sqrt(2 / d)),
    headBias: uniform(classes, -0.1, 0.1),
  };
}

/**
 * Floating-point operations of one forward pass on an H×W image, counted as
 * 2 × multiply-adds of the convolutions and the head (all k² taps of the
 * depthwise kernel count, padding included); GELU, BatchNorm, the residual
 * add and pooling are left out. For GFLOP/s reporting.
 */
export function flopsPerImage(config: ConvMixerConfig, height: number, width: number): number {
  const { dim: d, depth, kernel: k, patch: P, channels: C, classes } = validateConvMixerConfig(config);
  if (!Number.isInteger(height / P) || !Number.isInteger(width / P) || height < P || width < P) {
    fail('model.image-size', `image ${width}×${height} is not a positive multiple of the patch size ${P}`);
  }
  const positions = (height / P) * (width / P);
  const stem = positions * d * C * P * P;
  const layer = positions * d * k * k + positions * d * d;
  const head = d * classes;
  return 2 * (stem + depth * layer + head);
}
