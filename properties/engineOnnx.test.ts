/**
 * The onnx engine (src/engine/onnx.ts, graphs from src/engine/onnxGraph.ts)
 * against the literal spec ConvMixer (spec/convmixer.ts): on random small
 * models — random weights, random BatchNorm statistics, even and odd kernels,
 * sometimes a BatchNorm γ of 0 (the dense graph's unfolded residual path) —
 * and random 8-bit images, every logit agrees within TOLERANCE.engineLogits
 * and the top-1 class is the same, for both graph forms ('conv', 'dense') and
 * the engine's own choice ('auto').
 *
 * Then, on a random ConvMixer-256/8 and the first 200 images of the committed
 * CIFAR-10 sample: the onnx engine and the tfjs (wasm) engine predict the same
 * classes, and logitsNormalized on the normalized images ≡ logits on the
 * 8-bit ones, on every engine. Then bad input.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherpatchError } from '../src/core/errors.ts';
import { type ImageBatch, normalizeImages, toLayout } from '../src/core/images.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createEngine } from '../src/engine/factory.ts';
import { createOnnxEngine, loadOnnxRuntime } from '../src/engine/onnx.ts';
import { buildConvMixerOnnx, denseGraphSuits } from '../src/engine/onnxGraph.ts';
import { createTfjsEngine } from '../src/engine/tfjs.ts';
import { parseCifarRecords } from '../src/io/cifar10.ts';
import { type ConvMixerConfig, type ConvMixerWeights, randomConvMixerWeights } from '../src/model/convmixer.ts';
import { argmax, expectLogitsMatch, onnxRuntimeLoads, specLogits, specModel, tfjsBackendAvailable } from './engineBridge.ts';
import { type ImageCase, PATCH_GRID, convMixerConfigArb, describeConvMixer, describeImages, expectEngineMatchesSpec, imagesOf, patchImagesArb } from './engineCases.ts';
import { costlyRuns } from './setup.ts';
import { TOLERANCE, withinTolerance } from './tolerance.ts';

const RUNS = costlyRuns(25);
const GRAPHS = ['conv', 'dense', 'auto'] as const;

const ONNX_LOADS = await onnxRuntimeLoads();


interface EngineCase extends ImageCase {
  readonly config: ConvMixerConfig;
  readonly seed: number;
  /** BatchNorms (index into stem, then 2 per layer) whose γ is set to 0 in one channel. */
  readonly zeroGamma: readonly number[];
}

/** d ≤ 16, depth ≤ 3, k ∈ 1..6 (even kernels pad asymmetrically), P ∈ {1,2,4}, C ∈ {1,3}, 1–3 images of 1–5 patches per side. */
const engineCaseArb: fc.Arbitrary<EngineCase> = convMixerConfigArb(fc.integer({ min: 1, max: 6 })).chain((config) =>
  fc
    .record({
      seed: fc.integer(),
      zeroGamma: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: 2 * config.depth }), { maxLength: 3 }) }),
      ...PATCH_GRID,
    })
    .chain(({ seed, zeroGamma, ...grid }) => patchImagesArb(config, grid).map((images) => ({ config, seed, zeroGamma, ...images }))),
);

/** randomConvMixerWeights, with γ = 0 in channel (seed mod d) of the listed BatchNorms. */
function caseWeights(c: EngineCase): ConvMixerWeights {
  const w = randomConvMixerWeights(c.config, c.seed);
  if (c.zeroGamma.length === 0) return w;
  const channel = Math.abs(c.seed) % c.config.dim;
  const norms = [w.embedNorm, ...w.layers.flatMap((l) => [l.depthwiseNorm, l.pointwiseNorm])];
  for (const i of c.zeroGamma) norms[i].weight[channel] = 0;
  return w;
}

