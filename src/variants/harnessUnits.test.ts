/**
 * The fuzz harness (harness.ts) on the tiny rotation variant
 * (src/variants/fixtures/tiny.ts), in milliseconds: which checks --only
 * selects, the report header and summary, the runs each part gets, and the
 * key-space failure path. A fast stand-in for the whole-battery tests
 * (properties/variants.test.ts) in mutation runs; each test names the Stryker
 * mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { type RotKey, ctxOf, rotate, rotation } from './fixtures/tiny.ts';
import { DEFAULT_SEED, fuzzVariant, verdictOf } from './harness.ts';

const ids = (options: Parameters<typeof fuzzVariant>[1]) => fuzzVariant(rotation(), { runs: 4, blockSizes: [1], patchSizes: [1], ...options }).checks.map((c) => c.id);

describe('fuzzVariant', () => {
  it('runs every check in table order on the rotation, with its header and summary', () => {
    const r = fuzzVariant(rotation(), { runs: 4, blockSizes: [1, 2], patchSizes: [1] });
    expect(r.checks.map((c) => `${c.id} ${c.verdict}`)).toEqual([
      'contract pass',
      'shape pass',
      'domain pass',
      'storable pass',
      'invertible pass',
      'deterministic pass',
      'serialization pass',
      'key-sensitivity pass',
      'known-answer n/a',
      'equivalent-keys pass',
      'key-space pass',
      // The adapter claims 0.5/0.5 and none; CIFAR (not claimed) is reported only.
      'adapter pass',
      'adaptable pass',
      'norm:0.5/0.5 pass',
      'norm:cifar pass',
      'norm:none pass',
      'blocks:M=1:P=1 pass',
      // M = 2 moves values between 1×1 patches.
      'blocks:M=2:P=1 fail',
    ]);
    expect(r.checks[0]).toEqual({ id: 'contract', title: 'plug-in contract', verdict: 'pass', detail: 'all functions present, types and shapes right on a smoke run' });
    expect(r.checks.find((c) => c.id === 'adaptable')!.title).toBe('an exact adapter exists (P = M = 1)');
    expect(r.variant).toEqual({ name: 'rotation', title: 'cyclic rotation of each block', params: { blockSize: 1, channels: 2 }, domain: { input: 'uint8', output: 'uint8' }, gridBound: false, adapter: true });
    expect(r).toMatchObject({ source: 'rotation', seed: DEFAULT_SEED, runs: 4, contract: [] });
    expect(DEFAULT_SEED).toBe(20220723);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThan(60);
    // (1, 1) adaptable, (2, 1) not: the first rule that fits is "M divides P".
    expect(r.summary.blockVsPatch).toEqual({ rule: 'M divides P', pairs: [{ blockSize: 1, patchSize: 1, adaptable: true }, { blockSize: 2, patchSize: 1, adaptable: false }] });
    // log2 2 = 1; the 8 default tiny sizes.
    expect(r.summary.keySpace).toMatchObject({ formula: 'p_b', paper: '2', log2Paper: 1 });
    expect(r.summary.keySpace.tiny).toHaveLength(8);
    expect(r.summary.normalizations.map((n) => [n.name, n.exact, n.variantAdapterExact])).toEqual([
      ['0.5/0.5', true, true],
      ['cifar', true, false],
      ['none', true, true],
    ]);
    expect(verdictOf(r, 'blocks:M=2:P=1')).toBe('fail');
    expect(verdictOf(r, 'nothing')).toBeUndefined();
  });

  it('options: seed, source, invocation, grid-bound header; the default 100 runs', () => {
    const r = fuzzVariant(rotation({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 2, cols: 2 }, adapter: undefined }), { only: ['shape'], seed: 5, source: 'my.ts', invocation: 'my.ts' });
    expect(r).toMatchObject({ source: 'my.ts', seed: 5, runs: 100, variant: { gridBound: true, adapter: false, params: { blockSize: 1, channels: 2, rows: 2, cols: 2 } } });
    // Short output only for a one-block batch: the contract's smoke run (2×2 blocks) does not see it.
    const short = () => rotation({ encrypt: (b) => ({ ...b, data: b.data.length === 2 ? b.data.slice(1) : Float64Array.from(b.data) }) });
    const failing = fuzzVariant(short(), { only: ['shape'], runs: 30, seed: 5, invocation: 'my.ts' });
    expect(failing.checks[1].replay?.command).toMatch(/^cipherpatch fuzz my\.ts --only shape --seed 5 /);
    const named = fuzzVariant(short(), { only: ['shape'], runs: 30 });
    expect(named.checks[1].replay?.command).toMatch(/^cipherpatch fuzz rotation --only shape --seed 20220723 /);
    // Replaying its path gives the same counterexample.
    const again = fuzzVariant(short(), { only: ['shape'], runs: 30, path: named.checks[1].replay!.path });
    expect(again.checks[1].counterexample).toBe(named.checks[1].counterexample);
  });

  it('--only: ids and prefixes; every other check left out', () => {
    expect(ids({ only: ['shape', 'key-space'] })).toEqual(['contract', 'shape', 'key-space']);
    expect(ids({ only: ['equivalent-keys'] })).toEqual(['contract', 'equivalent-keys']);
    expect(ids({ only: ['norm'] })).toEqual(['contract', 'norm:0.5/0.5', 'norm:cifar', 'norm:none']);
    expect(ids({ only: ['norm:cifar'] })).toEqual(['contract', 'norm:cifar']);
    // The adapter and affinity outcomes that norm:cifar builds on are computed for it alone too.
    expect(fuzzVariant(rotation(), { runs: 4, only: ['norm:cifar'] }).checks[1]).toMatchObject({ verdict: 'pass', detail: expect.stringMatching(/the variant's adapter is NOT exact here$/) });
    expect(ids({ only: ['blocks'], blockSizes: [1, 2], patchSizes: [1, 2] })).toEqual(['contract', 'blocks:M=1:P=1', 'blocks:M=1:P=2', 'blocks:M=2:P=1', 'blocks:M=2:P=2']);
    expect(ids({ only: ['blocks:M=2'], blockSizes: [1, 2], patchSizes: [1, 2] })).toEqual(['contract', 'blocks:M=2:P=1', 'blocks:M=2:P=2']);
    expect(ids({ only: ['adapter', 'adaptable'] })).toEqual(['contract', 'adapter', 'adaptable']);
    // contract, 12 named checks, 3 normalizations, 1 block pair.
    expect(ids({ only: [] })).toHaveLength(17);
    // Without blocks options: the 16 default pairs.
    expect(fuzzVariant(rotation(), { runs: 2, only: ['blocks'] }).checks).toHaveLength(17);
  });

  it('--only with an unknown check names the ones there are', () => {
    expect(() => fuzzVariant(rotation(), { only: ['shap'] })).toThrow(
      'no check "shap": use contract, shape, domain, storable, invertible, deterministic, serialization, key-sensitivity, known-answer, equivalent-keys, key-space, adapter, adaptable, norm:0.5/0.5, norm:cifar, norm:none, blocks, blocks:M=<M>, blocks:M=<M>:P=<P>, norm',
    );
    expect(() => fuzzVariant(rotation(), { only: ['blocks:M=3'], blockSizes: [1] })).toThrow(/^no check "blocks:M=3"/);
    expect(ids({ only: ['blocks:M=1:P=1'] })).toEqual(['contract', 'blocks:M=1:P=1']);
    expect(() => fuzzVariant(rotation(), { only: ['norm:'] })).toThrow(/^no check "norm:"/);
  });

  it('the adapter and the affinity property run only when a check needs them', () => {
    let adapts = 0;
    let encrypts = 0;
    const v = () => rotation({ generateKey: () => ({ r: 0 }), encrypt: (b, k) => (encrypts++, rotation().encrypt(b, k)), adapter: { normalizations: ['none'], adapt: (e, k, n) => (adapts++, rotation().adapter!.adapt(e, k, n)) } });
    // One adapt call is the contract's smoke run.
    fuzzVariant(v(), { runs: 12, only: ['shape'] });
    expect(adapts).toBe(1);
    adapts = 0;
    fuzzVariant(v(), { runs: 12, only: ['norm:none'] });
    // The adapter under every normalization: 12 runs where claimed (none), max(5, ⌈12/4⌉) = 5 elsewhere.
    expect(adapts).toBe(1 + 12 + 5 + 5);
    adapts = 0;
    fuzzVariant(v(), { runs: 42, only: ['adapter'] });
    // ⌈42/4⌉ = 11.
    expect(adapts).toBe(1 + 42 + 11 + 11);
    encrypts = 0;
    fuzzVariant(v(), { runs: 12, only: ['key-space'] });
    const keySpaceOnly = encrypts;
    encrypts = 0;
    fuzzVariant(v(), { runs: 12, only: ['key-space', 'adaptable'] });
    const withAffinity = encrypts;
    encrypts = 0;
    fuzzVariant(v(), { runs: 12, only: ['key-space', 'norm:none'] });
    const withNorm = encrypts;
    // The affinity property: 12 runs for adaptable, 5 when only a norm check needs it (each run encrypts several images).
    expect(withAffinity).toBeGreaterThan(withNorm);
    expect(withNorm).toBeGreaterThan(keySpaceOnly + 5);
  });

  it('a key-space claim that throws fails key-space; a broken contract stops everything', () => {
    // Its own size (the contract's smoke run asks) is counted; the tiny ones throw.
    const v = rotation({ keySpace: { formula: 'n', enumerate: () => [], size: (p) => { if (p.channels === 2 && p.blockSize === 1) return 2n; throw new Error('no count'); } } });
    const r = fuzzVariant(v, { runs: 3, only: ['equivalent-keys', 'key-space'] });
    expect(r.checks.slice(1)).toEqual([{ id: 'key-space', title: 'claimed key space = brute force', verdict: 'fail', detail: 'the variant threw: no count' }]);
    expect(r.summary.keySpace).toEqual({ tiny: [] });
    const noClaim = fuzzVariant(rotation({ keySpace: { formula: 'n', size: () => 2n } }), { runs: 3, only: ['key-space'] });
    expect(noClaim.summary.keySpace).toEqual({ formula: 'n', paper: '2', log2Paper: 1, tiny: [] });
    expect(fuzzVariant(rotation({ keySpace: undefined }), { runs: 3, only: ['key-space'] }).summary.keySpace).toEqual({ tiny: [] });
    const broken = fuzzVariant({ name: 7, title: 8, gridBound: 'yes', adapter: null }, { runs: 3, seed: 9 });
    expect(broken.variant).toEqual({ name: '(unnamed)', title: '', params: { blockSize: 0, channels: 0 }, domain: { input: 'uint8', output: 'uint8' }, gridBound: false, adapter: true });
    expect(broken).toMatchObject({ source: '(unnamed)', seed: 9, runs: 3, summary: { normalizations: [], blockVsPatch: { rule: 'not run', pairs: [] }, keySpace: { tiny: [] } } });
    expect(broken.checks).toHaveLength(1);
    expect(broken.seconds).toBeGreaterThanOrEqual(0);
    expect(broken.seconds).toBeLessThan(60);
    expect(broken.checks[0].detail).toMatch(/^\[contract\.[a-z-]+\] .*; \[contract\./);
    expect(fuzzVariant(42).variant.name).toBe('(unnamed)');
    expect(fuzzVariant(null).variant.name).toBe('(unnamed)');
    expect(fuzzVariant(rotation(), { runs: 2, only: ['shape'] }).summary.blockVsPatch.rule).toBe('not run');
  });

  it('each basic check runs under guard: a variant that throws fails only that check', () => {
    const r = fuzzVariant(rotation({ keySpace: undefined, serializeKey: (k) => { if (k.r === 1) throw new Error('cannot write'); return JSON.stringify({ rot: k.r }); } }), { runs: 10, only: ['serialization', 'shape'] });
    expect(r.checks.map((c) => c.verdict)).toEqual(['pass', 'pass', 'fail']);
    expect(r.checks[2].detail).toBe('the variant threw on valid input: cannot write');
    expect(ctxOf(rotation()).limit).toBe(20000);
    expect(fuzzVariant(rotation({ keySpace: { ...rotation().keySpace!, tinyParams: [{ blockSize: 2, channels: 4 }] } }), { runs: 2, only: ['key-space'], enumerationLimit: 15 }).checks[1].verdict).toBe('n/a');
    expect(fuzzVariant(rotation({ keySpace: { ...rotation().keySpace!, tinyParams: [{ blockSize: 2, channels: 4 }] } }), { runs: 2, only: ['key-space'] }).checks[1].verdict).toBe('pass');
  });
});

describe('fuzzVariant: survivors of the first harness.ts runs (issue 25, session 4)', () => {
  // harness.ts:97–103: each basic check's id in BASIC → "" (only --only <id> and a crash's result read it).
  it('--only <id> selects each basic check by its own id', () => {
    for (const id of ['shape', 'domain', 'storable', 'invertible', 'deterministic', 'serialization', 'key-sensitivity', 'known-answer']) expect(ids({ only: [id] })).toEqual(['contract', id]);
  });

  // harness.ts:112: `typeof candidate === 'object' && candidate !== null` → `true && …`, `… || …`: a function has a name of its own.
  it('a candidate that is not an object is unnamed, even a named function with fields', () => {
    const f = Object.assign(function myVariant() {}, { title: 'a function', gridBound: true, adapter: {} });
    expect(fuzzVariant(f, { runs: 2 }).variant).toMatchObject({ name: '(unnamed)', title: '', gridBound: false, adapter: false });
    expect(fuzzVariant('text', { runs: 2 }).variant).toMatchObject({ name: '(unnamed)', adapter: false });
  });

  // harness.ts:132: the replay path passed on to the context (`options.path !== undefined ? … : {}` → always {}).
  it('a replay (--path) starts at the counterexample and ends there', () => {
    let encrypts = 0;
    const short = () => rotation({ encrypt: (b, k) => (encrypts++, { ...b, data: b.data.length === 2 ? b.data.slice(1) : rotation().encrypt(b, k).data }) });
    const first = fuzzVariant(short(), { only: ['shape'], runs: 30 });
    encrypts = 0;
    fuzzVariant(short(), { only: ['shape'], runs: 30, path: first.checks[1].replay!.path });
    // The contract's smoke run, then the one replayed case (no search, no shrinking).
    expect(encrypts).toBeLessThanOrEqual(3);
    encrypts = 0;
    fuzzVariant(short(), { only: ['shape'], runs: 30 });
    expect(encrypts).toBeGreaterThan(3);
  });

  // harness.ts:84 (`o === prefix` → false), :154 (`wants(options, 'norm')` → `wants(options, "")`): a norm check alone still gets the affinity outcome.
  it('--only norm or norm:<n> still runs the affinity property the verdict builds on', () => {
    // No adapter; encryption is the identity (least squares exact), but every key the affinity property draws throws:
    // only the contract's key and least squares' keys work. The norm check must fail with the affinity's message.
    const v = rotation({
      adapter: undefined,
      generateKey: (_p, seed) => ({ r: 0, seed }) as RotKey,
      encrypt: (b, k) => {
        const seed = (k as RotKey & { seed?: string }).seed ?? '';
        if (seed !== 'contract-check' && !seed.startsWith('least-squares/')) throw new Error('no affinity');
        return rotate(b, 0);
      },
    });
    const detail = 'no exact adapter: the variant threw on valid input: no affinity';
    for (const only of [['norm'], ['norm:none']]) {
      const r = fuzzVariant(v, { runs: 4, only });
      expect(r.checks.find((c) => c.id === 'norm:none')).toMatchObject({ verdict: 'fail', detail });
    }
  });

  // harness.ts:155: the adaptable check's id under guard (`'adaptable'` → `""`): least squares throws inside checkAdaptable.
  it('a variant that throws in the adaptable check fails it under its own id', () => {
    const v = rotation({
      generateKey: (_p, seed) => ({ r: 0, seed }) as RotKey,
      encrypt: (b, k) => {
        if (((k as RotKey & { seed?: string }).seed ?? '').startsWith('least-squares/')) throw new Error('no fit');
        return rotate(b, 0);
      },
    });
    expect(fuzzVariant(v, { runs: 3, only: ['adaptable'] }).checks[1]).toEqual({ id: 'adaptable', title: 'an exact adapter exists (P = M)', verdict: 'fail', detail: 'the variant threw: no fit' });
  });

  // harness.ts:90: the unknown check's code (`'fuzz.unknown-check'` → `""`).
  it('an unknown --only check is a fuzz.unknown-check error', () => {
    expect(rejection(() => fuzzVariant(rotation(), { only: ['nothing'] })).check).toBe('fuzz.unknown-check');
  });

  // harness.ts:128: seconds of a broken contract (`/ 1000` → `* 1000`): a smoke run that takes 50 ms.
  it('a broken contract still reports its seconds', () => {
    const slow = rotation({
      encrypt: () => {
        const until = Date.now() + 50;
        while (Date.now() < until);
        return {} as never;
      },
    });
    const r = fuzzVariant(slow, { runs: 2 });
    expect(r.checks.map((c) => c.verdict)).toEqual(['fail']);
    expect(r.seconds).toBeGreaterThanOrEqual(0.05);
    expect(r.seconds).toBeLessThan(60);
  });

  // harness.ts:137 (`selected(equivalent-keys) || selected(key-space)` → true), :154 (the affinity guard → true):
  // with --only shape, nothing but the contract's smoke run and the shape property encrypts.
  it('--only shape: no key-space count, no affinity property', () => {
    let encrypts = 0;
    let sizes = 0;
    const v = rotation({
      encrypt: (b, k) => (encrypts++, rotate(b, k.r)),
      keySpace: { formula: 'p_b', size: (p) => (sizes++, BigInt(p.channels * p.blockSize ** 2)), enumerate: rotation().keySpace!.enumerate },
    });
    const r = fuzzVariant(v, { runs: 30, only: ['shape'] });
    expect(r.checks.map((c) => c.id)).toEqual(['contract', 'shape']);
    // One encryption in the smoke run, one per shape run.
    expect(encrypts).toBe(1 + 30);
    const smokeSizes = sizes;
    sizes = 0;
    fuzzVariant(v, { runs: 30, only: ['key-space'] });
    expect(sizes).toBeGreaterThan(smokeSizes);
    // A key-space count that throws is not even reached.
    const throwing = rotation({ keySpace: { formula: 'n', enumerate: () => [], size: (p) => { if (p.channels === 2 && p.blockSize === 1) return 2n; throw new Error('no count'); } } });
    expect(fuzzVariant(throwing, { runs: 3, only: ['shape'] }).checks.map((c) => c.id)).toEqual(['contract', 'shape']);
  });

  // harness.ts:142: the paper's count only when there is one (`k.paper !== undefined` → true adds undefined fields).
  it('the key-space summary has no paper fields without a claim', () => {
    const r = fuzzVariant(rotation({ keySpace: undefined }), { runs: 3, only: ['key-space'] });
    expect(Object.keys(r.summary.keySpace)).toEqual(['tiny']);
  });
});

