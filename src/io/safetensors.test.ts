import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FC_RUNS } from '../../properties/setup.ts';
import { CipherpatchError } from '../core/errors.ts';
import { FORMAT_DTYPE_BYTES, buildFile, concat, entry, expectedValues, f32, fileFrom, nameArb, rawEntryArb, rawFileArb, sameValues, u64le } from '../../properties/safetensorsFiles.ts';
import {
  MAX_HEADER_BYTES,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  type Tensor,
  type TensorData,
  readSafetensors,
  readSafetensorsFile,
  writeSafetensors,
  writeSafetensorsFile,
} from './safetensors.ts';

function rejectsWith(bytes: Uint8Array, check: string): CipherpatchError {
  try {
    readSafetensors(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CipherpatchError);
    expect((e as CipherpatchError).check).toBe(check);
    return e as CipherpatchError;
  }
  throw new Error(`expected a ${check} rejection, but the file was accepted`);
}

// ---------------------------------------------------------------------------

describe('safetensors: hand-made files', () => {
  it('reads exact values from a file built by hand with DataView', () => {
    const buffer = new Uint8Array(8 + 16 + 4 + 2);
    const dv = new DataView(buffer.buffer);
    dv.setFloat32(0, 1.5, true);
    dv.setFloat32(4, -2.25, true);
    dv.setBigInt64(8, -(2n ** 62n) - 3n, true);
    dv.setBigInt64(16, 42n, true);
    dv.setInt32(24, -123456789, true);
    dv.setUint16(28, 0x3c00, true); // F16 1.0
    const text = `{"__metadata__":{"format":"pt"},${entry('w', 0, 8, 'F32', [2])},${entry('ids', 8, 24, 'I64', [1, 2])},${entry('n', 24, 28, 'I32', [])},${entry('h', 28, 30, 'F16', [1])}}`;
    const { tensors, metadata } = readSafetensors(fileFrom(text, buffer, 3));
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()].sort()).toEqual(['h', 'ids', 'n', 'w']);
    expect(tensors.get('w')).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2.25]) });
    expect(tensors.get('ids')!.data).toEqual(new BigInt64Array([-(2n ** 62n) - 3n, 42n]));
    expect(tensors.get('ids')!.shape).toEqual([1, 2]);
    expect(tensors.get('n')).toEqual({ dtype: 'I32', shape: [], data: new Int32Array([-123456789]) });
    expect(tensors.get('h')!.data).toEqual(new Float32Array([1]));
  });

  it('writes the reference implementation\'s bytes for {"test": I32 zeros [2,2]}', () => {
    // huggingface/safetensors bindings/python/tests/test_simple.py: the header is
    // 60 bytes of JSON padded with 4 spaces to 64 ("@"), then 16 zero bytes.
    const expected = concat([
      new Uint8Array([64, 0, 0, 0, 0, 0, 0, 0]),
      new TextEncoder().encode('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    '),
      new Uint8Array(16),
    ]);
    expect(writeSafetensors({ test: { dtype: 'I32', shape: [2, 2], data: new Int32Array(4) } })).toEqual(expected);
  });

  it('reads the reference implementation\'s metadata example (header length 102, not a multiple of 8)', () => {
    const text = '{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
    const file = fileFrom(text, new Uint8Array(16), 7);
    expect(file[0]).toBe(102);
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ framework: 'pt' });
    expect(tensors.get('test1')).toEqual({ dtype: 'I32', shape: [2, 2], data: new Int32Array(4) });
  });

  it('writes names sorted, metadata first, buffer in name order, little-endian values', () => {
    const out = writeSafetensors(
      new Map<string, Tensor>([
        ['b', { dtype: 'F32', shape: [1], data: new Float32Array([3]) }],
        ['a', { dtype: 'U8', shape: [2], data: new Uint8Array([7, 9]) }],
      ]),
      { z: '1', y: '2' },
    );
    const text = '{"__metadata__":{"y":"2","z":"1"},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}';
    expect(out).toEqual(fileFrom(text, concat([new Uint8Array([7, 9]), f32([3])]), (8 - (text.length % 8)) % 8));
  });

  it('accepts an empty header object and zero-sized tensors (also several at one offset)', () => {
    expect(readSafetensors(fileFrom('{}')).tensors.size).toBe(0);
    const { tensors } = readSafetensors(fileFrom(`{${entry('e', 0, 0, 'F32', [0, 3])},${entry('f', 0, 0, 'I64', [2, 0])},${entry('x', 0, 1)}}`, new Uint8Array([5])));
    expect(tensors.get('e')).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
    expect(tensors.get('x')!.data).toEqual(new Uint8Array([5]));
  });

  it('returns copies, not views into the file', () => {
    const file = buildFile([{ name: 'a', dtype: 'U8', shape: [2], bytes: new Uint8Array([1, 2]) }]);
    const a = readSafetensors(file).tensors.get('a')!.data;
    file[file.length - 1] = 99;
    expect(a).toEqual(new Uint8Array([1, 2]));
  });

  it('reads unaligned multi-byte tensors', () => {
    const file = buildFile([
      { name: 'a', dtype: 'U8', shape: [3], bytes: new Uint8Array([1, 2, 3]) },
      { name: 'b', dtype: 'F64', shape: [1], bytes: new Uint8Array(new Float64Array([Math.PI]).buffer) },
    ]);
    expect(readSafetensors(file).tensors.get('b')!.data).toEqual(new Float64Array([Math.PI]));
  });

  it('keeps a metadata key "__proto__" as plain data', () => {
    const { metadata } = readSafetensors(fileFrom('{"__metadata__":{"__proto__":"x"}}'));
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.keys(metadata)).toEqual(['__proto__']);
    expect(metadata.__proto__).toBe('x');
  });
});

