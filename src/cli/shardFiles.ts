/**
 * Reading the shard files `cipherpatch merge` is given: each must be JSON,
 * and all of one kind, the evaluate shards of src/evaluate/shard.ts or the
 * fuzz shards of src/variants/fuzzShard.ts.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../core/errors.ts';
import { EVALUATE_SHARD_FORMAT, type EvaluateShardDocument, parseEvaluateShard } from '../evaluate/shard.ts';
import { type FuzzShardDocument, parseFuzzShard } from '../variants/fuzzShard.ts';

export type ShardFiles =
  | { readonly kind: 'evaluate'; readonly shards: readonly { readonly file: string; readonly doc: EvaluateShardDocument }[] }
  | { readonly kind: 'fuzz'; readonly shards: readonly { readonly file: string; readonly doc: FuzzShardDocument }[] };

/** A file's JSON (`merge.unreadable` when it cannot be read or parsed). */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail('merge.unreadable', `cannot read the shard file ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    fail('merge.unreadable', `${file} is not JSON (a shard file cut short?): ${(e as Error).message}`);
  }
}

/** The shard files, parsed; `merge.mixed` when evaluate shards come with other files, `merge.format` for a file that is no shard. */
export function readShardFiles(files: readonly string[]): ShardFiles {
  const read = files.map((file) => ({ file, json: readJson(file) }));
  const isEvaluate = read.map((r) => (r.json as { format?: unknown } | null)?.format === EVALUATE_SHARD_FORMAT);
  if (isEvaluate.includes(true) && isEvaluate.includes(false)) {
    const other = read[isEvaluate.indexOf(false)].file;
    fail('merge.mixed', `${other} is not an evaluate shard like ${read[isEvaluate.indexOf(true)].file}: merge the shard files of one job at a time`);
  }
  return isEvaluate[0] === true
    ? { kind: 'evaluate', shards: read.map((r) => ({ file: r.file, doc: parseEvaluateShard(r.json, r.file) })) }
    : { kind: 'fuzz', shards: read.map((r) => ({ file: r.file, doc: parseFuzzShard(r.json, r.file) })) };
}
