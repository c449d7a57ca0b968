/**
 * The parallel engine's pool (parallel.ts), fast, for mutation runs (issue
 * 25): node:worker_threads' Worker replaced by an in-process stand-in
 * (vi.mock) that records what it is sent and answers as a test tells it —
 * no thread, no tfjs. A stand-in worker's logits for an image are
 * (first pixel, image count of its chunk), so where each chunk's logits land
 * is visible. Expected values are worked by hand from the module's comment:
 * chunks of min(batchSize, ⌈count / workers⌉), queued, handed to whichever
 * worker is free, logits back in image order.
 */
import type { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import type { ImageBatch } from '../core/images.ts';
import { convMixerWeightsToTensors, randomConvMixerWeights } from '../model/convmixer.ts';
import { createParallelEngine } from './parallel.ts';
import type { LogitsRequest, WorkerInit, WorkerMessage } from './workerProtocol.ts';

/** What a stand-in worker does when it starts and when it gets a request (set per test). */
interface Script {
  start: (w: FakeWorker, index: number) => void;
  answer: (w: FakeWorker, request: LogitsRequest) => void;
}
interface FakeWorker extends EventEmitter {
  readonly entry: URL;
  readonly options: { workerData: WorkerInit; transferList: ArrayBuffer[] };
  readonly sent: { request: LogitsRequest; transfer: ArrayBuffer[] }[];
  readonly log: string[];
  terminated: number;
  refs: number;
}
const pool = vi.hoisted(() => ({ workers: [] as FakeWorker[], script: undefined as unknown as Script }));

// The stand-in thread: records what it is sent, starts and answers as `pool.script` says.
vi.mock('node:worker_threads', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class Worker extends Emitter {
    readonly sent: { request: LogitsRequest; transfer: ArrayBuffer[] }[] = [];
    readonly log: string[] = [];
    terminated = 0;
    refs = 0;
    constructor(
      readonly entry: URL,
      readonly options: { workerData: WorkerInit; transferList: ArrayBuffer[] },
    ) {
      super();
      const index = pool.workers.push(this as unknown as FakeWorker) - 1;
      setImmediate(() => pool.script.start(this as unknown as FakeWorker, index));
    }
    postMessage(request: LogitsRequest, transfer: ArrayBuffer[]) {
      this.log.push(`request ${request.id}`);
      this.sent.push({ request, transfer });
      pool.script.answer(this as unknown as FakeWorker, request);
    }
    terminate() {
      this.terminated++;
      return Promise.resolve(0);
    }
    ref() {
      this.refs++;
      this.log.push('ref');
    }
    unref() {
      this.refs--;
      this.log.push('unref');
    }
  }
  return { Worker };
});

const ready = (w: FakeWorker, backend = 'cpu', threads = 1) => w.emit('message', { type: 'ready', backend, version: 'tfjs stand-in', threads } satisfies WorkerMessage);
/** Logits (first pixel, count) per image: classes = 2. */
const logitsFor = (request: LogitsRequest) => {
  const size = request.data.length / request.shape.count;
  return Float32Array.from({ length: request.shape.count * 2 }, (_, i) => (i % 2 === 0 ? request.data[(i / 2) * size] : request.shape.count));
};
const answerNow = (w: FakeWorker, request: LogitsRequest) => queueMicrotask(() => w.emit('message', { type: 'result', id: request.id, logits: logitsFor(request) } satisfies WorkerMessage));
const DEFAULT_SCRIPT: Script = { start: (w) => ready(w), answer: answerNow };
const workers = pool.workers;
let script: Script = DEFAULT_SCRIPT;
const setScript = (s: Script) => {
  script = s;
  pool.script = s;
};

const config = { dim: 2, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 };
const weights = randomConvMixerWeights(config, 'parallel-units');
const imagesOf = (count: number): ImageBatch<Uint8Array> => ({ data: Uint8Array.from({ length: count * 4 }, (_, i) => (i % 4 === 0 ? 10 + i / 4 : 0)), shape: { count, height: 2, width: 2, channels: 1 }, layout: 'NHWC' });

beforeEach(() => {
  setScript(DEFAULT_SCRIPT);
  workers.length = 0;
});
afterEach(() => vi.restoreAllMocks());

