/**
 * The ConvMixer's onnx engine (onnx.ts), fast, for mutation runs (issue 25):
 * a tiny ConvMixer (d 4, depth 1, kernel 3, patch 2) on 4×4 … 4×20 images;
 * onnxruntime wrapped in a module of our own (the engine's `module` option)
 * that records each session's options and graph and each run's batch, so the
 * graph choice, the session cache, the chunking (a last partial batch) and
 * the settings (threads, spinning, provider) are seen. Logits of both layouts
 * and of logitsNormalized against the literal spec ConvMixer. The helpers
 * (loadOnnxRuntime, checkThreads, createOnnxSession, runOnnxInChunks) with
 * stand-in runtimes and sessions; every refusal with its whole message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectLogitsMatch, specLogits, specModel } from '../../properties/engineBridge.ts';
import { asyncRejection, refusal } from '../../properties/rejection.ts';
import { type ImageBatch, normalizeImages, toLayout } from '../core/images.ts';
import { type ConvMixerConfig, randomConvMixerWeights } from '../model/convmixer.ts';
import { ONNX_DEFAULT_BATCH_SIZE, ONNX_EXECUTION_PROVIDERS, type OnnxRunner, type OnnxRuntimeInfo, type OrtSession, checkExecutionProvider, checkThreads, createOnnxEngine, createOnnxSession, loadOnnxRuntime, onnxSessionOptions, runOnnxInChunks } from './onnx.ts';

// Fast imports for mutation runs (Stryker reloads them for every mutant): the spec's erf without mathjs
// (properties/fastErf.ts, accurate to 1e-14), and no tfjs behind properties/engineBridge.ts.
vi.mock('mathjs', async () => ({ erf: (await import('../../properties/fastErf.ts')).erf }));
vi.mock('./tfjs.ts', () => ({ selectTfjsBackend: () => Promise.reject(new Error('no tfjs in this test')) }));

const CONFIG: ConvMixerConfig = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 };
const weights = randomConvMixerWeights(CONFIG, 'onnx-units');
const real = await loadOnnxRuntime();

function imagesOf(count: number, height: number, width: number): ImageBatch<Uint8Array> {
  return { data: Uint8Array.from({ length: count * height * width * 3 }, (_, i) => (i * 89 + 5) % 256), shape: { count, height, width, channels: 3 }, layout: 'NHWC' };
}
const normalizedOf = (images: ImageBatch<Uint8Array>): ImageBatch<Float32Array> => ({ ...images, data: normalizeImages(images, 0, images.shape.count, 'NHWC') });
const expectSpec = (logits: Float32Array, images: ImageBatch<Uint8Array>, context: string) => expectLogitsMatch(logits, specLogits(specModel(weights), images), CONFIG.classes, context);

// A module that is onnxruntime-node with recording sessions (the engine imports it by path).
interface Recorder {
  ort: unknown;
  /** Per created session: its options and the graph's name (which says the form and the model). */
  sessions: { options: Record<string, unknown>; graph: string; ops: string[] }[];
  runs: number[][];
  released: number;
  failCreate: number;
  /** Runs wait for it when set. */
  gate?: Promise<void>;
}
const recorder: Recorder = { ort: undefined, sessions: [], runs: [], released: 0, failCreate: 0 };
(globalThis as { cipherpatchOnnxUnits?: unknown }).cipherpatchOnnxUnits = {
  recorder,
  graphOf: (model: Uint8Array) => {
    const graph = onnxProto.onnx.ModelProto.decode(model).graph;
    return { graph: graph?.name ?? '', ops: [...new Set(graph?.node?.map((n) => n.opType ?? ''))] };
  },
};
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-onnx-units-'));
const MODULE = join(dir, 'recording-ort.mjs');
writeFileSync(
  MODULE,
  `const { recorder: r, graphOf } = globalThis.cipherpatchOnnxUnits;
export const Tensor = r.ort.Tensor;
export const env = { versions: { common: '0.0.7', node: '1.2.3' } };
export const InferenceSession = {
  async create(model, options) {
    r.sessions.push({ options, ...graphOf(model) });
    if (r.failCreate > 0) { r.failCreate--; throw new Error('cannot build it\\nsecond line'); }
    const s = await r.ort.InferenceSession.create(model, { ...options, executionProviders: ['cpu'] });
    return {
      run: async (feeds) => { r.runs.push([...feeds.images.dims]); await r.gate; return s.run(feeds); },
      release: () => (r.released++, s.release()),
    };
  },
};
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  recorder.ort = real.ort;
  recorder.sessions.length = 0;
  recorder.runs.length = 0;
  recorder.released = 0;
  recorder.failCreate = 0;
  recorder.gate = undefined;
  vi.spyOn(os, 'availableParallelism').mockReturnValue(4);
});
afterEach(() => vi.restoreAllMocks());

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('createOnnxEngine (onnx.ts mutation kills)', () => {
  it('defaults: every core, the CPU provider, sleeping threads, batches of 64, the auto graph (dense on 4×4)', async () => {
    // kills onnx.ts:311-318 (each default: batch 64, threads = cores, 'cpu', 'auto', 'op', spinning false),
    // :158-166 (the session options), :213-219 (version before and after the first session), :222-226 (graphFor)
    const engine = await createOnnxEngine(weights, { module: MODULE });
    expect([engine.name, engine.backend, engine.threads, engine.config]).toEqual(['onnx', 'cpu', 4, CONFIG]);
    expect(engine.version).toBe(`${MODULE} 1.2.3 (CPU execution provider, 4 intra-op threads, auto graph)`);
    expect(recorder.sessions).toEqual([]); // the cpu provider builds no session before the first images
    expect(ONNX_DEFAULT_BATCH_SIZE).toBe(64);
    const images = imagesOf(65, 4, 4);
    expectSpec(await engine.logits(images), images, 'defaults, 65 images');
    expect(recorder.runs).toEqual([
      [64, 3, 4, 4],
      [1, 3, 4, 4],
    ]);
    expect(recorder.sessions.map((s) => [s.graph, s.options])).toEqual([
      [
        'convmixer_d4_depth1_k3_p2_dense',
        {
          executionProviders: ['cpu'],
          graphOptimizationLevel: 'all',
          intraOpNumThreads: 4,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          logSeverityLevel: 3,
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        },
      ],
    ]);
    expect(recorder.sessions[0].ops).toContain('Gelu');
    expect(recorder.sessions[0].ops).not.toContain('Erf');
    expect(engine.version).toBe(`${MODULE} 1.2.3 (CPU execution provider, 4 intra-op threads, dense graph)`);
    engine.dispose();
  });

  it("auto: dense where it suits, conv elsewhere, one conv session for every size; the version lists both, in order", async () => {
    // kills onnx.ts:213-215 (the forms in the version), :222-226 graphFor, :234-242 the session cache (key per
    // dense size, one 'conv'), :245 the settings passed to the session
    const engine = await createOnnxEngine(weights, { module: MODULE, threads: 1, batchSize: 2 });
    // 4×20 → 2×10 = 20 positions > 2·3² = 18: conv, as 6×20 (30). 4×4 → 4 positions: dense. 6×4 → 6: dense, another size.
    for (const [height, width] of [
      [4, 20],
      [4, 4],
      [6, 20],
      [4, 4],
      [6, 4],
    ]) {
      const images = imagesOf(3, height, width);
      expectSpec(await engine.logits(images), images, `${height}×${width}`);
    }
    expect(recorder.sessions.map((s) => s.graph)).toEqual(['convmixer_d4_depth1_k3_p2_conv', 'convmixer_d4_depth1_k3_p2_dense', 'convmixer_d4_depth1_k3_p2_dense']);
    expect(recorder.runs.map((r) => r.join('x'))).toEqual(['2x3x4x20', '1x3x4x20', '2x3x4x4', '1x3x4x4', '2x3x6x20', '1x3x6x20', '2x3x4x4', '1x3x4x4', '2x3x6x4', '1x3x6x4']);
    expect(engine.version).toBe(`${MODULE} 1.2.3 (CPU execution provider, 1 intra-op thread, conv+dense graph)`);
    engine.dispose();
    await settle();
    expect(recorder.released).toBe(3);
  });

  it('a forced graph, the Erf GELU, spinning threads: the sessions and the version say so', async () => {
    // kills onnx.ts:215-217 (the forced graph's name, ', GELU via Erf', ', spinning' only with > 1 thread), :223 (graph !== 'auto'),
    // :163 allow_spinning '1', :318 the spinning option passed on
    const images = imagesOf(2, 4, 4);
    const conv = await createOnnxEngine(weights, { module: MODULE, threads: 2, graph: 'conv', gelu: 'erf', spinning: true });
    expect(conv.version).toBe(`${MODULE} 1.2.3 (CPU execution provider, 2 intra-op threads, spinning, conv graph, GELU via Erf)`);
    expectSpec(await conv.logits(images), images, 'conv/erf');
    expect(recorder.sessions.map((s) => [s.graph, s.options.intraOpNumThreads, s.options.extra])).toEqual([['convmixer_d4_depth1_k3_p2_conv', 2, { session: { intra_op: { allow_spinning: '1' } } }]]);
    expect(recorder.sessions[0].ops).toContain('Erf');
    expect(recorder.sessions[0].ops).not.toContain('Gelu');
    conv.dispose();
    const one = await createOnnxEngine(weights, { module: MODULE, threads: 1, graph: 'dense', spinning: true });
    expect(one.version).toBe(`${MODULE} 1.2.3 (CPU execution provider, 1 intra-op thread, dense graph)`); // spinning means nothing on one thread
    const wide = imagesOf(1, 4, 20); // dense although it does not suit: forced
    expectSpec(await one.logits(wide), wide, 'forced dense 4×20');
    expect(recorder.sessions.at(-1)?.graph).toBe('convmixer_d4_depth1_k3_p2_dense');
    expect(recorder.sessions.at(-1)?.options.extra).toEqual({ session: { intra_op: { allow_spinning: '1' } } });
    one.dispose();
    const sleeping = await createOnnxEngine(weights, { module: MODULE, threads: 3, spinning: false });
    expect(sleeping.version).toBe(`${MODULE} 1.2.3 (CPU execution provider, 3 intra-op threads, auto graph)`);
    sleeping.dispose();
  });

  it('logits of either layout and logitsNormalized of either layout agree with the spec, with a last partial batch', async () => {
    // kills onnx.ts:251-261 (the checks, normalization, NCHW chunks), :264-267 forward's shape
    const engine = await createOnnxEngine(weights, { module: MODULE, threads: 1, batchSize: 2, graph: 'conv' });
    const images = imagesOf(5, 4, 6);
    const normalized = normalizedOf(images);
    expectSpec(await engine.logits(images), images, 'NHWC');
    expectSpec(await engine.logits(toLayout(images, 'NCHW')), images, 'NCHW');
    expectSpec(await engine.logitsNormalized(normalized), images, 'normalized NHWC');
    expectSpec(await engine.logitsNormalized(toLayout(normalized, 'NCHW')), images, 'normalized NCHW');
    expect(recorder.runs.map((r) => r[0])).toEqual([2, 2, 1, 2, 2, 1, 2, 2, 1, 2, 2, 1]);
    expect((await asyncRejection(engine.logits(normalized as never))).message).toBe('engines take 8-bit images (Uint8Array), got Float32Array');
    expect((await asyncRejection(engine.logitsNormalized(images as never))).message).toBe('logitsNormalized takes normalized float32 images (Float32Array), got Uint8Array');
    expect((await asyncRejection(engine.logits({ ...images, shape: { ...images.shape, channels: 1, count: 15 } }))).check).toBe('engine.channels');
    engine.dispose();
  });

  it('dispose: no more images; sessions released once, after the runs in flight', async () => {
    // kills onnx.ts:272-283 (checkUsable, dispose's guard, the release after the runs in flight)
    const engine = await createOnnxEngine(weights, { module: MODULE, threads: 1, batchSize: 1 });
    const images = imagesOf(2, 4, 4);
    await engine.logits(images);
    let open = () => undefined as void;
    recorder.gate = new Promise<void>((resolve) => (open = resolve));
    const pending = engine.logits(images).catch((e: unknown) => e);
    while (recorder.runs.length < 3) await new Promise((resolve) => setTimeout(resolve, 1)); // the first chunk is in flight
    engine.dispose();
    await settle();
    expect(recorder.released).toBe(0);
    open();
    // The run in flight finishes; the next chunk is refused; then the session is released.
    expect(await pending).toMatchObject({ check: 'engine.disposed' });
    await settle();
    expect(recorder.released).toBe(1);
    engine.dispose();
    await settle();
    expect(recorder.released).toBe(1);
    for (const call of [() => engine.logits(images), () => engine.logitsNormalized(normalizedOf(images))]) {
      const e = await asyncRejection(call());
      expect([e.check, e.message]).toEqual(['engine.disposed', 'this onnx engine has been disposed']);
    }
    expect(recorder.runs.length).toBe(3);
  });

  it('a session that cannot be built is not kept: the next images try again', async () => {
    // kills onnx.ts:239-240 (the failed build deleted from the cache), :245 the graph name 'ConvMixer'
    const engine = await createOnnxEngine(weights, { module: MODULE, threads: 1 });
    const images = imagesOf(1, 4, 4);
    recorder.failCreate = 1;
    const e = await asyncRejection(engine.logits(images));
    expect([e.check, e.message]).toEqual(['engine.onnx-session', 'onnxruntime could not load the ConvMixer graph: cannot build it']);
    expectSpec(await engine.logits(images), images, 'second try');
    expect(recorder.sessions.length).toBe(2);
    engine.dispose();
  });

  it('CUDA: a session is started at creation (a conv one for P×P), and a provider that cannot start fails there', async () => {
    // kills onnx.ts:320-327 (provider === 'cuda', the start-up session, dispose and rethrow), :140-146 the CUDA message
    const engine = await createOnnxEngine(weights, { module: MODULE, threads: 1, executionProvider: 'cuda' });
    expect(recorder.sessions.map((s) => [s.graph, s.options.executionProviders])).toEqual([['convmixer_d4_depth1_k3_p2_conv', ['cuda']]]);
    expect(engine.version).toBe(`${MODULE} 1.2.3 (CUDA execution provider, 1 intra-op thread, conv graph)`);
    expect(engine.backend).toBe('cuda');
    engine.dispose();
    recorder.failCreate = 1;
    const e = await asyncRejection(createOnnxEngine(weights, { module: MODULE, threads: 1, executionProvider: 'cuda' }));
    expect([e.check, e.message]).toEqual([
      'engine.execution-provider-unavailable',
      "onnxruntime's CUDA execution provider could not start (cannot build it); it needs CUDA 12 and onnxruntime-node's CUDA binaries (see the README), or use --execution-provider cpu",
    ]);
  });

  it('bad options are refused before onnxruntime loads; a model the engine cannot build fails at creation', async () => {
    // kills onnx.ts:309-319 (each check and message), :329 the cpu path's trial build
    const missing = 'onnxruntime-node-that-is-not-installed';
    const refused = async (options: object) => {
      const e = await asyncRejection(createOnnxEngine(weights, { module: missing, ...options }));
      return [e.check, e.message];
    };
    expect(await refused({ batchSize: 0 })).toEqual(['engine.batch-size', expect.stringContaining('positive integer')]);
    expect(await refused({ threads: 5 })).toEqual(['engine.threads', '5 threads requested but this machine has 4 cores: use at most 4']);
    expect(await refused({ executionProvider: 'rocm' })).toEqual(['engine.execution-provider', 'unknown onnxruntime execution provider "rocm": use one of cpu, cuda']);
    expect(await refused({ graph: 'winograd' })).toEqual(['engine.onnx-graph', 'unknown ONNX graph "winograd": use auto, conv or dense']);
    expect(await refused({ spinning: 'yes' })).toEqual(['engine.spinning', 'spinning must be true or false, got yes']);
    expect((await refused({}))[0]).toBe('engine.onnx-unavailable');
    for (const graph of ['auto', 'conv', 'dense']) expect((await refused({ graph }))[0]).toBe('engine.onnx-unavailable');
    const gelu = await asyncRejection(createOnnxEngine(weights, { module: MODULE, gelu: 'tanh' as 'op' }));
    expect([gelu.check, gelu.message]).toEqual(['engine.onnx-graph', 'unknown GELU form "tanh": use "op" or "erf"']);
    const bad = await asyncRejection(createOnnxEngine({ ...weights, headBias: new Float32Array(1) }, { module: MODULE }));
    expect(bad.message).toBe('cannot build the ONNX graph: headBias must be a Float32Array of 3 values, got 1 values');
    expect(recorder.sessions).toEqual([]);
  });
});

describe('loadOnnxRuntime', () => {
  // kills onnx.ts:87-105 (the named or default export, the version fallbacks, the check for InferenceSession and Tensor, the cache, the message)
  const file = (name: string, source: string) => {
    const path = join(dir, name);
    writeFileSync(path, source);
    return path;
  };
  const fakeOrt = 'export const InferenceSession = {}; export class Tensor {};';

  it('named exports, a default export, and the version: node, else common, else "unknown"', async () => {
    const named = file('named.mjs', `${fakeOrt} export const env = { versions: { common: '1.0.0', node: '1.0.1' } };`);
    expect(await loadOnnxRuntime(named)).toMatchObject({ version: '1.0.1', module: named });
    const common = file('common.mjs', `${fakeOrt} export const env = { versions: { common: '1.0.0' } };`);
    expect((await loadOnnxRuntime(common)).version).toBe('1.0.0');
    const noEnv = file('noenv.mjs', fakeOrt);
    expect((await loadOnnxRuntime(noEnv)).version).toBe('unknown');
    const noVersions = file('noversions.mjs', `${fakeOrt} export const env = {};`);
    expect((await loadOnnxRuntime(noVersions)).version).toBe('unknown');
    const viaDefault = file('default.mjs', `class Tensor {}; export default { InferenceSession: { create() {} }, Tensor, env: { versions: { common: '2.0.0' } } };`);
    const loaded = await loadOnnxRuntime(viaDefault);
    expect(loaded.version).toBe('2.0.0');
    expect(typeof loaded.ort.InferenceSession.create).toBe('function');
    expect(real.module).toBe('onnxruntime-node');
    expect(real.version).toMatch(/^1\.\d+\.\d+$/);
  });

  it('a module without InferenceSession or Tensor, or none at all: engine.onnx-unavailable saying why', async () => {
    const message = (module: string, reason: string) => `onnxruntime is not available (import "${module}" failed: ${reason}); install it with \`npm install onnxruntime-node\`, or use --engine tfjs`;
    const noTensor = file('notensor.mjs', 'export const InferenceSession = {};');
    const e1 = await asyncRejection(loadOnnxRuntime(noTensor));
    expect([e1.check, e1.message]).toEqual(['engine.onnx-unavailable', message(noTensor, `"${noTensor}" does not export onnxruntime's InferenceSession and Tensor`)]);
    const noSession = file('nosession.mjs', 'export class Tensor {};');
    expect((await asyncRejection(loadOnnxRuntime(noSession))).message).toBe(message(noSession, `"${noSession}" does not export onnxruntime's InferenceSession and Tensor`));
    const nothing = file('nothing.mjs', 'export const x = 1;');
    expect((await asyncRejection(loadOnnxRuntime(nothing))).message).toBe(message(nothing, `"${nothing}" does not export onnxruntime's InferenceSession and Tensor`));
    const throwing = file('throwing.mjs', "throw new Error('first line\\nsecond line');");
    expect((await asyncRejection(loadOnnxRuntime(throwing))).message).toBe(message(throwing, 'first line'));
    const throwsString = file('string.mjs', "throw 'plain';");
    expect((await asyncRejection(loadOnnxRuntime(throwsString))).message).toBe(message(throwsString, 'plain'));
  });

  it('once per process: a module that appears later is still not available, one that loaded stays loaded', async () => {
    const late = join(dir, 'late.mjs');
    expect((await asyncRejection(loadOnnxRuntime(late))).check).toBe('engine.onnx-unavailable');
    file('late.mjs', fakeOrt);
    expect((await asyncRejection(loadOnnxRuntime(late))).check).toBe('engine.onnx-unavailable');
    const again = await loadOnnxRuntime(MODULE);
    expect(await loadOnnxRuntime(MODULE)).toBe(again);
  });
});

