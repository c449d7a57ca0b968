/**
 * images.ts on small batches whose values are written out by hand: the
 * checks and messages of imageBatch, the two index formulas, layout
 * conversion, Eq. (7) and the slices (views, not copies). Mutation kills
 * (issue 25, area io) named per test as images.ts:<line> <mutator>.
 */
import { describe, expect, it } from 'vitest';
import { NORMALIZED_PIXEL, describeShape, imageBatch, normalizeImages, normalizePixel, normalizedImagesAs, pixelIndex, sliceImages, toLayout } from './images.ts';
import { refusal } from '../../properties/rejection.ts';


// One image, H = 1, W = 2, C = 3, values named by hand: NHWC holds x0(r g b) x1(r g b).
const nhwc = Uint8Array.of(10, 11, 12, 20, 21, 22);
const nchw = Uint8Array.of(10, 20, 11, 21, 12, 22); // planes r, g, b
const shape = { count: 1, height: 1, width: 2, channels: 3 };

describe('imageBatch', () => {
  // Kills images.ts:37–46 (the layout test and message, each shape field and its message, the length and its message).
  it('checks the layout, every shape field and the length, each with its message', () => {
    expect(imageBatch(nhwc, shape, 'NHWC')).toEqual({ data: nhwc, shape, layout: 'NHWC' });
    expect(imageBatch(nchw, shape, 'NCHW').layout).toBe('NCHW');
    expect(refusal(() => imageBatch(nhwc, shape, 'HWC' as 'NHWC'))).toEqual({ check: 'image.layout', message: 'unknown layout "HWC": use "NHWC" or "NCHW"' });
    for (const [field, value] of [['count', 0], ['height', -1], ['width', 1.5], ['channels', Number.NaN]] as const) {
      expect(refusal(() => imageBatch(nhwc, { ...shape, [field]: value }, 'NHWC'))).toEqual({ check: 'image.shape', message: `image ${field} must be a positive integer, got ${value}` });
    }
    expect(refusal(() => imageBatch(new Uint8Array(5), shape, 'NHWC'))).toEqual({ check: 'image.length', message: 'image data has 5 values but shape N×H×W×C = 1×1×2×3 needs 6' });
    expect(refusal(() => imageBatch(new Uint8Array(7), shape, 'NCHW'))).toEqual({ check: 'image.length', message: 'image data has 7 values but shape N×C×H×W = 1×3×1×2 needs 6' });
    expect(imageBatch(new Uint8Array(24), { count: 2, height: 3, width: 2, channels: 2 }, 'NCHW').shape.count).toBe(2);
  });

  it('describeShape names the axes in layout order', () => {
    const s = { count: 2, height: 3, width: 4, channels: 5 };
    expect(describeShape(s, 'NHWC')).toBe('N×H×W×C = 2×3×4×5');
    expect(describeShape(s, 'NCHW')).toBe('N×C×H×W = 2×5×3×4');
  });
});

describe('indices and layouts', () => {
  // Kills images.ts:57–58 (each term of both formulas). N = 2, H = 3, W = 4, C = 5; value (1, 1, 2, 3):
  // NHWC ((1·3 + 1)·4 + 2)·5 + 3 = 93, NCHW ((1·5 + 3)·3 + 1)·4 + 2 = 102.
  it('pixelIndex follows the two formulas', () => {
    const s = { count: 2, height: 3, width: 4, channels: 5 };
    expect(pixelIndex(s, 'NHWC', 1, 1, 2, 3)).toBe(93);
    expect(pixelIndex(s, 'NCHW', 1, 1, 2, 3)).toBe(102);
    expect(pixelIndex(s, 'NHWC', 0, 2, 3, 4)).toBe(59);
    expect(pixelIndex(s, 'NCHW', 0, 2, 3, 4)).toBe(59);
    expect(pixelIndex(s, 'NCHW', 0, 2, 3, 0)).toBe(11);
  });

  // Kills images.ts:62–70 (the same layout returned as is, the array type kept, every loop bound).
  it('toLayout converts both ways, keeps the array type, and returns a batch already in the layout', () => {
    const a = { data: nhwc, shape, layout: 'NHWC' as const };
    expect(toLayout(a, 'NHWC')).toBe(a);
    const b = toLayout(a, 'NCHW');
    expect(b).toEqual({ data: nchw, shape, layout: 'NCHW' });
    expect(toLayout(b, 'NHWC').data).toEqual(nhwc);
    // Two images, H = 2, W = 1, C = 2: NHWC n0(y0 c0 c1, y1 c0 c1) n1(...) → NCHW n0(c0 y0 y1, c1 y0 y1) n1(...).
    const f = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const g = toLayout({ data: f, shape: { count: 2, height: 2, width: 1, channels: 2 }, layout: 'NHWC' }, 'NCHW');
    expect(g.data).toBeInstanceOf(Float64Array);
    expect(Array.from(g.data)).toEqual([1, 3, 2, 4, 5, 7, 6, 8]);
  });
});

