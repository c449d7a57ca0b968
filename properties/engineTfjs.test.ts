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
import { type BatchShape, type ImageBatch, type Layout, NORMALIZED_PIXEL, toLayout } from '../src/core/images.ts';
import { createEngine } from '../src/engine/factory.ts';
import { createTfjsEngine, selectTfjsBackend } from '../src/engine/tfjs.ts';
import { type ConvMixerConfig, convMixerWeightsToTensors, randomConvMixerWeights } from '../src/model/convmixer.ts';
import { layoutArb } from './arbitraries.ts';
import { expectLogitsMatch, specLogits, specModel, tfjsBackendAvailable } from './engineBridge.ts';

const RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 25;
const BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const;

const AVAILABLE = new Map<string, boolean>();
for (const backend of BACKENDS) AVAILABLE.set(backend, await tfjsBackendAvailable(backend));


interface EngineCase {
  readonly config: ConvMixerConfig;
  readonly seed: number;
  readonly shape: BatchShape;
  readonly layout: Layout;
  readonly pixels: Uint8Array;
}

/** d ≤ 16, depth ≤ 3, k ∈ {1,2,3,5}, P ∈ {1,2,4}, C ∈ {1,3}, 1–3 images of 1–5 patches per side. */
const engineCaseArb: fc.Arbitrary<EngineCase> = fc
  .record({
    dim: fc.integer({ min: 1, max: 16 }),
    depth: fc.integer({ min: 0, max: 3 }),
    kernel: fc.constantFrom(1, 2, 3, 5),
    patch: fc.constantFrom(1, 2, 4),
    channels: fc.constantFrom(1, 3),
    classes: fc.integer({ min: 1, max: 10 }),
  })
  .chain((config) =>
    fc
      .record({
        seed: fc.integer(),
        count: fc.integer({ min: 1, max: 3 }),
        rows: fc.integer({ min: 1, max: 5 }),
        cols: fc.integer({ min: 1, max: 5 }),
        layout: layoutArb,
      })
      .chain(({ seed, count, rows, cols, layout }) => {
        const shape = { count, height: rows * config.patch, width: cols * config.patch, channels: config.channels };
        const length = count * shape.height * shape.width * shape.channels;
        return fc
          .array(fc.integer({ min: 0, max: 255 }), { minLength: length, maxLength: length })
          .map((values) => ({ config, seed, shape, layout, pixels: Uint8Array.from(values) }));
      }),
  );

function describeCase(backend: string, c: EngineCase): string {
  const { dim, depth, kernel, patch, channels, classes } = c.config;
  return `tfjs/${backend}, d=${dim} depth=${depth} k=${kernel} P=${patch} C=${channels} classes=${classes} seed=${c.seed}, ${c.shape.count}×${c.shape.height}×${c.shape.width} ${c.layout}`;
}

for (const backend of BACKENDS) {
  describe.skipIf(!AVAILABLE.get(backend))(`tfjs engine on the ${backend} backend ≡ spec ConvMixer`, () => {
    test.prop([engineCaseArb], { numRuns: RUNS })('logits within TOLERANCE.engineLogits, same top-1 class', async (c) => {
      const weights = randomConvMixerWeights(c.config, c.seed);
      const engine = await createTfjsEngine(weights, { backend, batchSize: 2 });
      try {
        expect(engine.backend).toBe(backend);
        const images = { data: c.pixels, shape: c.shape, layout: c.layout };
        const logits = await engine.logits(images);
        expect(logits.length).toBe(c.shape.count * c.config.classes);
        expectLogitsMatch(logits, specLogits(specModel(weights), images), c.config.classes, describeCase(backend, c));
      } finally {
        engine.dispose();
      }
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
