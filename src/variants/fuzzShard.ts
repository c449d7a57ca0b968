/**
 * Fuzz campaigns split into shards (`cipherpatch fuzz --shard i/n`) and
 * merged back (`cipherpatch merge`).
 *
 * Shard i of n runs the whole battery with seed S + i (S: --seed, or the
 * default seed; wrapped to a 32-bit integer) and its part of the run budget R
 * (--runs): runs ⌊i·R/n⌋ … ⌊(i+1)·R/n⌋ − 1 in the split of src/core/shards.ts,
 * so the shards' runs add up to R. Shard 0 of 1 is the plain run. Every
 * counterexample keeps the replay line of its shard (its seed and path), which
 * one plain `cipherpatch fuzz <variant> --only <check> --seed S+i --path P`
 * replays.
 *
 * Merged, a check fails when any shard failed it, passes when no shard failed
 * and one passed, and is n/a otherwise; its detail, counterexample and replay
 * line are those of the first shard that failed it (else shard 0's), and
 * `counterexamples` lists those of every shard. The summary is the shards'
 * conjunction: a normalization or block/patch pair is exact only where every
 * shard found it exact (the residual is the largest); the key-space counts do
 * not depend on the seed and are shard 0's.
 */
import { fail } from '../core/errors.ts';
import { type Shard, type ShardDocument, shardRange, wholeJob } from '../core/shards.ts';
import type { CheckResult, FuzzReport, NormalizationFinding, PairFinding, Verdict } from './harness.ts';
import { counterexamples, formatReport, reportToJson } from './report.ts';

export const FUZZ_SHARD_FORMAT = 'cipherpatch-fuzz-shard';
export const FUZZ_SHARD_VERSION = 1;

/** The fingerprint of a fuzz campaign: shards merge only when theirs are equal. */
export interface FuzzJob {
  readonly [field: string]: unknown;
  readonly cipherpatch: string;
  readonly variant: string;
  /** The plug-in module's sha256 (null for a built-in variant). */
  readonly sourceSha256: string | null;
  readonly seed: number;
  readonly runs: number;
  readonly only: readonly string[] | null;
  readonly limit: number;
}

export interface FuzzShardDocument extends ShardDocument {
  readonly format: typeof FUZZ_SHARD_FORMAT;
  readonly version: typeof FUZZ_SHARD_VERSION;
  readonly job: FuzzJob;
  readonly createdAt: string;
  readonly command: string;
  /** The shard's fuzz report (as `fuzz --json` writes it). */
  readonly report: FuzzReport;
}

/** What shard `shard` of a campaign with seed `seed` and `runs` runs runs: its seed and its share of the runs (`fuzz.shard-runs` when a shard would get none). */
export function fuzzShardPlan(seed: number, runs: number, shard: Shard): { readonly seed: number; readonly runs: number } {
  if (runs < shard.count) fail('fuzz.shard-runs', `--runs ${runs} cannot be split over ${shard.count} shards: each shard needs at least one run (give --runs ${shard.count} or more)`);
  const { start, end } = shardRange(runs, shard);
  return { seed: (seed + shard.index) | 0, runs: end - start };
}

export function fuzzShardDocument(input: { readonly job: FuzzJob; readonly shard: Shard; readonly command: string; readonly report: FuzzReport; readonly createdAt?: Date }): FuzzShardDocument {
  return {
    format: FUZZ_SHARD_FORMAT,
    version: FUZZ_SHARD_VERSION,
    job: input.job,
    shard: { index: input.shard.index, count: input.shard.count },
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    command: input.command,
    report: JSON.parse(reportToJson(input.report)) as FuzzReport,
  };
}

/** Reads a fuzz shard document's JSON, checking its format (`merge.format`). */
export function parseFuzzShard(json: unknown, file: string): FuzzShardDocument {
  const doc = json as FuzzShardDocument;
  if (doc?.format !== FUZZ_SHARD_FORMAT) fail('merge.format', `${file} is not a fuzz shard file (format ${JSON.stringify(doc?.format)})`);
  if (doc.version !== FUZZ_SHARD_VERSION) fail('merge.format', `${file} is a fuzz shard file of version ${JSON.stringify(doc.version)}; this cipherpatch reads version ${FUZZ_SHARD_VERSION}`);
  const r = doc.report;
  if (typeof doc.job !== 'object' || typeof doc.shard !== 'object' || typeof r !== 'object' || r === null || !Array.isArray(r.checks) || !Array.isArray(r.contract) || typeof r.summary !== 'object') {
    fail('merge.format', `${file} is not a whole fuzz shard file`);
  }
  return doc;
}

/** A check one shard failed: its result there, the shard and the shard's seed. */
export type ShardCounterexample = CheckResult & { readonly shard: number; readonly seed: number };

/** The merged campaign: a fuzz report over all the runs, the shards, and every shard's counterexamples. */
export interface MergedFuzzReport extends FuzzReport {
  readonly shards: readonly { readonly index: number; readonly seed: number; readonly runs: number; readonly seconds: number; readonly failed: readonly string[] }[];
  readonly counterexamples: readonly ShardCounterexample[];
}

function mergeVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.includes('fail') ? 'fail' : verdicts.includes('pass') ? 'pass' : 'n/a';
}

function mergeCheck(results: readonly CheckResult[]): CheckResult {
  const verdict = mergeVerdict(results.map((c) => c.verdict));
  const shown = results.find((c) => c.verdict === verdict) ?? results[0];
  return { ...shown, verdict };
}

function mergeNormalizations(all: readonly (readonly NormalizationFinding[])[]): NormalizationFinding[] {
  return all[0].map((first) => {
    const same = all.map((list) => list.find((n) => n.name === first.name)).filter((n): n is NormalizationFinding => n !== undefined);
    const exact = same.length === all.length && same.every((n) => n.exact);
    const own = first.variantAdapterExact === null ? null : same.every((n) => n.variantAdapterExact === true);
    const { form: _form, biasCorrection: _bias, ...rest } = first;
    return { ...(exact ? first : rest), exact, residual: Math.max(...same.map((n) => n.residual)), variantAdapterExact: own };
  });
}

function mergePairs(all: readonly (readonly PairFinding[])[]): PairFinding[] {
  return all[0].map((first) => {
    if (first.adaptable === null) return first;
    const same = all.map((list) => list.find((p) => p.blockSize === first.blockSize && p.patchSize === first.patchSize));
    return { ...first, adaptable: same.every((p) => p?.adaptable === true) };
  });
}

/**
 * Merges the shards of one fuzz campaign (files in any order): checks they are
 * the whole campaign (wholeJob) and ran the same checks, then merges the
 * verdicts, the counterexamples and the summary (see the header).
 */
export function mergeFuzzShards(shards: readonly { readonly file: string; readonly doc: FuzzShardDocument }[]): MergedFuzzReport {
  const docs = wholeJob(shards);
  const reports = docs.map((d) => d.report);
  const ids = reports[0].checks.map((c) => c.id);
  docs.forEach((d, i) => {
    const own = d.report.checks.map((c) => c.id);
    if (own.join() !== ids.join()) fail('merge.shards-disagree', `${shards.find((s) => s.doc === d)!.file}: shard ${i} ran the checks ${own.join(', ')}, shard 0 ran ${ids.join(', ')}`);
  });
  const checks = ids.map((id, k) => mergeCheck(reports.map((r) => r.checks[k])));
  const counterexamples: ShardCounterexample[] = [];
  for (const r of reports.map((report, shard) => ({ report, shard }))) {
    for (const c of r.report.checks) {
      if (c.verdict !== 'fail') continue;
      counterexamples.push({ ...c, shard: r.shard, seed: r.report.seed });
    }
  }
  const rules = [...new Set(reports.map((r) => r.summary.blockVsPatch.rule))];
  const first = reports[0];
  return {
    variant: first.variant,
    source: first.source,
    seed: docs[0].job.seed,
    runs: docs[0].job.runs,
    contract: first.contract,
    checks,
    summary: {
      normalizations: mergeNormalizations(reports.map((r) => r.summary.normalizations)),
      blockVsPatch: { rule: rules.length === 1 ? rules[0] : `the shards disagree: ${reports.map((r, i) => `${r.summary.blockVsPatch.rule} (shard ${i})`).join('; ')}`, pairs: mergePairs(reports.map((r) => r.summary.blockVsPatch.pairs)) },
      keySpace: first.summary.keySpace,
    },
    seconds: reports.reduce((s, r) => s + r.seconds, 0),
    shards: reports.map((r, index) => ({ index, seed: r.seed, runs: r.runs, seconds: r.seconds, failed: r.checks.filter((c) => c.verdict === 'fail').map((c) => c.id) })),
    counterexamples,
  };
}

/**
 * The merged verdict table (formatReport, with the first failing shard's
 * counterexample under each failed check), then the shards and the
 * counterexamples the other shards found, each with its replay line.
 */
export function formatMergedFuzzReport(merged: MergedFuzzReport): string {
  const lines = [formatReport(merged).trimEnd(), '', `merged from ${merged.shards.length} shards (${merged.runs} runs per property in all):`];
  for (const s of merged.shards) lines.push(`  shard ${s.index}: seed ${s.seed}, ${s.runs} runs, ${s.seconds.toFixed(1)} s${s.failed.length > 0 ? `; failed ${s.failed.join(', ')}` : ''}`);
  const shownFirst = new Set<string>();
  const further = merged.counterexamples.filter((c) => {
    const first = !shownFirst.has(c.id);
    shownFirst.add(c.id);
    return !first && (c.counterexample !== undefined || c.replay !== undefined);
  });
  counterexamples(
    lines,
    'counterexamples of the same checks in further shards:',
    further.map((c) => ({ ...c, id: `${c.id} (shard ${c.shard})` })),
  );
  return `${lines.join('\n')}\n`;
}
