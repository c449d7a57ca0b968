/**
 * Sharper tests written to kill mutants that survived `npm run mutate`
 * (stryker.config.mjs; scores in mutation/README.md). Each test names the
 * mutant it kills (file:line and the mutation). Mutants that cannot change
 * behaviour are listed in mutation/equivalent.md instead.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { CipherpatchError } from '../src/core/errors.ts';
import { type BlockKey, checkBlockParameters, keysEqual, validateKey } from '../src/core/key.ts';
import { keyFromJson, keyToJson, parseKey, serializeKey } from '../src/core/keyJson.ts';
import { decryptFloat, encryptFloat, encryptUint8 } from '../src/core/blockTransform.ts';
import { type BatchShape, imageBatch } from '../src/core/images.ts';
import { generateKey, secureRandom } from '../src/core/keygen.ts';
import { transformPatchEmbedding, untransformPatchEmbedding } from '../src/core/modelTransform.ts';
import { log2BigInt } from '../src/core/keySpace.ts';

/** The CipherpatchError f throws (fails the test if it throws nothing or something else). */
function rejection(f: () => unknown): CipherpatchError {
  try {
    f();
  } catch (e) {
    if (e instanceof CipherpatchError) return e;
    throw e;
  }
  throw new Error('expected a CipherpatchError, nothing was thrown');
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
    const wrong = rejection(() => transformPatchEmbedding({ data: new Float64Array(18), shape: [2, 1, 3, 3] }, key));
    expect(wrong.check).toBe('key.wrong-block-size');
    expect(wrong.message).toBe('the key is for block size 2, but a patch embedding with patch size 3 and 1 channels needs block size 3');
  });
});

describe('blockTransform.ts (through encryptUint8 / encryptFloat / decryptFloat)', () => {
  const key = generateKey({ blockSize: 2, channels: 1, seed: 'blockTransform' });
  const shape = (height: number, width: number, channels = 1): BatchShape => ({ count: 1, height, width, channels });

  // Kills blockTransform.ts:32 `… || shape.width % blockSize !== 0` → `… || false`: a width that is not a
  // multiple of M (height fine) must be rejected too, with the size and the block size in the message.
  it('an image whose width (not height) is not a multiple of the block size is rejected', () => {
    const e = rejection(() => encryptUint8(imageBatch(new Uint8Array(4 * 3), shape(4, 3), 'NCHW'), key));
    expect(e.check).toBe('image.not-divisible');
    expect(e.message).toMatch(/^image size 4×3 \(.*\) is not divisible by block size 2$/);
  });

  // Kills blockTransform.ts:43 StringLiteral 'the images' and :68 the 8-bit dtype message.
  it('the wrong-key and wrong-dtype messages say what was given', () => {
    const wide = rejection(() => encryptUint8(imageBatch(new Uint8Array(4 * 2), shape(2, 2, 2), 'NCHW'), key));
    expect(wide.message).toBe('the key is for 1 channels, but the images has 2');
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
