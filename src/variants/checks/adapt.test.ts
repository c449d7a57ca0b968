/**
 * The adaptability checks (adapter, adaptable with its affinity property,
 * norm:<n>, blocks:M=…:P=…) and what they build on (least squares, images)
 * on the tiny rotation variant (src/variants/fixtures/tiny.ts) and on
 * encryptions broken in one way each: not local, not affine, not the same in
 * every patch, another offset per patch. The expected adapter forms are
 * worked out by hand from the rotation. Each test names the Stryker mutants
 * it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import type { AffineFit } from '../affine.ts';
import { type BlockBatch, CIFAR10_MEAN, CIFAR10_STD, type NormalizationName } from '../contract.ts';
import { ctxOf, rotation } from '../fixtures/tiny.ts';
import { affinityAtOwnSize, checkAdaptable } from './adaptable.ts';
import { adapterNormalizations, adapterOutcomes, baseNormalization, checkAdapter } from './adapter.ts';
import { affinityProperty } from './affinity.ts';
import { checkBlocks, ruleOf } from './blocks.ts';
import type { Outcome } from './check.ts';
import { bytesImage, encryptImages, imageSides, lcm, paramsFor, plainFromBytes } from './images.ts';
import { type Fit, describeFit, leastSquares } from './leastSquares.ts';
import { type NormalizationFinding, checkNormalization } from './normalization.ts';

/** encrypt from a per-block map of the values (block index b of the batch, p_b values). */
const perBlock = (f: (values: number[], b: number, all: BlockBatch) => number[]) => (batch: BlockBatch): BlockBatch => {
  const pb = batch.blockSize * batch.blockSize * batch.channels;
  const out = new Float64Array(batch.data.length);
  for (let b = 0; b * pb < out.length; b++) out.set(f(Array.from(batch.data.subarray(b * pb, (b + 1) * pb)), b, batch), b * pb);
  return { ...batch, data: out };
};
const first = (batch: BlockBatch, k: number) => batch.data[k];

// Four ways to be unadaptable (M = P = 1, C = 2: a patch is one pixel's two channels).
/** Block b adds block 0's values (block 0 unchanged): a change in patch 0 reaches every patch. */
const leaksFromFirst = perBlock((x, b, all) => (b === 0 ? x : x.map((v, k) => v + first(all, k))));
/** Block b adds the next block's values: patch b depends on plain values outside it. */
const leaksFromNext = perBlock((x, b, all) => x.map((v, k) => v + all.data[(((b + 1) * 2) % all.data.length) + k]));
const squares = perBlock((x) => x.map((v) => (v * v) / 255));
const scaledPerBlock = perBlock((x, b) => x.map((v) => v * (1 + (b % 2))));
const offsetPerBlock = perBlock((x, b) => x.map((v) => v + b));

