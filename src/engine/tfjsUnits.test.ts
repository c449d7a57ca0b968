/**
 * The ConvMixer's tfjs engine (tfjs.ts), fast, for mutation runs (issue 25):
 * tfjs's pure-JS 'cpu' backend on tiny ConvMixers (d 4, depth 1, patch 2;
 * kernel 3, and kernel 4 for the explicit even-kernel padding) on 4×6 images,
 * logits of both layouts and of logitsNormalized against the literal spec
 * ConvMixer (spec/convmixer.ts), in chunks with a last partial one. The backend
 * choice with stand-ins for the optional modules (@tensorflow/tfjs-node-gpu,
 * @tensorflow/tfjs-node, @tensorflow/tfjs-backend-wasm, mocked per scenario on
 * a fresh copy of tfjs.ts: its loads are cached per module) that register
 * stand-in backends; every refusal with its whole message.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectLogitsMatch, specLogits, specModel } from '../../properties/engineBridge.ts';
import { asyncRejection } from '../../properties/rejection.ts';
import { type ImageBatch, normalizeImages, toLayout } from '../core/images.ts';
import { type ConvMixerConfig, type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import { activate, createTfjsEngine, selectTfjsBackend } from './tfjs.ts';

// The spec's erf without mathjs (properties/fastErf.ts): a fast import for mutation runs.
vi.mock('mathjs', async () => ({ erf: (await import('../../properties/fastErf.ts')).erf }));

const GPU = '@tensorflow/tfjs-node-gpu';
const NODE = '@tensorflow/tfjs-node';
const WASM = '@tensorflow/tfjs-backend-wasm';
// The optional modules are absent for the statically imported tfjs.ts (its engine tests use 'cpu' only).
vi.mock('@tensorflow/tfjs-node-gpu', () => {
  throw new Error('absent');
});
vi.mock('@tensorflow/tfjs-node', () => {
  throw new Error('absent');
});
vi.mock('@tensorflow/tfjs-backend-wasm', () => {
  throw new Error('absent');
});

const CONFIG: ConvMixerConfig = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 };
const weights = randomConvMixerWeights(CONFIG, 'tfjs-units');
const imagesOf = (count: number, height = 4, width = 6): ImageBatch<Uint8Array> => ({ data: Uint8Array.from({ length: count * height * width * 3 }, (_, i) => (i * 73 + 11) % 256), shape: { count, height, width, channels: 3 }, layout: 'NHWC' });
const normalizedOf = (images: ImageBatch<Uint8Array>): ImageBatch<Float32Array> => ({ ...images, data: normalizeImages(images, 0, images.shape.count, 'NHWC') });
const expectSpec = (logits: Float32Array, w: ConvMixerWeights, images: ImageBatch<Uint8Array>, context: string) => expectLogitsMatch(logits, specLogits(specModel(w), images), w.config.classes, context);

// ---- stand-ins for the optional modules ----

/** A backend object tfjs accepts for setBackend (the choice is tested, not kernels). */
/** A backend tfjs accepts: a second instance of the cpu backend's class (it stores tensors; kernels are registered for 'cpu' only). */
const standInBackend = () => new (tf.findBackend('cpu') as unknown as { constructor: new () => tf.KernelBackend }).constructor();
const calls: string[] = [];
/** A module that registers the 'tensorflow' backend (or not: another tfjs-core's copy), with tfjs-node's version map. */
const nodeBinding = (name: string, options: { register?: 'ok' | 'throws'; version?: string } = {}) => () => {
  calls.push(name);
  if (options.register === 'ok') tf.registerBackend('tensorflow', standInBackend);
  if (options.register === 'throws')
    tf.registerBackend('tensorflow', () => {
      throw new Error('no libtensorflow');
    });
  // a mocked module must name every export it is asked for: no version map is `version: undefined`
  return { version: options.version === undefined ? undefined : { 'tfjs-node': options.version } };
};
const wasmPaths: string[] = [];
/** The wasm module: its version, setWasmPaths (which may throw), and the 'wasm' backend registered or not. */
const wasmModule = (options: { register?: boolean; setPaths?: () => void } = {}) => () => {
  calls.push(WASM);
  if (options.register !== false) tf.registerBackend('wasm', standInBackend);
  return {
    version_wasm: '7.7.7',
    setWasmPaths: (p: string) => {
      wasmPaths.push(p);
      options.setPaths?.();
    },
  };
};
const absent = (name: string) => (): object => {
  calls.push(name);
  throw new Error(`${name} is not installed`);
};

