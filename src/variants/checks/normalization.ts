/**
 * norm:<n>: whether an exact adapter exists under normalization n (0.5/0.5,
 * CIFAR mean/std, none): least squares at P = M, given that the affinity
 * property held; with whether the variant's own adapter is exact there.
 */
import type { AdapterShape } from '../affine.ts';
import type { NormalizationName } from '../contract.ts';
import { type CheckResult, type Ctx, type Outcome, result } from './check.ts';
import { describeFit, leastSquares } from './leastSquares.ts';
import { normId, normTitle } from './table.ts';

export interface NormalizationFinding {
  readonly name: NormalizationName;
  readonly exact: boolean;
  readonly residual: number;
  readonly form?: AdapterShape['form'];
  readonly biasCorrection?: number;
  /** Whether the variant's own adapter is exact here (null: it has none). */
  readonly variantAdapterExact: boolean | null;
}

/** The verdict under `n`; its row of the report's normalization summary goes to `findings`. */
export function checkNormalization(ctx: Ctx, n: NormalizationName, affinity: Outcome | undefined, adapterExact: ReadonlyMap<NormalizationName, Outcome>, findings: NormalizationFinding[]): CheckResult {
  const v = ctx.v;
  const id = normId(n);
  const title = normTitle(n);
  const f = leastSquares(ctx, v.params, v.params.blockSize, n);
  const own = v.adapter === undefined ? null : adapterExact.get(n)!.ok;
  const exact = f.exact && (affinity?.ok ?? true);
  findings.push({ name: n, exact, residual: f.fit.residual, ...(f.exact ? { form: f.shape.form, biasCorrection: f.shape.biasCorrection } : {}), variantAdapterExact: own });
  const ownText = own === null ? '' : own ? "; the variant's adapter is exact here" : "; the variant's adapter is NOT exact here";
  if (!exact) return result(id, title, 'fail', `no exact adapter: ${f.exact ? affinity!.message : describeFit(f)}${ownText}`);
  return result(id, title, 'pass', `${describeFit(f)}${ownText}`);
}
