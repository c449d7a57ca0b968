/**
 * Sharper tests written to kill mutants that survived `npm run mutate`
 * (stryker.config.mjs; scores in mutation/README.md). Each test names the
 * mutant it kills (file:line and the mutation). Mutants that cannot change
 * behaviour are listed in mutation/equivalent.md instead.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type BlockKey, checkBlockParameters, keysEqual, validateKey } from '../src/core/key.ts';
import { keyFromJson, keyToJson, parseKey, serializeKey } from '../src/core/keyJson.ts';
import { type Uint8Kernel, decryptFloat, decryptUint8With, encryptFloat, encryptUint8, encryptUint8With, uint8KernelFor, uint8KernelSupports } from '../src/core/blockTransform.ts';
import { simdKernelAvailable } from '../src/core/blockTransformSimd.ts';
import { type BatchShape, imageBatch } from '../src/core/images.ts';
import { generateKey, secureRandom } from '../src/core/keygen.ts';
import { transformPatchEmbedding, untransformPatchEmbedding } from '../src/core/modelTransform.ts';
import { log2BigInt } from '../src/core/keySpace.ts';
import { rejection } from './rejection.ts';
import { MAX_HEADER_BYTES, readSafetensors, readSafetensorsFile, writeSafetensors } from '../src/io/safetensors.ts';


/** A safetensors file from header text and buffer bytes (the format: u64 LE length, header, buffer). */
function fileOf(text: string, buffer: Uint8Array = new Uint8Array(0)): Uint8Array {
  const header = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + header.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  out.set(buffer, 8 + header.length);
  return out;
}

describe('keySpace.ts', () => {
  // Kills keySpace.ts:30 `if (bits <= 53)` → `if (false)`: the shifted branch
  // (x << (53 − bits), then − (53 − bits)) loses the last bits of log2(x).
  it('log2BigInt is exactly Math.log2 below 2^53 (no precision lost to the shift)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }), (x) => {
        expect(log2BigInt(x)).toBe(Math.log2(Number(x)));
      }),
    );
    for (const x of [3n, 5n, 7n, 12345n, 999999999n]) expect(log2BigInt(x), String(x)).toBe(Math.log2(Number(x)));
  });

  it('log2BigInt above 2^53: the top 53 bits plus the shift, within one ulp of the true value', () => {
    expect(log2BigInt(2n ** 200n)).toBe(200);
    expect(log2BigInt(3n * 2n ** 100n)).toBeCloseTo(100 + Math.log2(3), 12);
  });
});

describe('key.ts', () => {
  const id = (n: number) => Array.from({ length: n }, (_, i) => i);

  // Kills key.ts:26 `(blockSize as number) < 1` → `false`: block size 0 is an integer, gives p_b = 0 (even) and an empty key.
  it('block size 0 or negative is rejected as key.block-size (not accepted as an empty key)', () => {
    for (const blockSize of [0, -2]) {
      const e = rejection(() => validateKey({ blockSize, channels: 1, permutation: [], flip: [] }));
      expect(e.check).toBe('key.block-size');
      expect(e.message).toBe(`block size must be a positive integer, got ${blockSize}`);
    }
    expect(rejection(() => checkBlockParameters(2, 0)).message).toBe('channels must be a positive integer, got 0');
  });

  // Kills the StringLiteral and ArithmeticOperator mutants of every message in validateKey (key.ts:54–69):
  // each rejection names the offending value, where it is and the range it had to be in.
  it('every rejection message says what was wrong, where, and what was expected', () => {
    const msg = (k: { blockSize: number; channels: number; permutation: unknown[]; flip: unknown[] }) => rejection(() => validateKey(k)).message;
    expect(msg({ blockSize: 2, channels: 1, permutation: id(3), flip: [1, 1, 0, 0] })).toBe('permutation has 3 entries, p_b = 2²·1 = 4');
    expect(msg({ blockSize: 2, channels: 1, permutation: [0, 1, 2, 4], flip: [1, 1, 0, 0] })).toBe('permutation[3] = 4 is not an integer in 0..3');
    expect(msg({ blockSize: 2, channels: 1, permutation: [0, 1, 1, 3], flip: [1, 1, 0, 0] })).toBe('permutation repeats 1 (at index 2): not a permutation of 0..3');
    expect(msg({ blockSize: 2, channels: 1, permutation: id(4), flip: [1, 1, 0] })).toBe('flip vector has 3 entries, p_b = 4');
    expect(msg({ blockSize: 2, channels: 1, permutation: id(4), flip: [1, 2, 0, 0] })).toBe('flip[1] = 2: flip entries must be 0 or 1');
    expect(msg({ blockSize: 2, channels: 1, permutation: id(4), flip: [1, 0, 0, 0] })).toBe('flip vector has 1 ones, Eq. 5 needs exactly p_b/2 = 2');
  });

  // Kills the keysEqual mutants (key.ts:80–83): each conjunct forced true, && → ||, every → some.
  // Random key pairs differ in every field at once, which masks each one; here keys differ in exactly one field.
  it('keysEqual tells apart keys that differ in exactly one field', () => {
    const a = generateKey({ blockSize: 2, channels: 2, seed: 'keysEqual' });
    const swapped = Int32Array.from(a.permutation);
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    const moved = Uint8Array.from(a.flip);
    const one = moved.indexOf(1);
    const zero = moved.indexOf(0);
    [moved[one], moved[zero]] = [0, 1];
    const variants: [string, BlockKey][] = [
      ['block size', { ...a, blockSize: 1 }],
      ['channels', { ...a, channels: 8 }],
      ['two permutation entries swapped', { ...a, permutation: swapped }],
      ['one flipped position moved', { ...a, flip: moved }],
    ];
    expect(keysEqual(a, { ...a, permutation: Int32Array.from(a.permutation), flip: Uint8Array.from(a.flip) })).toBe(true);
    for (const [what, b] of variants) {
      expect(keysEqual(a, b), what).toBe(false);
      expect(keysEqual(b, a), what).toBe(false);
    }
  });
});

