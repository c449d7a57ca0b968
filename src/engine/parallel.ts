/**
 * A pool of worker threads, each with its own tfjs engine built from the same
 * weights, behind the Engine interface. The wasm backend computes on one
 * thread in Node; this spreads a large evaluation over several cores.
 *
 * Images are cut into chunks of at most `batchSize` (fewer when that leaves a
 * worker idle), queued, and handed to whichever worker is free; the logits
 * come back in image order whatever order the chunks finish in.
 *
 * Workers run worker.ts directly from TypeScript through tsx's loader (see
 * workerEntry), whether the parent runs under tsx, vitest or plain node; the
 * compiled package (dist/) runs worker.js as it is.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CipherpatchError, fail } from '../core/errors.ts';
import { type ImageBatch, sliceImages } from '../core/images.ts';
import { type ConvMixerConfig, type ConvMixerWeights, convMixerWeightsToTensors } from '../model/convmixer.ts';
import { type Engine, type TfjsBackendRequest, checkBatchSize, checkImagesForModel, checkNormalizedImagesForModel } from './engine.ts';
import type { LogitsRequest, WorkerFailure, WorkerInit, WorkerMessage } from './workerProtocol.ts';

export interface ParallelEngineOptions {
  readonly backend?: TfjsBackendRequest;
  readonly batchSize?: number;
  readonly workers: number;
}

/** 8-bit images (logits) or normalized float32 images (logitsNormalized). */
type JobImages = ImageBatch<Uint8Array> | ImageBatch<Float32Array>;

interface Job {
  readonly id: number;
  readonly images: JobImages;
  readonly resolve: (logits: Float32Array) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  job: Job | undefined;
}

function workerError(failure: WorkerFailure, context: string): Error {
  return failure.check !== undefined ? new CipherpatchError(failure.check, failure.message) : new CipherpatchError('engine.worker', `${context}: ${failure.message}`);
}

/**
 * The worker's entry. Compiled (this module is a .js file): worker.js beside
 * it. From the sources: a tiny ESM module (as a data: URL) that registers
 * tsx's TypeScript loader inside the new thread and then imports worker.ts.
 * Passing `execArgv: ['--import', 'tsx']` does not work for worker threads on
 * Node 20 (tsx's loader registers itself on the main thread only: "Unknown
 * file extension .ts"), whereas calling tsx's register() in the worker does.
 */
