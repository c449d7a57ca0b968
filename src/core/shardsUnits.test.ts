/**
 * shards.ts: every refusal's whole message, the environment's empty values,
 * the anchors of the spec and of integers, and the merge's checks one by one.
 * Expected texts are written by hand. Mutation kills (issue 25, area io) named
 * per test as shards.ts:<line> <mutator>.
 */
import { describe, expect, it } from 'vitest';
import { type ShardDocument, parseShard, wholeJob } from './shards.ts';
import { refusal } from '../../properties/rejection.ts';

const doc = (index: number, count: number, job: Record<string, unknown> = { a: 1 }): ShardDocument => ({ format: 'f', version: 1, job, shard: { index, count } });

describe('parseShard: whole messages', () => {
  // Kills shards.ts:38 (both anchors, each condition; the regex anchors by values with spaces), :45–50 (empty variables count as unset, SLURM_ARRAY_TASK_MIN empty is 0, id = min is index 0), :58 (the spec's anchors), :60, :68–71 (messages).
  it('refusals and the environment', () => {
    const neither = '--shard auto/n takes the shard index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, and neither is set: give the index (--shard 2/4) or name its variable (--shard env:VAR/4)';
    expect(refusal(() => parseShard('auto/3', { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '' }))).toEqual({ check: 'shard.index-env', message: neither });
    expect(parseShard('auto/3', { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 2, count: 3 });
    expect(parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '' })).toEqual({ index: 2, count: 3 });
    expect(parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '4' })).toEqual({ index: 0, count: 3 });
    expect(refusal(() => parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: 'x' }))).toEqual({ check: 'shard.index-env', message: 'SLURM_ARRAY_TASK_MIN must be a non-negative integer, got "x"' });
    expect(refusal(() => parseShard('auto/3', { SLURM_ARRAY_TASK_ID: 'x1' }))).toEqual({ check: 'shard.index-env', message: 'SLURM_ARRAY_TASK_ID must be a non-negative integer, got "x1"' });
    // Both anchors of /^\d+$/: Number() would accept the spaces.
    expect(refusal(() => parseShard('auto/3', { JOB_COMPLETION_INDEX: ' 1' }))).toEqual({ check: 'shard.index-env', message: 'JOB_COMPLETION_INDEX must be a non-negative integer, got " 1"' });
    expect(refusal(() => parseShard('auto/3', { JOB_COMPLETION_INDEX: '1 ' }))).toEqual({ check: 'shard.index-env', message: 'JOB_COMPLETION_INDEX must be a non-negative integer, got "1 "' });
    expect(refusal(() => parseShard('auto/3', { JOB_COMPLETION_INDEX: '1x' }))).toEqual({ check: 'shard.index-env', message: 'JOB_COMPLETION_INDEX must be a non-negative integer, got "1x"' });
    expect(refusal(() => parseShard('auto/3', { JOB_COMPLETION_INDEX: '99999999999999999999' }))).toEqual({ check: 'shard.index-env', message: 'JOB_COMPLETION_INDEX must be a non-negative integer, got "99999999999999999999"' });
    expect(refusal(() => parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '2' }))).toEqual({ check: 'shard.index-env', message: 'SLURM_ARRAY_TASK_ID 1 is below SLURM_ARRAY_TASK_MIN 2' });
    const spec = (s: string) => ({ check: 'shard.spec', message: `--shard must be i/n (i from 0 to n − 1), auto/n or env:VAR/n, got "${s}"` });
    expect(refusal(() => parseShard('1/3x', {}))).toEqual(spec('1/3x'));
    expect(refusal(() => parseShard('x1/3', {}))).toEqual(spec('x1/3'));
    expect(parseShard('12/20', {})).toEqual({ index: 12, count: 20 });
    expect(refusal(() => parseShard('1/0', {}))).toEqual({ check: 'shard.spec', message: 'the shard count must be at least 1, got "1/0"' });
    expect(refusal(() => parseShard('0/99999999999999999999', {}))).toEqual({ check: 'shard.spec', message: 'the shard count n must be a non-negative integer, got "99999999999999999999"' });
    expect(refusal(() => parseShard('99999999999999999999/3', {}))).toEqual({ check: 'shard.spec', message: 'the shard index must be a non-negative integer, got "99999999999999999999"' });
    expect(refusal(() => parseShard('env:S/3', { S: '' }))).toEqual({ check: 'shard.index-env', message: '--shard env:S/3: the variable S is not set' });
    expect(refusal(() => parseShard('env:S/3', { S: 'a' }))).toEqual({ check: 'shard.index-env', message: 'S must be a non-negative integer, got "a"' });
    expect(refusal(() => parseShard('1/1', {}))).toEqual({ check: 'shard.out-of-range', message: 'shard index 1 is out of range for 1 shard: indices run from 0 to 0' });
    expect(refusal(() => parseShard('env:S/2', { S: '5' }))).toEqual({ check: 'shard.out-of-range', message: 'shard index 5 (from S) is out of range for 2 shards: indices run from 0 to 1' });
  });
});

describe('wholeJob: whole messages', () => {
  // Kills shards.ts:101 (no shards), :103 (every shard after the first compared), :115 (each range condition), :121 (the missing list's words).
  it('each refusal', () => {
    expect(refusal(() => wholeJob([]))).toEqual({ check: 'merge.no-shards', message: 'no shard files given' });
    expect(refusal(() => wholeJob([{ file: 'a', doc: doc(0, 3) }, { file: 'b', doc: doc(1, 3) }, { file: 'c', doc: doc(2, 3, { a: 2 }) }]))).toEqual({ check: 'merge.different-job', message: 'c is a shard of another job than a: a is 2, not 1' });
    for (const index of [-1, 3, 1.5]) {
      expect(refusal(() => wholeJob([{ file: 'a', doc: doc(0, 3) }, { file: 'x', doc: doc(index, 3) }]))).toEqual({ check: 'merge.shard-count', message: `x is shard ${index} of 3: out of range` });
    }
    expect(refusal(() => wholeJob([{ file: 'a', doc: doc(1, 3) }]))).toEqual({ check: 'merge.missing-shard', message: 'shards 0, 2 of 3 are missing: merge needs all 3 shard files of the job' });
    expect(refusal(() => wholeJob([{ file: 'a', doc: doc(1, 2) }]))).toEqual({ check: 'merge.missing-shard', message: 'shard 0 of 2 is missing: merge needs all 2 shard files of the job' });
  });
});