describe('affinity (the property behind adaptable, norm and blocks)', () => {
  const broken = (encrypt: (b: BlockBatch) => BlockBatch) => ctxOf(rotation({ encrypt }), 20);
  const run = (encrypt: (b: BlockBatch) => BlockBatch) => affinityProperty(broken(encrypt), 'adaptable', { blockSize: 1, channels: 2 }, 1, 20, false);
  const unrecoverable = 'an encrypted patch depends on plain values outside it, so no patch embedding (patch 1, block 1) can undo the encryption';

  it('holds for the rotation, at P = M and at P = 2M', () => {
    expect(run(rotation().encrypt as (b: BlockBatch) => BlockBatch)).toEqual({ ok: true });
    expect(affinityProperty(ctxOf(rotation(), 20), 'blocks:M=1:P=2', { blockSize: 1, channels: 2 }, 2, 20, true)).toEqual({ ok: true });
  });

  it('not local: a patch that reads another', () => {
    const o = run(leaksFromNext);
    expect(o.ok).toBe(false);
    expect(o.message).toMatch(/^not local: encrypted patch \d+ changes \(at \(c=\d, y=\d, x=\d\): \d+ → \d+\) when only plain values outside it change; /);
    expect(o.message!.endsWith(unrecoverable)).toBe(true);
  });

  it('not local: a change in one patch that reaches another', () => {
    const o = run(leaksFromFirst);
    expect(o.message).toMatch(/^not local: adding \d+ to the plain value at \(c=\d, y=0, x=0\) \(patch 0\) changes the encrypted value at \(c=\d, y=\d, x=\d\) in patch [1-3] by -?\d+; /);
    expect(o.message!.endsWith(unrecoverable)).toBe(true);
    expect(o.counterexample).toMatch(/^\{"key":"[^"]*","sides":\[\d,\d\],"x":-?\d+,"z":-?\d+,"t":\d+,"delta":\d+,"q":\d+\}$/);
  });

  it('not affine, not the same in every patch, another offset per patch', () => {
    expect(run(squares).message).toMatch(/^not affine: adding \d+ to the plain value at \(c=\d, y=\d, x=\d\) changes the encrypted value at \(c=\d, y=\d, x=\d\) by [\d.e+-]+ in one image but by [\d.e+-]+ in another \(plain \d+ vs \d+ there\); no linear patch embedding can undo it$/);
    expect(run(scaledPerBlock).message).toMatch(/^not the same in every patch: adding \d+ at in-patch position \(c=\d, i=0, j=0\) changes encrypted in-patch value \(c=\d, i=0, j=0\) by \d+ in patch \d but by \d+ in patch \d; the patches would need different adapters, and a conv patch embedding shares one$/);
    expect(run(offsetPerBlock).message).toMatch(/^patches \d and \d hold the same plain values but encrypt differently at in-patch \(c=\d, i=0, j=0\): \d+ vs \d+; each patch would need its own bias$/);
  });

  it('one patch (a grid-bound 1×1 grid): only affinity is probed, locality cannot fail', () => {
    const one = rotation({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 1, cols: 1 }, encrypt: offsetPerBlock });
    expect(affinityProperty(ctxOf(one, 20), 'adaptable', one.params, 1, 20, false)).toEqual({ ok: true });
    const sq = rotation({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 1, cols: 1 }, encrypt: squares });
    expect(affinityProperty(ctxOf(sq, 20), 'adaptable', sq.params, 1, 20, false).message).toMatch(/^not affine: /);
  });

  it('the key pool: pool-0 … pool-7 for blocks, any seed for adaptable', () => {
    const seeds = new Set<string>();
    const v = rotation({ generateKey: (_p, seed) => (seeds.add(seed!), { r: 0 }) });
    affinityProperty(ctxOf(v, 30), 'blocks:M=1:P=1', v.params, 1, 30, true);
    expect([...seeds].every((s) => /^pool-[0-7]$/.test(s))).toBe(true);
    expect(seeds.size).toBeGreaterThan(1);
    seeds.clear();
    affinityProperty(ctxOf(v, 30), 'adaptable', v.params, 1, 30, false);
    expect([...seeds].some((s) => !s.startsWith('pool-'))).toBe(true);
  });
});

describe('adaptable', () => {
  const ctx = (seed: number, encrypt?: (b: BlockBatch) => BlockBatch) => ctxOf(rotation(encrypt ? { encrypt } : {}), 10, { seed });
  it('passes the rotation: a permutation of E (key 1: seed 1, "least-squares/1" has 15 characters) or E itself (seed 10: key 0)', () => {
    const c1 = ctx(1);
    const r = checkAdaptable(c1, affinityAtOwnSize(c1, 10));
    expect(r).toMatchObject({ id: 'adaptable', title: 'an exact adapter exists (P = M = 1)', verdict: 'pass' });
    expect(r.detail).toMatch(/^under 0\.5\/0\.5: E′ = rows of E permuted, b′ = b \(residual \d\.\de[+-]\d+\)$/);
    const c10 = ctx(10);
    expect(checkAdaptable(c10, affinityAtOwnSize(c10, 10)).detail).toMatch(/^under 0\.5\/0\.5: E′ = E, b′ = b \(residual /);
  });
  it('fails with the affinity counterexample and the fit beside it; or with the fit alone', () => {
    const c = ctx(1, scaledPerBlock);
    const a = affinityAtOwnSize(c, 10);
    const r = checkAdaptable(c, a);
    expect(r.verdict).toBe('fail');
    expect(r.detail).toMatch(/^not the same in every patch: .* \[best affine fit leaves residual \d\.\d\de[+-]\d+ \(\d+ patches\)\]$/);
    expect(r.counterexample).toBe(a.counterexample);
    // A claimed affinity with a non-affine encryption: least squares alone says no (10 runs named).
    expect(checkAdaptable(ctx(1, squares), { ok: true })).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/^no counterexample in 10 runs, but the best affine fit leaves residual \d\.\d\de[+-]\d+ \(\d+ patches\)$/) });
  });
  it('what the variant throws is the affinity failure', () => {
    const c = ctx(1, () => {
      throw new Error('boom');
    });
    expect(affinityAtOwnSize(c, 10)).toMatchObject({ ok: false, message: 'the variant threw on valid input: boom', counterexample: expect.any(String) });
  });
});

