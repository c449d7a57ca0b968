/**
 * The CIFAR ResNet-18 that System B (MaungMaung & Kiya 2021) trains on
 * key-transformed images: its configuration, its weights (float32, PyTorch
 * layouts), validation of a tensor map against the PyTorch state-dict names,
 * and a deterministic random model for tests.
 *
 * Architecture (the CIFAR variant of the authors' code, after kuangliu's
 * pytorch-cifar): no max-pool, a 3×3 stride-1 stem, four stages of BasicBlocks
 * with w, 2w, 4w, 8w channels (w = 64 for ResNet-18), global average pooling
 * and a linear head. Every conv has no bias; every BatchNorm is followed by
 * ReLU except the block's second one, which is added to the shortcut first.
 *
 *   name                                   module                                  shape
 *   conv1.weight                           Conv2d(C, w, 3, stride 1, pad 1)        (w, C, 3, 3)
 *   bn1.{weight,bias,running_mean,running_var}                                     (w)
 *   layer{s}.{b}.conv1.weight              Conv2d(in, out, 3, stride σ, pad 1)     (out, in, 3, 3)
 *   layer{s}.{b}.bn1.*                                                             (out)
 *   layer{s}.{b}.conv2.weight              Conv2d(out, out, 3, stride 1, pad 1)    (out, out, 3, 3)
 *   layer{s}.{b}.bn2.*                                                             (out)
 *   layer{s}.{b}.shortcut.0.weight         Conv2d(in, out, 1, stride σ)            (out, in, 1, 1)   only when σ ≠ 1 or in ≠ out
 *   layer{s}.{b}.shortcut.1.*              BatchNorm2d(out)                        (out)             idem
 *   linear.weight, linear.bias             Linear(8w, classes)                     (classes, 8w), (classes)
 *
 * s = 1..4 with out = w·2^(s−1); σ = 2 for the first block of stages 2–4,
 * else 1. num_batches_tracked is accepted and ignored. BatchNorm runs in
 * inference mode with ε = 1e-5 (PyTorch's default).
 */
import seedrandom from 'seedrandom';
import { fail } from '../core/errors.ts';
import { type BatchNormWeights, type TensorLike, type TensorSpec, batchNormSpecs, checkTensor, checkTensorNames, inferShape, readBatchNorm } from './stateDict.ts';

export interface ResNetConfig {
  /** w: channels of the stem and stage 1 (64 for ResNet-18). */
  readonly width: number;
  /** BasicBlocks per stage ([2, 2, 2, 2] for ResNet-18). */
  readonly blocks: readonly number[];
  readonly channels: number;
  readonly classes: number;
}

export const RESNET18_BLOCKS: readonly number[] = [2, 2, 2, 2];

export function resnet18Config(width = 64, classes = 10, channels = 3): ResNetConfig {
  return { width, blocks: RESNET18_BLOCKS, channels, classes };
}

export interface BasicBlockWeights {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly conv1: Float32Array; // (out, in, 3, 3)
  readonly bn1: BatchNormWeights;
  readonly conv2: Float32Array; // (out, out, 3, 3)
  readonly bn2: BatchNormWeights;
  /** The 1×1 projection and its BatchNorm, when the shape changes. */
  readonly shortcut?: { readonly conv: Float32Array; readonly bn: BatchNormWeights }; // (out, in, 1, 1)
}

export interface ResNetWeights {
  readonly kind: 'resnet';
  readonly config: ResNetConfig;
  readonly conv1: Float32Array; // (w, C, 3, 3)
  readonly bn1: BatchNormWeights;
  /** stages[s][b] */
  readonly stages: readonly (readonly BasicBlockWeights[])[];
  readonly linearWeight: Float32Array; // (classes, 8w)
  readonly linearBias: Float32Array; // (classes)
}

/** One block's geometry. */
export interface BlockShape {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly projection: boolean;
}

/** Checks every field; returns a plain copy. Check `model.config`. */
export function validateResNetConfig(config: ResNetConfig): ResNetConfig {
  if (typeof config !== 'object' || config === null) fail('model.config', 'ResNet config must be an object');
  for (const field of ['width', 'channels', 'classes'] as const) {
    const v = config[field];
    if (!Number.isSafeInteger(v) || v < 1) fail('model.config', `ResNet config ${field} must be a positive integer, got ${String(v)}`);
  }
  const b = config.blocks;
  if (!Array.isArray(b) || b.length !== 4 || !b.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    fail('model.config', `ResNet config blocks must be 4 positive integers (blocks per stage), got ${JSON.stringify(b)}`);
  }
  return { width: config.width, blocks: [...b], channels: config.channels, classes: config.classes };
}