describe('Eq. (7)', () => {
  // Kills images.ts:74–78 (the formula, the table's length and values).
  it('x̂ = (2x − 255)/255, and the float32 table of it', () => {
    expect([normalizePixel(0), normalizePixel(255), normalizePixel(51), normalizePixel(102)]).toEqual([-1, 1, -153 / 255, -51 / 255]);
    expect(NORMALIZED_PIXEL).toBeInstanceOf(Float32Array);
    expect(NORMALIZED_PIXEL.length).toBe(256);
    expect([NORMALIZED_PIXEL[0], NORMALIZED_PIXEL[255], NORMALIZED_PIXEL[128]]).toEqual([-1, 1, Math.fround(1 / 255)]);
  });

  // Kills images.ts:84–99 (start offset, count, same layout and conversion, every loop bound).
  it('normalizeImages: images [start, start + count), in either layout', () => {
    // Three images of H = 1, W = 2, C = 1 (NHWC = NCHW for C = 1), then C = 2.
    const three = { data: Uint8Array.of(0, 255, 51, 102, 255, 0), shape: { count: 3, height: 1, width: 2, channels: 1 }, layout: 'NHWC' as const };
    const n = (x: number) => Math.fround((2 * x - 255) / 255);
    expect(Array.from(normalizeImages(three, 1, 2, 'NHWC'))).toEqual([51, 102, 255, 0].map(n));
    expect(Array.from(normalizeImages(three, 2, 1, 'NCHW'))).toEqual([255, 0].map(n));
    const two = { data: Uint8Array.of(0, 51, 102, 255, 255, 102, 51, 0), shape: { count: 2, height: 1, width: 2, channels: 2 }, layout: 'NHWC' as const };
    // Image 1 NHWC: x0 (255, 102), x1 (51, 0) → NCHW c0 (255, 51), c1 (102, 0).
    expect(Array.from(normalizeImages(two, 1, 1, 'NCHW'))).toEqual([255, 51, 102, 0].map(n));
    expect(Array.from(normalizeImages(two, 0, 2, 'NCHW'))).toEqual([0, 102, 51, 255, 255, 51, 102, 0].map(n));
    expect(Array.from(normalizeImages({ ...two, data: Uint8Array.of(0, 102, 51, 255, 255, 51, 102, 0), layout: 'NCHW' }, 0, 2, 'NHWC'))).toEqual([0, 51, 102, 255, 255, 102, 51, 0].map(n));
  });

  // Kills images.ts:106–111 and :116–118 (the subarray bounds, the view, the conversion, the count in the shape).
  it('normalizedImagesAs and sliceImages: views of [start, start + count)', () => {
    const data = Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11); // 3 images of H = 1, W = 2, C = 2
    const batch = { data, shape: { count: 3, height: 1, width: 2, channels: 2 }, layout: 'NHWC' as const };
    const view = normalizedImagesAs(batch, 1, 2, 'NHWC');
    expect(Array.from(view)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(view.buffer).toBe(data.buffer);
    expect(Array.from(normalizedImagesAs(batch, 1, 1, 'NCHW'))).toEqual([4, 6, 5, 7]);
    expect(Array.from(normalizedImagesAs(batch, 0, 2, 'NCHW'))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    const slice = sliceImages(batch, 2, 1);
    expect(Array.from(slice.data)).toEqual([8, 9, 10, 11]);
    expect(slice.data.buffer).toBe(data.buffer);
    expect(slice.shape).toEqual({ count: 1, height: 1, width: 2, channels: 2 });
    expect(slice.layout).toBe('NHWC');
    expect(sliceImages({ ...batch, layout: 'NCHW' }, 0, 2).layout).toBe('NCHW');
    expect(Array.from(sliceImages(batch, 0, 2).data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
