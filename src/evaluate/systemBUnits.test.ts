/**
 * System B's experiment (src/evaluate/systemB.ts) on a stand-in engine, for
 * mutation runs: no ResNet runs. Images are 2×2, one channel, block size 2
 * (one block per image); the stand-in's logits are the model input itself,
 * so the predicted class is the block position holding the largest value.
 * Image n has its largest pixel at position n; under a shuffle key v (model
 * input at k = x[v_k], Eq. 4) the prediction is v⁻¹(n). Every accuracy below
 * is worked out by hand from that.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection, refusal } from '../../properties/rejection.ts';
import { type ImageBatch, type Uint8Batch, imageBatch } from '../core/images.ts';
import type { Engine } from '../engine/engine.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import { type SystemBKey, generateSystemBKey, parseSystemBKey } from '../variants/systemBKey.ts';
import { evaluateSystemB, systemBModelInput, systemBModelInputDirect } from './systemB.ts';

const shuffleKey = (permutation: number[], blockSize = 2): SystemBKey =>
  parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'shuffle', blockSize, channels: 1, permutation });
const negposKey = (flip: number[]): SystemBKey => parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip });

/** (2x − 255)/255 in float32: Eq. 7 on an 8-bit value. */
const norm = (x: number) => Math.fround((2 * x - 255) / 255);

/** Image n: 250 at position n, 10 + 10k elsewhere (position k). */
const PIXELS = Uint8Array.from({ length: 16 }, (_, i) => (i % 4 === Math.floor(i / 4) ? 250 : 10 + 10 * (i % 4)));
const images: Uint8Batch = imageBatch(PIXELS, { count: 4, height: 2, width: 2, channels: 1 }, 'NCHW');
const labels = Uint8Array.from([3, 0, 2, 0]);
const right = shuffleKey([1, 2, 3, 0]); // v⁻¹ = [3, 0, 1, 2]: predictions 3, 0, 1, 2 → 2 of 4 correct
const config: ResNetConfig = { width: 1, blocks: [1, 1, 1, 1], channels: 1, classes: 4 };
const weights = { kind: 'resnet', config } as unknown as ResNetWeights;

/** Wrong key sets and their accuracies against `labels`, by hand. */
const WRONG: [number[], number][] = [
  [[0, 1, 2, 3], 0.25], // predictions 0, 1, 2, 3: image 2
  [[3, 0, 2, 1], 0.5], // v⁻¹ = [1, 3, 2, 0]: images 2, 3
  [[0, 1, 3, 2], 0], // v⁻¹ = [0, 1, 3, 2]: none
  [[1, 3, 2, 0], 0.75], // v⁻¹ = [3, 0, 2, 1]: images 0, 1, 2
];
const wrongKeyList = WRONG.map(([v]) => shuffleKey(v));

interface StandIn {
  readonly calls: { data: number[]; count: number }[];
  disposed: number;
  readonly engine: Engine<ResNetConfig>;
}

/** An engine whose logits are its normalized input (classes = 4 = values per image); `failAt` makes that call throw. */
function standIn(failAt = -1): StandIn {
  const calls: { data: number[]; count: number }[] = [];
  const self: StandIn = {
    calls,
    disposed: 0,
    engine: {
      name: 'stand-in',
      backend: 'none',
      threads: 1,
      version: 'stand-in 1.0',
      config,
      logits: () => Promise.reject(new Error('System B feeds normalized input')),
      logitsNormalized: (batch: ImageBatch<Float32Array>) => {
        if (calls.length === failAt) return Promise.reject(new Error('engine failed'));
        calls.push({ data: Array.from(batch.data), count: batch.shape.count });
        return Promise.resolve(Float32Array.from(batch.data));
      },
      dispose: () => {
        self.disposed++;
      },
    },
  };
  return self;
}

const noEngine = () => Promise.reject(new Error('an engine was made before the inputs were checked'));
const base = { weights, key: right, images, labels, wrongKeySeed: 'unused' };

