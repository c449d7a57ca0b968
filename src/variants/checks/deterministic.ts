/**
 * deterministic: same key, same output; same seed, same key; secure keys differ.
 */
import { batchCaseArb, batchOf, sameData, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, result, runProperty } from './check.ts';
import { TITLES } from './table.ts';

export function checkDeterministic(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const o = runProperty(ctx, 'deterministic', batchCaseArb(ctx, params, false), (c) => {
    const k1 = ctx.v.generateKey(params, c.keySeed);
    const k2 = ctx.v.generateKey(params, c.keySeed);
    if (ctx.v.serializeKey(k1) !== ctx.v.serializeKey(k2)) finding(`generateKey with seed ${JSON.stringify(c.keySeed)} gave two different keys`);
    const b = batchOf(params, c, c.values);
    const before = Float64Array.from(b.data);
    const e1 = ctx.v.encrypt(b, k1);
    if (sameData(b.data, before) >= 0) finding(`encrypt modified its input batch (value ${sameData(b.data, before)})`);
    const e2 = ctx.v.encrypt(b, k1);
    const e3 = ctx.v.encrypt(b, k2);
    const i = sameData(e1.data, e2.data);
    if (i >= 0) finding(`encrypting the same batch twice with the same key differs at value ${i}: ${e1.data[i]} vs ${e2.data[i]}`);
    const j = sameData(e1.data, e3.data);
    if (j >= 0) finding(`two keys from the same seed encrypt differently at value ${j}`);
  });
  if (!o.ok) return result('deterministic', TITLES.deterministic, 'fail', o.message!, o);
  // Secure keys: fresh ones must differ (unless the claimed key space is tiny).
  const claimed = ctx.v.keySpace?.size(params);
  if (claimed === undefined || claimed >= 2n ** 32n) {
    const texts = Array.from({ length: 4 }, () => ctx.v.serializeKey(ctx.v.generateKey(params)));
    if (new Set(texts).size < texts.length) return result('deterministic', TITLES.deterministic, 'fail', 'generateKey without a seed returned the same key twice in 4 calls: keys are not drawn from a secure source', { ok: false, counterexample: texts[0].slice(0, 300) });
    return result('deterministic', TITLES.deterministic, 'pass', 'same key → same output, same seed → same key; 4 secure keys all differ');
  }
  return result('deterministic', TITLES.deterministic, 'pass', `same key → same output, same seed → same key (secure keys not compared: only ${claimed} keys)`);
}
