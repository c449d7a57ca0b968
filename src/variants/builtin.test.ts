/**
 * What each built-in variant does, on hand-worked blocks (the verdict tests
 * in properties/variants.test.ts only see properties, not conventions).
 * Blocks are (c, i, j)-flattened: a 2×2 single-channel block [a b; c d] is [a, b, c, d].
 */
import { describe, expect, it } from 'vitest';
import type { BlockKey } from '../core/key.ts';
import type { BlockBatch } from './contract.ts';
import { blockRotation, blockScramble, channelShuffle, perBlockKeys } from './builtin/further.ts';
import { flip, shuffle, systemA } from './builtin/systemA.ts';
import { authorsOnes, binomial, permutations } from './builtin/common.ts';
import { ffx, negpos } from './builtin/systemB.ts';
import { orthogonal } from './builtin/systemC.ts';

function batch(data: number[], o: Partial<BlockBatch> = {}): BlockBatch {
  return { data: Float64Array.from(data), images: 1, rows: 1, cols: 1, blockSize: 2, channels: 1, ...o };
}

const rot = (turns: number, hflip: 0 | 1, vflip: 0 | 1) => ({ blockSize: 2, channels: 1, turns, hflip, vflip });

describe('built-in conventions', () => {
  it('shuffle, flip and system-a: x′[k] = x[v_k], then 255 − x where r_k = 1 (src/core)', () => {
    const key: BlockKey = { blockSize: 2, channels: 1, permutation: Int32Array.of(1, 0, 3, 2), flip: Uint8Array.of(1, 0, 0, 1) };
    expect(Array.from(systemA.encrypt(batch([10, 20, 30, 40]), key).data)).toEqual([235, 10, 40, 225]);
    expect(Array.from(shuffle.encrypt(batch([10, 20, 30, 40]), { ...key, flip: new Uint8Array(4) }).data)).toEqual([20, 10, 40, 30]);
    expect(Array.from(flip.encrypt(batch([10, 20, 30, 40]), { ...key, permutation: Int32Array.of(0, 1, 2, 3) }).data)).toEqual([245, 20, 30, 215]);
  });

  it('block-rotation: a quarter turn clockwise, flips first; (2 turns, h, v) is the identity', () => {
    const b = batch([1, 2, 3, 4]); // [1 2; 3 4]
    expect(Array.from(blockRotation.encrypt(b, rot(1, 0, 0)).data)).toEqual([3, 1, 4, 2]); // [3 1; 4 2]
    expect(Array.from(blockRotation.encrypt(b, rot(0, 1, 0)).data)).toEqual([2, 1, 4, 3]);
    expect(Array.from(blockRotation.encrypt(b, rot(0, 0, 1)).data)).toEqual([3, 4, 1, 2]);
    expect(Array.from(blockRotation.encrypt(b, rot(2, 1, 1)).data)).toEqual([1, 2, 3, 4]);
    for (let t = 0; t < 4; t++) expect(Array.from(blockRotation.decrypt(blockRotation.encrypt(b, rot(t, 1, 0)), rot(t, 1, 0)).data)).toEqual([1, 2, 3, 4]);
  });

  it('channel-shuffle: encrypted channel c is plain channel order[c], the same at every pixel', () => {
    const b = batch([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { channels: 3 });
    expect(Array.from(channelShuffle.encrypt(b, { blockSize: 2, channels: 3, order: Int32Array.of(2, 0, 1) }).data)).toEqual([9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('block-scramble: encrypted block b is plain block order[b], per image', () => {
    const b = batch([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], { rows: 1, cols: 3 });
    const key = { blockSize: 2, channels: 1, rows: 1, cols: 3, order: Int32Array.of(2, 0, 1) };
    expect(Array.from(blockScramble.encrypt(b, key).data)).toEqual([3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(() => blockScramble.encrypt(batch([1, 1, 1, 1]), key)).toThrow(/grid of 1×3 blocks/);
  });

  it('per-block-keys: each block position its own System A key', () => {
    const k = (p: number[], r: number[]): BlockKey => ({ blockSize: 2, channels: 1, permutation: Int32Array.from(p), flip: Uint8Array.from(r) });
    const key = { blockSize: 2, channels: 1, rows: 1, cols: 2, keys: [k([0, 1, 2, 3], [1, 1, 0, 0]), k([3, 2, 1, 0], [0, 0, 1, 1])] };
    const b = batch([10, 20, 30, 40, 10, 20, 30, 40, 1, 2, 3, 4, 5, 6, 7, 8], { images: 2, rows: 1, cols: 2 });
    expect(Array.from(perBlockKeys.encrypt(b, key).data)).toEqual([245, 235, 30, 40, 40, 30, 235, 245, 254, 253, 3, 4, 8, 7, 249, 250]);
  });

  it("negpos: 1 − x where the authors' binary key (p_b/2 − 1 ones) is 1", () => {
    const key = negpos.generateKey({ blockSize: 4, channels: 3 }, 'x');
    expect(key.flip.reduce((a, b) => a + b, 0)).toBe(23);
    expect(authorsOnes(48)).toBe(23);
    expect(binomial(48, 23)).toBe(30957699535776n);
    const out = negpos.encrypt(batch([0, 0.25, 0.5, 1]), { blockSize: 2, channels: 1, flip: Uint8Array.of(1, 0, 0, 1) });
    expect(Array.from(out.data)).toEqual([1, 0.25, 0.5, 0]);
  });

  it('keys round-trip through their files and are rejected for the wrong variant', () => {
    const k = ffx.generateKey({ blockSize: 2, channels: 3 }, 's');
    expect(ffx.parseKey(ffx.serializeKey(k))).toEqual(k);
    expect(k.password).toMatch(/^[0-9a-f]{32}$/);
    expect(() => negpos.parseKey(ffx.serializeKey(k))).toThrow(/key is for variant "ffx", not "negpos"/);
    const q = orthogonal.generateKey({ blockSize: 1, channels: 3 }, 's');
    expect(Array.from(orthogonal.parseKey(orthogonal.serializeKey(q)).matrix)).toEqual(Array.from(q.matrix));
  });

  it('the enumerators give every permutation once', () => {
    const all = [...permutations(4)].map((p) => p.join(''));
    expect(all.length).toBe(24);
    expect(new Set(all).size).toBe(24);
  });
});
