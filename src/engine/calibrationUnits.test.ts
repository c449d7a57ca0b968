/**
 * Fast tests of the calibration (calibrate.ts, onnxCalibration.ts, tuning.ts)
 * for mutation runs (issue 25): no real timing, a fake onnxruntime whose
 * sessions take a made-up time per run, a fake clock, fake load and CPUs.
 * Expected values are worked by hand from the definitions in the modules'
 * comments (images/s = 512 / seconds, spinning needs ≥ 3 % more, …).
 * One real onnxruntime session (threads 1, a ConvMixer of dim 4 on 4×4
 * images) checks that the calibrated graph computes the model: its logits
 * against the spec (spec/convmixer.ts).
 */
import os from 'node:os';
import seedrandom from 'seedrandom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { specLogits, specModel } from '../../properties/engineBridge.ts';
import { type ConvMixerConfig, randomConvMixerWeights } from '../model/convmixer.ts';
import { CALIBRATION_BATCHES, CALIBRATION_IMAGES, CALIBRATION_ROUNDS, SPINNING_MARGIN, type CalibrationResult, type OnnxTuning, calibrate, calibrationCandidates, calibrationKey, candidateName, chooseTuning, machineName } from './calibrate.ts';
import { type OnnxRuntimeInfo, createOnnxEngine, loadOnnxRuntime } from './onnx.ts';
import { calibrateOnnx } from './onnxCalibration.ts';
import { ONNX_INPUT, ONNX_OUTPUT, buildConvMixerOnnx } from './onnxGraph.ts';
import { BUSY_LOAD_PER_CPU, type CalibrationStore, DEFAULT_TUNING, MIN_IMAGES_TO_CALIBRATE, TUNING_MODES, chooseOnnxTuning, loadPerCpu } from './tuning.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const TINY: ConvMixerConfig = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 5 };
/** Bit-for-bit equality of two float arrays (fast, unlike a deep equal). */
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const rates = (entries: [number, boolean, number][]) => new Map<OnnxTuning, number>(entries.map(([batchSize, spinning, rate]) => [{ batchSize, spinning }, rate]));

/** A clock that only moves when a fake session runs: performance.now() in ms. */
function fakeClock() {
  const clock = { ms: 1000 };
  vi.spyOn(performance, 'now').mockImplementation(() => clock.ms);
  return clock;
}

