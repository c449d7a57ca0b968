/**
 * Merging fuzz shards (src/variants/fuzzShard.ts) on reports made up for the
 * purpose, where the shards disagree: a check fails when any shard failed
 * it, every shard's counterexample is kept, and the summary is exact only
 * where every shard found it exact.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { type FuzzJob, type FuzzShardDocument, formatMergedFuzzReport, fuzzShardDocument, fuzzShardPlan, mergeFuzzShards } from './fuzzShard.ts';
import type { CheckResult, FuzzReport } from './harness.ts';

const job: FuzzJob = { cipherpatch: 'test', variant: 'toy', sourceSha256: null, seed: 40, runs: 9, only: null, limit: 20000 };

function report(index: number, checks: CheckResult[], exact: boolean, adaptable: boolean): FuzzReport {
  return {
    variant: { name: 'toy', title: 'a toy', params: { blockSize: 2, channels: 1 }, domain: { input: 'uint8', output: 'uint8' }, gridBound: false, adapter: false },
    source: 'builtin',
    seed: 40 + index,
    runs: 3,
    contract: [],
    checks,
    summary: {
      normalizations: [{ name: 'none', exact, residual: exact ? 0 : 0.5 + index, ...(exact ? { form: 'permutation' as never, biasCorrection: 0 } : {}), variantAdapterExact: null }],
      blockVsPatch: { rule: adaptable ? 'M = P' : 'never', pairs: [{ blockSize: 2, patchSize: 2, adaptable }] },
      keySpace: { tiny: [] },
    },
    seconds: 1 + index,
  };
}

const pass = (id: string): CheckResult => ({ id, title: id, verdict: 'pass', detail: `${id} held` });
const na = (id: string): CheckResult => ({ id, title: id, verdict: 'n/a', detail: `${id} does not apply` });
const failed = (id: string, seed: number, path: string): CheckResult => ({
  id,
  title: id,
  verdict: 'fail',
  detail: `${id} broke at ${path}`,
  counterexample: `x=${path}`,
  replay: { seed, path, command: `cipherpatch fuzz toy --only ${id} --seed ${seed} --path "${path}"` },
});

const shards = (reports: FuzzReport[]): { file: string; doc: FuzzShardDocument }[] =>
  reports.map((r, index) => ({ file: `f${index}.json`, doc: fuzzShardDocument({ job, shard: { index, count: reports.length }, command: 'test', report: r }) }));

describe('mergeFuzzShards', () => {
  const reports = [
    report(0, [pass('invertible'), pass('storable'), na('adapter')], true, true),
    report(1, [failed('invertible', 41, '3:1'), pass('storable'), na('adapter')], false, false),
    report(2, [failed('invertible', 42, '0:2'), na('storable'), na('adapter')], true, true),
  ];

  it('fail if any shard failed (the first failing shard shown), pass if none failed and one passed, n/a else', () => {
    const merged = mergeFuzzShards(shards(reports).reverse());
    expect(merged.checks.map((c) => `${c.id}=${c.verdict}`)).toEqual(['invertible=fail', 'storable=pass', 'adapter=n/a']);
    expect(merged.checks[0]).toMatchObject({ detail: 'invertible broke at 3:1', replay: { seed: 41, path: '3:1' } });
    expect(merged.counterexamples.map((c) => [c.id, c.shard, c.seed, c.replay?.path])).toEqual([
      ['invertible', 1, 41, '3:1'],
      ['invertible', 2, 42, '0:2'],
    ]);
    expect(merged).toMatchObject({ seed: 40, runs: 9, seconds: 6 });
    expect(merged.shards.map((s) => [s.index, s.seed, s.runs, s.failed])).toEqual([
      [0, 40, 3, []],
      [1, 41, 3, ['invertible']],
      [2, 42, 3, ['invertible']],
    ]);
  });

  it('the summary: exact and adaptable only where every shard found so; the largest residual; the rules named when they differ', () => {
    const { summary } = mergeFuzzShards(shards(reports));
    expect(summary.normalizations).toEqual([{ name: 'none', exact: false, residual: 1.5, variantAdapterExact: null }]);
    expect(summary.blockVsPatch.pairs).toEqual([{ blockSize: 2, patchSize: 2, adaptable: false }]);
    expect(summary.blockVsPatch.rule).toBe('the shards disagree: M = P (shard 0); never (shard 1); M = P (shard 2)');
    const agreeing = mergeFuzzShards(shards([reports[0], reports[2]])).summary;
    expect(agreeing.normalizations[0]).toMatchObject({ exact: true, form: 'permutation', residual: 0 });
    expect(agreeing.blockVsPatch.rule).toBe('M = P');
  });

  it('the text: the first failing shard under the table, the other shards after it, each with its replay line', () => {
    const text = formatMergedFuzzReport(mergeFuzzShards(shards(reports)));
    expect(text).toMatch(/invertible\s+FAIL\s+invertible broke at 3:1/);
    expect(text).toContain('merged from 3 shards (9 runs per property in all):\n  shard 0: seed 40, 3 runs, 1.0 s\n  shard 1: seed 41, 3 runs, 2.0 s; failed invertible\n');
    expect(text).toMatch(/counterexamples of the same checks in further shards:\n {2}invertible \(shard 2\): invertible broke at 0:2\n {4}counterexample: x=0:2\n {4}replay: \{ seed: 42, path: "0:2" \} {2}→ {2}cipherpatch fuzz toy --only invertible --seed 42 --path "0:2"/);
  });

  it('shards that ran other checks do not merge', () => {
    const other = [reports[0], report(1, [pass('invertible')], true, true)];
    const e = rejection(() => mergeFuzzShards(shards(other)));
    expect(e.check).toBe('merge.shards-disagree');
    expect(e.message).toBe('f1.json: shard 1 ran the checks invertible, shard 0 ran invertible, storable, adapter');
  });
});

describe('fuzzShardPlan', () => {
  it('seed S + i, the runs split ⌊i·R/n⌋ … ⌊(i+1)·R/n⌋ − 1, at least one run per shard', () => {
    expect([0, 1, 2, 3].map((index) => fuzzShardPlan(5, 10, { index, count: 4 }))).toEqual([
      { seed: 5, runs: 2 },
      { seed: 6, runs: 3 },
      { seed: 7, runs: 2 },
      { seed: 8, runs: 3 },
    ]);
    expect(rejection(() => fuzzShardPlan(5, 3, { index: 0, count: 4 })).check).toBe('fuzz.shard-runs');
  });
});
