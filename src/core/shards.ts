/**
 * Splitting one job into n shards that separate machines run (a CI matrix, a
 * Kubernetes Indexed Job, a Slurm array), and checking that a set of shard
 * results is one whole job before it is merged. No scheduler: each shard is
 * told its index, on the command line or through the environment its
 * scheduler sets.
 *
 *   --shard i/n        i in 0 … n−1
 *   --shard auto/n     i from JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else
 *                      SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (0 when unset)
 *   --shard env:VAR/n  i from the variable VAR (a CI matrix variable, say)
 *
 * A list of `total` items (wrong keys, runs) splits into n contiguous ranges,
 * shard i taking items ⌊i·total/n⌋ … ⌊(i+1)·total/n⌋ − 1: the ranges in index
 * order are the list in its order, and their sizes differ by at most one.
 */
import { fail } from './errors.ts';

export interface Shard {
  /** 0 … count − 1. */
  readonly index: number;
  readonly count: number;
}

export interface ShardRange {
  /** The first item of the shard. */
  readonly start: number;
  /** One past its last item. */
  readonly end: number;
}

/** The variables `--shard auto/n` reads, in this order. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

type Environment = Readonly<Record<string, string | undefined>>;

function integerIn(text: string, what: string, check: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) fail(check, `${what} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** The index `auto` stands for, and the variable it came from: JOB_COMPLETION_INDEX, else SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN. */
function automaticIndex(env: Environment): { index: number; from: string } {
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined && k8s !== '') return { index: integerIn(k8s, 'JOB_COMPLETION_INDEX', 'shard.index-env'), from: 'JOB_COMPLETION_INDEX' };
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (slurm !== undefined && slurm !== '') {
    const id = integerIn(slurm, 'SLURM_ARRAY_TASK_ID', 'shard.index-env');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined || env.SLURM_ARRAY_TASK_MIN === '' ? 0 : integerIn(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN', 'shard.index-env');
    if (id < min) fail('shard.index-env', `SLURM_ARRAY_TASK_ID ${id} is below SLURM_ARRAY_TASK_MIN ${min}`);
    return { index: id - min, from: 'SLURM_ARRAY_TASK_ID' };
  }
  return fail('shard.index-env', `--shard auto/n takes the shard index from ${SHARD_INDEX_VARIABLES.join(' or ')}, and neither is set: give the index (--shard 2/4) or name its variable (--shard env:VAR/4)`);
}

/** Parses `i/n`, `auto/n` or `env:VAR/n` (see the header); `env` is the process environment. */
export function parseShard(spec: string, env: Environment): Shard {
  const m = /^(\d+|auto|env:[A-Za-z_][A-Za-z0-9_]*)\/(\d+)$/.exec(spec);
  if (m === null) fail('shard.spec', `--shard must be i/n (i from 0 to n − 1), auto/n or env:VAR/n, got "${spec}"`);
  const count = integerIn(m[2], 'the shard count n', 'shard.spec');
  if (count < 1) fail('shard.spec', `the shard count must be at least 1, got "${spec}"`);
  let index: number;
  let from: string | undefined;
  if (m[1] === 'auto') ({ index, from } = automaticIndex(env));
  else if (m[1].startsWith('env:')) {
    from = m[1].slice(4);
    const value = env[from];
    if (value === undefined || value === '') fail('shard.index-env', `--shard ${spec}: the variable ${from} is not set`);
    index = integerIn(value, from, 'shard.index-env');
  } else index = integerIn(m[1], 'the shard index', 'shard.spec');
  if (index >= count) fail('shard.out-of-range', `shard index ${index}${from === undefined ? '' : ` (from ${from})`} is out of range for ${count} shard${count === 1 ? '' : 's'}: indices run from 0 to ${count - 1}`);
  return { index, count };
}

/** The shard's part of `total` items (see the header). */
export function shardRange(total: number, shard: Shard): ShardRange {
  return { start: Math.floor((shard.index * total) / shard.count), end: Math.floor(((shard.index + 1) * total) / shard.count) };
}

/** A shard file name: `{i}` and `{n}` in `template` become the shard's index and count. */
export function shardFileName(template: string, shard: Shard): string {
  return template.replaceAll('{i}', String(shard.index)).replaceAll('{n}', String(shard.count));
}

/** What every shard document carries: which job it belongs to (its fingerprint) and which shard it is. */
export interface ShardDocument {
  readonly format: string;
  readonly version: number;
  readonly job: Readonly<Record<string, unknown>>;
  readonly shard: Shard;
}

/**
 * Checks that `shards` (each with the file it came from) are all n shards of
 * one job, each once, and returns them in index order. Refuses shards of
 * different jobs (`merge.different-job`, naming the first field that
 * differs), of different shard counts (`merge.shard-count`), a shard given
 * twice (`merge.duplicate-shard`) and missing shards (`merge.missing-shard`).
 */
export function wholeJob<D extends ShardDocument>(shards: readonly { readonly file: string; readonly doc: D }[]): D[] {
  if (shards.length === 0) fail('merge.no-shards', 'no shard files given');
  const [first] = shards;
  for (const s of shards.slice(1)) {
    const field = Object.keys({ ...first.doc.job, ...s.doc.job }).find((k) => JSON.stringify(first.doc.job[k]) !== JSON.stringify(s.doc.job[k]));
    if (field !== undefined) {
      const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
      fail('merge.different-job', `${s.file} is a shard of another job than ${first.file}: ${field} is ${show(s.doc.job[field])}, not ${show(first.doc.job[field])}`);
    }
    if (s.doc.shard.count !== first.doc.shard.count) fail('merge.shard-count', `${s.file} is shard ${s.doc.shard.index} of ${s.doc.shard.count}, but ${first.file} is shard ${first.doc.shard.index} of ${first.doc.shard.count}`);
  }
  const count = first.doc.shard.count;
  const byIndex = new Map<number, { file: string; doc: D }>();
  for (const s of shards) {
    const { index } = s.doc.shard;
    if (!Number.isInteger(index) || index < 0 || index >= count) fail('merge.shard-count', `${s.file} is shard ${index} of ${count}: out of range`);
    const seen = byIndex.get(index);
    if (seen !== undefined) fail('merge.duplicate-shard', `shard ${index} of ${count} is given twice: ${seen.file} and ${s.file}`);
    byIndex.set(index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) fail('merge.missing-shard', `${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing: merge needs all ${count} shard files of the job`);
  return Array.from({ length: count }, (_, i) => byIndex.get(i)!.doc);
}