// A broken pool leaves a promise pending: fail in 3 s (the tests take milliseconds) rather than at Stryker's timeout.
describe('createParallelEngine: start-up (parallel.ts mutation kills)', { timeout: 3000 }, () => {
  it('each worker gets the config, its own transferred copy of every tensor, the backend and the batch size', async () => {
    // kills parallel.ts:228-236 (the defaults 'auto' and 32, the copies and their transfer list), :50-57 workerEntry, :238-246 the fields
    const engine = await createParallelEngine(weights, { workers: 2 });
    const tensors = [...convMixerWeightsToTensors(weights)];
    expect(workers.length).toBe(2);
    for (const w of workers) {
      const { workerData, transferList } = w.options;
      expect([workerData.config, workerData.backend, workerData.batchSize]).toEqual([config, 'auto', 32]);
      expect(workerData.tensors.map(([name, shape, data]) => [name, shape, Array.from(data)])).toEqual(tensors.map(([name, t]) => [name, t.shape, Array.from(t.data)]));
      expect(transferList).toEqual(workerData.tensors.map(([, , data]) => data.buffer));
      for (const [i, [, , data]] of workerData.tensors.entries()) expect(data.buffer).not.toBe(tensors[i][1].data.buffer);
      // From the sources: a data: URL that registers tsx's loader, then imports worker.ts beside parallel.ts.
      const source = decodeURIComponent(w.entry.href.replace(/^data:text\/javascript,/, ''));
      expect(w.entry.href.startsWith('data:text/javascript,')).toBe(true);
      expect(source).toMatch(/^import \{ register \} from "file:\/\/\/.*\/tsx\/dist\/esm\/api\/index\.mjs";\nregister\(\);\nawait import\("file:\/\/\/.*\/src\/engine\/worker\.ts"\);\n$/);
    }
    expect(workers[0].options.workerData.tensors[0][2]).not.toBe(workers[1].options.workerData.tensors[0][2]);
    expect([engine.name, engine.backend, engine.threads, engine.version, engine.config]).toEqual(['tfjs-parallel', 'cpu', 2, 'tfjs stand-in; 2 worker threads', config]);
    // Start-up's own listeners are gone; the engine's (message, error, exit) remain, one each; the workers are unref'd.
    for (const w of workers) expect(['message', 'error', 'exit'].map((e) => w.listenerCount(e))).toEqual([1, 1, 1]);
    expect(workers.map((w) => w.refs)).toEqual([-1, -1]);
    engine.dispose();
  });

  it('one worker; threads add up over the workers; the backend and batch size asked for go to every worker', async () => {
    setScript({ ...DEFAULT_SCRIPT, start: (w) => ready(w, 'wasm', 4) });
    const one = await createParallelEngine(weights, { workers: 1, backend: 'wasm', batchSize: 3 });
    expect([one.version, one.threads, one.backend]).toEqual(['tfjs stand-in; 1 worker thread', 4, 'wasm']);
    expect([workers[0].options.workerData.backend, workers[0].options.workerData.batchSize]).toEqual(['wasm', 3]);
    one.dispose();
    const three = await createParallelEngine(weights, { workers: 3 });
    expect(three.threads).toBe(12);
    three.dispose();
  });

  it('bad worker counts and batch sizes are refused before any thread starts', async () => {
    for (const workersAsked of [0, -1, 1.5, Number.NaN]) {
      const e = await asyncRejection(createParallelEngine(weights, { workers: workersAsked }));
      expect([e.check, e.message]).toEqual(['engine.workers', `workers must be a positive integer, got ${workersAsked}`]);
    }
    expect((await asyncRejection(createParallelEngine(weights, { workers: 1, batchSize: 0 }))).check).toBe('engine.batch-size');
    expect(workers.length).toBe(0);
  });

  it('a worker that cannot start: its error (check kept, or engine.worker), the others terminated', async () => {
    // kills parallel.ts:188-197 (onMessage: ready or not, the messages), :237-241 (the first failure thrown, the started ones terminated), workerError
    setScript({ ...DEFAULT_SCRIPT, start: (w, i) => (i === 1 ? w.emit('message', { type: 'init-error', error: { check: 'engine.backend-unavailable', message: 'no wasm' } }) : ready(w)) });
    const e = await asyncRejection(createParallelEngine(weights, { workers: 3 }));
    expect([e.check, e.message]).toEqual(['engine.backend-unavailable', 'no wasm']);
    expect(workers.map((w) => w.terminated)).toEqual([1, 1, 1]);
    workers.length = 0;
    setScript({ ...DEFAULT_SCRIPT, start: (w) => w.emit('message', { type: 'init-error', error: { check: undefined, message: 'Error: boom\n  at x' } }) });
    const u = await asyncRejection(createParallelEngine(weights, { workers: 1 }));
    expect([u.check, u.message]).toEqual(['engine.worker', 'a worker could not start its engine: Error: boom\n  at x']);
    workers.length = 0;
    setScript({ ...DEFAULT_SCRIPT, start: (w) => w.emit('message', { type: 'result', id: 0, logits: new Float32Array(0) }) });
    const r = await asyncRejection(createParallelEngine(weights, { workers: 1 }));
    expect([r.check, r.message]).toEqual(['engine.worker', 'unexpected first message "result" from a worker']);
    expect(workers[0].terminated).toBe(1);
    for (const event of ['message', 'error', 'exit']) expect(workers[0].listenerCount(event)).toBe(0);
  });

  it("a thread that errs or exits during start-up; workers that started different backends", async () => {
    // kills parallel.ts:199-208 (onError, onExit: cleanup, terminate, the messages), :242-247 (the mixed backends)
    setScript({ ...DEFAULT_SCRIPT, start: (w) => w.emit('error', new Error('no loader')) });
    const e = await asyncRejection(createParallelEngine(weights, { workers: 1 }));
    expect([e.check, e.message]).toEqual(['engine.worker', 'a worker thread failed to start: no loader']);
    expect(workers[0].terminated).toBe(1);
    expect(['message', 'error', 'exit'].map((x) => workers[0].listenerCount(x))).toEqual([0, 0, 0]);
    workers.length = 0;
    setScript({ ...DEFAULT_SCRIPT, start: (w) => w.emit('exit', 7) });
    const x = await asyncRejection(createParallelEngine(weights, { workers: 1 }));
    expect([x.check, x.message]).toEqual(['engine.worker', 'a worker thread exited during start-up (code 7)']);
    expect(['message', 'error', 'exit'].map((n) => workers[0].listenerCount(n))).toEqual([0, 0, 0]);
    workers.length = 0;
    setScript({ ...DEFAULT_SCRIPT, start: (w, i) => ready(w, i === 2 ? 'wasm' : 'cpu') });
    const m = await asyncRejection(createParallelEngine(weights, { workers: 3 }));
    expect([m.check, m.message]).toEqual(['engine.worker', 'workers started different backends ("cpu" and "wasm")']);
    expect(workers.map((w) => w.terminated)).toEqual([1, 1, 1]);
  });
});