describe('keygen.ts', () => {
  // Kills keygen.ts:28 `i > 0` → `i >= 0` in Fisher–Yates: the extra step swaps p[0] with itself but
  // draws one more number, so every later draw (the flip vector) shifts and a seed gives another key.
  // The module promises a fixed algorithm: a seed gives the same key in every version.
  it('a seed gives the same key in every version (pinned: M=2, C=2, seed "cipherpatch")', () => {
    const k = generateKey({ blockSize: 2, channels: 2, seed: 'cipherpatch' });
    expect(Array.from(k.permutation)).toEqual([2, 7, 5, 3, 4, 0, 6, 1]);
    expect(Array.from(k.flip)).toEqual([0, 1, 0, 0, 1, 1, 0, 1]);
  });

  // Kills keygen.ts:47 `seed === undefined ? secureRandom : …` → always seededRandom(undefined)
  // (seedrandom's autoseeded ARC4: still random-looking, but not node:crypto).
  it('without a seed, keys are drawn from node:crypto (secureRandom)', () => {
    const spy = vi.spyOn(secureRandom, 'int');
    try {
      generateKey({ blockSize: 2, channels: 1 });
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('keyJson.ts', () => {
  const key: BlockKey = { blockSize: 1, channels: 2, permutation: Int32Array.of(1, 0), flip: Uint8Array.of(0, 1) };

  // Kills the StringLiteral mutants of KEY_FORMAT, BLOCK_ORDER and CONVENTION, the ObjectLiteral
  // mutant of keyToJson, the `source !== undefined` condition and the Regex mutants of the
  // one-array-per-line rewrite in serializeKey (keyJson.ts:19–58): the file format, byte for byte,
  // as the module's header documents it.
  it('serializeKey writes the documented format byte for byte (one array per line, source last)', () => {
    const lines = [
      '{',
      '  "format": "cipherpatch-block-key",',
      '  "version": 1,',
      '  "blockSize": 1,',
      '  "channels": 2,',
      '  "blockOrder": "channel,row,column",',
      `  "convention": "x'[k] = x[permutation[k]]; x''[k] = flip[k] ? 255 - x'[k] : x'[k] (8-bit), 1 - x'[k] ([0,1])",`,
      '  "permutation": [1, 0],',
      '  "flip": [0, 1]',
    ];
    expect(serializeKey(key)).toBe(`${lines.join('\n')}\n}\n`);
    expect(serializeKey(key, { kind: 'seed', seed: 's' })).toBe(`${lines.join('\n')},\n  "source": {\n    "kind": "seed",\n    "seed": "s"\n  }\n}\n`);
    expect(serializeKey(key, { kind: 'secure' })).toBe(`${lines.join('\n')},\n  "source": {\n    "kind": "secure"\n  }\n}\n`);
    const long = generateKey({ blockSize: 2, channels: 3, seed: 'x' });
    const text = serializeKey(long);
    expect(text).toContain(`  "permutation": [${Array.from(long.permutation).join(', ')}],\n`);
    expect(text).toContain(`  "flip": [${Array.from(long.flip).join(', ')}]\n}`);
    expect(text.split('\n')).toHaveLength(11); // {, 8 fields, }, and the empty string after the final newline
  });

  // Kills the StringLiteral / template mutants of every keyFromJson / parseKey message (keyJson.ts:70–89):
  // each says what was found and what was expected.
  it('every parse error message names the field, what it held and what was expected', () => {
    const good = () => keyToJson(key) as unknown as Record<string, unknown>;
    const msg = (json: unknown) => rejection(() => keyFromJson(json)).message;
    expect(rejection(() => parseKey('{')).message).toMatch(/^key file is not valid JSON: \S/);
    expect(msg([1])).toBe('key file must hold a JSON object');
    expect(msg(null)).toBe('key file must hold a JSON object');
    expect(msg('text')).toBe('key file must hold a JSON object');
    expect(msg({ ...good(), format: 'x' })).toBe('not a cipherpatch key: "format" is "x", expected "cipherpatch-block-key"');
    expect(msg({ ...good(), version: 2 })).toBe('unsupported key version 2 (this cipherpatch reads version 1)');
    expect(msg({ ...good(), blockOrder: 'r' })).toBe('unsupported block order "r", expected "channel,row,column"');
    expect(msg({ ...good(), permutation: 'x' })).toBe('"permutation" must be an array of integers');
    expect(msg({ ...good(), flip: {} })).toBe('"flip" must be an array of 0/1 integers');
    expect(rejection(() => parseKey(serializeKey(key), { blockSize: 2 })).message).toMatch(/this use/);
    // keyJson.ts:85–86 StringLiteral: the check codes of a permutation / flip that is not an array.
    expect(rejection(() => keyFromJson({ ...good(), permutation: 'x' })).check).toBe('key.permutation-length');
    expect(rejection(() => keyFromJson({ ...good(), flip: {} })).check).toBe('key.flip-length');
  });

  // Kills keyJson.ts:50 `if (source !== undefined)` → `if (true)`: without a source the JSON object
  // has no "source" field at all (not one holding undefined).
  it('keyToJson without a source has no source field', () => {
    expect(Object.keys(keyToJson(key))).toEqual(['format', 'version', 'blockSize', 'channels', 'blockOrder', 'convention', 'permutation', 'flip']);
    expect(keyToJson(key, { kind: 'secure' }).source).toEqual({ kind: 'secure' });
  });

  // Kills `o.blockOrder !== undefined && …` → `true && …` (keyJson.ts:84): blockOrder is optional,
  // a key file without it (older writers, hand-made keys) is read with the one order there is.
  it('a key file without blockOrder or source is accepted; the parsed key equals the written one', () => {
    const { blockOrder: _omit, ...rest } = keyToJson(key);
    const parsed = keyFromJson(rest);
    expect(keysEqual(parsed, key)).toBe(true);
    expect(keysEqual(parseKey(JSON.stringify(rest)), key)).toBe(true);
  });

  // Kills `options.blockSize ?? key.blockSize` / `options.channels ?? key.channels` → the right-hand side
  // alone (keyJson.ts:88): a use that needs another size must reject the key, each option on its own.
  it('parseKey options: each of blockSize and channels alone rejects a key for another size', () => {
    const text = serializeKey(key);
    expect(rejection(() => parseKey(text, { blockSize: 2 })).check).toBe('key.wrong-block-size');
    expect(rejection(() => parseKey(text, { channels: 3 })).check).toBe('key.wrong-channels');
    expect(keysEqual(parseKey(text, { blockSize: 1 }), key)).toBe(true);
    expect(keysEqual(parseKey(text, { channels: 2 }), key)).toBe(true);
  });
});

describe('modelTransform.ts', () => {
  const key = { blockSize: 2, channels: 1, permutation: Int32Array.of(2, 0, 3, 1), flip: Uint8Array.of(1, 0, 0, 1) };

  // Kills modelTransform.ts:22 `weight.shape.length !== 4` → false: a 5-dimensional shape whose
  // 3rd and 4th entries agree and whose data length matches d·C·P·P was taken for (d, C, P, P).
  it('a weight shape with other than 4 dimensions is rejected as model.weight-shape, even when the sizes add up', () => {
    for (const shape of [[1, 1, 2, 2, 1], [1, 1, 2, 2, 3]]) {
      const e = rejection(() => transformPatchEmbedding({ data: new Float64Array(4), shape: shape as unknown as [number, number, number, number] }, key));
      expect(e.check, shape.join('×')).toBe('model.weight-shape');
      expect(e.message).toBe(`patch-embedding weight must have shape (d, C, P, P), got (${shape.join(', ')})`);
    }
    expect(rejection(() => untransformPatchEmbedding({ data: new Float64Array(4), shape: [1, 1, 2, 2, 1] as unknown as [number, number, number, number] }, key)).check).toBe('model.weight-shape');
  });

  // Kills the StringLiteral mutants of the three checkWeight messages and the ArithmeticOperator
  // mutants of `d * C * P * P` in the length message (modelTransform.ts:22–24).
  it('every checkWeight message gives the shape, the value count it needs and the key it was given', () => {
    expect(rejection(() => transformPatchEmbedding({ data: new Float64Array(8), shape: [1, 2, 2, 3] }, key)).message).toBe('patch-embedding weight must have shape (d, C, P, P), got (1, 2, 2, 3)');
    expect(rejection(() => transformPatchEmbedding({ data: new Float64Array(7), shape: [3, 1, 2, 2] }, key)).message).toBe('patch-embedding weight has 7 values, shape (3, 1, 2, 2) needs 12');
    // C ≠ 1, so `d * C` → `d / C` changes the count (3·2·2·2 = 24, not 6).
    expect(rejection(() => transformPatchEmbedding({ data: new Float64Array(7), shape: [3, 2, 2, 2] }, key)).message).toBe('patch-embedding weight has 7 values, shape (3, 2, 2, 2) needs 24');
    const wrong = rejection(() => transformPatchEmbedding({ data: new Float64Array(18), shape: [2, 1, 3, 3] }, key));
    expect(wrong.check).toBe('key.wrong-block-size');
    expect(wrong.message).toBe('the key is for block size 2, but a patch embedding with patch size 3 and 1 channel needs block size 3');
  });
});

describe('blockTransform.ts (through encryptUint8 / encryptFloat / decryptFloat)', () => {
  // A literal key: a generateKey call here would run while the file is collected (a static mutant source).
  const key: BlockKey = { blockSize: 2, channels: 1, permutation: Int32Array.of(2, 0, 3, 1), flip: Uint8Array.of(1, 0, 0, 1) };
  const shape = (height: number, width: number, channels = 1): BatchShape => ({ count: 1, height, width, channels });

  // Kills blockTransform.ts:32 `… || shape.width % blockSize !== 0` → `… || false`: a width that is not a
  // multiple of M (height fine) must be rejected too, with the size and the block size in the message.
  it('an image whose width (not height) is not a multiple of the block size is rejected', () => {
    const e = rejection(() => encryptUint8(imageBatch(new Uint8Array(4 * 3), shape(4, 3), 'NCHW'), key));
    expect(e.check).toBe('image.not-divisible');
    expect(e.message).toMatch(/^image size 3×4 \(width×height; .*\) is not divisible by block size 2$/);
  });

  // Kills blockTransform.ts:43 StringLiteral 'the images' and :68 the 8-bit dtype message.
  it('the wrong-key and wrong-dtype messages say what was given', () => {
    const wide = rejection(() => encryptUint8(imageBatch(new Uint8Array(4 * 2), shape(2, 2, 2), 'NCHW'), key));
    expect(wide.message).toBe('the key is for 1 channel, but the images has 2');
    expect(rejection(() => encryptUint8(imageBatch(new Float64Array(4) as unknown as Uint8Array, shape(2, 2), 'NCHW'), key)).message).toBe('8-bit encryption needs a Uint8Array');
  });

  // Kills blockTransform.ts:133 (the dtype check forced off, either operand), :134 (the domain check forced
  // off) and their StringLiteral mutants (NoCoverage before): float encryption of integer arrays and
  // of an unknown domain is refused, naming the problem.
  it('float encryption refuses integer arrays and unknown domains', () => {
    for (const data of [new Uint8Array(4), new Int16Array(4)]) {
      const e = rejection(() => encryptFloat(imageBatch(data as unknown as Float64Array, shape(2, 2), 'NCHW'), key));
      expect(e.check, data.constructor.name).toBe('image.dtype');
      expect(e.message).toBe('float encryption needs a Float32Array or Float64Array');
    }
    const bogus = rejection(() => decryptFloat(imageBatch(new Float64Array(4), shape(2, 2), 'NCHW'), key, 'percent' as never));
    expect(bogus.check).toBe('image.domain');
    expect(bogus.message).toBe('unknown float domain "percent": use "unit" or "normalized"');
  });

  // Kills blockTransform.ts:135 `[-1, 1]` → `[]` (no range at all for normalized values) and the
  // range message's StringLiteral (:140).
  it('normalized values outside [−1, 1] are rejected, with index, value and range', () => {
    const data = Float64Array.of(0, 0.5, -1.25, 1);
    const e = rejection(() => encryptFloat(imageBatch(data, shape(2, 2), 'NCHW'), key, 'normalized'));
    expect(e.check).toBe('image.range');
    expect(e.message).toBe('image value 2 is -1.25, outside [-1, 1] of the "normalized" domain');
    expect(rejection(() => encryptFloat(imageBatch(Float64Array.of(0, 1.5, 0, 0), shape(2, 2), 'NCHW'), key)).message).toBe('image value 1 is 1.5, outside [0, 1] of the "unit" domain');
  });

  // Kills blockTransform.ts:165 StringLiteral (decryptFloat's default domain 'unit' → ''; NoCoverage before):
  // without a domain, decryptFloat inverts encryptFloat on [0, 1] values.
  it('decryptFloat defaults to the unit domain, like encryptFloat', () => {
    const x = Float64Array.of(0, 0.25, 0.75, 1); // 1 − (1 − x) = x exactly for these
    const enc = encryptFloat(imageBatch(x, shape(2, 2), 'NCHW'), key);
    expect(Array.from(enc.data)).toEqual(Array.from(encryptFloat(imageBatch(x, shape(2, 2), 'NCHW'), key, 'unit').data));
    expect(Array.from(decryptFloat(enc, key).data)).toEqual(Array.from(x));
  });
});

describe('safetensors.ts', () => {
  const readError = (text: string, buffer?: Uint8Array) => rejection(() => readSafetensors(fileOf(text, buffer)));
  const u8 = (name: string, begin: number, end: number, shape = `[${end - begin}]`) => `"${name}":{"dtype":"U8","shape":${shape},"data_offsets":[${begin},${end}]}`;

  // Kills the JSON parser's escape table, whitespace and number mutants (safetensors.ts:123, :133, :223–:229, :240):
  // every escape, every kind of JSON whitespace, and a negative / fractional / exponent number are read as RFC 8259 says.
  it('the header parser reads every escape and every kind of whitespace', () => {
    const text = ' {\t"__metadata__"\n:\r{"e":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\uD83D\\uDE00x"} ,\r\n' + u8('a', 0, 2) + '\t}\n';
    const { metadata, tensors } = readSafetensors(fileOf(text, Uint8Array.of(7, 9)));
    expect(metadata).toEqual({ e: '"\\/\b\f\n\r\tAé😀x' });
    expect(Array.from(tensors.get('a')!.data as Uint8Array)).toEqual([7, 9]);
    for (const [n, what] of [['-1', 'the number -1'], ['2.5', 'the number 2.5'], ['1e2', 'the number 1e2'], ['0.5E-3', 'the number 0.5E-3']]) {
      expect(readError(`{"a":{"dtype":"U8","shape":[${n}],"data_offsets":[0,0]}}`).message).toBe(`tensor "a": shape[0] is ${what}, not a non-negative integer`);
    }
  });

  // Kills the StringLiteral / describe() mutants of the parser's error messages (safetensors.ts:106–:255).
  it('every header JSON error says what was found, and where', () => {
    const cases: [string, string][] = [
      ['{} x', 'unexpected character "x" after the JSON value at character 3'],
      ['{"a":', 'expected a value, found end of header at character 5'],
      ['{"a":tru}', 'expected a value, found character "t" at character 5'],
      ['{a:1}', 'expected a quoted key, found character "a" at character 1'],
      ['{"a" 1}', 'expected ":" after key "a", found character "1" at character 5'],
      ['{"a":null;', 'expected "," or "}" in an object, found character ";" at character 9'],
      ['{"a":[1;', 'expected "," or "]" in an array, found character ";" at character 7'],
      ['{"a":"x', 'unterminated string at character 7'],
      ['{"a":"\u0001"}', 'unescaped control character in a string at character 6'],
      ['{"a":"\\u12G4"}', 'bad \\u escape in a string at character 6'],
      ['{"a":"\\x"}', 'bad escape in a string at character 6'],
      ['{"a":-}', 'malformed number at character 5'],
      [`{"a":${'['.repeat(64)}${']'.repeat(64)}}`, 'nesting deeper than 64 levels at character 68'],
    ];
    for (const [text, message] of cases) {
      const e = readError(text);
      expect(e.check, text).toBe('safetensors.header-json');
      expect(e.message, text).toBe(`header is not valid JSON: ${message}`);
    }
    // 63 levels inside the header object are allowed (the limit is 64 in all).
    expect(readError(`{"a":${'['.repeat(62)}${']'.repeat(62)}}`).check).toBe('safetensors.entry-not-object');
  });

  // Kills the describeJson mutants (safetensors.ts:249–:255) and the entry / metadata messages (:444–:488).
  it('entry and metadata errors describe the JSON value they found', () => {
    const entry = (v: string) => readError(`{"t":${v}}`).message;
    expect(entry('null')).toBe('header entry for tensor "t" is null, not an object with dtype, shape and data_offsets');
    expect(entry('true')).toBe('header entry for tensor "t" is true, not an object with dtype, shape and data_offsets');
    expect(entry('false')).toBe('header entry for tensor "t" is false, not an object with dtype, shape and data_offsets');
    expect(entry('"abc"')).toBe('header entry for tensor "t" is the string "abc", not an object with dtype, shape and data_offsets');
    expect(entry(`"${'x'.repeat(41)}"`)).toBe(`header entry for tensor "t" is the string "${'x'.repeat(40)}…", not an object with dtype, shape and data_offsets`);
    expect(entry(`"${'x'.repeat(40)}"`)).toBe(`header entry for tensor "t" is the string "${'x'.repeat(40)}", not an object with dtype, shape and data_offsets`);
    expect(entry('12')).toBe('header entry for tensor "t" is the number 12, not an object with dtype, shape and data_offsets');
    expect(entry('[1,2]')).toBe('header entry for tensor "t" is an array of 2, not an object with dtype, shape and data_offsets');
    expect(readError('{"__metadata__":{"k":{}}}').message).toBe('"__metadata__" value for "k" is an object, not a string');
    expect(readError('{"__metadata__":[]}').message).toBe('"__metadata__" is an array of 0, not an object of strings');
    expect(readError('{"t":{"dtype":"U8","shape":[1]}}').message).toBe('header entry for tensor "t" has no "data_offsets" field');
    expect(readError('{"t":{"dtype":"U8","shape":[0],"data_offsets":[0,0],"x":1}}').message).toBe('header entry for tensor "t" has an unknown field "x" (expected only dtype, shape and data_offsets)');
    expect(readError('{"t":{"dtype":"u8","shape":[0],"data_offsets":[0,0]}}').message).toBe('tensor "t" has dtype "u8", not one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL');
    expect(readError('{"t":{"dtype":8,"shape":[0],"data_offsets":[0,0]}}').message).toBe('tensor "t" has dtype the number 8, not one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL');
    expect(readError('{"t":{"dtype":"U8","shape":{},"data_offsets":[0,0]}}').message).toBe('tensor "t" has shape an object, not an array of non-negative integers');
    expect(readError('{"t":{"dtype":"U8","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,0]}}').message).toBe(
      'tensor "t" has shape [4294967296, 4294967296, 4294967296], too many elements (7.922816251426434e+28) to hold',
    );
    expect(readError('{"t":{"dtype":"U8","shape":[0],"data_offsets":[0]}}').message).toBe('tensor "t" has data_offsets an array of 1, not an array [begin, end] of two integers');
    expect(readError('{"t":{"dtype":"U8","shape":[0],"data_offsets":[0,"1"]}}').message).toBe('tensor "t": data_offsets[1] is the string "1", not a non-negative integer');
    expect(readError('{"t":{"dtype":"U8","shape":[1],"data_offsets":[2,1]}}').message).toBe('tensor "t" has data_offsets [2, 1]: begin is after end');
    expect(readError(`{${u8('t', 0, 3)}}`, Uint8Array.of(1, 2)).message).toBe('tensor "t" has data_offsets [0, 3] but the byte buffer after the header has only 2 bytes (truncated file?)');
    expect(readError('{"t":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}', new Uint8Array(20)).message).toBe('tensor "t" (F32, shape [2, 3]) needs 6 × 4 = 24 bytes but data_offsets [0, 20] give 20');
    expect(readError('{"t":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', Uint8Array.of(1, 2)).message).toBe('tensor "t" (BOOL) has the byte 2 at element 1: a BOOL must be 0 or 1');
  });

  // Kills the file-level messages (safetensors.ts:499–:509): too large, past the end, not UTF-8.
  it('header length and encoding errors give the numbers', () => {
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigUint64(0, 100_000_001n, true);
    expect(rejection(() => readSafetensors(big)).message).toBe('header length 100000001 bytes is above the 100000000-byte limit: not a safetensors file, or a corrupt one');
    new DataView(big.buffer).setBigUint64(0, 100_000_000n, true);
    expect(rejection(() => readSafetensors(big)).check).toBe('safetensors.header-length');
    const short = new Uint8Array(12);
    new DataView(short.buffer).setBigUint64(0, 5n, true);
    expect(rejection(() => readSafetensors(short)).message).toBe('header length 5 bytes runs past the end of the file (12 bytes, room for at most 4): truncated or not a safetensors file');
    const bad = new Uint8Array(10);
    new DataView(bad.buffer).setBigUint64(0, 2n, true);
    bad.set([0xc3, 0x28], 8);
    const e = rejection(() => readSafetensors(bad));
    expect([e.check, e.message]).toEqual(['safetensors.header-utf8', 'header (2 bytes) is not valid UTF-8']);
  });

  // Kills the overlap ordering mutants (safetensors.ts:524 `a.begin - b.begin || a.end - b.end`): tensors listed
  // out of order are sorted by offsets before the tiling check, and an overlap names both tensors.
  it('tensors listed out of offset order still tile the buffer; an overlap names both', () => {
    const ok = readSafetensors(fileOf(`{${u8('b', 2, 3)},${u8('e', 2, 2, '[0]')},${u8('a', 0, 2)}}`, Uint8Array.of(1, 2, 3)));
    expect([...ok.tensors.keys()]).toEqual(['b', 'e', 'a']);
    expect(Array.from(ok.tensors.get('b')!.data as Uint8Array)).toEqual([3]);
    expect(readError(`{${u8('b', 1, 3)},${u8('a', 0, 2)}}`, Uint8Array.of(1, 2, 3)).message).toBe('tensor "b" at bytes [1, 3) overlaps tensor "a" at [0, 2)');
  });

  // Kills the writer's checks and messages (safetensors.ts:549–:601): tensor names, objects, dtypes, shapes,
  // data types and lengths, BOOL values, metadata.
  it('writeSafetensors rejects each bad tensor or metadata, saying which and why', () => {
    const w = (tensors: Record<string, unknown>, metadata?: unknown) => rejection(() => writeSafetensors(tensors as never, metadata as never));
    const t = { dtype: 'U8', shape: [2], data: Uint8Array.of(1, 2) };
    expect(w({ __metadata__: t }).message).toBe('"__metadata__" is reserved for metadata and cannot name a tensor');
    expect(rejection(() => writeSafetensors(new Map([[7 as unknown as string, t as never]]))).message).toBe('tensor names must be strings, got number');
    expect(w({ a: null }).message).toBe('tensor "a" is not a tensor object');
    expect(w({ a: 5 }).check).toBe('safetensors.tensor');
    expect(w({ a: { ...t, dtype: 'X' } }).message).toBe('tensor "a" has dtype X, not one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL');
    expect(w({ a: { ...t, shape: [2, -1] } }).message).toBe('tensor "a" has shape [2,-1], not an array of non-negative integers');
    expect(w({ a: { ...t, shape: [1.5] } }).check).toBe('safetensors.shape');
    expect(w({ a: { ...t, shape: 'x' } }).check).toBe('safetensors.shape');
    expect(w({ a: { ...t, data: Int8Array.of(1, 2) } }).message).toBe('tensor "a" is U8, so its data must be a Uint8Array, got Int8Array');
    expect(w({ a: { ...t, data: [1, 2] } }).message).toBe('tensor "a" is U8, so its data must be a Uint8Array, got object');
    expect(w({ a: { ...t, shape: [3] } }).message).toBe('tensor "a" has shape [3] (3 elements) but 2 values');
    expect(w({ a: { dtype: 'BOOL', shape: [2], data: Uint8Array.of(0, 3) } }).message).toBe('tensor "a" (BOOL) has the value 3 at element 1: a BOOL must be 0 or 1');
    expect(w({ a: t }, null).message).toBe('metadata must be an object of strings');
    expect(w({ a: t }, 'x').check).toBe('safetensors.metadata');
    expect(w({ a: t }, { k: 1 }).message).toBe('metadata value for "k" is number, not a string');
  });

  // Kills byName (safetensors.ts:549) and the metadata-first layout: names sort by code unit, equal names
  // cannot occur; the header is exactly the documented text.
  it('writeSafetensors sorts tensors and metadata by name (code units) and writes the exact header', () => {
    const t = (v: number) => ({ dtype: 'U8' as const, shape: [1], data: Uint8Array.of(v) });
    const out = writeSafetensors({ b: t(2), B: t(1), a: t(3) }, { z: '1', y: '2' });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(out.subarray(8, 8 + n));
    expect(text.trimEnd()).toBe('{"__metadata__":{"y":"2","z":"1"},"B":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}');
    expect(n % 8).toBe(0);
    expect(Array.from(out.subarray(8 + n))).toEqual([1, 3, 2]);
  });
});

describe('safetensors.ts, second round', () => {
  const readError = (text: string, buffer?: Uint8Array) => rejection(() => readSafetensors(fileOf(text, buffer)));
  const roundTrip = (dtype: 'F16' | 'BF16', bits: number[]) => {
    const data = new Float32Array(Uint32Array.from(bits).buffer);
    const back = readSafetensors(writeSafetensors({ x: { dtype, shape: [bits.length], data } })).tensors.get('x')!.data as Float32Array;
    return Array.from(new Uint32Array(back.buffer, back.byteOffset, back.length));
  };

  // Kills :133 (the number-start test: `c >= '0'` / `c !== undefined` forced true, && → ||, '0' → ''): a value
  // starting with "," or "}" is not a number. Kills :240 (`[0-9]+` → `[0-9]` in the fraction and the exponent).
  it('values that start like no number, and numbers with several fraction / exponent digits', () => {
    expect(readError('{"a":,}').message).toBe('header is not valid JSON: expected a value, found character "," at character 5');
    expect(readError('{"a":}').message).toBe('header is not valid JSON: expected a value, found character "}" at character 5');
    for (const n of ['2.25', '1e25', '1.5e-12']) expect(readError(`{"a":{"dtype":"U8","shape":[${n}],"data_offsets":[0,0]}}`).message).toBe(`tensor "a": shape[0] is the number ${n}, not a non-negative integer`);
  });

  // Kills :162 (the duplicate-key path joined with ".") and :191 (array elements' path → []).
  it('a duplicate key deep in the header names its whole path', () => {
    expect(readError('{"t":{"shape":{"x":1,"x":2}}}').message).toBe('header entry "t"."shape" has the key "x" twice (duplicate JSON key)');
    expect(readError('{"t":{"shape":[0,{"x":1,"x":2}]}}').message).toBe('header entry "t"."shape"."1" has the key "x" twice (duplicate JSON key)');
  });

  // Kills :455 and :558 (`typeof dtype !== 'string'` forced false): a dtype ["U8"] (an array, which
  // String() turns into "U8") is not a dtype, in the reader and in the writer.
  it('a dtype that is an array holding a dtype name is rejected', () => {
    expect(readError('{"a":{"dtype":["U8"],"shape":[0],"data_offsets":[0,0]}}').message).toBe('tensor "a" has dtype an array of 1, not one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL');
    const e = rejection(() => writeSafetensors({ a: { dtype: ['U8'] as never, shape: [1], data: Uint8Array.of(1) } }));
    expect(e.check).toBe('safetensors.dtype');
  });

  // Kills :345 (`bad >= 0` → `bad > 0`): a bad BOOL byte at element 0.
  it('a BOOL byte other than 0/1 at element 0 is rejected', () => {
    expect(readError('{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', Uint8Array.of(2, 0)).message).toBe('tensor "b" (BOOL) has the byte 2 at element 0: a BOOL must be 0 or 1');
  });

  // Kills :479 (`end - begin` → `end + begin` in the byte-length message), :531 (the trailing-bytes message),
  // :553 (the tensor-name check code), :568 (the ", " of the data-length message), :621 (the unreadable message).
  it('messages with a non-zero begin, trailing bytes, a 2-d shape, an unreadable path', () => {
    expect(readError('{"t":{"dtype":"F32","shape":[2,3],"data_offsets":[4,24]}}', new Uint8Array(24)).message).toBe('tensor "t" (F32, shape [2, 3]) needs 6 × 4 = 24 bytes but data_offsets [4, 24] give 20');
    expect(readError('{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', Uint8Array.of(1, 2, 3)).message).toBe('the buffer has 3 bytes but the tensors cover only the first 1: 2 trailing bytes belong to no tensor');
    // :531, the hole between two tensors.
    expect(readError('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}', Uint8Array.of(1, 2, 3)).message).toBe(
      'bytes [1, 2) of the buffer belong to no tensor (the next tensor, "b", starts at 2)',
    );
    expect(rejection(() => writeSafetensors(new Map([[7 as unknown as string, { dtype: 'U8', shape: [0], data: new Uint8Array(0) }]]))).check).toBe('safetensors.tensor-name');
    expect(rejection(() => writeSafetensors({ a: { dtype: 'U8', shape: [1, 3], data: Uint8Array.of(1, 2) } })).message).toBe('tensor "a" has shape [1, 3] (3 elements) but 2 values');
    expect(rejection(() => readSafetensorsFile('/nonexistent/m.safetensors')).message).toMatch(/^cannot read \/nonexistent\/m\.safetensors: ENOENT/);
  });

  // Kills :296 (`e >= 0x1f` → `e > 0x1f`: 70000 became NaN instead of ∞), :301 (`shift > 24` → `>=`: values just
  // above 2^-25 rounded to 0 instead of the smallest subnormal 2^-24) and :320 (bfloat16 ties-to-even `+` → `-`).
  it('float16 and bfloat16 rounding at the edges', () => {
    const f32 = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0];
    const f16 = (bits: number[]) => roundTrip('F16', bits);
    expect(f16([f32(70000)])).toEqual([f32(Number.POSITIVE_INFINITY)]);
    expect(f16([f32(-70000)])).toEqual([f32(Number.NEGATIVE_INFINITY)]);
    expect(f16([f32(3e-8)])).toEqual([f32(2 ** -24)]);
    expect(f16([f32(2 ** -26)])).toEqual([0]);
    // bfloat16: lower half exactly 0x8000 is a tie: to even (odd 0x3f81 rounds up to 0x3f82, even 0x3f80 stays).
    expect(roundTrip('BF16', [0x3f818000, 0x3f808000, 0x3f818001])).toEqual([0x3f820000, 0x3f800000, 0x3f820000]);
  });
});

describe('blockTransform.ts, the 8-bit kernel choice (after the wasm-simd merge)', () => {
  const cifar = (count: number): BatchShape => ({ count, height: 32, width: 32, channels: 3 });
  const key43: BlockKey = { blockSize: 4, channels: 3, permutation: Int32Array.from({ length: 48 }, (_, k) => 47 - k), flip: Uint8Array.from({ length: 48 }, (_, k) => k % 2) };
  const key41: BlockKey = { blockSize: 4, channels: 1, permutation: Int32Array.from({ length: 16 }, (_, k) => 15 - k), flip: Uint8Array.from({ length: 16 }, (_, k) => k % 2) };
  const batchOf = (shape: BatchShape) => imageBatch(new Uint8Array(shape.count * shape.height * shape.width * shape.channels), shape, 'NHWC');

  // Kills blockTransform.ts:147 (the unknown-kernel check and its message: `""`, `() => undefined`).
  it('an unknown kernel name is refused, by name, with the known ones listed', () => {
    for (const f of [encryptUint8With, decryptUint8With]) {
      const e = rejection(() => f('turbo' as Uint8Kernel, batchOf(cifar(1)), key43));
      expect(e.check).toBe('transform.kernel');
      expect(e.message).toBe('unknown 8-bit kernel "turbo": use "wasm-simd" or "js"');
    }
  });

  // Kills blockTransform.ts:126 (`return … → true`: wasm-simd claimed for any key) and 151/152 (the message).
  it.runIf(simdKernelAvailable())('wasm-simd is not offered, and refused with its reason, where it does not apply', () => {
    const gray = { count: 100, height: 8, width: 8, channels: 1 };
    expect(uint8KernelSupports('wasm-simd', gray, key41)).toBe(false);
    expect(uint8KernelSupports('js', gray, key41)).toBe(true);
    expect(uint8KernelFor(gray, key41)).toBe('js');
    const e = rejection(() => encryptUint8With('wasm-simd', batchOf(gray), key41));
    expect(e.check).toBe('transform.kernel-unsupported');
    expect(e.message).toContain('the wasm-simd kernel cannot transform');
    expect(e.message).toContain('with block size 4: it covers block size 4 with 3 channels and images up to 64 MiB only');
  });

  // Kills blockTransform.ts:137 (`'wasm-simd'` → `""`): the automatic choice names the kernel it picks.
  it.runIf(simdKernelAvailable())('encryptUint8 picks wasm-simd from 256 KiB of CIFAR images on, js below', () => {
    expect(uint8KernelFor(cifar(86), key43)).toBe('wasm-simd');
    expect(uint8KernelFor(cifar(85), key43)).toBe('js');
    expect(uint8KernelSupports('wasm-simd', cifar(1), key43)).toBe(true);
    // Kills blockTransform.ts:126 (`key.channels === shape.channels` → `true`): a 1-channel key on 3-channel images.
    expect(uint8KernelSupports('wasm-simd', cifar(100), key41)).toBe(false);
    expect(uint8KernelFor(cifar(100), key41)).toBe('js');
  });

  // Kills blockTransform.ts:52 (blockIndexMap's `'the images'` → `""`): the float path reaches
  // blockIndexMap's own key check (the 8-bit path checks the key before it).
  it('a key for other channels is refused by the float transforms, naming the images', () => {
    const gray = imageBatch(new Float32Array(16), { count: 1, height: 4, width: 4, channels: 1 }, 'NHWC');
    const e = rejection(() => encryptFloat(gray, key43));
    expect(e.check).toBe('key.wrong-channels');
    expect(e.message).toBe('the key is for 3 channels, but the images has 1');
  });

  // Kills blockTransform.ts:155 (the chunk message → ``).
  it('a bad chunk size is refused with the value in the message', () => {
    const e = rejection(() => encryptUint8With('js', batchOf(cifar(1)), key43, { chunkImages: 0 }));
    expect(e.check).toBe('transform.chunk');
    expect(e.message).toBe('chunkImages must be a positive integer, got 0');
  });
});

describe('safetensors.ts, third round', () => {
  // Kills safetensors.ts:601 (`padded > MAX_HEADER_BYTES` → `false`, → `>=`): the writer accepts a
  // header of exactly the limit and refuses one 8 bytes longer (≈ 1 s, ≈ 0.6 GB).
  it('the writer refuses a header above MAX_HEADER_BYTES and accepts one of exactly that size', () => {
    const tensors = { x: { dtype: 'U8' as const, shape: [1], data: new Uint8Array(1) } };
    const overhead = '{"__metadata__":{"note":""},"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}'.length;
    const atLimit = writeSafetensors(tensors, { note: 'a'.repeat(MAX_HEADER_BYTES - overhead) });
    expect(Number(new DataView(atLimit.buffer, atLimit.byteOffset).getBigUint64(0, true))).toBe(MAX_HEADER_BYTES);
    const e = rejection(() => writeSafetensors(tensors, { note: 'a'.repeat(MAX_HEADER_BYTES - overhead + 1) }));
    expect(e.check).toBe('safetensors.header-too-large');
    expect(e.message).toBe(`the header would be ${MAX_HEADER_BYTES + 8} bytes, above the ${MAX_HEADER_BYTES}-byte limit readers accept`);
  });

  // `true`, `false` and `null` are JSON values, parsed as such (not taken for numbers), so the
  // entry check, not the JSON parser, rejects them. (safetensors.ts:133's surviving mutant,
  // `c !== undefined` → `true`, is equivalent: see mutation/equivalent.md.)
  it('true/false/null header values reach the entry check, not the number parser', () => {
    for (const word of ['true', 'false', 'null']) {
      const e = rejection(() => readSafetensors(fileOf(`{"a":${word}}`)));
      expect(e.check, word).toBe('safetensors.entry-not-object');
      expect(e.message, word).toBe(`header entry for tensor "a" is ${word}, not an object with dtype, shape and data_offsets`);
    }
  });
});
