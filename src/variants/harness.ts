/**
 * The fuzz harness: a fixed battery of fast-check properties and brute-force
 * counts that turns a variant (src/variants/contract.ts) into a verdict
 * table. Every check ends pass, fail or n/a; every fast-check failure comes
 * with its shrunk counterexample and the line that replays it,
 *   cipherpatch fuzz <variant> --only <check> --seed S --path P
 *
 * One module per check under src/variants/checks/; checks/table.ts lists
 * them all (ids, titles, what decides each verdict). This file runs the
 * selected checks in that order and assembles the report.
 */
import { fail } from '../core/errors.ts';
import { adapterOutcomes, checkAdapter } from './checks/adapter.ts';
import { affinityAtOwnSize, checkAdaptable } from './checks/adaptable.ts';
import { type PairFinding, checkBlocks, ruleOf } from './checks/blocks.ts';
import { type CheckResult, type Ctx, type Outcome, type Verdict, guard, result } from './checks/check.ts';
import { checkDeterministic } from './checks/deterministic.ts';
import { checkDomain } from './checks/domain.ts';
import type { TinyCount } from './checks/enumeration.ts';
import { checkInvertible } from './checks/invertible.ts';
import { checkKeySensitivity } from './checks/keySensitivity.ts';
import { checkKeySpace } from './checks/keySpace.ts';
import { checkKnownAnswer } from './checks/knownAnswer.ts';
import { type NormalizationFinding, checkNormalization } from './checks/normalization.ts';
import { checkSerialization } from './checks/serialization.ts';
import { checkShape } from './checks/shape.ts';
import { checkStorable } from './checks/storable.ts';
import { SIZES, TITLES, blocksId, checkIds, normId, normTitle } from './checks/table.ts';
import { type Domain, type DomainPair, NORMALIZATION_NAMES, type NormalizationName, type Variant, type VariantParams, domainPair } from './contract.ts';
import { type ContractProblem, describeError, validateVariant } from './validate.ts';

export type { CheckResult, NormalizationFinding, PairFinding, TinyCount, Verdict };
export type { Replay } from './checks/check.ts';
export { checkIds };

export interface FuzzReport {
  readonly variant: { readonly name: string; readonly title: string; readonly params: VariantParams; readonly domain: DomainPair; readonly gridBound: boolean; readonly adapter: boolean };
  readonly source: string;
  readonly seed: number;
  readonly runs: number;
  readonly contract: readonly ContractProblem[];
  readonly checks: readonly CheckResult[];
  readonly summary: {
    readonly normalizations: readonly NormalizationFinding[];
    readonly blockVsPatch: { readonly rule: string; readonly pairs: readonly PairFinding[] };
    readonly keySpace: { readonly formula?: string; readonly paper?: string; readonly log2Paper?: number; readonly tiny: readonly TinyCount[] };
  };
  readonly seconds: number;
}

export interface FuzzOptions {
  /** Runs per property (default 100); secondary properties use a quarter. */
  readonly runs?: number;
  readonly seed?: number;
  /** Replays one counterexample (with `only` naming its check). */
  readonly path?: string;
  /** Check ids or id prefixes to run (default: all). */
  readonly only?: readonly string[];
  /** Block sizes M and patch sizes P of the sweep (default 1, 2, 4, 8 each). */
  readonly blockSizes?: readonly number[];
  readonly patchSizes?: readonly number[];
  /** Largest claimed key count to brute-force (default 20000). */
  readonly enumerationLimit?: number;
  /** How the variant was named on the command line (for replay lines). */
  readonly invocation?: string;
  /** Where it came from (builtin or a file), for the report. */
  readonly source?: string;
}

export const DEFAULT_SEED = 20220723;

// ------------------------------------------------------------------ the battery

function selected(options: FuzzOptions, id: string): boolean {
  const only = options.only;
  if (only === undefined || only.length === 0) return true;
  return only.some((o) => id === o || id.startsWith(`${o}:`));
}

/** Whether any selected check lies under this prefix (e.g. "norm" when only "norm:none" runs). */
function wants(options: FuzzOptions, prefix: string): boolean {
  const only = options.only;
  if (only === undefined || only.length === 0) return true;
  return only.some((o) => o === prefix || o.startsWith(`${prefix}:`) || prefix.startsWith(`${o}:`));
}

function checkOnly(options: FuzzOptions): void {
  const ids = checkIds(options);
  for (const o of options.only ?? []) {
    if (!ids.some((id) => id === o || id.startsWith(`${o}:`))) fail('fuzz.unknown-check', `no check "${o}": use ${ids.filter((id) => !id.startsWith('blocks:')).join(', ')}, blocks, blocks:M=<M>, blocks:M=<M>:P=<P>, norm`);
  }
}

