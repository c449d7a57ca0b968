/**
 * System B's ResNet on onnxruntime-node (Engine<ResNetConfig>), NCHW: the
 * graph is built in TypeScript from the weights (buildResNetOnnx in
 * src/engine/onnxGraph.ts), one session for every image size. Session options
 * as the ConvMixer's onnx engine (src/engine/onnx.ts): optimization level
 * 'all', `threads` intra-op threads that sleep when idle, sequential.
 */
import { fail } from '../core/errors.ts';
import { type ImageBatch, normalizeImages, normalizedImagesAs } from '../core/images.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import { type Engine, checkBatchSize } from './engine.ts';
import { ONNX_DEFAULT_BATCH_SIZE, type OnnxEngineOptions, type OnnxExecutionProvider, type OnnxRuntimeInfo, type OrtSession, checkExecutionProvider, checkThreads, createOnnxSession, loadOnnxRuntime, runOnnxInChunks } from './onnx.ts';
import { buildResNetOnnx } from './onnxGraph.ts';
import { checkImagesForResNet } from './resnetTfjs.ts';

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

  private forward(count: number, height: number, width: number, chunk: (start: number, n: number) => Float32Array): Promise<Float32Array> {
    const runner = { runtime: this.runtime, running: this.running, batchSize: this.batchSize, checkUsable: () => this.checkUsable() };
    return runOnnxInChunks(runner, this.session, { count, channels: this.config.channels, height, width, classes: this.config.classes }, chunk);
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
  checkExecutionProvider(provider);
  const runtime = await loadOnnxRuntime(options.module);
  const session = await createOnnxSession(runtime, buildResNetOnnx(weights), { provider, threads, spinning: false }, 'ResNet');
  return new OnnxResNetEngine(weights, runtime, session, provider, threads, batchSize);
}