/** The blocks in order, stage by stage. */
export function resnetBlockShapes(config: ResNetConfig): BlockShape[][] {
  const { width, blocks } = validateResNetConfig(config);
  const out: BlockShape[][] = [];
  let inChannels = width;
  for (let s = 0; s < 4; s++) {
    const outChannels = width * 2 ** s;
    const stage: BlockShape[] = [];
    for (let b = 0; b < blocks[s]; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      stage.push({ name: `layer${s + 1}.${b}`, inChannels, outChannels, stride, projection: stride !== 1 || inChannels !== outChannels });
      inChannels = outChannels;
    }
    out.push(stage);
  }
  return out;
}

/** Every tensor of a ResNet of this configuration, in state-dict order (num_batches_tracked left out). */
export function resnetTensorSpecs(config: ResNetConfig): TensorSpec[] {
  const cfg = validateResNetConfig(config);
  const specs: TensorSpec[] = [{ name: 'conv1.weight', shape: [cfg.width, cfg.channels, 3, 3] }];
  const bn = (prefix: string, d: number) => {
    specs.push(...batchNormSpecs(prefix, d));
  };
  bn('bn1', cfg.width);
  for (const stage of resnetBlockShapes(cfg)) {
    for (const b of stage) {
      specs.push({ name: `${b.name}.conv1.weight`, shape: [b.outChannels, b.inChannels, 3, 3] });
      bn(`${b.name}.bn1`, b.outChannels);
      specs.push({ name: `${b.name}.conv2.weight`, shape: [b.outChannels, b.outChannels, 3, 3] });
      bn(`${b.name}.bn2`, b.outChannels);
      if (b.projection) {
        specs.push({ name: `${b.name}.shortcut.0.weight`, shape: [b.outChannels, b.inChannels, 1, 1] });
        bn(`${b.name}.shortcut.1`, b.outChannels);
      }
    }
  }
  specs.push({ name: 'linear.weight', shape: [cfg.classes, cfg.width * 8] }, { name: 'linear.bias', shape: [cfg.classes] });
  return specs;
}

/** Whether a tensor map looks like this ResNet (it has conv1.weight and layer1.0.conv1.weight). */
export function looksLikeResNet(tensors: ReadonlyMap<string, unknown>): boolean {
  return tensors.has('conv1.weight') && tensors.has('layer1.0.conv1.weight');
}

/**
 * Reads the configuration from tensor shapes: w and C from conv1.weight,
 * blocks per stage by counting layer{s}.{b}.conv1.weight, classes from
 * linear.weight. Check `model.infer`.
 */
export function inferResNetConfig(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>): ResNetConfig {
  const shapeOf = (name: string, rank: number, what: string) => inferShape(tensors, name, rank, what, 'ResNet');
  const [width, channels] = shapeOf('conv1.weight', 4, 'stem conv (w, C, 3, 3)');
  const blocks = [1, 2, 3, 4].map((s) => {
    let n = 0;
    while (tensors.has(`layer${s}.${n}.conv1.weight`)) n++;
    if (n === 0) fail('model.infer', `cannot infer the ResNet configuration: stage ${s} has no block (tensor "layer${s}.0.conv1.weight" is missing)`);
    return n;
  });
  const [classes] = shapeOf('linear.weight', 2, 'linear head (classes, 8w)');
  return { width, blocks, channels, classes };
}

/**
 * Validates a tensor map (a PyTorch state dict, see the table above) and
 * returns the weights; without `config` it is inferred. Checks, each a
 * CipherpatchError naming the tensor: model.config, model.infer,
 * model.missing-tensor, model.unexpected-tensor, model.tensor,
 * model.tensor-shape, model.tensor-dtype, model.tensor-length,
 * model.tensor-not-finite, model.negative-variance.
 */
export function resnetWeightsFromTensors(tensors: ReadonlyMap<string, TensorLike>, config?: ResNetConfig): ResNetWeights {
  const cfg = validateResNetConfig(config ?? inferResNetConfig(tensors));
  const specs = resnetTensorSpecs(cfg);
  checkTensorNames(tensors, specs, `ResNet w=${cfg.width} blocks=${cfg.blocks.join('/')} C=${cfg.channels} classes=${cfg.classes}`);
  const arrays = new Map(specs.map((s) => [s.name, checkTensor(s.name, tensors.get(s.name)!, s.shape, 'ResNet')]));
  const get = (name: string) => arrays.get(name)!;
  const bn = (prefix: string): BatchNormWeights => readBatchNorm(get, prefix);
  return { kind: 'resnet', config: cfg, ...resnetFromStateDict(cfg, get, bn) };
}

