/**
 * System B's ResNet on onnxruntime-node (Engine<ResNetConfig>), NCHW: the
 * graph is built in TypeScript from the weights (buildResNetOnnx in
 * src/engine/onnxGraph.ts), one session for every image size. Session options
 * as the ConvMixer's onnx engine (src/engine/onnx.ts): optimization level
 * 'all', `threads` intra-op threads that sleep when idle, sequential.
 */
import { fail } from '../core/errors.ts';
import type { ImageBatch } from '../core/images.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import { type Engine, checkBatchSize, normalizeImages, normalizedImagesAs } from './engine.ts';
import { ONNX_DEFAULT_BATCH_SIZE, ONNX_EXECUTION_PROVIDERS, type OnnxEngineOptions, type OnnxExecutionProvider, type OnnxRuntimeInfo, checkThreads, loadOnnxRuntime } from './onnx.ts';
import { ONNX_INPUT, ONNX_OUTPUT, buildResNetOnnx } from './onnxGraph.ts';
import { checkImagesForResNet } from './resnetTfjs.ts';

type OrtSession = Awaited<ReturnType<OnnxRuntimeInfo['ort']['InferenceSession']['create']>>;

class OnnxResNetEngine implements Engine<ResNetConfig> {
  readonly name = 'onnx';
  readonly config: ResNetConfig;
  private readonly running = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(
    weights: ResNetWeights,
    private readonly runtime: OnnxRuntimeInfo,
    private readonly session: OrtSession,
    readonly backend: OnnxExecutionProvider,
    readonly threads: number,
    private readonly batchSize: number,
  ) {
    this.config = weights.config;
  }

  get version(): string {
    return `${this.runtime.module} ${this.runtime.version} (${this.backend.toUpperCase()} execution provider, ${this.threads} intra-op thread${this.threads === 1 ? '' : 's'}, ResNet conv graph)`;
  }

  async logits(images: ImageBatch<Uint8Array>): Promise<Float32Array> {
    this.checkUsable();
    const batch = checkImagesForResNet(images, this.config, 'uint8');
    return this.forward(batch.shape.count, batch.shape.height, batch.shape.width, (start, n) => normalizeImages(batch, start, n, 'NCHW'));
  }

  async logitsNormalized(images: ImageBatch<Float32Array>): Promise<Float32Array> {
    this.checkUsable();
    const batch = checkImagesForResNet(images, this.config, 'float32');
    return this.forward(batch.shape.count, batch.shape.height, batch.shape.width, (start, n) => normalizedImagesAs(batch, start, n, 'NCHW'));
  }

  private async forward(count: number, height: number, width: number, chunk: (start: number, n: number) => Float32Array): Promise<Float32Array> {
    const { channels, classes } = this.config;
    const out = new Float32Array(count * classes);
    for (let start = 0; start < count; start += this.batchSize) {
      const n = Math.min(this.batchSize, count - start);
      const input = new this.runtime.ort.Tensor('float32', chunk(start, n), [n, channels, height, width]);
      this.checkUsable();
      const run = this.session.run({ [ONNX_INPUT]: input });
      this.running.add(run);
      const data = (await run.finally(() => this.running.delete(run)))[ONNX_OUTPUT]?.data;
      if (!(data instanceof Float32Array) || data.length !== n * classes) {
        fail('engine.onnx-session', `onnxruntime returned ${data instanceof Float32Array ? data.length : 'no'} float32 logits for ${n} images × ${classes} classes`);
      }
      out.set(data, start * classes);
    }
    return out;
  }

  private checkUsable(): void {
    if (this.disposed) fail('engine.disposed', 'this onnx engine has been disposed');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void Promise.allSettled([...this.running]).then(() => this.session.release().catch(() => undefined));
  }
}

/**
 * A ResNet engine on onnxruntime-node. Checks `engine.batch-size`,
 * `engine.threads`, `engine.execution-provider`, `engine.onnx-unavailable`,
 * `engine.execution-provider-unavailable`, `engine.onnx-session`.
 */
export async function createOnnxResNetEngine(weights: ResNetWeights, options: Pick<OnnxEngineOptions, 'batchSize' | 'threads' | 'executionProvider' | 'module'> = {}): Promise<Engine<ResNetConfig>> {
  const batchSize = checkBatchSize(options.batchSize ?? ONNX_DEFAULT_BATCH_SIZE);
  const threads = checkThreads(options.threads);
  const provider = options.executionProvider ?? 'cpu';
  if (!ONNX_EXECUTION_PROVIDERS.includes(provider)) fail('engine.execution-provider', `unknown onnxruntime execution provider "${String(provider)}": use one of ${ONNX_EXECUTION_PROVIDERS.join(', ')}`);
  const runtime = await loadOnnxRuntime(options.module);
  const sessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  let session: OrtSession;
  try {
    session = await runtime.ort.InferenceSession.create(buildResNetOnnx(weights), sessionOptions);
  } catch (error) {
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (provider === 'cuda') fail('engine.execution-provider-unavailable', `onnxruntime's CUDA execution provider could not start (${text}); use --execution-provider cpu`);
    fail('engine.onnx-session', `onnxruntime could not load the ResNet graph: ${text}`);
  }
  return new OnnxResNetEngine(weights, runtime, session, provider, threads, batchSize);
}