describe('safetensors: properties', () => {
  it('reads any canonical hand-built file to the values DataView gives, and writes it back byte for byte', () => {
    fc.assert(
      fc.property(rawFileArb, ({ entries, metadata }) => {
        const file = buildFile(entries, metadata);
        const parsed = readSafetensors(file);
        expect(parsed.metadata).toEqual(metadata ?? {});
        expect(parsed.tensors.size).toBe(entries.length);
        for (const e of entries) {
          const t = parsed.tensors.get(e.name)!;
          expect(t.dtype).toBe(e.dtype);
          expect(t.shape).toEqual(e.shape);
          if (!sameValues(t.data, expectedValues(e.dtype, e.bytes))) throw new Error(`wrong values for ${e.name}`);
        }
        expect(writeSafetensors(parsed.tensors, parsed.metadata)).toEqual(file);
      }),
    );
  });

  it('round-trips random tensor maps (write → read gives the same tensors)', () => {
    const tensorArb: fc.Arbitrary<Tensor> = rawEntryArb.map(({ dtype, shape, bytes }) => {
      const values = expectedValues(dtype, bytes);
      const d = dtype as SafetensorsDType;
      const data: TensorData =
        d === 'F64' ? Float64Array.from(values as number[]) :
        d === 'F32' || d === 'F16' || d === 'BF16' ? Float32Array.from(values as number[]) :
        d === 'I64' ? BigInt64Array.from(values as bigint[]) :
        d === 'I32' ? Int32Array.from(values as number[]) :
        d === 'I16' ? Int16Array.from(values as number[]) :
        d === 'I8' ? Int8Array.from(values as number[]) : Uint8Array.from(values as number[]);
      return { dtype: d, shape, data };
    });
    fc.assert(
      fc.property(fc.dictionary(nameArb, tensorArb, { maxKeys: 5 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (tensors, metadata) => {
        const back = readSafetensors(writeSafetensors(tensors, metadata));
        expect(back.metadata).toEqual(metadata);
        expect(new Set(back.tensors.keys())).toEqual(new Set(Object.keys(tensors)));
        for (const [name, t] of Object.entries(tensors)) {
          const b = back.tensors.get(name)!;
          expect(b.dtype).toBe(t.dtype);
          expect(b.shape).toEqual(t.shape);
          expect(b.data.constructor).toBe(t.data.constructor);
          if (!sameValues(b.data, [...t.data])) throw new Error(`wrong values for ${name}`);
        }
      }),
    );
  });

  it('fuzz: a damaged file is either parsed correctly or rejected with a CipherpatchError', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('length' as const), value: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 400 }).map(BigInt)) }),
      fc.record({ kind: fc.constant('header' as const), edit: fc.constantFrom('overlap', 'dtype', 'shape', 'offsets', 'swap-dtype', 'dup', 'hole') , pick: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
      fc.record({ kind: fc.constant('text' as const), at: fc.nat(), insert: fc.constantFrom('"', '{', '}', ',', ':', '[', ']', '\\', '\u0000', 'é', '-1', '1e3', ' ', 'null', '\ud800') }),
    );
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(rawFileArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), ({ entries, metadata }, mutations) => {
        let file = buildFile(entries, metadata);
        for (const m of mutations) file = mutate(file, m);
        let parsed: ReturnType<typeof readSafetensors>;
        try {
          parsed = readSafetensors(file);
        } catch (e) {
          if (!(e instanceof CipherpatchError)) throw e;
          expect(e.check).toMatch(/^safetensors\./);
          seen.set(e.check, (seen.get(e.check) ?? 0) + 1);
          return;
        }
        seen.set('accepted', (seen.get('accepted') ?? 0) + 1);
        checkAgainstOracle(file, parsed);
      }),
    );
    // the fuzz is not vacuous: it reaches both outcomes and many different checks
    if (process.env.FUZZ_STATS) console.log(Object.fromEntries(seen));
    if (FC_RUNS >= 100) {
      expect(seen.get('accepted')).toBeGreaterThan(0);
      expect(seen.size).toBeGreaterThanOrEqual(8);
    }
  });
});

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'length'; value: bigint }
  | { kind: 'header'; edit: string; pick: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'text'; at: number; insert: string };

