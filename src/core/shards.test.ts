/**
 * Shards (src/core/shards.ts): the index from the command line or the
 * scheduler's environment, the contiguous split, and the checks that a set
 * of shard files is one whole job.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { type ShardDocument, parseShard, shardFileName, shardRange, wholeJob } from './shards.ts';

describe('parseShard', () => {
  it('i/n on the command line', () => {
    expect(parseShard('0/1', {})).toEqual({ index: 0, count: 1 });
    expect(parseShard('2/3', {})).toEqual({ index: 2, count: 3 });
  });

  it('auto/n: the Kubernetes Indexed Job index, else the Slurm array index relative to its minimum', () => {
    expect(parseShard('auto/10', { JOB_COMPLETION_INDEX: '7' })).toEqual({ index: 7, count: 10 });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_MIN: '10' })).toEqual({ index: 2, count: 4 });
    // Kubernetes first: a pod does not run inside a Slurm array.
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 1, count: 4 });
  });

  it('env:VAR/n: a named variable (a CI matrix variable)', () => {
    expect(parseShard('env:SHARD/5', { SHARD: '4' })).toEqual({ index: 4, count: 5 });
  });

  it('each bad spec or environment names its problem', () => {
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ['3', {}, 'shard.spec', /--shard must be i\/n .* got "3"/],
      ['1/0', {}, 'shard.spec', /at least 1/],
      ['-1/3', {}, 'shard.spec', /got "-1\/3"/],
      ['a/3', {}, 'shard.spec', /got "a\/3"/],
      ['3/3', {}, 'shard.out-of-range', /shard index 3 is out of range for 3 shards: indices run from 0 to 2$/],
      ['auto/3', {}, 'shard.index-env', /JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, and neither is set/],
      ['auto/3', { JOB_COMPLETION_INDEX: '3' }, 'shard.out-of-range', /^shard index 3 \(from JOB_COMPLETION_INDEX\) is out of range for 3 shards/],
      ['auto/2', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1' }, 'shard.out-of-range', /^shard index 4 \(from SLURM_ARRAY_TASK_ID\) is out of range for 2 shards/],
      ['auto/3', { JOB_COMPLETION_INDEX: 'x' }, 'shard.index-env', /JOB_COMPLETION_INDEX must be a non-negative integer, got "x"/],
      ['auto/3', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '2' }, 'shard.index-env', /SLURM_ARRAY_TASK_ID 1 is below SLURM_ARRAY_TASK_MIN 2/],
      ['env:SHARD/3', {}, 'shard.index-env', /the variable SHARD is not set/],
      ['env:SHARD/3', { SHARD: '1.5' }, 'shard.index-env', /SHARD must be a non-negative integer, got "1\.5"/],
    ];
    for (const [spec, env, check, message] of cases) {
      const e = rejection(() => parseShard(spec, env));
      expect(e.check, spec).toBe(check);
      expect(e.message, spec).toMatch(message);
    }
  });
});

describe('shardRange', () => {
  it('contiguous ranges in index order that cover the list once, sizes differing by at most one', () => {
    for (const total of [0, 1, 5, 6, 7, 100, 1000])
      for (const count of [1, 2, 3, 7, 10]) {
        const ranges = Array.from({ length: count }, (_, index) => shardRange(total, { index, count }));
        expect(ranges[0].start).toBe(0);
        expect(ranges[count - 1].end).toBe(total);
        for (let i = 1; i < count; i++) expect(ranges[i].start).toBe(ranges[i - 1].end);
        const sizes = ranges.map((r) => r.end - r.start);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
  });

  it('⌊i·total/n⌋ … ⌊(i+1)·total/n⌋ − 1: 5 items over 3 shards are 0 | 1–2 | 3–4, 1,000 over 10 are hundreds', () => {
    expect([0, 1, 2].map((index) => shardRange(5, { index, count: 3 }))).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 3 },
      { start: 3, end: 5 },
    ]);
    expect(shardRange(1000, { index: 3, count: 10 })).toEqual({ start: 300, end: 400 });
  });

  it('shard file names: {i} and {n} replaced', () => {
    expect(shardFileName('/results/evaluate-shard-{i}-of-{n}.json', { index: 3, count: 10 })).toBe('/results/evaluate-shard-3-of-10.json');
  });
});

describe('wholeJob', () => {
  const doc = (index: number, count: number, job: Record<string, unknown> = { weights: 'abc', wrongKeys: 6 }): ShardDocument => ({ format: 'f', version: 1, job, shard: { index, count } });
  const files = (...docs: ShardDocument[]) => docs.map((d, i) => ({ file: `s${i}.json`, doc: d }));

  it('returns the shards in index order, whatever order the files came in', () => {
    const [a, b, c] = [doc(0, 3), doc(1, 3), doc(2, 3)];
    expect(wholeJob(files(c, a, b))).toEqual([a, b, c]);
  });

  it('refuses shards of another job (naming the field), another count, a repeated or a missing shard, and no shards', () => {
    const other = rejection(() => wholeJob(files(doc(0, 2), doc(1, 2, { weights: 'abd', wrongKeys: 6 }))));
    expect(other.check).toBe('merge.different-job');
    expect(other.message).toBe('s1.json is a shard of another job than s0.json: weights is "abd", not "abc"');
    expect(rejection(() => wholeJob(files(doc(0, 2), doc(1, 2, { weights: 'abc' })))).message).toMatch(/wrongKeys is absent, not 6/);
    const count = rejection(() => wholeJob(files(doc(0, 3), doc(1, 2))));
    expect(count.check).toBe('merge.shard-count');
    expect(count.message).toBe('s1.json is shard 1 of 2, but s0.json is shard 0 of 3');
    const twice = rejection(() => wholeJob(files(doc(0, 2), doc(1, 2), doc(1, 2))));
    expect(twice.check).toBe('merge.duplicate-shard');
    expect(twice.message).toBe('shard 1 of 2 is given twice: s1.json and s2.json');
    const missing = rejection(() => wholeJob(files(doc(0, 4), doc(2, 4))));
    expect(missing.check).toBe('merge.missing-shard');
    expect(missing.message).toBe('shards 1, 3 of 4 are missing: merge needs all 4 shard files of the job');
    expect(rejection(() => wholeJob(files(doc(3, 3)))).check).toBe('merge.shard-count');
    expect(rejection(() => wholeJob([])).check).toBe('merge.no-shards');
  });
});
