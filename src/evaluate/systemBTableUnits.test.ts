/**
 * The lookup table behind systemBModelInput (src/evaluate/systemB.ts): its
 * results equal the variant's by construction (properties/systemBTable.test.ts),
 * so what a mutant of the table could change is only whether the table is
 * built, kept and used. Here the variant's runs are counted
 * (encryptToModelInput, wrapped, still the real one): a key set's table is
 * read off 4 runs (the 256 value maps, one probe block, two check blocks)
 * and kept for the next 63 key sets; blocks of more than 256 values take
 * the variant, one run per call.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { imageBatch } from '../core/images.ts';
import * as accuracy from '../variants/accuracy.ts';
import { generateSystemBKey, parseSystemBKey } from '../variants/systemBKey.ts';
import { systemBModelInput, systemBModelInputDirect } from './systemB.ts';

vi.mock('../variants/accuracy.ts', async (original) => {
  const real = await original<typeof import('../variants/accuracy.ts')>();
  return { ...real, encryptToModelInput: vi.fn(real.encryptToModelInput) };
});
const runs = vi.mocked(accuracy.encryptToModelInput);

const images = imageBatch(Uint8Array.from({ length: 16 }, (_, i) => i * 16), { count: 4, height: 2, width: 2, channels: 1 }, 'NCHW');
const shuffle = (seed: string) => generateSystemBKey('shuffle', { blockSize: 2, channels: 1 }, seed);

beforeEach(() => {
  runs.mockClear();
});

describe('systemBModelInput: the table, read once per key set, then reused', () => {
  // Kills systemB.ts:51–52 (the cache lookup), :59 (`pb <= 256`), :63–:78 (the probe, the source search and the
  // checks: a table never built falls back to the variant, one run per call).
  it('4 runs of the variant for a new key set (maps of 256 blocks, probe, two checks), none for the next call', () => {
    const key = shuffle('table-a');
    const first = systemBModelInput(images, key).data;
    expect(runs.mock.calls.map((c) => c[3].count)).toEqual([256, 1, 1, 1]);
    runs.mockClear();
    const second = systemBModelInput(images, key).data;
    expect(runs).not.toHaveBeenCalled();
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(Array.from(first)).toEqual(Array.from(systemBModelInputDirect(images, key).data));
  });

  it('the same holds for negpos and ffx key sets', () => {
    for (const key of [
      parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip: [0, 0, 1, 0] }),
      generateSystemBKey('ffx', { blockSize: 2, channels: 1 }, 'table-f'),
    ]) {
      runs.mockClear();
      systemBModelInput(images, key);
      systemBModelInput(images, key);
      expect(runs, key.transform).toHaveBeenCalledTimes(4);
    }
  });

  it('blocks of 256 values (M = 16, C = 1) still get a table; of 300 (M = 10, C = 3), the variant on every call', () => {
    const k256 = generateSystemBKey('shuffle', { blockSize: 16, channels: 1 }, 'table-256');
    const one256 = imageBatch(Uint8Array.from({ length: 256 }, (_, i) => 255 - i), { count: 1, height: 16, width: 16, channels: 1 }, 'NCHW');
    systemBModelInput(one256, k256);
    systemBModelInput(one256, k256);
    expect(runs).toHaveBeenCalledTimes(4);
    runs.mockClear();
    const k300 = generateSystemBKey('shuffle', { blockSize: 10, channels: 3 }, 'table-300');
    const one300 = imageBatch(Uint8Array.from({ length: 300 }, (_, i) => i % 256), { count: 1, height: 10, width: 10, channels: 3 }, 'NCHW');
    systemBModelInput(one300, k300);
    systemBModelInput(one300, k300);
    expect(runs.mock.calls.map((c) => c[3].count)).toEqual([1, 1]);
  });

  // Kills :64 (`v <= 256`: a NaN for value 0), :88 (`M·M·C` → `M·M/C`), :90 (the channel offset `c·H` → `c/H`) and
  // :95–:96 (`by <= H`, `bx <= W`: stray writes into the next channel), which need C > 1, several blocks and every value.
  it('three channels, 2×2 blocks of 4×6 images, every value 0 … 255 at every position: the table ≡ the variant', () => {
    // Image n, value i: (n + 37·i) mod 256, so each position sees all 256 values over the 256 images.
    const all = imageBatch(Uint8Array.from({ length: 256 * 72 }, (_, j) => (Math.floor(j / 72) + 37 * (j % 72)) % 256), { count: 256, height: 4, width: 6, channels: 3 }, 'NCHW');
    for (const key of [generateSystemBKey('shuffle', { blockSize: 2, channels: 3 }, 'all-s'), generateSystemBKey('negpos', { blockSize: 2, channels: 3 }, 'all-n')]) {
      const fast = systemBModelInput(all, key).data;
      expect(Buffer.from(fast.buffer).equals(Buffer.from(systemBModelInputDirect(all, key).data.buffer)), key.transform).toBe(true);
    }
  });

  // Kills :81 (`tables.size >= 64` → true, false, >, <: the eviction of the oldest table).
  it('64 tables are kept: the 65th key set evicts the first one read', () => {
    // M = 2, C = 3: 12! permutations, so 65 seeds give 65 different key sets (M = 2, C = 1 has only 24).
    const rgb = imageBatch(Uint8Array.from({ length: 12 }, (_, i) => i * 20), { count: 1, height: 2, width: 2, channels: 3 }, 'NCHW');
    const keys = Array.from({ length: 65 }, (_, i) => generateSystemBKey('shuffle', { blockSize: 2, channels: 3 }, `evict-${i}`));
    expect(new Set(keys.map((k) => k.text)).size).toBe(65);
    for (const k of keys.slice(0, 64)) systemBModelInput(rgb, k);
    runs.mockClear();
    systemBModelInput(rgb, keys[0]);
    systemBModelInput(rgb, keys[63]);
    expect(runs).not.toHaveBeenCalled(); // the 64 kept (any earlier tests' tables were evicted first)
    systemBModelInput(rgb, keys[64]);
    expect(runs).toHaveBeenCalledTimes(4);
    runs.mockClear();
    systemBModelInput(rgb, keys[63]);
    expect(runs).not.toHaveBeenCalled();
    systemBModelInput(rgb, keys[0]); // the oldest table (kept in the order read, not of use) was evicted
    expect(runs).toHaveBeenCalledTimes(4);
  });
});
