/**
 * The further keyed transforms (further.ts) on keys and blocks small enough
 * to work out by hand: names and claims, key files and their errors, key
 * spaces and their enumerations, the attack views and the adapters.
 * builtin.test.ts has the encryption conventions (rotation directions, the
 * channel and block orders, per-block keys). `last` draws bound − 1, so
 * randomPermutation gives the identity order. Each test names the Stryker
 * mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../../properties/rejection.ts';
import type { BlockKey } from '../../core/key.ts';
import { type BlockBatch, type PatchEmbedding, normalization } from '../contract.ts';
import { blockRotation, blockScramble, channelShuffle, perBlockKeys } from './further.ts';

const last = { int: (bound: number) => bound - 1 };
const zero = { int: () => 0 };
const text = (variant: string, fields: string) => `{\n  "format": "cipherpatch-variant-key",\n  "variant": "${variant}",\n${fields}\n}\n`;
const batch = (data: number[], o: Partial<BlockBatch> = {}): BlockBatch => ({ data: Float64Array.from(data), images: 1, rows: 1, cols: 1, blockSize: 1, channels: 2, ...o });
const bk = (p: number[], r: number[], m = 1, c = p.length / (m * m)): BlockKey => ({ blockSize: m, channels: c, permutation: Int32Array.from(p), flip: Uint8Array.from(r) });

describe('channel-shuffle', () => {
  const key = (order: number[], m = 1) => ({ blockSize: m, channels: order.length, order: Int32Array.from(order) });

  // further.ts:56–60 (the block permutation of a channel order), :62–120.
  it('its key, file, space, views and adapter', () => {
    expect(channelShuffle).toMatchObject({ name: 'channel-shuffle', domain: 'uint8', params: { blockSize: 4, channels: 3 } });
    const g = channelShuffle.generateKey({ blockSize: 2, channels: 3 }, 's');
    expect(g).toMatchObject({ blockSize: 2, channels: 3 });
    expect([...g.order].sort()).toEqual([0, 1, 2]);
    const t = text('channel-shuffle', '  "blockSize": 1,\n  "channels": 3,\n  "order": [2,0,1]');
    expect(channelShuffle.serializeKey(key([2, 0, 1]))).toBe(t);
    expect(channelShuffle.parseKey(t)).toEqual(key([2, 0, 1]));
    expect(() => channelShuffle.parseKey(t.replace('[2,0,1]', '[2,0,0]'))).toThrow('order is not a permutation of 0..2 (entry 2 = 0)');
    expect(() => channelShuffle.parseKey(t.replace('[2,0,1]', '[2,0]'))).toThrow('key field "order" must be 3 integers');
    // M = 2, C = 2, order (1, 0): encrypted channel 0 is plain channel 1, pixel by pixel.
    const b = batch([1, 2, 3, 4, 5, 6, 7, 8], { blockSize: 2, channels: 2 });
    const enc = channelShuffle.encrypt(b, key([1, 0], 2));
    expect(Array.from(enc.data)).toEqual([5, 6, 7, 8, 1, 2, 3, 4]);
    expect(Array.from(channelShuffle.decrypt(enc, key([1, 0], 2)).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => channelShuffle.encrypt(b, key([1, 0]))).toThrow(/^channel-shuffle: /);
    expect(() => channelShuffle.decrypt(b, key([1, 0]))).toThrow(/^channel-shuffle: /);
    // E′[k] = E[v_k]; M = 1, C = 2, order (1, 0): v = (1, 0), w = (3, 5) → (5, 3), bias copied.
    const e: PatchEmbedding = { dim: 1, channels: 2, patch: 1, weight: Float64Array.of(3, 5), bias: Float64Array.of(7) };
    const a = channelShuffle.adapter!.adapt(e, key([1, 0]), normalization('none', e.channels));
    expect(Array.from(a.weight)).toEqual([5, 3]);
    expect(a.bias).not.toBe(e.bias);
    expect(Array.from(a.bias)).toEqual([7]);
    expect(channelShuffle.adapter!.normalizations).toEqual(['0.5/0.5', 'none']);
    expect(channelShuffle.neighbours?.step).toBe('swap two channels');
    expect(channelShuffle.neighbours?.maxDistance({ blockSize: 4, channels: 5 })).toBe(2);
    expect(Array.from(channelShuffle.neighbours!.atDistance(key([0, 1, 2]), 1, last).order)).toEqual([1, 0, 2]);
    expect(channelShuffle.keySpace?.formula).toBe('C!');
    expect(channelShuffle.keySpace?.size({ blockSize: 1, channels: 4 })).toBe(24n);
    expect([...channelShuffle.keySpace!.enumerate!({ blockSize: 2, channels: 2 })]).toEqual([key([0, 1], 2), key([1, 0], 2)]);
    const sp = channelShuffle.signedPermutation!;
    expect([sp.permutes, sp.flips({ blockSize: 1, channels: 3 })]).toEqual([true, 0]);
    // M = 2, C = 2, order (1, 0): block values 4..7 first, then 0..3; no flips.
    expect(sp.toSignedPermutation(key([1, 0], 2))).toEqual(bk([4, 5, 6, 7, 0, 1, 2, 3], [0, 0, 0, 0, 0, 0, 0, 0], 2, 2));
  });

  // further.ts:96–117 (nearestKey: the best of the C! orders for C ≤ 8, else votes per channel).
  it('nearestKey: the closest order, by enumeration (C ≤ 8) or by votes (C > 8)', () => {
    const sp = channelShuffle.signedPermutation!;
    // M = 1, C = 3: the guess (2, 0, 1) with one entry wrong, (2, 0, 0): order (2, 0, 1) agrees at 2 positions, the most.
    const guess = { permutation: Int32Array.of(2, 0, 0), flip: new Uint8Array(3) };
    expect(Array.from(sp.nearestKey({ blockSize: 1, channels: 3 }, guess).order)).toEqual([2, 0, 1]);
    // C = 9 > 8, M = 1: the votes are the guess itself; a duplicate (channel 1 also votes 0) goes to the first unused channel.
    const nine = Int32Array.of(0, 0, 2, 3, 4, 5, 6, 7, 8);
    expect(Array.from(sp.nearestKey({ blockSize: 1, channels: 9 }, { permutation: nine, flip: new Uint8Array(9) }).order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const rev = Int32Array.of(8, 7, 6, 5, 4, 3, 2, 1, 0);
    expect(Array.from(sp.nearestKey({ blockSize: 1, channels: 9 }, { permutation: rev, flip: new Uint8Array(9) }).order)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    // M = 2, C = 9: 4 values per channel; channel 0's values come from channel 3 three times and channel 5 once: 3 wins.
    const p = Int32Array.from({ length: 36 }, (_, k) => k);
    p.set([12, 13, 14, 20], 0);
    p.set([0, 1, 2, 3], 12);
    const o = sp.nearestKey({ blockSize: 2, channels: 9 }, { permutation: p, flip: new Uint8Array(36) }).order;
    expect(Array.from(o)).toEqual([3, 1, 2, 0, 4, 5, 6, 7, 8]);
    // Sources out of range (negative, beyond C) do not vote.
    const bad = Int32Array.of(-1, 99, 2, 3, 4, 5, 6, 7, 8);
    expect(Array.from(sp.nearestKey({ blockSize: 1, channels: 9 }, { permutation: bad, flip: new Uint8Array(9) }).order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('block-rotation', () => {
  const key = (turns: number, hflip: 0 | 1, vflip: 0 | 1, m = 2, c = 1) => ({ blockSize: m, channels: c, turns, hflip, vflip });

  // further.ts:134–155 (the block permutation, the key fields' checks and messages), :157–211.
  it('its key, file, checks, space, views and adapter', () => {
    expect(blockRotation).toMatchObject({ name: 'block-rotation', domain: 'uint8' });
    expect(blockRotation.supports!({ blockSize: 1, channels: 3 })).toBe('a 1×1 block cannot be rotated or flipped');
    expect(blockRotation.supports!({ blockSize: 2, channels: 3 })).toBeUndefined();
    const t = text('block-rotation', '  "blockSize": 2,\n  "channels": 1,\n  "turns": 3,\n  "hflip": 1,\n  "vflip": 0');
    expect(blockRotation.serializeKey(key(3, 1, 0))).toBe(t);
    expect(blockRotation.parseKey(t)).toEqual(key(3, 1, 0));
    for (const [bad, message] of [
      ['"turns": 4', '"turns" must be 0..3, got 4'],
      ['"turns": -1', '"turns" must be 0..3, got -1'],
      ['"turns": 1.5', '"turns" must be 0..3, got 1.5'],
      ['"turns": "1"', '"turns" must be 0..3, got "1"'],
    ]) {
      expect(() => blockRotation.parseKey(t.replace('"turns": 3', bad))).toThrow(message);
    }
    expect(blockRotation.parseKey(t.replace('"turns": 3', '"turns": 0')).turns).toBe(0);
    for (const bad of ['"hflip": 2', '"hflip": "1"']) expect(() => blockRotation.parseKey(t.replace('"hflip": 1', bad))).toThrow('"hflip" and "vflip" must be 0 or 1');
    expect(() => blockRotation.parseKey(t.replace('"vflip": 0', '"vflip": 2'))).toThrow('"hflip" and "vflip" must be 0 or 1');
    expect(blockRotation.parseKey(t.replace('"hflip": 1', '"hflip": 0').replace('"vflip": 0', '"vflip": 1'))).toEqual(key(3, 0, 1));
    const g = blockRotation.generateKey({ blockSize: 2, channels: 1 }, 'r');
    expect(g).toMatchObject({ blockSize: 2, channels: 1 });
    expect(blockRotation.generateKey({ blockSize: 2, channels: 1 }, 'r')).toEqual(g);
    // A quarter turn of [1 2; 3 4] is [3 1; 4 2]; both channels turn alike.
    const b = batch([1, 2, 3, 4, 5, 6, 7, 8], { blockSize: 2, channels: 2 });
    expect(Array.from(blockRotation.encrypt(b, key(1, 0, 0, 2, 2)).data)).toEqual([3, 1, 4, 2, 7, 5, 8, 6]);
    expect(Array.from(blockRotation.decrypt(batch([3, 1, 4, 2, 7, 5, 8, 6], { blockSize: 2, channels: 2 }), key(1, 0, 0, 2, 2)).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => blockRotation.encrypt(b, key(1, 0, 0))).toThrow(/^block-rotation: /);
    expect(() => blockRotation.decrypt(b, key(1, 0, 0))).toThrow(/^block-rotation: /);
    // Adapter E′[k] = E[v_k]: for a half turn v = (3, 2, 1, 0); w = (1, 2, 3, 4) → (4, 3, 2, 1).
    const e: PatchEmbedding = { dim: 1, channels: 1, patch: 2, weight: Float64Array.of(1, 2, 3, 4), bias: Float64Array.of(7) };
    expect(Array.from(blockRotation.adapter!.adapt(e, key(2, 0, 0), normalization('cifar', e.channels)).weight)).toEqual([4, 3, 2, 1]);
    expect(blockRotation.adapter!.normalizations).toBe('any');
    expect(blockRotation.keySpace?.formula).toBe('4 · 2 · 2 (quarter turns × h-flip × v-flip)');
    expect(blockRotation.keySpace?.size({ blockSize: 2, channels: 1 })).toBe(16n);
    const all = [...blockRotation.keySpace!.enumerate!({ blockSize: 2, channels: 1 })];
    expect(all).toHaveLength(16);
    expect(all.slice(0, 5)).toEqual([key(0, 0, 0), key(0, 0, 1), key(0, 1, 0), key(0, 1, 1), key(1, 0, 0)]);
    expect(all[15]).toEqual(key(3, 1, 1));
    const sp = blockRotation.signedPermutation!;
    expect([sp.permutes, sp.flips({ blockSize: 2, channels: 1 })]).toEqual([true, 0]);
    // A quarter turn of [a b; c d] is [c a; d b]: out[0] = in[2], out[1] = in[0], …
    expect(sp.toSignedPermutation(key(1, 0, 0))).toEqual(bk([2, 0, 3, 1], [0, 0, 0, 0], 2, 1));
    // h-flip: [b a; d c]; v-flip: [c d; a b].
    expect(sp.toSignedPermutation(key(0, 1, 0)).permutation).toEqual(Int32Array.of(1, 0, 3, 2));
    expect(sp.toSignedPermutation(key(0, 0, 1)).permutation).toEqual(Int32Array.of(2, 3, 0, 1));
    // The nearest key to the quarter turn's permutation is the first key with it: (1, 0, 0).
    expect(sp.nearestKey({ blockSize: 2, channels: 1 }, { permutation: Int32Array.of(2, 0, 3, 1), flip: new Uint8Array(4) })).toEqual(key(1, 0, 0));
  });

  // further.ts:190–203 (the distance check, d of the three components changed, turns to another value).
  it('neighbours: d components changed, each to another value', () => {
    const n = blockRotation.neighbours!;
    expect(n.step).toBe('change one key component: the quarter turns (to another value), the h-flip or the v-flip');
    expect(n.maxDistance({ blockSize: 2, channels: 1 })).toBe(3);
    const k = key(1, 0, 1);
    expect(n.atDistance(k, 0, last)).toEqual(k);
    // `last`: components in order 0 1 2; turns + 1 + 2 = turns + 3 (mod 4).
    expect(n.atDistance(k, 1, last)).toEqual(key(0, 0, 1));
    expect(n.atDistance(k, 2, last)).toEqual(key(0, 1, 1));
    expect(n.atDistance(k, 3, last)).toEqual(key(0, 1, 0));
    // `zero`: order 1 2 0 (h-flip, v-flip, turns), turns + 1.
    expect(n.atDistance(k, 1, zero)).toEqual(key(1, 1, 1));
    expect(n.atDistance(k, 3, zero)).toEqual(key(2, 1, 0));
    for (const d of [4, -1, 0.5]) expect(() => n.atDistance(k, d, last)).toThrow(`block-rotation distance must be an integer in 0..3 (three key components), got ${d}`);
  });
});

describe('block-scramble', () => {
  const key = (order: number[], rows = 1, cols = order.length) => ({ blockSize: 1, channels: 2, rows, cols, order: Int32Array.from(order) });
  const grid = { blockSize: 1, channels: 2, rows: 1, cols: 3 };

  // further.ts:228–232 (gridOf), :234–247 (scrambleBlocks), :249–290.
  it('its grid, key, file, encryption, space', () => {
    expect(blockScramble).toMatchObject({ name: 'block-scramble', domain: 'uint8', gridBound: true, params: { blockSize: 4, channels: 3, rows: 8, cols: 8 } });
    const gridMessage = 'block-scramble is grid-bound: params need rows and cols (blocks per column and row)';
    for (const p of [{ blockSize: 1, channels: 2 }, { ...grid, rows: 0 }, { ...grid, cols: 0 }, { ...grid, rows: 1.5 }, { ...grid, cols: 2.5 }]) {
      expect(() => blockScramble.generateKey(p, 's')).toThrow(gridMessage);
    }
    const g = blockScramble.generateKey(grid, 's');
    expect(g).toMatchObject({ blockSize: 1, channels: 2, rows: 1, cols: 3 });
    expect([...g.order].sort()).toEqual([0, 1, 2]);
    const t = text('block-scramble', '  "blockSize": 1,\n  "channels": 2,\n  "rows": 1,\n  "cols": 3,\n  "order": [2,0,1]');
    expect(blockScramble.serializeKey(key([2, 0, 1]))).toBe(t);
    expect(blockScramble.parseKey(t)).toEqual(key([2, 0, 1]));
    expect(() => blockScramble.parseKey(t.replace('[2,0,1]', '[2,0,2]'))).toThrow('order is not a permutation of 0..2 (entry 2 = 2)');
    expect(() => blockScramble.parseKey(t.replace('[2,0,1]', '[2,0]'))).toThrow('key field "order" must be 3 integers');
    expect(() => blockScramble.parseKey(t.replace('"rows": 1', '"rows": 0'))).toThrow(gridMessage);
    // Two images of 1×3 blocks (p_b = 2): encrypted block b is plain block order[b], per image.
    const b = batch([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6], { images: 2, cols: 3 });
    const enc = blockScramble.encrypt(b, key([2, 0, 1]));
    expect(Array.from(enc.data)).toEqual([3, 3, 1, 1, 2, 2, 6, 6, 4, 4, 5, 5]);
    expect(Array.from(blockScramble.decrypt(enc, key([2, 0, 1])).data)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(() => blockScramble.encrypt(batch([1, 1, 2, 2, 3, 3], { cols: 3, channels: 1, blockSize: 1, images: 2 }), key([2, 0, 1]))).toThrow(/^block-scramble: the key is for 2 channels/);
    expect(() => blockScramble.encrypt(batch([1, 1, 2, 2, 3, 3], { rows: 3, cols: 1 }), key([2, 0, 1]))).toThrow('block-scramble: the key is for a grid of 1×3 blocks, the images have 3×1');
    expect(() => blockScramble.encrypt(batch([1, 1, 2, 2, 3, 0.5], { cols: 3 }), key([2, 0, 1]))).toThrow(/not in the "uint8" domain/);
    expect(blockScramble.keySpace?.formula).toBe('(rows · cols)!');
    expect(blockScramble.keySpace?.size({ ...grid, rows: 2, cols: 2 })).toBe(24n);
    expect([...blockScramble.keySpace!.enumerate!({ ...grid, cols: 2 })]).toEqual([key([0, 1]), key([1, 0])]);
    expect(blockScramble.keySpace?.tinyParams).toEqual([
      { blockSize: 1, channels: 1, rows: 1, cols: 2 },
      { blockSize: 1, channels: 2, rows: 1, cols: 2 },
      { blockSize: 1, channels: 1, rows: 2, cols: 1 },
      { blockSize: 1, channels: 2, rows: 2, cols: 1 },
      { blockSize: 1, channels: 1, rows: 2, cols: 2 },
      { blockSize: 1, channels: 2, rows: 2, cols: 2 },
    ]);
  });
});

describe('per-block-keys', () => {
  const grid = { blockSize: 1, channels: 2, rows: 1, cols: 2 };

  // further.ts:303–321 (perBlock: each position its own key, every image), :323–362.
  it('its keys, file, encryption, space', () => {
    expect(perBlockKeys).toMatchObject({ name: 'per-block-keys', domain: 'uint8', gridBound: true });
    expect(perBlockKeys.supports!({ blockSize: 1, channels: 3 })).toMatch(/is odd/);
    const g = perBlockKeys.generateKey(grid, 's');
    expect(g.keys).toHaveLength(2);
    expect(g).toMatchObject({ blockSize: 1, channels: 2, rows: 1, cols: 2 });
    expect(perBlockKeys.generateKey(grid, 's')).toEqual(g);
    expect(perBlockKeys.generateKey(grid, undefined).keys).toHaveLength(2);
    expect(() => perBlockKeys.generateKey({ blockSize: 1, channels: 2 }, 's')).toThrow('per-block-keys is grid-bound: params need rows and cols (blocks per column and row)');
    const key = { ...grid, keys: [bk([1, 0], [1, 0]), bk([0, 1], [0, 1])] };
    const t = text('per-block-keys', '  "blockSize": 1,\n  "channels": 2,\n  "rows": 1,\n  "cols": 2,\n  "keys": [{"permutation":[1,0],"flip":[1,0]},{"permutation":[0,1],"flip":[0,1]}]');
    expect(perBlockKeys.serializeKey(key)).toBe(t);
    expect(perBlockKeys.parseKey(t)).toEqual(key);
    expect(() => perBlockKeys.parseKey(t.replace(/"keys": .*/, '"keys": [{"permutation":[1,0],"flip":[1,0]}]'))).toThrow('"keys" must hold rows·cols = 2 keys');
    expect(() => perBlockKeys.parseKey(t.replace(/"keys": .*/, '"keys": 3'))).toThrow('"keys" must hold rows·cols = 2 keys');
    expect(() => perBlockKeys.parseKey(t.replace(/"keys": .*/, '"keys": [null, {}]'))).toThrow();
    // Block 0: x′ = (x1, x0), then 255 − x at position 0; block 1: identity, then 255 − x at position 1. Two images.
    const b = batch([10, 20, 30, 40, 1, 2, 3, 4], { images: 2, cols: 2 });
    const enc = perBlockKeys.encrypt(b, key);
    expect(Array.from(enc.data)).toEqual([235, 10, 30, 215, 253, 1, 3, 251]);
    expect(Array.from(perBlockKeys.decrypt(enc, key).data)).toEqual([10, 20, 30, 40, 1, 2, 3, 4]);
    expect(() => perBlockKeys.encrypt(batch([1, 2, 3, 4], { rows: 2, cols: 1 }), key)).toThrow('per-block-keys: the key is for a grid of 1×2 blocks, the images have 2×1');
    expect(() => perBlockKeys.encrypt(batch([1, 2, 3, 0.5], { cols: 2 }), key)).toThrow(/not in the "uint8" domain/);
    expect(perBlockKeys.keySpace?.formula).toBe('(p_b! · C(p_b, p_b/2))^(rows · cols)');
    // p_b = 2: 2! · C(2, 1) = 4 keys per position, 4² = 16 for 1 × 2.
    expect(perBlockKeys.keySpace?.size(grid)).toBe(16n);
    const all = [...perBlockKeys.keySpace!.enumerate!(grid)];
    expect(all).toHaveLength(16);
    const show = (k: { keys: readonly BlockKey[] }) => k.keys.map((x) => `${x.permutation.join('')}/${x.flip.join('')}`).join(' ');
    // One position's 4 keys: (01, 10), (01, 01), (10, 10), (10, 01); the last position counts fastest.
    expect(all.slice(0, 5).map(show)).toEqual(['01/10 01/10', '01/10 01/01', '01/10 10/10', '01/10 10/01', '01/01 01/10']);
    expect(show(all[15])).toBe('10/01 10/01');
    expect(all[0]).toMatchObject(grid);
    expect(perBlockKeys.keySpace?.tinyParams).toEqual([
      { blockSize: 1, channels: 2, rows: 1, cols: 2 },
      { blockSize: 1, channels: 2, rows: 2, cols: 1 },
      { blockSize: 1, channels: 2, rows: 2, cols: 2 },
    ]);
  });
});

