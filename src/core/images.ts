/**
 * Image batches on typed arrays, with the layout in the type.
 *
 *   NHWC: index ((n·H + y)·W + x)·C + c   (tfjs, PNG, most image code)
 *   NCHW: index ((n·C + c)·H + y)·W + x   (PyTorch, the CIFAR-10 binary files)
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
