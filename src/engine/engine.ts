/**
 * One interface for every inference engine (onnxruntime, tfjs), so that
 * callers never depend on a backend.
 *
 * An engine takes 8-bit images in either layout (src/core/images.ts) and
 * applies the Eq. (7) normalization itself, x̂ = (x/255 − 0.5)/0.5, computed
 * as the single rational (2x − 255)/255 (see normalize8bit): the numerator is
 * an exact integer, so x̂ is correctly rounded and x ↦ 255 − x flips only its
 * sign. It returns the logits, N × classes, row-major. logitsNormalized
 * takes images already normalized (float32, e.g. System C's real-valued
 * encrypted images) and runs the same forward pass.
 */
import { CipherpatchError, fail } from '../core/errors.ts';
import { type ImageBatch, type Layout, imageBatch, pixelIndex, toLayout } from '../core/images.ts';
import { type ConvMixerConfig, type ConvMixerWeights, type TensorLike, convMixerWeightsFromTensors, validateConvMixerConfig } from '../model/convmixer.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import { plural } from '../core/words.ts';

export interface Engine<Config = ConvMixerConfig> {
  /** The engine family: "onnx", "tfjs" or "tfjs-parallel". */
  readonly name: string;
  /** The backend that actually runs: the onnxruntime execution provider ("cpu", "cuda") or the tfjs backend ("wasm", "cpu", "tensorflow"). */
  readonly backend: string;
  /** Threads doing the arithmetic (onnx: intra-op threads; tfjs: all workers together). */
  readonly threads: number;
  /** Library and backend versions, for reports. */
  readonly version: string;
  /** The model's configuration (ConvMixerConfig, or ResNetConfig for a System B ResNet engine). */
  readonly config: Config;
  /** Logits for every image, N × classes, row-major (image n, class c at n·classes + c). */
  logits(images: ImageBatch<Uint8Array>): Promise<Float32Array>;
  /** Logits for images already normalized (Eq. 7 applied; float32, either layout), same forward pass as logits. */
  logitsNormalized(images: ImageBatch<Float32Array>): Promise<Float32Array>;
  /** Frees every resource (tensors, workers). The engine is unusable afterwards. */
  dispose(): void;
}

export type TfjsBackendRequest = 'auto' | 'wasm' | 'cpu' | 'tensorflow';
export type EngineRequest = 'auto' | 'onnx' | 'tfjs';
export const ENGINE_REQUESTS: readonly EngineRequest[] = ['auto', 'onnx', 'tfjs'];

export interface EngineOptions {
  /**
   * 'onnx' (onnxruntime-node; an error when it cannot load), 'tfjs', or
   * 'auto': onnx when onnxruntime loads, else tfjs (engine.name says which ran).
   */
  readonly engine: EngineRequest;
  /** Images per forward pass (default: 32 on tfjs, 64 on onnx). */
  readonly batchSize?: number;
  /** tfjs backend; 'auto' (default) takes the fastest available. */
  readonly backend?: TfjsBackendRequest;
  /** tfjs worker threads; above 1 the images are split across a pool of workers, each with its own engine (default 1). */
  readonly workers?: number;
  /** onnx intra-op threads (default: every core; more than the cores is an error). */
  readonly threads?: number;
  /** onnx execution provider (default 'cpu'). */
  readonly executionProvider?: 'cpu' | 'cuda';
  /** onnx graph form (default 'auto'; see src/engine/onnxGraph.ts). */
  readonly onnxGraph?: 'auto' | 'conv' | 'dense';
  /** onnx: idle intra-op threads spin-wait (true) or sleep (default false); see OnnxEngineOptions.spinning. */
  readonly spinning?: boolean;
  /** Module to import instead of "onnxruntime-node" (custom builds; tests). */
  readonly onnxModule?: string;
}

export const DEFAULT_BATCH_SIZE = 32;

/** Eq. (7) on an 8-bit value: (2x − 255)/255. */
export function normalizePixel(x: number): number {
  return (2 * x - 255) / 255;
}

/** A lookup table of normalizePixel rounded to float32, for 0..255. */
export const NORMALIZED_PIXEL = Float32Array.from({ length: 256 }, (_, x) => normalizePixel(x));

/**
 * Checks an image batch against a model: 8-bit data, matching channels, and
 * height and width multiples of the patch size. Checks `engine.images`,
 * `engine.channels`, `engine.image-size` (plus image.* from imageBatch).
 */
