/**
 * System B's ResNet on onnxruntime (resnetOnnx.ts), fast, for mutation runs
 * (issue 25): a tiny ResNet (width 2, one block per stage) on 4×4 images,
 * its logits against the literal spec ResNet (spec/resnet.ts) in both
 * layouts and through logitsNormalized; onnxruntime wrapped in a module of
 * our own (the engine's `module` option) that records each session's options
 * and each run's batch, so the chunking and the session settings are seen.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import os from 'node:os';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { normalize8bit } from '../../spec/blockEncryption.ts';
import { resnetForward } from '../../spec/resnet.ts';
import { specLogitsWith } from '../../properties/engineBridge.ts';
import { specResNet } from '../../properties/resnetBridge.ts';
import { asyncRejection } from '../../properties/rejection.ts';
import { type ImageBatch, toLayout } from '../core/images.ts';
import { type ResNetConfig, randomResNetWeights } from '../model/resnet.ts';
import { loadOnnxRuntime } from './onnx.ts';
import { createOnnxResNetEngine } from './resnetOnnx.ts';

// Fast imports for mutation runs (Stryker reloads them for every mutant): the spec's erf without mathjs
// (properties/fastErf.ts, accurate to 1e-14), and no tfjs: resnetOnnx.ts takes only checkImagesForResNet
// from resnetTfjs.ts, which uses no tfjs.
vi.mock('mathjs', async () => ({ erf: (await import('../../properties/fastErf.ts')).erf }));
vi.mock('@tensorflow/tfjs', () => ({}));

const CONFIG: ResNetConfig = { width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 4 };
const weights = randomResNetWeights(CONFIG, 'resnet-onnx-units');
const count = 5;
const images: ImageBatch<Uint8Array> = { data: Uint8Array.from({ length: count * 4 * 4 * 3 }, (_, i) => (i * 73 + 11) % 256), shape: { count, height: 4, width: 4, channels: 3 }, layout: 'NHWC' };
const expected = specLogitsWith(images, (image) => resnetForward(image, specResNet(weights))).flat();

/** Logits within 1e-4 of the spec's (float32 against float64 on a tiny net). */
function expectSpec(logits: Float32Array): void {
  expect(logits.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(logits[i] - expected[i]), `logit ${i}`).toBeLessThan(1e-4);
}

