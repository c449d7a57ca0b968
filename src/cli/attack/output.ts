/** What every attack subcommand prints and writes: percentages, and the whole result as JSON with --json. */
import { attackJsonText } from '../../attacks/common.ts';
import { writeFileAtomic } from '../../io/atomicWrite.ts';
import type { Io } from '../io.ts';

export interface Common {
  json?: string;
  force: boolean;
}

export function writeJson(io: Io, opts: Common, result: unknown): void {
  if (opts.json === undefined) return;
  writeFileAtomic(opts.json, attackJsonText(result), { overwrite: opts.force });
  io.out(`wrote ${opts.json}`);
}

export const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