/** A fresh tfjs.ts (empty load caches) that sees these modules. */
async function fresh(modules: { gpu?: () => object; node?: () => object; wasm?: () => object }): Promise<typeof import('./tfjs.ts')> {
  vi.resetModules();
  vi.doMock(GPU, modules.gpu ?? absent(GPU));
  vi.doMock(NODE, modules.node ?? absent(NODE));
  vi.doMock(WASM, modules.wasm ?? absent(WASM));
  return import('./tfjs.ts');
}
/** Vitest's first line for a mock factory that throws (what an absent module's import rejects with here; the mocks above). */
async function importFailure(name: string): Promise<string> {
  const error = (await import(/* @vite-ignore */ name).then(() => undefined, (e: unknown) => e)) as Error;
  return error.message.split('\n')[0];
}
const absentGpu = await importFailure(GPU);
const absentNode = await importFailure(NODE);
const absentWasm = await importFailure(WASM);
/** The whole refusal; by check and message, since a fresh tfjs.ts has its own CipherpatchError class. */
async function refusalOf(p: Promise<unknown>): Promise<{ check: string; message: string }> {
  const error = (await p.then(() => undefined, (e: unknown) => e)) as { check?: string; message?: string } | undefined;
  if (error === undefined) throw new Error('expected a refusal, it resolved');
  return { check: String(error.check), message: String(error.message) };
}

const CORE = `tfjs-core ${tf.version_core}`;
for (const flag of ['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT']) tf.env().registerFlag(flag, () => false);

beforeEach(() => {
  calls.length = 0;
  wasmPaths.length = 0;
  vi.spyOn(os, 'availableParallelism').mockReturnValue(3);
});
afterEach(async () => {
  vi.restoreAllMocks();
  tf.env().set('IS_NODE', true);
  await tf.setBackend('cpu');
  for (const name of ['tensorflow', 'wasm', 'other']) if (tf.findBackendFactory(name) !== null) tf.removeBackend(name);
});

