/**
 * The contract's helpers (contract.ts: normalizations, domains, 8-bit values,
 * batch checks), the block/patch plumbing (blocks.ts) and the harness's
 * tolerance test (tolerance.ts), value by value from their definitions.
 * Each test names the Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { coordinates, describeValue, embed, fromBlocks, modelInput, toBlocks } from './blocks.ts';
import { CIFAR10_MEAN, CIFAR10_STD, DOMAINS, NORMALIZATION_NAMES, blockLength, checkBlockBatch, checkDomain, defineVariant, describeParams, domainPair, fromByte, inDomain, isByteValue, normalization } from './contract.ts';
import { rotation } from './fixtures/tiny.ts';
import { withinTolerance } from './tolerance.ts';

describe('contract helpers', () => {
  it('names, normalizations and the CIFAR statistics', () => {
    expect(DOMAINS).toEqual(['uint8', 'unit', 'real']);
    expect(NORMALIZATION_NAMES).toEqual(['0.5/0.5', 'cifar', 'none']);
    expect(normalization('0.5/0.5', 2)).toEqual({ name: '0.5/0.5', mean: [0.5, 0.5], std: [0.5, 0.5] });
    expect(normalization('none', 1)).toEqual({ name: 'none', mean: [0], std: [1] });
    // torchvision's CIFAR-10 recipe: mean (0.4914, 0.4822, 0.4465), std (0.247, 0.2435, 0.2616), repeated from channel 3 on.
    expect(normalization('cifar', 4)).toEqual({ name: 'cifar', mean: [0.4914, 0.4822, 0.4465, 0.4914], std: [0.247, 0.2435, 0.2616, 0.247] });
    expect([...CIFAR10_MEAN, ...CIFAR10_STD]).toEqual([0.4914, 0.4822, 0.4465, 0.247, 0.2435, 0.2616]);
    expect(() => normalization('imagenet' as never, 3)).toThrow('unknown normalization "imagenet": use 0.5/0.5, cifar, none');
  });

  it('domains, params, block length', () => {
    expect(domainPair('unit')).toEqual({ input: 'unit', output: 'unit' });
    const pair = { input: 'uint8', output: 'real' } as const;
    expect(domainPair(pair)).toBe(pair);
    expect(blockLength({ blockSize: 4, channels: 3 })).toBe(48);
    expect(describeParams({ blockSize: 4, channels: 3 })).toBe('M=4,C=3');
    expect(describeParams({ blockSize: 2, channels: 1, rows: 3, cols: 5 })).toBe('M=2,C=1,grid=3×5');
    const v = rotation();
    expect(defineVariant(v)).toBe(v);
  });

  it('inDomain at the edges of each domain', () => {
    expect([0, 255, 17].map((x) => inDomain(x, 'uint8'))).toEqual([true, true, true]);
    expect([-1, 256, 1.5, Number.NaN].map((x) => inDomain(x, 'uint8'))).toEqual([false, false, false, false]);
    expect([0, 1, 0.5].map((x) => inDomain(x, 'unit'))).toEqual([true, true, true]);
    expect([-1e-300, 1 + 2 ** -52, Number.NaN].map((x) => inDomain(x, 'unit'))).toEqual([false, false, false]);
    expect([-1e300, 3].map((x) => inDomain(x, 'real'))).toEqual([true, true]);
    expect([Number.POSITIVE_INFINITY, Number.NaN].map((x) => inDomain(x, 'real'))).toEqual([false, false]);
  });

  it('8-bit values: v, v/255, (2v − 255)/255, and back within 1e-9', () => {
    expect([fromByte(51, 'uint8'), fromByte(51, 'unit'), fromByte(51, 'real'), fromByte(0, 'real'), fromByte(255, 'real')]).toEqual([51, 0.2, -153 / 255, -1, 1]);
    expect([0, 255, 7].every((v) => isByteValue(v, 'uint8'))).toBe(true);
    expect([-1, 256, 7.5].some((v) => isByteValue(v, 'uint8'))).toBe(false);
    for (const d of ['unit', 'real'] as const) {
      expect([0, 1, 128, 255].every((v) => isByteValue(fromByte(v, d), d))).toBe(true);
      // Half a step off the grid, and one step past either end.
      expect([fromByte(0.5, d), fromByte(-1, d), fromByte(256, d)].some((x) => isByteValue(x, d))).toBe(false);
    }
    // 255·x within 1e-9 of an integer: 1e-12 off passes, 1e-8 off does not.
    expect(isByteValue(0.2 + 1e-12 / 255, 'unit')).toBe(true);
    expect(isByteValue(0.2 + 1e-8 / 255, 'unit')).toBe(false);
    expect(isByteValue(fromByte(3, 'real') + 2e-8 / 255, 'real')).toBe(false);
  });

  it('checkBlockBatch and checkDomain: each field and the length, by name', () => {
    const ok = { data: new Float64Array(8), images: 1, rows: 2, cols: 2, blockSize: 1, channels: 2 };
    expect(() => checkBlockBatch(ok)).not.toThrow();
    expect(() => checkBlockBatch(null as never)).toThrow('a block batch must be an object');
    expect(() => checkBlockBatch('b' as never)).toThrow('a block batch must be an object');
    expect(() => checkBlockBatch({ ...ok, rows: 0 })).toThrow('block batch rows must be a positive integer, got 0');
    expect(() => checkBlockBatch({ ...ok, channels: 1.5 })).toThrow('block batch channels must be a positive integer, got 1.5');
    expect(() => checkBlockBatch({ ...ok, images: 1 } as never)).not.toThrow();
    expect(() => checkBlockBatch({ ...ok, data: [0] as never })).toThrow('block batch data must be a Float64Array');
    expect(() => checkBlockBatch({ ...ok, data: new Float64Array(9) })).toThrow('block batch data has 9 values, 1×2×2 blocks of 2 need 8');
    expect(() => checkDomain({ ...ok, data: Float64Array.of(0, 1, 2, 3, 4, 5, 6, 1.5) }, 'uint8')).toThrow('input value 7 is 1.5, not in the "uint8" domain');
    expect(() => checkDomain({ ...ok, data: Float64Array.of(2, 0, 0, 0, 0, 0, 0, 0) }, 'unit', 'key')).toThrow('key value 0 is 2, not in the "unit" domain');
    expect(() => checkDomain(ok, 'unit')).not.toThrow();
  });

  it('tolerance: |a − b| ≤ atol + rtol·|b|, at the edge', () => {
    expect(withinTolerance(1.5, 1, { atol: 0.5, rtol: 0 })).toBe(true);
    expect(withinTolerance(1.5, 1, { atol: 0.25, rtol: 0.25 })).toBe(true);
    expect(withinTolerance(-1.5, -1, { atol: 0.25, rtol: 0.25 })).toBe(true);
    expect(withinTolerance(1.5, 1, { atol: 0.25, rtol: 0.2 })).toBe(false);
    expect(withinTolerance(0.5, 1, { atol: 0.5, rtol: 0 })).toBe(true);
    expect(withinTolerance(0.4, 1, { atol: 0.5, rtol: 0 })).toBe(false);
  });
});

describe('blocks and patches', () => {
  it('toBlocks of a 1×1×2×4 image with M = 2; not divisible; fromBlocks back', () => {
    const img = { data: Float64Array.of(0, 1, 2, 3, 4, 5, 6, 7), count: 1, channels: 1, height: 2, width: 4 };
    expect(toBlocks(img, 2)).toEqual({ data: Float64Array.of(0, 1, 4, 5, 2, 3, 6, 7), images: 1, rows: 1, cols: 2, blockSize: 2, channels: 1 });
    expect(fromBlocks(toBlocks(img, 2))).toEqual(img);
    expect(() => toBlocks(img, 3)).toThrow('image size 4×2 is not divisible by 3');
    expect(() => toBlocks({ ...img, height: 3, data: new Float64Array(12) }, 2)).toThrow('image size 4×3 is not divisible by 2');
  });

  it('modelInput: per channel (x/255 − μ_c)/σ_c for uint8, (x − μ_c)/σ_c for unit, as is for real', () => {
    const img = { data: Float64Array.of(51, 102, 255, 0), count: 1, channels: 2, height: 1, width: 2 };
    const n = { name: 'cifar' as const, mean: [0.5, 0.25], std: [0.5, 0.25] };
    expect(Array.from(modelInput(img, 'uint8', n).data)).toEqual([(0.2 - 0.5) / 0.5, (0.4 - 0.5) / 0.5, (1 - 0.25) / 0.25, (0 - 0.25) / 0.25]);
    expect(Array.from(modelInput({ ...img, data: Float64Array.of(0.2, 1, 0.5, 0) }, 'unit', n).data)).toEqual([-0.6, 1, 1, -1]);
    expect(modelInput(img, 'real', n)).toBe(img);
    // Two images of 2 channels: the channel repeats per image.
    const two = { data: new Float64Array(4).fill(255), count: 2, channels: 2, height: 1, width: 1 };
    expect(Array.from(modelInput(two, 'uint8', n).data)).toEqual([1, 3, 1, 3]);
  });

  it('embed: one output per patch and dimension; a channel mismatch is named', () => {
    const img = { data: Float64Array.of(1, 2, 3, 4), count: 1, channels: 1, height: 2, width: 2 };
    // P = 1: four patches, d = 2: z = x·(1, −1) + (0.5, 0).
    const e = { dim: 2, channels: 1, patch: 1, weight: Float64Array.of(1, -1), bias: Float64Array.of(0.5, 0) };
    expect(Array.from(embed(img, e))).toEqual([1.5, -1, 2.5, -2, 3.5, -3, 4.5, -4]);
    expect(() => embed(img, { ...e, channels: 3, weight: new Float64Array(6) })).toThrow('image has 1 channel, the embedding 3');
  });

  it('coordinates and describeValue', () => {
    const shape = { count: 2, channels: 3, height: 4, width: 5 };
    // i = ((n·C + c)·H + y)·W + x with n = 1, c = 2, y = 3, x = 4.
    expect(coordinates(shape, ((1 * 3 + 2) * 4 + 3) * 5 + 4)).toEqual({ n: 1, c: 2, y: 3, x: 4 });
    expect(coordinates(shape, 7)).toEqual({ n: 0, c: 0, y: 1, x: 2 });
    expect(describeValue(shape, 7)).toBe('image 0 (c=0, y=1, x=2)');
    expect(describeValue({ ...shape, count: 1 }, 27)).toBe('(c=1, y=1, x=2)');
  });
});
