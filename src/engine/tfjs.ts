/**
 * ConvMixer inference on TensorFlow.js, NHWC inside.
 *
 *   stem:   Conv(P×P, stride P) + bias → GELU → BN
 *   layer:  z′ = BN(GELU(DepthwiseConv_k(z) + bias)) + z     (PyTorch "same" padding)
 *           z  = BN(GELU(Conv1×1(z′) + bias))
 *   head:   global average pooling → linear
 *
 * GELU is the exact x·(1 + erf(x/√2))/2 (tf.erf); BatchNorm is in inference
 * mode, folded into one per-channel scale and shift computed in float64:
 * scale = γ/√(σ² + ε), shift = β − μ·scale. PyTorch's "same" padding adds
 * k − 1 zeros in all, ⌊(k−1)/2⌋ before: for odd k that is tfjs's 'same'; for
 * even k the map is padded explicitly (tf.pad) and convolved 'valid'.
 *
 * The backend is chosen in one place, selectTfjsBackend.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import { type ImageBatch, normalizeImages, normalizedImagesAs } from '../core/images.ts';
import type { ConvMixerConfig, ConvMixerWeights } from '../model/convmixer.ts';
import { BATCH_NORM_EPS, type BatchNormWeights } from '../model/stateDict.ts';
import { type Engine, type TfjsBackendRequest, checkBatchSize, checkImagesForModel, checkNormalizedImagesForModel } from './engine.ts';

export interface TfjsBackendInfo {
  /** The tfjs backend name that runs: "tensorflow", "wasm" or "cpu". */
  readonly backend: string;
  /** e.g. "tfjs-core 4.22.0, tfjs-backend-wasm 4.22.0 (SIMD, 1 thread)". */
  readonly version: string;
  readonly threads: number;
}

const NODE_BINDINGS = [
  { module: '@tensorflow/tfjs-node-gpu', label: 'GPU' },
  { module: '@tensorflow/tfjs-node', label: 'CPU' },
] as const;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** Loads a module whose absence is normal (optional dependency); the specifier is a variable so TypeScript does not resolve it. */
async function optionalImport(specifier: string): Promise<{ module: Record<string, unknown> } | { reason: string }> {
  try {
    return { module: (await import(specifier)) as Record<string, unknown> };
  } catch (error) {
    return { reason: errorText(error) };
  }
}

let tensorflowLoad: Promise<TfjsBackendInfo | { reasons: string[] }> | undefined;

function loadTensorflow(): Promise<TfjsBackendInfo | { reasons: string[] }> {
  tensorflowLoad ??= (async () => {
    const reasons: string[] = [];
    for (const binding of NODE_BINDINGS) {
      const loaded = await optionalImport(binding.module);
      if ('reason' in loaded) {
        reasons.push(`${binding.module}: ${loaded.reason}`);
        continue;
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        reasons.push(`${binding.module} loaded but registered its backend with another copy of @tensorflow/tfjs-core`);
        continue;
      }
      const versions = loaded.module.version as Record<string, string> | undefined;
      const bindingVersion = versions?.['tfjs-node'] ?? 'unknown';
      return {
        backend: 'tensorflow',
        version: `tfjs-core ${tf.version_core}, ${binding.module} ${bindingVersion} (libtensorflow, ${binding.label})`,
        threads: os.availableParallelism(),
      };
    }
    return { reasons };
  })();
  return tensorflowLoad;
}

let wasmLoad: Promise<{ version: string } | { reason: string }> | undefined;

/** Imports the wasm backend and points it at its .wasm files (in Node they are read from the package's dist directory). */
function loadWasm(): Promise<{ version: string } | { reason: string }> {
  wasmLoad ??= (async () => {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
      try {
        wasm.setWasmPaths(path.dirname(entry) + path.sep);
      } catch (error) {
        // Someone else initialized the backend first, with their own paths: keep them.
        if (!/already initialized/i.test(errorText(error))) throw error;
      }
      return { version: wasm.version_wasm };
    } catch (error) {
      return { reason: errorText(error) };
    }
  })();
  return wasmLoad;
}

