/**
 * What the built-in variants share (common.ts), function by function on tiny
 * inputs: the key-file envelope and its every error message, the key-field
 * checks, the batch views, the authors' binary key and the enumerators of
 * tiny key spaces. Expected values are worked out by hand from the
 * definitions (written next to each); each test names the Stryker mutants it
 * was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../../properties/rejection.ts';
import { secureRandom } from '../../core/keygen.ts';
import type { BlockBatch } from '../contract.ts';
import {
  PAPER_PARAMS,
  VARIANT_KEY_FORMAT,
  authorsBinaryKey,
  authorsOnes,
  binaryVectors,
  binomial,
  blocksAsFloatImages,
  blocksAsUint8Images,
  checkBinary,
  checkPermutation,
  evenBlock,
  expectBatchFor,
  expectGrid,
  factorial,
  intArray,
  permutations,
  randomFor,
  readVariantKey,
  withData,
  writeVariantKey,
} from './common.ts';

function batch(data: number[], o: Partial<BlockBatch> = {}): BlockBatch {
  return { data: Float64Array.from(data), images: 1, rows: 1, cols: 1, blockSize: 1, channels: 2, ...o };
}

/** A random source that always draws `bound − 1`: randomPermutation then swaps nothing (j = i), the identity. */
const last = { int: (bound: number) => bound - 1 };
/** Always 0: randomPermutation swaps p[i] with p[0] for i = n−1 … 1. */
const zero = { int: () => 0 };

describe('randomness and constants', () => {
  // common.ts:13 (`seed === undefined ? secure : seeded` → either branch always).
  it('randomFor: the secure source without a seed, a reproducible one with', () => {
    expect(randomFor(undefined)).toBe(secureRandom);
    const a = randomFor('s');
    const b = randomFor('s');
    expect(a).not.toBe(secureRandom);
    const draws = (r: { int(n: number): number }) => Array.from({ length: 20 }, () => r.int(1000));
    expect(draws(a)).toEqual(draws(b));
    expect(PAPER_PARAMS).toEqual({ blockSize: 4, channels: 3 });
    expect(VARIANT_KEY_FORMAT).toBe('cipherpatch-variant-key');
  });
});

describe('the key-file envelope', () => {
  // common.ts:26–31 (the fields, their order, one line each, the separators).
  it('writeVariantKey: format, variant, then the fields, one line each', () => {
    expect(writeVariantKey('toy', { blockSize: 1, channels: 2, order: [1, 0] })).toBe('{\n  "format": "cipherpatch-variant-key",\n  "variant": "toy",\n  "blockSize": 1,\n  "channels": 2,\n  "order": [1,0]\n}\n');
    expect(writeVariantKey('toy', {})).toBe('{\n  "format": "cipherpatch-variant-key",\n  "variant": "toy"\n}\n');
  });

  // common.ts:35–48 (JSON, object, format, variant, the two positive integers; each message).
  it('readVariantKey: every way a key file can be wrong, in words', () => {
    let parseMessage = '';
    try {
      JSON.parse('{no');
    } catch (e) {
      parseMessage = (e as Error).message;
    }
    expect(refusal(() => readVariantKey('{no', 'toy'))).toEqual({ check: 'key.json', message: `key is not valid JSON: ${parseMessage}` });
    for (const t of ['[]', 'null', '7', '"s"']) expect(refusal(() => readVariantKey(t, 'toy'))).toEqual({ check: 'key.json', message: 'key must be a JSON object' });
    expect(refusal(() => readVariantKey('{"format":"cipherpatch-block-key"}', 'toy'))).toEqual({ check: 'key.format', message: 'not a cipherpatch variant key: "format" is "cipherpatch-block-key"' });
    expect(refusal(() => readVariantKey('{"format":"cipherpatch-variant-key","variant":"other"}', 'toy'))).toEqual({ check: 'key.variant', message: 'key is for variant "other", not "toy"' });
    const head = '{"format":"cipherpatch-variant-key","variant":"toy"';
    expect(refusal(() => readVariantKey(`${head},"channels":1}`, 'toy'))).toEqual({ check: 'key.params', message: 'key field "blockSize" must be a positive integer, got undefined' });
    expect(refusal(() => readVariantKey(`${head},"blockSize":0,"channels":1}`, 'toy'))).toEqual({ check: 'key.params', message: 'key field "blockSize" must be a positive integer, got 0' });
    expect(refusal(() => readVariantKey(`${head},"blockSize":1.5,"channels":1}`, 'toy'))).toEqual({ check: 'key.params', message: 'key field "blockSize" must be a positive integer, got 1.5' });
    expect(refusal(() => readVariantKey(`${head},"blockSize":1,"channels":-2}`, 'toy'))).toEqual({ check: 'key.params', message: 'key field "channels" must be a positive integer, got -2' });
    expect(refusal(() => readVariantKey(`${head},"blockSize":1,"channels":"2"}`, 'toy'))).toEqual({ check: 'key.params', message: 'key field "channels" must be a positive integer, got "2"' });
    // 1 is the smallest allowed value.
    expect(readVariantKey(`${head},"blockSize":1,"channels":1,"x":[3]}`, 'toy')).toEqual({ format: 'cipherpatch-variant-key', variant: 'toy', blockSize: 1, channels: 1, x: [3] });
  });
});