describe('checkThreads, checkExecutionProvider, onnxSessionOptions, createOnnxSession', () => {
  it('threads: default every core; a positive integer at most the cores', () => {
    // kills onnx.ts:111-116 (the default, the bounds, the messages and "core" / "cores")
    expect(checkThreads(undefined)).toBe(4);
    expect(checkThreads(1)).toBe(1);
    expect(checkThreads(4)).toBe(4);
    expect(refusal(() => checkThreads(5))).toEqual({ check: 'engine.threads', message: '5 threads requested but this machine has 4 cores: use at most 4' });
    expect(refusal(() => checkThreads(0))).toEqual({ check: 'engine.threads', message: 'threads must be a positive integer, got 0' });
    expect(refusal(() => checkThreads(-1))).toEqual({ check: 'engine.threads', message: 'threads must be a positive integer, got -1' });
    expect(refusal(() => checkThreads(1.5))).toEqual({ check: 'engine.threads', message: 'threads must be a positive integer, got 1.5' });
    vi.spyOn(os, 'availableParallelism').mockReturnValue(1);
    expect(checkThreads(undefined)).toBe(1);
    expect(refusal(() => checkThreads(2))).toEqual({ check: 'engine.threads', message: '2 threads requested but this machine has 1 core: use at most 1' });
  });

  it('execution providers: cpu and cuda', () => {
    expect(ONNX_EXECUTION_PROVIDERS).toEqual(['cpu', 'cuda']);
    expect(checkExecutionProvider('cuda')).toBe('cuda');
    expect(checkExecutionProvider('cpu')).toBe('cpu');
    expect(refusal(() => checkExecutionProvider('CPU' as 'cpu'))).toEqual({ check: 'engine.execution-provider', message: 'unknown onnxruntime execution provider "CPU": use one of cpu, cuda' });
  });

  it('session options: the provider, the threads, one inter-op thread, spinning as asked', () => {
    expect(onnxSessionOptions({ provider: 'cuda', threads: 3, spinning: true })).toEqual({
      executionProviders: ['cuda'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 3,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '1' } } },
    });
    expect(onnxSessionOptions({ provider: 'cpu', threads: 1, spinning: false }).extra).toEqual({ session: { intra_op: { allow_spinning: '0' } } });
  });

  it('createOnnxSession: the options passed, and a failure named by provider and graph', async () => {
    // kills onnx.ts:134-146 (the options, provider === 'cuda', each message with the error's first line)
    const seen: unknown[] = [];
    const session = { run: async () => ({}), release: async () => undefined };
    const runtime = (create: () => Promise<OrtSession>) => ({ ort: { InferenceSession: { create: async (model: Uint8Array, options: Record<string, unknown>) => (seen.push([model, options]), create()) } } }) as unknown as OnnxRuntimeInfo;
    const model = new Uint8Array([1, 2]);
    expect(await createOnnxSession(runtime(async () => session), model, { provider: 'cpu', threads: 2, spinning: false }, 'G')).toBe(session);
    expect(seen).toEqual([[model, onnxSessionOptions({ provider: 'cpu', threads: 2, spinning: false })]]);
    const failing = runtime(async () => {
      throw new Error('bad model\nstack');
    });
    const cpu = await asyncRejection(createOnnxSession(failing, model, { provider: 'cpu', threads: 1, spinning: false }, 'Some'));
    expect([cpu.check, cpu.message]).toEqual(['engine.onnx-session', 'onnxruntime could not load the Some graph: bad model']);
    const cuda = await asyncRejection(createOnnxSession(failing, model, { provider: 'cuda', threads: 1, spinning: false }, 'Some'));
    expect(cuda.check).toBe('engine.execution-provider-unavailable');
    expect(cuda.message).toMatch(/^onnxruntime's CUDA execution provider could not start \(bad model\); /);
    const text = await asyncRejection(
      createOnnxSession(
        runtime(async () => {
          throw 'text';
        }),
        model,
        { provider: 'cpu', threads: 1, spinning: false },
        'X',
      ),
    );
    expect(text.message).toBe('onnxruntime could not load the X graph: text');
  });
});

