/** What `--shard` and `--shard-out` mean to every command that takes them (evaluate, fuzz). */
import { type Shard, parseShard, shardFileName } from '../core/shards.ts';

/** The shard files' default names. */
export const DEFAULT_EVALUATE_SHARD_FILE = 'evaluate-shard-{i}-of-{n}.json';
export const DEFAULT_FUZZ_SHARD_FILE = 'fuzz-shard-{i}-of-{n}.json';

/** --shard's help: how the index is given. */
export const SHARD_INDEX_HELP = 'i from 0 to n − 1; auto/n: i from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or $SLURM_ARRAY_TASK_ID − $SLURM_ARRAY_TASK_MIN; env:VAR/n: from $VAR';

/** The shard --shard names, its index read from the environment where it says so. */
export function shardOf(spec: string): Shard {
  return parseShard(spec, process.env);
}

/** The shard file --shard-out names ({i} and {n} replaced), else `template`'s. */
export function shardFile(o: { readonly shard?: string; readonly shardOut?: string }, template: string, shard = shardOf(o.shard ?? '')): string {
  return shardFileName(o.shardOut ?? template, shard);
}
