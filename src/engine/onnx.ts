/**
 * ConvMixer inference on onnxruntime-node: the graph is built in TypeScript
 * from the weights (src/engine/onnxGraph.ts), NCHW inside.
 *
 * Sessions: graph optimization level 'all' (onnxruntime's NCHWc layout
 * transform makes its convolutions about 4× faster here), `threads` intra-op
 * threads (default: every core) that sleep rather than spin when idle (see
 * `spinning`), sequential execution. Which graph runs is
 * chosen per image size ('auto'): the 'dense' graph where it suits
 * (denseGraphSuits: CIFAR-sized maps, e.g. ConvMixer-256/8 on 32×32), else
 * the 'conv' graph; a session is built the first time a size is seen and kept.
 *
 * onnxruntime-node is imported on first use. Its install step (downloading
 * CUDA provider binaries) is skipped by the project's .npmrc; the bundled CPU
 * library is all the CPU execution provider needs. The CUDA provider needs
 * onnxruntime-node's own CUDA binaries (see the README).
 */
import os from 'node:os';
import { fail } from '../core/errors.ts';
import { type ImageBatch, normalizeImages, normalizedImagesAs } from '../core/images.ts';
import type { ConvMixerConfig, ConvMixerWeights } from '../model/convmixer.ts';
import { type Engine, checkBatchSize, checkImagesForModel, checkNormalizedImagesForModel } from './engine.ts';
import { type OnnxGraphForm, ONNX_INPUT, ONNX_OUTPUT, buildConvMixerOnnx, denseGraphSuits } from './onnxGraph.ts';

export type OnnxExecutionProvider = 'cpu' | 'cuda';
export const ONNX_DEFAULT_BATCH_SIZE = 64;
export const ONNX_EXECUTION_PROVIDERS: readonly OnnxExecutionProvider[] = ['cpu', 'cuda'];

export interface OnnxEngineOptions {
  /** Images per session run (default 64: measured best for ConvMixer-256/8 on 32×32, see bench/RESULTS.md). */
  readonly batchSize?: number;
  /** Intra-op threads (default: os.availableParallelism()); more than the machine's cores is an error. */
  readonly threads?: number;
  /** 'cpu' (default) or 'cuda' (needs onnxruntime-node's CUDA provider installed). */
  readonly executionProvider?: OnnxExecutionProvider;
  /** Which ONNX graph: 'auto' (default: 'dense' where denseGraphSuits, else 'conv'), or force one. */
  readonly graph?: 'auto' | OnnxGraphForm;
  /**
   * Whether idle intra-op threads spin-wait for the next operator (onnxruntime's
   * default) or sleep (default here: false). Spinning gains a little on an idle
   * machine and loses badly when another process holds a core: see bench/RESULTS.md.
   */
  readonly spinning?: boolean;
  /** How the graph spells the exact GELU: the Gelu op (default) or Erf; for benchmarks (see onnxGraph.ts). */
  readonly gelu?: 'op' | 'erf';
  /** The module to import instead of "onnxruntime-node" (a custom build; tests use a missing one). */
  readonly module?: string;
}

/** The parts of onnxruntime-node's API this engine uses. */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  readonly env: { readonly versions: { readonly common: string; readonly node?: string } };
}

/** How a session runs: execution provider, intra-op threads, spinning or sleeping idle threads. */
export interface OnnxSessionSettings {
  readonly provider: OnnxExecutionProvider;
  readonly threads: number;
  readonly spinning: boolean;
}

export interface OnnxRuntimeInfo {
  readonly ort: OrtModule;
  /** e.g. "1.30.0". */
  readonly version: string;
  readonly module: string;
}

const loads = new Map<string, Promise<OnnxRuntimeInfo | { reason: string }>>();

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/**
 * Imports onnxruntime-node (or `module`) once per process. A missing or
 * unloadable library throws `engine.onnx-unavailable`, saying why.
 */
export async function loadOnnxRuntime(module = 'onnxruntime-node'): Promise<OnnxRuntimeInfo> {
  let load = loads.get(module);
  if (load === undefined) {
    load = (async () => {
      try {
        const imported = (await import(module)) as Partial<OrtModule> & { default?: Partial<OrtModule> };
        const ort = (imported.InferenceSession !== undefined ? imported : imported.default) as OrtModule | undefined;
        if (ort?.InferenceSession === undefined || ort.Tensor === undefined) return { reason: `"${module}" does not export onnxruntime's InferenceSession and Tensor` };
        return { ort, version: ort.env?.versions?.node ?? ort.env?.versions?.common ?? 'unknown', module };
      } catch (error) {
        return { reason: errorText(error) };
      }
    })();
    loads.set(module, load);
  }
  const loaded = await load;
  if ('reason' in loaded) {
    fail('engine.onnx-unavailable', `onnxruntime is not available (import "${module}" failed: ${loaded.reason}); install it with \`npm install onnxruntime-node\`, or use --engine tfjs`);
  }
  return loaded;
}