export async function activate(name: string): Promise<boolean> {
  // tf.getBackend() also names a backend whose initialization failed: "already active" needs its instance too
  // (findBackend gives null or undefined without one).
  if (tf.getBackend() === name && tf.findBackend(name)) return true;
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

const BACKEND_REQUESTS: readonly TfjsBackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/**
 * Makes a tfjs backend the active one and says which. 'auto' tries
 * @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (both optional: a
 * failed import is skipped), then wasm, then the pure-JS cpu backend. An
 * explicit request that cannot be met throws `engine.backend-unavailable`;
 * an unknown name throws `engine.backend`.
 */
export async function selectTfjsBackend(requested: TfjsBackendRequest = 'auto'): Promise<TfjsBackendInfo> {
  if (!BACKEND_REQUESTS.includes(requested)) fail('engine.backend', `unknown tfjs backend "${String(requested)}": use one of ${BACKEND_REQUESTS.join(', ')}`);
  const reasons: string[] = [];
  if (requested === 'auto' || requested === 'tensorflow') {
    const loaded = await loadTensorflow();
    if ('backend' in loaded && (await activate('tensorflow'))) return loaded;
    reasons.push(...('reasons' in loaded ? loaded.reasons : ['the tensorflow backend failed to initialize']));
    if (requested === 'tensorflow') fail('engine.backend-unavailable', `tfjs backend "tensorflow" is not available: ${reasons.join('; ')}`);
  }
  if (requested === 'auto' || requested === 'wasm') {
    const loaded = await loadWasm();
    if ('version' in loaded && (await activate('wasm'))) {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      // Multithreaded wasm needs SharedArrayBuffer workers that tfjs only sets up in browsers; in Node it runs one thread.
      const threads = threaded && !tf.env().getBool('IS_NODE') ? os.availableParallelism() : 1;
      return {
        backend: 'wasm',
        version: `tfjs-core ${tf.version_core}, tfjs-backend-wasm ${loaded.version} (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`,
        threads,
      };
    }
    reasons.push('reason' in loaded ? `@tensorflow/tfjs-backend-wasm: ${loaded.reason}` : '@tensorflow/tfjs-backend-wasm failed to initialize');
    if (requested === 'wasm') fail('engine.backend-unavailable', `tfjs backend "wasm" is not available: ${reasons.join('; ')}`);
  }
  if (await activate('cpu')) {
    // The cpu backend prints a one-time "install the node backend" notice on its first write in Node; the choice
    // above already looked for that backend, so silence it (a private field; harmless if it disappears).
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
    return { backend: 'cpu', version: `tfjs-core ${tf.version_core}, tfjs-backend-cpu ${tf.version['tfjs-backend-cpu'] ?? tf.version_core} (pure JS)`, threads: 1 };
  }
  reasons.push('the cpu backend failed to initialize');
  return fail('engine.backend-unavailable', `no tfjs backend is available${requested === 'auto' ? '' : ` for "${requested}"`}: ${reasons.join('; ')}`);
}

export interface TfjsEngineOptions {
  readonly backend?: TfjsBackendRequest;
  readonly batchSize?: number;
}

function foldBatchNorm(bn: BatchNormWeights): { scale: Float32Array; shift: Float32Array } {
  const d = bn.weight.length;
  const scale = new Float32Array(d);
  const shift = new Float32Array(d);
  for (let c = 0; c < d; c++) {
    const s = bn.weight[c] / Math.sqrt(bn.runningVar[c] + BATCH_NORM_EPS);
    scale[c] = s;
    shift[c] = bn.bias[c] - bn.runningMean[c] * s;
  }
  return { scale, shift };
}

interface BatchNormTensors {
  readonly scale: tf.Tensor1D;
  readonly shift: tf.Tensor1D;
}

interface LayerTensors {
  readonly depthwiseFilter: tf.Tensor4D; // [k, k, d, 1]
  readonly depthwiseBias: tf.Tensor1D;
  readonly depthwiseNorm: BatchNormTensors;
  readonly pointwiseFilter: tf.Tensor4D; // [1, 1, d, d]
  readonly pointwiseBias: tf.Tensor1D;
  readonly pointwiseNorm: BatchNormTensors;
}

/** A tfjs network: logits [N, classes] of normalized NHWC images (call inside tf.tidy); dispose frees its tensors. */
export interface TfjsNetwork {
  forward(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/**
 * What every tfjs engine shares: the backend it runs on, the forward path
 * (chunks of batchSize images, normalized NHWC float32, through the network
 * on the engine's backend) and dispose. A subclass checks its model's input.
 */
export abstract class TfjsEngineBase<C extends { readonly classes: number }> {
  readonly name = 'tfjs';
  private network: TfjsNetwork | undefined;

  constructor(
    readonly config: C,
    network: TfjsNetwork,
    private readonly info: TfjsBackendInfo,
    private readonly batchSize: number,
  ) {
    this.network = network;
  }

  get backend(): string {
    return this.info.backend;
  }

  get threads(): number {
    return this.info.threads;
  }

  get version(): string {
    return this.info.version;
  }

  /** The batch checked against the model: 8-bit images for logits, normalized float32 ones for logitsNormalized. */
  protected abstract checkImages<A extends Uint8Array | Float32Array>(images: ImageBatch<A>, kind: 'uint8' | 'float32'): ImageBatch<A>;

  async logits(images: ImageBatch<Uint8Array>): Promise<Float32Array> {
    const batch = this.checkImages(images, 'uint8');
    return this.forward(batch, (start, n) => normalizeImages(batch, start, n, 'NHWC'));
  }

  async logitsNormalized(images: ImageBatch<Float32Array>): Promise<Float32Array> {
    const batch = this.checkImages(images, 'float32');
    return this.forward(batch, (start, n) => normalizedImagesAs(batch, start, n, 'NHWC'));
  }

  /** Chunks of batchSize images, each given as normalized NHWC float32 by `chunk`. */
  private async forward(batch: ImageBatch, chunk: (start: number, n: number) => Float32Array): Promise<Float32Array> {
    const { count, height, width, channels } = batch.shape;
    const classes = this.config.classes;
    const out = new Float32Array(count * classes);
    for (let start = 0; start < count; start += this.batchSize) {
      const n = Math.min(this.batchSize, count - start);
      const x = chunk(start, n);
      // Another engine may have switched tfjs's global backend in the meantime.
      if (tf.getBackend() !== this.info.backend && !(await activate(this.info.backend))) {
        fail('engine.backend-unavailable', `tfjs backend "${this.info.backend}" could not be re-activated`);
      }
      const model = this.network ?? fail('engine.disposed', 'this tfjs engine has been disposed');
      // tf.tensor4d keeps a view it is given on some backends: hand it a copy when x is the caller's array.
      const values = x.buffer === batch.data.buffer ? x.slice() : x;
      const y = tf.tidy(() => model.forward(tf.tensor4d(values, [n, height, width, channels])));
      try {
        out.set((await y.data()) as Float32Array, start * classes);
      } finally {
        y.dispose();
      }
    }
    return out;
  }

  dispose(): void {
    this.network?.dispose();
    this.network = undefined;
  }
}

/** The network's weights as tfjs tensors in tfjs layouts, and the forward pass. */
class TfjsConvMixer {
  private readonly tensors: tf.Tensor[] = [];
  private readonly embedFilter: tf.Tensor4D; // [P, P, C, d]
  private readonly embedBias: tf.Tensor1D;
  private readonly embedNorm: BatchNormTensors;
  private readonly layers: LayerTensors[];
  private readonly headWeight: tf.Tensor2D; // [d, classes]
  private readonly headBias: tf.Tensor1D;
  private readonly padBefore: number;
  private readonly padAfter: number;

  constructor(weights: ConvMixerWeights) {
    const { dim: d, kernel: k, patch: P, channels: C, classes } = weights.config;
    // Copies throughout: some backends keep the array they are given.
    const vec = (a: Float32Array) => this.keep(tf.tensor1d(a.slice()));
    const bn = (b: BatchNormWeights): BatchNormTensors => {
      const { scale, shift } = foldBatchNorm(b);
      return { scale: this.keep(tf.tensor1d(scale)), shift: this.keep(tf.tensor1d(shift)) };
    };
    // (d, C, P, P) → [P, P, C, d]
    const embed = new Float32Array(d * C * P * P);
    for (let o = 0; o < d; o++)
      for (let c = 0; c < C; c++)
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) embed[((i * P + j) * C + c) * d + o] = weights.embedWeight[((o * C + c) * P + i) * P + j];
    this.embedFilter = this.keep(tf.tensor4d(embed, [P, P, C, d]));
    this.embedBias = vec(weights.embedBias);
    this.embedNorm = bn(weights.embedNorm);
    this.layers = weights.layers.map((layer) => {
      // (d, 1, k, k) → [k, k, d, 1]
      const depthwise = new Float32Array(d * k * k);
      for (let c = 0; c < d; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) depthwise[(i * k + j) * d + c] = layer.depthwiseWeight[(c * k + i) * k + j];
      // (d_out, d_in, 1, 1) → [1, 1, d_in, d_out]
      const pointwise = new Float32Array(d * d);
      for (let o = 0; o < d; o++) for (let c = 0; c < d; c++) pointwise[c * d + o] = layer.pointwiseWeight[o * d + c];
      return {
        depthwiseFilter: this.keep(tf.tensor4d(depthwise, [k, k, d, 1])),
        depthwiseBias: vec(layer.depthwiseBias),
        depthwiseNorm: bn(layer.depthwiseNorm),
        pointwiseFilter: this.keep(tf.tensor4d(pointwise, [1, 1, d, d])),
        pointwiseBias: vec(layer.pointwiseBias),
        pointwiseNorm: bn(layer.pointwiseNorm),
      };
    });
    // (classes, d) → [d, classes]
    const head = new Float32Array(d * classes);
    for (let o = 0; o < classes; o++) for (let c = 0; c < d; c++) head[c * classes + o] = weights.headWeight[o * d + c];
    this.headWeight = this.keep(tf.tensor2d(head, [d, classes]));
    this.headBias = vec(weights.headBias);
    this.padBefore = Math.floor((k - 1) / 2);
    this.padAfter = k - 1 - this.padBefore;
  }

  private keep<T extends tf.Tensor>(t: T): T {
    this.tensors.push(t);
    return t;
  }

  /** Exact GELU: x·(1 + erf(x/√2))/2. */
  private static gelu(x: tf.Tensor4D): tf.Tensor4D {
    return tf.mul(tf.mul(x, tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)), 0.5);
  }

  private static batchNorm(x: tf.Tensor4D, bn: BatchNormTensors): tf.Tensor4D {
    return tf.add(tf.mul(x, bn.scale), bn.shift);
  }

  /** Logits [N, classes] of normalized NHWC images; call inside tf.tidy. */
  forward(x: tf.Tensor4D): tf.Tensor2D {
    const { padBefore, padAfter } = this;
    let z: tf.Tensor4D = tf.fused.conv2d({ x, filter: this.embedFilter, strides: this.embedFilter.shape[0], pad: 'valid', bias: this.embedBias });
    z = TfjsConvMixer.batchNorm(TfjsConvMixer.gelu(z), this.embedNorm);
    for (const layer of this.layers) {
      const odd = padBefore === padAfter;
      const input: tf.Tensor4D = odd ? z : tf.pad(z, [[0, 0], [padBefore, padAfter], [padBefore, padAfter], [0, 0]]) as tf.Tensor4D;
      const mixed: tf.Tensor4D = tf.fused.depthwiseConv2d({ x: input, filter: layer.depthwiseFilter, strides: 1, pad: odd ? 'same' : 'valid', bias: layer.depthwiseBias });
      const residual: tf.Tensor4D = tf.add(TfjsConvMixer.batchNorm(TfjsConvMixer.gelu(mixed), layer.depthwiseNorm), z);
      const pointwise: tf.Tensor4D = tf.fused.conv2d({ x: residual, filter: layer.pointwiseFilter, strides: 1, pad: 'valid', bias: layer.pointwiseBias });
      z = TfjsConvMixer.batchNorm(TfjsConvMixer.gelu(pointwise), layer.pointwiseNorm);
    }
    const pooled = tf.mean(z, [1, 2]) as tf.Tensor2D;
    return tf.fused.matMul({ a: pooled, b: this.headWeight, bias: this.headBias }) as tf.Tensor2D;
  }

  dispose(): void {
    for (const t of this.tensors) t.dispose();
    this.tensors.length = 0;
  }
}

class TfjsEngine extends TfjsEngineBase<ConvMixerConfig> implements Engine {
  constructor(weights: ConvMixerWeights, info: TfjsBackendInfo, batchSize: number) {
    super(weights.config, new TfjsConvMixer(weights), info, batchSize);
  }

  protected checkImages<A extends Uint8Array | Float32Array>(images: ImageBatch<A>, kind: 'uint8' | 'float32'): ImageBatch<A> {
    return (kind === 'uint8' ? checkImagesForModel(images as ImageBatch<Uint8Array>, this.config) : checkNormalizedImagesForModel(images as ImageBatch<Float32Array>, this.config)) as ImageBatch<A>;
  }
}

/** A ConvMixer engine on tfjs; activates the requested backend (see selectTfjsBackend). */
export async function createTfjsEngine(weights: ConvMixerWeights, options: TfjsEngineOptions = {}): Promise<Engine> {
  const batchSize = checkBatchSize(options.batchSize);
  const info = await selectTfjsBackend(options.backend ?? 'auto');
  return new TfjsEngine(weights, info, batchSize);
}