function splitFile(file: Uint8Array): { text: string; buffer: Uint8Array } | undefined {
  if (file.length < 8) return undefined;
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  if (8 + n > file.length) return undefined;
  return { text: new TextDecoder().decode(file.subarray(8, 8 + n)), buffer: file.subarray(8 + n) };
}

function mutate(file: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'truncate':
      return file.slice(0, m.at % (file.length + 1));
    case 'byte': {
      const out = file.slice();
      if (out.length > 0) out[m.at % out.length] = m.value;
      return out;
    }
    case 'length': {
      const out = file.slice();
      if (out.length >= 8) new DataView(out.buffer).setBigUint64(0, m.value, true);
      return out;
    }
    case 'append':
      return concat([file, m.bytes]);
    case 'text': {
      const parts = splitFile(file);
      if (!parts) return file;
      const at = m.at % (parts.text.length + 1);
      return fileFrom(parts.text.slice(0, at) + m.insert + parts.text.slice(at), parts.buffer);
    }
    case 'header': {
      const parts = splitFile(file);
      if (!parts) return file;
      let header: Record<string, { dtype: string; shape: unknown; data_offsets: unknown }>;
      try {
        header = JSON.parse(parts.text);
      } catch {
        return file;
      }
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      if (names.length === 0) return file;
      const name = names[m.pick % names.length];
      const e = header[name];
      if (typeof e !== 'object' || e === null || !Array.isArray(e.data_offsets)) return file;
      const [b, end] = e.data_offsets as [number, number];
      switch (m.edit) {
        case 'overlap': e.data_offsets = [Math.max(0, b - 1), end]; break;
        case 'dtype': e.dtype = ['F8', 'f32', 'U16', 'COMPLEX', ''][m.pick % 5]; break;
        case 'swap-dtype': e.dtype = SAFETENSORS_DTYPES[m.pick % SAFETENSORS_DTYPES.length]; break;
        case 'shape': e.shape = [[1.5], [-1], ['2'], [2 ** 60, 2 ** 60], 7, [(Array.isArray(e.shape) ? e.shape.length : 0) + 1]][m.pick % 6]; break;
        case 'offsets': e.data_offsets = [[end, b], [b], [b, end, 0], [b, end + 1], [b, 1e300], 'x'][m.pick % 6]; break;
        case 'hole': e.data_offsets = [b + 1, end + 1]; break;
        case 'dup': return fileFrom(parts.text.replace(/}\s*$/, `,${JSON.stringify(name)}:${JSON.stringify(e)}}`), parts.buffer);
      }
      return fileFrom(JSON.stringify(header), parts.buffer);
    }
  }
}

