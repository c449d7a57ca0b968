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
 * The header is parsed by a strict JSON parser of our own (safetensorsJson.ts)
 * so that duplicate keys (which JSON.parse would silently merge) are caught.
 *
 * F16 and BF16 tensors are held as Float32Array (every F16/BF16 value is
 * exactly a float32). The conversion (halfPrecision.ts) works on bit patterns, so reading and
 * writing again gives back the same bytes, NaN payloads included; writing
 * other float32 values to F16/BF16 rounds to nearest, ties to even.
 */
import { readFileSync } from 'node:fs';
import { CipherpatchError, fail } from '../core/errors.ts';
import { type WriteOptions, writeFileAtomic } from './atomicWrite.ts';
import { f16ToF32Bits, f32BitsToBf16, f32BitsToF16 } from './halfPrecision.ts';
import { JsonParser, type JsonValue, describeJson, nonNegativeInteger, quote } from './safetensorsJson.ts';

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
const METADATA_KEY = '__metadata__';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(value: string): value is SafetensorsDType {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, value);
}

// ---------------------------------------------------------------------------
// Decoding and encoding tensor bytes.

/** A copy in a fresh ArrayBuffer of its own (Buffer#slice would give a view of Node's shared pool). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * A tensor's values from its little-endian bytes. `hostLittleEndian` is the
 * host's byte order; only tests pass it, to run the big-endian path here.
 * @internal
 */
export function decodeTensor(name: string, dtype: SafetensorsDType, bytes: Uint8Array, count: number, hostLittleEndian = LITTLE_ENDIAN_HOST): TensorData {
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
  if (hostLittleEndian) {
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

/**
 * Writes a tensor's values little-endian into `out` (exactly its byte length).
 * `hostLittleEndian` as for decodeTensor.
 * @internal
 */
export function encodeTensor(dtype: SafetensorsDType, data: TensorData, out: Uint8Array, hostLittleEndian = LITTLE_ENDIAN_HOST): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (dtype === 'F16' || dtype === 'BF16') {
    const f = data as Float32Array;
    const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
    for (let i = 0; i < f.length; i++) view.setUint16(2 * i, dtype === 'F16' ? f32BitsToF16(bits[i]) : f32BitsToBf16(bits[i]), true);
    return;
  }
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (hostLittleEndian || data.BYTES_PER_ELEMENT === 1) {
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
