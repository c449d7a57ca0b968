/**
 * key-sensitivity: different keys encrypt a generic image differently (every pair of keys when the key space is small).
 */
import fc from 'fast-check';
import { type BlockBatch, blockLength, describeParams, fromByte } from '../contract.ts';
import { randomBytes, sameData, workParams } from './batches.ts';
import { type CheckResult, type Ctx, finding, keyFor, keySeedArb, result, runProperty } from './check.ts';
import { enumerateFunctions, oneLine } from './enumeration.ts';
import { TITLES } from './table.ts';

export function checkKeySensitivity(ctx: Ctx): CheckResult {
  const title = TITLES['key-sensitivity'];
  const params = workParams(ctx.v);
  const ks = ctx.v.keySpace;
  if (ks?.enumerate !== undefined && ks.size(params) <= 4096n) {
    // Small key space: every pair of keys at this size, exhaustively.
    const e = enumerateFunctions(ctx, params, ks.size(params));
    if (e.equivalent !== undefined) {
      return result('key-sensitivity', title, 'fail', `exhaustive over all ${e.count.enumerated} keys at ${describeParams(params)}: two different keys encrypt every probe identically (${e.count.distinct} distinct functions)`, {
        ok: false,
        counterexample: `${oneLine(e.equivalent[0])} ≡ ${oneLine(e.equivalent[1])}`,
      });
    }
    return result('key-sensitivity', title, 'pass', `exhaustive: all ${e.count.enumerated} keys at ${describeParams(params)} give different ciphertexts`);
  }
  const arb = fc.record({ a: keySeedArb, b: keySeedArb, image: fc.integer() });
  const o = runProperty(ctx, 'key-sensitivity', arb, ({ a, b, image }) => {
    fc.pre(a !== b);
    const ka = keyFor(ctx, params, a);
    const kb = keyFor(ctx, params, b);
    fc.pre(ctx.v.serializeKey(ka) !== ctx.v.serializeKey(kb));
    const rows = params.rows ?? 2;
    const cols = params.cols ?? 2;
    const data = randomBytes(`generic/${image}`, rows * cols * blockLength(params)).map((v) => fromByte(v, ctx.dom.input));
    const batch: BlockBatch = { data, images: 1, rows, cols, blockSize: params.blockSize, channels: params.channels };
    if (sameData(ctx.v.encrypt(batch, ka).data, ctx.v.encrypt(batch, kb).data) < 0) finding(`keys from seeds ${JSON.stringify(a)} and ${JSON.stringify(b)} differ but encrypt a generic image identically: equivalent keys`);
  });
  return o.ok ? result('key-sensitivity', title, 'pass', `${ctx.runs} random key pairs: all encrypt a generic image differently`) : result('key-sensitivity', title, 'fail', o.message!, o);
}
