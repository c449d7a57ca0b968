import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sliceImages, toLayout } from '../core/images.ts';
import { seededRandom } from '../core/keygen.ts';
import { createEngine } from '../engine/factory.ts';
import { parseCifarRecords } from '../io/cifar10.ts';
import { loadGoldenRun } from '../../golden/goldenRun.ts';
import { toBlocks } from '../variants/blocks.ts';
import { type Domain, type Variant, domainPair, fromByte } from '../variants/contract.ts';
import { BUILTIN_NAMES, loadBuiltin } from '../variants/registry.ts';
import { variantCiphertextOnlyAttack } from './ciphertextOnly.ts';
import { variantGreedyKeySearch } from './greedy.ts';
import { variantPartialKeyAttack } from './partialKey.ts';
import { variantKeyFraction } from './variants.ts';

const cifar = parseCifarRecords(readFileSync(fileURLToPath(new URL('../../golden/data/test_batch_first1000.bin', import.meta.url))));

function blocksOf(first: number, count: number, domain: Domain) {
  const x = toLayout(sliceImages(cifar.images, first, count), 'NCHW');
  return toBlocks({ data: Float64Array.from(x.data, (v) => fromByte(v, domain)), count, channels: 3, height: 32, width: 32 }, 4);
}

describe('attack capabilities of the built-ins', () => {
  it('neighbours: distance 0 is the key itself, distance d changes the key, and the step never leaves the key space', async () => {
    for (const name of BUILTIN_NAMES) {
      const v = (await loadBuiltin(name)) as Variant<unknown>;
      if (v.neighbours === undefined) continue;
      const key = v.generateKey(v.params, 'n');
      const text = v.serializeKey(key);
      expect(v.serializeKey(v.neighbours.atDistance(key, 0, seededRandom('0')))).toBe(text);
      const max = v.neighbours.maxDistance(v.params);
      for (const d of [1, max]) {
        const g = v.neighbours.atDistance(key, d, seededRandom(`${name}${d}`));
        expect(v.serializeKey(key), `${name} changed its input`).toBe(text);
        expect(v.serializeKey(g), `${name} at distance ${d}`).not.toBe(text);
        expect(() => v.parseKey(v.serializeKey(g)), `${name} at distance ${d} is a valid key`).not.toThrow();
      }
      expect(() => v.neighbours!.atDistance(key, max + 1, seededRandom('x')), name).toThrow(/distance/);
    }
  });

  it('signed-permutation view: nearestKey maps a key\'s own view back to an equivalent key', async () => {
    for (const name of BUILTIN_NAMES) {
      const v = (await loadBuiltin(name)) as Variant<unknown>;
      if (v.signedPermutation === undefined) continue;
      const key = v.generateKey(v.params, 'view');
      const back = v.signedPermutation.nearestKey(v.params, v.signedPermutation.toSignedPermutation(key));
      expect(variantKeyFraction(v, back, key), name).toBe(1);
    }
  });
});

describe('ciphertext-only attack on other variants (CIFAR-10 images, 500 other plain images as reference)', () => {
  const run = async (name: string, images: number) => {
    const v = (await loadBuiltin(name)) as Variant<unknown>;
    const domain = domainPair(v.domain).input;
    const key = v.generateKey(v.params, 'co-c');
    return variantCiphertextOnlyAttack(v, v.encrypt(blocksOf(0, images, domain), key), blocksOf(500, 500, domain), { truth: key, restarts: 5 });
  };

  it('System B negative/positive (23 of 48 flips, values in [0, 1]) falls to 10 encrypted images', async () => {
    const r = await run('negpos', 10);
    expect(r.search).toBe('none');
    expect(r.keyRecovered).toBe(true);
  });

  it('channel-shuffle falls to 10 images (all 6 keys scored); block-rotation needs more than 10 and falls to 100', async () => {
    const c = await run('channel-shuffle', 10);
    expect(c.search).toBe('exhaustive');
    expect(c.keyRecovered).toBe(true);
    expect((await run('block-rotation', 10)).keyRecovered).toBe(false);
    expect((await run('block-rotation', 100)).keyRecovered).toBe(true);
  });

  it('says which capability is missing', async () => {
    await expect(run('ffx', 10)).rejects.toThrow(/attack\.capability|signedPermutation/);
    await expect(run('orthogonal', 10)).rejects.toThrow(/signedPermutation/);
  });
});

