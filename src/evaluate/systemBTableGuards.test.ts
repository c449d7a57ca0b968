/**
 * The lookup table's own guards (src/evaluate/systemB.ts blockTable): a
 * transform that is NOT "move values between block positions, then map each
 * value per position" must get no table and run through the variant. The
 * three built-in transforms are all of that form, so here the variant's run
 * (encryptToModelInput) is replaced by two hand-made transforms on one-channel
 * 2×2 blocks (p_b = 4; each image in these tests is exactly one block):
 *   coupled:  out_k = x_k + 1000 if x_{(k+1) mod 4} > 200 (a position reads its neighbour);
 *   merging:  out_k = 0 if x_k = 1, else x_k (two values map alike).
 * Expected outputs and run counts are worked by hand from these definitions.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { imageBatch } from '../core/images.ts';
import * as accuracy from '../variants/accuracy.ts';
import { generateSystemBKey } from '../variants/systemBKey.ts';
import { systemBModelInput } from './systemB.ts';

type Transform = (block: number[]) => number[];
let transform: Transform = (b) => b;

vi.mock('../variants/accuracy.ts', async (original) => {
  const real = await original<typeof import('../variants/accuracy.ts')>();
  const stand = (_variant: unknown, _key: unknown, bytes: Uint8Array) => {
    const input = new Float32Array(bytes.length);
    for (let n = 0; n < bytes.length; n += 4) input.set(transform(Array.from(bytes.subarray(n, n + 4))), n);
    return { input };
  };
  return { ...real, encryptToModelInput: vi.fn(stand) };
});
const runs = vi.mocked(accuracy.encryptToModelInput);

const coupled: Transform = (x) => x.map((v, k) => v + (x[(k + 1) % 4]! > 200 ? 1000 : 0));
const merging: Transform = (x) => x.map((v) => (v === 1 ? 0 : v));
const key = (seed: string) => generateSystemBKey('shuffle', { blockSize: 2, channels: 1 }, seed);
const oneBlock = (values: number[]) => imageBatch(Uint8Array.from(values), { count: 1, height: 2, width: 2, channels: 1 }, 'NCHW');

beforeEach(() => {
  runs.mockClear(); // (a braced body: a function returned from beforeEach would be called as its cleanup)
});

describe("systemBModelInput refuses a table for a transform the table cannot express", () => {
  it('coupled positions: the probe passes, the second check block fails, so the variant runs (no table)', () => {
    // Kills systemB.ts:76 `checks.every` → `some` and :78 `if (ok)` → `if (true)`.
    // The probe (0 1 2 3) has no value above 200, so each position finds itself: source = identity. Check block 1
    // (11 48 85 122) has none either and passes; check block 2 (255 154 53 208) gives out_0 = 255 (its neighbour 154),
    // but the table read off constant blocks says 255 + 1000 (a constant 255 block's neighbour is 255): it fails.
    // Runs: 256 constant blocks, probe, check 1, check 2, then the image itself.
    transform = coupled;
    const out = systemBModelInput(oneBlock([255, 0, 0, 0]), key('guard-coupled')).data;
    // By hand: out_0 = 255 (x_1 = 0), out_1 = 0, out_2 = 0, out_3 = 0 + 1000 (x_0 = 255 > 200). A table would give 1255 0 0 0.
    expect(Array.from(out)).toEqual([255, 0, 0, 1000]);
    expect(runs.mock.calls.map((c) => c[3].count)).toEqual([256, 1, 1, 1, 1]);
  });

  it('merged values: the probe finds two candidates at positions 0 and 1, so no check is run and no table is built', () => {
    // Kills systemB.ts:66 `fill(-1)` → `fill(+1)`, :70 `hits.length === 1` → `true`, :72 `!source.includes(-1)` → `true`
    // (each lets the checks run: one more run of the variant before the table is refused).
    // Probe 0 1 2 3 → 0 0 2 3: positions 0 and 1 both match the map values of 0 and 1 (both 0).
    transform = merging;
    const out = systemBModelInput(oneBlock([1, 2, 3, 4]), key('guard-merging')).data;
    expect(Array.from(out)).toEqual([0, 2, 3, 4]);
    // Runs: 256 constant blocks, the probe, then the image itself.
    expect(runs.mock.calls.map((c) => c[3].count)).toEqual([256, 1, 1]);
  });
});
