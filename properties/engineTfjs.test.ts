/**
 * The tfjs engine (src/engine/tfjs.ts) against the literal spec ConvMixer
 * (spec/convmixer.ts): on random small models — random weights and random
 * BatchNorm statistics — and random 8-bit images, every logit agrees within
 * TOLERANCE.engineLogits and the top-1 class is the same, on every tfjs
 * backend this machine has (an unavailable backend is skipped, not failed).
 */
import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { CipherpatchError } from '../src/core/errors.ts';
import { type ImageBatch, NORMALIZED_PIXEL, toLayout } from '../src/core/images.ts';
import { createEngine } from '../src/engine/factory.ts';
import { createTfjsEngine, selectTfjsBackend } from '../src/engine/tfjs.ts';
import { type ConvMixerConfig, convMixerWeightsToTensors, randomConvMixerWeights } from '../src/model/convmixer.ts';
import { expectLogitsMatch, specLogits, specModel } from './engineBridge.ts';
import { type ImageCase, PATCH_GRID, availableTfjsBackends, convMixerConfigArb, describeConvMixer, describeImages, expectEngineMatchesSpec, imagesOf, patchImagesArb } from './engineCases.ts';
import { costlyRuns } from './setup.ts';

const RUNS = costlyRuns(25);
const BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const;

const AVAILABLE = await availableTfjsBackends(BACKENDS);

interface EngineCase extends ImageCase {
  readonly config: ConvMixerConfig;
  readonly seed: number;
}

/** d ≤ 16, depth ≤ 3, k ∈ {1,2,3,5}, P ∈ {1,2,4}, C ∈ {1,3}, 1–3 images of 1–5 patches per side. */
const engineCaseArb: fc.Arbitrary<EngineCase> = convMixerConfigArb(fc.constantFrom(1, 2, 3, 5)).chain((config) =>
  fc.record({ seed: fc.integer(), ...PATCH_GRID }).chain(({ seed, ...grid }) => patchImagesArb(config, grid).map((images) => ({ config, seed, ...images }))),
);

for (const backend of BACKENDS) {
  describe.skipIf(!AVAILABLE.get(backend))(`tfjs engine on the ${backend} backend ≡ spec ConvMixer`, () => {
    test.prop([engineCaseArb], { numRuns: RUNS })('logits within TOLERANCE.engineLogits, same top-1 class', async (c) => {
      const weights = randomConvMixerWeights(c.config, c.seed);
      const expected = specLogits(specModel(weights), imagesOf(c));
      const engine = await createTfjsEngine(weights, { backend, batchSize: 2 });
      await expectEngineMatchesSpec(engine, c, expected, `tfjs/${backend}, ${describeConvMixer(c.config)} seed=${c.seed}, ${describeImages(c)}`, { is: { backend } });
    });

    it('the layout does not matter, nor the batch size', async () => {
      const config = { dim: 8, depth: 2, kernel: 4, patch: 2, channels: 3, classes: 5 };
      const weights = randomConvMixerWeights(config, 'layout');
      const shape = { count: 5, height: 6, width: 8, channels: 3 };
      const data = Uint8Array.from({ length: 5 * 6 * 8 * 3 }, (_, i) => (i * 97 + 13) % 256);
      const nhwc: ImageBatch<Uint8Array> = { data, shape, layout: 'NHWC' };
      const one = await createTfjsEngine(weights, { backend, batchSize: 1 });
      const many = await createTfjsEngine(weights, { backend, batchSize: 5 });
      try {
        const a = await one.logits(nhwc);
        expect(await one.logits(toLayout(nhwc, 'NCHW'))).toEqual(a);
        expectLogitsMatch(await many.logits(nhwc), Array.from({ length: 5 }, (_, n) => Array.from(a.subarray(n * 5, n * 5 + 5))), 5, `batch 5 vs batch 1 (${backend})`);
      } finally {
        one.dispose();
        many.dispose();
      }
    });
  });
}

