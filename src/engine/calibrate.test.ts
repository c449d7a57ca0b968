import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConvMixerConfig, randomConvMixerWeights } from '../model/convmixer.ts';
import { CALIBRATION_BATCHES, CALIBRATION_IMAGES, CALIBRATION_ROUNDS, type CalibrationResult, type OnnxTuning, calibrate, calibrationCandidates, calibrationKey, chooseTuning } from './calibrate.ts';
import { createOnnxEngine, loadOnnxRuntime } from './onnx.ts';
import { calibrateOnnx } from './onnxCalibration.ts';
import { BUSY_LOAD_PER_CPU, type CalibrationStore, MIN_IMAGES_TO_CALIBRATE, chooseOnnxTuning } from './tuning.ts';
import { CALIBRATION_FORMAT, fileCalibrationStore, readCalibrationFile } from '../io/calibrationCache.ts';

const TINY: ConvMixerConfig = { dim: 8, depth: 2, kernel: 3, patch: 4, channels: 3, classes: 10 };
const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-calibration-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const rates = (entries: [number, boolean, number][]) => new Map<OnnxTuning, number>(entries.map(([batchSize, spinning, rate]) => [{ batchSize, spinning }, rate]));

describe('chooseTuning', () => {
  it('takes the fastest batch size with sleeping threads', () => {
    expect(chooseTuning(rates([[16, false, 100], [32, false, 140], [64, false, 120]]))).toEqual({ batchSize: 32, spinning: false });
  });
  it('takes spinning threads only when they beat sleeping ones by 3 %', () => {
    expect(chooseTuning(rates([[32, false, 100], [32, true, 102.9]]))).toEqual({ batchSize: 32, spinning: false });
    expect(chooseTuning(rates([[32, false, 100], [64, true, 103.1]]))).toEqual({ batchSize: 64, spinning: true });
  });
  it('keeps the smaller batch on a tie', () => {
    expect(chooseTuning(rates([[16, false, 100], [32, false, 100]]))).toEqual({ batchSize: 16, spinning: false });
  });
});

describe('calibrate', () => {
  it('tries every batch size, with spinning only above one thread', () => {
    expect(calibrationCandidates(1)).toEqual(CALIBRATION_BATCHES.map((batchSize) => ({ batchSize, spinning: false })));
    expect(calibrationCandidates(2)).toHaveLength(2 * CALIBRATION_BATCHES.length);
  });

  it('runs every candidate once per round, interleaved, and keeps the best pass of each', async () => {
    const calls: string[] = [];
    let round = 0;
    const result = await calibrate(
      2,
      async (c) => {
        calls.push(`${c.batchSize}${c.spinning ? 's' : ''}`);
        if (calls.length % calibrationCandidates(2).length === 1) round++;
        // batch 64 sleeping is slow in round 1 and fastest in round 2; spinning 128 is always second best
        if (c.batchSize === 64 && !c.spinning) return round === 1 ? 10 : 0.5;
        if (c.batchSize === 128 && c.spinning) return 0.6;
        return 1;
      },
      () => new Date('2026-12-03T00:00:00Z'),
    );
    expect(calls).toHaveLength(CALIBRATION_ROUNDS * calibrationCandidates(2).length);
    expect(calls.slice(0, 6)).toEqual(['32', '64', '128', '32s', '64s', '128s']);
    expect(result).toMatchObject({ batchSize: 64, spinning: false, at: '2026-12-03T00:00:00.000Z' });
    expect(result.measured['batch 64']).toBeCloseTo(CALIBRATION_IMAGES / 0.5, 1);
    expect(result.measured['batch 128, spinning']).toBeCloseTo(CALIBRATION_IMAGES / 0.6, 1);
    expect(Object.keys(result.measured)).toHaveLength(6);
  });
});

describe('calibrateOnnx (onnxruntime)', () => {
  it('measures every candidate on the real engine and picks one of them', async () => {
    const runtime = await loadOnnxRuntime();
    const result = await calibrateOnnx(runtime, randomConvMixerWeights(TINY, 'calibration'), { height: 16, width: 16, threads: 2 });
    expect(Object.keys(result.measured).sort()).toEqual(calibrationCandidates(2).map((c) => `batch ${c.batchSize}${c.spinning ? ', spinning' : ''}`).sort());
    for (const rate of Object.values(result.measured)) expect(rate).toBeGreaterThan(0);
    expect(calibrationCandidates(2)).toContainEqual({ batchSize: result.batchSize, spinning: result.spinning });
  });

  it('every candidate gives the same logits, bit for bit (tuning changes only the speed)', async () => {
    const weights = randomConvMixerWeights(TINY, 'calibration-bits');
    const n = 150; // not a multiple of any candidate batch: every candidate ends on a partial batch
    const data = Uint8Array.from({ length: n * 16 * 16 * 3 }, (_, i) => (i * 2654435761) >>> 24);
    const images = { data, shape: { count: n, height: 16, width: 16, channels: 3 }, layout: 'NHWC' as const };
    const reference = await createOnnxEngine(weights, { batchSize: 64, threads: 1 }); // the untuned default
    const expected = await reference.logits(images);
    reference.dispose();
    for (const c of calibrationCandidates(2)) {
      const engine = await createOnnxEngine(weights, { batchSize: c.batchSize, threads: 2, spinning: c.spinning });
      const logits = await engine.logits(images);
      engine.dispose();
      expect(Buffer.from(logits.buffer).equals(Buffer.from(expected.buffer)), `batch ${c.batchSize}, spinning ${c.spinning}`).toBe(true);
    }
  });
});