describe('the pool at work', { timeout: 3000 }, () => {
  it('chunks of min(batchSize, ⌈count / workers⌉), queued to free workers, logits in image order; the caller keeps its pixels', async () => {
    // kills parallel.ts:97-116 (the chunk size, each chunk's slice, the copy, where the logits go), :119-129 dispatch, :139-150 onMessage
    const held: (() => void)[] = [];
    // Answers are held and released in reverse order: chunks finish out of order.
    setScript({ ...DEFAULT_SCRIPT, answer: (w, request) => held.push(() => w.emit('message', { type: 'result', id: request.id, logits: logitsFor(request) })) });
    const engine = await createParallelEngine(weights, { workers: 2, batchSize: 2 });
    const images = imagesOf(7);
    const copy = images.data.slice();
    const pending = engine.logits(images);
    await new Promise((resolve) => setImmediate(resolve));
    // 7 images, 2 workers, batch 2: chunk min(2, 4) = 2 → [0,2) [2,4) [4,6) [6,7); two sent, two queued.
    expect(workers.map((w) => w.sent.map((s) => [s.request.id, s.request.shape.count, Array.from(s.request.data).filter((_, i) => i % 4 === 0)]))).toEqual([[[0, 2, [10, 11]]], [[1, 2, [12, 13]]]]);
    for (const w of workers) {
      const { request, transfer } = w.sent[0];
      expect(request.type).toBe('logits');
      expect(request.layout).toBe('NHWC');
      expect(request.shape).toEqual({ count: 2, height: 2, width: 2, channels: 1 });
      expect(transfer).toEqual([request.data.buffer]);
      expect(request.data.buffer).not.toBe(images.data.buffer); // a copy: transferring it leaves the caller's array alone
    }
    expect(workers.map((w) => w.refs)).toEqual([0, 0]); // unref'd at construction, ref'd while computing
    const [answer0, answer1] = held.splice(0);
    answer1(); // worker 1 finishes chunk 1 first and takes chunk 2
    answer0(); // worker 0 finishes chunk 0 and takes chunk 3
    while (held.length > 0) held.pop()!();
    const logits = await pending;
    expect(Array.from(logits)).toEqual([10, 2, 11, 2, 12, 2, 13, 2, 14, 2, 15, 2, 16, 1]);
    expect(workers.map((w) => w.sent.map((s) => s.request.id))).toEqual([[0, 3], [1, 2]]);
    expect(workers.map((w) => w.log)).toEqual([
      ['unref', 'ref', 'request 0', 'unref', 'ref', 'request 3', 'unref'],
      ['unref', 'ref', 'request 1', 'unref', 'ref', 'request 2', 'unref'],
    ]);
    expect(images.data).toEqual(copy);
    engine.dispose();
  });

  it('fewer images than workers × batch size: chunks of ⌈count / workers⌉; logitsNormalized sends float32 images', async () => {
    const engine = await createParallelEngine(weights, { workers: 3, batchSize: 64 });
    const images = imagesOf(5);
    expect(Array.from(await engine.logits({ ...images, layout: 'NCHW' }))).toEqual([10, 2, 11, 2, 12, 2, 13, 2, 14, 1]);
    expect(workers.map((w) => w.sent.map((s) => [s.request.shape.count, s.request.layout]))).toEqual([[[2, 'NCHW']], [[2, 'NCHW']], [[1, 'NCHW']]]);
    const normalized: ImageBatch<Float32Array> = { ...images, data: Float32Array.from(images.data, (x) => x / 100) };
    const out = await engine.logitsNormalized(normalized);
    expect(Array.from(out).filter((_, i) => i % 2 === 0)).toEqual([10, 11, 12, 13, 14].map((x) => Math.fround(x / 100)));
    expect(workers[0].sent.at(-1)?.request.data).toBeInstanceOf(Float32Array);
    // Bad images are refused before anything is sent.
    const sent = workers.map((w) => w.sent.length);
    expect((await asyncRejection(engine.logits(normalized as never))).check).toBe('engine.images');
    expect((await asyncRejection(engine.logitsNormalized(images as never))).check).toBe('engine.images');
    expect(workers.map((w) => w.sent.length)).toEqual(sent);
    engine.dispose();
  });

  it('a worker that returns the wrong number of logits, or fails a request: the call rejects, the pool goes on', async () => {
    // kills parallel.ts:108 (the logits count check and message), :147-149 (error → workerError with context 'a worker failed')
    let mode = 'short';
    setScript({
      ...DEFAULT_SCRIPT,
      answer: (w, request) =>
        queueMicrotask(() => {
          if (mode === 'short') w.emit('message', { type: 'result', id: request.id, logits: new Float32Array(3) });
          else if (mode === 'fail') w.emit('message', { type: 'error', id: request.id, error: { check: undefined, message: 'Error: out of memory' } });
          else if (mode === 'check') w.emit('message', { type: 'error', id: request.id, error: { check: 'engine.images', message: 'bad' } });
          else answerNow(w, request);
        }),
    });
    const engine = await createParallelEngine(weights, { workers: 1 });
    const short = await asyncRejection(engine.logits(imagesOf(2)));
    expect([short.check, short.message]).toEqual(['engine.worker', 'a worker returned 3 logits for 2 images × 2 classes']);
    mode = 'fail';
    const failed = await asyncRejection(engine.logits(imagesOf(1)));
    expect([failed.check, failed.message]).toEqual(['engine.worker', 'a worker failed: Error: out of memory']);
    mode = 'check';
    expect([(await asyncRejection(engine.logits(imagesOf(1)))).check]).toEqual(['engine.images']);
    mode = 'ok';
    expect(Array.from(await engine.logits(imagesOf(1)))).toEqual([10, 1]);
    // 2 images, one worker, batch 32: one chunk [0, 2) and no empty one after it (kills parallel.ts:105 `start <= count`).
    const sent = workers[0].sent.length;
    expect(Array.from(await engine.logits(imagesOf(2)))).toEqual([10, 2, 11, 2]);
    expect(workers[0].sent.slice(sent).map((s) => s.request.shape.count)).toEqual([2]);
    engine.dispose();
  });

  it("a late 'ready' is ignored; an answer to a request the worker is not on breaks the pool", async () => {
    // kills parallel.ts:138-143 (the message types handled, the id check and its message), :153-160 onFailure
    let answered = false;
    setScript({
      ...DEFAULT_SCRIPT,
      answer: (w, request) =>
        queueMicrotask(() => {
          ready(w); // not an answer: ignored
          if (!answered) {
            answered = true;
            w.emit('message', { type: 'result', id: request.id + 9, logits: logitsFor(request) });
          }
        }),
    });
    const engine = await createParallelEngine(weights, { workers: 1, batchSize: 1 });
    const e = await asyncRejection(engine.logits(imagesOf(3)));
    expect([e.check, e.message]).toEqual(['engine.worker', 'a worker answered request 9, which it was not working on']);
    expect(workers[0].terminated).toBe(1);
    const after = await asyncRejection(engine.logits(imagesOf(1)));
    expect([after.check, after.message]).toEqual(['engine.disposed', 'this parallel engine has been disposed']);
  });

  it('an answer from an idle worker breaks the pool too', async () => {
    // kills parallel.ts:144 ConditionalExpression (`job === undefined` → false: job.id of undefined would throw)
    const engine = await createParallelEngine(weights, { workers: 1 });
    workers[0].emit('message', { type: 'result', id: 0, logits: new Float32Array(2) } satisfies WorkerMessage);
    expect(workers[0].terminated).toBe(1);
    const e = await asyncRejection(engine.logits(imagesOf(1)));
    expect([e.check, e.message]).toEqual(['engine.disposed', 'this parallel engine has been disposed']);
  });

  it('a worker thread that fails or exits: its job and the queue reject, the pool stops; exits after dispose are quiet', async () => {
    // kills parallel.ts:80-84 (the error and exit handlers and their messages, exit after dispose ignored), :153-160, :162-172
    setScript({ ...DEFAULT_SCRIPT, answer: () => undefined }); // requests stay pending
    const engine = await createParallelEngine(weights, { workers: 2, batchSize: 1 });
    const pending = engine.logits(imagesOf(4)).catch((x: unknown) => x);
    const second = engine.logitsNormalized({ ...imagesOf(1), data: new Float32Array(4) }).catch((x: unknown) => x);
    await new Promise((resolve) => setImmediate(resolve));
    workers[1].emit('error', new Error('segfault'));
    for (const p of [pending, second]) expect(await p).toMatchObject({ check: 'engine.worker', message: 'a worker thread failed: segfault' });
    expect(workers.map((w) => w.terminated)).toEqual([1, 1]);
    // kills parallel.ts:94 StringLiteral (logitsNormalized's check code after dispose)
    const refused = await asyncRejection(engine.logitsNormalized({ ...imagesOf(1), data: new Float32Array(4) }));
    expect([refused.check, refused.message]).toEqual(['engine.disposed', 'this parallel engine has been disposed']);

    workers.length = 0;
    const other = await createParallelEngine(weights, { workers: 1 });
    const waiting = other.logits(imagesOf(1)).catch((x: unknown) => x);
    await new Promise((resolve) => setImmediate(resolve));
    workers[0].emit('exit', 3);
    expect(await waiting).toMatchObject({ check: 'engine.worker', message: 'a worker thread exited unexpectedly (code 3)' });

    workers.length = 0;
    const quiet = await createParallelEngine(weights, { workers: 1 });
    quiet.dispose();
    workers[0].emit('exit', 1);
    workers[0].emit('error', new Error('late'));
    expect(workers[0].terminated).toBe(1);
  });

  it('dispose: pending images reject, every worker is terminated, once', async () => {
    // kills parallel.ts:162-172 (the default reason and its message, each job and the queue rejected, terminate)
    setScript({ ...DEFAULT_SCRIPT, answer: () => undefined });
    const engine = await createParallelEngine(weights, { workers: 2, batchSize: 1 });
    const pending = engine.logits(imagesOf(5)).catch((x: unknown) => x);
    await new Promise((resolve) => setImmediate(resolve));
    engine.dispose();
    expect(await pending).toMatchObject({ check: 'engine.disposed', message: 'the parallel engine was disposed while images were pending' });
    engine.dispose();
    expect(workers.map((w) => w.terminated)).toEqual([1, 1]);
    const e = await asyncRejection(engine.logits(imagesOf(1)));
    expect([e.check, e.message]).toEqual(['engine.disposed', 'this parallel engine has been disposed']);
  });
});
