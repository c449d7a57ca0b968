/**
 * known-answer: the variant's known-answer vectors (an independent implementation's outputs) match exactly.
 */
import { VARIANT_TOLERANCE as TOL, withinTolerance as close } from '../tolerance.ts';
import { batchProblems } from '../validate.ts';
import { where } from './batches.ts';
import { type CheckResult, type Ctx, result } from './check.ts';
import { TITLES } from './table.ts';

/**
 * The variant's known answers (contract.ts, KnownAnswers): every vector's
 * ciphertext exactly (Object.is apart from ±0: these are an independent
 * implementation's outputs, so even one ulp is a different cipher), decrypt
 * back to the plain values (exact for uint8, else within the round-trip
 * tolerance), and the primitive's own samples. n/a without known answers.
 */
export function checkKnownAnswer(ctx: Ctx): CheckResult {
  const id = 'known-answer';
  const title = TITLES['known-answer'];
  const ka = ctx.v.knownAnswers;
  if (ka === undefined) return result(id, title, 'n/a', 'no known-answer vectors declared');
  if (typeof ka !== 'object' || ka === null || typeof ka.source !== 'string') return result(id, title, 'fail', '"knownAnswers" must be an object { source, vectors?, primitive? }');
  if (ka.vectors === undefined && ka.primitive === undefined) return result(id, title, 'fail', `knownAnswers (${ka.source}) declares neither vectors() nor primitive()`);
  const vectors = ka.vectors?.() ?? [];
  let values = 0;
  for (const kv of vectors) {
    const want = kv.encrypted;
    const got = ctx.v.encrypt(kv.plain, kv.key);
    const bad = batchProblems(got, kv.plain, 'encrypt');
    if (bad.length > 0) return result(id, title, 'fail', `${kv.id}: ${bad[0].message}`);
    if (want.length !== got.data.length) return result(id, title, 'fail', `${kv.id}: the vector has ${want.length} encrypted values, the batch ${got.data.length}`);
    for (let i = 0; i < want.length; i++) {
      if (got.data[i] !== want[i]) return result(id, title, 'fail', `${kv.id} (${ka.source}): value ${i} (${where(kv.plain, i)}) = ${kv.plain.data[i]} encrypts to ${got.data[i]}, the known answer is ${want[i]}`);
    }
    const back = ctx.v.decrypt({ ...kv.plain, data: Float64Array.from(want) }, kv.key);
    for (let i = 0; i < want.length; i++) {
      const ok = ctx.dom.input === 'uint8' ? back.data[i] === kv.plain.data[i] : close(back.data[i], kv.plain.data[i], TOL.roundTrip);
      if (!ok) return result(id, title, 'fail', `${kv.id} (${ka.source}): the known ciphertext value ${i} = ${want[i]} decrypts to ${back.data[i]}, the plain value is ${kv.plain.data[i]}`);
    }
    values += want.length;
  }
  const prim = ka.primitive?.();
  if (vectors.length === 0 && prim === undefined) return result(id, title, 'n/a', `${ka.source}: no vectors for this variant`);
  if (prim !== undefined && prim.mismatches.length > 0) return result(id, title, 'fail', `${ka.source}: ${prim.mismatches.length} of ${prim.checked} samples of the cipher inside differ; first: ${prim.mismatches[0]}`);
  const parts = [
    ...(vectors.length > 0 ? [`${vectors.length} vector${vectors.length === 1 ? '' : 's'} (${values} values) encrypt and decrypt exactly as recorded`] : []),
    ...(prim !== undefined ? [`${prim.checked} samples of the cipher inside match`] : []),
  ];
  return result(id, title, 'pass', `${parts.join('; ')} (${ka.source})`);
}
