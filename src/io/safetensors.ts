/**
 * The Hugging Face safetensors format, read and written with every header
 * field checked.
 *
 *   bytes 0..8      N, the header length, an unsigned 64-bit little-endian integer
 *   bytes 8..8+N    the header: UTF-8 JSON, an object
 *                     { "__metadata__"?: { string: string },
 *                       name: { "dtype": D, "shape": [d0, …], "data_offsets": [begin, end] }, … }
 *                   (padded with trailing spaces; the reference pads N to a multiple of 8)
 *   bytes 8+N..     the byte buffer: every tensor's values, little-endian, row-major,
 *                   at [begin, end) relative to the buffer's start; the tensors cover
 *                   the buffer exactly (no overlaps, no holes, nothing after the last).
 *
 * Reading rejects anything else with a CipherpatchError whose check starts
 * with "safetensors." — never another exception and never a wrong tensor.
 * The header is parsed by a strict JSON parser of our own so that duplicate
 * keys (which JSON.parse would silently merge) are caught.
 *
 * F16 and BF16 tensors are held as Float32Array (every F16/BF16 value is
 * exactly a float32). The conversion works on bit patterns, so reading and
 * writing again gives back the same bytes, NaN payloads included; writing
 * other float32 values to F16/BF16 rounds to nearest, ties to even.
 */
import { readFileSync } from 'node:fs';
import { CipherpatchError, fail } from '../core/errors.ts';
import { type WriteOptions, writeFileAtomic } from './atomicWrite.ts';

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Int16Array | Int8Array | Uint8Array;

export interface Tensor {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Row-major values; F16/BF16 as Float32Array, BOOL as Uint8Array of 0/1. */
  readonly data: TensorData;
}

export interface Safetensors {
  readonly tensors: Map<string, Tensor>;
  readonly metadata: Record<string, string>;
}

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The typed array that holds each dtype's values. */
const DTYPE_ARRAY: Readonly<Record<SafetensorsDType, abstract new (...args: never[]) => TensorData>> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Float32Array,
  BF16: Float32Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

export const SAFETENSORS_DTYPES = Object.keys(DTYPE_BYTES) as SafetensorsDType[];

/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;
const MAX_JSON_DEPTH = 64;
const METADATA_KEY = '__metadata__';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(value: string): value is SafetensorsDType {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, value);
}

function quote(name: string): string {
  return JSON.stringify(name);
}

// ---------------------------------------------------------------------------
// A strict JSON parser (RFC 8259) that keeps numbers as text and reports
// duplicate keys. It works on the decoded header string.

class JsonNumber {
  constructor(readonly text: string) {}
}
type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