/** The checks that take the context alone, in report order. */
const BASIC: readonly [keyof typeof TITLES, (ctx: Ctx) => CheckResult][] = [
  ['shape', checkShape],
  ['domain', checkDomain],
  ['storable', checkStorable],
  ['invertible', checkInvertible],
  ['deterministic', checkDeterministic],
  ['serialization', checkSerialization],
  ['key-sensitivity', checkKeySensitivity],
  ['known-answer', checkKnownAnswer],
];

/** Runs the battery on a candidate plug-in (validated first). */
export function fuzzVariant(candidate: unknown, options: FuzzOptions = {}): FuzzReport {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const runs = options.runs ?? 100;
  const contract = validateVariant(candidate);
  const named = typeof candidate === 'object' && candidate !== null ? (candidate as Record<string, unknown>) : {};
  const v = candidate as Variant<unknown>;
  const dom = contract.ok ? domainPair(v.domain) : { input: 'uint8' as Domain, output: 'uint8' as Domain };
  const header = {
    name: typeof named.name === 'string' ? named.name : '(unnamed)',
    title: typeof named.title === 'string' ? named.title : '',
    params: (contract.ok ? v.params : { blockSize: 0, channels: 0 }) as VariantParams,
    domain: dom,
    gridBound: named.gridBound === true,
    adapter: named.adapter !== undefined,
  };
  const source = options.source ?? header.name;
  const checks: CheckResult[] = [];
  const emptySummary = { normalizations: [], blockVsPatch: { rule: 'not run', pairs: [] }, keySpace: { tiny: [] } };
  if (!contract.ok) {
    checks.push(result('contract', TITLES.contract, 'fail', contract.problems.map((p) => `[${p.check}] ${p.message}`).join('; ')));
    return { variant: header, source, seed, runs, contract: contract.problems, checks, summary: emptySummary, seconds: (Date.now() - started) / 1000 };
  }
  checks.push(result('contract', TITLES.contract, 'pass', 'all functions present, types and shapes right on a smoke run'));
  checkOnly(options);
  const ctx: Ctx = { v, dom, seed, runs, ...(options.path !== undefined ? { path: options.path } : {}), invocation: options.invocation ?? v.name, limit: options.enumerationLimit ?? 20000, keys: new Map() };
  const secondary = Math.max(5, Math.ceil(runs / 4));
  for (const [id, f] of BASIC) if (selected(options, id)) checks.push(guard(id, TITLES[id], () => f(ctx)));

  let keySummary: FuzzReport['summary']['keySpace'] = { tiny: [] };
  if (selected(options, 'equivalent-keys') || selected(options, 'key-space')) {
    try {
      const k = checkKeySpace(ctx);
      if (selected(options, 'equivalent-keys')) checks.push(k.equivalent);
      if (selected(options, 'key-space')) checks.push(k.space);
      keySummary = { ...(v.keySpace ? { formula: v.keySpace.formula } : {}), ...(k.paper !== undefined ? { paper: k.paper, log2Paper: k.log2Paper } : {}), tiny: k.tiny };
    } catch (e) {
      checks.push(result('key-space', TITLES['key-space'], 'fail', `the variant threw: ${describeError(e)}`));
    }
  }

  // The variant's own adapter, under every normalization (claimed ones decide the verdict).
  const adapterExact = v.adapter !== undefined && (selected(options, 'adapter') || wants(options, 'norm')) ? adapterOutcomes(ctx, secondary) : new Map<NormalizationName, Outcome>();
  if (selected(options, 'adapter')) checks.push(checkAdapter(v, adapterExact));

  // Does an exact adapter exist at the variant's own size (P = M)?
  let affinity: Outcome | undefined;
  if (selected(options, 'adaptable') || wants(options, 'norm')) affinity = affinityAtOwnSize(ctx, selected(options, 'adaptable') ? runs : secondary);
  if (selected(options, 'adaptable')) checks.push(guard('adaptable', TITLES.adaptable, () => checkAdaptable(ctx, affinity!)));

  const normalizations: NormalizationFinding[] = [];
  for (const n of NORMALIZATION_NAMES) {
    const id = normId(n);
    if (!selected(options, id)) continue;
    checks.push(guard(id, normTitle(n), () => checkNormalization(ctx, n, affinity, adapterExact, normalizations)));
  }

  // Block size versus patch size.
  const pairs: PairFinding[] = [];
  for (const bm of options.blockSizes ?? SIZES)
    for (const pp of options.patchSizes ?? SIZES) {
      if (!selected(options, blocksId(bm, pp))) continue;
      const { check, pair } = checkBlocks(ctx, bm, pp, secondary);
      pairs.push(pair);
      checks.push(check);
    }

  return {
    variant: header,
    source,
    seed,
    runs,
    contract: [],
    checks,
    summary: { normalizations, blockVsPatch: { rule: pairs.length > 0 ? ruleOf(pairs) : 'not run', pairs }, keySpace: keySummary },
    seconds: (Date.now() - started) / 1000,
  };
}

export function verdictOf(report: FuzzReport, id: string): Verdict | undefined {
  return report.checks.find((c) => c.id === id)?.verdict;
}
