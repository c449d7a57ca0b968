/**
 * shape: encrypt and decrypt return batches of the input shape.
 */
import { batchProblems } from '../validate.ts';
import { batchCaseArb, batchOf, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, keyFor, result, runProperty } from './check.ts';
import { TITLES } from './table.ts';

export function checkShape(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const o = runProperty(ctx, 'shape', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const e = ctx.v.encrypt(b, key);
    const bad = batchProblems(e, b, 'encrypt');
    if (bad.length > 0) finding(bad[0].message);
    const d = ctx.v.decrypt(e, key);
    const bad2 = batchProblems(d, b, 'decrypt');
    if (bad2.length > 0) finding(bad2[0].message);
  });
  return o.ok ? result('shape', TITLES.shape, 'pass', 'encrypt and decrypt return batches of the input shape') : result('shape', TITLES.shape, 'fail', o.message!, o);
}