/**
 * A ResNet's tensors arranged by layer, read by state-dict name: `get(name)`
 * an array, `bn(prefix)` a BatchNorm. Builds the float32 weights
 * (resnetWeightsFromTensors) and the float64 spec model alike.
 */
export function resnetFromStateDict<A, N>(config: ResNetConfig, get: (name: string) => A, bn: (prefix: string) => N) {
  return {
    conv1: get('conv1.weight'),
    bn1: bn('bn1'),
    stages: resnetBlockShapes(config).map((stage) =>
      stage.map((b) => ({
        inChannels: b.inChannels,
        outChannels: b.outChannels,
        stride: b.stride,
        conv1: get(`${b.name}.conv1.weight`),
        bn1: bn(`${b.name}.bn1`),
        conv2: get(`${b.name}.conv2.weight`),
        bn2: bn(`${b.name}.bn2`),
        ...(b.projection ? { shortcut: { conv: get(`${b.name}.shortcut.0.weight`), bn: bn(`${b.name}.shortcut.1`) } } : {}),
      })),
    ),
    linearWeight: get('linear.weight'),
    linearBias: get('linear.bias'),
  };
}

/** The weights as a state-dict tensor map (no num_batches_tracked); arrays shared, not copied. */
export function resnetWeightsToTensors(w: ResNetWeights): Map<string, { shape: readonly number[]; data: Float32Array }> {
  const arrays: Float32Array[] = [w.conv1];
  const bn = (b: BatchNormWeights) => arrays.push(b.weight, b.bias, b.runningMean, b.runningVar);
  bn(w.bn1);
  for (const stage of w.stages)
    for (const b of stage) {
      arrays.push(b.conv1);
      bn(b.bn1);
      arrays.push(b.conv2);
      bn(b.bn2);
      if (b.shortcut) {
        arrays.push(b.shortcut.conv);
        bn(b.shortcut.bn);
      }
    }
  arrays.push(w.linearWeight, w.linearBias);
  const specs = resnetTensorSpecs(w.config);
  if (specs.length !== arrays.length) fail('model.config', 'ResNet weights do not match their config');
  return new Map(specs.map((s, i) => [s.name, { shape: s.shape, data: arrays[i] }]));
}

/**
 * A deterministic random ResNet with plausible scales: conv and linear
 * weights ~ N(0, 2/fan_in), BatchNorm γ ~ U(0.5, 1.5), β ~ U(−0.2, 0.2),
 * running_mean ~ U(−0.5, 0.5), running_var ~ U(0.5, 2); biases U(−0.1, 0.1).
 * The same (config, seed) gives the same weights everywhere (seedrandom).
 */
export function randomResNetWeights(config: ResNetConfig, seed: string | number): ResNetWeights {
  const cfg = validateResNetConfig(config);
  const prng = seedrandom(`resnet:${String(seed)}`);
  const tensors = new Map<string, TensorLike>();
  for (const spec of resnetTensorSpecs(cfg)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const u = (lo: number, hi: number) => lo + (hi - lo) * prng.double();
    const suffix = spec.name.slice(spec.name.lastIndexOf('.') + 1);
    const isBn = /(^bn\d|\.bn\d|shortcut\.1)\./.test(spec.name);
    if (isBn) {
      const [lo, hi] = suffix === 'weight' ? [0.5, 1.5] : suffix === 'bias' ? [-0.2, 0.2] : suffix === 'running_mean' ? [-0.5, 0.5] : [0.5, 2];
      for (let i = 0; i < n; i++) data[i] = u(lo, hi);
    } else if (spec.name === 'linear.bias') {
      for (let i = 0; i < n; i++) data[i] = u(-0.1, 0.1);
    } else {
      const fanIn = spec.shape.slice(1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) {
        // Box–Muller, one normal per pair of uniforms.
        const r = Math.sqrt(-2 * Math.log(1 - prng.double()));
        data[i] = std * r * Math.cos(2 * Math.PI * prng.double());
      }
    }
    tensors.set(spec.name, { shape: spec.shape, data });
  }
  return resnetWeightsFromTensors(tensors, cfg);
}
