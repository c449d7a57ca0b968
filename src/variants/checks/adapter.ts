/**
 * adapter: the variant's own adapter is exact, embedding(enc(x), adapt(E)) =
 * embedding(x, E), under every normalization it claims.
 */
import fc from 'fast-check';
import { seededRandom } from '../../core/keygen.ts';
import { embed, modelInput } from '../blocks.ts';
import { NORMALIZATION_NAMES, type NormalizationName, type PatchEmbedding, type Variant, normalization } from '../contract.ts';
import { VARIANT_TOLERANCE as TOL, withinTolerance as close } from '../tolerance.ts';
import { describeError } from '../validate.ts';
import { type CheckResult, type Ctx, type Outcome, finding, keyFor, keySeedArb, result, runProperty } from './check.ts';
import { bytesImage, encryptImages, imageSides, plainFromBytes, sidesArb } from './images.ts';
import { TITLES } from './table.ts';

export function adapterNormalizations(v: Variant<unknown>): readonly NormalizationName[] {
  const n = v.adapter?.normalizations;
  return n === undefined || n === 'any' ? NORMALIZATION_NAMES : n;
}

/** The normalization the model is assumed trained with: the adapter's first claimed one, else 0.5/0.5. */
export function baseNormalization(v: Variant<unknown>): NormalizationName {
  return adapterNormalizations(v)[0];
}

function adapterProperty(ctx: Ctx, norm: NormalizationName, runs: number): Outcome {
  const v = ctx.v;
  const params = v.params;
  const M = params.blockSize;
  const C = params.channels;
  const p = M * M * C;
  const arb = fc.record({ key: keySeedArb, sides: sidesArb, image: fc.integer(), dim: fc.integer({ min: 1, max: 3 }), weights: fc.integer() });
  return runProperty(
    ctx,
    'adapter',
    arb,
    (c) => {
      const key = keyFor(ctx, params, c.key);
      const [H, W] = imageSides(v, params, M, c.sides[0], c.sides[1]);
      const n = normalization(norm, C);
      const plain = plainFromBytes(bytesImage(`image/${c.image}`, 1, C, H, W), ctx.dom.input, norm);
      const cipher = encryptImages(ctx, plain, M, key);
      const r = seededRandom(`weights/${c.weights}`);
      const uniform = () => r.int(2 ** 20) / 2 ** 19 - 1;
      const e: PatchEmbedding = { dim: c.dim, channels: C, patch: M, weight: Float64Array.from({ length: c.dim * p }, uniform), bias: Float64Array.from({ length: c.dim }, uniform) };
      const adapted = v.adapter!.adapt({ ...e, weight: Float64Array.from(e.weight), bias: Float64Array.from(e.bias) }, key, n);
      if (!(adapted?.weight instanceof Float64Array) || adapted.weight.length !== e.weight.length) finding(`adapter.adapt returned a weight of ${adapted?.weight?.length} values, expected ${e.weight.length}`);
      if (!(adapted.bias instanceof Float64Array) || adapted.bias.length !== c.dim) finding(`adapter.adapt returned a bias of ${adapted.bias?.length} values, expected ${c.dim}`);
      const z = embed(modelInput(plain, ctx.dom.input, n), e);
      const z2 = embed(modelInput(cipher, ctx.dom.output, n), { ...e, weight: adapted.weight, bias: adapted.bias });
      for (let i = 0; i < z.length; i++) {
        if (!close(z2[i], z[i], TOL.embedding)) finding(`under normalization ${norm}: patch ${Math.floor(i / c.dim)}, output ${i % c.dim}: plain model ${z[i]}, adapted model on the encrypted image ${z2[i]}`);
      }
    },
    runs,
  );
}

/** The variant's own adapter under every normalization: the claimed ones with all runs, the others with `secondary` runs. */
export function adapterOutcomes(ctx: Ctx, secondary: number): Map<NormalizationName, Outcome> {
  const claimedNorms = adapterNormalizations(ctx.v);
  const adapterExact = new Map<NormalizationName, Outcome>();
  for (const n of NORMALIZATION_NAMES) {
    try {
      adapterExact.set(n, adapterProperty(ctx, n, claimedNorms.includes(n) ? ctx.runs : secondary));
    } catch (e) {
      adapterExact.set(n, { ok: false, message: `the variant threw: ${describeError(e)}` });
    }
  }
  return adapterExact;
}

/** adapter: exact under every normalization it claims (the others are reported, not judged); n/a without an adapter. */
export function checkAdapter(v: Variant<unknown>, adapterExact: ReadonlyMap<NormalizationName, Outcome>): CheckResult {
  const title = TITLES.adapter;
  if (v.adapter === undefined) return result('adapter', title, 'n/a', 'no adapter: see "adaptable" for whether one exists');
  const claimedNorms = adapterNormalizations(v);
  const failed = claimedNorms.find((n) => !adapterExact.get(n)!.ok);
  const also = NORMALIZATION_NAMES.filter((n) => !claimedNorms.includes(n));
  const extra = also.length === 0 ? '' : `; not claimed: ${also.map((n) => `${n} ${adapterExact.get(n)!.ok ? 'exact' : 'not exact'}`).join(', ')}`;
  return failed === undefined
    ? result('adapter', title, 'pass', `exact under ${claimedNorms.join(', ')} (claimed)${extra}`)
    : result('adapter', title, 'fail', adapterExact.get(failed)!.message!, adapterExact.get(failed));
}