export function checkImagesForModel(images: ImageBatch<Uint8Array>, config: ConvMixerConfig): ImageBatch<Uint8Array> {
  if (typeof images !== 'object' || images === null) fail('engine.images', 'images must be an image batch { data, shape, layout }');
  if (typeof images.shape !== 'object' || images.shape === null) fail('engine.images', 'images need a shape { count, height, width, channels }');
  if (!(images.data instanceof Uint8Array)) fail('engine.images', `engines take 8-bit images (Uint8Array), got ${(images.data as object)?.constructor?.name ?? typeof images.data}`);
  return checkShapeForModel(images, config);
}

/** The checks both image kinds share: a consistent batch, the model's channels, sizes multiple of the patch. */
function checkShapeForModel<A extends Uint8Array | Float32Array>(images: ImageBatch<A>, config: ConvMixerConfig): ImageBatch<A> {
  const batch = imageBatch(images.data, images.shape, images.layout);
  const { channels, height, width } = batch.shape;
  if (channels !== config.channels) fail('engine.channels', `images have ${plural(channels, 'channel')}, the model expects ${config.channels}`);
  if (height % config.patch !== 0 || width % config.patch !== 0) {
    fail('engine.image-size', `image size ${width}×${height} is not a multiple of the patch size ${config.patch}`);
  }
  return batch;
}

/**
 * Images [start, start + count) of a batch as normalized float32 values in
 * the requested layout (a new array).
 */
export function normalizeImages(images: ImageBatch<Uint8Array>, start: number, count: number, layout: Layout): Float32Array {
  const { height: H, width: W, channels: C } = images.shape;
  const size = H * W * C;
  const out = new Float32Array(count * size);
  const src = images.data;
  if (layout === images.layout) {
    const offset = start * size;
    for (let i = 0; i < out.length; i++) out[i] = NORMALIZED_PIXEL[src[offset + i]];
    return out;
  }
  const outShape = { count, height: H, width: W, channels: C };
  for (let n = 0; n < count; n++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < C; c++) out[pixelIndex(outShape, layout, n, y, x, c)] = NORMALIZED_PIXEL[src[pixelIndex(images.shape, images.layout, start + n, y, x, c)]];
  return out;
}

/**
 * Checks a batch of normalized float images against a model: float32 data,
 * matching channels, height and width multiples of the patch size. Checks
 * `engine.images`, `engine.channels`, `engine.image-size` (plus image.*).
 */
export function checkNormalizedImagesForModel(images: ImageBatch<Float32Array>, config: ConvMixerConfig): ImageBatch<Float32Array> {
  if (typeof images !== 'object' || images === null) fail('engine.images', 'images must be an image batch { data, shape, layout }');
  if (typeof images.shape !== 'object' || images.shape === null) fail('engine.images', 'images need a shape { count, height, width, channels }');
  if (!(images.data instanceof Float32Array)) {
    fail('engine.images', `logitsNormalized takes normalized float32 images (Float32Array), got ${(images.data as object)?.constructor?.name ?? typeof images.data}`);
  }
  return checkShapeForModel(images, config);
}

/**
 * Images [start, start + count) of a normalized float batch in the requested
 * layout: a view when the layout already matches, else a new array.
 */
export function normalizedImagesAs(images: ImageBatch<Float32Array>, start: number, count: number, layout: Layout): Float32Array {
  const { height, width, channels } = images.shape;
  const size = height * width * channels;
  const data = images.data.subarray(start * size, (start + count) * size);
  if (layout === images.layout) return data;
  return toLayout({ data, shape: { ...images.shape, count }, layout: images.layout }, layout).data;
}

/** Images [start, start + count) of a batch, same layout, as a view (no copy). */
export function sliceImages<A extends Uint8Array | Float32Array>(images: ImageBatch<A>, start: number, count: number): ImageBatch<A> {
  const { height, width, channels } = images.shape;
  const size = height * width * channels;
  return { data: images.data.subarray(start * size, (start + count) * size) as A, shape: { ...images.shape, count }, layout: images.layout };
}

export function checkBatchSize(batchSize: number | undefined): number {
  const value = batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(value) || value < 1) fail('engine.batch-size', `batch size must be a positive integer, got ${String(batchSize)}`);
  return value;
}

function isWeights(weights: ConvMixerWeights | ReadonlyMap<string, TensorLike>): weights is ConvMixerWeights {
  return !(weights instanceof Map) && typeof weights === 'object' && weights !== null && 'embedWeight' in weights;
}

