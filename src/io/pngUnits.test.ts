/**
 * png.ts, the cases png.test.ts leaves open: each header field's check and
 * its whole message, chunks that overflow by a byte, image data cut inside
 * its zlib stream, a bad filter byte in a later row or interlace pass, the
 * defaults, reading and writing files, and encodePng's pixels checked
 * through pngjs. Files are built here chunk by chunk (properties/pngFiles.ts)
 * after the PNG specification; the expected messages are written by hand.
 * Mutation kills (issue 25, area io) named per test as png.ts:<line> <mutator>.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { chunk, pngFile } from '../../properties/pngFiles.ts';
import { decodePng, decodePngImage, encodePng, inspectPng, readPng, readPngImage, writePng } from './png.ts';
import { refusal } from '../../properties/rejection.ts';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
/** The chunks of a PNG: [type, data]. */
function chunks(bytes: Uint8Array): [string, Buffer][] {
  const b = Buffer.from(bytes);
  const out: [string, Buffer][] = [];
  for (let at = 8; at + 12 <= b.length; ) {
    const length = b.readUInt32BE(at);
    out.push([b.toString('latin1', at + 4, at + 8), b.subarray(at + 8, at + 8 + length)]);
    at += 12 + length;
  }
  return out;
}
const build = (parts: [string, Uint8Array][]) => Buffer.concat([SIGNATURE, ...parts.map(([t, d]) => chunk(t, d))]);
/** A PNG with IHDR byte `i` (0–12) set to `v`. */
function withHeaderByte(spec: Parameters<typeof pngFile>[0], i: number, v: number): Buffer {
  return build(chunks(pngFile(spec)).map(([t, d]) => (t === 'IHDR' ? [t, Buffer.from(d).fill(v, i, i + 1)] : [t, d])));
}
/** A PNG whose IDAT holds `raw` (already filtered rows), deflated. */
function withRaw(spec: Parameters<typeof pngFile>[0], raw: Uint8Array, deflate = true): Buffer {
  return build(chunks(pngFile(spec)).map(([t, d]) => (t === 'IDAT' ? [t, deflate ? deflateSync(raw) : raw] : [t, d])));
}
const rawOf = (bytes: Uint8Array) => inflateSync(Buffer.concat(chunks(bytes).filter(([t]) => t === 'IDAT').map(([, d]) => d)));
const decode = (bytes: Uint8Array) => refusal(() => decodePng(bytes, 'x.png'));

describe('the structure check, case by case', () => {
  // Kills png.ts:72 StringLiteral (the default name), :75 MethodExpression (every signature byte), :185 and :189 (decodePngImage's and decodePng's default name).
  it('the default name is "PNG"; every signature byte counts', () => {
    expect(refusal(() => inspectPng(new Uint8Array(0))).message).toBe('PNG is empty (0 bytes), not a PNG image');
    expect(refusal(() => decodePngImage(new Uint8Array(0))).message).toBe('PNG is empty (0 bytes), not a PNG image');
    expect(refusal(() => decodePng(new Uint8Array(0))).message).toBe('PNG is empty (0 bytes), not a PNG image');
    const almost = Buffer.from(pngFile({ width: 2, height: 2 }));
    almost[7] = 0;
    expect(decode(almost)).toEqual({ check: 'png.decode', message: 'x.png is not a PNG image (it does not start with the PNG signature)' });
  });

  // Kills png.ts:87 ConditionalExpression/StringLiteral (a chunk type that is not four letters, its message).
  it('a chunk type that is not four letters', () => {
    const parts = chunks(pngFile({ width: 2, height: 2 }));
    const bytes = build([parts[0], ['ID4T', parts[1][1]], parts[2]]);
    expect(decode(bytes)).toEqual({ check: 'png.decode', message: 'x.png is a corrupt PNG: byte 33 should start a chunk, but its type is not four letters' });
  });

  // Kills png.ts:88 ArithmeticOperator (offset + 12 + length: a chunk one byte too long for the file).
  it('a chunk whose CRC is cut by one byte', () => {
    const good = pngFile({ width: 2, height: 2 });
    const idat = chunks(good)[1][1];
    const bytes = good.subarray(0, 33 + 12 + idat.length - 1);
    expect(decode(bytes)).toEqual({ check: 'png.decode', message: `x.png is a truncated PNG: chunk IDAT at byte 33 declares ${idat.length} bytes of data, but the file ends after ${idat.length + 3}` });
  });

  // Kills png.ts:92 (the first chunk: its type and its length, each alone, and the message).
  it('the first chunk must be IHDR with 13 bytes', () => {
    const parts = chunks(pngFile({ width: 2, height: 2 }));
    expect(decode(build([['tEXt', Buffer.alloc(13, 65)], ...parts]))).toEqual({ check: 'png.decode', message: 'x.png is a corrupt PNG: the first chunk is tEXt (13 bytes), not the 13-byte IHDR header' });
    expect(decode(build([['IHDR', Buffer.concat([parts[0][1], Buffer.of(0)])], ...parts.slice(1)]))).toEqual({ check: 'png.decode', message: 'x.png is a corrupt PNG: the first chunk is IHDR (14 bytes), not the 13-byte IHDR header' });
  });

  // Kills png.ts:96 ArithmeticOperator (the end counts IEND's own data).
  it('the end is after IEND, its data included', () => {
    const parts = chunks(pngFile({ width: 2, height: 2 }));
    const bytes = Buffer.concat([build([parts[0], parts[1], ['IEND', Buffer.from('abcd')]]), Buffer.from('after')]);
    expect(inspectPng(bytes).end).toBe(bytes.length - 5);
  });

  // Kills png.ts:110–114 (each header check alone, each message).
  it('each header field is checked', () => {
    const spec = { width: 4, height: 4 };
    const corrupt = (why: string) => ({ check: 'png.decode', message: `x.png is a corrupt PNG: the header declares ${why}` });
    expect(decode(withHeaderByte(spec, 3, 0))).toEqual(corrupt('a 0×4 image'));
    expect(decode(withHeaderByte(spec, 7, 0))).toEqual(corrupt('a 4×0 image'));
    expect(decode(withHeaderByte(spec, 9, 5))).toEqual(corrupt('color type 5 (0, 2, 3, 4 or 6 exist)'));
    expect(decode(withHeaderByte(spec, 8, 4))).toEqual(corrupt('RGB with 4 bits per sample (8, 16 exist)'));
    expect(decode(withHeaderByte(spec, 10, 1))).toEqual(corrupt('compression 1, filter method 0, interlace 0 (only 0, 0 and 0 or 1 exist)'));
    expect(decode(withHeaderByte(spec, 11, 1))).toEqual(corrupt('compression 0, filter method 1, interlace 0 (only 0, 0 and 0 or 1 exist)'));
    expect(decode(withHeaderByte(spec, 12, 2))).toEqual(corrupt('compression 0, filter method 0, interlace 2 (only 0, 0 and 0 or 1 exist)'));
  });
});

