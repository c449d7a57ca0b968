/**
 * serialization: parseKey(serializeKey(k)) encrypts exactly as k, and bad key text is rejected.
 */
import { batchCaseArb, batchOf, sameData, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, keyFor, result, runProperty } from './check.ts';
import { TITLES } from './table.ts';

export function checkSerialization(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const o = runProperty(ctx, 'serialization', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const text = ctx.v.serializeKey(key);
    if (typeof text !== 'string') finding(`serializeKey returned ${typeof text}, expected a string`);
    const back = ctx.v.parseKey(text);
    const again = ctx.v.serializeKey(back);
    if (again !== text) finding(`serializeKey(parseKey(text)) ≠ text: ${JSON.stringify(text.slice(0, 80))}… came back as ${JSON.stringify(again.slice(0, 80))}…`);
    const b = batchOf(params, c, c.values);
    const i = sameData(ctx.v.encrypt(b, key).data, ctx.v.encrypt(b, back).data);
    if (i >= 0) finding(`the parsed key encrypts differently from the original at value ${i}`);
  });
  if (!o.ok) return result('serialization', TITLES.serialization, 'fail', o.message!, o);
  let garbage: string | undefined;
  try {
    ctx.v.parseKey('{"not": "a key"}');
    garbage = 'parseKey accepted {"not": "a key"}: bad key text must be rejected';
  } catch {
    // rejected, as it should be
  }
  return garbage === undefined ? result('serialization', TITLES.serialization, 'pass', 'parseKey ∘ serializeKey keeps the key; bad text is rejected') : result('serialization', TITLES.serialization, 'fail', garbage);
}
