/**
 * One interface for every inference engine (onnxruntime, tfjs), so that
 * callers never depend on a backend, and the input checks every engine
 * shares. The engines are made by src/engine/factory.ts.
 *
 * An engine takes 8-bit images in either layout (src/core/images.ts) and
 * applies the Eq. (7) normalization itself (normalizeImages, src/core/images.ts).
 * It returns the logits, N × classes, row-major. logitsNormalized takes
 * images already normalized (float32, e.g. System C's real-valued encrypted
 * images) and runs the same forward pass.
 */
import { fail } from '../core/errors.ts';
import { type ImageBatch, imageBatch } from '../core/images.ts';
import type { ConvMixerConfig } from '../model/convmixer.ts';
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
  /** Set when 'auto' could not run onnx and this tfjs engine ran instead: why onnxruntime did not load. */
  readonly fallback?: string;
}

export type TfjsBackendRequest = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

export const DEFAULT_BATCH_SIZE = 32;

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

export function checkBatchSize(batchSize: number | undefined): number {
  const value = batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(value) || value < 1) fail('engine.batch-size', `batch size must be a positive integer, got ${String(batchSize)}`);
  return value;
}