/** A parse that succeeded must agree with an independent reading of the same bytes. */
function checkAgainstOracle(file: Uint8Array, parsed: ReturnType<typeof readSafetensors>): void {
  const parts = splitFile(file)!;
  const header = JSON.parse(parts.text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  expect(new Set(parsed.tensors.keys())).toEqual(new Set(names));
  expect(parsed.metadata).toEqual(header.__metadata__ ?? {});
  let covered = 0;
  for (const name of names) {
    const { dtype, shape, data_offsets: [begin, end] } = header[name];
    const t = parsed.tensors.get(name)!;
    expect(t.dtype).toBe(dtype);
    expect(t.shape).toEqual(shape);
    expect(end - begin).toBe(shape.reduce((a, b) => a * b, 1) * FORMAT_DTYPE_BYTES[dtype as SafetensorsDType]);
    covered += end - begin;
    if (!sameValues(t.data, expectedValues(dtype, parts.buffer.subarray(begin, end)))) throw new Error(`tensor ${name} has wrong values`);
  }
  expect(covered).toBe(parts.buffer.length);
}

describe('safetensors: each check', () => {
  const ok = `{${entry('a', 0, 4)}}`;
  const four = new Uint8Array([1, 2, 3, 4]);

  it('too-short', () => {
    for (const n of [0, 1, 7]) expect(rejectsWith(new Uint8Array(n), 'safetensors.too-short').message).toContain(`only ${n} bytes`);
  });

  it('header-length: past the end of the file', () => {
    const file = fileFrom(ok, four);
    const cut = file.slice(0, 8 + 10);
    expect(rejectsWith(cut, 'safetensors.header-length').message).toMatch(/runs past the end of the file \(18 bytes/);
    expect(rejectsWith(concat([u64le(1), new Uint8Array(0)]), 'safetensors.header-length').message).toContain('truncated');
  });

  it('header-too-large', () => {
    rejectsWith(concat([u64le(2n ** 64n - 1n), new TextEncoder().encode('{}')]), 'safetensors.header-too-large');
    rejectsWith(concat([u64le(MAX_HEADER_BYTES + 1), new TextEncoder().encode('{}')]), 'safetensors.header-too-large');
  });

  it('header-utf8 (invalid sequences; a BOM is not JSON either)', () => {
    rejectsWith(concat([u64le(4), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]), 'safetensors.header-utf8');
    rejectsWith(concat([u64le(5), new Uint8Array([0x7b, 0xed, 0xa0, 0x80, 0x7d])]), 'safetensors.header-utf8'); // encoded surrogate
    rejectsWith(concat([u64le(5), new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])]), 'safetensors.header-json');
  });

  it('header-json', () => {
    for (const text of ['', ' ', '{', '{"a":}', '{"a":1,}', "{'a':1}", '{"a":01}', '{"a":1} x', '{"a":"\\x"}', '{"a":"\u0001"}', '{"a":tru}', '[' .repeat(100_000), '{"a":[1 2]}', 'NaN']) {
      rejectsWith(fileFrom(text), 'safetensors.header-json');
    }
  });

  it('header-not-object', () => {
    for (const text of ['[]', '1', '"x"', 'null', 'true']) expect(rejectsWith(fileFrom(text), 'safetensors.header-not-object').message).toContain('not a JSON object');
  });

  it('duplicate-name and duplicate-key', () => {
    expect(rejectsWith(fileFrom(`{${entry('a', 0, 4)},${entry('a', 0, 4)}}`, four), 'safetensors.duplicate-name').message).toContain('"a" twice');
    rejectsWith(fileFrom(`{"a":{"dtype":"U8","dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, four), 'safetensors.duplicate-key');
    rejectsWith(fileFrom(`{"__metadata__":{"k":"1","k":"2"}}`), 'safetensors.duplicate-key');
    rejectsWith(fileFrom(`{"__metadata__":{},"__metadata__":{}}`), 'safetensors.duplicate-name');
    // the same name, spelt with an escape, is the same key
    rejectsWith(fileFrom(`{${entry('a', 0, 4)},"\\u0061":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, four), 'safetensors.duplicate-name');
  });

  it('entry-not-object and entry-field', () => {
    rejectsWith(fileFrom('{"a":[0,4]}', four), 'safetensors.entry-not-object');
    expect(rejectsWith(fileFrom('{"a":{"dtype":"U8","shape":[4]}}', four), 'safetensors.entry-field').message).toContain('no "data_offsets"');
    expect(rejectsWith(fileFrom('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4],"x":1}}', four), 'safetensors.entry-field').message).toContain('unknown field "x"');
  });

  it('dtype: unknown or not a string', () => {
    for (const d of ['"F8"', '"f32"', '"U16"', '4', 'null']) {
      rejectsWith(fileFrom(`{"a":{"dtype":${d},"shape":[4],"data_offsets":[0,4]}}`, four), 'safetensors.dtype');
    }
  });

  it('shape: not an array of non-negative integers, or too many elements', () => {
    for (const s of ['4', '[-4]', '[4.0]', '[4e0]', '["4"]', '[null]', '[9007199254740993]', '[4294967296, 4294967296, 4294967296]']) {
      rejectsWith(fileFrom(`{"a":{"dtype":"U8","shape":${s},"data_offsets":[0,4]}}`, four), 'safetensors.shape');
    }
  });

  it('data-offsets: not two non-negative integers with begin ≤ end', () => {
    for (const o of ['[0]', '[0,4,4]', '"0,4"', '[0,4.0]', '[-1,3]', '[4,0]', '[0,1e1]']) {
      rejectsWith(fileFrom(`{"a":{"dtype":"U8","shape":[4],"data_offsets":${o}}}`, four), 'safetensors.data-offsets');
    }
  });

  it('offsets-out-of-buffer', () => {
    expect(rejectsWith(fileFrom(`{${entry('a', 0, 8)}}`, four), 'safetensors.offsets-out-of-buffer').message).toContain('only 4 bytes');
    rejectsWith(fileFrom(`{${entry('a', 0, 4)}}`, four.subarray(0, 3)), 'safetensors.offsets-out-of-buffer');
  });

  it('offsets-overlap', () => {
    const m = rejectsWith(fileFrom(`{${entry('a', 0, 3)},${entry('b', 2, 4)}}`, four), 'safetensors.offsets-overlap').message;
    expect(m).toContain('"b"');
    expect(m).toContain('"a"');
    rejectsWith(fileFrom(`{${entry('a', 0, 4)},${entry('b', 0, 4)}}`, concat([four, four])), 'safetensors.offsets-overlap');
    rejectsWith(fileFrom(`{${entry('a', 0, 4)},${entry('z', 2, 2, 'F32', [0])}}`, four), 'safetensors.offsets-overlap');
  });

  it('buffer-hole: a gap, bytes before the first tensor, or trailing bytes', () => {
    rejectsWith(fileFrom(`{${entry('a', 0, 1)},${entry('b', 2, 4)}}`, four), 'safetensors.buffer-hole');
    rejectsWith(fileFrom(`{${entry('a', 1, 4)}}`, four), 'safetensors.buffer-hole');
    expect(rejectsWith(fileFrom(`{${entry('a', 0, 3)}}`, four), 'safetensors.buffer-hole').message).toContain('1 trailing bytes');
    rejectsWith(fileFrom('{}', four), 'safetensors.buffer-hole');
  });

  it('byte-length: end − begin ≠ product(shape) · dtype size', () => {
    const m = rejectsWith(fileFrom(`{${entry('a', 0, 4, 'F32', [2])}}`, four), 'safetensors.byte-length').message;
    expect(m).toContain('needs 2 × 4 = 8 bytes');
    rejectsWith(fileFrom(`{${entry('a', 0, 4, 'U8', [2, 3])}}`, four), 'safetensors.byte-length');
  });

  it('metadata: not a string → string map', () => {
    for (const md of ['[]', '"x"', '{"a":1}', '{"a":null}', '{"a":{"b":"c"}}']) {
      rejectsWith(fileFrom(`{"__metadata__":${md}}`), 'safetensors.metadata');
    }
  });

  it('bool-value', () => {
    rejectsWith(fileFrom(`{${entry('a', 0, 4, 'BOOL', [4])}}`, new Uint8Array([0, 1, 2, 1])), 'safetensors.bool-value');
    expect(readSafetensors(fileFrom(`{${entry('a', 0, 4, 'BOOL', [4])}}`, new Uint8Array([0, 1, 1, 0]))).tensors.get('a')!.data).toEqual(new Uint8Array([0, 1, 1, 0]));
  });
});

describe('safetensors: writing rejects bad tensors', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['reserved name', { __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }, 'safetensors.tensor-name'],
    ['unknown dtype', { a: { dtype: 'U16', shape: [1], data: new Uint8Array(1) } }, 'safetensors.dtype'],
    ['bad shape', { a: { dtype: 'U8', shape: [1.5], data: new Uint8Array(1) } }, 'safetensors.shape'],
    ['negative shape', { a: { dtype: 'U8', shape: [-1], data: new Uint8Array(1) } }, 'safetensors.shape'],
    ['wrong array type', { a: { dtype: 'F32', shape: [1], data: new Float64Array(1) } }, 'safetensors.data-type'],
    ['F16 from Uint8Array', { a: { dtype: 'F16', shape: [1], data: new Uint8Array(2) } }, 'safetensors.data-type'],
    ['length mismatch', { a: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }, 'safetensors.data-length'],
    ['bool value', { a: { dtype: 'BOOL', shape: [1], data: new Uint8Array([2]) } }, 'safetensors.bool-value'],
  ];
  for (const [what, tensors, check] of cases) {
    it(what, () => {
      expect(() => writeSafetensors(tensors as Record<string, Tensor>)).toThrow(expect.objectContaining({ check }));
    });
  }
  it('metadata values must be strings', () => {
    expect(() => writeSafetensors({}, { a: 1 } as unknown as Record<string, string>)).toThrow(expect.objectContaining({ check: 'safetensors.metadata' }));
  });
  it('accepts a Buffer for U8', () => {
    expect(readSafetensors(writeSafetensors({ a: { dtype: 'U8', shape: [2], data: Buffer.from([1, 2]) } })).tensors.get('a')!.data).toEqual(new Uint8Array([1, 2]));
  });
});