class JsonParser {
  private at = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipSpace();
    const value = this.parseValue(0, []);
    this.skipSpace();
    if (this.at < this.text.length) this.error(`unexpected ${this.describe()} after the JSON value`);
    return value;
  }

  private error(message: string): never {
    fail('safetensors.header-json', `header is not valid JSON: ${message} at character ${this.at}`);
  }

  private describe(): string {
    if (this.at >= this.text.length) return 'end of header';
    return `character ${JSON.stringify(this.text[this.at])}`;
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.at++;
      else break;
    }
  }

  private parseValue(depth: number, path: string[]): JsonValue {
    const c = this.text[this.at];
    if (c === '{') return this.parseObject(depth + 1, path);
    if (c === '[') return this.parseArray(depth + 1, path);
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.error(`expected a value, found ${this.describe()}`);
  }

  private enter(depth: number): void {
    if (depth > MAX_JSON_DEPTH) this.error(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }

  private parseObject(depth: number, path: string[]): Map<string, JsonValue> {
    this.enter(depth);
    this.at++; // {
    const result = new Map<string, JsonValue>();
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.error(`expected a quoted key, found ${this.describe()}`);
      const key = this.parseString();
      if (result.has(key)) {
        if (path.length === 0) fail('safetensors.duplicate-name', `header names ${quote(key)} twice (duplicate JSON key): which tensor is meant is ambiguous`);
        fail('safetensors.duplicate-key', `header entry ${path.map(quote).join('.')} has the key ${quote(key)} twice (duplicate JSON key)`);
      }
      this.skipSpace();
      if (this.text[this.at] !== ':') this.error(`expected ":" after key ${quote(key)}, found ${this.describe()}`);
      this.at++;
      this.skipSpace();
      result.set(key, this.parseValue(depth, [...path, key]));
      this.skipSpace();
      const c = this.text[this.at];
      this.at++;
      if (c === '}') return result;
      if (c !== ',') {
        this.at--;
        this.error(`expected "," or "}" in an object, found ${this.describe()}`);
      }
    }
  }

  private parseArray(depth: number, path: string[]): JsonValue[] {
    this.enter(depth);
    this.at++; // [
    const result: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      result.push(this.parseValue(depth, [...path, String(result.length)]));
      this.skipSpace();
      const c = this.text[this.at];
      this.at++;
      if (c === ']') return result;
      if (c !== ',') {
        this.at--;
        this.error(`expected "," or "]" in an array, found ${this.describe()}`);
      }
    }
  }

  private parseString(): string {
    const t = this.text;
    this.at++; // opening quote
    let out = '';
    let chunk = this.at;
    for (;;) {
      if (this.at >= t.length) this.error('unterminated string');
      const c = t.charCodeAt(this.at);
      if (c === 0x22) {
        out += t.slice(chunk, this.at);
        this.at++;
        return out;
      }
      if (c < 0x20) this.error('unescaped control character in a string');
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      out += t.slice(chunk, this.at);
      const e = t[this.at + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && Object.prototype.hasOwnProperty.call(simple, e)) {
        out += simple[e];
        this.at += 2;
      } else if (e === 'u') {
        const hex = t.slice(this.at + 2, this.at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.error('bad \\u escape in a string');
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 6;
      } else {
        this.error('bad escape in a string');
      }
      chunk = this.at;
    }
  }

  private parseNumber(): JsonNumber {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.at;
    const m = match.exec(this.text);
    if (m === null) this.error('malformed number');
    this.at += m[0].length;
    return new JsonNumber(m[0]);
  }
}