describe.skipIf(!ONNX_LOADS)('onnx engine ≡ spec ConvMixer', () => {
  test.prop([engineCaseArb], { numRuns: RUNS })('logits within TOLERANCE.engineLogits, same top-1 class, every graph form', async (c) => {
    const weights = caseWeights(c);
    const expected = specLogits(specModel(weights), imagesOf(c));
    for (const graph of GRAPHS) {
      const engine = await createOnnxEngine(weights, { graph, threads: 1, batchSize: 2 });
      await expectEngineMatchesSpec(engine, c, expected, `onnx/${graph}, ${describeConvMixer(c.config)} seed=${c.seed} zeroGamma=[${c.zeroGamma.join(',')}], ${describeImages(c)}`, { is: { name: 'onnx' } });
    }
  });

  it('the layout does not matter, nor the batch size, nor the image size (one engine, several sessions)', async () => {
    const config = { dim: 8, depth: 2, kernel: 4, patch: 2, channels: 3, classes: 5 };
    const weights = randomConvMixerWeights(config, 'layout');
    const engine = await createOnnxEngine(weights, { threads: 1, batchSize: 2 });
    const whole = await createOnnxEngine(weights, { threads: 1, batchSize: 5 });
    try {
      for (const [height, width] of [
        [6, 8],
        [4, 4],
        [6, 8],
      ]) {
        const shape = { count: 5, height, width, channels: 3 };
        const data = Uint8Array.from({ length: 5 * height * width * 3 }, (_, i) => (i * 97 + 13) % 256);
        const nhwc: ImageBatch<Uint8Array> = { data, shape, layout: 'NHWC' };
        const a = await engine.logits(nhwc);
        expect(await engine.logits(toLayout(nhwc, 'NCHW'))).toEqual(a);
        expectLogitsMatch(await whole.logits(nhwc), specLogits(specModel(weights), nhwc), 5, `${height}×${width}`);
      }
      expect(engine.version).toMatch(/^onnxruntime-node 1\.\d+\.\d+ \(CPU execution provider, 1 intra-op thread, dense graph\)$/);
    } finally {
      engine.dispose();
      whole.dispose();
    }
  });

  it('the dense graph is chosen for CIFAR-sized maps only', () => {
    const c256 = { dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 };
    expect(denseGraphSuits(c256, 32, 32)).toBe(true); // 8×8 map, k = 9
    expect(denseGraphSuits(c256, 224, 224)).toBe(false); // 56×56 map
    expect(denseGraphSuits({ ...c256, patch: 2 }, 32, 32)).toBe(false); // 16×16 = 256 positions > 2·81
  });
});

/** The first `count` images of the committed CIFAR-10 sample (NCHW). */
function cifarSample(count: number): ImageBatch<Uint8Array> {
  const bytes = readFileSync(new URL('../golden/data/test_batch_first1000.bin', import.meta.url));
  const { images } = parseCifarRecords(bytes.subarray(0, count * 3073), 'golden/data/test_batch_first1000.bin');
  return images;
}

const WASM = await tfjsBackendAvailable('wasm');

describe.skipIf(!ONNX_LOADS)('ConvMixer-256/8 on 200 CIFAR-10 images', () => {
  const config = { dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 };
  const weights = randomConvMixerWeights(config, 'onnx-vs-tfjs');
  const images = cifarSample(200);
  const normalized: ImageBatch<Float32Array> = { data: normalizeImages(images, 0, 200, 'NCHW'), shape: images.shape, layout: 'NCHW' };
  let onnx: Engine;
  let onnxLogits: Float32Array;
  beforeAll(async () => {
    onnx = await createOnnxEngine(weights, { batchSize: 64 });
    onnxLogits = await onnx.logits(images);
  });
  afterAll(() => onnx?.dispose());

  it.skipIf(!WASM)('onnx and tfjs (wasm) predict the same class for every image', async () => {
    const tfjs = await createTfjsEngine(weights, { backend: 'wasm', batchSize: 50 });
    try {
      const tfjsLogits = await tfjs.logits(images);
      for (let n = 0; n < 200; n++) {
        const a = onnxLogits.subarray(n * 10, n * 10 + 10);
        const b = tfjsLogits.subarray(n * 10, n * 10 + 10);
        if (argmax(a) !== argmax(b)) expect.fail(`image ${n}: onnx predicts ${argmax(a)} (${Array.from(a).join(', ')}), tfjs ${argmax(b)} (${Array.from(b).join(', ')})`);
        // Both are float32 forward passes of the same network (measured: |Δ| ≤ 6e-5 at |logit| ≤ 61; top-2 gaps ≥ 0.014).
        for (let c = 0; c < 10; c++) {
          if (!withinTolerance(a[c], b[c], TOLERANCE.engineLogits)) expect.fail(`image ${n}, logit ${c}: onnx ${a[c]}, tfjs ${b[c]}`);
        }
      }
    } finally {
      tfjs.dispose();
    }
  });

  it('logitsNormalized on the normalized images ≡ logits on the 8-bit ones, either layout', async () => {
    expect(await onnx.logitsNormalized(normalized)).toEqual(onnxLogits);
    expect(await onnx.logitsNormalized(toLayout(normalized, 'NHWC'))).toEqual(onnxLogits);
  });
});