describe('selectTfjsBackend (tfjs.ts mutation kills)', () => {
  it('auto: the node binding that registers "tensorflow", GPU before CPU, with its version and the host threads', async () => {
    // kills tfjs.ts:35-38 NODE_BINDINGS (order, labels), :55-76 loadTensorflow (the loop, the version map, 'unknown',
    // the message and threads), :122-125 the tensorflow branch, and the default 'auto'
    const cpuFirst = await fresh({ node: nodeBinding(NODE, { register: 'ok', version: '9.9.9' }) });
    expect(await cpuFirst.selectTfjsBackend()).toEqual({ backend: 'tensorflow', version: `${CORE}, ${NODE} 9.9.9 (libtensorflow, CPU)`, threads: 3 });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(calls).toEqual([GPU, NODE]);
    // cached: the modules are not loaded again, and an explicit request gets the same
    expect(await cpuFirst.selectTfjsBackend('tensorflow')).toEqual({ backend: 'tensorflow', version: `${CORE}, ${NODE} 9.9.9 (libtensorflow, CPU)`, threads: 3 });
    expect(calls).toEqual([GPU, NODE]);
    tf.removeBackend('tensorflow');

    calls.length = 0;
    const gpu = await fresh({ gpu: nodeBinding(GPU, { register: 'ok' }), node: nodeBinding(NODE, { register: 'ok', version: '1.0.0' }) });
    expect(await gpu.selectTfjsBackend('auto')).toEqual({ backend: 'tensorflow', version: `${CORE}, ${GPU} unknown (libtensorflow, GPU)`, threads: 3 });
    expect(calls).toEqual([GPU]); // the GPU binding wins; tfjs-node is not even loaded
  });

  it('tensorflow refused: absent modules, a backend registered elsewhere, one that fails to initialize', async () => {
    // kills tfjs.ts:41-51 errorText / optionalImport (the reason, its first line), :60-66 (the reasons), :123-126 (the
    // tensorflow-only refusal and its message; wasm is not tried)
    const none = await fresh({});
    expect(await refusalOf(none.selectTfjsBackend('tensorflow'))).toEqual({ check: 'engine.backend-unavailable', message: `tfjs backend "tensorflow" is not available: ${GPU}: ${absentGpu}; ${NODE}: ${absentNode}` });
    expect(calls).toEqual([GPU, NODE]);
    // wasm alone names only its own reason
    expect(await refusalOf(none.selectTfjsBackend('wasm'))).toEqual({ check: 'engine.backend-unavailable', message: `tfjs backend "wasm" is not available: ${WASM}: ${absentWasm}` });

    const elsewhere = await fresh({ gpu: nodeBinding(GPU), node: nodeBinding(NODE, { version: '9.9.9' }) });
    const copy = 'loaded but registered its backend with another copy of @tensorflow/tfjs-core';
    expect(await refusalOf(elsewhere.selectTfjsBackend('tensorflow'))).toEqual({ check: 'engine.backend-unavailable', message: `tfjs backend "tensorflow" is not available: ${GPU} ${copy}; ${NODE} ${copy}` });

    const failing = await fresh({ node: nodeBinding(NODE, { register: 'throws' }) });
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // tfjs warns about the failed initialization
    const failed = { check: 'engine.backend-unavailable', message: 'tfjs backend "tensorflow" is not available: the tensorflow backend failed to initialize' };
    expect(await refusalOf(failing.selectTfjsBackend('tensorflow'))).toEqual(failed);
    // Asked again: still refused. tfjs names the backend that failed to initialize as the current one (tf.getBackend()),
    // which activate took for "already active" before it also asked for the backend itself (found by tfjs.ts:104
    // ConditionalExpression `tf.getBackend() === name` → false surviving; kills the `&& tf.findBackend(name) !== null` mutants).
    expect(tf.getBackend()).toBe('tensorflow');
    expect(await refusalOf(failing.selectTfjsBackend('tensorflow'))).toEqual(failed);
    expect(await failing.activate('tensorflow')).toBe(false);
  });

  it('wasm: its version, SIMD and threads (one in Node), its .wasm directory, loaded once', async () => {
    // kills tfjs.ts:84-101 loadWasm (the paths, the cache), :128-140 the wasm branch (flags, threads, the version text)
    const dist = path.dirname(createRequire(import.meta.url).resolve(WASM)) + path.sep;
    const simd = await fresh({ wasm: wasmModule() });
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    expect(await simd.selectTfjsBackend('wasm')).toEqual({ backend: 'wasm', version: `${CORE}, tfjs-backend-wasm 7.7.7 (SIMD, 1 thread)`, threads: 1 });
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmPaths).toEqual([dist]);
    // not in Node: multithreaded wasm uses the host's threads; auto gets there when the node bindings are absent
    tf.env().set('IS_NODE', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
    expect(await simd.selectTfjsBackend('auto')).toEqual({ backend: 'wasm', version: `${CORE}, tfjs-backend-wasm 7.7.7 (no SIMD, 3 threads)`, threads: 3 });
    expect(calls).toEqual([WASM, GPU, NODE]);
    expect(wasmPaths).toEqual([dist]);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    expect((await simd.selectTfjsBackend('wasm')).version).toBe(`${CORE}, tfjs-backend-wasm 7.7.7 (no SIMD, 1 thread)`);
  });

  it('wasm: paths set by someone else are kept; other failures refuse it with their first line', async () => {
    // kills tfjs.ts:90-98 (the "already initialized" exception, case-insensitive; any other error is the reason),
    // :41-43 errorText (an Error's first line, String of anything else), :141-142 (the reasons and the wasm refusal)
    const initialized = await fresh({
      wasm: wasmModule({
        setPaths: () => {
          throw new Error('The WASM backend was Already Initialized.\nsecond line');
        },
      }),
    });
    expect((await initialized.selectTfjsBackend('wasm')).backend).toBe('wasm');
    tf.removeBackend('wasm');
    const broken = await fresh({
      wasm: wasmModule({
        setPaths: () => {
          throw new Error('no such directory\nat line 2');
        },
      }),
    });
    expect(await refusalOf(broken.selectTfjsBackend('wasm'))).toEqual({ check: 'engine.backend-unavailable', message: `tfjs backend "wasm" is not available: ${WASM}: no such directory` });
    tf.removeBackend('wasm');
    const thrownText = await fresh({
      wasm: wasmModule({
        setPaths: () => {
          throw 'a thrown string';
        },
      }),
    });
    expect(await refusalOf(thrownText.selectTfjsBackend('wasm'))).toEqual({ check: 'engine.backend-unavailable', message: `tfjs backend "wasm" is not available: ${WASM}: a thrown string` });
    tf.removeBackend('wasm');
    const unregistered = await fresh({ wasm: wasmModule({ register: false }) });
    expect(await refusalOf(unregistered.selectTfjsBackend('wasm'))).toEqual({ check: 'engine.backend-unavailable', message: `tfjs backend "wasm" is not available: ${WASM} failed to initialize` });
  });

  it('cpu: the fallback of auto, its version, its first-use notice silenced; no cpu at all is refused with every reason', async () => {
    // kills tfjs.ts:144-151 (the cpu branch, firstUse, the version text), :152-153 (the last refusal, with and without the request)
    const none = await fresh({});
    const cpu = tf.findBackend('cpu') as unknown as { firstUse: boolean };
    cpu.firstUse = true;
    const info = { backend: 'cpu', version: `${CORE}, tfjs-backend-cpu ${tf.version['tfjs-backend-cpu']} (pure JS)`, threads: 1 };
    expect(await none.selectTfjsBackend('auto')).toEqual(info);
    expect(cpu.firstUse).toBe(false);
    expect(calls).toEqual([GPU, NODE, WASM]);
    await tf.setBackend('wasm').catch(() => false);
    expect(await none.selectTfjsBackend('cpu')).toEqual(info);
    expect(calls).toEqual([GPU, NODE, WASM]); // 'cpu' loads nothing
    // kills tfjs.ts:150 ConditionalExpression `typeof cpu.firstUse === 'boolean'` → true (and the whole guard → true,
    // `&&` → `||`): a cpu backend without the private field is left without it
    delete (cpu as { firstUse?: boolean }).firstUse;
    expect((await none.selectTfjsBackend('cpu')).backend).toBe('cpu');
    expect('firstUse' in cpu).toBe(false);
    cpu.firstUse = false;

    const factory = tf.findBackendFactory('cpu');
    tf.removeBackend('cpu');
    try {
      expect(await refusalOf(none.selectTfjsBackend('auto'))).toEqual({
        check: 'engine.backend-unavailable',
        message: `no tfjs backend is available: ${GPU}: ${absentGpu}; ${NODE}: ${absentNode}; ${WASM}: ${absentWasm}; the cpu backend failed to initialize`,
      });
      expect(await refusalOf(none.selectTfjsBackend('cpu'))).toEqual({ check: 'engine.backend-unavailable', message: 'no tfjs backend is available for "cpu": the cpu backend failed to initialize' });
    } finally {
      tf.registerBackend('cpu', factory as () => tf.KernelBackend, 1);
    }
  });

  it('an unknown backend name is refused with the names it takes; activate says whether a backend runs', async () => {
    // kills tfjs.ts:114 BACKEND_REQUESTS, :121 the name check and its message, :103-110 activate
    const none = await fresh({});
    for (const name of ['gpu', 'webgl', '']) {
      expect(await refusalOf(none.selectTfjsBackend(name as 'cpu'))).toEqual({ check: 'engine.backend', message: `unknown tfjs backend "${name}": use one of auto, tensorflow, wasm, cpu` });
    }
    expect(calls).toEqual([]);
    expect(await activate('cpu')).toBe(true);
    expect(await activate('no-such-backend')).toBe(false);
    expect(tf.getBackend()).toBe('cpu');
    tf.registerBackend('other', standInBackend);
    expect(await activate('other')).toBe(true);
    expect(tf.getBackend()).toBe('other');
    expect(await activate('other')).toBe(true);
  });
});

