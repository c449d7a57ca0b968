import { afterAll, describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { type ImageBatch, toLayout } from '../core/images.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import type { Engine } from './engine.ts';
import { createEngine } from './factory.ts';
import { createParallelEngine } from './parallel.ts';
import { createTfjsEngine, selectTfjsBackend } from './tfjs.ts';

const config = { dim: 12, depth: 2, kernel: 4, patch: 2, channels: 3, classes: 6 };
const weights = randomConvMixerWeights(config, 'parallel');
const shape = { count: 7, height: 6, width: 4, channels: 3 };
const images: ImageBatch<Uint8Array> = { data: Uint8Array.from({ length: 7 * 6 * 4 * 3 }, (_, i) => (i * 31 + 7) % 256), shape, layout: 'NHWC' };
// The same backend in the workers as in the single engine: wasm when this machine has it.
const backend = (await selectTfjsBackend('auto')).backend === 'tensorflow' ? 'tensorflow' : (await selectTfjsBackend('wasm').then(() => 'wasm' as const, () => 'cpu' as const));

describe('parallel engine (worker threads)', () => {
  const engines: Engine[] = [];
  afterAll(() => engines.forEach((e) => e.dispose()));

  it('returns the single engine’s logits, in order, for either layout', async () => {
    // 7 images over 2 workers with batch size 2: chunks of 2 (4 chunks), queued; the single engine uses the same batches.
    const parallel = await createParallelEngine(weights, { backend, workers: 2, batchSize: 2 });
    const single = await createTfjsEngine(weights, { backend, batchSize: 2 });
    engines.push(parallel, single);
    expect(parallel.name).toBe('tfjs-parallel');
    expect(parallel.backend).toBe(backend);
    expect(parallel.threads).toBe(2 * single.threads);
    expect(parallel.version).toMatch(/2 worker threads/);
    const expected = await single.logits(images);
    const copy = images.data.slice();
    expect(await parallel.logits(images)).toEqual(expected);
    expect(images.data).toEqual(copy); // the caller's pixels are not transferred away
    expect(await parallel.logits(toLayout(images, 'NCHW'))).toEqual(expected);
    // Concurrent calls share the queue and still come back in order.
    const [a, b] = await Promise.all([parallel.logits(images), parallel.logits({ ...images, data: images.data.map((x) => 255 - x) })]);
    expect(a).toEqual(expected);
    expect(b).toEqual(await single.logits({ ...images, data: images.data.map((x) => 255 - x) }));
  });

  it('through createEngine({ workers }), and more workers than images', async () => {
    const parallel = await createEngine(weights, config, { engine: 'tfjs', backend, workers: 3 });
    engines.push(parallel);
    const single = await createTfjsEngine(weights, { backend, batchSize: 1 });
    engines.push(single);
    const two = { data: images.data.subarray(0, 2 * 6 * 4 * 3), shape: { ...shape, count: 2 }, layout: 'NHWC' as const };
    expect(await parallel.logits(two)).toEqual(await single.logits(two));
  });

  it('checks input before sending it, and refuses work after dispose', async () => {
    const parallel = await createParallelEngine(weights, { backend, workers: 2 });
    const error = await parallel.logits({ ...images, shape: { ...shape, channels: 1, count: 21 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CipherpatchError);
    expect((error as CipherpatchError).check).toBe('engine.channels');
    parallel.dispose();
    await expect(parallel.logits(images)).rejects.toMatchObject({ check: 'engine.disposed' });
  });

  it('a worker that cannot start its engine rejects with the worker’s error', async () => {
    if (backend === 'tensorflow') return; // tfjs-node present: nothing here fails to start
    await expect(createParallelEngine(weights, { backend: 'tensorflow', workers: 2 })).rejects.toMatchObject({ check: 'engine.backend-unavailable' });
    await expect(createParallelEngine(weights, { workers: 0 })).rejects.toMatchObject({ check: 'engine.workers' });
  });
});
