/**
 * `evaluate`'s onnx settings when --batch-size is not given: the calibrated
 * batch size and idle-thread setting for this machine and model shape
 * (src/engine/tuning.ts), cached in the calibration file. Only the CPU onnx
 * engine is tuned; tfjs, CUDA and a run without onnxruntime keep the old
 * default batch of 64. --tuning (or $CIPHERPATCH_TUNING) off | auto | refresh.
 */
import { InvalidArgumentError } from 'commander';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { loadOnnxRuntime, checkThreads } from '../engine/onnx.ts';
import { DEFAULT_TUNING, type TuningMode, TUNING_MODES, chooseOnnxTuning } from '../engine/tuning.ts';
import { defaultCalibrationFile, fileCalibrationStore } from '../io/calibrationCache.ts';
import type { Io } from './io.ts';

/** The batch size `evaluate` used before calibration existed, and still uses where it does not tune (tfjs, CUDA, System B). */
export const UNTUNED_BATCH_SIZE = DEFAULT_TUNING.batchSize;

export function tuningMode(value: string): TuningMode {
  if (!(TUNING_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`--tuning must be one of ${TUNING_MODES.join(', ')}, got "${value}"`);
  return value as TuningMode;
}

/** The default of --tuning: $CIPHERPATCH_TUNING when set, else auto. */
export function defaultTuningMode(env: NodeJS.ProcessEnv = process.env): TuningMode {
  const value = env.CIPHERPATCH_TUNING;
  if (value === undefined || value === '') return 'auto';
  return tuningMode(value);
}

export interface TuningFlags {
  readonly engine: string;
  readonly executionProvider: string;
  readonly threads?: number;
  readonly batchSize?: number;
  readonly tuning: TuningMode;
}

/** The batch size and spinning to run with (printed on stderr with where they came from). */
export async function engineTuning(o: TuningFlags, io: Io, model: { weights: ConvMixerWeights; height: number; width: number; plannedImages: number }): Promise<{ batchSize: number; spinning?: boolean }> {
  if (o.batchSize !== undefined) return { batchSize: o.batchSize };
  if (o.engine === 'tfjs' || o.executionProvider !== 'cpu') return { batchSize: UNTUNED_BATCH_SIZE };
  let runtime;
  try {
    runtime = await loadOnnxRuntime();
  } catch {
    return { batchSize: UNTUNED_BATCH_SIZE }; // 'auto' falls back to tfjs; 'onnx' fails with its own message when the engine is made
  }
  const file = defaultCalibrationFile();
  const choice = await chooseOnnxTuning({
    runtime,
    weights: model.weights,
    height: model.height,
    width: model.width,
    threads: checkThreads(o.threads),
    plannedImages: model.plannedImages,
    mode: o.tuning,
    store: fileCalibrationStore(file, (message) => io.err(`onnx tuning: ${message}`)),
  });
  io.err(`onnx tuning: batch ${choice.batchSize}, ${choice.spinning ? 'spinning' : 'sleeping'} idle threads — ${choice.source}${choice.source.startsWith('default') ? '' : ` (${file})`}`);
  return { batchSize: choice.batchSize, spinning: choice.spinning };
}
