/**
 * The parallel engine's worker (workerProtocol.ts; worker.ts only wires it to
 * parentPort), in-process, for mutation runs (issue 25): the tfjs engine is a
 * recording stand-in (vi.mock), `post` records every message and transfer
 * list. Expected messages are written out from the protocol in the module's
 * comment: 'ready' or 'init-error' once, then one 'result' or 'error' per
 * request, in arrival order, the logits' buffer transferred.
 */
import { describe, expect, it, vi } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import type { ImageBatch } from '../core/images.ts';
import { convMixerWeightsToTensors, randomConvMixerWeights } from '../model/convmixer.ts';
import type { Engine } from './engine.ts';
import { type LogitsRequest, type WorkerInit, type WorkerMessage, answerRequests, failure, startWorkerEngine } from './workerProtocol.ts';

const made: { weights: unknown; options: unknown }[] = [];
let failNext: unknown;
vi.mock('./tfjs.ts', () => ({
  createTfjsEngine: async (weights: unknown, options: unknown) => {
    made.push({ weights, options });
    if (failNext !== undefined) throw failNext;
    return { name: 'tfjs', backend: 'cpu', version: 'stand-in 1.0', threads: 3 };
  },
}));

const config = { dim: 2, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 };
const weights = randomConvMixerWeights(config, 'worker');
const init = (overrides: Partial<WorkerInit> = {}): WorkerInit => ({
  config,
  tensors: [...convMixerWeightsToTensors(weights)].map(([name, t]) => [name, t.shape, t.data] as const),
  backend: 'cpu',
  batchSize: 7,
  ...overrides,
});
const recorder = () => {
  const posted: [WorkerMessage, ArrayBuffer[] | undefined][] = [];
  return { posted, post: (message: WorkerMessage, transfer?: ArrayBuffer[]) => posted.push([message, transfer]) };
};

describe('startWorkerEngine (workerProtocol.ts mutation kills)', () => {
  it("builds the tfjs engine from the tensors with the backend and batch size, then posts 'ready'", async () => {
    // kills workerProtocol.ts:58-61 (the tensor map, the options passed on, the ready message's fields)
    made.length = 0;
    const { posted, post } = recorder();
    const engine = await startWorkerEngine(init(), post);
    expect(engine).toMatchObject({ name: 'tfjs' });
    expect(made).toEqual([{ weights, options: { backend: 'cpu', batchSize: 7 } }]); // the weights rebuilt from the tensors equal the originals
    expect(posted).toEqual([[{ type: 'ready', backend: 'cpu', version: 'stand-in 1.0', threads: 3 }, undefined]]);
  });

  it("posts 'init-error' with the check and message when the engine cannot start, and returns undefined", async () => {
    // kills workerProtocol.ts:63-66 and failure() (:47-50): a CipherpatchError keeps its check, other errors their stack
    const { posted, post } = recorder();
    failNext = new CipherpatchError('engine.backend-unavailable', 'no wasm here');
    expect(await startWorkerEngine(init({ backend: 'wasm' }), post)).toBeUndefined();
    failNext = undefined;
    // Tensors that do not make the config's weights: the model's own check, reported the same way.
    expect(await startWorkerEngine(init({ tensors: [] }), post)).toBeUndefined();
    expect(posted[0]).toEqual([{ type: 'init-error', error: { check: 'engine.backend-unavailable', message: 'no wasm here' } }, undefined]);
    const second = posted[1][0] as Extract<WorkerMessage, { type: 'init-error' }>;
    expect(second.type).toBe('init-error');
    expect(second.error.check).toMatch(/^model\./);
    expect(second.error.message).toMatch(/0\.weight/);
    expect(posted.length).toBe(2);
  });
});

describe('failure', () => {
  it('CipherpatchError: check and message; Error: no check, the stack (or the message without one); anything else: its text', () => {
    expect(failure(new CipherpatchError('a.b', 'text'))).toEqual({ check: 'a.b', message: 'text' });
    const error = new Error('plain');
    expect(failure(error)).toEqual({ check: undefined, message: error.stack });
    expect(error.stack).toMatch(/^Error: plain\n/);
    const bare = new Error('no stack');
    bare.stack = undefined;
    expect(failure(bare)).toEqual({ check: undefined, message: 'no stack' });
    expect(failure(42)).toEqual({ check: undefined, message: '42' });
  });
});

