/**
 * The onnx engine's settings picked by measuring, not by the user's flags: a
 * short calibration times one forward pass of the real model per candidate
 * (batch size × idle-thread spinning), on this machine, and keeps the fastest.
 * Batch size and spinning change only the speed, not a logit: onnxruntime
 * splits the work of a product by rows and columns, not along the summed
 * dimension, so every candidate gives the bits of the default batch of 64
 * (calibrate.test.ts checks it; measured on ConvMixer-256/8 for batches 8 to
 * 256 as well). A batch of ONE image takes another kernel path and may round
 * differently — whatever the batch size, as the last batch of a run can be.
 *
 * Spinning threads win a few per cent on an idle machine and lose half the
 * throughput when another process holds a core (bench/RESULTS.md), so they are
 * chosen only when they beat sleeping threads by SPINNING_MARGIN.
 *
 * The result depends on the machine and the model's shape, not on its
 * weights: `calibrationKey` names it, and src/io/calibrationCache.ts keeps
 * it so later runs skip the measuring.
 */
import os from 'node:os';
import type { ConvMixerConfig } from '../model/convmixer.ts';

/** Batch sizes tried (images per session run). */
export const CALIBRATION_BATCHES: readonly number[] = [32, 64, 128];
/** Images per timed pass: every candidate runs the same images. */
export const CALIBRATION_IMAGES = 512;
/** Rounds; each runs every candidate once and the best pass of each is kept. */
export const CALIBRATION_ROUNDS = 3;
/** Spinning threads must be this much faster than sleeping ones to be chosen. */
export const SPINNING_MARGIN = 1.03;

export interface OnnxTuning {
  readonly batchSize: number;
  readonly spinning: boolean;
}

export interface CalibrationResult extends OnnxTuning {
  /** Images/s of every candidate, "batch 32", "batch 32, spinning". */
  readonly measured: Readonly<Record<string, number>>;
  /** ISO time of the measurement. */
  readonly at: string;
}

/** What a calibration is valid for: the machine, the runtime, the thread count, the model's shape and the image size. */
export interface CalibrationTarget {
  readonly runtime: string;
  readonly threads: number;
  readonly config: ConvMixerConfig;
  readonly height: number;
  readonly width: number;
}

/** The machine as calibration sees it: CPU model, logical CPUs, the CPU's flags (hashed into the key by the cache). */
export function machineName(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${os.availableParallelism()} (${os.arch()}, ${os.platform()})`;
}

/** One string per (machine, runtime, threads, model shape, image size). */
export function calibrationKey(target: CalibrationTarget, machine: string = machineName()): string {
  const { dim, depth, kernel, patch, channels, classes } = target.config;
  return `${machine} | ${target.runtime} | ${target.threads} threads | ConvMixer d${dim} depth${depth} k${kernel} P${patch} C${channels} classes${classes} | ${target.height}×${target.width}`;
}

export const candidateName = (c: OnnxTuning): string => `batch ${c.batchSize}${c.spinning ? ', spinning' : ''}`;

/** The candidates: every batch size, with sleeping threads, and (when there is more than one thread) spinning ones. */
export function calibrationCandidates(threads: number): OnnxTuning[] {
  const spins = threads > 1 ? [false, true] : [false];
  return spins.flatMap((spinning) => CALIBRATION_BATCHES.map((batchSize) => ({ batchSize, spinning })));
}

/**
 * The fastest candidate from measured images/s: the fastest with sleeping
 * threads, unless a spinning one beats it by SPINNING_MARGIN. Ties go to the
 * earlier (smaller) batch size.
 */
export function chooseTuning(measured: ReadonlyMap<OnnxTuning, number>): OnnxTuning {
  const best = (spinning: boolean) => {
    let found: [OnnxTuning, number] | undefined;
    for (const [c, rate] of measured) if (c.spinning === spinning && (found === undefined || rate > found[1])) found = [c, rate];
    return found;
  };
  const sleeping = best(false);
  const spinning = best(true);
  if (sleeping === undefined) throw new Error('internal error: no sleeping-thread candidate was measured');
  return spinning !== undefined && spinning[1] >= SPINNING_MARGIN * sleeping[1] ? spinning[0] : sleeping[0];
}

/**
 * Measures every candidate: `timePass(candidate)` runs one pass of
 * CALIBRATION_IMAGES images with that candidate's settings and returns its
 * seconds (after its own warm-up). Rounds interleave the candidates, so a
 * burst of load from another process hits them alike; each keeps its best.
 */
export async function calibrate(threads: number, timePass: (candidate: OnnxTuning) => Promise<number>, now: () => Date = () => new Date()): Promise<CalibrationResult> {
  const candidates = calibrationCandidates(threads);
  const rates = new Map<OnnxTuning, number>();
  for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
    for (const c of candidates) {
      const seconds = await timePass(c);
      if (!(seconds > 0)) throw new Error(`internal error: a calibration pass took ${seconds} s`);
      rates.set(c, Math.max(rates.get(c) ?? 0, CALIBRATION_IMAGES / seconds));
    }
  }
  const chosen = chooseTuning(rates);
  return {
    batchSize: chosen.batchSize,
    spinning: chosen.spinning,
    measured: Object.fromEntries([...rates].map(([c, rate]) => [candidateName(c), Math.round(rate * 10) / 10])),
    at: now().toISOString(),
  };
}
