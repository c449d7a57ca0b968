/**
 * The onnx engine's calibrations on disk: one JSON file, an object from
 * calibration key (machine, runtime, threads, model shape, image size) to the
 * result. A missing, unreadable or malformed file counts as empty (the next
 * calibration rewrites it whole); writes are atomic.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CalibrationResult } from '../engine/calibrate.ts';
import type { CalibrationStore } from '../engine/tuning.ts';
import { writeFileAtomic } from './atomicWrite.ts';

export const CALIBRATION_FORMAT = 'cipherpatch-onnx-calibration';

/** $CIPHERPATCH_CALIBRATION_FILE, else ~/.cache/cipherpatch/onnx-calibration.json. */
export function defaultCalibrationFile(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return env.CIPHERPATCH_CALIBRATION_FILE ?? join(home, '.cache', 'cipherpatch', 'onnx-calibration.json');
}

function isResult(value: unknown): value is CalibrationResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return Number.isSafeInteger(r.batchSize) && (r.batchSize as number) > 0 && typeof r.spinning === 'boolean' && typeof r.at === 'string' && typeof r.measured === 'object' && r.measured !== null;
}

/** The entries of a calibration file (only well-formed ones); `problem` says why the file was ignored, if it was. */
export function readCalibrationFile(file: string): { entries: Map<string, CalibrationResult>; problem?: string } {
  const entries = new Map<string, CalibrationResult>();
  if (!existsSync(file)) return { entries };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { entries, problem: `${file} is not readable JSON (${(e as Error).message}); it will be rewritten` };
  }
  const d = doc as { format?: unknown; entries?: unknown };
  if (typeof doc !== 'object' || doc === null || d.format !== CALIBRATION_FORMAT || typeof d.entries !== 'object' || d.entries === null) {
    return { entries, problem: `${file} is not a cipherpatch calibration file; it will be rewritten` };
  }
  for (const [key, value] of Object.entries(d.entries)) if (isResult(value)) entries.set(key, value);
  return { entries };
}

/**
 * A CalibrationStore backed by `file`: read on first use (a run with tuning off
 * or without a calibration to look up never reads it), rewritten whole on
 * every set.
 */
export function fileCalibrationStore(file: string, warn: (message: string) => void = () => undefined): CalibrationStore {
  let read: Map<string, CalibrationResult> | undefined;
  const entries = () => {
    if (read === undefined) {
      const { entries: found, problem } = readCalibrationFile(file);
      if (problem !== undefined) warn(problem);
      read = found;
    }
    return read;
  };
  return {
    get: (key) => entries().get(key),
    set(key, result) {
      const all = entries();
      all.set(key, result);
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, `${JSON.stringify({ format: CALIBRATION_FORMAT, version: 1, entries: Object.fromEntries(all) }, null, 2)}\n`, { overwrite: true });
    },
  };
}
