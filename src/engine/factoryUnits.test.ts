/**
 * Fast tests of the engine factory (factory.ts) and the shared input checks
 * (engine.ts) for mutation runs (issue 25). The backends are replaced by
 * recording stand-ins (vi.mock), so no tfjs, worker or onnxruntime session is
 * made: the tests check which backend the factory picks and exactly what it
 * passes on. onnxruntime itself is only loaded, for 'auto'. Every expected
 * message is written out by hand.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asyncRejection, rejection as syncRejection } from '../../properties/rejection.ts';
import type { ImageBatch } from '../core/images.ts';
import { type ConvMixerConfig, convMixerWeightsToTensors, randomConvMixerWeights } from '../model/convmixer.ts';
import type { ResNetWeights } from '../model/resnet.ts';
import { DEFAULT_BATCH_SIZE, type Engine, checkBatchSize, checkImagesForModel, checkNormalizedImagesForModel } from './engine.ts';
import { ENGINE_REQUESTS, type EngineRequest, createEngine, createResNetEngine } from './factory.ts';

const calls = vi.hoisted(() => [] as { readonly made: string; readonly model: unknown; readonly options: unknown }[]);

vi.mock('./onnx.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./onnx.ts')>()),
  createOnnxEngine: async (model: unknown, options: unknown) => (calls.push({ made: 'onnx', model, options }), standIn('onnx')),
}));
vi.mock('./tfjs.ts', () => ({ createTfjsEngine: async (model: unknown, options: unknown) => (calls.push({ made: 'tfjs', model, options }), standIn('tfjs')) }));
vi.mock('./parallel.ts', () => ({ createParallelEngine: async (model: unknown, options: unknown) => (calls.push({ made: 'parallel', model, options }), standIn('tfjs-parallel')) }));
vi.mock('./resnetOnnx.ts', () => ({ createOnnxResNetEngine: async (model: unknown, options: unknown) => (calls.push({ made: 'resnet-onnx', model, options }), standIn('onnx')) }));
vi.mock('./resnetTfjs.ts', () => ({ createTfjsResNetEngine: async (model: unknown, options: unknown) => (calls.push({ made: 'resnet-tfjs', model, options }), standIn('tfjs')) }));

function standIn(name: string): Engine {
  return { name, backend: 'stand-in', threads: 1, version: 'v', config: TINY, logits: async () => new Float32Array(), logitsNormalized: async () => new Float32Array(), dispose: () => undefined };
}

const TINY: ConvMixerConfig = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 5 };
const weights = randomConvMixerWeights(TINY, 'factory-units');
const MISSING = 'onnxruntime-node-that-is-not-installed';

afterEach(() => {
  calls.length = 0;
});

describe('createEngine (factory.ts mutation kills)', () => {
  it('the requests are auto, onnx, tfjs; anything else is engine.unknown naming them', async () => {
    // kills factory.ts:13 ArrayDeclaration / StringLiteral, :98 ConditionalExpression and the message
    expect(ENGINE_REQUESTS).toEqual(['auto', 'onnx', 'tfjs']);
    const e = await asyncRejection(createEngine(weights, undefined, { engine: 'gpu' as EngineRequest }));
    expect(e.check).toBe('engine.unknown');
    expect(e.message).toBe('unknown engine "gpu": use one of auto, onnx, tfjs');
    const r = await asyncRejection(createResNetEngine({} as ResNetWeights, { engine: 'gpu' as EngineRequest }));
    expect(r.message).toBe('unknown engine "gpu": use one of auto, onnx, tfjs');
    expect(calls).toEqual([]);
  });

  it("'onnx' passes every onnx option on, unchanged, with the weights themselves", async () => {
    // kills factory.ts:72-74 ConditionalExpression (onnx === true) and ObjectLiteral (the options passed on)
    const engine = await createEngine(weights, undefined, { engine: 'onnx', batchSize: 7, threads: 1, executionProvider: 'cpu', onnxGraph: 'dense', spinning: true, onnxModule: 'mod', backend: 'cpu', workers: 3 });
    expect(engine.name).toBe('onnx');
    expect(engine.fallback).toBeUndefined();
    expect(calls).toEqual([{ made: 'onnx', model: weights, options: { batchSize: 7, threads: 1, executionProvider: 'cpu', graph: 'dense', spinning: true, module: 'mod' } }]);
    expect(calls[0].model).toBe(weights);
  });

  it("'tfjs' (the default): one engine with backend and batch size, no fallback mark; workers above 1 make a parallel engine", async () => {
    // kills factory.ts:60 (default options), :76-83 (workers default 1, workers > 1 → >= 1, the options passed on), :88 withFallback (onnx === false)
    const plain = await createEngine(weights);
    expect(plain.name).toBe('tfjs');
    expect('fallback' in plain).toBe(false);
    const one = await createEngine(weights, undefined, { engine: 'tfjs', backend: 'wasm', batchSize: 9, workers: 1 });
    expect('fallback' in one).toBe(false);
    const pool = await createEngine(weights, undefined, { engine: 'tfjs', backend: 'cpu', batchSize: 5, workers: 2 });
    expect(pool.name).toBe('tfjs-parallel');
    expect('fallback' in pool).toBe(false);
    expect(calls).toEqual([
      { made: 'tfjs', model: weights, options: { backend: undefined, batchSize: undefined } },
      { made: 'tfjs', model: weights, options: { backend: 'wasm', batchSize: 9 } },
      { made: 'parallel', model: weights, options: { backend: 'cpu', batchSize: 5, workers: 2 } },
    ]);
  });

  it('workers: a positive safe integer, else engine.workers with the value', async () => {
    // kills factory.ts:77 ConditionalExpression / LogicalOperator / EqualityOperator (workers < 1 → <= 1) and the message
    for (const [workers, shown] of [
      [0, '0'],
      [-1, '-1'],
      [1.5, '1.5'],
      [Number.NaN, 'NaN'],
      [2 ** 53, '9007199254740992'],
    ] as const) {
      const e = await asyncRejection(createEngine(weights, undefined, { engine: 'tfjs', workers }));
      expect(e.check).toBe('engine.workers');
      expect(e.message).toBe(`workers must be a positive integer, got ${shown}`);
    }
    expect(calls).toEqual([]);
  });

  it("'auto': onnx when onnxruntime loads; when it does not, tfjs marked with why, also with a worker pool", async () => {
    // kills factory.ts:99-104 (requested !== 'auto', the module passed to loadOnnxRuntime, the fallback's text), :88 withFallback
    const onnx = await createEngine(weights, undefined, { engine: 'auto', threads: 1 });
    expect(onnx.name).toBe('onnx');
    expect(onnx.fallback).toBeUndefined();
    const tfjs = await createEngine(weights, undefined, { engine: 'auto', onnxModule: MISSING });
    expect(tfjs.name).toBe('tfjs');
    const why = `--engine auto fell back to tfjs: onnxruntime is not available (import "${MISSING}" failed: `;
    expect(tfjs.fallback?.startsWith(why)).toBe(true);
    expect(tfjs.fallback).toMatch(/; install it with `npm install onnxruntime-node`, or use --engine tfjs$/);
    const pool = await createEngine(weights, undefined, { engine: 'auto', onnxModule: MISSING, workers: 2 });
    expect(pool.name).toBe('tfjs-parallel');
    expect(pool.fallback).toBe(tfjs.fallback);
    expect(calls.map((c) => c.made)).toEqual(['onnx', 'tfjs', 'parallel']);
  });

  it("'auto' with a module that loads but is not onnxruntime falls back too, saying so", async () => {
    // pins factory.ts:104's fallback text for the other "unavailable" reason
    const engine = await createEngine(weights, undefined, { engine: 'auto', onnxModule: 'seedrandom' });
    expect(engine.name).toBe('tfjs');
    expect(engine.fallback).toBe('--engine auto fell back to tfjs: onnxruntime is not available (import "seedrandom" failed: "seedrandom" does not export onnxruntime\'s InferenceSession and Tensor); install it with `npm install onnxruntime-node`, or use --engine tfjs');
  });

  it('a weight map is validated (with or without a config); a config must match validated weights field by field', async () => {
    // kills factory.ts:41 isWeights (instanceof Map, 'embedWeight' in), :45 sameConfig (each conjunct), :63-69 and the mismatch message
    const tensors = convMixerWeightsToTensors(weights);
    await createEngine(tensors, undefined, { engine: 'onnx' });
    await createEngine(tensors, TINY, { engine: 'onnx' });
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.model).not.toBeInstanceOf(Map);
      expect(call.model).toEqual(weights);
    }
    // a Map is a tensor map even when it carries an embedWeight property (kills factory.ts:41 the conjuncts before
    // 'embedWeight' in weights: ConditionalExpression true, LogicalOperator && → ||)
    await createEngine(Object.assign(new Map(tensors), { embedWeight: weights.embedWeight }), undefined, { engine: 'onnx' });
    expect(calls[2].model).not.toBeInstanceOf(Map);
    expect(calls[2].model).toEqual(weights);
    const wrongMap = await asyncRejection(createEngine(tensors, { ...TINY, classes: 6 }, { engine: 'onnx' }));
    expect(wrongMap.check).toMatch(/^model\./);

    await createEngine(weights, { ...TINY }, { engine: 'onnx' });
    for (const field of ['dim', 'depth', 'kernel', 'patch', 'channels', 'classes'] as const) {
      const config = { ...TINY, [field]: TINY[field] + 1 };
      const e = await asyncRejection(createEngine(weights, config, { engine: 'onnx' }));
      expect(e.check, field).toBe('engine.config-mismatch');
      expect(e.message).toBe(`config ${JSON.stringify(config)} does not match the weights' config {"dim":4,"depth":1,"kernel":3,"patch":2,"channels":3,"classes":5}`);
    }
    const invalid = await asyncRejection(createEngine(weights, { ...TINY, dim: 0 }, { engine: 'onnx' }));
    expect(invalid.check).toBe('model.config');
    // an object without embedWeight is not taken for weights (it goes to the tensor-map reader, which cannot read it)
    await expect(createEngine({ config: TINY } as never, TINY, { engine: 'onnx' })).rejects.toThrow();
    expect(calls).toHaveLength(4);
  });
});

describe('createResNetEngine (factory.ts mutation kills)', () => {
  const resnet = { config: { kind: 'stand-in' } } as unknown as ResNetWeights;

  it("'onnx' passes batch size, threads, provider and module on; 'tfjs' backend and batch size", async () => {
    // kills factory.ts:119-125 (the options passed on, onnx === true)
    await createResNetEngine(resnet, { engine: 'onnx', batchSize: 3, threads: 1, executionProvider: 'cpu', onnxModule: 'm', backend: 'cpu', workers: 4, spinning: true, onnxGraph: 'conv' });
    const tfjs = await createResNetEngine(resnet, { engine: 'tfjs', backend: 'wasm', batchSize: 6 });
    expect('fallback' in tfjs).toBe(false);
    expect(calls).toEqual([
      { made: 'resnet-onnx', model: resnet, options: { batchSize: 3, threads: 1, executionProvider: 'cpu', module: 'm' } },
      { made: 'resnet-tfjs', model: resnet, options: { backend: 'wasm', batchSize: 6 } },
    ]);
  });

  it("the default is 'auto'; a fallback is marked; tfjs takes workers 1 or none, anything else is engine.workers", async () => {
    // kills factory.ts:117 (default { engine: 'auto' }), :123 (workers !== undefined && workers !== 1, the message), :125 withFallback
    const auto = await createResNetEngine(resnet);
    expect(auto.name).toBe('onnx');
    const fell = await createResNetEngine(resnet, { engine: 'auto', onnxModule: MISSING, workers: 1 });
    expect(fell.name).toBe('tfjs');
    expect(fell.fallback?.startsWith(`--engine auto fell back to tfjs: onnxruntime is not available (import "${MISSING}" failed: `)).toBe(true);
    for (const workers of [2, 0]) {
      const e = await asyncRejection(createResNetEngine(resnet, { engine: 'tfjs', workers }));
      expect(e.check).toBe('engine.workers');
      expect(e.message).toBe(`a ResNet runs in one tfjs engine; workers must be 1, got ${workers}`);
    }
    expect(calls.map((c) => c.made)).toEqual(['resnet-onnx', 'resnet-tfjs']);
  });
});

describe('engine.ts input checks (mutation kills)', () => {
  const images = <A extends Uint8Array | Float32Array>(data: A, height = 4, width = 6, channels = 3, count = 1) => ({ data, shape: { count, height, width, channels }, layout: 'NHWC' as const });

  it('checkBatchSize: default 32; a positive safe integer, else engine.batch-size with the value', () => {
    // kills engine.ts:40 (32), :80-81 (?? DEFAULT_BATCH_SIZE, the conditions, < 1 → <= 1, the message)
    expect(DEFAULT_BATCH_SIZE).toBe(32);
    expect(checkBatchSize(undefined)).toBe(32);
    expect(checkBatchSize(1)).toBe(1);
    expect(checkBatchSize(500)).toBe(500);
    for (const [bad, shown] of [
      [0, '0'],
      [-3, '-3'],
      [2.5, '2.5'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
    ] as const) {
      const e = syncRejection(() => checkBatchSize(bad));
      expect(e.check).toBe('engine.batch-size');
      expect(e.message).toBe(`batch size must be a positive integer, got ${shown}`);
    }
  });

  it('checkImagesForModel: an 8-bit batch of the model’s channels, sizes multiples of the patch; returns the batch', () => {
    // kills engine.ts:47-62: each guard (ConditionalExpression, LogicalOperator), the % conditions (|| → &&), every message
    const ok = images(new Uint8Array(72));
    expect(checkImagesForModel(ok, TINY)).toEqual(ok);
    const cases: [unknown, string, string][] = [
      [null, 'engine.images', 'images must be an image batch { data, shape, layout }'],
      ['x', 'engine.images', 'images must be an image batch { data, shape, layout }'],
      [{ data: new Uint8Array(72), layout: 'NHWC' }, 'engine.images', 'images need a shape { count, height, width, channels }'],
      [{ data: new Uint8Array(72), shape: null, layout: 'NHWC' }, 'engine.images', 'images need a shape { count, height, width, channels }'],
      [images(new Float32Array(72)), 'engine.images', 'engines take 8-bit images (Uint8Array), got Float32Array'],
      [images([1, 2] as never), 'engine.images', 'engines take 8-bit images (Uint8Array), got Array'],
      [images(undefined as never), 'engine.images', 'engines take 8-bit images (Uint8Array), got undefined'],
      // data without a constructor (kills engine.ts:50 OptionalChaining ?.constructor?.name → ?.constructor.name)
      [images(Object.create(null) as never), 'engine.images', 'engines take 8-bit images (Uint8Array), got object'],
      [images(new Uint8Array(48), 4, 6, 2), 'engine.channels', 'images have 2 channels, the model expects 3'],
      [images(new Uint8Array(24), 4, 6, 1), 'engine.channels', 'images have 1 channel, the model expects 3'],
      [images(new Uint8Array(54), 3, 6), 'engine.image-size', 'image size 6×3 is not a multiple of the patch size 2'],
      [images(new Uint8Array(60), 4, 5), 'engine.image-size', 'image size 5×4 is not a multiple of the patch size 2'],
      [images(new Uint8Array(71)), 'image.length', 'image data has 71 values but shape N×H×W×C = 1×4×6×3 needs 72'],
    ];
    for (const [batch, check, message] of cases) {
      const e = syncRejection(() => checkImagesForModel(batch as ImageBatch<Uint8Array>, TINY));
      expect([e.check, e.message]).toEqual([check, message]);
    }
  });

  it('checkNormalizedImagesForModel: the same checks for float32 batches, its own message for other data', () => {
    // kills engine.ts:71-76 (each guard and the messages)
    const ok = images(new Float32Array(72));
    expect(checkNormalizedImagesForModel(ok, TINY)).toEqual(ok);
    const cases: [unknown, string, string][] = [
      [null, 'engine.images', 'images must be an image batch { data, shape, layout }'],
      [7, 'engine.images', 'images must be an image batch { data, shape, layout }'],
      [{ data: new Float32Array(72), layout: 'NHWC' }, 'engine.images', 'images need a shape { count, height, width, channels }'],
      [{ data: new Float32Array(72), shape: null, layout: 'NHWC' }, 'engine.images', 'images need a shape { count, height, width, channels }'],
      [images(new Uint8Array(72)), 'engine.images', 'logitsNormalized takes normalized float32 images (Float32Array), got Uint8Array'],
      [images(null as never), 'engine.images', 'logitsNormalized takes normalized float32 images (Float32Array), got object'],
      // data without a constructor (kills engine.ts:74 OptionalChaining ?.constructor?.name → ?.constructor.name)
      [images(Object.create(null) as never), 'engine.images', 'logitsNormalized takes normalized float32 images (Float32Array), got object'],
      [images(new Float32Array(96), 4, 6, 4), 'engine.channels', 'images have 4 channels, the model expects 3'],
      [images(new Float32Array(90), 5, 6), 'engine.image-size', 'image size 6×5 is not a multiple of the patch size 2'],
      [images(new Float32Array(84), 4, 7), 'engine.image-size', 'image size 7×4 is not a multiple of the patch size 2'],
    ];
    for (const [batch, check, message] of cases) {
      const e = syncRejection(() => checkNormalizedImagesForModel(batch as ImageBatch<Float32Array>, TINY));
      expect([e.check, e.message]).toEqual([check, message]);
    }
  });
});