interface FakeRun {
  readonly spinning: boolean;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * A fake onnxruntime: every session run of n images takes 10 ms + 1 ms per
 * image (spinning sessions 0.9 × that) on the fake clock and returns n × classes logits.
 */
function fakeRuntime(classes: number, clock: { ms: number }, options: { readonly failOnRun?: number } = {}) {
  const created: { model: Uint8Array; options: Record<string, unknown> }[] = [];
  const runs: FakeRun[] = [];
  let released = 0;
  class Tensor {
    constructor(
      readonly type: string,
      readonly data: Float32Array,
      readonly dims: readonly number[],
    ) {}
  }
  const runtime = {
    module: 'fake-ort',
    version: '9.8.7',
    ort: {
      Tensor,
      env: { versions: { common: '9.8.7' } },
      InferenceSession: {
        create: async (model: Uint8Array, sessionOptions: Record<string, unknown>) => {
          created.push({ model, options: sessionOptions });
          const spinning = (sessionOptions as { extra: { session: { intra_op: { allow_spinning: string } } } }).extra.session.intra_op.allow_spinning === '1';
          return {
            run: async (feeds: Record<string, Tensor>) => {
              const input = feeds[ONNX_INPUT];
              runs.push({ spinning, dims: input.dims, data: Float32Array.from(input.data) });
              if (runs.length === options.failOnRun) throw new Error('session run failed');
              const n = input.dims[0];
              clock.ms += (10 + n) * (spinning ? 0.9 : 1);
              return { [ONNX_OUTPUT]: { data: new Float32Array(n * classes), dims: [n, classes] } };
            },
            release: async () => {
              released++;
            },
          };
        },
      },
    },
  } as unknown as OnnxRuntimeInfo;
  return { runtime, created, runs, released: () => released };
}

describe('calibrate.ts (mutation kills)', () => {
  it('machineName: CPU model, logical CPUs, arch and platform; "unknown CPU" without a CPU list', () => {
    // kills calibrate.ts:56 OptionalChaining / LogicalOperator / StringLiteral ('unknown CPU') and the template literal
    vi.spyOn(os, 'cpus').mockReturnValue([{ model: 'Test CPU 9000' } as os.CpuInfo]);
    vi.spyOn(os, 'availableParallelism').mockReturnValue(7);
    expect(machineName()).toBe(`Test CPU 9000 × 7 (${os.arch()}, ${os.platform()})`);
    vi.spyOn(os, 'cpus').mockReturnValue([]);
    expect(machineName()).toBe(`unknown CPU × 7 (${os.arch()}, ${os.platform()})`);
  });

  it('calibrationKey names machine, runtime, threads, every config field and the image size', () => {
    // kills calibrate.ts:62 StringLiteral (the key's text); the expected key is written out by hand
    const key = calibrationKey({ runtime: 'ort 1.2', threads: 3, config: { dim: 11, depth: 12, kernel: 13, patch: 14, channels: 15, classes: 16 }, height: 28, width: 42 }, 'M');
    expect(key).toBe('M | ort 1.2 | 3 threads | ConvMixer d11 depth12 k13 P14 C15 classes16 | 28×42');
    vi.spyOn(os, 'cpus').mockReturnValue([{ model: 'X' } as os.CpuInfo]);
    expect(calibrationKey({ runtime: 'r', threads: 1, config: TINY, height: 4, width: 4 }).startsWith(`X × ${os.availableParallelism()} (`)).toBe(true);
  });

  it('candidateName and the candidates: 32, 64, 128 images per run; spinning only above one thread', () => {
    // kills calibrate.ts:24 ArrayDeclaration, :65 ConditionalExpression / StringLiteral, :69 EqualityOperator (threads > 1 → >= 1) / ConditionalExpression
    expect(CALIBRATION_BATCHES).toEqual([32, 64, 128]);
    expect(candidateName({ batchSize: 64, spinning: false })).toBe('batch 64');
    expect(candidateName({ batchSize: 8, spinning: true })).toBe('batch 8, spinning');
    expect(calibrationCandidates(1)).toEqual([
      { batchSize: 32, spinning: false },
      { batchSize: 64, spinning: false },
      { batchSize: 128, spinning: false },
    ]);
    expect(calibrationCandidates(2)).toEqual([
      { batchSize: 32, spinning: false },
      { batchSize: 64, spinning: false },
      { batchSize: 128, spinning: false },
      { batchSize: 32, spinning: true },
      { batchSize: 64, spinning: true },
      { batchSize: 128, spinning: true },
    ]);
  });

  it('chooseTuning: spinning wins at exactly 3 % faster (206 vs 200), not just below; fails without a sleeping candidate', () => {
    // kills calibrate.ts:87 EqualityOperator (>= → >), :81 the found/rate conditions, :86 the internal error message
    expect(SPINNING_MARGIN).toBe(1.03);
    expect(chooseTuning(rates([[32, false, 200], [128, true, 206]]))).toEqual({ batchSize: 128, spinning: true });
    expect(chooseTuning(rates([[32, false, 200], [128, true, 205.9]]))).toEqual({ batchSize: 32, spinning: false });
    expect(chooseTuning(rates([[32, false, 100], [64, false, 150], [128, false, 120], [32, true, 10]]))).toEqual({ batchSize: 64, spinning: false });
    // the fastest spinning one is compared, not the first or last
    expect(chooseTuning(rates([[32, false, 100], [32, true, 50], [64, true, 200], [128, true, 60]]))).toEqual({ batchSize: 64, spinning: true });
    // ties go to the earlier (smaller) batch size, sleeping and spinning alike (kills calibrate.ts:81 EqualityOperator rate > found[1] → >=)
    expect(chooseTuning(rates([[32, false, 100], [64, false, 100], [128, false, 100]]))).toEqual({ batchSize: 32, spinning: false });
    expect(chooseTuning(rates([[32, false, 10], [32, true, 100], [64, true, 100]]))).toEqual({ batchSize: 32, spinning: true });
    expect(() => chooseTuning(rates([[32, true, 100]]))).toThrow('internal error: no sleeping-thread candidate was measured');
    expect(() => chooseTuning(rates([]))).toThrow('internal error: no sleeping-thread candidate was measured');
  });

  it('calibrate: 3 rounds of every candidate, the best of each, images/s to one decimal', async () => {
    // kills calibrate.ts:99-111: rounds loop bound, Math.max → Math.min, ?? 0, the rounding, the ISO time
    expect(CALIBRATION_ROUNDS).toBe(3);
    expect(CALIBRATION_IMAGES).toBe(512);
    const seconds = [3, 2, 4]; // batch 32 per round: best 2 s → 256 images/s
    let calls = 0;
    const result = await calibrate(
      1,
      async (c) => {
        calls++;
        if (c.batchSize === 32) return seconds[Math.floor((calls - 1) / 3)];
        return c.batchSize === 64 ? 3 : 7; // 512/3 = 170.666… → 170.7; 512/7 = 73.142… → 73.1
      },
      () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    );
    expect(calls).toBe(9);
    expect(result).toEqual({ batchSize: 32, spinning: false, measured: { 'batch 32': 256, 'batch 64': 170.7, 'batch 128': 73.1 }, at: '2026-01-02T03:04:05.006Z' });
  });

  it('calibrate: the default clock is now', async () => {
    // kills calibrate.ts:96 ArrowFunction (() => new Date() → () => undefined)
    const before = Date.now();
    const result = await calibrate(1, async () => 1);
    const at = Date.parse(result.at);
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('calibrate: a pass of 0 s, a negative or NaN time is an internal error naming it', async () => {
    // kills calibrate.ts:102 ConditionalExpression / EqualityOperator (seconds > 0 → >= 0) and the message
    for (const bad of [0, -1, Number.NaN]) {
      await expect(calibrate(1, async () => bad)).rejects.toThrow(`internal error: a calibration pass took ${bad} s`);
    }
  });
});

describe('onnxCalibration.ts (mutation kills, fake onnxruntime)', () => {
  const weights = randomConvMixerWeights(TINY, 'calibration-units');

  it('one session per spinning setting, the same seeded images in every pass, a warm-up of one batch, timed by the clock', async () => {
    // kills onnxCalibration.ts:18-35: the seeded input (rng() * 2 - 1), perImage, the chunk bounds, the
    // session cache per spinning, the session settings, the warm-up count, the timing ((now − started) / 1000)
    const clock = fakeClock();
    const fake = fakeRuntime(TINY.classes, clock);
    const result = await calibrateOnnx(fake.runtime, weights, { height: 4, width: 6, threads: 2 });

    // two sessions (sleeping, spinning), each with the threads asked for, both released
    expect(fake.created.map((c) => c.options)).toEqual([
      expect.objectContaining({ executionProviders: ['cpu'], intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '0' } } } }),
      expect.objectContaining({ executionProviders: ['cpu'], intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '1' } } } }),
    ]);
    expect(fake.released()).toBe(2);
    // the graph of the model itself, for 4×6 images (the form is checked on the real runtime below)
    const graphs = [buildConvMixerOnnx(weights, { form: 'dense', height: 4, width: 6 }), buildConvMixerOnnx(weights, { form: 'conv', height: 4, width: 6 })];
    expect(graphs.some((g) => Buffer.from(g).equals(Buffer.from(fake.created[0].model)))).toBe(true);
    expect(Buffer.from(fake.created[1].model).equals(Buffer.from(fake.created[0].model))).toBe(true);