describe('runOnnxInChunks', () => {
  // kills onnx.ts:186-201: the chunk loop (start, n, the last partial chunk), the tensor's dims, checkUsable per chunk,
  // the runs in flight, the output check and its message, where each chunk's logits go
  class Tensor {
    constructor(
      readonly type: string,
      readonly data: Float32Array,
      readonly dims: readonly number[],
    ) {}
  }
  const shape = { count: 5, channels: 2, height: 1, width: 3, classes: 2 };
  function setUp(batchSize: number, answer?: (n: number, call: number) => unknown) {
    const log: string[] = [];
    const running = new Set<Promise<unknown>>();
    const runner: OnnxRunner = { runtime: { ort: { Tensor } } as unknown as OnnxRuntimeInfo, running, batchSize, checkUsable: () => log.push('check') };
    let call = 0;
    const session = {
      run: async (feeds: Record<string, Tensor>) => {
        const t = feeds.images;
        log.push(`run ${t.type} [${t.dims.join(',')}] ${Array.from(t.data).join(',')} in flight ${running.size}`);
        const n = t.dims[0];
        // Logits: image index·10 + class, so the order is visible.
        return { logits: { data: answer ? answer(n, call++) : Float32Array.from({ length: n * 2 }, (_, i) => t.data[Math.floor(i / 2) * 6] * 10 + (i % 2)) } };
      },
      release: async () => undefined,
    } as unknown as OrtSession;
    const chunk = (start: number, n: number) => (log.push(`chunk ${start} ${n}`), Float32Array.from({ length: n * 6 }, (_, i) => start + Math.floor(i / 6)));
    return { log, running, runner, session, chunk };
  }

  it('chunks of batchSize, the last one partial, in order', async () => {
    const { log, running, runner, session, chunk } = setUp(2);
    const out = await runOnnxInChunks(runner, session, shape, chunk);
    expect(Array.from(out)).toEqual([0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
    expect(log).toEqual([
      'chunk 0 2',
      'check',
      'run float32 [2,2,1,3] 0,0,0,0,0,0,1,1,1,1,1,1 in flight 0',
      'chunk 2 2',
      'check',
      'run float32 [2,2,1,3] 2,2,2,2,2,2,3,3,3,3,3,3 in flight 0',
      'chunk 4 1',
      'check',
      'run float32 [1,2,1,3] 4,4,4,4,4,4 in flight 0',
    ]);
    expect(running.size).toBe(0);
  });

  it('one chunk when batchSize ≥ count; a run is in flight until it answers', async () => {
    const { runner, session, chunk, running } = setUp(5);
    let during = -1;
    const original = session.run.bind(session);
    (session as { run: unknown }).run = (feeds: never) => {
      const p = original(feeds);
      queueMicrotask(() => (during = running.size));
      return p;
    };
    const out = await runOnnxInChunks(runner, session, shape, chunk);
    expect(out.length).toBe(10);
    expect(during).toBe(1);
    expect(running.size).toBe(0);
    const big = setUp(64);
    await runOnnxInChunks(big.runner, big.session, shape, big.chunk);
    expect(big.log.filter((l) => l.startsWith('chunk'))).toEqual(['chunk 0 5']);
  });

  it('a wrong output: engine.onnx-session, saying what came back', async () => {
    const message = async (answer: (n: number, call: number) => unknown) => {
      const { runner, session, chunk } = setUp(2, answer);
      const e = await asyncRejection(runOnnxInChunks(runner, session, shape, chunk));
      return [e.check, e.message];
    };
    expect(await message((n) => new Float32Array(n * 2 + 1))).toEqual(['engine.onnx-session', 'onnxruntime returned 5 float32 logits for 2 images × 2 classes']);
    expect(await message((n, call) => new Float32Array(call === 2 ? 1 : n * 2))).toEqual(['engine.onnx-session', 'onnxruntime returned 1 float32 logits for 1 images × 2 classes']);
    expect(await message((n) => new Float64Array(n * 2))).toEqual(['engine.onnx-session', 'onnxruntime returned no float32 logits for 2 images × 2 classes']);
    expect(await message(() => undefined)).toEqual(['engine.onnx-session', 'onnxruntime returned no float32 logits for 2 images × 2 classes']);
    // No `logits` output at all.
    const { runner, chunk } = setUp(2);
    const none = { run: async () => ({}), release: async () => undefined } as unknown as OrtSession;
    expect((await asyncRejection(runOnnxInChunks(runner, none, shape, chunk))).message).toBe('onnxruntime returned no float32 logits for 2 images × 2 classes');
  });

  it('a refusal of checkUsable stops before the run', async () => {
    const { log, session, chunk, runner } = setUp(2);
    let calls = 0;
    const stopping = { ...runner, checkUsable: () => (calls++ === 1 ? refuse() : undefined) };
    const refuse = () => {
      throw new Error('disposed');
    };
    await expect(runOnnxInChunks(stopping, session, shape, chunk)).rejects.toThrow('disposed');
    expect(log.filter((l) => l.startsWith('run')).length).toBe(1);
  });
});
