/**
 * System B's ResNet on the tfjs engine (src/engine/resnetTfjs.ts) against the
 * literal spec ResNet (spec/resnet.ts, float64): on random tiny ResNets —
 * random widths, blocks per stage, weights and BatchNorm statistics — and
 * random 8-bit images of any size (odd sizes exercise PyTorch's padding of
 * stride-2 convs), every logit agrees within TOLERANCE.resnetEngineLogits and
 * the top-1 class is the same: tfjs on the wasm and cpu backends, and
 * onnxruntime (src/engine/resnetOnnx.ts) where it loads.
 */
import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { normalize8bit } from '../spec/blockEncryption.ts';
import { resnetForward } from '../spec/resnet.ts';
import { type ImageBatch, toLayout } from '../src/core/images.ts';
import { createResNetEngine } from '../src/engine/factory.ts';
import { createOnnxResNetEngine } from '../src/engine/resnetOnnx.ts';
import { createTfjsResNetEngine } from '../src/engine/resnetTfjs.ts';
import { type ResNetConfig, randomResNetWeights, resnetWeightsFromTensors, resnetWeightsToTensors } from '../src/model/resnet.ts';
import { layoutArb } from './arbitraries.ts';
import { onnxRuntimeLoads, specLogitsWith } from './engineBridge.ts';
import { type ImageCase, availableTfjsBackends, describeImages, expectEngineMatchesSpec, imagesOf } from './engineCases.ts';
import { specResNet } from './resnetBridge.ts';
import { costlyRuns } from './setup.ts';
import { TOLERANCE } from './tolerance.ts';

const RUNS = costlyRuns(12, (runs) => Math.max(1, Math.floor(runs / 4)));

const AVAILABLE = await availableTfjsBackends(['cpu', 'wasm']);
const ONNX = await onnxRuntimeLoads();

interface Case extends ImageCase {
  readonly config: ResNetConfig;
  readonly seed: number;
}

/** w ≤ 4, 1–2 blocks per stage, C ∈ {1, 3}, 1–2 images of 1–12 × 1–12 pixels. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    width: fc.integer({ min: 1, max: 4 }),
    blocks: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 4, maxLength: 4 }),
    channels: fc.constantFrom(1, 3),
    classes: fc.integer({ min: 1, max: 10 }),
  })
  .chain((config) =>
    fc
      .record({ seed: fc.integer(), count: fc.integer({ min: 1, max: 2 }), height: fc.integer({ min: 1, max: 12 }), width: fc.integer({ min: 1, max: 12 }), layout: layoutArb })
      .chain(({ seed, count, height, width, layout }) => {
        const shape = { count, height, width, channels: config.channels };
        const length = count * height * width * config.channels;
        return fc.uint8Array({ minLength: length, maxLength: length }).map((pixels) => ({ config, seed, shape, layout, pixels }));
      }),
  );

function specLogits(c: Case, images: ImageBatch<Uint8Array>): number[][] {
  const model = specResNet(randomResNetWeights(c.config, c.seed));
  return specLogitsWith(images, (image) => resnetForward(image, model));
}

/** The case as failure messages name it. */
function describeCase(c: Case): string {
  const { width, blocks, channels, classes } = c.config;
  return `w=${width} blocks=${blocks.join('/')} C=${channels} classes=${classes} seed=${c.seed} ${describeImages(c)}`;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe.skipIf(!AVAILABLE.get(backend))(`tfjs ResNet engine on ${backend} ≡ spec ResNet`, () => {
    test.prop([caseArb], { numRuns: RUNS })('logits within TOLERANCE.resnetEngineLogits, same top-1 class', async (c) => {
      const engine = await createTfjsResNetEngine(randomResNetWeights(c.config, c.seed), { backend, batchSize: 1 });
      await expectEngineMatchesSpec(engine, c, specLogits(c, imagesOf(c)), `tfjs/${backend} ${describeCase(c)}`, { tol: TOLERANCE.resnetEngineLogits });
    });
  });
}

describe.skipIf(!ONNX)('onnx ResNet engine ≡ spec ResNet', () => {
  test.prop([caseArb], { numRuns: RUNS })('logits within TOLERANCE.resnetEngineLogits, same top-1 class', async (c) => {
    const engine = await createOnnxResNetEngine(randomResNetWeights(c.config, c.seed), { batchSize: 1, threads: 1 });
    await expectEngineMatchesSpec(engine, c, specLogits(c, imagesOf(c)), `onnx ${describeCase(c)}`, { tol: TOLERANCE.resnetEngineLogits });
  });
});

