/**
 * Small PNG files for tests, written byte by byte so that every format and
 * every kind of damage can be made: any color type and bit depth, a palette,
 * image data that holds fewer rows than the header says, a bad filter byte,
 * a chunk with a wrong CRC.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

export function chunk(type: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export interface PngSpec {
  readonly width: number;
  readonly height: number;
  /** Default 8. */
  readonly bitDepth?: number;
  /** 0 grayscale, 2 RGB (default), 3 palette, 4 gray+alpha, 6 RGBA. */
  readonly colorType?: number;
  /** Rows actually stored (default: height, as the header says). */
  readonly rowsStored?: number;
  /** Filter byte of every row (default 0, none). */
  readonly filter?: number;
  /** For color type 3: this many palette entries (default 256). */
  readonly paletteSize?: number;
  /** Adam7 interlacing (default false); rowsStored and filter then apply to every pass. */
  readonly interlaced?: boolean;
}

/** The (width, height) of each non-empty Adam7 pass, straight from the PNG specification's table. */
function adam7(width: number, height: number): [number, number][] {
  const starts = [[0, 0], [4, 0], [0, 4], [2, 0], [0, 2], [1, 0], [0, 1]];
  const steps = [[8, 8], [8, 8], [4, 8], [4, 4], [2, 4], [2, 2], [1, 2]];
  const out: [number, number][] = [];
  starts.forEach(([x0, y0], i) => {
    let w = 0;
    for (let x = x0; x < width; x += steps[i][0]) w++;
    let h = 0;
    for (let y = y0; y < height; y += steps[i][1]) h++;
    if (w > 0 && h > 0) out.push([w, h]);
  });
  return out;
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A PNG of this format whose samples are a simple pattern (alpha, when there is one, fully opaque). */
export function pngFile(spec: PngSpec): Buffer {
  const { width, height, bitDepth = 8, colorType = 2, filter = 0 } = spec;
  const images = spec.interlaced ? adam7(width, height) : [[width, height] as [number, number]];
  const raw = Buffer.concat(images.map(([w, h]) => rows(w, Math.min(h, spec.rowsStored ?? h), bitDepth, colorType, filter, spec.paletteSize)));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  ihdr[12] = spec.interlaced ? 1 : 0;
  const parts = [SIGNATURE, chunk('IHDR', ihdr)];
  if (colorType === 3) parts.push(chunk('PLTE', Buffer.from(Array.from({ length: 3 * (spec.paletteSize ?? 256) }, (_, i) => (i * 13) % 256))));
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND'));
  return Buffer.concat(parts);
}

/** Filtered rows of one (sub)image: the filter byte, then the samples. */
function rows(width: number, count: number, bitDepth: number, colorType: number, filter: number, paletteSize = 256): Buffer {
  const samples = SAMPLES[colorType];
  const rowBytes = Math.ceil((width * samples * bitDepth) / 8);
  const raw = Buffer.alloc(count * (1 + rowBytes));
  for (let y = 0; y < count; y++) {
    const at = y * (1 + rowBytes);
    raw[at] = filter;
    for (let i = 0; i < rowBytes; i++) raw[at + 1 + i] = (y * 31 + i * 7) % 251;
    if (bitDepth === 8 && (colorType === 4 || colorType === 6)) for (let x = 0; x < width; x++) raw[at + 1 + (x + 1) * samples - 1] = 255;
    if (bitDepth === 16 && (colorType === 4 || colorType === 6)) for (let x = 0; x < width; x++) raw.writeUInt16BE(65535, at + 1 + ((x + 1) * samples - 1) * 2);
    if (colorType === 3 && bitDepth === 8) for (let i = 0; i < rowBytes; i++) raw[at + 1 + i] %= paletteSize;
  }
  return raw;
}

/** The file with one byte changed (XOR 0xff) at `offset`. */
export function flipByte(file: Buffer, offset: number): Buffer {
  const out = Buffer.from(file);
  out[offset] ^= 0xff;
  return out;
}