describe('createTfjsEngine (tfjs.ts mutation kills)', () => {
  it('logits of either layout and logitsNormalized match the spec ConvMixer, in chunks with a last partial one', async () => {
    // kills tfjs.ts:159-169 foldBatchNorm, :203-275 the forward path (chunks of batchSize, the copy, the output
    // offsets), :278-324 TfjsConvMixer (each layout transpose, GELU, BatchNorm, the residual, pooling, the head),
    // :356-372 the engine and its options
    const engine = await createTfjsEngine(weights, { backend: 'cpu', batchSize: 2 });
    expect([engine.name, engine.backend, engine.threads, engine.version, engine.config]).toEqual(['tfjs', 'cpu', 1, `${CORE}, tfjs-backend-cpu ${tf.version['tfjs-backend-cpu']} (pure JS)`, CONFIG]);
    const images = imagesOf(3);
    expectSpec(await engine.logits(images), weights, images, 'NHWC');
    expectSpec(await engine.logits(toLayout(images, 'NCHW')), weights, images, 'NCHW');
    const normalized = normalizedOf(images);
    const before = normalized.data.slice();
    expectSpec(await engine.logitsNormalized(normalized), weights, images, 'normalized NHWC');
    expectSpec(await engine.logitsNormalized(toLayout(normalized, 'NCHW')), weights, images, 'normalized NCHW');
    expect(normalized.data).toEqual(before);
    // kills tfjs.ts:242 EqualityOperator `start < count` → `<=` (an empty last chunk when batchSize divides the count):
    // as many kernels run for 2 images as for 1 in one chunk of 2, twice as many for 3 (two chunks)
    const kernelsFor = async (count: number) => (await tf.profile(async () => void (await engine.logits(imagesOf(count))))).kernels.length;
    const oneChunk = await kernelsFor(1);
    expect(oneChunk).toBeGreaterThan(0);
    expect(await kernelsFor(2)).toBe(oneChunk);
    expect(await kernelsFor(3)).toBe(2 * oneChunk);
    // one chunk of all, and one image per chunk
    for (const batchSize of [1, 5]) {
      const other = await createTfjsEngine(weights, { backend: 'cpu', batchSize });
      expectSpec(await other.logits(images), weights, images, `batch size ${batchSize}`);
      other.dispose();
    }
    engine.dispose();
  });

  it('the engine keeps its own copies of the weights: changing them afterwards changes no logit', async () => {
    // kills tfjs.ts:283 MethodExpression `tf.tensor1d(a.slice())` → `tf.tensor1d(a)` (the cpu backend keeps the array it is given)
    const own = randomConvMixerWeights(CONFIG, 'tfjs-units');
    const engine = await createTfjsEngine(own, { backend: 'cpu' });
    for (const bias of [own.embedBias, own.layers[0].depthwiseBias, own.layers[0].pointwiseBias, own.headBias]) bias.fill(50);
    const images = imagesOf(2);
    expectSpec(await engine.logits(images), weights, images, 'weights changed after creation'); // `weights`: the same seed, unchanged
    engine.dispose();
  });

  it('even kernels: the explicit PyTorch "same" padding (one zero before, two after for k = 4)', async () => {
    // kills tfjs.ts:307-308 padBefore/padAfter, :318-320 the pad and 'valid' convolution of even kernels
    const even = randomConvMixerWeights({ ...CONFIG, kernel: 4, depth: 2 }, 'tfjs-units-even');
    const engine = await createTfjsEngine(even, { backend: 'cpu', batchSize: 2 });
    const images = imagesOf(3, 6, 8);
    expectSpec(await engine.logits(images), even, images, 'kernel 4');
    engine.dispose();
    const two = randomConvMixerWeights({ ...CONFIG, kernel: 2 }, 'tfjs-units-two');
    const engineTwo = await createTfjsEngine(two, { backend: 'cpu' });
    expectSpec(await engineTwo.logits(images), two, images, 'kernel 2');
    engineTwo.dispose();
  });

  it('BatchNorm ε = 1e-5 counts: running variances of 1e-5 and 2e-6', async () => {
    // kills tfjs.ts:165 ArithmeticOperator `σ² − ε` (σ² = 1e-5: √(σ² + ε) = √2·√σ², with σ² − ε it is 0) and the shift's sign
    const w = randomConvMixerWeights(CONFIG, 'tfjs-units-eps');
    w.embedNorm.runningVar.set([1e-5, 2e-6, 1e-5, 2e-6]);
    w.embedNorm.weight.set([1e-3, 5e-4, -1e-3, 2e-3]); // keeps the scaled activations O(1)
    w.embedNorm.runningMean.set([0.5, -0.25, 0.125, 1]);
    const engine = await createTfjsEngine(w, { backend: 'cpu' });
    const images = imagesOf(2);
    expectSpec(await engine.logits(images), w, images, 'small variances');
    engine.dispose();
  });

  it('dispose frees every tensor; another backend in between is switched back; bad input is refused', async () => {
    // kills tfjs.ts:249-254 (re-activation), :255 (disposed), :262-263 (y disposed), :269-272 dispose, :286-288 keep,
    // :326-329 TfjsConvMixer.dispose, :360-362 checkImages (which check for which kind)
    const before = tf.memory().numTensors;
    const engine = await createTfjsEngine(weights, { backend: 'cpu', batchSize: 2 });
    // embedding: filter, bias, BN scale and shift (4); per layer two convolutions with filter, bias, scale, shift (8); head weight and bias (2)
    expect(tf.memory().numTensors - before).toBe(4 + 8 * CONFIG.depth + 2);
    const images = imagesOf(3);
    tf.registerBackend('other', standInBackend);
    await tf.setBackend('other');
    expectSpec(await engine.logits(images), weights, images, 'after another backend');
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.memory().numTensors - before).toBe(14);

    const floats = normalizedOf(images);
    expect(await refusalOf(engine.logits(floats as never))).toEqual({ check: 'engine.images', message: 'engines take 8-bit images (Uint8Array), got Float32Array' });
    expect(await refusalOf(engine.logitsNormalized(images as never))).toEqual({ check: 'engine.images', message: 'logitsNormalized takes normalized float32 images (Float32Array), got Uint8Array' });
    expect((await asyncRejection(engine.logits({ ...images, shape: { ...images.shape, channels: 1 }, data: new Uint8Array(72) }))).check).toBe('engine.channels');

    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    engine.dispose(); // twice is harmless
    expect(await refusalOf(engine.logits(images))).toEqual({ check: 'engine.disposed', message: 'this tfjs engine has been disposed' });
    expect(await refusalOf(engine.logitsNormalized(floats))).toEqual({ check: 'engine.disposed', message: 'this tfjs engine has been disposed' });
  });

  it('an engine whose backend went away is refused; bad options are refused', async () => {
    // kills tfjs.ts:249-251 (the re-activation refusal and its message), :370-371 (batch size, backend)
    const withTensorflow = await fresh({ node: nodeBinding(NODE, { register: 'ok', version: '9.9.9' }) });
    const engine = await withTensorflow.createTfjsEngine(weights, { batchSize: 1 });
    expect(engine.backend).toBe('tensorflow');
    await tf.setBackend('cpu');
    tf.removeBackend('tensorflow');
    expect(await refusalOf(engine.logits(imagesOf(1)))).toEqual({ check: 'engine.backend-unavailable', message: 'tfjs backend "tensorflow" could not be re-activated' });
    engine.dispose();
    expect(await refusalOf(createTfjsEngine(weights, { backend: 'cpu', batchSize: 0 }))).toEqual({ check: 'engine.batch-size', message: 'batch size must be a positive integer, got 0' });
    expect(await refusalOf(createTfjsEngine(weights, { backend: 'gpu' as 'cpu' }))).toEqual({ check: 'engine.backend', message: 'unknown tfjs backend "gpu": use one of auto, tensorflow, wasm, cpu' });
  });
});