/** Checks the thread count against the machine (check `engine.threads`). */
export function checkThreads(threads: number | undefined): number {
  const cores = os.availableParallelism();
  const value = threads ?? cores;
  if (!Number.isSafeInteger(value) || value < 1) fail('engine.threads', `threads must be a positive integer, got ${String(threads)}`);
  if (value > cores) fail('engine.threads', `${value} threads requested but this machine has ${cores} core${cores === 1 ? '' : 's'}: use at most ${cores}`);
  return value;
}

/** Checks an execution provider name (check `engine.execution-provider`). */
export function checkExecutionProvider(provider: OnnxExecutionProvider): OnnxExecutionProvider {
  if (!ONNX_EXECUTION_PROVIDERS.includes(provider)) {
    fail('engine.execution-provider', `unknown onnxruntime execution provider "${String(provider)}": use one of ${ONNX_EXECUTION_PROVIDERS.join(', ')}`);
  }
  return provider;
}

/**
 * An onnxruntime session for a serialized graph, as every onnx engine runs
 * it: optimization level 'all', `threads` intra-op threads (spinning when
 * idle only if asked), sequential. A provider that cannot start throws
 * `engine.execution-provider-unavailable`, any other failure
 * `engine.onnx-session` naming the `graph`.
 */
export async function createOnnxSession(
  runtime: OnnxRuntimeInfo,
  model: Uint8Array,
  settings: OnnxSessionSettings,
  graph: string,
): Promise<OrtSession> {
  try {
    return await runtime.ort.InferenceSession.create(model, onnxSessionOptions(settings));
  } catch (error) {
    if (settings.provider === 'cuda') {
      fail(
        'engine.execution-provider-unavailable',
        `onnxruntime's CUDA execution provider could not start (${errorText(error)}); it needs CUDA 12 and onnxruntime-node's CUDA binaries (see the README), or use --execution-provider cpu`,
      );
    }
    fail('engine.onnx-session', `onnxruntime could not load the ${graph} graph: ${errorText(error)}`);
  }
}

/** The session options every engine session uses (bench/profile.ts adds onnxruntime's profiler to them). */
export function onnxSessionOptions(settings: OnnxSessionSettings): Record<string, unknown> {
  return {
    executionProviders: [settings.provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3, // errors only: no warnings about folded initializers
    extra: { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } },
  };
}

/** What an onnx engine lends the shared forward path: `running` holds the runs in flight, so dispose releases sessions only after they finish. */
export interface OnnxRunner {
  readonly runtime: OnnxRuntimeInfo;
  readonly running: Set<Promise<unknown>>;
  readonly batchSize: number;
  /** Throws `engine.disposed` once the engine is disposed. */
  readonly checkUsable: () => void;
}

/**
 * The forward path shared by the onnx engines: chunks of batchSize images,
 * each given as NCHW float32 by `chunk`, run through `session`; logits
 * [count, classes]. Checks `engine.onnx-session` (a wrong output).
 */
export async function runOnnxInChunks(
  runner: OnnxRunner,
  session: OrtSession,
  shape: { readonly count: number; readonly channels: number; readonly height: number; readonly width: number; readonly classes: number },
  chunk: (start: number, n: number) => Float32Array,
): Promise<Float32Array> {
  const { count, channels, height, width, classes } = shape;
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += runner.batchSize) {
    const n = Math.min(runner.batchSize, count - start);
    const input = new runner.runtime.ort.Tensor('float32', chunk(start, n), [n, channels, height, width]);
    runner.checkUsable();
    const run = session.run({ [ONNX_INPUT]: input });
    runner.running.add(run);
    const data = (await run.finally(() => runner.running.delete(run)))[ONNX_OUTPUT]?.data;
    if (!(data instanceof Float32Array) || data.length !== n * classes) {
      fail('engine.onnx-session', `onnxruntime returned ${data instanceof Float32Array ? data.length : 'no'} float32 logits for ${n} images × ${classes} classes`);
    }
    out.set(data, start * classes);
  }
  return out;
}

class OnnxEngine implements Engine {
  readonly name = 'onnx';
  readonly config: ConvMixerConfig;
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  /** Session runs in flight: dispose releases the sessions only after they finish. */
  private readonly running = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(
    private readonly weights: ConvMixerWeights,
    private readonly runtime: OnnxRuntimeInfo,
    readonly backend: OnnxExecutionProvider,
    readonly threads: number,
    private readonly batchSize: number,
    private readonly graph: 'auto' | OnnxGraphForm,
    private readonly gelu: 'op' | 'erf',
    private readonly spinning: boolean,
  ) {
    this.config = weights.config;
  }

