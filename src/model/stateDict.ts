/**
 * Reading a model from a PyTorch state dict (a name → tensor map), the checks
 * every model loader shares (ConvMixer, src/model/convmixer.ts; ResNet,
 * src/model/resnet.ts): shapes for inferring a configuration, the tensor
 * names against the model's specs, each tensor's shape, dtype, length and
 * finiteness, and inference-mode BatchNorm with non-negative variances; and
 * the types they share (TensorLike, TensorSpec, BatchNormWeights).
 */
import { fail } from '../core/errors.ts';

/** PyTorch's BatchNorm2d default ε, used by every engine. */
export const BATCH_NORM_EPS = 1e-5;

export interface BatchNormWeights {
  readonly weight: Float32Array; // γ (d)
  readonly bias: Float32Array; // β (d)
  readonly runningMean: Float32Array; // (d)
  readonly runningVar: Float32Array; // (d)
}

/** A tensor as a reader hands it over. `data` is checked at run time (float32 or float64 only). */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: unknown;
  readonly dtype?: string;
}

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

const BN_SUFFIXES = ['weight', 'bias', 'running_mean', 'running_var'] as const;
/** PyTorch's BatchNorm step counter: allowed next to a BatchNorm, not used. */
const IGNORED_SUFFIX = '.num_batches_tracked';

export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** The specs of a BatchNorm over d channels: weight, bias, running_mean, running_var. */
export function batchNormSpecs(prefix: string, d: number): TensorSpec[] {
  return BN_SUFFIXES.map((suffix) => ({ name: `${prefix}.${suffix}`, shape: [d] }));
}

/** The shape of tensor `name` (`what` it is) for inferring the `model`'s configuration: `rank` positive dimensions. Check `model.infer`. */
export function inferShape(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>, name: string, rank: number, what: string, model: string): readonly number[] {
  const tensor = tensors.get(name);
  if (tensor === undefined || tensor === null) fail('model.infer', `cannot infer the ${model} configuration: tensor "${name}" (${what}) is missing`);
  const shape = tensor.shape;
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    fail('model.infer', `cannot infer the ${model} configuration: tensor "${name}" (${what}) must have ${rank} positive dimensions, got ${Array.isArray(shape) ? shapeText(shape) : String(shape)}`);
  }
  return shape;
}

/** Every spec'd tensor present, none other (but num_batches_tracked beside a BatchNorm); `describe` names the model. Checks `model.missing-tensor`, `model.unexpected-tensor`. */
export function checkTensorNames(tensors: ReadonlyMap<string, unknown>, specs: readonly TensorSpec[], describe: string): void {
  for (const spec of specs) {
    if (!tensors.has(spec.name)) fail('model.missing-tensor', `tensor "${spec.name}" ${shapeText(spec.shape)} is missing (${describe})`);
  }
  const expected = new Set(specs.map((s) => s.name));
  for (const name of tensors.keys()) {
    if (expected.has(name)) continue;
    if (name.endsWith(IGNORED_SUFFIX) && expected.has(`${name.slice(0, -IGNORED_SUFFIX.length)}.running_mean`)) continue;
    fail('model.unexpected-tensor', `unexpected tensor "${name}": not part of ${describe}`);
  }
}

/**
 * One tensor as float32 (float32 data used as it is, float64 converted), of
 * the expected shape and finite. `model` names the model in the dtype error.
 * Checks `model.tensor`, `model.tensor-shape`, `model.tensor-dtype`,
 * `model.tensor-length`, `model.tensor-not-finite` (NaN or ±Infinity).
 */
export function checkTensor(name: string, tensor: TensorLike, expected: readonly number[], model: string): Float32Array {
  if (typeof tensor !== 'object' || tensor === null) fail('model.tensor', `tensor "${name}" is not an object with shape and data`);
  const { shape, data } = tensor;
  if (!Array.isArray(shape) || shape.length !== expected.length || shape.some((n, i) => n !== expected[i])) {
    fail('model.tensor-shape', `tensor "${name}" has shape ${Array.isArray(shape) ? shapeText(shape) : String(shape)}, expected ${shapeText(expected)}`);
  }
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    const kind = tensor.dtype ?? (typeof data === 'object' && data !== null ? data.constructor.name : typeof data);
    fail('model.tensor-dtype', `tensor "${name}" holds ${kind} data; ${model} weights must be floating point (float32 or float64)`);
  }
  const size = expected.reduce((a, b) => a * b, 1);
  if (data.length !== size) fail('model.tensor-length', `tensor "${name}" has ${data.length} values, shape ${shapeText(expected)} needs ${size}`);
  const out = data instanceof Float32Array ? data : Float32Array.from(data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      const what = Number.isNaN(out[i]) ? 'NaN' : out[i] > 0 ? 'Infinity' : '-Infinity';
      fail('model.tensor-not-finite', `tensor "${name}" holds ${what} at flat index ${i}${data instanceof Float64Array && Number.isFinite(data[i]) ? ' (out of float32 range)' : ''}`);
    }
  }
  return out;
}

/** The BatchNorm at `prefix` from checked arrays (`get(state-dict name)`). Check `model.negative-variance`. */
export function readBatchNorm(get: (name: string) => Float32Array, prefix: string): BatchNormWeights {
  const runningVar = get(`${prefix}.running_var`);
  const negative = runningVar.findIndex((v) => v < 0);
  if (negative >= 0) fail('model.negative-variance', `tensor "${prefix}.running_var" holds the negative variance ${runningVar[negative]} at index ${negative}`);
  return { weight: get(`${prefix}.weight`), bias: get(`${prefix}.bias`), runningMean: get(`${prefix}.running_mean`), runningVar };
}