    // per candidate and round: a warm-up of one batch, then 512 images in batches (the last may be short)
    const perImage = 3 * 4 * 6;
    const rng = seedrandom('cipherpatch-calibration');
    const images = Float32Array.from({ length: 512 * perImage }, () => rng() * 2 - 1);
    expect(Math.min(...images)).toBeLessThan(-0.99);
    expect(Math.max(...images)).toBeGreaterThan(0.99);
    let r = 0;
    for (let round = 0; round < 3; round++) {
      for (const { batchSize, spinning } of calibrationCandidates(2)) {
        const warm = fake.runs[r++];
        expect(warm.spinning).toBe(spinning);
        expect(warm.dims).toEqual([batchSize, 3, 4, 6]);
        expect(same(warm.data, images.subarray(0, batchSize * perImage))).toBe(true);
        for (let start = 0; start < 512; start += batchSize) {
          const run = fake.runs[r++];
          expect(run.dims).toEqual([batchSize, 3, 4, 6]);
          expect(same(run.data, images.subarray(start * perImage, (start + batchSize) * perImage))).toBe(true);
        }
      }
    }
    expect(fake.runs).toHaveLength(r);

    // timed pass: runs × 10 ms + 512 × 1 ms, spinning × 0.9 — batch 128: 552 ms (927.5 images/s), spinning 496.8 ms (1030.6 images/s ≥ 1.03 × 927.5)
    expect(result.measured).toEqual({
      'batch 32': 761.9, // 512 / (16 × 10 + 512 ms)
      'batch 64': 864.9, // 512 / 592 ms
      'batch 128': 927.5, // 512 / 552 ms
      'batch 32, spinning': 846.6, // 512 / 604.8 ms
      'batch 64, spinning': 961, // 512 / 532.8 ms = 960.96…
      'batch 128, spinning': 1030.6, // 512 / 496.8 ms
    });
    expect(result).toMatchObject({ batchSize: 128, spinning: true });
  });

  it('one thread: only sleeping sessions; a failing run still releases the session', async () => {
    // kills onnxCalibration.ts:37-38 the finally block (BlockStatement), :26-28 the session cache
    const clock = fakeClock();
    const one = fakeRuntime(TINY.classes, clock);
    const result = await calibrateOnnx(one.runtime, weights, { height: 4, width: 4, threads: 1 });
    expect(one.created).toHaveLength(1);
    expect(one.created[0].options).toMatchObject({ intraOpNumThreads: 1 });
    expect(Object.keys(result.measured)).toEqual(['batch 32', 'batch 64', 'batch 128']);
    expect(result).toMatchObject({ batchSize: 128, spinning: false });

    // a session that cannot be made: the error names the ConvMixer graph (kills onnxCalibration.ts:27 StringLiteral 'ConvMixer')
    const broken = { ...one.runtime, ort: { ...one.runtime.ort, InferenceSession: { create: async () => Promise.reject(new Error('no such op')) } } } as OnnxRuntimeInfo;
    await expect(calibrateOnnx(broken, weights, { height: 4, width: 4, threads: 1 })).rejects.toThrow('onnxruntime could not load the ConvMixer graph: no such op');

    const failing = fakeRuntime(TINY.classes, clock, { failOnRun: 3 });
    await expect(calibrateOnnx(failing.runtime, weights, { height: 4, width: 4, threads: 1 })).rejects.toThrow('session run failed');
    expect(failing.released()).toBe(1);
  });

  it('the calibrated graph is the one the engine picks for the size and computes the model (logits vs the spec)', async () => {
    // kills onnxCalibration.ts:16-17 (the form: ConditionalExpression true/false) and any mutant that breaks the graph's input
    const real = await loadOnnxRuntime();
    for (const [height, width] of [
      [4, 4],
      [10, 10],
    ]) {
      const models: Uint8Array[] = [];
      const runtime: OnnxRuntimeInfo = {
        ...real,
        ort: {
          ...real.ort,
          InferenceSession: {
            create: async (model: Uint8Array) => {
              models.push(model);
              throw new Error('captured'); // the graph is all this test needs: no calibration passes
            },
          },
        },
      };
      await expect(calibrateOnnx(runtime, weights, { height, width, threads: 1 })).rejects.toThrow('onnxruntime could not load the ConvMixer graph: captured');
      expect(models).toHaveLength(1);
      // the form the engine itself picks ("dense graph" or "conv graph" in its version)
      const engine = await createOnnxEngine(weights, { threads: 1 });
      const images = { data: Uint8Array.from({ length: 2 * height * width * 3 }, (_, i) => (i * 97) % 256), shape: { count: 2, height, width, channels: 3 }, layout: 'NHWC' as const };
      await engine.logits(images);
      const form = /dense graph/.test(engine.version) ? 'dense' : 'conv';
      engine.dispose();
      expect(Buffer.from(models[0]).equals(Buffer.from(buildConvMixerOnnx(weights, { form, height, width }))), `${height}×${width}: ${form}`).toBe(true);
      // and that graph computes the model: its logits against the spec
      const session = await real.ort.InferenceSession.create(models[0], {});
      const nchw = new Float32Array(2 * 3 * height * width);
      for (let n = 0; n < 2; n++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) nchw[((n * 3 + c) * height + y) * width + x] = images.data[((n * height + y) * width + x) * 3 + c] / 127.5 - 1;
      const out = await session.run({ [ONNX_INPUT]: new real.ort.Tensor('float32', nchw, [2, 3, height, width]) });
      await session.release();
      const logits = out[ONNX_OUTPUT].data as Float32Array;
      const expected = specLogits(specModel(weights), images).flat();
      for (let i = 0; i < expected.length; i++) expect(Math.abs(logits[i] - expected[i])).toBeLessThan(1e-4);
    }
  });
});