describe('systemBModelInput', () => {
  // Kills systemB.ts:122 (the plain images' (2x − 255)/255 and its NCHW layout).
  it('plain images: (2x − 255)/255 in NCHW order, from either layout', () => {
    const nhwc = imageBatch(Uint8Array.from([0, 255, 51, 102, 204, 153]), { count: 1, height: 1, width: 2, channels: 3 }, 'NHWC');
    const got = systemBModelInput(nhwc, null);
    expect(got.layout).toBe('NCHW');
    // NCHW: channel 0 (0, 102), channel 1 (255, 204), channel 2 (51, 153).
    expect(Array.from(got.data)).toEqual([0, 102, 255, 204, 51, 153].map(norm));
  });

  // Kills :122 and :129 (the layout of the model input → "").
  it('a shuffle key set: position k of each block gets x[v_k] (Eq. 4), then Eq. 7; NCHW, by the table and directly', () => {
    const got = systemBModelInput(images, right);
    expect(got.layout).toBe('NCHW');
    expect(systemBModelInputDirect(images, right).layout).toBe('NCHW');
    // Image 0 is [250, 20, 30, 40]; v = [1, 2, 3, 0] gives [20, 30, 40, 250].
    expect(Array.from(got.data.subarray(0, 4))).toEqual([20, 30, 40, 250].map(norm));
    // Image 3 is [10, 20, 30, 250]: [20, 30, 250, 10].
    expect(Array.from(got.data.subarray(12, 16))).toEqual([20, 30, 250, 10].map(norm));
  });

  it('a shuffle key set on 4×4 images with two blocks per side: each block on its own (NHWC in, NCHW out)', () => {
    // One channel, M = 2, v = [3, 2, 1, 0] (each block reversed); block (by, bx) of a 4×4 image.
    const key = shuffleKey([3, 2, 1, 0]);
    const pixels = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const got = systemBModelInput(imageBatch(pixels, { count: 1, height: 4, width: 4, channels: 1 }, 'NHWC'), key);
    // Rows 0–1, columns 0–1 hold 0, 10 / 40, 50 → 50, 40 / 10, 0; columns 2–3: 20, 30 / 60, 70 → 70, 60 / 30, 20; and so on.
    const expected = [50, 40, 70, 60, 10, 0, 30, 20, 130, 120, 150, 140, 90, 80, 110, 100];
    expect(Array.from(got.data)).toEqual(expected.map(norm));
  });

  it('a negpos key set: flipped positions get 1 − x, i.e. (255 − 2x)/255; the table ≡ the variant', () => {
    const key = negposKey([0, 1, 0, 0]);
    const got = systemBModelInput(images, key);
    // Image 1 is [10, 250, 30, 40]: position 1 flipped.
    expect(got.data[4]).toBeCloseTo(norm(10), 6);
    expect(got.data[5]).toBeCloseTo(-norm(250), 6);
    expect(got.data[6]).toBeCloseTo(norm(30), 6);
    expect(Buffer.from(got.data.buffer).equals(Buffer.from(systemBModelInputDirect(images, key).data.buffer))).toBe(true);
  });

  it('blocks of more than 256 values take the variant block by block (no table); ffx through the table ≡ the variant', () => {
    // M = 10, C = 3: 300 values per block.
    const big = generateSystemBKey('shuffle', { blockSize: 10, channels: 3 }, 'big');
    const pixels = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    const batch = imageBatch(pixels, { count: 1, height: 10, width: 10, channels: 3 }, 'NCHW');
    const got = systemBModelInput(batch, big).data;
    const perm = (big.key as { permutation: ArrayLike<number> }).permutation;
    // NCHW within a 10×10×3 image is the block order (c, i, j): model input k = norm(x[v_k]).
    expect(Array.from(got)).toEqual(Array.from({ length: 300 }, (_, k) => norm(pixels[perm[k]])));
    const f = generateSystemBKey('ffx', { blockSize: 2, channels: 1 }, 'f');
    expect(Buffer.from(systemBModelInput(images, f).data.buffer).equals(Buffer.from(systemBModelInputDirect(images, f).data.buffer))).toBe(true);
  });

  it('refuses images with other channels or a size the block does not divide', () => {
    const rgb = imageBatch(new Uint8Array(12), { count: 1, height: 2, width: 2, channels: 3 }, 'NCHW');
    expect(refusal(() => systemBModelInput(rgb, right))).toEqual({ check: 'key.wrong-channels', message: 'key set is for 1 channel, the images have 3' });
    const odd = imageBatch(new Uint8Array(6), { count: 1, height: 2, width: 3, channels: 1 }, 'NCHW');
    expect(refusal(() => systemBModelInput(odd, right))).toEqual({ check: 'image.not-divisible', message: "image size 3×2 is not divisible by the key set's block size 2" });
    const odd2 = imageBatch(new Uint8Array(6), { count: 1, height: 3, width: 2, channels: 1 }, 'NCHW');
    expect(refusal(() => systemBModelInput(odd2, right)).check).toBe('image.not-divisible');
  });
});

