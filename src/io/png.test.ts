/** The PNG reader: every bad file is named for what it is, and only what round-trips exactly is read without --convert. */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { chunk, flipByte, pngFile } from '../../properties/pngFiles.ts';
import { rejection } from '../../properties/rejection.ts';
import { decodePng, decodePngImage, encodePng, inspectPng } from './png.ts';


const good = () => pngFile({ width: 8, height: 4 });

describe('bad files are named for what they are (png.decode, with the file name)', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['an empty file', () => new Uint8Array(0), /^x\.png is empty \(0 bytes\), not a PNG image$/],
    ['text', () => Buffer.from('hello, not an image'), /^x\.png is not a PNG image \(it does not start with the PNG signature\)$/],
    ['a JPEG header', () => Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16), /x\.png is not a PNG image/],
    ['half a signature', () => good().subarray(0, 5), /x\.png is a truncated PNG: it ends after 5 bytes, inside the PNG signature/],
    ['the signature alone', () => good().subarray(0, 8), /x\.png is a truncated PNG: the file ends after 8 bytes, before the IHDR header/],
    ['a bad CRC in IHDR', () => flipByte(good(), 8 + 8 + 3), /x\.png is a corrupt PNG: chunk IHDR at byte 8 fails its CRC check/],
    ['a bad CRC in IDAT', () => flipByte(good(), 8 + 25 + 9), /x\.png is a corrupt PNG: chunk IDAT at byte 33 fails its CRC check/],
    ['cut inside IDAT', () => good().subarray(0, 50), /x\.png is a truncated PNG: chunk IDAT at byte 33 declares \d+ bytes of data, but the file ends after 9/],
    ['no IEND', () => good().subarray(0, good().length - 12), /x\.png is a truncated PNG: the file ends after \d+ bytes, before the IEND chunk/],
    ['image data with 100 of 1024 rows', () => pngFile({ width: 32, height: 1024, rowsStored: 100 }), /x\.png is a truncated PNG: its image data holds 100 of the 1024 rows that the header declares \(32×1024\)/],
    ['an unknown filter type', () => pngFile({ width: 32, height: 32, filter: 205 }), /x\.png is a corrupt PNG: row 0 has filter type 205 \(0–4 exist\)/],
    ['IDAT that is not zlib data', () => Buffer.concat([good().subarray(0, 33), chunk('IDAT', Buffer.from('garbage garbage')), chunk('IEND')]), /x\.png is a corrupt PNG: its image data \(IDAT\) does not decompress/],
    ['no IDAT', () => Buffer.concat([good().subarray(0, 33), chunk('IEND')]), /x\.png is a corrupt PNG: it has no image data/],
    ['a chunk before IHDR', () => Buffer.concat([good().subarray(0, 8), chunk('tEXt', Buffer.from('a\0b')), good().subarray(8)]), /x\.png is a corrupt PNG: the first chunk is tEXt/],
    ['an impossible bit depth', () => pngFile({ width: 4, height: 4, bitDepth: 4, colorType: 2 }), /x\.png is a corrupt PNG: the header declares RGB with 4 bits per sample/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      const e = rejection(() => decodePng(bytes(), 'x.png'));
      expect(e.check).toBe('png.decode');
      expect(e.message).toMatch(message);
    });
  }

  it('bytes after IEND are ignored', () => {
    const bytes = Buffer.concat([good(), Buffer.from('trailing')]);
    expect(decodePng(bytes).data).toEqual(decodePng(good()).data);
  });

  it('an interlaced PNG passes the structure check (Adam7 sizes) and decodes like pngjs', () => {
    for (const [width, height] of [[1, 1], [3, 5], [8, 8], [13, 6]]) {
      const bytes = pngFile({ width, height, interlaced: true });
      expect(inspectPng(bytes).header).toMatchObject({ width, height, interlaced: true });
      expect(Array.from(decodePng(bytes).data)).toEqual(Array.from(PNG.sync.read(bytes).data).filter((_, i) => i % 4 !== 3));
      expect(rejection(() => decodePng(pngFile({ width, height, interlaced: true, rowsStored: 0 }), 'i.png')).message).toMatch(/i\.png is a truncated PNG: its image data holds 0 of the \d+ bytes/);
    }
  });
});

describe('formats: only what round-trips exactly, unless converting is asked for', () => {
  it('8-bit RGB and fully opaque 8-bit RGBA are read as they are', () => {
    const rgb = pngFile({ width: 8, height: 4 });
    const decoded = decodePngImage(rgb);
    expect(decoded.conversion).toBeUndefined();
    expect(decoded.image.shape).toEqual({ count: 1, height: 4, width: 8, channels: 3 });
    expect(Buffer.from(encodePng(decoded.image)).equals(Buffer.from(encodePng(decodePng(encodePng(decoded.image)))))).toBe(true);
    expect(decodePngImage(pngFile({ width: 8, height: 4, colorType: 6 })).conversion).toBeUndefined();
  });

  const refused: [string, Parameters<typeof pngFile>[0], RegExp][] = [
    ['16-bit RGB', { width: 4, height: 4, bitDepth: 16 }, /g\.png is a 16-bit RGB PNG: .*cutting its 16-bit samples to 8 bits.*--convert/],
    ['16-bit RGBA', { width: 4, height: 4, bitDepth: 16, colorType: 6 }, /16-bit RGBA PNG: .*cutting/],
    ['8-bit grayscale', { width: 4, height: 4, colorType: 0 }, /g\.png is an 8-bit grayscale PNG: .*an RGB image, not this grayscale one.*--convert/],
    ['1-bit grayscale', { width: 4, height: 4, colorType: 0, bitDepth: 1 }, /1-bit grayscale PNG/],
    ['16-bit grayscale', { width: 4, height: 4, colorType: 0, bitDepth: 16 }, /16-bit grayscale PNG: .*cutting/],
    ['gray+alpha', { width: 4, height: 4, colorType: 4 }, /8-bit gray\+alpha PNG: .*not this gray\+alpha one/],
    ['palette', { width: 4, height: 4, colorType: 3, paletteSize: 16 }, /8-bit palette PNG: .*not this palette one/],
  ];
  for (const [what, spec, message] of refused) {
    it(`${what}: refused (png.format), read as 8-bit RGB with convert`, () => {
      const e = rejection(() => decodePng(pngFile(spec), 'g.png'));
      expect(e.check).toBe('png.format');
      expect(e.message).toMatch(message);
      const converted = decodePngImage(pngFile(spec), 'g.png', { convert: true });
      expect(converted.conversion).toMatch(/ → 8-bit RGB$/);
      expect(converted.image.shape).toEqual({ count: 1, height: 4, width: 4, channels: 3 });
    });
  }

  it('convert keeps gray values (r = g = b)', () => {
    const image = decodePng(pngFile({ width: 4, height: 2, colorType: 0 }), 'g.png', { convert: true });
    for (let p = 0; p < 8; p++) expect([image.data[3 * p + 1], image.data[3 * p + 2]]).toEqual([image.data[3 * p], image.data[3 * p]]);
  });

  it('transparent pixels are refused even with convert (png.alpha)', () => {
    const p = new PNG({ width: 4, height: 4 });
    p.data.fill(255);
    p.data[4 * 5 + 3] = 0;
    const e = rejection(() => decodePng(PNG.sync.write(p), 't.png', { convert: true }));
    expect(e.check).toBe('png.alpha');
    expect(e.message).toMatch(/t\.png has transparent pixels \(pixel 1,1\)/);
  });
});
