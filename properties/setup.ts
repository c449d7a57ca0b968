/**
 * The one place that owns fast-check's global settings (vitest setupFiles).
 *
 *   FC_SEED  an integer seed, or "random" for a fresh seed (printed); default fixed.
 *   FC_RUNS  runs per property (default 100; `npm run fuzz` uses 2000); costly
 *            properties (engines, whole models) take their own default (costlyRuns).
 *   FC_PATH  replay path of one failure (with FC_SEED; run that test alone with -t).
 *
 * Every failure message carries fast-check's replay line
 * `{ seed: S, path: "P", endOnFailure: true }`; replay it with
 *   FC_SEED=S FC_PATH=P npx vitest run <file> -t '<test name>'
 */
import fc from 'fast-check';

export const DEFAULT_SEED = 20220723;

function readSeed(): number {
  const raw = process.env.FC_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  if (raw === 'random') {
    const seed = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
    process.stderr.write(`[fast-check] FC_SEED=random → seed ${seed} (replay with FC_SEED=${seed})\n`);
    return seed;
  }
  if (!/^-?\d+$/.test(raw)) throw new Error(`FC_SEED must be an integer or "random", got "${raw}"`);
  return Number(raw);
}

/** FC_RUNS when it is set, else undefined. */
function readRuns(): number | undefined {
  const raw = process.env.FC_RUNS;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`FC_RUNS must be a positive integer, got "${raw}"`);
  return Number(raw);
}

const RUNS_SET = readRuns();
export const FC_SEED = readSeed();
export const FC_RUNS = RUNS_SET ?? 100;

/**
 * Runs of a property too costly for FC_RUNS's default (an engine, a whole
 * model): `unset` when FC_RUNS is not set, else FC_RUNS through `scale`.
 */
export function costlyRuns(unset: number, scale: (runs: number) => number = (runs) => runs): number {
  return RUNS_SET === undefined ? unset : scale(RUNS_SET);
}

const path = process.env.FC_PATH;

fc.configureGlobal({
  seed: FC_SEED,
  numRuns: FC_RUNS,
  verbose: 1,
  ...(path !== undefined && path !== '' ? { path, endOnFailure: true } : {}),
});