describe('safetensors: files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-safetensors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically, refuses to overwrite without the option, and reads back', () => {
    const path = join(dir, 'm.safetensors');
    const tensors = { w: { dtype: 'F32' as const, shape: [2], data: new Float32Array([1, 2]) } };
    writeSafetensorsFile(path, tensors, { k: 'v' });
    expect(readSafetensorsFile(path).tensors.get('w')!.data).toEqual(new Float32Array([1, 2]));
    expect(() => writeSafetensorsFile(path, tensors)).toThrow(expect.objectContaining({ check: 'output.exists' }));
    writeSafetensorsFile(path, { w: { dtype: 'F32', shape: [1], data: new Float32Array([3]) } }, {}, { overwrite: true });
    expect(readSafetensorsFile(path).tensors.get('w')!.data).toEqual(new Float32Array([3]));
    expect(readdirSync(dir)).toEqual(['m.safetensors']);
  });

  it('names the file in errors', () => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, new Uint8Array(3));
    expect(() => readSafetensorsFile(path)).toThrow(expect.objectContaining({ check: 'safetensors.too-short', message: expect.stringContaining(path) }));
    expect(() => readSafetensorsFile(join(dir, 'missing.safetensors'))).toThrow(expect.objectContaining({ check: 'safetensors.unreadable' }));
    expect(readFileSync(path).length).toBe(3);
  });
});