describe('ResNet engine set-up and input', () => {
  const config: ResNetConfig = { width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 4 };
  const weights = randomResNetWeights(config, 'setup');
  const images: ImageBatch<Uint8Array> = { data: Uint8Array.from({ length: 3 * 8 * 8 * 3 }, (_, i) => (i * 89 + 7) % 256), shape: { count: 3, height: 8, width: 8, channels: 3 }, layout: 'NHWC' };

  it('the layout and the batch size do not matter; normalized input = 8-bit input after Eq. (7); no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const one = await createTfjsResNetEngine(weights, { backend: 'cpu', batchSize: 1 });
    const three = await createTfjsResNetEngine(weights, { backend: 'cpu', batchSize: 3 });
    const a = await one.logits(images);
    expect(await one.logits(toLayout(images, 'NCHW'))).toEqual(a);
    const b = await three.logits(images);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-5);
    const normalized = Float32Array.from(images.data, normalize8bit);
    expect(await one.logitsNormalized({ data: normalized, shape: images.shape, layout: 'NHWC' })).toEqual(a);
    one.dispose();
    three.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('auto takes onnx where onnxruntime loads, else tfjs; a missing onnxruntime falls back, or fails when onnx is asked for; tfjs workers are refused', async () => {
    const e = await createResNetEngine(weights, { engine: 'auto', backend: 'cpu' });
    expect(e.name).toBe(ONNX ? 'onnx' : 'tfjs');
    expect(e.config).toEqual(config);
    const t = await createResNetEngine(weights, { engine: 'tfjs', backend: 'cpu' });
    expect(t.name).toBe('tfjs');
    const [a, b] = [await e.logits(images), await t.logits(images)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-4);
    e.dispose();
    t.dispose();
    const missing = { onnxModule: 'onnxruntime-node-that-does-not-exist' };
    const fallback = await createResNetEngine(weights, { engine: 'auto', backend: 'cpu', ...missing });
    expect(fallback.name).toBe('tfjs');
    expect(fallback.fallback).toMatch(/^--engine auto fell back to tfjs: onnxruntime is not available \(import "onnxruntime-node-that-does-not-exist" failed: /);
    fallback.dispose();
    await expect(createResNetEngine(weights, { engine: 'onnx', ...missing })).rejects.toMatchObject({ check: 'engine.onnx-unavailable' });
    await expect(createResNetEngine(weights, { engine: 'tfjs', workers: 2 })).rejects.toMatchObject({ check: 'engine.workers' });
  });

  it('rejects images of another channel count or type, naming the problem', async () => {
    const e = await createTfjsResNetEngine(weights, { backend: 'cpu' });
    await expect(e.logits({ data: new Uint8Array(16), shape: { count: 1, height: 4, width: 4, channels: 1 }, layout: 'NHWC' })).rejects.toMatchObject({ check: 'engine.channels' });
    await expect(e.logits({ data: new Float32Array(48) as unknown as Uint8Array, shape: { count: 1, height: 4, width: 4, channels: 3 }, layout: 'NHWC' })).rejects.toMatchObject({ check: 'engine.images' });
    e.dispose();
    await expect(e.logits(images)).rejects.toMatchObject({ check: 'engine.disposed' });
  });

  it('weights: the tensor map round-trips; missing and mis-shaped tensors are named', () => {
    const tensors = resnetWeightsToTensors(weights);
    expect(resnetWeightsFromTensors(tensors).config).toEqual(config);
    const missing = new Map(tensors);
    missing.delete('layer3.0.shortcut.1.running_var');
    expect(() => resnetWeightsFromTensors(missing)).toThrow(expect.objectContaining({ check: 'model.missing-tensor', message: expect.stringMatching(/"layer3\.0\.shortcut\.1\.running_var" \(8\)/) }));
    const misShaped = new Map(tensors);
    misShaped.set('layer2.0.conv1.weight', { shape: [4, 2, 3, 1], data: new Float32Array(24) });
    expect(() => resnetWeightsFromTensors(misShaped)).toThrow(expect.objectContaining({ check: 'model.tensor-shape', message: expect.stringMatching(/"layer2\.0\.conv1\.weight" has shape \(4, 2, 3, 1\), expected \(4, 2, 3, 3\)/) }));
    const extra = new Map(tensors);
    extra.set('layer1.0.shortcut.0.weight', { shape: [2, 2, 1, 1], data: new Float32Array(4) });
    expect(() => resnetWeightsFromTensors(extra)).toThrow(expect.objectContaining({ check: 'model.unexpected-tensor' }));
    const tracked = new Map<string, unknown>(tensors);
    tracked.set('bn1.num_batches_tracked', { shape: [], data: new BigInt64Array(1) });
    expect(resnetWeightsFromTensors(tracked as never).config).toEqual(config);
    const negative = new Map(tensors);
    negative.set('bn1.running_var', { shape: [2], data: Float32Array.from([1, -1]) });
    expect(() => resnetWeightsFromTensors(negative)).toThrow(expect.objectContaining({ check: 'model.negative-variance' }));
  });
});
