/**
 * PNG images as 8-bit NHWC batches of one image (pngjs decodes the pixels).
 *
 * What is read, so that decrypt(encrypt(file)) gives the file's pixels back
 * exactly:
 * - 8-bit RGB, as it is;
 * - 8-bit RGBA whose pixels are all opaque, as RGB (an alpha of 255 everywhere
 *   carries nothing; transparent pixels cannot be encrypted meaningfully);
 * - anything else (grayscale, gray+alpha, palette, fewer or 16 bits per
 *   sample) only when the caller asks to convert it to 8-bit RGB (`convert`,
 *   the CLI's --convert): 16 bits are cut to 8, and the output is an RGB PNG,
 *   not the original format.
 *
 * Before pngjs sees the bytes, the file's structure is checked, so that a bad
 * file is named for what it is: empty, not a PNG, corrupt (a chunk's CRC, the
 * header, the compressed data) or truncated (the file ends inside a chunk or
 * before IEND, or the image data holds fewer rows than the header declares).
 * All of these fail `png.decode`; a format that needs --convert fails
 * `png.format`.
 */
import { readFileSync } from 'node:fs';
import { constants, crc32, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { fail } from '../core/errors.ts';
import { type Uint8Batch, imageBatch } from '../core/images.ts';
import { writeFileAtomic } from './atomicWrite.ts';

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

/** The IHDR fields that decide how a PNG is read. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 grayscale, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  readonly colorType: number;
  readonly interlaced: boolean;
}

/** Samples per pixel and the bit depths allowed, by color type. */
const COLOR_TYPES: Record<number, { name: string; samples: number; depths: readonly number[] }> = {
  0: { name: 'grayscale', samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: 'RGB', samples: 3, depths: [8, 16] },
  3: { name: 'palette', samples: 1, depths: [1, 2, 4, 8] },
  4: { name: 'gray+alpha', samples: 2, depths: [8, 16] },
  6: { name: 'RGBA', samples: 4, depths: [8, 16] },
};

/** "16-bit grayscale", "8-bit RGB", … */
export function describePngFormat(header: PngHeader): string {
  return `${header.bitDepth}-bit ${COLOR_TYPES[header.colorType].name}`;
}

/** Bytes of the filtered image data: one filter byte per row, per Adam7 pass when interlaced. */
function rowsOf(header: PngHeader): { bytes: number; rows: number }[] {
  const bits = COLOR_TYPES[header.colorType].samples * header.bitDepth;
  const row = (width: number) => 1 + Math.ceil((width * bits) / 8);
  if (!header.interlaced) return [{ bytes: row(header.width), rows: header.height }];
  // Adam7: (x0, y0, dx, dy) of each pass.
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  return passes
    .map(([x0, y0, dx, dy]) => ({ width: Math.ceil((header.width - x0) / dx), rows: Math.ceil((header.height - y0) / dy) }))
    .filter((p) => p.width > 0 && p.rows > 0)
    .map((p) => ({ bytes: row(p.width), rows: p.rows }));
}

/**
 * Checks a PNG's structure (signature, chunks and their CRCs, IHDR, the image
 * data's size and filter bytes) and returns its header and the bytes up to
 * the end of IEND. Fails `png.decode` with a message naming `name` and what is wrong.
 */
export function inspectPng(bytes: Uint8Array, name = 'PNG'): { header: PngHeader; end: number } {
  if (bytes.length === 0) fail('png.decode', `${name} is empty (0 bytes), not a PNG image`);
  const signature = bytes.subarray(0, 8);
  if (!signature.every((b, i) => b === SIGNATURE[i])) fail('png.decode', `${name} is not a PNG image (it does not start with the PNG signature)`);
  if (bytes.length < 8) fail('png.decode', `${name} is a truncated PNG: it ends after ${bytes.length} bytes, inside the PNG signature`);
  const corrupt = (why: string): never => fail('png.decode', `${name} is a corrupt PNG: ${why}`);
  const truncated = (why: string): never => fail('png.decode', `${name} is a truncated PNG: ${why}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  const idat: Uint8Array[] = [];
  let offset = 8;
  for (;;) {
    if (offset + 12 > bytes.length) truncated(`the file ends after ${bytes.length} bytes, ${header === undefined ? 'before the IHDR header' : 'before the IEND chunk that closes a PNG'}`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) corrupt(`byte ${offset} should start a chunk, but its type is not four letters`);
    if (offset + 12 + length > bytes.length) truncated(`chunk ${type} at byte ${offset} declares ${length} bytes of data, but the file ends after ${bytes.length - offset - 8}`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if ((crc32(bytes.subarray(offset + 4, offset + 8 + length)) >>> 0) !== view.getUint32(offset + 8 + length)) corrupt(`chunk ${type} at byte ${offset} fails its CRC check`);
    if (header === undefined) {
      if (type !== 'IHDR' || length !== 13) corrupt(`the first chunk is ${type} (${length} bytes), not the 13-byte IHDR header`);
      header = checkedHeader(data, corrupt);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      offset += 12 + length;
      break;
    }
    offset += 12 + length;
  }
  if (idat.length === 0) corrupt('it has no image data (no IDAT chunk)');
  checkImageData(Buffer.concat(idat), header, corrupt, truncated);
  return { header, end: offset };
}

function checkedHeader(data: Uint8Array, corrupt: (why: string) => never): PngHeader {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8, 13);
  if (width === 0 || height === 0) corrupt(`the header declares a ${width}×${height} image`);
  const type = COLOR_TYPES[colorType];
  if (type === undefined) corrupt(`the header declares color type ${colorType} (0, 2, 3, 4 or 6 exist)`);
  if (!type.depths.includes(bitDepth)) corrupt(`the header declares ${type.name} with ${bitDepth} bits per sample (${type.depths.join(', ')} exist)`);
  if (compression !== 0 || filter !== 0 || interlace > 1) corrupt(`the header declares compression ${compression}, filter method ${filter}, interlace ${interlace} (only 0, 0 and 0 or 1 exist)`);
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

/** The image data decompresses to exactly the rows the header declares, each with a filter type 0–4. */
function checkImageData(compressed: Uint8Array, header: PngHeader, corrupt: (why: string) => never, truncated: (why: string) => never): void {
  let raw: Buffer;
  try {
    // A sync flush returns whatever a cut-off stream holds, so that a short image is told apart from garbage.
    raw = inflateSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    corrupt(`its image data (IDAT) does not decompress: ${(e as Error).message}`);
  }
  const passes = rowsOf(header);
  const expected = passes.reduce((sum, p) => sum + p.bytes * p.rows, 0);
  if (raw.length < expected) {
    const what = header.interlaced ? `${raw.length} of the ${expected} bytes` : `${Math.floor(raw.length / passes[0].bytes)} of the ${header.height} rows`;
    truncated(`its image data holds ${what} that the header declares (${header.width}×${header.height})`);
  }
  if (raw.length > expected) corrupt(`its image data holds ${raw.length} bytes, more than the ${expected} that the header declares (${header.width}×${header.height})`);
  let at = 0;
  passes.forEach((p, pass) => {
    for (let r = 0; r < p.rows; r++, at += p.bytes) {
      if (raw[at] > 4) corrupt(`row ${r}${header.interlaced ? ` of interlace pass ${pass + 1}` : ''} has filter type ${raw[at]} (0–4 exist)`);
    }
  });
}

export interface PngReadOptions {
  /** Accept grayscale, gray+alpha, palette and 16-bit PNGs, converted to 8-bit RGB (lossy for 16 bits). */
  readonly convert?: boolean;
}

export interface DecodedPng {
  readonly image: Uint8Batch;
  readonly header: PngHeader;
  /** What was converted ("16-bit grayscale → 8-bit RGB"); undefined when the pixels are the file's own. */
  readonly conversion?: string;
}

/** The rules above, as one decision: undefined when the pixels are read as they are, else what --convert would do. */
function conversionOf(header: PngHeader): { what: string; lossy: boolean } | undefined {
  if (header.bitDepth === 8 && (header.colorType === 2 || header.colorType === 6)) return undefined;
  return { what: `${describePngFormat(header)} → 8-bit RGB`, lossy: header.bitDepth === 16 };
}

export function decodePngImage(bytes: Uint8Array, name = 'PNG', options: PngReadOptions = {}): DecodedPng {
  const { header, end } = inspectPng(bytes, name);
  const conversion = conversionOf(header);
  if (conversion !== undefined && !options.convert) {
    const loss = conversion.lossy ? 'cutting its 16-bit samples to 8 bits, so decrypting would not give its values back' : `turning it into an RGB PNG, so decrypting would give an RGB image, not this ${COLOR_TYPES[header.colorType].name} one`;
    fail('png.format', `${name} is ${header.bitDepth === 8 ? 'an' : 'a'} ${describePngFormat(header)} PNG: only 8-bit RGB (or fully opaque RGBA) round-trips exactly; reading it means ${loss}. Use --convert to accept that`);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, end));
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
  const image = imageBatch(rgb, { count: 1, height, width, channels: 3 }, 'NHWC');
  return { image, header, ...(conversion !== undefined ? { conversion: conversion.what } : {}) };
}

export function decodePng(bytes: Uint8Array, name = 'PNG', options: PngReadOptions = {}): Uint8Batch {
  return decodePngImage(bytes, name, options).image;
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    fail('png.read', `cannot read ${path}: ${(e as Error).message}`);
  }
}

export function readPngImage(path: string, options: PngReadOptions = {}): DecodedPng {
  return decodePngImage(readBytes(path), path, options);
}

export function readPng(path: string, options: PngReadOptions = {}): Uint8Batch {
  return readPngImage(path, options).image;
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