function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string ${quote(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value instanceof JsonNumber) return `the number ${value.text}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** A JSON integer written as plain digits that is a safe non-negative integer, else undefined. */
function nonNegativeInteger(value: JsonValue): number | undefined {
  if (!(value instanceof JsonNumber) || !/^(?:0|[1-9][0-9]*)$/.test(value.text)) return undefined;
  const n = Number(value.text);
  return Number.isSafeInteger(n) ? n : undefined;
}

// ---------------------------------------------------------------------------
// Half-precision conversions on bit patterns.

/** float16 bits → float32 bits (exact; NaN payloads kept). */
function f16ToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // subnormal: value = mant · 2^-24; normalise
  let e = -14;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/** float32 bits → float16 bits, round to nearest, ties to even; NaN stays NaN (payload kept where it fits). */
function f32BitsToF16(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) {
    if (mant === 0) return sign | 0x7c00;
    const payload = mant >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → ∞
  if (e <= 0) {
    if (exp === 0) return sign; // float32 zero or subnormal: far below float16's range
    const full = mant | 0x800000; // 24 significant bits
    const shift = 14 - e; // value = full · 2^(e-38) = (full >> shift) units of 2^-24
    if (shift > 24) return sign;
    let h = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is right, up to ∞
  return sign | h;
}

/** float32 bits → bfloat16 bits, round to nearest, ties to even; NaN stays NaN. */
function f32BitsToBf16(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) {
    const top = b >>> 16;
    return (top & 0x7f) === 0 ? top | 0x40 : top;
  }
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Exposed for tests: the half-precision conversions. */
export const halfPrecision = { f16ToF32Bits, f32BitsToF16, f32BitsToBf16 } as const;

// ---------------------------------------------------------------------------
// Decoding and encoding tensor bytes.

/** A copy in a fresh ArrayBuffer of its own (Buffer#slice would give a view of Node's shared pool). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function decodeTensor(name: string, dtype: SafetensorsDType, bytes: Uint8Array, count: number): TensorData {
  const le = LITTLE_ENDIAN_HOST;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'U8':
      return copyBytes(bytes);
    case 'BOOL': {
      const out = copyBytes(bytes);
      const bad = out.findIndex((v) => v > 1);
      if (bad >= 0) fail('safetensors.bool-value', `tensor ${quote(name)} (BOOL) has the byte ${out[bad]} at element ${bad}: a BOOL must be 0 or 1`);
      return out;
    }
    case 'I8':
      return new Int8Array(copyBytes(bytes).buffer);
    case 'F16':
    case 'BF16': {
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) {
        const h = view.getUint16(2 * i, true);
        bits[i] = dtype === 'F16' ? f16ToF32Bits(h) : (h << 16) >>> 0;
      }
      return out;
    }
    default:
      break;
  }
  if (le) {
    const copy = copyBytes(bytes).buffer; // a fresh, aligned buffer
    switch (dtype) {
      case 'I16':
        return new Int16Array(copy);
      case 'I32':
        return new Int32Array(copy);
      case 'I64':
        return new BigInt64Array(copy);
      case 'F32':
        return new Float32Array(copy);
      case 'F64':
        return new Float64Array(copy);
    }
  }
  switch (dtype) {
    case 'I16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, true));
    case 'I32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case 'I64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(8 * i, true);
      return out;
    }
    case 'F32': {
      // through the bit pattern, so NaN payloads survive
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint32(4 * i, true);
      return out;
    }
    case 'F64': {
      const out = new Float64Array(count);
      const bits = new Uint32Array(out.buffer);
      // host is big-endian here: word 0 is the high word
      for (let i = 0; i < count; i++) {
        bits[2 * i] = view.getUint32(8 * i + 4, true);
        bits[2 * i + 1] = view.getUint32(8 * i, true);
      }
      return out;
    }
  }
  return fail('safetensors.dtype', `tensor ${quote(name)}: no decoder for dtype ${dtype}`);
}

/** Writes a tensor's values little-endian into `out` (exactly its byte length). */
function encodeTensor(dtype: SafetensorsDType, data: TensorData, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (dtype === 'F16' || dtype === 'BF16') {
    const f = data as Float32Array;
    const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
    for (let i = 0; i < f.length; i++) view.setUint16(2 * i, dtype === 'F16' ? f32BitsToF16(bits[i]) : f32BitsToBf16(bits[i]), true);
    return;
  }
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) {
    out.set(raw);
    return;
  }
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < raw.length; i += size) for (let k = 0; k < size; k++) out[i + k] = raw[i + size - 1 - k];
}

// ---------------------------------------------------------------------------
// Reading.

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly count: number;
  readonly begin: number;
  readonly end: number;
}

const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'];

function elementCount(shape: readonly number[], what: string): number {
  let count = 1;
  for (const d of shape) count *= d;
  if (!Number.isSafeInteger(count)) fail('safetensors.shape', `${what} has shape [${shape.join(', ')}], too many elements (${count}) to hold`);
  return count;
}

function parseEntry(name: string, value: JsonValue, bufferLength: number): Entry {
  const what = `tensor ${quote(name)}`;
  if (!(value instanceof Map)) fail('safetensors.entry-not-object', `header entry for ${what} is ${describeJson(value)}, not an object with dtype, shape and data_offsets`);
  for (const field of ENTRY_FIELDS) if (!value.has(field)) fail('safetensors.entry-field', `header entry for ${what} has no "${field}" field`);
  for (const key of value.keys()) if (!ENTRY_FIELDS.includes(key)) fail('safetensors.entry-field', `header entry for ${what} has an unknown field ${quote(key)} (expected only dtype, shape and data_offsets)`);

  const dtype = value.get('dtype') as JsonValue;
  if (typeof dtype !== 'string' || !isDtype(dtype)) {
    fail('safetensors.dtype', `${what} has dtype ${typeof dtype === 'string' ? quote(dtype) : describeJson(dtype)}, not one of ${SAFETENSORS_DTYPES.join(', ')}`);
  }

  const rawShape = value.get('shape') as JsonValue;
  if (!Array.isArray(rawShape)) fail('safetensors.shape', `${what} has shape ${describeJson(rawShape)}, not an array of non-negative integers`);
  const shape = rawShape.map((d, i) => {
    const n = nonNegativeInteger(d);
    if (n === undefined) fail('safetensors.shape', `${what}: shape[${i}] is ${describeJson(d)}, not a non-negative integer`);
    return n;
  });
  const count = elementCount(shape, what);

  const offsets = value.get('data_offsets') as JsonValue;
  if (!Array.isArray(offsets) || offsets.length !== 2) fail('safetensors.data-offsets', `${what} has data_offsets ${describeJson(offsets)}, not an array [begin, end] of two integers`);
  const [begin, end] = offsets.map((o, i) => {
    const n = nonNegativeInteger(o);
    if (n === undefined) fail('safetensors.data-offsets', `${what}: data_offsets[${i}] is ${describeJson(o)}, not a non-negative integer`);
    return n;
  });
  if (begin > end) fail('safetensors.data-offsets', `${what} has data_offsets [${begin}, ${end}]: begin is after end`);
  if (end > bufferLength) fail('safetensors.offsets-out-of-buffer', `${what} has data_offsets [${begin}, ${end}] but the byte buffer after the header has only ${bufferLength} bytes (truncated file?)`);
  const expected = count * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    fail('safetensors.byte-length', `${what} (${dtype}, shape [${shape.join(', ')}]) needs ${count} × ${DTYPE_BYTES[dtype]} = ${expected} bytes but data_offsets [${begin}, ${end}] give ${end - begin}`);
  }
  return { name, dtype, shape, count, begin, end };
}

function parseMetadata(value: JsonValue): Record<string, string> {
  if (!(value instanceof Map)) fail('safetensors.metadata', `"__metadata__" is ${describeJson(value)}, not an object of strings`);
  const pairs: [string, string][] = [];
  for (const [key, v] of value) {
    if (typeof v !== 'string') fail('safetensors.metadata', `"__metadata__" value for ${quote(key)} is ${describeJson(v)}, not a string`);
    pairs.push([key, v]);
  }
  return Object.fromEntries(pairs); // own data properties, even for a key like "__proto__"
}

/** Parses a safetensors file held in memory. The tensors are copies, not views of `bytes`. */
export function readSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.length < 8) fail('safetensors.too-short', `a safetensors file starts with an 8-byte header length, but this one has only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail('safetensors.header-too-large', `header length ${n} bytes is above the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file, or a corrupt one`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) {
    fail('safetensors.header-length', `header length ${headerLength} bytes runs past the end of the file (${bytes.length} bytes, room for at most ${bytes.length - 8}): truncated or not a safetensors file`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('safetensors.header-utf8', `header (${headerLength} bytes) is not valid UTF-8`);
  }
  const header = new JsonParser(text).parseDocument();
  if (!(header instanceof Map)) fail('safetensors.header-not-object', `header is ${describeJson(header)}, not a JSON object`);

  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.length - bufferStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of header) {
    if (name === METADATA_KEY) metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value, bufferLength));
  }

  // The tensors must tile the buffer: sorted by offsets, each starts where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor) {
      fail('safetensors.offsets-overlap', `tensor ${quote(e.name)} at bytes [${e.begin}, ${e.end}) overlaps tensor ${quote(previous!.name)} at [${previous!.begin}, ${previous!.end})`);
    }
    if (e.begin > cursor) fail('safetensors.buffer-hole', `bytes [${cursor}, ${e.begin}) of the buffer belong to no tensor (the next tensor, ${quote(e.name)}, starts at ${e.begin})`);
    cursor = e.end;
    previous = e;
  }
  if (cursor !== bufferLength) fail('safetensors.buffer-hole', `the buffer has ${bufferLength} bytes but the tensors cover only the first ${cursor}: ${bufferLength - cursor} trailing bytes belong to no tensor`);

  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const data = decodeTensor(e.name, e.dtype, bytes.subarray(bufferStart + e.begin, bufferStart + e.end), e.count);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