// A module that is onnxruntime-node with recording sessions (the engine imports it by path).
interface Recorder {
  ort: unknown;
  sessions: Record<string, unknown>[];
  runs: number[][];
  released: number;
  failCreate?: boolean;
  /** Runs wait for it when set. */
  gate?: Promise<void>;
}
const recorder: Recorder = { ort: undefined, sessions: [], runs: [], released: 0 };
(globalThis as { cipherpatchOrtRecorder?: Recorder }).cipherpatchOrtRecorder = recorder;
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-resnet-onnx-'));
const MODULE = join(dir, 'recording-ort.mjs');
writeFileSync(
  MODULE,
  `const r = globalThis.cipherpatchOrtRecorder;
export const Tensor = r.ort.Tensor;
export const env = { versions: { common: '0.0.1' } };
export const InferenceSession = {
  async create(model, options) {
    r.sessions.push(options);
    if (r.failCreate) throw new Error('cannot build it\\nsecond line');
    const s = await r.ort.InferenceSession.create(model, options);
    return { run: async (feeds) => { r.runs.push([...feeds.images.dims]); await r.gate; return s.run(feeds); }, release: () => (r.released++, s.release()) };
  },
};
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createOnnxResNetEngine (resnetOnnx.ts mutation kills)', () => {
  it('logits of either layout and logitsNormalized match the spec ResNet; batches of 64 by default', async () => {
    // kills resnetOnnx.ts:37-53 (the normalization, NCHW, the forward's shape), :71 (?? ONNX_DEFAULT_BATCH_SIZE), :76 the session settings
    recorder.ort = (await loadOnnxRuntime()).ort;
    recorder.sessions.length = 0;
    recorder.runs.length = 0;
    const engine = await createOnnxResNetEngine(weights, { module: MODULE, threads: 1 });
    expect(engine.name).toBe('onnx');
    expect(engine.backend).toBe('cpu');
    expect(engine.threads).toBe(1);
    expect(engine.config).toBe(weights.config);
    expect(engine.version).toBe(`${MODULE} 0.0.1 (CPU execution provider, 1 intra-op thread, ResNet conv graph)`);
    expect(recorder.sessions).toEqual([expect.objectContaining({ executionProviders: ['cpu'], intraOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } })]);
    expectSpec(await engine.logits(images));
    expectSpec(await engine.logits(toLayout(images, 'NCHW')));
    const normalized: ImageBatch<Float32Array> = { ...images, data: Float32Array.from(images.data, normalize8bit) };
    expectSpec(await engine.logitsNormalized(normalized));
    expectSpec(await engine.logitsNormalized(toLayout(normalized, 'NCHW')));
    expect(recorder.runs).toEqual([
      [5, 3, 4, 4],
      [5, 3, 4, 4],
      [5, 3, 4, 4],
      [5, 3, 4, 4],
    ]);
    engine.dispose();
    engine.dispose(); // a second dispose does nothing
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.released).toBe(1);
    for (const call of [() => engine.logits(images), () => engine.logitsNormalized(normalized)]) {
      const e = await asyncRejection(call());
      expect([e.check, e.message]).toEqual(['engine.disposed', 'this onnx engine has been disposed']);
    }
  });

  it('a batch size splits the images; the images are checked for the ResNet', async () => {
    // kills resnetOnnx.ts:71 (the batch size passed on), :38 / :44 (the image kind checked)
    recorder.runs.length = 0;
    const engine = await createOnnxResNetEngine(weights, { module: MODULE, threads: 1, batchSize: 2 });
    expectSpec(await engine.logits(images));
    expect(recorder.runs.map((dims) => dims[0])).toEqual([2, 2, 1]);
    expect((await asyncRejection(engine.logits({ ...images, data: new Float32Array(images.data.length) } as never))).message).toBe('logits takes 8-bit images (Uint8Array), got Float32Array');
    expect((await asyncRejection(engine.logitsNormalized(images as never))).message).toBe('logitsNormalized takes normalized float32 images (Float32Array), got Uint8Array');
    engine.dispose();
  });

  it('dispose during a run: the run in flight finishes, the next chunk is refused, the session is released after it', async () => {
    // kills resnetOnnx.ts:50 ArrowFunction (checkUsable → () => undefined: the later chunks would run) and
    // :61 ArrayDeclaration (`[...this.running]` → []: the session released under the run in flight)
    recorder.runs.length = 0;
    recorder.released = 0;
    const engine = await createOnnxResNetEngine(weights, { module: MODULE, threads: 1, batchSize: 2 });
    let open = () => undefined as void;
    recorder.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      const pending = engine.logits(images).catch((e: unknown) => e);
      while (recorder.runs.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise((resolve) => setTimeout(resolve, 5)); // the run is now among those in flight
      engine.dispose();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(recorder.released).toBe(0);
      open();
      expect(await pending).toMatchObject({ check: 'engine.disposed', message: 'this onnx engine has been disposed' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(recorder.released).toBe(1);
      expect(recorder.runs.length).toBe(1);
    } finally {
      recorder.gate = undefined;
    }
  });

  it('the version counts the threads in the plural', async () => {
    // kills resnetOnnx.ts:34 ConditionalExpression / StringLiteral (`threads === 1 ? '' : 's'`)
    const spy = vi.spyOn(os, 'availableParallelism').mockReturnValue(4);
    try {
      const engine = await createOnnxResNetEngine(weights, { module: MODULE, threads: 3 });
      expect(engine.version).toBe(`${MODULE} 0.0.1 (CPU execution provider, 3 intra-op threads, ResNet conv graph)`);
      engine.dispose();
    } finally {
      spy.mockRestore();
    }
  });

  it('the options are checked before onnxruntime is loaded; a session that cannot be made names the ResNet graph', async () => {
    // kills resnetOnnx.ts:71-76 (each check, the provider default 'cpu', the graph name 'ResNet')
    const missing = 'onnxruntime-node-that-is-not-installed';
    expect((await asyncRejection(createOnnxResNetEngine(weights, { module: missing, batchSize: 0 }))).check).toBe('engine.batch-size');
    expect((await asyncRejection(createOnnxResNetEngine(weights, { module: missing, threads: 0 }))).check).toBe('engine.threads');
    expect((await asyncRejection(createOnnxResNetEngine(weights, { module: missing, executionProvider: 'tpu' as never }))).check).toBe('engine.execution-provider');
    expect((await asyncRejection(createOnnxResNetEngine(weights, { module: missing }))).check).toBe('engine.onnx-unavailable');
    recorder.failCreate = true;
    try {
      const e = await asyncRejection(createOnnxResNetEngine(weights, { module: MODULE, threads: 1 }));
      expect([e.check, e.message]).toEqual(['engine.onnx-session', 'onnxruntime could not load the ResNet graph: cannot build it']);
      const c = await asyncRejection(createOnnxResNetEngine(weights, { module: MODULE, threads: 1, executionProvider: 'cuda' }));
      expect(c.check).toBe('engine.execution-provider-unavailable');
      expect(recorder.sessions.at(-1)).toMatchObject({ executionProviders: ['cuda'] });
    } finally {
      recorder.failCreate = false;
    }
  });
});