describe('logitsNormalized ≡ logits on the tfjs engines', () => {
  const config = { dim: 6, depth: 2, kernel: 3, patch: 2, channels: 3, classes: 4 };
  const weights = randomConvMixerWeights(config, 'normalized');
  const shape = { count: 5, height: 4, width: 6, channels: 3 };
  const images: ImageBatch<Uint8Array> = { data: Uint8Array.from({ length: 5 * 4 * 6 * 3 }, (_, i) => (i * 53 + 7) % 256), shape, layout: 'NHWC' };
  const normalized: ImageBatch<Float32Array> = { data: normalizeImages(images, 0, 5, 'NHWC'), shape, layout: 'NHWC' };

  it('tfjs (cpu backend), either layout; the caller\'s array is left alone', async () => {
    const engine = await createTfjsEngine(weights, { backend: 'cpu', batchSize: 2 });
    try {
      const expected = await engine.logits(images);
      const copy = normalized.data.slice();
      expect(await engine.logitsNormalized(normalized)).toEqual(expected);
      expect(await engine.logitsNormalized(toLayout(normalized, 'NCHW'))).toEqual(expected);
      expect(normalized.data).toEqual(copy);
    } finally {
      engine.dispose();
    }
  });

  it('tfjs-parallel (2 workers, cpu backend)', async () => {
    const engine = await createEngine(weights, config, { engine: 'tfjs', backend: 'cpu', workers: 2, batchSize: 2 });
    try {
      expect(engine.name).toBe('tfjs-parallel');
      expect(await engine.logitsNormalized(normalized)).toEqual(await engine.logits(images));
    } finally {
      engine.dispose();
    }
  });
});

