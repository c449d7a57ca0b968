/**
 * storable: 8-bit pixels encrypt to 8-bit pixels (a PNG can hold the encrypted image).
 */
import { isByteValue } from '../contract.ts';
import { batchCaseArb, batchOf, where, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, keyFor, result, runProperty } from './check.ts';
import { TITLES } from './table.ts';

export function checkStorable(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const { input, output } = ctx.dom;
  const grid = output === 'uint8' ? 'integers 0..255' : output === 'unit' ? 'multiples of 1/255' : '(2v − 255)/255, 8-bit values after 0.5/0.5';
  const o = runProperty(ctx, 'storable', batchCaseArb(ctx, params, true), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const e = ctx.v.encrypt(b, key);
    const i = e.data.findIndex((x) => !isByteValue(x, output));
    if (i >= 0) finding(`encrypted value ${e.data[i]} (${where(b, i)}) is not an 8-bit value of the ${output} domain (${grid}): the encrypted image cannot be stored as an 8-bit image without losing information`);
  });
  return o.ok
    ? result('storable', TITLES.storable, 'pass', `8-bit pixels encrypt to 8-bit pixels (${input} → ${output}, ${grid})`)
    : result('storable', TITLES.storable, 'fail', o.message!, o);
}
