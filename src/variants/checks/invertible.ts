/**
 * invertible: decrypt(encrypt(x)) = x (exactly for uint8, else within float rounding).
 */
import { VARIANT_TOLERANCE as TOL, withinTolerance as close } from '../tolerance.ts';
import { batchCaseArb, batchOf, where, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, keyFor, result, runProperty } from './check.ts';
import { TITLES } from './table.ts';

export function checkInvertible(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const exact = ctx.dom.input === 'uint8';
  let worst = 0;
  const o = runProperty(ctx, 'invertible', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const d = ctx.v.decrypt(ctx.v.encrypt(b, key), key);
    for (let i = 0; i < b.data.length; i++) {
      const ok = exact ? d.data[i] === b.data[i] : close(d.data[i], b.data[i], TOL.roundTrip);
      if (!ok) finding(`decrypt(encrypt(x)) ≠ x: value ${i} (${where(b, i)}) was ${b.data[i]}, came back as ${d.data[i]}`);
      worst = Math.max(worst, Math.abs(d.data[i] - b.data[i]));
    }
  });
  const detail = exact ? 'exactly' : worst === 0 ? 'exactly (float64)' : `within float rounding (max |error| ${worst.toExponential(1)})`;
  return o.ok ? result('invertible', TITLES.invertible, 'pass', detail) : result('invertible', TITLES.invertible, 'fail', o.message!, o);
}