describe('survivors of the first further.ts run (issue 25, session 4)', () => {
  const gridMessage = (v: string) => `${v} is grid-bound: params need rows and cols (blocks per column and row)`;

  // further.ts:65, :158, :251, :314: each title says what the transform does.
  it('the titles name the transform', () => {
    expect(channelShuffle.title).toMatch(/^channel shuffling: one secret permutation of the C colour channels/);
    expect(blockRotation.title).toMatch(/^block rotation\/flip: every block turned by 0–3 quarter turns/);
    expect(blockScramble.title).toMatch(/^block-position scrambling/);
    expect(perBlockKeys.title).toMatch(/^System A with its own key \(shuffle \+ flip\) for every block position/);
  });

  // further.ts:151, :152, :182, :223, :330 (the codes), :223 (`cols < 1` → `<=`: one column is a grid), :273, :295, :328,
  // :341, :345 (each message names its variant).
  it('codes and names of the refusals; a grid of one column', () => {
    const t = blockRotation.serializeKey({ blockSize: 2, channels: 1, turns: 1, hflip: 0, vflip: 0 });
    expect(refusal(() => blockRotation.parseKey(t.replace('"turns": 1', '"turns": 9'))).check).toBe('key.field');
    expect(refusal(() => blockRotation.parseKey(t.replace('"hflip": 0', '"hflip": 9'))).check).toBe('key.field');
    expect(refusal(() => blockRotation.neighbours!.atDistance({ blockSize: 2, channels: 1, turns: 1, hflip: 0, vflip: 0 }, 4, last)).check).toBe('attack.distance');
    expect(refusal(() => blockScramble.generateKey({ blockSize: 1, channels: 2 }, 's'))).toEqual({ check: 'variant.grid', message: gridMessage('block-scramble') });
    expect(blockScramble.generateKey({ blockSize: 1, channels: 2, rows: 2, cols: 1 }, 's')).toMatchObject({ rows: 2, cols: 1 });
    expect(refusal(() => [...blockScramble.keySpace!.enumerate!({ blockSize: 1, channels: 2 })]).message).toBe(gridMessage('block-scramble'));
    expect(refusal(() => blockScramble.keySpace!.size({ blockSize: 1, channels: 2 })).message).toBe(gridMessage('block-scramble'));
    expect(refusal(() => perBlockKeys.keySpace!.size({ blockSize: 1, channels: 2 })).message).toBe(gridMessage('per-block-keys'));
    expect(refusal(() => [...perBlockKeys.keySpace!.enumerate!({ blockSize: 1, channels: 2 })]).message).toBe(gridMessage('per-block-keys'));
    const pk = perBlockKeys.serializeKey({ blockSize: 1, channels: 2, rows: 1, cols: 1, keys: [bk([0, 1], [1, 0])] });
    expect(refusal(() => perBlockKeys.parseKey(pk.replace('"rows": 1', '"rows": 0'))).message).toBe(gridMessage('per-block-keys'));
    expect(refusal(() => perBlockKeys.parseKey(pk.replace(/"keys": .*/, '"keys": []'))).check).toBe('key.field');
    const key = { blockSize: 1, channels: 2, rows: 1, cols: 1, keys: [bk([0, 1], [1, 0])] };
    expect(refusal(() => perBlockKeys.encrypt(batch([1], { channels: 1 }), key)).message).toMatch(/^per-block-keys: the key is for 2 channels/);
  });

  // further.ts:186 (`turns + 1 + random.int(3)` → `− random.int(3)`): a source drawing 1 of 3 moves 1 turn to 3.
  it('block-rotation neighbours: the turns move by 1 + a draw of 0..2', () => {
    const one = { int: (bound: number) => (bound === 3 ? 1 : bound - 1) };
    expect(blockRotation.neighbours!.atDistance({ blockSize: 2, channels: 1, turns: 1, hflip: 0, vflip: 1 }, 1, one)).toEqual({ blockSize: 2, channels: 1, turns: 3, hflip: 0, vflip: 1 });
  });

  // further.ts:321 (each block's key from `${seed}/block ${b}`; secure without a seed).
  it('per-block-keys: each block its own key, from its own seed', () => {
    // M = 2, C = 2: p_b = 8, 8!·C(8, 4) keys per block: equal keys by chance are out of the question.
    const params = { blockSize: 2, channels: 2, rows: 1, cols: 2 };
    const k = perBlockKeys.generateKey(params, 's');
    expect(k.keys.map((x) => x.permutation.length)).toEqual([8, 8]);
    expect(k.keys[0]).not.toEqual(k.keys[1]);
    expect(perBlockKeys.generateKey({ ...params, cols: 1 }, 's').keys[0]).toEqual(k.keys[0]);
    const secure = [perBlockKeys.generateKey(params), perBlockKeys.generateKey(params)];
    expect(secure[0].keys[0]).not.toEqual(secure[1].keys[0]);
  });

  // further.ts:97 (`C <= 8` → `< 8`, `false`): with C = 8 the nearest key is the best of the 8! orders. For the guess
  // (1, 1, 2, …, 7) the identity and (1, 0, 2, …, 7) both agree at 7 places; the enumeration keeps the first, the identity,
  // while the votes would give (1, 0, 2, …).
  it('channel-shuffle nearestKey enumerates for C = 8', () => {
    const guess = { permutation: Int32Array.of(1, 1, 2, 3, 4, 5, 6, 7), flip: new Uint8Array(8) };
    expect(Array.from(channelShuffle.signedPermutation!.nearestKey({ blockSize: 1, channels: 8 }, guess).order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
