/**
 * The image as the papers write it: C channels of H×W values, stored
 * channel-major (C, H, W) in one flat Float64Array. Index of value (c, y, x):
 * (c·H + y)·W + x. 8-bit images hold integers 0..255 in the same array.
 */
export interface SpecImage {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float64Array;
}

export function specImage(channels: number, height: number, width: number, data?: ArrayLike<number>): SpecImage {
  const out = new Float64Array(channels * height * width);
  if (data !== undefined) {
    if (data.length !== out.length) throw new Error(`specImage: expected ${out.length} values, got ${data.length}`);
    out.set(data);
  }
  return { channels, height, width, data: out };
}

export function pixelAt(img: SpecImage, c: number, y: number, x: number): number {
  return img.data[(c * img.height + y) * img.width + x];
}

export function setPixel(img: SpecImage, c: number, y: number, x: number, value: number): void {
  img.data[(c * img.height + y) * img.width + x] = value;
}
