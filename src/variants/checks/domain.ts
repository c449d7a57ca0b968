/**
 * domain: encrypted values lie in the declared output domain, decrypted ones in the input domain.
 */
import { inDomain } from '../contract.ts';
import { batchCaseArb, batchOf, where, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, keyFor, result, runProperty } from './check.ts';
import { TITLES } from './table.ts';

export function checkDomain(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const { input, output } = ctx.dom;
  const o = runProperty(ctx, 'domain', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const e = ctx.v.encrypt(b, key);
    const i = e.data.findIndex((x) => !inDomain(x, output));
    if (i >= 0) finding(`encrypted value ${e.data[i]} (${where(b, i)}) is outside the declared output domain "${output}"`);
    const d = ctx.v.decrypt(e, key);
    const j = d.data.findIndex((x) => !inDomain(x, input));
    if (j >= 0) finding(`decrypted value ${d.data[j]} (${where(b, j)}) is outside the declared input domain "${input}"`);
  });
  return o.ok ? result('domain', TITLES.domain, 'pass', `${input} in, ${output} out`) : result('domain', TITLES.domain, 'fail', o.message!, o);
}