describe('onnx engine set-up and bad input', () => {
  const config = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 };
  const weights = randomConvMixerWeights(config, 'errors');
  const cores = os.availableParallelism();
  const images: ImageBatch<Uint8Array> = { data: new Uint8Array(2 * 4 * 4 * 3), shape: { count: 2, height: 4, width: 4, channels: 3 }, layout: 'NHWC' };

  const rejects = async (promise: Promise<unknown>, check: string, text: RegExp) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CipherpatchError);
    expect((error as CipherpatchError).check).toBe(check);
    expect((error as CipherpatchError).message).toMatch(text);
  };

  it('more threads than cores, or not a positive integer', async () => {
    await rejects(createOnnxEngine(weights, { threads: cores + 1 }), 'engine.threads', new RegExp(`${cores + 1} threads requested but this machine has ${cores} core`));
    await rejects(createOnnxEngine(weights, { threads: 0 }), 'engine.threads', /positive integer, got 0/);
    await rejects(createOnnxEngine(weights, { threads: 1.5 }), 'engine.threads', /positive integer, got 1\.5/);
    await rejects(createEngine(weights, undefined, { engine: 'onnx', threads: cores + 1 }), 'engine.threads', /threads requested/);
    // Under 'auto' too: a thread count the user asked for is not a reason to fall back.
    await rejects(createEngine(weights, undefined, { engine: 'auto', threads: cores + 1 }), 'engine.threads', /threads requested/);
  });

  it('an unknown execution provider, an unknown graph form, a bad batch size', async () => {
    await rejects(createOnnxEngine(weights, { executionProvider: 'rocm' as 'cpu' }), 'engine.execution-provider', /unknown onnxruntime execution provider "rocm": use one of cpu, cuda/);
    await rejects(createOnnxEngine(weights, { graph: 'winograd' as 'conv' }), 'engine.onnx-graph', /unknown ONNX graph "winograd"/);
    await rejects(createOnnxEngine(weights, { batchSize: 0 }), 'engine.batch-size', /positive integer/);
  });

  it.skipIf(!ONNX_LOADS)('CUDA requested where its provider does not start: says so and how to get it', async () => {
    const engine = await createOnnxEngine(weights, { executionProvider: 'cuda' }).catch((e: unknown) => e);
    if (engine instanceof CipherpatchError) {
      expect(engine.check).toBe('engine.execution-provider-unavailable');
      expect(engine.message).toMatch(/CUDA execution provider could not start .*CUDA 12.*README/);
    } else {
      // This machine has a working CUDA provider.
      (engine as Engine).dispose();
    }
  });

  it('onnxruntime missing: --engine onnx fails, auto falls back to tfjs', async () => {
    const onnxModule = 'onnxruntime-node-that-is-not-installed';
    await rejects(loadOnnxRuntime(onnxModule), 'engine.onnx-unavailable', /onnxruntime is not available \(import "onnxruntime-node-that-is-not-installed" failed: .*\); install it/);
    await rejects(createEngine(weights, undefined, { engine: 'onnx', onnxModule }), 'engine.onnx-unavailable', /not available/);
    const fallback = await createEngine(weights, undefined, { engine: 'auto', onnxModule, backend: 'cpu' });
    try {
      expect(fallback.name).toBe('tfjs');
      expect(fallback.fallback).toMatch(/^--engine auto fell back to tfjs: onnxruntime is not available \(import "onnxruntime-node-that-is-not-installed" failed: /);
    } finally {
      fallback.dispose();
    }
    const asked = await createEngine(weights, undefined, { engine: 'tfjs', backend: 'cpu' });
    expect(asked.fallback).toBeUndefined();
    asked.dispose();
    // A module that loads but is not onnxruntime.
    await rejects(loadOnnxRuntime('seedrandom'), 'engine.onnx-unavailable', /does not export onnxruntime's InferenceSession/);
  });

  it.skipIf(!ONNX_LOADS)('auto takes onnx when it loads; an unknown engine is an error', async () => {
    const engine = await createEngine(weights, undefined, { engine: 'auto', threads: 1 });
    try {
      expect(engine.name).toBe('onnx');
      expect(engine.fallback).toBeUndefined();
      expect(engine.backend).toBe('cpu');
      expect(engine.threads).toBe(1);
    } finally {
      engine.dispose();
    }
    await rejects(createEngine(weights, undefined, { engine: 'tvm' as 'onnx' }), 'engine.unknown', /unknown engine "tvm": use one of auto, onnx, tfjs/);
  });

  it.skipIf(!ONNX_LOADS)('rejects images and weights it cannot take, naming the problem', async () => {
    const engine = await createOnnxEngine(weights, { threads: 1 });
    await rejects(engine.logits({ ...images, data: new Uint8Array(16), shape: { count: 1, height: 4, width: 4, channels: 1 } }), 'engine.channels', /1 channel, the model expects 3/);
    await rejects(engine.logits({ ...images, data: new Uint8Array(27), shape: { count: 1, height: 3, width: 3, channels: 3 } }), 'engine.image-size', /3×3 is not a multiple of the patch size 2/);
    await rejects(engine.logitsNormalized({ ...images, data: new Uint8Array(96) as unknown as Float32Array }), 'engine.images', /normalized float32 images \(Float32Array\), got Uint8Array/);
    await rejects(engine.logitsNormalized({ ...images, data: new Float32Array(5) }), 'image.length', /5 values/);
    engine.dispose();
    await rejects(engine.logits(images), 'engine.disposed', /disposed/);
    // Disposed while a call waits for its session: no chunk runs on the session being released.
    const inFlight = await createOnnxEngine(weights, { threads: 1, batchSize: 1 });
    const pending = inFlight.logits(images);
    inFlight.dispose();
    await rejects(pending, 'engine.disposed', /disposed/);
    const broken = { ...weights, layers: [{ ...weights.layers[0], depthwiseWeight: new Float32Array(3) }] };
    await rejects(createOnnxEngine(broken), 'engine.onnx-graph', /layers\[0\]\.depthwiseWeight must be a Float32Array of 36 values, got 3 values/);
    expect(() => buildConvMixerOnnx(weights, { form: 'dense', height: 5, width: 4 })).toThrow(/image height as a positive multiple of the patch size 2, got 5/);
  });
});
