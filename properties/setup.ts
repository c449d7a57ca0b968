/**
 * The one place that owns fast-check's global settings (vitest setupFiles).
 *
 *   FC_SEED  an integer seed, or "random" for a fresh seed (printed); default fixed.
 *   FC_RUNS  runs per property (default 100; `npm run fuzz` uses 2000).
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

function readRuns(): number {
  const raw = process.env.FC_RUNS;
  if (raw === undefined || raw === '') return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`FC_RUNS must be a positive integer, got "${raw}"`);
  return Number(raw);
}

export const FC_SEED = readSeed();
export const FC_RUNS = readRuns();

const path = process.env.FC_PATH;

fc.configureGlobal({
  seed: FC_SEED,
  numRuns: FC_RUNS,
  verbose: 1,
  ...(path !== undefined && path !== '' ? { path, endOnFailure: true } : {}),
});
