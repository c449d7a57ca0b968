/**
 * Which batch size and idle-thread setting the CPU onnx engine runs with when
 * the user names none: a calibration (calibrate.ts) kept in a cache per
 * machine and model shape; measured afresh only when no cached one exists and
 * the run is long enough to repay the measuring (MIN_IMAGES_TO_CALIBRATE
 * forward images); otherwise the engine's defaults. The cache itself (a file)
 * is the caller's: `CalibrationStore`.
 */
import os from 'node:os';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { type CalibrationResult, type OnnxTuning, calibrationKey } from './calibrate.ts';
import { ONNX_DEFAULT_BATCH_SIZE, type OnnxRuntimeInfo } from './onnx.ts';
import { calibrateOnnx } from './onnxCalibration.ts';

/** A calibration takes ≈ 9,500 forward images (≈ 10 s on 2 cores); below this many images in the run it is not worth it. */
export const MIN_IMAGES_TO_CALIBRATE = 300_000;

/**
 * Above this load (the 1-minute load average per logical CPU, before the
 * calibration starts) other processes skew the measurement: the result serves
 * this run but is not cached.
 */
export const BUSY_LOAD_PER_CPU = 0.75;

/** The 1-minute load average per logical CPU. */
export const loadPerCpu = (): number => os.loadavg()[0] / os.availableParallelism();

export type TuningMode = 'auto' | 'off' | 'refresh';
export const TUNING_MODES: readonly TuningMode[] = ['auto', 'off', 'refresh'];

export interface CalibrationStore {
  get(key: string): CalibrationResult | undefined;
  set(key: string, result: CalibrationResult): void;
}

export interface TuningChoice extends OnnxTuning {
  /** How it was chosen, for the user: "cached (calibrated …)", "calibrated in 7.9 s", "default: …". */
  readonly source: string;
}

export const DEFAULT_TUNING: OnnxTuning = { batchSize: ONNX_DEFAULT_BATCH_SIZE, spinning: false };

export async function chooseOnnxTuning(options: {
  readonly runtime: OnnxRuntimeInfo;
  readonly weights: ConvMixerWeights;
  readonly height: number;
  readonly width: number;
  readonly threads: number;
  /** Forward images the run will compute (images × passes). */
  readonly plannedImages: number;
  readonly mode: TuningMode;
  readonly store: CalibrationStore;
  /** Runs the calibration (default: calibrateOnnx); tests pass a fake. */
  readonly measure?: typeof calibrateOnnx;
  /** The machine's load per CPU (default: loadPerCpu); tests pass a fake. */
  readonly load?: () => number;
}): Promise<TuningChoice> {
  const { runtime, weights, height, width, threads, mode, store } = options;
  if (mode === 'off') return { ...DEFAULT_TUNING, source: 'default (tuning off)' };
  const key = calibrationKey({ runtime: `${runtime.module} ${runtime.version}`, threads, config: weights.config, height, width });
  const cached = mode === 'auto' ? store.get(key) : undefined;
  if (cached !== undefined) return { batchSize: cached.batchSize, spinning: cached.spinning, source: `cached (calibrated ${cached.at})` };
  if (mode === 'auto' && options.plannedImages < MIN_IMAGES_TO_CALIBRATE) {
    return { ...DEFAULT_TUNING, source: `default (${options.plannedImages} forward images: too few to repay a calibration, which runs from ${MIN_IMAGES_TO_CALIBRATE})` };
  }
  const load = (options.load ?? loadPerCpu)();
  const started = performance.now();
  const result = await (options.measure ?? calibrateOnnx)(runtime, weights, { height, width, threads });
  const took = `calibrated in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (load > BUSY_LOAD_PER_CPU) {
    return { batchSize: result.batchSize, spinning: result.spinning, source: `${took}; the machine was busy (load ${load.toFixed(2)} per CPU), so this calibration serves this run only and is not cached` };
  }
  store.set(key, result);
  return { batchSize: result.batchSize, spinning: result.spinning, source: took };
}