describe('tuning.ts (mutation kills)', () => {
  const weights = randomConvMixerWeights(TINY, 'tuning-units');
  const runtime = { module: 'ort-mod', version: '1.2.3' } as unknown as OnnxRuntimeInfo;
  const result: CalibrationResult = { batchSize: 128, spinning: true, measured: { 'batch 128, spinning': 9 }, at: '2026-12-01T10:00:00.000Z' };
  const memoryStore = () => {
    const sets: [string, CalibrationResult][] = [];
    const map = new Map<string, CalibrationResult>();
    const store: CalibrationStore = { get: (k) => map.get(k), set: (k, r) => void (sets.push([k, r]), map.set(k, r)) };
    return { store, map, sets };
  };
  const never = async (): Promise<CalibrationResult> => {
    throw new Error('must not calibrate');
  };
  const base = { runtime, weights, height: 4, width: 6, threads: 3, load: () => 0 };
  /** The key, written out by hand for TINY on 4×6 images with 3 threads on ort-mod 1.2.3. */
  const KEY = `${machineName()} | ort-mod 1.2.3 | 3 threads | ConvMixer d4 depth1 k3 P2 C3 classes5 | 4×6`;

  it('constants: 300,000 images, load 0.75 per CPU, the modes, the default tuning (64, sleeping)', () => {
    // kills tuning.ts:16, :23 (numbers), :29 ArrayDeclaration / StringLiteral, :41 ObjectLiteral / BooleanLiteral
    expect(MIN_IMAGES_TO_CALIBRATE).toBe(300_000);
    expect(BUSY_LOAD_PER_CPU).toBe(0.75);
    expect(TUNING_MODES).toEqual(['auto', 'off', 'refresh']);
    expect(DEFAULT_TUNING).toEqual({ batchSize: 64, spinning: false });
  });

  it('loadPerCpu: the 1-minute load average divided by the logical CPUs', () => {
    // kills tuning.ts:26 ArithmeticOperator (/ → *) and the index of loadavg
    vi.spyOn(os, 'loadavg').mockReturnValue([3, 5, 7]);
    vi.spyOn(os, 'availableParallelism').mockReturnValue(4);
    expect(loadPerCpu()).toBe(0.75);
  });

  it('off: the defaults with their source, no store read', async () => {
    // kills tuning.ts:59 StringLiteral ('default (tuning off)') and the mode check
    const { store } = memoryStore();
    const choice = await chooseOnnxTuning({ ...base, plannedImages: 10 ** 9, mode: 'off', store: { ...store, get: () => result }, measure: never });
    expect(choice).toEqual({ batchSize: 64, spinning: false, source: 'default (tuning off)' });
  });

  it('auto, cached: the stored result under the hand-written key, with its time', async () => {
    // kills tuning.ts:60 StringLiteral (the key's runtime text), :62 the cached source text
    const { store, map } = memoryStore();
    map.set(KEY, result);
    const choice = await chooseOnnxTuning({ ...base, plannedImages: 1, mode: 'auto', store, measure: never });
    expect(choice).toEqual({ batchSize: 128, spinning: true, source: 'cached (calibrated 2026-12-01T10:00:00.000Z)' });
  });

  it('auto, too few images: the defaults and why, naming both numbers', async () => {
    // kills tuning.ts:63-64 (the condition, < → <=, the message)
    const { store } = memoryStore();
    const choice = await chooseOnnxTuning({ ...base, plannedImages: 299_999, mode: 'auto', store, measure: never });
    expect(choice).toEqual({ batchSize: 64, spinning: false, source: 'default (299999 forward images: too few to repay a calibration, which runs from 300000)' });
  });

  it('auto, enough images: measures with the target, stores under the key, says how long it took (fake clock)', async () => {
    // kills tuning.ts:66-74: the measure's arguments, :68 ObjectLiteral, the timing text ((now − started) / 1000, one decimal), store.set, the returned fields
    const clock = fakeClock();
    const { store, sets } = memoryStore();
    const asked: unknown[] = [];
    const choice = await chooseOnnxTuning({
      ...base,
      plannedImages: 300_000,
      mode: 'auto',
      store,
      measure: async (rt, w, target) => {
        asked.push([rt, w, target]);
        clock.ms += 7_860; // 7.86 s → "7.9 s"
        return result;
      },
    });
    expect(asked).toEqual([[runtime, weights, { height: 4, width: 6, threads: 3 }]]);
    expect(choice).toEqual({ batchSize: 128, spinning: true, source: 'calibrated in 7.9 s' });
    expect(sets).toEqual([[KEY, result]]);
  });

  it('refresh: measures even with a cached result and with few images', async () => {
    // kills tuning.ts:61 (mode === 'auto' → true) and :63 (mode === 'auto' && … → true && …)
    fakeClock();
    const { store, map, sets } = memoryStore();
    map.set(KEY, { ...result, batchSize: 32 });
    const choice = await chooseOnnxTuning({ ...base, plannedImages: 1, mode: 'refresh', store, measure: async () => result });
    expect(choice).toEqual({ batchSize: 128, spinning: true, source: 'calibrated in 0.0 s' });
    expect(sets).toEqual([[KEY, result]]);
  });

  it('busy: a load of exactly 0.75 per CPU is not busy; above it the result is not stored, and the message says the load', async () => {
    // kills tuning.ts:70 EqualityOperator (> → >=), the busy message, and the `load ?? loadPerCpu` choice
    fakeClock();
    vi.spyOn(os, 'loadavg').mockReturnValue([1000, 1000, 1000]); // the real load would be busy: the fake must be used
    const edge = memoryStore();
    const atEdge = await chooseOnnxTuning({ ...base, load: () => 0.75, plannedImages: 300_000, mode: 'auto', store: edge.store, measure: async () => result });
    expect(atEdge.source).toBe('calibrated in 0.0 s');
    expect(edge.sets).toHaveLength(1);
    const busy = memoryStore();
    const choice = await chooseOnnxTuning({ ...base, load: () => 0.756, plannedImages: 300_000, mode: 'auto', store: busy.store, measure: async () => result });
    expect(choice).toEqual({ batchSize: 128, spinning: true, source: 'calibrated in 0.0 s; the machine was busy (load 0.76 per CPU), so this calibration serves this run only and is not cached' });
    expect(busy.sets).toHaveLength(0);
  });

  it('without a load function the machine load is read (here faked busy); without a measure, calibrateOnnx runs', async () => {
    // kills tuning.ts:66 (options.load ?? loadPerCpu → &&) and :68 (options.measure ?? calibrateOnnx → &&)
    fakeClock();
    vi.spyOn(os, 'loadavg').mockReturnValue([8, 8, 8]);
    vi.spyOn(os, 'availableParallelism').mockReturnValue(2);
    const { store, sets } = memoryStore();
    const choice = await chooseOnnxTuning({ ...base, load: undefined, plannedImages: 300_000, mode: 'auto', store, measure: async () => result });
    expect(choice.source).toMatch(/busy \(load 4\.00 per CPU\)/);
    expect(sets).toHaveLength(0);
    const clock = fakeClock();
    const fake = fakeRuntime(TINY.classes, clock);
    const real = await chooseOnnxTuning({ ...base, runtime: fake.runtime, threads: 1, load: () => 0, plannedImages: 300_000, mode: 'refresh', store });
    expect(fake.created).toHaveLength(1);
    expect(real).toMatchObject({ batchSize: 128, spinning: false });
  });
});
