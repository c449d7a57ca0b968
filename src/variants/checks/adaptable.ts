/**
 * adaptable: whether ANY exact adapter exists at the variant's own size
 * (patch P = block M): no counterexample to the affinity property
 * (affinity.ts), and least squares finds the adapter (leastSquares.ts).
 */
import { describeError } from '../validate.ts';
import { baseNormalization } from './adapter.ts';
import { affinityProperty } from './affinity.ts';
import { type CheckResult, type Ctx, type Outcome, result } from './check.ts';
import { describeFit, leastSquares } from './leastSquares.ts';

/** The affinity property at P = M with `runs` runs (also what norm:<n> builds on); what the variant throws is its failure. */
export function affinityAtOwnSize(ctx: Ctx, runs: number): Outcome {
  try {
    return affinityProperty(ctx, 'adaptable', ctx.v.params, ctx.v.params.blockSize, runs, false);
  } catch (e) {
    return { ok: false, message: `the variant threw: ${describeError(e)}` };
  }
}

/** The verdict, from the affinity outcome and a least-squares fit under the base normalization. */
export function checkAdaptable(ctx: Ctx, affinity: Outcome): CheckResult {
  const v = ctx.v;
  const M = v.params.blockSize;
  const base = baseNormalization(v);
  const f = leastSquares(ctx, v.params, M, base);
  const title = `an exact adapter exists (P = M = ${M})`;
  if (!affinity.ok) return result('adaptable', title, 'fail', `${affinity.message} [${describeFit(f)}]`, affinity);
  if (!f.exact) return result('adaptable', title, 'fail', `no counterexample in ${ctx.runs} runs, but the ${describeFit(f)}`);
  return result('adaptable', title, 'pass', `under ${base}: ${describeFit(f)}`);
}