  get version(): string {
    const forms = [...new Set([...this.sessions.keys()].map((key) => key.split(':')[0]))];
    const graph = this.graph === 'auto' ? (forms.length > 0 ? `${forms.join('+')} graph` : 'auto graph') : `${this.graph} graph`;
    const gelu = this.gelu === 'op' ? '' : ', GELU via Erf';
    const spinning = this.threads > 1 && this.spinning ? ', spinning' : '';
    return `${this.runtime.module} ${this.runtime.version} (${this.backend.toUpperCase()} execution provider, ${this.threads} intra-op thread${this.threads === 1 ? '' : 's'}${spinning}, ${graph}${gelu})`;
  }

  /** The graph form that runs H×W images. */
  graphFor(height: number, width: number): OnnxGraphForm {
    if (this.graph !== 'auto') return this.graph;
    return denseGraphSuits(this.config, height, width) ? 'dense' : 'conv';
  }

  /** The session for H×W images, built on first use (one 'conv' session serves every size). */
  session(height: number, width: number): Promise<OrtSession> {
    return this.sessionFor(this.graphFor(height, width), height, width);
  }

  sessionFor(form: OnnxGraphForm, height: number, width: number): Promise<OrtSession> {
    const key = form === 'dense' ? `dense:${height}x${width}` : 'conv';
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = this.createSession(buildConvMixerOnnx(this.weights, { form, height, width, gelu: this.gelu }));
      this.sessions.set(key, session);
      // A failed build is not kept: the next call tries again (and fails with the same message).
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  createSession(model: Uint8Array): Promise<OrtSession> {
    return createOnnxSession(this.runtime, model, { provider: this.backend, threads: this.threads, spinning: this.spinning }, 'ConvMixer');
  }

  async logits(images: ImageBatch<Uint8Array>): Promise<Float32Array> {
    this.checkUsable();
    const batch = checkImagesForModel(images, this.config);
    return this.forward(batch.shape.count, batch.shape.height, batch.shape.width, (start, n) => normalizeImages(batch, start, n, 'NCHW'));
  }

  async logitsNormalized(images: ImageBatch<Float32Array>): Promise<Float32Array> {
    this.checkUsable();
    const batch = checkNormalizedImagesForModel(images, this.config);
    return this.forward(batch.shape.count, batch.shape.height, batch.shape.width, (start, n) => normalizedImagesAs(batch, start, n, 'NCHW'));
  }

  private async forward(count: number, height: number, width: number, chunk: (start: number, n: number) => Float32Array): Promise<Float32Array> {
    const session = await this.session(height, width);
    const runner = { runtime: this.runtime, running: this.running, batchSize: this.batchSize, checkUsable: () => this.checkUsable() };
    return runOnnxInChunks(runner, session, { count, channels: this.config.channels, height, width, classes: this.config.classes }, chunk);
  }

  private checkUsable(): void {
    if (this.disposed) fail('engine.disposed', 'this onnx engine has been disposed');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    void Promise.allSettled([...this.running]).then(() => {
      for (const session of sessions) session.then((s) => s.release()).catch(() => undefined);
    });
  }
}

/**
 * A ConvMixer engine on onnxruntime-node. Checks `engine.batch-size`,
 * `engine.threads`, `engine.execution-provider`, `engine.onnx-unavailable`
 * (onnxruntime does not load), `engine.execution-provider-unavailable` (CUDA
 * requested but its provider does not start), `engine.onnx-graph`.
 */
export async function createOnnxEngine(weights: ConvMixerWeights, options: OnnxEngineOptions = {}): Promise<Engine> {
  const batchSize = checkBatchSize(options.batchSize ?? ONNX_DEFAULT_BATCH_SIZE);
  const threads = checkThreads(options.threads);
  const provider = options.executionProvider ?? 'cpu';
  checkExecutionProvider(provider);
  const graph = options.graph ?? 'auto';
  if (graph !== 'auto' && graph !== 'conv' && graph !== 'dense') fail('engine.onnx-graph', `unknown ONNX graph "${String(graph)}": use auto, conv or dense`);
  const gelu = options.gelu ?? 'op';
  const spinning = options.spinning ?? false;
  if (typeof spinning !== 'boolean') fail('engine.spinning', `spinning must be true or false, got ${String(spinning)}`);
  const runtime = await loadOnnxRuntime(options.module);
  const engine = new OnnxEngine(weights, runtime, provider, threads, batchSize, graph, gelu, spinning);
  if (provider === 'cuda') {
    // Start the provider now: one that cannot start fails here, not at the first images.
    try {
      await engine.sessionFor('conv', weights.config.patch, weights.config.patch);
    } catch (error) {
      engine.dispose();
      throw error;
    }
  } else {
    buildConvMixerOnnx(weights, { form: 'conv', gelu }); // a model (or GELU form) the engine cannot build fails here
  }
  return engine;
}
