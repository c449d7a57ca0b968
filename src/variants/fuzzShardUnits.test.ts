/**
 * Fuzz shards (fuzzShard.ts) piece by piece, beside fuzzShard.test.ts's
 * merges: the plan's edges (R = n, the 32-bit seed wrap, the message), the
 * shard document's fields, every rejection of parseFuzzShard, and the merge
 * of summaries whose shards lack an entry. Expected values are written out by
 * hand from the module's header (the rules of a merge); each test names the
 * Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { FUZZ_SHARD_FORMAT, FUZZ_SHARD_VERSION, type FuzzJob, type FuzzShardDocument, formatMergedFuzzReport, fuzzShardDocument, fuzzShardPlan, mergeFuzzShards, parseFuzzShard } from './fuzzShard.ts';
import type { CheckResult, FuzzReport, NormalizationFinding, PairFinding } from './harness.ts';

const job: FuzzJob = { cipherpatch: 'test', variant: 'toy', sourceSha256: null, seed: 7, runs: 4, only: null, limit: 20000 };

function report(index: number, checks: CheckResult[], normalizations: NormalizationFinding[], pairs: PairFinding[], rule = 'M = P'): FuzzReport {
  return {
    variant: { name: 'toy', title: 'a toy', params: { blockSize: 1, channels: 2 }, domain: { input: 'uint8', output: 'uint8' }, gridBound: false, adapter: true },
    source: 'builtin',
    seed: 7 + index,
    runs: 2,
    contract: [],
    checks,
    summary: { normalizations, blockVsPatch: { rule, pairs }, keySpace: { tiny: [] } },
    seconds: 0.25,
  };
}

const pass = (id: string): CheckResult => ({ id, title: id, verdict: 'pass', detail: `${id} held` });
const failed = (id: string, seed: number, path: string, more: Partial<CheckResult> = {}): CheckResult => ({
  id,
  title: id,
  verdict: 'fail',
  detail: `${id} broke at ${path}`,
  counterexample: `x=${path}`,
  replay: { seed, path, command: `cipherpatch fuzz toy --only ${id} --seed ${seed} --path "${path}"` },
  ...more,
});
const norm = (name: NormalizationFinding['name'], exact: boolean, residual: number, own: boolean | null): NormalizationFinding =>
  ({ name, exact, residual, ...(exact ? { form: 'permutation', biasCorrection: 0.5 } : {}), variantAdapterExact: own }) as NormalizationFinding;

const docs = (reports: FuzzReport[]) => reports.map((r, index) => ({ file: `s${index}.json`, doc: fuzzShardDocument({ job, shard: { index, count: reports.length }, command: 'c', report: r }) }));

describe('fuzzShardPlan', () => {
  // fuzzShard.ts:54 (`runs < count` → `<=`; the message), :56 (`| 0` → `& 0`, seed + index → −).
  it('R = n gives one run each; fewer runs fail in words; the seed wraps to 32 bits', () => {
    expect([0, 1, 2].map((index) => fuzzShardPlan(10, 3, { index, count: 3 }))).toEqual([
      { seed: 10, runs: 1 },
      { seed: 11, runs: 1 },
      { seed: 12, runs: 1 },
    ]);
    const e = rejection(() => fuzzShardPlan(10, 2, { index: 0, count: 3 }));
    expect(e).toMatchObject({ check: 'fuzz.shard-runs', message: '--runs 2 cannot be split over 3 shards: each shard needs at least one run (give --runs 3 or more)' });
    // 2³¹ − 1 + 1 wraps to −2³¹.
    expect(fuzzShardPlan(2147483647, 2, { index: 1, count: 2 })).toEqual({ seed: -2147483648, runs: 1 });
    expect(fuzzShardPlan(0, 5, { index: 0, count: 1 })).toEqual({ seed: 0, runs: 5 });
  });
});

describe('the shard document', () => {
  // fuzzShard.ts:59–68 (format, version, job, shard index/count only, createdAt given or now, command, the report through JSON).
  it('fuzzShardDocument: every field, the report as fuzz --json writes it', () => {
    const r = report(1, [pass('shape')], [], []);
    const extra = { index: 1, count: 2, more: 'dropped' } as unknown as { index: number; count: number };
    const doc = fuzzShardDocument({ job, shard: extra, command: 'cipherpatch fuzz toy --shard 1/2', report: r, createdAt: new Date(Date.UTC(2026, 11, 3, 19, 30, 0)) });
    expect(FUZZ_SHARD_FORMAT).toBe('cipherpatch-fuzz-shard');
    expect(FUZZ_SHARD_VERSION).toBe(1);
    expect(doc).toEqual({ format: 'cipherpatch-fuzz-shard', version: 1, job, shard: { index: 1, count: 2 }, createdAt: '2026-12-03T19:30:00.000Z', command: 'cipherpatch fuzz toy --shard 1/2', report: r });
    expect(Object.keys(doc.shard)).toEqual(['index', 'count']);
    expect(doc.report).not.toBe(r);
    const before = Date.now();
    const now = Date.parse(fuzzShardDocument({ job, shard: { index: 0, count: 1 }, command: 'c', report: r }).createdAt);
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(Date.now() + 1000);
  });

  // fuzzShard.ts:72–81 (format, version, each whole-file condition; the messages).
  it('parseFuzzShard: the format, the version, a whole file', () => {
    const good = docs([report(0, [pass('shape')], [], [])])[0].doc;
    expect(parseFuzzShard(good, 'a.json')).toBe(good);
    expect(rejection(() => parseFuzzShard({ ...good, format: 'cipherpatch-attack-shard' }, 'a.json'))).toMatchObject({ check: 'merge.format', message: 'a.json is not a fuzz shard file (format "cipherpatch-attack-shard")' });
    expect(rejection(() => parseFuzzShard(null, 'a.json'))).toMatchObject({ check: 'merge.format', message: 'a.json is not a fuzz shard file (format undefined)' });
    expect(rejection(() => parseFuzzShard(7, 'a.json'))).toMatchObject({ check: 'merge.format', message: 'a.json is not a fuzz shard file (format undefined)' });
    expect(rejection(() => parseFuzzShard({ ...good, version: 2 }, 'a.json'))).toMatchObject({ check: 'merge.format', message: 'a.json is a fuzz shard file of version 2; this cipherpatch reads version 1' });
    expect(rejection(() => parseFuzzShard({ ...good, version: '1' }, 'a.json'))).toMatchObject({ check: 'merge.format', message: 'a.json is a fuzz shard file of version "1"; this cipherpatch reads version 1' });
    const whole = { check: 'merge.format', message: 'a.json is not a whole fuzz shard file' };
    const r = good.report;
    for (const broken of [
      { ...good, job: 'j' },
      { ...good, shard: 3 },
      { ...good, report: 'r' },
      { ...good, report: null },
      { ...good, report: { ...r, checks: {} } },
      { ...good, report: { ...r, contract: 'none' } },
      { ...good, report: { ...r, summary: 's' } },
    ]) {
      expect(rejection(() => parseFuzzShard(broken, 'a.json'))).toMatchObject(whole);
    }
    // fuzzShard.ts:77 (`typeof r !== 'object'` → false): a report that is a function with the right fields is not whole.
    expect(rejection(() => parseFuzzShard({ ...good, report: Object.assign(() => 0, { checks: [], contract: [], summary: {} }) }, 'a.json'))).toMatchObject(whole);
    // A report without checks (an empty list) is whole.
    expect(parseFuzzShard({ ...good, report: { ...r, checks: [], contract: [] } }, 'a.json').report.checks).toEqual([]);
  });
});

describe('mergeFuzzShards, the edges', () => {
  // fuzzShard.ts:92–100 (mergeVerdict, mergeCheck: the first shard with the merged verdict, else shard 0).
  it('the shown result is the first shard with the merged verdict', () => {
    const na = (id: string): CheckResult => ({ id, title: id, verdict: 'n/a', detail: `${id} n/a` });
    const merged = mergeFuzzShards(docs([report(0, [na('a'), na('b'), pass('c')], [], []), report(1, [pass('a'), na('b'), failed('c', 8, '1')], [], [])]));
    expect(merged.checks).toEqual([
      { id: 'a', title: 'a', verdict: 'pass', detail: 'a held' },
      { id: 'b', title: 'b', verdict: 'n/a', detail: 'b n/a' },
      failed('c', 8, '1'),
    ]);
    expect(merged.counterexamples).toEqual([{ ...failed('c', 8, '1'), shard: 1, seed: 8 }]);
    expect(merged.shards.map((s) => s.failed)).toEqual([[], ['c']]);
  });

  // fuzzShard.ts:102–110 (a normalization a shard lacks is not exact; the own adapter exact only if every shard says true;
  // the form and bias kept only when exact), :112–118 (pairs: null passes, a missing pair is not adaptable).
  it('summaries: an entry a shard lacks is not exact; the own adapter exact only where every shard found it so', () => {
    const a = report(0, [pass('x')], [norm('none', true, 0, true), norm('cifar', true, 0, null), norm('0.5/0.5', true, 1e-12, true)], [
      { blockSize: 1, patchSize: 1, adaptable: true },
      { blockSize: 1, patchSize: 2, adaptable: null },
      { blockSize: 2, patchSize: 2, adaptable: true },
    ]);
    const b = report(1, [pass('x')], [norm('none', true, 2e-12, false), norm('0.5/0.5', true, 0, true)], [{ blockSize: 1, patchSize: 1, adaptable: true }]);
    // The key-space counts do not depend on the seed: shard 0's are kept.
    const { summary } = mergeFuzzShards(docs([{ ...a, summary: { ...a.summary, keySpace: { formula: 'p_b', tiny: [] } } }, { ...b, summary: { ...b.summary, keySpace: { formula: 'other', tiny: [] } } }]));
    expect(summary.normalizations).toEqual([
      { name: 'none', exact: true, residual: 2e-12, form: 'permutation', biasCorrection: 0.5, variantAdapterExact: false },
      // Shard 1 has no cifar entry: not exact, so no form; the own adapter stays unclaimed (null).
      { name: 'cifar', exact: false, residual: 0, variantAdapterExact: null },
      { name: '0.5/0.5', exact: true, residual: 1e-12, form: 'permutation', biasCorrection: 0.5, variantAdapterExact: true },
    ]);
    expect(summary.blockVsPatch.pairs).toEqual([
      { blockSize: 1, patchSize: 1, adaptable: true },
      { blockSize: 1, patchSize: 2, adaptable: null },
      // Shard 1 did not test (2, 2).
      { blockSize: 2, patchSize: 2, adaptable: false },
    ]);
    expect(summary.blockVsPatch.rule).toBe('M = P');
    // fuzzShard.ts:115 (a pair is found by block size AND patch size): shard 1 lists (1, 2) and (2, 1) before (1, 1).
    const mixed = [
      { blockSize: 1, patchSize: 2, adaptable: false },
      { blockSize: 2, patchSize: 1, adaptable: false },
      { blockSize: 1, patchSize: 1, adaptable: true },
    ];
    const pairsOf = mergeFuzzShards(docs([report(0, [pass('x')], [], [{ blockSize: 1, patchSize: 1, adaptable: true }]), report(1, [pass('x')], [], mixed)])).summary.blockVsPatch.pairs;
    expect(pairsOf).toEqual([{ blockSize: 1, patchSize: 1, adaptable: true }]);
    expect(summary.keySpace).toEqual({ formula: 'p_b', tiny: [] });
  });

  // fuzzShard.ts:124–150 (header fields from shard 0 and the job, seconds summed, the shards' lines).
  it('the merged header: shard 0\'s variant, the job\'s seed and runs, the seconds summed', () => {
    const a = report(0, [pass('x')], [], [], 'never');
    const b = { ...report(1, [pass('x')], [], [], 'never'), seconds: 1.5, source: 'other', variant: { ...a.variant, name: 'other' } };
    const m = mergeFuzzShards(docs([b, a]).map((d, i) => ({ ...d, doc: { ...d.doc, shard: { index: 1 - i, count: 2 } } })));
    expect(m).toMatchObject({ variant: a.variant, source: 'builtin', seed: 7, runs: 4, contract: [], seconds: 1.75 });
    expect(m.shards).toEqual([
      { index: 0, seed: 7, runs: 2, seconds: 0.25, failed: [] },
      { index: 1, seed: 8, runs: 2, seconds: 1.5, failed: [] },
    ]);
    expect(m.summary.blockVsPatch.rule).toBe('never');
  });
});

describe('shards that disagree', () => {
  // fuzzShard.ts:131 (the message's lists joined by ", ").
  it('names both lists of checks in full', () => {
    const e = rejection(() => mergeFuzzShards(docs([report(0, [pass('a'), pass('b')], [], []), report(1, [pass('a'), pass('c')], [], [])])));
    expect(e).toMatchObject({ check: 'merge.shards-disagree', message: 's1.json: shard 1 ran the checks a, c, shard 0 ran a, b' });
  });
});

describe('formatMergedFuzzReport, the edges', () => {
  // fuzzShard.ts:160–175 (the shard lines' "; failed", further counterexamples only after the first of each check, and only with something to show).
  it('lists each further counterexample once, none for the first failing shard, none without details', () => {
    const bare: CheckResult = { id: 'c', title: 'c', verdict: 'fail', detail: 'c broke, nothing to replay' };
    const reports = [report(0, [failed('c', 7, '0:1'), pass('d')], [], []), report(1, [failed('c', 8, '2'), failed('d', 8, '5')], [], []), report(2, [bare, pass('d')], [], [])];
    const text = formatMergedFuzzReport(mergeFuzzShards(docs(reports)));
    expect(text).toContain('merged from 3 shards (4 runs per property in all):\n  shard 0: seed 7, 2 runs, 0.3 s; failed c\n  shard 1: seed 8, 2 runs, 0.3 s; failed c, d\n  shard 2: seed 9, 2 runs, 0.3 s; failed c\n');
    const further = text.slice(text.indexOf('counterexamples of the same checks in further shards:'));
    expect(further).toContain('c (shard 1): c broke at 2');
    // Shard 0's c is the table's; d's first failure (shard 1) is the table's; shard 2's c has nothing to show.
    expect(further).not.toContain('(shard 0)');
    expect(further).not.toContain('d (shard 1)');
    expect(further).not.toContain('(shard 2)');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    // The table, one blank line, then the shards (formatReport's own trailing newline trimmed).
    expect(text).toMatch(/\S\n\nmerged from 3 shards/);
    // A further failure with only a counterexample, or only a replay line, is shown.
    const onlyCe: CheckResult = { id: 'c', title: 'c', verdict: 'fail', detail: 'c: ce only', counterexample: 'x=9' };
    const onlyReplay: CheckResult = { id: 'c', title: 'c', verdict: 'fail', detail: 'c: replay only', replay: { seed: 10, path: '4', command: 'cipherpatch fuzz toy --only c --seed 10 --path "4"' } };
    const four = formatMergedFuzzReport(mergeFuzzShards(docs([report(0, [failed('c', 7, '0:1')], [], []), report(1, [onlyCe], [], []), report(2, [onlyReplay], [], []), report(3, [bare], [], [])])));
    expect(four).toContain('c (shard 1): c: ce only');
    expect(four).toContain('c (shard 2): c: replay only');
    expect(four).not.toContain('(shard 3)');
    // No failures at all: no further section.
    const clean = formatMergedFuzzReport(mergeFuzzShards(docs([report(0, [pass('d')], [], []), report(1, [pass('d')], [], [])])));
    expect(clean).not.toContain('further shards');
    expect(clean).toContain('  shard 1: seed 8, 2 runs, 0.3 s\n');
  });
});