describe('least squares and describeFit', () => {
  it('the fit of the rotation: exact, from enough patches; 0.5/0.5 normalizes both sides alike', () => {
    const f = leastSquares(ctxOf(rotation()), { blockSize: 1, channels: 2 }, 1, '0.5/0.5');
    // p = 2 unknowns per output + 1 + 32 spare: ceil(35 / 4 patches of a 2×2 image) = 9 images, 36 patches.
    expect(f.fit.samples).toBe(36);
    expect(f.exact).toBe(true);
    expect(f.shape.form).toBe('permutation');
  });
  it('under CIFAR statistics: channel 0 read as channel 1 needs x₁ = (σ₀y₀ + μ₀ − μ₁)/σ₁, a rescaled permutation with a bias', () => {
    const f = leastSquares(ctxOf(rotation()), { blockSize: 1, channels: 2 }, 1, 'cifar');
    expect(f.exact).toBe(true);
    expect(f.shape.form).toBe('scaled permutation');
    const c = Math.max(Math.abs(CIFAR10_MEAN[0] - CIFAR10_MEAN[1]) / CIFAR10_STD[1], Math.abs(CIFAR10_MEAN[1] - CIFAR10_MEAN[0]) / CIFAR10_STD[0]);
    expect(f.shape.biasCorrection).toBeCloseTo(c, 10);
    expect(describeFit(f)).toMatch(/^E′ = rows of E permuted and rescaled, b′ = b \+ c·E \(max \|c\| = 0\.0378\) \(residual /);
  });
  it('not exact: the residual and the number of patches', () => {
    const f = leastSquares(ctxOf(rotation({ encrypt: squares })), { blockSize: 1, channels: 2 }, 1, 'none');
    expect(f.exact).toBe(false);
    expect(describeFit(f)).toBe(`best affine fit leaves residual ${f.fit.residual.toExponential(2)} (36 patches)`);
    expect(f.fit.residual).toBeGreaterThan(1e-3);
  });
  it('every form in words', () => {
    const fit = { residual: 1.26e-15, samples: 9 } as AffineFit;
    const shape = (form: Fit['shape']['form'], permuted: boolean, negated: boolean, rescaled: boolean, bias = 0) => ({ fit, exact: true, shape: { form, permuted, negated, rescaled, biasCorrection: bias, biasUnchanged: bias === 0 } });
    expect(describeFit(shape('identity', false, false, false))).toBe('E′ = E, b′ = b (residual 1.3e-15)');
    expect(describeFit(shape('permutation', true, false, false))).toBe('E′ = rows of E permuted, b′ = b (residual 1.3e-15)');
    expect(describeFit(shape('signed permutation', false, true, false, 2.5))).toBe('E′ = rows of E negated, b′ = b + c·E (max |c| = 2.50) (residual 1.3e-15)');
    expect(describeFit(shape('scaled permutation', false, false, true))).toBe('E′ = rows of E rescaled, b′ = b (residual 1.3e-15)');
    expect(describeFit(shape('signed permutation', true, true, false))).toBe('E′ = rows of E permuted and negated, b′ = b (residual 1.3e-15)');
    expect(describeFit(shape('scaled permutation', true, true, true, 0.123456))).toBe('E′ = rows of E permuted, negated and rescaled, b′ = b + c·E (max |c| = 0.123) (residual 1.3e-15)');
    expect(describeFit(shape('dense', true, true, true))).toBe('E′ = A·E, A dense, b′ = b (residual 1.3e-15)');
    expect(describeFit({ ...shape('identity', false, false, false), exact: false, fit: { residual: 0.012345, samples: 40 } as AffineFit })).toBe('best affine fit leaves residual 1.23e-2 (40 patches)');
  });
});

describe('norm:<n>', () => {
  const own = (ok: Partial<Record<NormalizationName, boolean>>) => new Map<NormalizationName, Outcome>(Object.entries(ok).map(([n, o]) => [n as NormalizationName, { ok: o! }]));
  it('CIFAR: an exact adapter exists, the variant’s own is not it; its summary row', () => {
    const findings: NormalizationFinding[] = [];
    const r = checkNormalization(ctxOf(rotation()), 'cifar', { ok: true }, own({ cifar: false }), findings);
    expect(r).toMatchObject({ id: 'norm:cifar', title: 'exact under normalization cifar', verdict: 'pass' });
    expect(r.detail).toMatch(/^E′ = rows of E permuted and rescaled, b′ = b \+ c·E \(max \|c\| = 0\.0378\) \(residual [\d.e+-]+\); the variant's adapter is NOT exact here$/);
    expect(findings).toEqual([{ name: 'cifar', exact: true, residual: expect.any(Number), form: 'scaled permutation', biasCorrection: expect.closeTo(0.0092 / 0.2435, 10), variantAdapterExact: false }]);
    expect(checkNormalization(ctxOf(rotation()), 'none', undefined, own({ none: true }), findings).detail).toMatch(/^E′ = rows of E permuted, b′ = b \(residual [\d.e+-]+\); the variant's adapter is exact here$/);
    expect(findings[1]).toMatchObject({ name: 'none', exact: true, variantAdapterExact: true });
    expect(checkNormalization(ctxOf(rotation({ adapter: undefined })), 'none', { ok: true }, new Map(), findings).detail).toMatch(/^E′ = rows of E permuted, b′ = b \(residual [\d.e+-]+\)$/);
    expect(findings[2].variantAdapterExact).toBeNull();
  });
  it('fails with the affinity message when least squares is exact, else with the fit', () => {
    const findings: NormalizationFinding[] = [];
    expect(checkNormalization(ctxOf(rotation()), '0.5/0.5', { ok: false, message: 'not local: …' }, own({ '0.5/0.5': true }), findings)).toEqual({ id: 'norm:0.5/0.5', title: 'exact under normalization 0.5/0.5', verdict: 'fail', detail: "no exact adapter: not local: …; the variant's adapter is exact here" });
    expect(findings).toEqual([{ name: '0.5/0.5', exact: false, residual: expect.any(Number), form: 'permutation', biasCorrection: 0, variantAdapterExact: true }]);
    const sq = checkNormalization(ctxOf(rotation({ encrypt: squares, adapter: undefined })), 'none', { ok: false, message: 'not affine' }, new Map(), findings);
    expect(sq.detail).toMatch(/^no exact adapter: best affine fit leaves residual \d\.\d\de[+-]\d+ \(36 patches\)$/);
    expect(findings[1]).toEqual({ name: 'none', exact: false, residual: expect.any(Number), variantAdapterExact: null });
  });
});

describe('adapter', () => {
  it('which normalizations it claims; the base one is its first, 0.5/0.5 for any', () => {
    expect(adapterNormalizations(rotation())).toEqual(['0.5/0.5', 'none']);
    expect(adapterNormalizations(rotation({ adapter: undefined }))).toEqual(['0.5/0.5', 'cifar', 'none']);
    const any = rotation({ adapter: { ...rotation().adapter!, normalizations: 'any' } });
    expect(adapterNormalizations(any)).toEqual(['0.5/0.5', 'cifar', 'none']);
    expect(baseNormalization(rotation({ adapter: { ...rotation().adapter!, normalizations: ['none', 'cifar'] } }))).toBe('none');
  });

  it('the rotation’s adapter: exact where channels are normalized alike, not under CIFAR (reported, not judged)', () => {
    const outcomes = adapterOutcomes(ctxOf(rotation()), 5);
    expect([...outcomes.keys()]).toEqual(['0.5/0.5', 'cifar', 'none']);
    expect(outcomes.get('0.5/0.5')).toEqual({ ok: true });
    expect(outcomes.get('none')).toEqual({ ok: true });
    expect(outcomes.get('cifar')!.message).toMatch(/^under normalization cifar: patch \d+, output \d+: plain model -?[\d.e+-]+, adapted model on the encrypted image -?[\d.e+-]+$/);
    expect(checkAdapter(rotation(), outcomes)).toEqual({ id: 'adapter', title: "variant's adapter exact", verdict: 'pass', detail: 'exact under 0.5/0.5, none (claimed); not claimed: cifar not exact' });
    const all = new Map<NormalizationName, Outcome>([['0.5/0.5', { ok: true }], ['cifar', { ok: true }], ['none', { ok: true }]]);
    expect(checkAdapter(rotation({ adapter: { ...rotation().adapter!, normalizations: ['cifar'] } }), all).detail).toBe('exact under cifar (claimed); not claimed: 0.5/0.5 exact, none exact');
    expect(checkAdapter(rotation({ adapter: { ...rotation().adapter!, normalizations: 'any' } }), all).detail).toBe('exact under 0.5/0.5, cifar, none (claimed)');
  });

  it('fails under a claimed normalization with its message and counterexample; n/a without an adapter', () => {
    const any = rotation({ adapter: { ...rotation().adapter!, normalizations: 'any' } });
    const outcomes = adapterOutcomes(ctxOf(any), 5);
    const r = checkAdapter(any, outcomes);
    expect(r).toMatchObject({ id: 'adapter', verdict: 'fail', detail: outcomes.get('cifar')!.message, counterexample: outcomes.get('cifar')!.counterexample });
    expect(r.detail).toMatch(/^under normalization cifar: /);
    expect(checkAdapter(rotation({ adapter: undefined }), new Map())).toEqual({ id: 'adapter', title: "variant's adapter exact", verdict: 'n/a', detail: 'no adapter: see "adaptable" for whether one exists' });
  });

  it('a weight or bias of the wrong size; an adapter that throws', () => {
    const adapt = (f: (e: { weight: Float64Array; bias: Float64Array }) => object) => rotation({ adapter: { normalizations: ['none'], adapt: f as never } });
    // Smallest case: d = 1, p_b = 2.
    expect(adapterOutcomes(ctxOf(adapt((e) => ({ ...e, weight: e.weight.slice(1) }))), 5).get('none')!.message).toBe('adapter.adapt returned a weight of 1 values, expected 2');
    expect(adapterOutcomes(ctxOf(adapt((e) => ({ ...e, weight: Array.from(e.weight) }))), 5).get('none')!.message).toBe('adapter.adapt returned a weight of 2 values, expected 2');
    expect(adapterOutcomes(ctxOf(adapt(() => undefined as never)), 5).get('none')!.message).toBe('adapter.adapt returned a weight of undefined values, expected 2');
    expect(adapterOutcomes(ctxOf(adapt((e) => ({ ...e, bias: new Float64Array(0) }))), 5).get('none')!.message).toBe('adapter.adapt returned a bias of 0 values, expected 1');
    expect(adapterOutcomes(ctxOf(adapt((e) => ({ ...e, bias: [0] }))), 5).get('none')!.message).toBe('adapter.adapt returned a bias of 1 values, expected 1');
    expect(adapterOutcomes(ctxOf(adapt((e) => ({ weight: e.weight }))), 5).get('none')!.message).toBe('adapter.adapt returned a bias of undefined values, expected 1');
    const threw = adapterOutcomes(ctxOf(rotation({ keySpace: undefined, generateKey: () => { throw new Error('no key'); } })), 5);
    expect(threw.get('cifar')).toMatchObject({ ok: false, message: 'the variant threw on valid input: no key' });
  });

  it('claimed normalizations get all runs, the others the secondary count', () => {
    const calls: string[] = [];
    // Key 0 (the identity) is exact under every normalization: no failure, no shrinking.
    const v = rotation({ generateKey: () => ({ r: 0 }), adapter: { normalizations: ['none'], adapt: (e, k, n) => (calls.push(n.name), rotation().adapter!.adapt(e, k, n)) } });
    adapterOutcomes(ctxOf(v, 12), 3);
    expect(calls.filter((n) => n === 'none')).toHaveLength(12);
    expect(calls.filter((n) => n === 'cifar')).toHaveLength(3);
    expect(calls.filter((n) => n === '0.5/0.5')).toHaveLength(3);
  });

  it('the adapter gets copies of E, and the unadapted E is used for the plain side', () => {
    const v = rotation({ adapter: { normalizations: ['none'], adapt: (e, k, n) => { const out = rotation().adapter!.adapt(e, k, n); e.weight.fill(0); e.bias.fill(0); return out; } } });
    expect(adapterOutcomes(ctxOf(v), 5).get('none')).toEqual({ ok: true });
  });
});

describe('blocks:M=…:P=…', () => {
  it('the rotation: adaptable when M divides P; not at M = 2, P = 1', () => {
    const ctx = ctxOf(rotation(), 10);
    const same = checkBlocks(ctx, 1, 1, 5);
    expect(same.pair).toEqual({ blockSize: 1, patchSize: 1, adaptable: true });
    expect(same.check).toMatchObject({ id: 'blocks:M=1:P=1', title: 'adaptable with block M=1, patch P=1', verdict: 'pass', detail: expect.stringMatching(/^E′ = (E|rows of E permuted), b′ = b \(residual /) });
    const bigger = checkBlocks(ctx, 1, 2, 5);
    expect(bigger.pair.adaptable).toBe(true);
    // M = 2: a block of 2×2 pixels of 2 channels rotates by r positions: values move between pixels, i.e. between 1×1 patches.
    const smaller = checkBlocks(ctxOf(rotation({ generateKey: (p) => ({ r: 1 % (p.blockSize * p.blockSize * p.channels) }) }), 10), 2, 1, 5);
    expect(smaller.pair).toEqual({ blockSize: 2, patchSize: 1, adaptable: false });
    expect(smaller.check).toMatchObject({ id: 'blocks:M=2:P=1', verdict: 'fail', detail: expect.stringMatching(/^not local: /) });
    expect(smaller.check.counterexample).toBeDefined();
  });
  it('n/a where the variant does not support M, or supports() throws; fail when least squares disagrees or the variant throws', () => {
    const v = rotation({ supports: (p) => (p.blockSize === 2 ? 'p_b must be even' : undefined) });
    expect(checkBlocks(ctxOf(v), 2, 4, 5)).toEqual({ check: { id: 'blocks:M=2:P=4', title: 'adaptable with block M=2, patch P=4', verdict: 'n/a', detail: 'unsupported: p_b must be even' }, pair: { blockSize: 2, patchSize: 4, adaptable: null } });
    expect(checkBlocks(ctxOf(v), 1, 1, 5).pair.adaptable).toBe(true);
    const t = rotation({ supports: () => { throw new Error('oops'); } });
    expect(checkBlocks(ctxOf(t), 1, 1, 5).check).toEqual({ id: 'blocks:M=1:P=1', title: 'adaptable with block M=1, patch P=1', verdict: 'n/a', detail: 'unsupported: supports() threw: oops' });
    const thrower = rotation({ encrypt: () => { throw new Error('bad block'); } });
    expect(checkBlocks(ctxOf(thrower), 1, 1, 5).check).toMatchObject({ verdict: 'fail', detail: 'the variant threw on valid input: bad block' });
    // The grid-bound rotation at M = 2: params with a grid of 2·lcm(2, P) pixels.
    const seen: unknown[] = [];
    const g = rotation({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 4, cols: 4 }, supports: (p) => (seen.push(p), undefined) });
    checkBlocks(ctxOf(g), 2, 4, 2);
    expect(seen[0]).toEqual({ blockSize: 2, channels: 2, rows: 4, cols: 4 });
  });
  it('ruleOf: one line for the grid', () => {
    const cell = (blockSize: number, patchSize: number, adaptable: boolean | null) => ({ blockSize, patchSize, adaptable });
    expect(ruleOf([cell(1, 1, null)])).toBe('no supported block size');
    expect(ruleOf([cell(1, 1, true), cell(2, 1, true), cell(4, 4, null)])).toBe('any M, P');
    expect(ruleOf([cell(1, 1, false), cell(2, 4, false)])).toBe('never');
    expect(ruleOf([cell(1, 2, true), cell(2, 4, true), cell(2, 1, false), cell(4, 2, false)])).toBe('M divides P');
    expect(ruleOf([cell(2, 2, true), cell(1, 1, true), cell(1, 2, false), cell(2, 1, false)])).toBe('M = P');
    expect(ruleOf([cell(2, 2, true), cell(1, 4, true), cell(1, 2, false), cell(2, 1, false), cell(4, 4, null)])).toBe('only (M, P) ∈ {(2, 2), (1, 4)}');
  });
});

describe('images', () => {
  it('lcm, image sides, params for M and P', () => {
    expect([lcm(4, 6), lcm(1, 8), lcm(8, 2), lcm(3, 5)]).toEqual([12, 8, 8, 15]);
    expect(imageSides(rotation(), { blockSize: 2, channels: 1 }, 3, 1, 2)).toEqual([6, 12]);
    expect(imageSides(rotation({ gridBound: true }), { blockSize: 2, channels: 1, rows: 3, cols: 5 }, 3, 1, 2)).toEqual([6, 10]);
    expect(paramsFor(rotation({ params: { blockSize: 4, channels: 3 } }), 2, 3)).toEqual({ blockSize: 2, channels: 3 });
    // 2·lcm(2, 3) = 12 pixels: 6 blocks of 2 a side.
    expect(paramsFor(rotation({ gridBound: true, params: { blockSize: 4, channels: 3, rows: 8, cols: 8 } }), 2, 3)).toEqual({ blockSize: 2, channels: 3, rows: 6, cols: 6 });
  });
  it('8-bit images as each domain’s plain input', () => {
    const bytes = { data: Float64Array.of(0, 51, 255, 102), count: 1, channels: 2, height: 1, width: 2 };
    expect(plainFromBytes(bytes, 'uint8', 'cifar')).toBe(bytes);
    expect(Array.from(plainFromBytes(bytes, 'unit', 'cifar').data)).toEqual([0, 0.2, 1, 0.4]);
    // real: (v/255 − μ_c)/σ_c, channel 0 then channel 1.
    const real = plainFromBytes(bytes, 'real', 'cifar').data;
    expect(real[0]).toBeCloseTo(-0.4914 / 0.247, 12);
    expect(real[3]).toBeCloseTo((0.4 - 0.4822) / 0.2435, 12);
    expect(Array.from(plainFromBytes(bytes, 'real', '0.5/0.5').data)).toEqual([-1, 0.2 / 0.5 - 1, 1, 0.4 / 0.5 - 1].map((x, i) => (i === 1 ? (0.2 - 0.5) / 0.5 : i === 3 ? (0.4 - 0.5) / 0.5 : x)));
    const img = bytesImage('s', 2, 3, 4, 5);
    expect(img).toMatchObject({ count: 2, channels: 3, height: 4, width: 5 });
    expect(img.data).toHaveLength(120);
  });
  it('encryptImages: block-wise, back to an image; a wrong-shaped output is a finding', () => {
    const img = { data: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8), count: 1, channels: 2, height: 2, width: 2 };
    // M = 1: each pixel's channels (c0, c1) swapped by the rotation with r = 1.
    expect(Array.from(encryptImages(ctxOf(rotation()), img, 1, { r: 1 }).data)).toEqual([5, 6, 7, 8, 1, 2, 3, 4]);
    expect(() => encryptImages(ctxOf(rotation({ encrypt: (b) => ({ ...b, data: b.data.slice(1) }) })), img, 1, { r: 1 })).toThrow('encrypt returned 7 values for an input of 8 (1×2×2 blocks of 2)');
  });
});

describe('mutants of the adaptability checks (Stryker, 2026-12-03)', () => {
  it('a path fast-check cannot replay is caught where the outcome is made (adaptable.ts:16-17, adapter.ts:65-66 NoCoverage BlockStatement/ObjectLiteral/BooleanLiteral/StringLiteral)', () => {
    const bad = ctxOf(rotation(), 5, { path: 'x:y' });
    expect(affinityAtOwnSize(bad, 5)).toEqual({ ok: false, message: 'the variant threw: Unable to replay, got invalid path=x:y' });
    const outcomes = adapterOutcomes(bad, 5);
    expect([...outcomes.entries()]).toEqual(['0.5/0.5', 'cifar', 'none'].map((n) => [n, { ok: false, message: 'the variant threw: Unable to replay, got invalid path=x:y' }]));
  });

  it('adaptable: its id in results and replay lines, keys from any seed (adaptable.ts:15 StringLiteral/BooleanLiteral, :28, :29 StringLiteral)', () => {
    const c = ctxOf(rotation({ encrypt: scaledPerBlock }), 10);
    const a = affinityAtOwnSize(c, 10);
    expect(a.replay?.command).toMatch(/^cipherpatch fuzz rotation --only adaptable --seed 1 --path "/);
    expect(checkAdaptable(c, a)).toMatchObject({ id: 'adaptable', title: 'an exact adapter exists (P = M = 1)', verdict: 'fail' });
    expect(checkAdaptable(ctxOf(rotation({ encrypt: squares }), 10), { ok: true })).toMatchObject({ id: 'adaptable', title: 'an exact adapter exists (P = M = 1)', verdict: 'fail' });
    const seeds = new Set<string>();
    affinityAtOwnSize(ctxOf(rotation({ generateKey: (_p, seed) => (seeds.add(seed!), { r: 0 }) }), 30), 30);
    expect([...seeds].some((s) => !/^pool-[0-7]$/.test(s))).toBe(true);
  });

  it('adapter: M = 2 blocks, its id in replay lines, a weight missing from the result, the embeddings drawn (adapter.ts:30 ArithmeticOperator, :34 StringLiteral, :42 StringLiteral, :43 ArithmeticOperator, :46 OptionalChaining)', () => {
    // M = 2, C = 1: p_b = 4 rows per output; the rotation adapter is exact under every normalization (one channel).
    const m2 = rotation({ params: { blockSize: 2, channels: 1 }, adapter: { ...rotation().adapter!, normalizations: 'any' } });
    const weights: number[][] = [];
    const images = new Set<string>();
    const spy = rotation({
      params: { blockSize: 2, channels: 1 },
      encrypt: (b, k) => (images.add(Array.from(b.data).join()), rotation().encrypt(b, k)),
      adapter: { normalizations: 'any', adapt: (e, k, n) => (weights.push(Array.from(e.weight)), rotation().adapter!.adapt(e, k, n)) },
    });
    expect(adapterOutcomes(ctxOf(m2), 5).get('cifar')).toEqual({ ok: true });
    adapterOutcomes(ctxOf(spy, 10), 10);
    // Weights uniform on the 2⁻¹⁹ grid of [−1, 1): d·4 values each, different per run, some negative.
    expect(weights.every((w) => w.length % 4 === 0 && w.every((x) => x >= -1 && x < 1 && Number.isInteger(x * 2 ** 19)))).toBe(true);
    expect(weights.flat().some((x) => x < 0)).toBe(true);
    // Different weights for one d: each run draws its own (seed weights/<n>).
    expect(new Set(weights.filter((w) => w.length === 4).map((w) => w.join())).size).toBeGreaterThan(1);
    expect(images.size).toBeGreaterThan(2);
    const any = rotation({ adapter: { ...rotation().adapter!, normalizations: 'any' } });
    expect(adapterOutcomes(ctxOf(any), 5).get('cifar')!.replay?.command).toMatch(/^cipherpatch fuzz rotation --only adapter --seed 1 --path "/);
    const noWeight = rotation({ adapter: { normalizations: ['none'], adapt: (e) => ({ bias: e.bias }) as never } });
    expect(adapterOutcomes(ctxOf(noWeight), 5).get('none')!.message).toBe('adapter.adapt returned a weight of undefined values, expected 2');
  });
});
