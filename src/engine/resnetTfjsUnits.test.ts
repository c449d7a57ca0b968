/**
 * System B's ResNet on tfjs (resnetTfjs.ts), fast, for mutation runs (issue
 * 25): tfjs's pure-JS 'cpu' backend (no wasm start-up per test file), a tiny
 * ResNet (width 2, one block per stage: identity and strided 1×1 shortcuts)
 * on 4×4 and 5×5 images (odd sizes: the strided convs' explicit padding), its
 * logits of both layouts and through logitsNormalized against the literal
 * spec ResNet (spec/resnet.ts); the image checks with their whole messages;
 * dispose frees every tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { normalize8bit } from '../../spec/blockEncryption.ts';
import { resnetForward } from '../../spec/resnet.ts';
import { expectLogitsMatch, specLogitsWith } from '../../properties/engineBridge.ts';
import { specResNet } from '../../properties/resnetBridge.ts';
import { asyncRejection, refusal } from '../../properties/rejection.ts';
import { type ImageBatch, toLayout } from '../core/images.ts';
import { type ResNetConfig, randomResNetWeights } from '../model/resnet.ts';
import { checkImagesForResNet, createTfjsResNetEngine } from './resnetTfjs.ts';

// The spec's erf without mathjs (properties/fastErf.ts): a fast import for mutation runs.
vi.mock('mathjs', async () => ({ erf: (await import('../../properties/fastErf.ts')).erf }));

const CONFIG: ResNetConfig = { width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 4 };
const weights = randomResNetWeights(CONFIG, 'resnet-tfjs-units');
const imagesOf = (count: number, size: number): ImageBatch<Uint8Array> => ({ data: Uint8Array.from({ length: count * size * size * 3 }, (_, i) => (i * 67 + 29) % 256), shape: { count, height: size, width: size, channels: 3 }, layout: 'NHWC' });
const expectSpec = (logits: Float32Array, images: ImageBatch<Uint8Array>, context: string) =>
  expectLogitsMatch(logits, specLogitsWith(images, (image) => resnetForward(image, specResNet(weights))), CONFIG.classes, context, { atol: 1e-4, rtol: 1e-4 });

describe('createTfjsResNetEngine (resnetTfjs.ts mutation kills)', () => {
  it('logits of either layout and logitsNormalized match the spec ResNet, on even and odd image sizes, in chunks', async () => {
    // kills resnetTfjs.ts:66-77 (the stem, blocks, shortcuts, the head's transpose), :87-93 fold (the BatchNorm folded
    // into filter [k, k, in, out] and bias), :97-101 conv (1×1 valid, stride 1 'same', strided: pad 1 then valid),
    // :105-113 forward (Relu after the sum, the mean over H and W, the head), :141-143 the options
    const engine = await createTfjsResNetEngine(weights, { backend: 'cpu', batchSize: 2 });
    expect([engine.name, engine.backend, engine.threads, engine.config]).toEqual(['tfjs', 'cpu', 1, CONFIG]);
    for (const size of [4, 5]) {
      const images = imagesOf(3, size);
      expectSpec(await engine.logits(images), images, `NHWC ${size}×${size}`);
      expectSpec(await engine.logits(toLayout(images, 'NCHW')), images, `NCHW ${size}×${size}`);
      const normalized: ImageBatch<Float32Array> = { ...images, data: Float32Array.from(images.data, normalize8bit) };
      expectSpec(await engine.logitsNormalized(normalized), images, `normalized ${size}×${size}`);
      expectSpec(await engine.logitsNormalized(toLayout(normalized, 'NCHW')), images, `normalized NCHW ${size}×${size}`);
    }
    engine.dispose();
  });

  it('BatchNorm ε = 1e-5 counts: running variances of 1e-5 and 2e-6 in the stem', async () => {
    // kills resnetTfjs.ts:92 ArithmeticOperator `σ² − ε` (with σ² = 1e-5, √(σ² + ε) = √2·√σ², with σ² − ε it is 0)
    const w = randomResNetWeights(CONFIG, 'epsilon');
    w.bn1.runningVar.set([1e-5, 2e-6]);
    w.bn1.weight.set([1e-3, 5e-4]); // keeps the scaled activations O(1)
    const engine = await createTfjsResNetEngine(w, { backend: 'cpu' });
    const images = imagesOf(2, 4);
    expectLogitsMatch(await engine.logits(images), specLogitsWith(images, (image) => resnetForward(image, specResNet(w))), CONFIG.classes, 'small variances', { atol: 1e-4, rtol: 1e-4 });
    engine.dispose();
  });

  it('dispose frees every tensor the network holds', async () => {
    // kills resnetTfjs.ts:81-84 keep (each tensor kept) and :116-119 dispose
    const before = tf.memory().numTensors;
    const engine = await createTfjsResNetEngine(weights, { backend: 'cpu' });
    // conv1 (filter, bias) + 4 blocks × 2 convs + 3 shortcuts, each a filter and a bias, + the head's weight and bias: 2·(1 + 8 + 3) + 2 = 26.
    expect(tf.memory().numTensors - before).toBe(26);
    expectSpec(await engine.logits(imagesOf(1, 4)), imagesOf(1, 4), 'one image');
    expect(tf.memory().numTensors - before).toBe(26);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect((await asyncRejection(engine.logits(imagesOf(1, 4)))).check).toBe('engine.disposed');
  });

  it("the engine keeps its own copy of the head's bias: changing the caller's weights afterwards changes no logit", async () => {
    // kills resnetTfjs.ts:79 MethodExpression `w.linearBias.slice()` → `w.linearBias` (the cpu backend keeps the array
    // it is given, so without the copy the caller's later write reaches the engine; expected: the spec on the weights
    // as they were when the engine was made)
    const w = randomResNetWeights(CONFIG, 'bias-copy');
    const engine = await createTfjsResNetEngine(w, { backend: 'cpu' });
    const images = imagesOf(2, 4);
    const expected = specLogitsWith(images, (image) => resnetForward(image, specResNet(w)));
    w.linearBias.fill(1000);
    expectLogitsMatch(await engine.logits(images), expected, CONFIG.classes, 'after the caller changed linearBias', { atol: 1e-4, rtol: 1e-4 });
    engine.dispose();
  });

  it('bad options and bad images', async () => {
    // kills resnetTfjs.ts:33-43 checkImagesForResNet (each check and message), :141 the batch size check
    expect((await asyncRejection(createTfjsResNetEngine(weights, { backend: 'cpu', batchSize: 0 }))).check).toBe('engine.batch-size');
    expect((await asyncRejection(createTfjsResNetEngine(weights, { backend: 'gpu' as 'cpu' }))).check).toBe('engine.backend');
    const images = imagesOf(1, 4);
    const floats: ImageBatch<Float32Array> = { ...images, data: new Float32Array(images.data.length) };
    const batch = 'images must be an image batch { data, shape, layout }';
    expect(refusal(() => checkImagesForResNet(null as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: batch });
    expect(refusal(() => checkImagesForResNet('x' as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: batch });
    // kills resnetTfjs.ts:34 `typeof images !== 'object'` → false (a string or number has no .shape and is refused
    // anyway; undefined would then reach `undefined.shape`, a TypeError instead of the refusal)
    expect(refusal(() => checkImagesForResNet(undefined as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: batch });
    expect(refusal(() => checkImagesForResNet({ ...images, shape: null } as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: batch });
    expect(refusal(() => checkImagesForResNet({ ...images, shape: 3 } as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: batch });
    expect(refusal(() => checkImagesForResNet(floats as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: 'logits takes 8-bit images (Uint8Array), got Float32Array' });
    expect(refusal(() => checkImagesForResNet(images as never, CONFIG, 'float32'))).toEqual({ check: 'engine.images', message: 'logitsNormalized takes normalized float32 images (Float32Array), got Uint8Array' });
    expect(refusal(() => checkImagesForResNet({ ...images, data: [1, 2] } as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: 'logits takes 8-bit images (Uint8Array), got Array' });
    expect(refusal(() => checkImagesForResNet({ ...images, data: Object.create(null) } as never, CONFIG, 'uint8'))).toEqual({ check: 'engine.images', message: 'logits takes 8-bit images (Uint8Array), got object' });
    expect(refusal(() => checkImagesForResNet({ data: new Uint8Array(16), shape: { count: 1, height: 4, width: 4, channels: 1 }, layout: 'NHWC' }, CONFIG, 'uint8'))).toEqual({ check: 'engine.channels', message: 'images have 1 channel, the model expects 3' });
    expect(refusal(() => checkImagesForResNet({ data: new Uint8Array(32), shape: { count: 1, height: 4, width: 4, channels: 2 }, layout: 'NHWC' }, CONFIG, 'uint8'))).toEqual({ check: 'engine.channels', message: 'images have 2 channels, the model expects 3' });
    expect(checkImagesForResNet(floats, CONFIG, 'float32').data).toBe(floats.data);
  });
});