describe('the image data', () => {
  // Kills png.ts:123 ObjectLiteral (a zlib stream cut short is a truncated image, not a corrupt one).
  it('a zlib stream cut in the middle is a truncated image', () => {
    const spec = { width: 32, height: 64 };
    const raw = rawOf(pngFile(spec));
    for (let i = 0; i < raw.length; i++) if (i % 97 !== 0) raw[i] = (i * 2654435761) >>> 24; // barely compressible; filter bytes (every 97th) stay 0
    const full = deflateSync(raw);
    const cut = full.subarray(0, full.length >> 1);
    const e = decode(withRaw(spec, cut, false));
    expect(e.check).toBe('png.decode');
    expect(e.message).toMatch(/^x\.png is a truncated PNG: its image data holds \d+ of the 64 rows that the header declares \(32×64\)$/);
  });

  // Kills png.ts:133 ConditionalExpression/StringLiteral (more data than the header declares).
  it('more rows than the header declares', () => {
    const raw = rawOf(pngFile({ width: 4, height: 4 })); // 4 rows of 1 + 12 bytes
    expect(decode(withRaw({ width: 4, height: 2 }, raw))).toEqual({ check: 'png.decode', message: 'x.png is a corrupt PNG: its image data holds 52 bytes, more than the 26 that the header declares (4×2)' });
  });

  // Kills png.ts:136 AssignmentOperator (every row's filter byte, not only the first), :137 (the interlace pass, counted from 1).
  it('a bad filter byte in a later row, and in an interlace pass', () => {
    const raw = rawOf(pngFile({ width: 2, height: 3 })); // rows of 1 + 6 bytes
    raw[14] = 9;
    expect(decode(withRaw({ width: 2, height: 3 }, raw))).toEqual({ check: 'png.decode', message: 'x.png is a corrupt PNG: row 2 has filter type 9 (0–4 exist)' });
    // 8×8 interlaced: pass 1 is one row of one pixel (1 + 3 bytes), so pass 2 starts at byte 4.
    const spec = { width: 8, height: 8, interlaced: true };
    const interlaced = rawOf(pngFile(spec));
    interlaced[4] = 7;
    expect(decode(withRaw(spec, interlaced))).toEqual({ check: 'png.decode', message: 'x.png is a corrupt PNG: row 0 of interlace pass 2 has filter type 7 (0–4 exist)' });
  });
});

