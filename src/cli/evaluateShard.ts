/**
 * `cipherpatch evaluate --shard i/n`: which wrong keys the shard runs, and
 * its one JSON file (src/evaluate/shard.ts) for `cipherpatch merge`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fail } from '../core/errors.ts';
import type { Uint8Batch } from '../core/images.ts';
import { type Shard, type ShardRange, shardRange } from '../core/shards.ts';
import { plural } from '../core/words.ts';
import { type ExperimentResult, type ShardReportContext, type ShardSystemId, evaluateJob, evaluateShardDocument } from '../evaluate/shard.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { commandLine } from './io.ts';
import { DEFAULT_EVALUATE_SHARD_FILE, shardFile, shardOf } from './shard.ts';
import { VERSION } from './version.ts';

interface ShardFlags {
  readonly shard?: string;
  readonly shardOut?: string;
  readonly weights: string;
  readonly wrongKeySeed: string;
  readonly force: boolean;
  readonly engine: string;
  readonly executionProvider: string;
  readonly backend: string;
}

export interface ShardRun {
  readonly shard: Shard;
  readonly range: ShardRange;
  readonly file: string;
}

/** The shard this run is (undefined without --shard): its index, its range of the `wrongKeys` wrong keys, its file. */
export function shardRun(o: ShardFlags, wrongKeys: number): ShardRun | undefined {
  if (o.shard === undefined) {
    if (o.shardOut !== undefined) fail('evaluate.shard-out', '--shard-out names the file of a shard: give --shard i/n too');
    return undefined;
  }
  const shard = shardOf(o.shard);
  return { shard, range: shardRange(wrongKeys, shard), file: shardFile(o, DEFAULT_EVALUATE_SHARD_FILE, shard) };
}

/** Writes the shard's file (never over one without --force); returns the line that says what it holds. */
export function writeEvaluateShard<K>(
  run: ShardRun,
  o: ShardFlags,
  system: ShardSystemId,
  input: { readonly result: ExperimentResult<K>; readonly report: ShardReportContext<K>; readonly images: Uint8Batch; readonly labels: Uint8Array; readonly wrongKeys: number; readonly wrongKeyList?: readonly K[]; readonly wrongNouns: string },
): string {
  const weightsSha256 = createHash('sha256').update(readFileSync(o.weights)).digest('hex');
  const job = evaluateJob(system, {
    cipherpatch: VERSION,
    weightsSha256,
    key: input.report.key,
    images: input.images,
    labels: input.labels,
    wrongKeys: input.wrongKeys,
    wrongKeySeed: o.wrongKeySeed,
    wrongKeyList: input.wrongKeyList,
    engine: { engine: o.engine, executionProvider: o.executionProvider, backend: o.backend },
  });
  const doc = evaluateShardDocument({ job, shard: run.shard, command: commandLine(), result: input.result, report: input.report });
  writeFileAtomic(run.file, `${JSON.stringify(doc)}\n`, { overwrite: o.force });
  const { start, end } = run.range;
  const keys = end > start ? `${input.wrongNouns} ${start} … ${end - 1} of ${input.wrongKeys}` : `none of the ${input.wrongKeys} ${input.wrongNouns}`;
  return `shard ${run.shard.index} of ${run.shard.count} (the base passes, ${keys}): ${run.file}; cipherpatch merge turns the ${plural(run.shard.count, 'shard file')} into the report`;
}
