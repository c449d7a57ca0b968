/**
 * engineTuning (src/cli/tuning.ts) where onnxruntime does not load, and with
 * an unreadable calibration file: the branches helpersUnits.test.ts (a loading
 * runtime, a good cache) does not reach. loadOnnxRuntime is the real one
 * unless a test makes it fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import type { Io } from './io.ts';
import { engineTuning } from './tuning.ts';

let failLoad = false;
vi.mock('../engine/onnx.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../engine/onnx.ts')>();
  return {
    ...real,
    loadOnnxRuntime: vi.fn(async (...args: Parameters<typeof real.loadOnnxRuntime>) => {
      if (failLoad) throw new Error('onnxruntime-node is not installed (stand-in)');
      return real.loadOnnxRuntime(...args);
    }),
  };
});

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-tuning-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  failLoad = false;
  vi.unstubAllEnvs();
});

const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 5 }, 'tuning-units');
const model = { weights, height: 4, width: 4, plannedImages: 10 };
const capture = () => {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (l) => err.push(l) };
  return { io, err };
};

describe('engineTuning', () => {
  it('onnxruntime does not load: the untuned batch of 64, silently (the engine reports it when it is made)', async () => {
    // kills tuning.ts:45-46 (the catch and its result)
    failLoad = true;
    const { io, err } = capture();
    expect(await engineTuning({ engine: 'auto', executionProvider: 'cpu', tuning: 'auto' }, io, model)).toEqual({ batchSize: 64 });
    expect(err).toEqual([]);
  });

  it('a calibration file that cannot be read: its problem on stderr, prefixed "onnx tuning: "', async () => {
    // kills tuning.ts:57 (the store's warning callback and its prefix)
    const file = join(dir, 'broken-calibration.json');
    writeFileSync(file, '{ not json');
    vi.stubEnv('CIPHERPATCH_CALIBRATION_FILE', file);
    const { io, err } = capture();
    const got = await engineTuning({ engine: 'onnx', executionProvider: 'cpu', threads: 1, tuning: 'auto' }, io, model);
    expect(got.batchSize).toBeGreaterThan(0);
    const warnings = err.filter((l) => l.includes(file) && !l.startsWith('onnx tuning: batch '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].startsWith('onnx tuning: ')).toBe(true);
    expect(warnings[0].length).toBeGreaterThan(`onnx tuning: ${file}`.length);
  });
});