// ---------------------------------------------------------------------------
// Writing.

function byName<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function checkTensor(name: unknown, tensor: Tensor): number {
  if (typeof name !== 'string') fail('safetensors.tensor-name', `tensor names must be strings, got ${typeof name}`);
  if (name === METADATA_KEY) fail('safetensors.tensor-name', `"${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
  const what = `tensor ${quote(name)}`;
  if (typeof tensor !== 'object' || tensor === null) fail('safetensors.tensor', `${what} is not a tensor object`);
  const { dtype, shape, data } = tensor;
  if (typeof dtype !== 'string' || !isDtype(dtype)) fail('safetensors.dtype', `${what} has dtype ${String(dtype)}, not one of ${SAFETENSORS_DTYPES.join(', ')}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail('safetensors.shape', `${what} has shape ${JSON.stringify(shape)}, not an array of non-negative integers`);
  }
  const count = elementCount(shape, what);
  const expectedType = DTYPE_ARRAY[dtype];
  if (!(data instanceof expectedType)) {
    const got = ArrayBuffer.isView(data) ? (data as object).constructor.name : typeof data;
    fail('safetensors.data-type', `${what} is ${dtype}, so its data must be a ${expectedType.name}, got ${got}`);
  }
  if (data.length !== count) fail('safetensors.data-length', `${what} has shape [${shape.join(', ')}] (${count} elements) but ${data.length} values`);
  if (dtype === 'BOOL') {
    const bad = (data as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) fail('safetensors.bool-value', `${what} (BOOL) has the value ${(data as Uint8Array)[bad]} at element ${bad}: a BOOL must be 0 or 1`);
  }
  return count * DTYPE_BYTES[dtype];
}