describe('engine input and set-up', () => {
  const config = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 };
  const weights = randomConvMixerWeights(config, 'errors');
  const engines: { dispose(): void }[] = [];
  afterAll(() => engines.forEach((e) => e.dispose()));

  it('disposes every tensor it makes', async () => {
    const before = tf.memory().numTensors;
    const engine = await createTfjsEngine(weights, { backend: 'cpu', batchSize: 2 });
    const withWeights = tf.memory().numTensors;
    expect(withWeights).toBeGreaterThan(before);
    await engine.logits({ data: new Uint8Array(5 * 4 * 4 * 3), shape: { count: 5, height: 4, width: 4, channels: 3 }, layout: 'NHWC' });
    expect(tf.memory().numTensors).toBe(withWeights);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Eq. (7) as (2x − 255)/255: x ↦ 255 − x flips only the sign, exactly', () => {
    for (let x = 0; x < 256; x++) expect(NORMALIZED_PIXEL[255 - x]).toBe(-NORMALIZED_PIXEL[x]);
    expect(NORMALIZED_PIXEL[0]).toBe(-1);
    expect(NORMALIZED_PIXEL[255]).toBe(1);
  });

  it('rejects images the model cannot take, naming the problem', async () => {
    const engine = await createTfjsEngine(weights, { backend: 'cpu' });
    engines.push(engine);
    const reject = async (images: ImageBatch<Uint8Array>, check: string, text: RegExp) => {
      const error = await engine.logits(images).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(CipherpatchError);
      expect((error as CipherpatchError).check).toBe(check);
      expect((error as CipherpatchError).message).toMatch(text);
    };
    await reject({ data: new Uint8Array(16), shape: { count: 1, height: 4, width: 4, channels: 1 }, layout: 'NHWC' }, 'engine.channels', /1 channel, the model expects 3/);
    await reject({ data: new Uint8Array(27), shape: { count: 1, height: 3, width: 3, channels: 3 }, layout: 'NHWC' }, 'engine.image-size', /3×3 is not a multiple of the patch size 2/);
    await reject({ data: new Uint8Array(5), shape: { count: 1, height: 2, width: 2, channels: 3 }, layout: 'NHWC' }, 'image.length', /5 values/);
    await reject({ data: new Float32Array(12) as unknown as Uint8Array, shape: { count: 1, height: 2, width: 2, channels: 3 }, layout: 'NHWC' }, 'engine.images', /Float32Array/);
    engine.dispose();
    await reject({ data: new Uint8Array(12), shape: { count: 1, height: 2, width: 2, channels: 3 }, layout: 'NHWC' }, 'engine.disposed', /disposed/);
  });

  it('createEngine takes validated weights or a raw tensor map, and checks the config', async () => {
    const images: ImageBatch<Uint8Array> = { data: Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i), shape: { count: 2, height: 4, width: 4, channels: 3 }, layout: 'NCHW' };
    const a = await createEngine(weights, config, { engine: 'tfjs', backend: 'cpu' });
    const b = await createEngine(convMixerWeightsToTensors(weights), undefined, { engine: 'tfjs', backend: 'cpu' });
    engines.push(a, b);
    expect(a.name).toBe('tfjs');
    expect(a.backend).toBe('cpu');
    expect(a.threads).toBe(1);
    expect(a.version).toMatch(/tfjs-core 4\.\d+\.\d+/);
    expect(await b.logits(images)).toEqual(await a.logits(images));
    await expect(createEngine(weights, { ...config, classes: 4 }, { engine: 'tfjs' })).rejects.toMatchObject({ check: 'engine.config-mismatch' });
    await expect(createEngine(weights, undefined, { engine: 'webgpu' as 'tfjs' })).rejects.toMatchObject({ check: 'engine.unknown' });
    await expect(createEngine(weights, undefined, { engine: 'tfjs', batchSize: 0 })).rejects.toMatchObject({ check: 'engine.batch-size' });
  });

  it('an unknown backend is an error; an unavailable one says why', async () => {
    await expect(selectTfjsBackend('webgpu' as 'cpu')).rejects.toMatchObject({ check: 'engine.backend' });
    if (!AVAILABLE.get('tensorflow')) {
      await expect(selectTfjsBackend('tensorflow')).rejects.toMatchObject({ check: 'engine.backend-unavailable', message: expect.stringMatching(/@tensorflow\/tfjs-node/) });
    }
    // 'auto' always finds something, and says which.
    expect(['tensorflow', 'wasm', 'cpu']).toContain((await selectTfjsBackend('auto')).backend);
  });
});
