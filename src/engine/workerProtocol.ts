/**
 * What a worker thread of the parallel engine (src/engine/parallel.ts) does,
 * as plain functions of a `post` callback, so tests run it in-process
 * (worker.ts, the thread's entry, only wires them to parentPort):
 *
 *   workerData: WorkerInit (weight arrays arrive transferred, not copied)
 *   parent → worker: LogitsRequest
 *   worker → parent: WorkerMessage
 */
import { CipherpatchError } from '../core/errors.ts';
import type { BatchShape, Layout } from '../core/images.ts';
import { type ConvMixerConfig, convMixerWeightsFromTensors } from '../model/convmixer.ts';
import type { Engine, TfjsBackendRequest } from './engine.ts';
import { createTfjsEngine } from './tfjs.ts';

export interface WorkerInit {
  readonly config: ConvMixerConfig;
  /** State-dict tensors: name, shape, float32 data. */
  readonly tensors: readonly (readonly [string, readonly number[], Float32Array])[];
  readonly backend: TfjsBackendRequest;
  readonly batchSize: number;
}

export interface LogitsRequest {
  readonly type: 'logits';
  readonly id: number;
  /** 8-bit images (engine.logits) or normalized float32 images (engine.logitsNormalized). */
  readonly data: Uint8Array | Float32Array;
  readonly shape: BatchShape;
  readonly layout: Layout;
}

export interface WorkerFailure {
  readonly check: string | undefined;
  readonly message: string;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly backend: string; readonly version: string; readonly threads: number }
  | { readonly type: 'init-error'; readonly error: WorkerFailure }
  | { readonly type: 'result'; readonly id: number; readonly logits: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerFailure };

/** Sends a message to the parent, transferring the listed buffers. */
export type PostMessage = (message: WorkerMessage, transfer?: ArrayBuffer[]) => void;

export function failure(error: unknown): WorkerFailure {
  if (error instanceof CipherpatchError) return { check: error.check, message: error.message };
  return { check: undefined, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

/** Builds the worker's tfjs engine and posts 'ready', or posts 'init-error' and returns undefined. */
export async function startWorkerEngine(init: WorkerInit, post: PostMessage): Promise<Engine | undefined> {
  try {
    const tensors = new Map(init.tensors.map(([name, shape, data]) => [name, { shape, data }] as const));
    const engine = await createTfjsEngine(convMixerWeightsFromTensors(tensors, init.config), { backend: init.backend, batchSize: init.batchSize });
    post({ type: 'ready', backend: engine.backend, version: engine.version, threads: engine.threads });
    return engine;
  } catch (error) {
    // The parent terminates this thread when it reads the error.
    post({ type: 'init-error', error: failure(error) });
    return undefined;
  }
}

/**
 * The handler of the parent's requests: answered one at a time, in arrival
 * order, each with 'result' (the logits' buffer transferred) or 'error'. The
 * returned promise settles once this request is answered (for tests; the
 * thread ignores it).
 */
export function answerRequests(engine: Engine, post: PostMessage): (request: LogitsRequest) => Promise<void> {
  let queue = Promise.resolve();
  return (request: LogitsRequest) => {
    queue = queue.then(async () => {
      try {
        const { data, shape, layout } = request;
        const logits = data instanceof Float32Array ? await engine.logitsNormalized({ data, shape, layout }) : await engine.logits({ data, shape, layout });
        post({ type: 'result', id: request.id, logits }, [logits.buffer as ArrayBuffer]);
      } catch (error) {
        post({ type: 'error', id: request.id, error: failure(error) });
      }
    });
    return queue;
  };
}