describe('key fields', () => {
  // common.ts:52–54 (array, length, integers; the message).
  it('intArray: exactly `length` integers', () => {
    const message = { check: 'key.field', message: 'key field "p" must be 3 integers' };
    expect(refusal(() => intArray({ p: '012' }, 'p', 3))).toEqual(message);
    expect(refusal(() => intArray({}, 'p', 3))).toEqual(message);
    expect(refusal(() => intArray({ p: [0, 1] }, 'p', 3))).toEqual(message);
    expect(refusal(() => intArray({ p: [0, 1, 2, 3] }, 'p', 3))).toEqual(message);
    expect(refusal(() => intArray({ p: [0, 1, 2.5] }, 'p', 3))).toEqual(message);
    expect(refusal(() => intArray({ p: ['0', 1, 2] }, 'p', 3))).toEqual(message);
    const a = intArray({ p: [2, -1, 7] }, 'p', 3);
    expect(a).toBeInstanceOf(Int32Array);
    expect(Array.from(a)).toEqual([2, -1, 7]);
  });

  // common.ts:58–66 (length; integer, in 0..n−1, not seen before; the messages).
  it('checkPermutation: a permutation of 0..n−1, or which entry is wrong', () => {
    expect(refusal(() => checkPermutation([0, 1], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v has 2 entries, expected 3' });
    expect(refusal(() => checkPermutation([0, 1, 2, 3], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v has 4 entries, expected 3' });
    expect(refusal(() => checkPermutation([0, 1, 1], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v is not a permutation of 0..2 (entry 2 = 1)' });
    expect(refusal(() => checkPermutation([2, 2, 0], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v is not a permutation of 0..2 (entry 1 = 2)' });
    expect(refusal(() => checkPermutation([0, -1, 2], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v is not a permutation of 0..2 (entry 1 = -1)' });
    expect(refusal(() => checkPermutation([0, 3, 2], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v is not a permutation of 0..2 (entry 1 = 3)' });
    expect(refusal(() => checkPermutation([0.5, 1, 2], 3, 'v'))).toEqual({ check: 'key.not-permutation', message: 'v is not a permutation of 0..2 (entry 0 = 0.5)' });
    for (const p of [[0, 1, 2], [2, 0, 1], [1, 2, 0]]) expect(() => checkPermutation(p, 3, 'v')).not.toThrow();
    expect(() => checkPermutation([], 0, 'v')).not.toThrow();
  });

  // common.ts:68–76 (length, 0/1 entries, the count when given; the messages).
  it('checkBinary: n entries of 0 or 1, `ones` of them 1 when given', () => {
    expect(refusal(() => checkBinary([0, 1], 3, 1, 'r'))).toEqual({ check: 'key.flip-length', message: 'r has 2 entries, expected 3' });
    expect(refusal(() => checkBinary([0, 2, 0], 3, 1, 'r'))).toEqual({ check: 'key.flip-values', message: 'r[1] = 2: entries must be 0 or 1' });
    expect(refusal(() => checkBinary([0, 0, -1], 3, undefined, 'r'))).toEqual({ check: 'key.flip-values', message: 'r[2] = -1: entries must be 0 or 1' });
    expect(refusal(() => checkBinary([1, 1, 0], 3, 1, 'r'))).toEqual({ check: 'key.flip-count', message: 'r has 2 ones, expected 1' });
    expect(refusal(() => checkBinary([0, 0, 0], 3, 1, 'r'))).toEqual({ check: 'key.flip-count', message: 'r has 0 ones, expected 1' });
    expect(() => checkBinary([0, 1, 0], 3, 1, 'r')).not.toThrow();
    expect(() => checkBinary([1, 1, 1], 3, undefined, 'r')).not.toThrow();
    expect(() => checkBinary([0, 0, 0], 3, 0, 'r')).not.toThrow();
  });
});

describe('batches', () => {
  // common.ts:79–87 (the batch's own check, block size, channels, grid; each message).
  it('expectBatchFor and expectGrid: the batch must be the key\'s', () => {
    const b = batch([1, 2]);
    expect(() => expectBatchFor(b, { blockSize: 1, channels: 2 }, 'toy')).not.toThrow();
    expect(refusal(() => expectBatchFor({ ...b, data: new Float64Array(3) }, { blockSize: 1, channels: 2 }, 'toy')).check).toBe('variant.batch');
    expect(refusal(() => expectBatchFor(b, { blockSize: 2, channels: 2 }, 'toy'))).toEqual({ check: 'key.wrong-block-size', message: 'toy: the key is for block size 2, the batch has blocks of 1' });
    expect(refusal(() => expectBatchFor(b, { blockSize: 1, channels: 1 }, 'toy'))).toEqual({ check: 'key.wrong-channels', message: 'toy: the key is for 1 channel, the batch has 2' });
    // One value where M²C = 2 are needed: the batch itself is wrong, before the key is looked at.
    expect(refusal(() => expectBatchFor(batch([1]), { blockSize: 1, channels: 3 }, 'toy'))).toEqual({ check: 'variant.batch', message: 'block batch data has 1 values, 1×1×1 blocks of 2 need 2' });
    expect(refusal(() => expectBatchFor(batch([1, 2, 3]), { blockSize: 1, channels: 1 }, 'toy')).check).toBe('variant.batch');
    expect(refusal(() => expectBatchFor(batch([1], { channels: 1 }), { blockSize: 1, channels: 3 }, 'toy'))).toEqual({ check: 'key.wrong-channels', message: 'toy: the key is for 3 channels, the batch has 1' });
    expect(() => expectGrid(batch([1, 2], { rows: 1, cols: 1 }), { rows: 1, cols: 1 }, 'toy')).not.toThrow();
    const grid = { check: 'key.wrong-grid', message: 'toy: the key is for a grid of 2×3 blocks, the images have 1×3' };
    expect(refusal(() => expectGrid(batch([], { rows: 1, cols: 3 }), { rows: 2, cols: 3 }, 'toy'))).toEqual(grid);
    expect(refusal(() => expectGrid(batch([], { rows: 2, cols: 1 }), { rows: 2, cols: 3 }, 'toy'))).toEqual({ check: 'key.wrong-grid', message: 'toy: the key is for a grid of 2×3 blocks, the images have 2×1' });
  });

  // common.ts:90–103 (the domain check, the NCHW view's shape, copy or share, withData's fields).
  it('the block batch as an NCHW image batch, and withData', () => {
    // Two blocks of M = 1, C = 2: 2 images of 1×1 pixels, 2 channels.
    const b = batch([3, 250, 0, 255], { cols: 2 });
    const u = blocksAsUint8Images(b);
    expect(u.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(u.data)).toEqual([3, 250, 0, 255]);
    expect(u.shape).toEqual({ count: 2, height: 1, width: 1, channels: 2 });
    expect(u.layout).toBe('NCHW');
    expect(refusal(() => blocksAsUint8Images(batch([3, 256])))).toEqual({ check: 'variant.domain', message: 'input value 1 is 256, not in the "uint8" domain' });
    // M = 2, C = 1, one block: one 2×2 image.
    const f = batch([0, 0.5, 1, 0.25], { blockSize: 2, channels: 1 });
    const view = blocksAsFloatImages(f, 'unit');
    expect(view.data).toBe(f.data);
    expect(view.shape).toEqual({ count: 1, height: 2, width: 2, channels: 1 });
    expect(view.layout).toBe('NCHW');
    expect(refusal(() => blocksAsFloatImages(f, 'uint8')).check).toBe('variant.domain');
    const g = { ...batch([1, 2, 3, 4], { images: 2 }), extra: 1 } as BlockBatch;
    const w = withData(g, [9, 8, 7, 6]);
    expect(w).toEqual({ data: Float64Array.of(9, 8, 7, 6), images: 2, rows: 1, cols: 1, blockSize: 1, channels: 2 });
    expect(w.data).toBeInstanceOf(Float64Array);
  });
});

describe("the authors' binary key", () => {
  // common.ts:109–117 (`v > p_b/2` → `>=`, `<`; the count p_b − 1 − ⌊p_b/2⌋).
  it('randperm(p_b) > p_b/2: p_b/2 − 1 ones for even p_b', () => {
    // No swaps: the identity 0 1 2 3 > 2 → 0 0 0 1.
    expect(Array.from(authorsBinaryKey(4, last))).toEqual([0, 0, 0, 1]);
    // Always j = 0: 0123 → 3120 → 2130 → 1230; > 2 → 0 0 1 0.
    expect(Array.from(authorsBinaryKey(4, zero))).toEqual([0, 0, 1, 0]);
    // p_b = 5: 0 1 2 3 4 > 2.5 → 0 0 0 1 1.
    expect(Array.from(authorsBinaryKey(5, last))).toEqual([0, 0, 0, 1, 1]);
    expect(authorsBinaryKey(4, last)).toBeInstanceOf(Uint8Array);
    // The integers in (p_b/2, p_b − 1].
    expect([2, 3, 4, 5, 6, 48].map(authorsOnes)).toEqual([0, 1, 1, 2, 2, 23]);
  });
});

describe('counting and enumerating', () => {
  // common.ts:119–130 (the bounds, the product).
  it('binomial and factorial', () => {
    expect([0, 1, 2, 3, 4, 5].map((k) => binomial(5, k))).toEqual([1n, 5n, 10n, 10n, 5n, 1n]);
    expect(binomial(5, 6)).toBe(0n);
    expect(binomial(5, -1)).toBe(0n);
    expect(binomial(10, 3)).toBe(120n);
    expect([0, 1, 2, 3, 5].map(factorial)).toEqual([1n, 1n, 2n, 6n, 120n]);
  });

  // common.ts:133–145 (lexicographic next permutation, fresh arrays).
  it('permutations: every one, lexicographic, each a fresh array', () => {
    expect([...permutations(3)].map((p) => p.join(''))).toEqual(['012', '021', '102', '120', '201', '210']);
    expect([...permutations(1)].map((p) => Array.from(p))).toEqual([[0]]);
    expect([...permutations(2)].map((p) => Array.from(p))).toEqual([[0, 1], [1, 0]]);
    const four = [...permutations(4)].map((p) => p.join(''));
    expect(four).toHaveLength(24);
    expect(four.slice(0, 3)).toEqual(['0123', '0132', '0213']);
    expect(four.at(-1)).toBe('3210');
    expect([...four].sort()).toEqual(four);
  });

  // common.ts:148–162 (the placement recursion, its bounds, fresh arrays).
  it('binaryVectors: every 0/1 vector with `ones` ones, first ones leftmost', () => {
    expect([...binaryVectors(4, 2)].map((r) => r.join(''))).toEqual(['1100', '1010', '1001', '0110', '0101', '0011']);
    expect([...binaryVectors(3, 1)].map((r) => r.join(''))).toEqual(['100', '010', '001']);
    expect([...binaryVectors(3, 0)].map((r) => r.join(''))).toEqual(['000']);
    expect([...binaryVectors(3, 3)].map((r) => r.join(''))).toEqual(['111']);
    expect([...binaryVectors(2, 3)]).toEqual([]);
    expect([...binaryVectors(3, 1)][0]).toBeInstanceOf(Uint8Array);
  });

  // common.ts:164–167 (odd p_b, its message).
  it('evenBlock: odd p_b = M²C is unsupported, in words', () => {
    expect(evenBlock({ blockSize: 1, channels: 2 })).toBeUndefined();
    expect(evenBlock({ blockSize: 2, channels: 3 })).toBeUndefined();
    expect(evenBlock({ blockSize: 1, channels: 3 })).toBe('p_b = M²C = 3 is odd: bit flipping needs exactly p_b/2 flipped values (Eq. 5)');
    expect(evenBlock({ blockSize: 3, channels: 1 })).toBe('p_b = M²C = 9 is odd: bit flipping needs exactly p_b/2 flipped values (Eq. 5)');
  });
});