function workerEntry(): URL {
  if (import.meta.url.endsWith('.js')) return new URL('./worker.js', import.meta.url);
  const api = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const worker = new URL('./worker.ts', import.meta.url).href;
  const source = `import { register } from ${JSON.stringify(pathToFileURL(api).href)};\nregister();\nawait import(${JSON.stringify(worker)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

class ParallelEngine implements Engine {
  readonly name = 'tfjs-parallel';
  private readonly queue: Job[] = [];
  private nextId = 0;
  private disposed = false;

  constructor(
    readonly config: ConvMixerConfig,
    private readonly pool: PoolWorker[],
    readonly backend: string,
    readonly threads: number,
    readonly version: string,
    private readonly batchSize: number,
  ) {
    for (const member of pool) {
      member.worker.on('message', (message: WorkerMessage) => this.onMessage(member, message));
      member.worker.on('error', (error) => this.onFailure(member, new CipherpatchError('engine.worker', `a worker thread failed: ${error.message}`)));
      member.worker.on('exit', (code) => {
        if (!this.disposed) this.onFailure(member, new CipherpatchError('engine.worker', `a worker thread exited unexpectedly (code ${code})`));
      });
      member.worker.unref();
    }
  }

  async logits(images: ImageBatch<Uint8Array>): Promise<Float32Array> {
    if (this.disposed) fail('engine.disposed', 'this parallel engine has been disposed');
    return this.run(checkImagesForModel(images, this.config));
  }

  async logitsNormalized(images: ImageBatch<Float32Array>): Promise<Float32Array> {
    if (this.disposed) fail('engine.disposed', 'this parallel engine has been disposed');
    return this.run(checkNormalizedImagesForModel(images, this.config));
  }

  /** The shared path: chunks queued to the workers, logits put back in image order. */
  private async run(batch: JobImages): Promise<Float32Array> {
    const { count } = batch.shape;
    const classes = this.config.classes;
    const out = new Float32Array(count * classes);
    const chunk = Math.min(this.batchSize, Math.ceil(count / this.pool.length));
    const parts: Promise<void>[] = [];
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const view = sliceImages<Uint8Array | Float32Array>(batch, start, n);
      // A copy, so that transferring it leaves the caller's array intact.
      const own = { ...view, data: view.data.slice() } as JobImages;
      parts.push(
        new Promise<Float32Array>((resolve, reject) => this.queue.push({ id: this.nextId++, images: own, resolve, reject })).then((logits) => {
          if (logits.length !== n * classes) fail('engine.worker', `a worker returned ${logits.length} logits for ${n} images × ${classes} classes`);
          out.set(logits, start * classes);
        }),
      );
    }
    this.dispatch();
    await Promise.all(parts);
    return out;
  }

  private dispatch(): void {
    for (const member of this.pool) {
      if (member.job !== undefined) continue;
      const job = this.queue.shift();
      if (job === undefined) return;
      member.job = job;
      member.worker.ref(); // keep the process alive while a worker computes
      const request: LogitsRequest = { type: 'logits', id: job.id, data: job.images.data, shape: job.images.shape, layout: job.images.layout };
      member.worker.postMessage(request, [job.images.data.buffer as ArrayBuffer]);
    }
  }

  private finish(member: PoolWorker): Job | undefined {
    const job = member.job;
    member.job = undefined;
    member.worker.unref();
    return job;
  }

  private onMessage(member: PoolWorker, message: WorkerMessage): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const job = this.finish(member);
    if (job === undefined || job.id !== message.id) {
      this.onFailure(member, new CipherpatchError('engine.worker', `a worker answered request ${message.id}, which it was not working on`));
      return;
    }
    if (message.type === 'result') job.resolve(message.logits);
    else job.reject(workerError(message.error, 'a worker failed'));
    this.dispatch();
  }

  /** A worker broke: fail its job and everything queued, and stop the pool (its state is unknown). */
  private onFailure(member: PoolWorker, error: Error): void {
    if (this.disposed) return;
    member.job?.reject(error);
    member.job = undefined;
    for (const job of this.queue.splice(0)) job.reject(error);
    this.dispose(error);
  }

  dispose(reason?: Error): void {
    if (this.disposed) return;
    this.disposed = true;
    const error = reason ?? new CipherpatchError('engine.disposed', 'the parallel engine was disposed while images were pending');
    for (const member of this.pool) {
      member.job?.reject(error);
      member.job = undefined;
      void member.worker.terminate();
    }
    for (const job of this.queue.splice(0)) job.reject(error);
  }
}

function startWorker(init: WorkerInit, transfer: ArrayBuffer[]): Promise<{ worker: Worker; ready: Extract<WorkerMessage, { type: 'ready' }> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry(), { workerData: init, transferList: transfer });
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: WorkerMessage) => {
      cleanup();
      if (message.type === 'ready') resolve({ worker, ready: message });
      else {
        void worker.terminate();
        reject(message.type === 'init-error' ? workerError(message.error, 'a worker could not start its engine') : new CipherpatchError('engine.worker', `unexpected first message "${message.type}" from a worker`));
      }
    };
    const onError = (error: Error) => {
      cleanup();
      void worker.terminate();
      reject(new CipherpatchError('engine.worker', `a worker thread failed to start: ${error.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new CipherpatchError('engine.worker', `a worker thread exited during start-up (code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Starts `workers` threads, each building a tfjs engine from the weights (sent
 * as transferred copies of the float32 arrays) with the same backend request
 * and batch size, and waits until all are ready. Checks `engine.workers`,
 * `engine.worker` (a thread failed), and whatever a worker's engine throws.
 */
export async function createParallelEngine(weights: ConvMixerWeights, options: ParallelEngineOptions): Promise<Engine> {
  const { workers } = options;
  if (!Number.isSafeInteger(workers) || workers < 1) fail('engine.workers', `workers must be a positive integer, got ${String(workers)}`);
  const batchSize = checkBatchSize(options.batchSize);
  const backend = options.backend ?? 'auto';
  const tensors = [...convMixerWeightsToTensors(weights)];
  const started = await Promise.allSettled(
    Array.from({ length: workers }, () => {
      const copies = tensors.map(([name, t]) => [name, t.shape, t.data.slice()] as const);
      const init: WorkerInit = { config: weights.config, tensors: copies, backend, batchSize };
      return startWorker(init, copies.map(([, , data]) => data.buffer as ArrayBuffer));
    }),
  );
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    for (const s of started) if (s.status === 'fulfilled') void s.value.worker.terminate();
    throw (failed as PromiseRejectedResult).reason;
  }
  const ready = started.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof startWorker>>>).value);
  const first = ready[0].ready;
  const mixed = ready.find((r) => r.ready.backend !== first.backend);
  if (mixed !== undefined) {
    for (const r of ready) void r.worker.terminate();
    fail('engine.worker', `workers started different backends ("${first.backend}" and "${mixed.ready.backend}")`);
  }
  const threads = ready.reduce((sum, r) => sum + r.ready.threads, 0);
  const version = `${first.version}; ${workers} worker thread${workers === 1 ? '' : 's'}`;
  return new ParallelEngine(
    weights.config,
    ready.map((r) => ({ worker: r.worker, job: undefined })),
    first.backend,
    threads,
    version,
    batchSize,
  );
}