describe('answerRequests', () => {
  // kills workerProtocol.ts:77-88: Float32Array → logitsNormalized, Uint8Array → logits (data, shape, layout passed),
  // 'result' with the logits' buffer transferred, 'error' with the failure, one request at a time in arrival order
  const shape = { count: 1, height: 2, width: 2, channels: 1 };
  function standIn() {
    const calls: string[] = [];
    const engine = {
      logits: async (images: ImageBatch<Uint8Array>) => {
        calls.push(`logits ${images.layout} ${images.shape.count} ${Array.from(images.data).join(',')} start`);
        await new Promise((resolve) => setTimeout(resolve, images.data[0])); // the first byte: how long it takes
        calls.push('logits end');
        if (images.data[1] === 99) throw new CipherpatchError('engine.images', 'bad pixel');
        return Float32Array.of(images.data[0], 1);
      },
      logitsNormalized: async (images: ImageBatch<Float32Array>) => {
        calls.push(`normalized ${images.layout} ${images.shape.count} ${Array.from(images.data).join(',')}`);
        if (images.data[0] < 0) throw new Error('negative');
        return Float32Array.of(images.data[0], 2);
      },
    } as unknown as Engine;
    return { engine, calls };
  }
  const request = (id: number, data: Uint8Array | Float32Array, layout: 'NHWC' | 'NCHW' = 'NHWC'): LogitsRequest => ({ type: 'logits', id, data, shape, layout });

  it('8-bit images to logits, float32 to logitsNormalized; results in arrival order, each buffer transferred', async () => {
    const { engine, calls } = standIn();
    const { posted, post } = recorder();
    const answer = answerRequests(engine, post);
    const first = answer(request(1, Uint8Array.of(30, 0, 0, 0), 'NCHW')); // slow
    const second = answer(request(2, Float32Array.of(0.5, 0, 0, 0)));
    const third = answer(request(3, Uint8Array.of(1, 0, 0, 0)));
    await Promise.all([first, second, third]);
    expect(calls).toEqual(['logits NCHW 1 30,0,0,0 start', 'logits end', 'normalized NHWC 1 0.5,0,0,0', 'logits NHWC 1 1,0,0,0 start', 'logits end']);
    expect(posted.map(([m]) => m)).toEqual([
      { type: 'result', id: 1, logits: Float32Array.of(30, 1) },
      { type: 'result', id: 2, logits: Float32Array.of(0.5, 2) },
      { type: 'result', id: 3, logits: Float32Array.of(1, 1) },
    ]);
    for (const [m, transfer] of posted) expect(transfer).toEqual([(m as Extract<WorkerMessage, { type: 'result' }>).logits.buffer]);
    expect(posted[0][1]?.[0]).toBe((posted[0][0] as Extract<WorkerMessage, { type: 'result' }>).logits.buffer);
  });

  it("a failing request posts 'error' with its id and failure; the next ones are still answered", async () => {
    const { engine } = standIn();
    const { posted, post } = recorder();
    const answer = answerRequests(engine, post);
    await answer(request(5, Uint8Array.of(0, 99, 0, 0)));
    await answer(request(6, Float32Array.of(-1, 0, 0, 0)));
    await answer(request(7, Float32Array.of(0.25, 0, 0, 0)));
    expect(posted[0]).toEqual([{ type: 'error', id: 5, error: { check: 'engine.images', message: 'bad pixel' } }, undefined]);
    const negative = posted[1][0] as Extract<WorkerMessage, { type: 'error' }>;
    expect([negative.type, negative.id, negative.error.check]).toEqual(['error', 6, undefined]);
    expect(negative.error.message).toMatch(/^Error: negative\n/);
    expect(posted[2][0]).toEqual({ type: 'result', id: 7, logits: Float32Array.of(0.25, 2) });
  });
});
