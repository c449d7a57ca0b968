/**
 * Image batches on typed arrays, with the layout in the type.
 *
 *   NHWC: index ((n·H + y)·W + x)·C + c   (tfjs, PNG, most image code)
 *   NCHW: index ((n·C + c)·H + y)·W + x   (PyTorch, the CIFAR-10 binary files)
 *
 * Also slicing a batch, and the Eq. (7) normalization the engines apply,
 * x̂ = (x/255 − 0.5)/0.5, computed as the single rational (2x − 255)/255: the
 * numerator is an exact integer, so x̂ is correctly rounded and x ↦ 255 − x
 * flips only its sign.
 */
import { fail } from './errors.ts';

export type Layout = 'NHWC' | 'NCHW';
export type FloatArray = Float32Array | Float64Array;
export type PixelArray = Uint8Array | FloatArray;

export interface BatchShape {
  readonly count: number; // N
  readonly height: number; // H
  readonly width: number; // W
  readonly channels: number; // C
}

export interface ImageBatch<A extends PixelArray = PixelArray> {
  readonly data: A;
  readonly shape: BatchShape;
  readonly layout: Layout;
}

export type Uint8Batch = ImageBatch<Uint8Array>;
export type FloatBatch = ImageBatch<FloatArray>;

/** Builds a batch after checking that the shape is sane and matches the data length. */
export function imageBatch<A extends PixelArray>(data: A, shape: BatchShape, layout: Layout): ImageBatch<A> {
  if (layout !== 'NHWC' && layout !== 'NCHW') fail('image.layout', `unknown layout "${String(layout)}": use "NHWC" or "NCHW"`);
  for (const [name, value] of Object.entries(shape)) {
    if (!Number.isInteger(value) || value < 1) fail('image.shape', `image ${name} must be a positive integer, got ${value}`);
  }
  const expected = shape.count * shape.height * shape.width * shape.channels;
  if (data.length !== expected) {
    fail(
      'image.length',
      `image data has ${data.length} values but shape ${describeShape(shape, layout)} needs ${expected}`,
    );
  }
  return { data, shape, layout };
}

export function describeShape(shape: BatchShape, layout: Layout): string {
  const { count: n, height: h, width: w, channels: c } = shape;
  return layout === 'NHWC' ? `N×H×W×C = ${n}×${h}×${w}×${c}` : `N×C×H×W = ${n}×${c}×${h}×${w}`;
}

/** Flat index of value (n, y, x, c) in a batch of this shape and layout. */
export function pixelIndex(shape: BatchShape, layout: Layout, n: number, y: number, x: number, c: number): number {
  const { height: H, width: W, channels: C } = shape;
  return layout === 'NHWC' ? ((n * H + y) * W + x) * C + c : ((n * C + c) * H + y) * W + x;
}

/** The same images in the other layout (a new array of the same type). */
export function toLayout<A extends PixelArray>(batch: ImageBatch<A>, layout: Layout): ImageBatch<A> {
  if (batch.layout === layout) return batch;
  const { shape } = batch;
  const out = new (batch.data.constructor as new (n: number) => A)(batch.data.length);
  for (let n = 0; n < shape.count; n++)
    for (let y = 0; y < shape.height; y++)
      for (let x = 0; x < shape.width; x++)
        for (let c = 0; c < shape.channels; c++)
          out[pixelIndex(shape, layout, n, y, x, c)] = batch.data[pixelIndex(shape, batch.layout, n, y, x, c)];
  return { data: out, shape, layout };
}

/** Eq. (7) on an 8-bit value: (2x − 255)/255. */
export function normalizePixel(x: number): number {
  return (2 * x - 255) / 255;
}

/** A lookup table of normalizePixel rounded to float32, for 0..255. */
export const NORMALIZED_PIXEL = Float32Array.from({ length: 256 }, (_, x) => normalizePixel(x));

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