describe('reading', () => {
  // Kills png.ts:160 StringLiteral (what a conversion says).
  it('says what converting does', () => {
    expect(decodePngImage(pngFile({ width: 2, height: 2, colorType: 0 }), 'g.png', { convert: true }).conversion).toBe('8-bit grayscale → 8-bit RGB');
    expect(decodePngImage(pngFile({ width: 2, height: 2, bitDepth: 16 }), 'g.png', { convert: true }).conversion).toBe('16-bit RGB → 8-bit RGB');
  });

  // Kills png.ts:169–171 (what pngjs refuses is png.decode, naming the file).
  it('a palette image without its palette passes the structure check but not pngjs', () => {
    const noPalette = build(chunks(pngFile({ width: 2, height: 2, colorType: 3, paletteSize: 4 })).filter(([t]) => t !== 'PLTE'));
    const e = refusal(() => decodePng(noPalette, 'p.png', { convert: true }));
    expect(e.check).toBe('png.decode');
    expect(e.message.startsWith('p.png is not a readable PNG: ')).toBe(true);
    expect(e.message.length).toBeGreaterThan('p.png is not a readable PNG: '.length);
  });

  // Kills png.ts:192–201 (readBytes and its message, readPngImage, readPng), :221 (writePng and its options).
  it('reads and writes files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-png-'));
    const path = join(dir, 'a.png');
    const image = { data: Uint8Array.of(1, 2, 3, 4, 5, 6), shape: { count: 1, height: 1, width: 2, channels: 3 }, layout: 'NHWC' as const };
    writePng(path, image);
    expect(Array.from(readPng(path).data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readPngImage(path).header).toEqual({ width: 2, height: 1, bitDepth: 8, colorType: 2, interlaced: false });
    expect(refusal(() => writePng(path, image))).toMatchObject({ check: 'output.exists' });
    writePng(path, { ...image, data: Uint8Array.of(9, 9, 9, 8, 8, 8) }, { overwrite: true });
    expect(Array.from(readPng(path).data)).toEqual([9, 9, 9, 8, 8, 8]);
    const gray = join(dir, 'g.png');
    writeFileSync(gray, pngFile({ width: 2, height: 2, colorType: 0 }));
    expect(refusal(() => readPng(gray)).check).toBe('png.format');
    expect(readPngImage(gray, { convert: true }).conversion).toBe('8-bit grayscale → 8-bit RGB');
    expect(readPng(gray, { convert: true }).shape.channels).toBe(3);
    const missing = join(dir, 'missing.png');
    const e = refusal(() => readPng(missing));
    expect(e.check).toBe('png.read');
    expect(e.message.startsWith(`cannot read ${missing}: ENOENT`)).toBe(true);
  });
});

describe('encodePng', () => {
  // Kills png.ts:207–209 (the layout and channel checks, their messages).
  it('needs NHWC and 1 or 3 channels', () => {
    expect(refusal(() => encodePng({ data: new Uint8Array(3), shape: { count: 1, height: 1, width: 1, channels: 3 }, layout: 'NCHW' }))).toEqual({ check: 'png.layout', message: 'PNG encoding needs an NHWC batch' });
    for (const channels of [2, 4]) {
      expect(refusal(() => encodePng({ data: new Uint8Array(channels), shape: { count: 1, height: 1, width: 1, channels }, layout: 'NHWC' }))).toEqual({ check: 'png.channels', message: `PNG encoding needs 1 or 3 channels, got ${channels}` });
    }
  });

  // Kills png.ts:210–218 (every pixel of image n, gray spread to r = g = b, opaque, written as 8-bit RGB).
  it('writes image n as an 8-bit RGB PNG, pixel by pixel', () => {
    // Two images, H = 2, W = 3, RGB: value 100n + 10p + c for pixel p, channel c.
    const rgb = Uint8Array.from({ length: 2 * 6 * 3 }, (_, i) => 100 * Math.floor(i / 18) + 10 * Math.floor((i % 18) / 3) + (i % 3));
    const bytes = encodePng({ data: rgb, shape: { count: 2, height: 2, width: 3, channels: 3 }, layout: 'NHWC' }, 1);
    expect(Array.from(bytes.subarray(24, 26))).toEqual([8, 2]); // IHDR bit depth 8, color type 2
    const png = PNG.sync.read(Buffer.from(bytes));
    expect([png.width, png.height]).toEqual([3, 2]);
    const expected: number[] = [];
    for (let p = 0; p < 6; p++) expected.push(100 + 10 * p, 101 + 10 * p, 102 + 10 * p, 255);
    expect(Array.from(png.data)).toEqual(expected);
    // One channel: image 1 of 2, H = 3, W = 2, gray 50 + p.
    const gray = Uint8Array.of(0, 0, 0, 0, 0, 0, 50, 51, 52, 53, 54, 55);
    const g = PNG.sync.read(Buffer.from(encodePng({ data: gray, shape: { count: 2, height: 3, width: 2, channels: 1 }, layout: 'NHWC' }, 1)));
    expect(Array.from(g.data)).toEqual([50, 51, 52, 53, 54, 55].flatMap((v) => [v, v, v, 255]));
    // The default is image 0.
    expect(Array.from(PNG.sync.read(Buffer.from(encodePng({ data: gray, shape: { count: 2, height: 3, width: 2, channels: 1 }, layout: 'NHWC' }))).data)).toEqual(Array(24).fill(0).map((_, i) => (i % 4 === 3 ? 255 : 0)));
  });
});