describe('chooseOnnxTuning', () => {
  const weights = randomConvMixerWeights(TINY, 'tuning');
  const measured: CalibrationResult = { batchSize: 32, spinning: true, measured: { 'batch 32, spinning': 1 }, at: '2026-12-03T00:00:00.000Z' };
  const memoryStore = (): CalibrationStore & { map: Map<string, CalibrationResult> } => {
    const map = new Map<string, CalibrationResult>();
    return { map, get: (k) => map.get(k), set: (k, r) => void map.set(k, r) };
  };
  const base = async () => ({ runtime: await loadOnnxRuntime(), weights, height: 16, width: 16, threads: 2, load: () => 0 });
  const never = async (): Promise<CalibrationResult> => {
    throw new Error('must not calibrate');
  };

  it('off: the engine defaults, nothing measured', async () => {
    const choice = await chooseOnnxTuning({ ...(await base()), plannedImages: 10 ** 9, mode: 'off', store: memoryStore(), measure: never });
    expect(choice).toMatchObject({ batchSize: 64, spinning: false });
    expect(choice.source).toMatch(/tuning off/);
  });

  it('auto: a short run without a cached calibration keeps the defaults', async () => {
    const store = memoryStore();
    const choice = await chooseOnnxTuning({ ...(await base()), plannedImages: MIN_IMAGES_TO_CALIBRATE - 1, mode: 'auto', store, measure: never });
    expect(choice).toMatchObject({ batchSize: 64, spinning: false });
    expect(store.map.size).toBe(0);
  });

  it('auto: a long run calibrates once and stores it; the next run (even a short one) takes the cached result', async () => {
    const store = memoryStore();
    let calls = 0;
    const measure = async () => {
      calls++;
      return measured;
    };
    const first = await chooseOnnxTuning({ ...(await base()), plannedImages: MIN_IMAGES_TO_CALIBRATE, mode: 'auto', store, measure });
    expect(first).toMatchObject({ batchSize: 32, spinning: true });
    expect(first.source).toMatch(/^calibrated in/);
    const again = await chooseOnnxTuning({ ...(await base()), plannedImages: 1, mode: 'auto', store, measure: never });
    expect(again).toMatchObject({ batchSize: 32, spinning: true });
    expect(again.source).toMatch(/^cached/);
    expect(calls).toBe(1);
  });

  it('on a busy machine a calibration serves the run but is not cached', async () => {
    const store = memoryStore();
    const choice = await chooseOnnxTuning({ ...(await base()), load: () => BUSY_LOAD_PER_CPU + 0.01, plannedImages: MIN_IMAGES_TO_CALIBRATE, mode: 'auto', store, measure: async () => measured });
    expect(choice).toMatchObject({ batchSize: 32, spinning: true });
    expect(choice.source).toMatch(/busy.*not cached/);
    expect(store.map.size).toBe(0);
  });

  it('refresh measures again despite a cached result; another thread count or model shape is another entry', async () => {
    const store = memoryStore();
    const b = await base();
    store.set(calibrationKey({ runtime: `${b.runtime.module} ${b.runtime.version}`, threads: 2, config: TINY, height: 16, width: 16 }), { ...measured, batchSize: 128 });
    const refreshed = await chooseOnnxTuning({ ...b, plannedImages: 1, mode: 'refresh', store, measure: async () => measured });
    expect(refreshed.batchSize).toBe(32);
    const otherThreads = await chooseOnnxTuning({ ...b, threads: 1, plannedImages: 1, mode: 'auto', store, measure: never });
    expect(otherThreads.batchSize).toBe(64);
    const otherSize = await chooseOnnxTuning({ ...b, height: 32, plannedImages: 1, mode: 'auto', store, measure: never });
    expect(otherSize.batchSize).toBe(64);
  });
});

describe('the calibration file', () => {
  const result: CalibrationResult = { batchSize: 16, spinning: false, measured: { 'batch 16': 900.5 }, at: '2026-12-03T01:02:03.000Z' };

  it('round-trips entries and leaves no temporary file', () => {
    const dir = scratch();
    const file = join(dir, 'sub', 'calibration.json');
    fileCalibrationStore(file).set('machine A', result);
    fileCalibrationStore(file).set('machine B', { ...result, batchSize: 128 });
    const store = fileCalibrationStore(file);
    expect(store.get('machine A')).toEqual(result);
    expect(store.get('machine B')?.batchSize).toBe(128);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(CALIBRATION_FORMAT);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['calibration.json']);
  });

  it('a malformed or foreign file counts as empty, says why, and is rewritten on the next calibration', () => {
    const dir = scratch();
    const file = join(dir, 'calibration.json');
    writeFileSync(file, '{ not json');
    const warnings: string[] = [];
    const store = fileCalibrationStore(file, (m) => warnings.push(m));
    expect(warnings).toHaveLength(0); // read on first use only
    expect(store.get('k')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not readable JSON/);
    store.set('k', result);
    expect(readCalibrationFile(file).entries.get('k')).toEqual(result);

    writeFileSync(file, JSON.stringify({ format: 'something-else', entries: { k: result } }));
    expect(readCalibrationFile(file).problem).toMatch(/not a cipherpatch calibration file/);
    expect(readCalibrationFile(file).entries.size).toBe(0);
  });

  it('keeps only well-formed entries', () => {
    const file = join(scratch(), 'calibration.json');
    writeFileSync(file, JSON.stringify({ format: CALIBRATION_FORMAT, version: 1, entries: { good: result, zero: { ...result, batchSize: 0 }, spin: { ...result, spinning: 'yes' }, none: null } }));
    expect([...readCalibrationFile(file).entries.keys()]).toEqual(['good']);
  });
});