function sameConfig(a: ConvMixerConfig, b: ConvMixerConfig): boolean {
  return a.dim === b.dim && a.depth === b.depth && a.kernel === b.kernel && a.patch === b.patch && a.channels === b.channels && a.classes === b.classes;
}

/**
 * Creates an engine from validated weights or from a raw tensor map (a
 * PyTorch state dict, validated here with convMixerWeightsFromTensors). A
 * config, when given, must match the weights (check `engine.config-mismatch`).
 * 'auto' takes onnx when onnxruntime loads (any other onnx error — threads,
 * provider — is the caller's and is thrown), else tfjs; 'onnx' when
 * onnxruntime cannot load throws `engine.onnx-unavailable`. Checks
 * `engine.unknown`, `engine.workers`, and whatever the engine checks.
 */
export async function createEngine(
  weights: ConvMixerWeights | ReadonlyMap<string, TensorLike>,
  config?: ConvMixerConfig,
  options: EngineOptions = { engine: 'tfjs' },
): Promise<Engine> {
  let model: ConvMixerWeights;
  if (isWeights(weights)) {
    model = weights;
    if (config !== undefined && !sameConfig(validateConvMixerConfig(config), model.config)) {
      fail('engine.config-mismatch', `config ${JSON.stringify(config)} does not match the weights' config ${JSON.stringify(model.config)}`);
    }
  } else {
    model = convMixerWeightsFromTensors(weights, config);
  }
  if (await runsOnOnnx(options)) {
    const { createOnnxEngine } = await import('./onnx.ts');
    return createOnnxEngine(model, { batchSize: options.batchSize, threads: options.threads, executionProvider: options.executionProvider, graph: options.onnxGraph, spinning: options.spinning, module: options.onnxModule });
  }
  const workers = options.workers ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) fail('engine.workers', `workers must be a positive integer, got ${String(options.workers)}`);
  if (workers > 1) {
    const { createParallelEngine } = await import('./parallel.ts');
    return createParallelEngine(model, { backend: options.backend, batchSize: options.batchSize, workers });
  }
  const { createTfjsEngine } = await import('./tfjs.ts');
  return createTfjsEngine(model, { backend: options.backend, batchSize: options.batchSize });
}

/**
 * Whether the requested engine is onnx: 'onnx' always, 'auto' when
 * onnxruntime loads (false when it is unavailable; any other error is
 * thrown), 'tfjs' never. Checks `engine.unknown`.
 */
async function runsOnOnnx(options: EngineOptions): Promise<boolean> {
  const requested = options.engine;
  if (!ENGINE_REQUESTS.includes(requested)) fail('engine.unknown', `unknown engine "${String(requested)}": use one of ${ENGINE_REQUESTS.join(', ')}`);
  if (requested !== 'auto') return requested === 'onnx';
  const { loadOnnxRuntime } = await import('./onnx.ts');
  return loadOnnxRuntime(options.onnxModule).then(
    () => true,
    (error: unknown) => {
      if (error instanceof CipherpatchError && error.check === 'engine.onnx-unavailable') return false;
      throw error;
    },
  );
}

/**
 * An engine for System B's ResNet (src/model/resnet.ts): 'onnx'
 * (onnxruntime-node, the graph built by buildResNetOnnx; an error when it
 * cannot load), 'tfjs' (src/engine/resnetTfjs.ts, one engine in this thread:
 * `workers` above 1 is rejected, check `engine.workers`), or 'auto': onnx
 * when onnxruntime loads, else tfjs (engine.name says which ran).
 */
export async function createResNetEngine(weights: ResNetWeights, options: EngineOptions = { engine: 'auto' }): Promise<Engine<ResNetConfig>> {
  if (await runsOnOnnx(options)) {
    const { createOnnxResNetEngine } = await import('./resnetOnnx.ts');
    return createOnnxResNetEngine(weights, { batchSize: options.batchSize, threads: options.threads, executionProvider: options.executionProvider, module: options.onnxModule });
  }
  if (options.workers !== undefined && options.workers !== 1) fail('engine.workers', `a ResNet runs in one tfjs engine; workers must be 1, got ${String(options.workers)}`);
  const { createTfjsResNetEngine } = await import('./resnetTfjs.ts');
  return createTfjsResNetEngine(weights, { backend: options.backend, batchSize: options.batchSize });
}