describe('evaluateSystemB on a stand-in engine', () => {
  it('right key set, plain images and four listed wrong key sets: accuracies by hand', async () => {
    const s = standIn();
    const phases: string[] = [];
    const progress = { start: (phase: string, total: number, unit: string) => phases.push(`${phase}: ${total} ${unit}`), update: () => {}, stop: () => {} };
    const r = await evaluateSystemB({ ...base, wrongKeyList, createEngine: () => Promise.resolve(s.engine), chunk: 3, progress });
    expect(r.transform).toBe('shuffle');
    expect(r.images).toBe(4);
    expect(r.rightKey).toEqual({ accuracy: 0.5, correct: 2, predictions: Uint8Array.from([3, 0, 1, 2]) });
    expect(r.plainImages).toEqual({ accuracy: 0.25, correct: 1, predictions: Uint8Array.from([0, 1, 2, 3]) });
    expect(r.wrongKeys.map((w) => [w.index, w.seed, w.accuracy, w.key.text])).toEqual(WRONG.map(([, a], i) => [i, `list:${i}`, a, wrongKeyList[i].text]));
    // Sorted 0, 0.25, 0.5, 0.75; quartiles by linear interpolation at 0.75, 1.5, 2.25.
    expect(r.wrongKeySummary).toEqual({ min: 0, q1: 0.1875, median: 0.375, q3: 0.5625, max: 0.75, mean: 0.375, count: 4 });
    expect(r.engine).toEqual({ name: 'stand-in', backend: 'none', threads: 1, version: 'stand-in 1.0' });
    // 2 + 4 passes of 4 images.
    expect(r.seconds.perPass).toBeCloseTo(r.seconds.total / 6, 12);
    expect(r.seconds.imagesPerSecond).toBeCloseTo(24 / r.seconds.total, 6);
    // Chunks of 3 images: 3 + 1 per pass, 6 passes; the first is the right key set's (image 0 → [20, 30, 40, 250]).
    expect(s.calls.map((c) => c.count)).toEqual([3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1]);
    expect(s.calls[0].data.slice(0, 4)).toEqual([20, 30, 40, 250].map(norm));
    expect(s.calls[2].data.slice(0, 4)).toEqual([250, 20, 30, 40].map(norm));
    expect(phases).toEqual(['right key set (shuffle): 4 images', 'plain images: 4 images', 'wrong key set 1/4: 4 images', 'wrong key set 2/4: 4 images', 'wrong key set 3/4: 4 images', 'wrong key set 4/4: 4 images']);
    expect(s.disposed).toBe(1);
  });

  it('a shard: wrong key sets 1 and 2 of the list keep their numbers', async () => {
    const s = standIn();
    const phases: string[] = [];
    const progress = { start: (phase: string) => phases.push(phase), update: () => {}, stop: () => {} };
    const r = await evaluateSystemB({ ...base, wrongKeyList, wrongKeyRange: { start: 1, end: 3 }, createEngine: () => Promise.resolve(s.engine), progress });
    expect(r.wrongKeys.map((w) => [w.index, w.seed, w.accuracy])).toEqual([
      [1, 'list:1', 0.5],
      [2, 'list:2', 0],
    ]);
    expect(r.wrongKeySummary?.count).toBe(2);
    expect(phases.slice(2)).toEqual(['wrong key set 2/4', 'wrong key set 3/4']);
    // Default chunk (250 images): one call per pass.
    expect(s.calls.map((c) => c.count)).toEqual([4, 4, 4, 4]);
  });

  it('seeded wrong key sets are shuffle key sets of the same size, never the right one', async () => {
    const s = standIn();
    const r = await evaluateSystemB({ ...base, wrongKeys: 3, wrongKeySeed: 'w', createEngine: () => Promise.resolve(s.engine) });
    expect(r.wrongKeys.map((w) => [w.index, w.seed])).toEqual([
      [0, 'w:0'],
      [1, 'w:1'],
      [2, 'w:2'],
    ]);
    for (const w of r.wrongKeys) expect([w.key.transform, w.key.blockSize, w.key.channels, w.key.text === right.text]).toEqual(['shuffle', 2, 1, false]);
  });

  it('the engine is disposed when a pass fails', async () => {
    const s = standIn(1);
    await expect(evaluateSystemB({ ...base, wrongKeyList, createEngine: () => Promise.resolve(s.engine) })).rejects.toThrow('engine failed');
    expect(s.disposed).toBe(1);
  });

  it('refuses, before any engine is made: a key set for other channels, images the block does not divide, bad listed key sets', async () => {
    const check = async (options: Partial<Parameters<typeof evaluateSystemB>[0]>) => {
      const e = await asyncRejection(evaluateSystemB({ ...base, createEngine: noEngine, ...options }));
      return { check: e.check, message: e.message };
    };
    expect(await check({ weights: { kind: 'resnet', config: { ...config, channels: 3 } } as unknown as ResNetWeights })).toEqual({ check: 'key.wrong-channels', message: 'key set is for 1 channel, the model takes 3' });
    const wide = imageBatch(new Uint8Array(12), { count: 2, height: 2, width: 3, channels: 1 }, 'NCHW');
    expect(await check({ images: wide, labels: new Uint8Array(2) })).toEqual({ check: 'image.not-divisible', message: "image size 3×2 is not divisible by the key set's block size 2" });
    const tall = imageBatch(new Uint8Array(12), { count: 2, height: 3, width: 2, channels: 1 }, 'NCHW');
    expect((await check({ images: tall, labels: new Uint8Array(2) })).check).toBe('image.not-divisible');
    expect(await check({ wrongKeyList: [negposKey([0, 1, 0, 0])] })).toEqual({ check: 'evaluate.wrong-keys', message: 'wrong key set 0 of the list is a negpos key, the right key set is shuffle' });
    const m4 = shuffleKey(Array.from({ length: 16 }, (_, k) => 15 - k), 4);
    expect(await check({ wrongKeyList: [wrongKeyList[0], m4] })).toEqual({ check: 'evaluate.wrong-keys', message: 'wrong key set 1 of the list is for M=4, C=1; the right one for M=2, C=1' });
    // Kills :179 (`… || k.channels !== key.channels` → `… || false`).
    const c3 = parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'shuffle', blockSize: 2, channels: 3, permutation: Array.from({ length: 12 }, (_, k) => 11 - k) });
    expect(await check({ wrongKeyList: [c3] })).toEqual({ check: 'evaluate.wrong-keys', message: 'wrong key set 0 of the list is for M=2, C=3; the right one for M=2, C=1' });
    expect(await check({ wrongKeyList: [right] })).toEqual({ check: 'evaluate.wrong-keys', message: 'wrong key set 0 of the list is the right key set' });
    expect(await check({ wrongKeyList, wrongKeys: 5 })).toEqual({ check: 'evaluate.wrong-keys', message: '5 wrong key sets asked for, but the list holds 4' });
  });
});
