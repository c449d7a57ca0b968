/**
 * Safetensors files for tests, built independently of src/io/safetensors.ts
 * (DataView + JSON.stringify, written from the format description) so the
 * tests are not circular: a file builder, a value decoder and fast-check
 * generators of canonical files.
 */
import fc from 'fast-check';
import type { SafetensorsDType, TensorData } from '../src/io/safetensors.ts';

/**
 * Bytes per element of each dtype cipherpatch reads, from the safetensors
 * format (huggingface/safetensors README, "Format": F64/I64 8, F32/I32 4,
 * F16/BF16/I16 2, I8/U8/BOOL 1), not from src's table, so that a wrong size
 * there makes the reader disagree with these files (properties/ORACLES.md).
 */
export const FORMAT_DTYPE_BYTES: Readonly<Record<SafetensorsDType, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const FORMAT_DTYPES = Object.keys(FORMAT_DTYPE_BYTES) as SafetensorsDType[];

export interface RawEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u64le(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** A file from a header text and a buffer, with the header padded by `pad` spaces. */
export function fileFrom(headerText: string, buffer: Uint8Array = new Uint8Array(0), pad = 0): Uint8Array {
  const header = new TextEncoder().encode(headerText + ' '.repeat(pad));
  return concat([u64le(header.length), header, buffer]);
}

/** The canonical file for these entries: names sorted, buffer in that order, padded to 8. */
export function buildFile(entries: readonly RawEntry[], metadata?: Record<string, string>): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const metaKeys = metadata ? Object.keys(metadata).sort() : [];
  let offset = 0;
  const pieces: string[] = [];
  // written by hand: an object would put integer-like keys ("0") first
  if (metaKeys.length > 0) pieces.push(`"__metadata__":{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata![k])}`).join(',')}}`);
  for (const e of sorted) {
    pieces.push(`${JSON.stringify(e.name)}:${JSON.stringify({ dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] })}`);
    offset += e.bytes.length;
  }
  const text = `{${pieces.join(',')}}`;
  const length = new TextEncoder().encode(text).length;
  return fileFrom(text, concat(sorted.map((e) => e.bytes)), (8 - (length % 8)) % 8);
}

/** float16 by arithmetic, the textbook way. */
export function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function bf16Value(h: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, h << 16);
  return dv.getFloat32(0);
}

/** The values of a tensor's little-endian bytes, decoded with DataView. */
export function expectedValues(dtype: string, bytes: Uint8Array): (number | bigint)[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = FORMAT_DTYPE_BYTES[dtype as SafetensorsDType];
  const out: (number | bigint)[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    switch (dtype) {
      case 'F64': out.push(dv.getFloat64(at, true)); break;
      case 'F32': out.push(dv.getFloat32(at, true)); break;
      case 'F16': out.push(f16Value(dv.getUint16(at, true))); break;
      case 'BF16': out.push(bf16Value(dv.getUint16(at, true))); break;
      case 'I64': out.push(dv.getBigInt64(at, true)); break;
      case 'I32': out.push(dv.getInt32(at, true)); break;
      case 'I16': out.push(dv.getInt16(at, true)); break;
      case 'I8': out.push(dv.getInt8(at)); break;
      default: out.push(dv.getUint8(at)); break;
    }
  }
  return out;
}

export function sameValues(actual: TensorData, expected: (number | bigint)[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) return false;
  return true;
}

export function f32(values: number[]): Uint8Array {
  const b = new Uint8Array(4 * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return b;
}

export const entry = (name: string, begin: number, end: number, dtype = 'U8', shape: number[] = [end - begin]): string =>
  `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

// ---------------------------------------------------------------------------
// Generators.

export const nameArb = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })).filter((s) => s !== '__metadata__');
export const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
export const rawEntryArb: fc.Arbitrary<Omit<RawEntry, 'name'>> = fc
  .tuple(fc.constantFrom(...FORMAT_DTYPES), shapeArb)
  .chain(([dtype, shape]) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const size = FORMAT_DTYPE_BYTES[dtype];
    const bytes = dtype === 'BOOL' ? fc.uint8Array({ min: 0, max: 1, minLength: count, maxLength: count }) : fc.uint8Array({ minLength: count * size, maxLength: count * size });
    return bytes.map((b) => ({ dtype, shape, bytes: b }));
  });
export const rawFileArb = fc.record({
  entries: fc.uniqueArray(fc.tuple(nameArb, rawEntryArb), { selector: ([n]) => n, maxLength: 5 }).map((list) => list.map(([name, e]) => ({ name, ...e }))),
  metadata: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), { nil: undefined }),
});
