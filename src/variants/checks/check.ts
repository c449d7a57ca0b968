/**
 * What every check of the fuzz battery (src/variants/harness.ts) is made of:
 * its result (a verdict with a detail line, the counterexample and the line
 * that replays it), the context it runs in (the variant, seed, runs, a key
 * cache), and runProperty, which runs a fast-check property and turns a
 * failure into a shrunk, replayable counterexample.
 */
import fc from 'fast-check';
import { type DomainPair, type Variant, type VariantParams, describeParams } from '../contract.ts';
import { describeError } from '../validate.ts';

export type Verdict = 'pass' | 'fail' | 'n/a';

export interface Replay {
  readonly seed: number;
  readonly path: string;
  readonly command: string;
}

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** The shrunk counterexample (fast-check) or the brute-force witness. */
  readonly counterexample?: string;
  readonly replay?: Replay;
}

/** A property violation, with a readable message (anything else thrown is the variant crashing). */
export class Finding extends Error {}

export function finding(message: string): never {
  throw new Finding(message);
}

export interface Ctx {
  readonly v: Variant<unknown>;
  readonly dom: DomainPair;
  readonly seed: number;
  readonly runs: number;
  readonly path?: string;
  readonly invocation: string;
  readonly limit: number;
  readonly keys: Map<string, unknown>;
}

export interface Outcome {
  readonly ok: boolean;
  readonly message?: string;
  readonly counterexample?: string;
  readonly replay?: Replay;
}

export function keyFor(ctx: Ctx, params: VariantParams, seed: string): unknown {
  const id = `${describeParams(params)}|${seed}`;
  let k = ctx.keys.get(id);
  if (k === undefined) {
    k = ctx.v.generateKey(params, seed);
    if (ctx.keys.size > 512) ctx.keys.clear();
    ctx.keys.set(id, k);
  }
  return k;
}

function formatValue(x: unknown): string {
  const s = JSON.stringify(x, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) v = Array.from(v as unknown as ArrayLike<number>);
    if (Array.isArray(v) && v.length > 16) return [...v.slice(0, 16), `…(+${v.length - 16})`];
    return v;
  });
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

export function runProperty<T>(ctx: Ctx, id: string, arb: fc.Arbitrary<T>, body: (t: T) => void, runs = ctx.runs): Outcome {
  const details = fc.check(
    fc.property(arb, (t) => {
      body(t);
    }),
    { seed: ctx.seed, numRuns: runs, path: ctx.path, endOnFailure: ctx.path !== undefined },
  );
  if (!details.failed) return { ok: true };
  if (details.counterexample === null) return { ok: false, message: details.interrupted ? 'interrupted' : `too many runs skipped (${details.numSkips}): no valid input found` };
  const err = details.errorInstance;
  const message = err instanceof Finding ? err.message : `the variant threw on valid input: ${describeError(err)}`;
  return {
    ok: false,
    message,
    counterexample: formatValue(details.counterexample[0]),
    replay: { seed: details.seed, path: details.counterexamplePath, command: `cipherpatch fuzz ${ctx.invocation} --only ${id} --seed ${details.seed} --path "${details.counterexamplePath}"` },
  };
}

export function result(id: string, title: string, verdict: Verdict, detail: string, o?: Outcome): CheckResult {
  return { id, title, verdict, detail, ...(o?.counterexample !== undefined ? { counterexample: o.counterexample } : {}), ...(o?.replay !== undefined ? { replay: o.replay } : {}) };
}

export const keySeedArb = fc.string({ maxLength: 6 });

/** Runs a check so that whatever it throws becomes its fail verdict: a Finding's message, else "the variant threw". */
export function guard(id: string, title: string, f: () => CheckResult): CheckResult {
  try {
    return f();
  } catch (e) {
    return result(id, title, 'fail', e instanceof Finding ? e.message : `the variant threw: ${describeError(e)}`);
  }
}
