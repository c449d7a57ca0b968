/**
 * Conversions between src's batches (NHWC/NCHW typed arrays) and spec's
 * single C×H×W images. Only the property suite sees both sides.
 */
import { type SpecImage, specImage } from '../spec/image.ts';
import type { BatchShape, Layout } from '../src/core/images.ts';

/**
 * Flat index of value (n, y, x, c), from the layouts' definitions (NHWC:
 * channels last, as the CIFAR-10 loaders and PNG give them; NCHW: PyTorch's
 * tensor order). Not src's pixelIndex: src reads and converts batches with
 * it, so a wrong index there must not also be the oracle's (properties/ORACLES.md).
 */
export function layoutIndex(shape: BatchShape, layout: Layout, n: number, y: number, x: number, c: number): number {
  const { height: H, width: W, channels: C } = shape;
  if (layout === 'NHWC') return n * H * W * C + y * W * C + x * C + c;
  return n * C * H * W + c * H * W + y * W + x;
}

/** Image n of a batch as a spec image (values copied to float64). */
export function toSpecImage(data: ArrayLike<number>, shape: BatchShape, layout: Layout, n: number): SpecImage {
  const img = specImage(shape.channels, shape.height, shape.width);
  for (let c = 0; c < shape.channels; c++)
    for (let y = 0; y < shape.height; y++)
      for (let x = 0; x < shape.width; x++)
        img.data[(c * shape.height + y) * shape.width + x] = data[layoutIndex(shape, layout, n, y, x, c)];
  return img;
}

/** All images of a batch as spec images. */
export function toSpecImages(data: ArrayLike<number>, shape: BatchShape, layout: Layout): SpecImage[] {
  return Array.from({ length: shape.count }, (_, n) => toSpecImage(data, shape, layout, n));
}

/** Where the first value differs (exact comparison), described by coordinate; null when equal. */
export function firstDifference(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  shape: BatchShape,
  layout: Layout,
): string | null {
  for (let n = 0; n < shape.count; n++)
    for (let y = 0; y < shape.height; y++)
      for (let x = 0; x < shape.width; x++)
        for (let c = 0; c < shape.channels; c++) {
          const i = layoutIndex(shape, layout, n, y, x, c);
          if (actual[i] !== expected[i]) return `pixel[n=${n},y=${y},x=${x},c=${c}] (${layout}): got ${actual[i]}, expected ${expected[i]}`;
        }
  return null;
}

/** Spec images back into one flat batch in the given layout. */
export function fromSpecImages(images: readonly SpecImage[], shape: BatchShape, layout: Layout): Float64Array {
  const out = new Float64Array(shape.count * shape.height * shape.width * shape.channels);
  images.forEach((img, n) => {
    for (let c = 0; c < shape.channels; c++)
      for (let y = 0; y < shape.height; y++)
        for (let x = 0; x < shape.width; x++)
          out[layoutIndex(shape, layout, n, y, x, c)] = img.data[(c * shape.height + y) * shape.width + x];
  });
  return out;
}