/**
 * Serialises tensors to safetensors bytes. Deterministic: tensors sorted by
 * name (header and buffer in the same order), metadata keys sorted and
 * written first (omitted when empty), header padded with spaces to a multiple
 * of 8 bytes as the reference implementation does.
 */
export function writeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const list = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(byName);
  if (typeof metadata !== 'object' || metadata === null) fail('safetensors.metadata', 'metadata must be an object of strings');
  const meta = Object.entries(metadata).sort(byName);
  for (const [key, v] of meta) if (typeof v !== 'string') fail('safetensors.metadata', `metadata value for ${quote(key)} is ${typeof v}, not a string`);

  const parts: string[] = [];
  if (meta.length > 0) parts.push(`${quote(METADATA_KEY)}:{${meta.map(([k, v]) => `${quote(k)}:${quote(v)}`).join(',')}}`);
  let offset = 0;
  const placed: { tensor: Tensor; begin: number; end: number }[] = [];
  for (const [name, tensor] of list) {
    const size = checkTensor(name, tensor);
    const begin = offset;
    offset += size;
    placed.push({ tensor, begin, end: offset });
    parts.push(`${quote(name)}:{"dtype":${quote(tensor.dtype)},"shape":[${tensor.shape.join(',')}],"data_offsets":[${begin},${offset}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_BYTES) fail('safetensors.header-too-large', `the header would be ${padded} bytes, above the ${MAX_HEADER_BYTES}-byte limit readers accept`);

  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  const bufferStart = 8 + padded;
  for (const { tensor, begin, end } of placed) encodeTensor(tensor.dtype, tensor.data, out.subarray(bufferStart + begin, bufferStart + end));
  return out;
}

// ---------------------------------------------------------------------------
// Files.

/** Reads and parses a safetensors file; errors name the file. */
export function readSafetensorsFile(path: string): Safetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail('safetensors.unreadable', `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return readSafetensors(bytes);
  } catch (e) {
    if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `${path}: ${e.message}`);
    throw e;
  }
}

/** Writes a safetensors file atomically (never a partial file); an existing file needs `overwrite`. */
export function writeSafetensorsFile(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
  options: WriteOptions = {},
): void {
  writeFileAtomic(path, writeSafetensors(tensors, metadata), options);
}
