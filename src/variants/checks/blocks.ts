/**
 * blocks:M=…:P=…: the adapter search for other block sizes M and patch sizes
 * P (the affinity property, then least squares under 0.5/0.5); n/a where the
 * variant does not support block size M. The cells make the report's block
 * size versus patch size grid, and ruleOf its one-line rule.
 */
import { describeError } from '../validate.ts';
import { affinityProperty } from './affinity.ts';
import { type CheckResult, type Ctx, guard, result } from './check.ts';
import { paramsFor } from './images.ts';
import { describeFit, leastSquares } from './leastSquares.ts';
import { blocksId, blocksTitle } from './table.ts';

export interface PairFinding {
  readonly blockSize: number;
  readonly patchSize: number;
  /** null: unsupported block size. */
  readonly adaptable: boolean | null;
}

/** The verdict for block size `bm` and patch size `pp` (`runs` runs), and its grid cell. */
export function checkBlocks(ctx: Ctx, bm: number, pp: number, runs: number): { check: CheckResult; pair: PairFinding } {
  const v = ctx.v;
  const id = blocksId(bm, pp);
  const title = blocksTitle(bm, pp);
  const params = paramsFor(v, bm, pp);
  let reason: string | undefined;
  try {
    reason = v.supports?.(params) ?? undefined;
  } catch (e) {
    reason = `supports() threw: ${describeError(e)}`;
  }
  if (reason !== undefined) return { check: result(id, title, 'n/a', `unsupported: ${reason}`), pair: { blockSize: bm, patchSize: pp, adaptable: null } };
  const check = guard(id, title, () => {
    const o = affinityProperty(ctx, id, params, pp, runs, true);
    if (!o.ok) return result(id, title, 'fail', o.message!, o);
    const f = leastSquares(ctx, params, pp, '0.5/0.5');
    if (!f.exact) return result(id, title, 'fail', `no counterexample in ${runs} runs, but the ${describeFit(f)}`);
    return result(id, title, 'pass', describeFit(f));
  });
  return { check, pair: { blockSize: bm, patchSize: pp, adaptable: check.verdict === 'pass' } };
}

export function ruleOf(pairs: readonly PairFinding[]): string {
  const known = pairs.filter((p) => p.adaptable !== null);
  if (known.length === 0) return 'no supported block size';
  const is = (f: (p: PairFinding) => boolean) => known.every((p) => p.adaptable === f(p));
  if (is(() => true)) return 'any M, P';
  if (is(() => false)) return 'never';
  if (is((p) => p.patchSize % p.blockSize === 0)) return 'M divides P';
  if (is((p) => p.patchSize === p.blockSize)) return 'M = P';
  return `only (M, P) ∈ {${known.filter((p) => p.adaptable).map((p) => `(${p.blockSize}, ${p.patchSize})`).join(', ')}}`;
}