describe('greedy search on other variants', () => {
  it('climbs to the exact key with an ideal oracle (score = fraction of the key right), in the variant\'s own steps', async () => {
    for (const name of ['channel-shuffle', 'negpos']) {
      const v = (await loadBuiltin(name)) as Variant<unknown>;
      const truth = v.generateKey(v.params, 'greedy-truth');
      const oracle = async (g: unknown) => variantKeyFraction(v, g, truth)!;
      const r = await variantGreedyKeySearch({ variant: v, truth, score: oracle, imagesPerQuery: 1, steps: 3000, seed: 'g' });
      expect(r.keyRecovered, name).toBe(true);
      expect(r.step).toBe(v.neighbours!.step);
    }
  });

  it('does not climb with an oracle that carries no signal', async () => {
    const v = (await loadBuiltin('negpos')) as Variant<unknown>;
    const truth = v.generateKey(v.params, 'greedy-truth');
    const r = await variantGreedyKeySearch({ variant: v, truth, score: async () => 0, imagesPerQuery: 1, steps: 200, seed: 'g' });
    expect(r.fractionCorrect!).toBeLessThan(0.9);
  });

  it('rejects a malformed capability of a plug-in by name', async () => {
    const base = (await loadBuiltin('negpos')) as Variant<unknown>;
    const v = { ...base, name: 'broken', neighbours: { step: 'x', maxDistance: () => 1 } } as unknown as Variant<unknown>;
    await expect(variantGreedyKeySearch({ variant: v, truth: v.generateKey(v.params, 't'), score: async () => 0, imagesPerQuery: 1, steps: 1 })).rejects.toThrow(/broken.*"neighbours".*atDistance/);
  });

  it('names the missing capability', async () => {
    const v = (await loadBuiltin('orthogonal')) as Variant<unknown>;
    await expect(variantGreedyKeySearch({ variant: v, truth: v.generateKey(v.params, 't'), score: async () => 0, imagesPerQuery: 1, steps: 1 })).rejects.toThrow(/"neighbours"/);
  });
});

describe('partial-key attack on other variants (golden model)', () => {
  const golden = loadGoldenRun('cpu');
  const n = 100;
  const common = {
    weights: golden.weights,
    images: sliceImages(cifar.images, 0, n),
    labels: cifar.labels.subarray(0, n),
    createEngine: (w: typeof golden.weights) => createEngine(w, undefined, { engine: 'auto', threads: 2 }),
    trials: 1,
  };

  it('channel-shuffle: the right key keeps the plain accuracy, distance 0 equals it, a channel swap loses accuracy', async () => {
    const v = (await loadBuiltin('channel-shuffle')) as Variant<unknown>;
    const key = v.generateKey(v.params, 'pk');
    const r = await variantPartialKeyAttack({ ...common, variant: v, key, distances: [0, 1] });
    expect(r.rightKey).toBeGreaterThan(0.45);
    expect(r.distance[0].mean).toBe(r.rightKey);
    expect(r.distance[0].keyFraction).toBe(1);
    expect(r.distance[1].keyFraction).toBeLessThan(1);
    expect(r.effort.queries).toBe(n * (1 + 1 + 2));
  }, 60_000);

  it('negpos (no adapter of its own) runs on the exact least-squares adapter; ffx and block-scramble say what is missing', async () => {
    const v = (await loadBuiltin('negpos')) as Variant<unknown>;
    const r = await variantPartialKeyAttack({ ...common, variant: v, key: v.generateKey(v.params, 'pk'), distances: [0, 23] });
    expect(r.adapter).toMatch(/least squares/);
    expect(r.distance[0].mean).toBe(r.rightKey);
    expect(r.distance[1].mean).toBeLessThan(r.rightKey - 0.2);
    for (const name of ['ffx', 'block-scramble']) {
      const w = (await loadBuiltin(name)) as Variant<unknown>;
      await expect(variantPartialKeyAttack({ ...common, variant: w, key: w.generateKey(w.params, 'pk') })).rejects.toThrow(/attack\.capability|"neighbours"/);
    }
  }, 60_000);
});
