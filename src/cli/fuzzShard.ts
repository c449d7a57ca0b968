/**
 * `cipherpatch fuzz --shard i/n`: the shard's seed and share of the runs
 * (src/variants/fuzzShard.ts), and its one JSON file for `cipherpatch merge`.
 * Loaded only when fuzz runs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fail } from '../core/errors.ts';
import type { Shard } from '../core/shards.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { DEFAULT_SEED, type FuzzReport } from '../variants/harness.ts';
import { type FuzzJob, fuzzShardDocument, fuzzShardPlan } from '../variants/fuzzShard.ts';
import { commandLine } from './io.ts';
import { DEFAULT_FUZZ_SHARD_FILE, shardFile, shardOf } from './shard.ts';
import { VERSION } from './version.ts';

interface ShardFlags {
  readonly shard?: string;
  readonly shardOut?: string;
  readonly runs: number;
  readonly seed?: number;
  readonly json?: string;
  readonly path?: string;
  readonly model?: string;
  readonly only?: readonly string[];
  readonly limit: number;
  readonly force: boolean;
}

export interface FuzzShardRun {
  readonly shard: Shard;
  readonly seed: number;
  readonly runs: number;
  readonly file: string;
}

/** The shard this run is (undefined without --shard); refuses what a shard cannot do. */
export function fuzzShardRun(o: ShardFlags): FuzzShardRun | undefined {
  if (o.shard === undefined) {
    if (o.shardOut !== undefined) fail('fuzz.shard-out', '--shard-out names the file of a shard: give --shard i/n too');
    return undefined;
  }
  if (o.json !== undefined) fail('fuzz.shard-json', 'a shard writes its shard file (--shard-out), not --json: cipherpatch merge --json writes the merged report');
  if (o.path !== undefined) fail('fuzz.shard-replay', '--path replays one counterexample with a plain fuzz command (its replay line), not in a shard');
  if (o.model !== undefined) fail('fuzz.shard-model', '--model measures accuracy once: run it without --shard');
  const shard = shardOf(o.shard);
  return { shard, ...fuzzShardPlan(o.seed ?? DEFAULT_SEED, o.runs, shard), file: shardFile(o, DEFAULT_FUZZ_SHARD_FILE, shard) };
}

/** Writes the shard's file (never over one without --force); returns the line that says so. */
export function writeFuzzShard(run: FuzzShardRun, o: ShardFlags, report: FuzzReport, source: string): string {
  const job: FuzzJob = {
    cipherpatch: VERSION,
    variant: report.variant.name,
    sourceSha256: source === 'builtin' ? null : createHash('sha256').update(readFileSync(source)).digest('hex'),
    seed: o.seed ?? DEFAULT_SEED,
    runs: o.runs,
    only: o.only ?? null,
    limit: o.limit,
  };
  writeFileAtomic(run.file, `${JSON.stringify(fuzzShardDocument({ job, shard: run.shard, command: commandLine(), report }))}\n`, { overwrite: o.force });
  return `wrote ${run.file} (shard ${run.shard.index} of ${run.shard.count}: seed ${run.seed}, ${run.runs} of ${o.runs} runs); cipherpatch merge turns the shard files into one report`;
}
