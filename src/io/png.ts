/**
 * PNG images as 8-bit NHWC batches of one image (pngjs). RGB and grey PNGs
 * are read as 3 channels; an alpha channel must be fully opaque (it cannot be
 * encrypted meaningfully and would be lost).
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { fail } from '../core/errors.ts';
import { type Uint8Batch, imageBatch } from '../core/images.ts';
import { writeFileAtomic } from './atomicWrite.ts';

export function decodePng(bytes: Uint8Array, name = 'PNG'): Uint8Batch {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    fail('png.decode', `${name} is not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height, data } = png;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    if (data[4 * p + 3] !== 255) fail('png.alpha', `${name} has transparent pixels (pixel ${p % width},${Math.floor(p / width)}); only opaque images can be encrypted`);
    rgb[3 * p] = data[4 * p];
    rgb[3 * p + 1] = data[4 * p + 1];
    rgb[3 * p + 2] = data[4 * p + 2];
  }
  return imageBatch(rgb, { count: 1, height, width, channels: 3 }, 'NHWC');
}

export function readPng(path: string): Uint8Batch {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail('png.read', `cannot read ${path}: ${(e as Error).message}`);
  }
  return decodePng(bytes, path);
}

/** Encodes image n of an NHWC batch with 1 or 3 channels as an RGB PNG. */
export function encodePng(batch: Uint8Batch, n = 0): Uint8Array {
  if (batch.layout !== 'NHWC') fail('png.layout', 'PNG encoding needs an NHWC batch');
  const { height, width, channels } = batch.shape;
  if (channels !== 1 && channels !== 3) fail('png.channels', `PNG encoding needs 1 or 3 channels, got ${channels}`);
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const rgba = Buffer.alloc(width * height * 4);
  const base = n * height * width * channels;
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = batch.data[base + p * channels + (channels === 1 ? 0 : c)];
    rgba[4 * p + 3] = 255;
  }
  png.data = rgba;
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true });
}

export function writePng(path: string, batch: Uint8Batch, options: { overwrite?: boolean } = {}): void {
  writeFileAtomic(path, encodePng(batch), options);
}
