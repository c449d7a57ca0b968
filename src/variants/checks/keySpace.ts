/**
 * equivalent-keys and key-space, from one brute force at tiny sizes: no two
 * keys are one encryption function, and the claimed count equals the number
 * of distinct encryption functions.
 */
import { log2BigInt } from '../../core/keySpace.ts';
import { type VariantParams, describeParams } from '../contract.ts';
import { type CheckResult, type Ctx, result } from './check.ts';
import { type TinyCount, enumerateFunctions, oneLine } from './enumeration.ts';
import { TITLES } from './table.ts';

function tinyParams(ctx: Ctx): VariantParams[] {
  const ks = ctx.v.keySpace!;
  const candidates: VariantParams[] =
    ks.tinyParams !== undefined
      ? [...ks.tinyParams]
      : [1, 2].flatMap((blockSize) =>
          [1, 2, 3, 4].flatMap((channels) =>
            ctx.v.gridBound
              ? [
                  [1, 2],
                  [2, 2],
                ].map(([rows, cols]) => ({ blockSize, channels, rows, cols }))
              : [{ blockSize, channels }],
          ),
        );
  return candidates.filter((p) => ctx.v.supports?.(p) === undefined && ks.size(p) >= 1n && ks.size(p) <= BigInt(ctx.limit));
}

export function checkKeySpace(ctx: Ctx): { space: CheckResult; equivalent: CheckResult; tiny: TinyCount[]; log2Paper?: number; paper?: string } {
  const ks = ctx.v.keySpace;
  const eqTitle = TITLES['equivalent-keys'];
  const ksTitle = TITLES['key-space'];
  if (ks === undefined) {
    const na = 'no claimed key space (keySpace absent)';
    return { space: result('key-space', ksTitle, 'n/a', na), equivalent: result('equivalent-keys', eqTitle, 'n/a', na), tiny: [] };
  }
  const paper = ks.size(ctx.v.params);
  const log2Paper = log2BigInt(paper);
  const at = `log2 = ${log2Paper.toFixed(1)} at ${describeParams(ctx.v.params)} (claimed ${ks.formula})`;
  if (ks.enumerate === undefined) {
    return { space: result('key-space', ksTitle, 'n/a', `${at}; no enumerator, nothing to brute-force`), equivalent: result('equivalent-keys', eqTitle, 'n/a', 'no key enumerator'), tiny: [], log2Paper, paper: paper.toString() };
  }
  const sizes = tinyParams(ctx);
  if (sizes.length === 0) {
    const na = `no tiny size with at most ${ctx.limit} keys`;
    return { space: result('key-space', ksTitle, 'n/a', `${at}; ${na}`), equivalent: result('equivalent-keys', eqTitle, 'n/a', na), tiny: [], log2Paper, paper: paper.toString() };
  }
  const runs = sizes.map((p) => enumerateFunctions(ctx, p, ks.size(p)));
  const tiny = runs.map((r) => r.count);
  const counts = tiny.map((t) => `${describeParams(t.params)}: ${t.distinct}${t.distinct === Number(t.claimed) && t.enumerated === Number(t.claimed) ? '' : ` of ${t.claimed} claimed (${t.enumerated} enumerated)`}`).join('; ');
  const wrong = runs.find((r) => r.count.distinct !== Number(r.count.claimed) || r.count.enumerated !== Number(r.count.claimed) || r.duplicate !== undefined);
  let space: CheckResult;
  if (wrong === undefined) space = result('key-space', ksTitle, 'pass', `${at}; distinct encryption functions = claimed at ${tiny.length} tiny sizes (${counts})`);
  else {
    const t = wrong.count;
    const why =
      wrong.duplicate !== undefined
        ? 'the enumerator yields a key twice'
        : t.enumerated !== Number(t.claimed)
          ? `the enumerator yields ${t.enumerated > Number(t.claimed) ? 'more' : t.enumerated} keys, the formula claims ${t.claimed}`
          : `only ${t.distinct} distinct encryption functions of ${t.claimed} claimed (effective log2 ${Math.log2(t.distinct).toFixed(2)} vs ${Math.log2(Number(t.claimed)).toFixed(2)})`;
    space = result('key-space', ksTitle, 'fail', `${at}; at ${describeParams(t.params)}: ${why}`, { ok: false, counterexample: wrong.duplicate !== undefined ? oneLine(wrong.duplicate) : wrong.equivalent ? `${oneLine(wrong.equivalent[0])} ≡ ${oneLine(wrong.equivalent[1])}` : undefined });
  }
  const eq = runs.find((r) => r.equivalent !== undefined);
  const equivalent = eq
    ? result('equivalent-keys', eqTitle, 'fail', `at ${describeParams(eq.count.params)}: different keys, one encryption function (${eq.count.distinct} functions from ${eq.count.enumerated} keys)`, {
        ok: false,
        counterexample: `${oneLine(eq.equivalent![0])} ≡ ${oneLine(eq.equivalent![1])}`,
      })
    : result('equivalent-keys', eqTitle, 'pass', `every key a different function at ${tiny.length} tiny sizes (${tiny.reduce((s, t) => s + t.enumerated, 0)} keys)`);
  return { space, equivalent, tiny, log2Paper, paper: paper.toString() };
}
