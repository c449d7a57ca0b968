/**
 * The plug-in contract's validator (validate.ts), message by message, beside
 * src/variants/contract.test.ts: each broken piece of the tiny rotation
 * variant (src/variants/fixtures/tiny.ts) and the one problem it must raise,
 * the smoke run's inputs, and describeError. Each test names the Stryker
 * mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { rotation } from './fixtures/tiny.ts';
import { batchProblems, describeError, smokeBatch, smokeParams, validateVariant, variantFromModule } from './validate.ts';

const problems = (candidate: unknown) => validateVariant(candidate).problems.map((p) => `${p.check}: ${p.message}`);
const broken = (over: Record<string, unknown>) => problems({ ...rotation(), ...over });

describe('static problems', () => {
  it('the rotation passes', () => {
    expect(validateVariant(rotation())).toEqual({ ok: true, problems: [] });
  });

  it('name, title, params, gridBound, domain', () => {
    expect(broken({ name: 'a-1' })).toEqual([]);
    expect(broken({ name: '-a' })).toEqual(['contract.name: "name" must be a string of lower-case letters, digits and dashes, got "-a"']);
    expect(broken({ name: 'ab_c' })).toEqual(['contract.name: "name" must be a string of lower-case letters, digits and dashes, got "ab_c"']);
    expect(broken({ name: 'x\nabc' })).toHaveLength(1);
    expect(broken({ name: 'abc\n' })).toHaveLength(1);
    expect(broken({ name: undefined })).toEqual(['contract.name: "name" must be a string of lower-case letters, digits and dashes, got undefined']);
    expect(broken({ title: '' })).toEqual(['contract.title: "title" must be a non-empty string (one line: what the variant is)']);
    expect(broken({ title: 5 })).toHaveLength(1);
    expect(broken({ params: null })).toEqual(['contract.params: "params" must be an object { blockSize, channels }, got null']);
    expect(broken({ params: 'M=4' })).toEqual(['contract.params: "params" must be an object { blockSize, channels }, got a string']);
    expect(broken({ params: { blockSize: 1, channels: 0 } })).toEqual(['contract.params: params.channels must be a positive integer, got 0']);
    expect(broken({ params: { blockSize: 1.5, channels: 2 } })).toEqual(['contract.params: params.blockSize must be a positive integer, got 1.5']);
    expect(broken({ params: { channels: 2 } })).toEqual(['contract.params: params.blockSize must be a positive integer, got undefined']);
    expect(broken({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 2 } })).toEqual(['contract.params: a grid-bound variant needs params.cols (blocks per row), got undefined']);
    expect(broken({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 0, cols: 2 } })).toEqual(['contract.params: a grid-bound variant needs params.rows (blocks per column), got 0']);
    expect(broken({ gridBound: 1 })).toEqual(['contract.params: "gridBound" must be true or false, got a number']);
    expect(broken({ gridBound: false })).toEqual([]);
    expect(broken({ domain: { input: 'uint8', output: 'real' } })).toEqual([]);
    const domain = (d: unknown) => `contract.domain: "domain" must be one of uint8, unit, real or { input, output } of them, got ${JSON.stringify(d) ?? 'undefined'}`;
    for (const d of [{ input: 'uint8' }, { output: 'unit', input: 'u8' }, null, undefined]) expect(broken({ domain: d })).toEqual([domain(d)]);
  });

  it('functions, supports, adapter, key space', () => {
    expect(broken({ parseKey: undefined })).toEqual(['contract.missing-function: parseKey is missing: a variant must define parseKey()']);
    expect(broken({ generateKey: null })).toEqual(['contract.missing-function: generateKey must be a function, got null']);
    expect(broken({ supports: 'always' })).toEqual(['contract.missing-function: supports must be a function (params) => reason | undefined, got a string']);
    expect(broken({ adapter: null })).toEqual(['contract.adapter: "adapter" must be an object { normalizations, adapt }, got null']);
    expect(broken({ adapter: 3 })).toEqual(['contract.adapter: "adapter" must be an object { normalizations, adapt }, got a number']);
    const adapt = rotation().adapter!.adapt;
    const norms = (n: unknown) => `contract.adapter: adapter.normalizations must be 'any' or a non-empty list of 0.5/0.5, cifar, none, got ${JSON.stringify(n) ?? 'undefined'}`;
    for (const n of [[], 'all', ['none', 'imagenet'], undefined]) expect(broken({ adapter: { adapt, normalizations: n } })).toEqual([norms(n)]);
    expect(broken({ adapter: { adapt, normalizations: 'any' } })).toEqual([]);
    expect(broken({ keySpace: 'big' })).toEqual(['contract.key-space: "keySpace" must be an object { formula, size, enumerate? }, got a string']);
    expect(broken({ keySpace: null })).toEqual(['contract.key-space: "keySpace" must be an object { formula, size, enumerate? }, got null']);
    const ks = rotation().keySpace!;
    expect(broken({ keySpace: { ...ks, enumerate: [] } })).toEqual(['contract.key-space: keySpace.enumerate must be a function (params) => iterable of keys']);
    const tiny = 'contract.key-space: keySpace.tinyParams must be a list of { blockSize, channels, rows?, cols? }';
    for (const t of [{ blockSize: 1, channels: 1 }, [null], [{ blockSize: 1 }], [{ blockSize: 0, channels: 1 }], [{ blockSize: 1, channels: 1 }, 7]]) expect(broken({ keySpace: { ...ks, tinyParams: t } })).toEqual([tiny]);
    expect(broken({ keySpace: { ...ks, tinyParams: [{ blockSize: 1, channels: 1 }] } })).toEqual([]);
  });
});

describe('the smoke run', () => {
  it('smokeParams: the own params, a grid of at most 2×2 for grid-bound variants', () => {
    expect(smokeParams(rotation())).toEqual({ blockSize: 1, channels: 2 });
    expect(smokeParams(rotation({ gridBound: true, params: { blockSize: 2, channels: 1, rows: 8, cols: 1 } }))).toEqual({ blockSize: 2, channels: 1, rows: 2, cols: 1 });
    expect(smokeParams(rotation({ gridBound: true, params: { blockSize: 2, channels: 1 } }))).toEqual({ blockSize: 2, channels: 1, rows: 2, cols: 2 });
  });

  it('smokeBatch: (37·i + 11) mod 256 as values of the domain, 2×2 blocks or the grid', () => {
    const b = smokeBatch({ blockSize: 1, channels: 2 }, 'uint8');
    expect(b).toEqual({ data: Float64Array.of(11, 48, 85, 122, 159, 196, 233, 14), images: 1, rows: 2, cols: 2, blockSize: 1, channels: 2 });
    expect(Array.from(smokeBatch({ blockSize: 1, channels: 1, rows: 1, cols: 2 }, 'unit').data)).toEqual([11 / 255, 48 / 255]);
    expect(smokeBatch({ blockSize: 2, channels: 1, rows: 3, cols: 1 }, 'uint8')).toMatchObject({ rows: 3, cols: 1 });
  });

  it('each call that throws is named with its input', () => {
    const boom = () => {
      throw new Error('boom');
    };
    expect(broken({ supports: boom })).toEqual(['contract.throws: supports(M=1,C=2) threw on valid input: boom']);
    expect(broken({ generateKey: (_p: unknown, seed?: string) => (seed === undefined ? boom() : { r: 0 }) })).toEqual(['contract.throws: generateKey(M=1,C=2) (secure, no seed) threw on valid input: boom']);
    expect(broken({ serializeKey: boom })).toEqual(['contract.throws: serializeKey(key) threw on valid input: boom']);
    expect(broken({ parseKey: boom })).toEqual(['contract.throws: parseKey(serializeKey(key)) threw on valid input: boom']);
    expect(broken({ decrypt: boom })).toEqual(['contract.throws: decrypt(encrypt(a batch of 1 image of 2×2 blocks (M=1,C=2, uint8 values)), key) (uint8 values) threw on valid input: boom']);
    expect(broken({ domain: { input: 'unit', output: 'real' }, decrypt: boom })).toEqual(['contract.throws: decrypt(encrypt(a batch of 1 image of 2×2 blocks (M=1,C=2, unit values)), key) (real values) threw on valid input: boom']);
    expect(broken({ keySpace: { ...rotation().keySpace!, size: boom } })).toEqual(['contract.throws: keySpace.size(M=1,C=2) threw on valid input: boom']);
    expect(broken({ adapter: { normalizations: ['none', 'cifar'], adapt: boom } })).toEqual(['contract.throws: adapter.adapt(embedding d=2 P=1 C=2, key, none) threw on valid input: boom']);
    expect(broken({ adapter: { normalizations: 'any', adapt: boom } })).toEqual(['contract.throws: adapter.adapt(embedding d=2 P=1 C=2, key, 0.5/0.5) threw on valid input: boom']);
  });

  it('supports: any non-empty reason is unsupported', () => {
    expect(broken({ supports: () => '' })).toEqual([]);
    expect(broken({ supports: () => null })).toEqual([]);
    expect(broken({ supports: () => 0 })).toEqual(['contract.unsupported-params: the variant does not support its own params (M=1,C=2): 0']);
    const asked: unknown[] = [];
    broken({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 5, cols: 5 }, supports: (p: unknown) => (asked.push(p), undefined) });
    expect(asked).toEqual([{ blockSize: 1, channels: 2, rows: 2, cols: 2 }]);
  });

  it('keys, texts and outputs of the wrong kind', () => {
    expect(broken({ generateKey: () => null })).toEqual(['contract.wrong-type: generateKey(M=1,C=2, seed) returned null, expected a key']);
    // 0 is a key (only null and undefined are not); the rotation cannot write it, which parseKey then says.
    expect(broken({ generateKey: () => 0 })).toEqual(['contract.throws: parseKey(serializeKey(key)) threw on valid input: not a rotation key']);
    const seeds: unknown[] = [];
    broken({ generateKey: (_p: unknown, s?: string) => (seeds.push(s), { r: 0 }) });
    expect(seeds).toEqual(['contract-check', undefined]);
    // serializeKey's type is checked once; parseKey is not called on a non-string.
    let parsed = 0;
    expect(broken({ serializeKey: () => ['k'], parseKey: () => (parsed++, { r: 0 }) })).toEqual(['contract.wrong-type: serializeKey returned an array, expected a string']);
    expect(parsed).toBe(0);
    expect(broken({ encrypt: () => null })).toEqual(['contract.wrong-type: encrypt returned null, expected a block batch { data, images, rows, cols, blockSize, channels }']);
    expect(broken({ encrypt: (b: object) => ({ ...b, blockSize: 2, channels: 1 }) })).toEqual(['contract.wrong-shape: encrypt returned blockSize = 2, the input had 1', 'contract.wrong-shape: encrypt returned channels = 1, the input had 2']);
    // A wrong encrypt output is not decrypted.
    let decrypted = 0;
    broken({ encrypt: (b: object) => ({ ...b, images: 2 }), decrypt: (b: object) => (decrypted++, b) });
    expect(decrypted).toBe(0);
    expect(broken({ decrypt: (b: { data: Float64Array }) => ({ ...b, cols: 9 }) })).toEqual(['contract.wrong-shape: decrypt returned cols = 9, the input had 2']);
    expect(broken({ keySpace: { ...rotation().keySpace!, size: () => 0n } })).toEqual(['contract.wrong-type: keySpace.size returned 0, expected a positive bigint (e.g. 720n)']);
    expect(broken({ keySpace: { ...rotation().keySpace!, size: () => 1n } })).toEqual([]);
    expect(broken({ keySpace: { ...rotation().keySpace!, size: () => '2' } })).toEqual(['contract.wrong-type: keySpace.size returned a string, expected a positive bigint (e.g. 720n)']);
    const adapter = (out: unknown) => broken({ adapter: { normalizations: 'any', adapt: () => out } });
    expect(adapter(null)).toEqual(['contract.wrong-type: adapter.adapt returned null, expected { dim, channels, patch, weight, bias }']);
    expect(adapter('E')).toEqual(['contract.wrong-type: adapter.adapt returned a string, expected { dim, channels, patch, weight, bias }']);
    expect(adapter({ weight: [1, 2, 3, 4], bias: new Float32Array(2) })).toEqual([
      'contract.wrong-shape: adapter.adapt returned a weight of an array, expected a Float64Array of d·C·P·P = 4',
      'contract.wrong-shape: adapter.adapt returned a bias of a Float32Array, expected a Float64Array of d = 2',
    ]);
    expect(adapter({ weight: new Float64Array(5), bias: new Float64Array(2) })).toEqual(['contract.wrong-shape: adapter.adapt returned a weight of 5 values, expected a Float64Array of d·C·P·P = 4']);
    expect(adapter({ weight: new Float64Array(4), bias: new Float64Array(2) })).toEqual([]);
  });

  it('the embedding handed to adapt: d = 2, P = M, C, weights ((7i) mod 5) − 2, bias ±0.5, under the first claimed normalization', () => {
    const seen: unknown[] = [];
    broken({ adapter: { normalizations: ['cifar'], adapt: (e: { weight: Float64Array }, _k: unknown, n: unknown) => (seen.push(e, n), e) } });
    expect(seen[0]).toEqual({ dim: 2, channels: 2, patch: 1, weight: Float64Array.of(-2, 0, 2, -1), bias: Float64Array.of(0.5, -0.5) });
    expect(seen[1]).toMatchObject({ name: 'cifar', mean: [0.4914, 0.4822] });
  });

  it('batchProblems: every field that differs, then the length', () => {
    const like = { data: new Float64Array(8), images: 1, rows: 2, cols: 2, blockSize: 1, channels: 2 };
    expect(batchProblems({ ...like }, like, 'x')).toEqual([]);
    expect(batchProblems({ ...like, images: 2, rows: 1, data: new Float64Array(3) }, like, 'x').map((p) => p.message)).toEqual(['x returned images = 2, the input had 1', 'x returned rows = 1, the input had 2', 'x returned 3 values for an input of 8 (1×2×2 blocks of 2)']);
    expect(batchProblems(undefined, like, 'x')).toEqual([{ check: 'contract.wrong-type', message: 'x returned undefined, expected a block batch { data, images, rows, cols, blockSize, channels }' }]);
    expect(batchProblems({ data: {} }, like, 'x')[0].message).toBe('x returned data as an object, expected a Float64Array');
  });
});

describe('describeError and modules', () => {
  it('an Error by its message, other names first; anything else as a string', () => {
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError(new RangeError('too far'))).toBe('RangeError: too far');
    expect(describeError(new CipherpatchError('x.y', 'bad'))).toBe('CipherpatchError: bad');
    expect(describeError('text')).toBe('text');
    expect(describeError(undefined)).toBe('undefined');
  });
  it('a module with no exports', () => {
    expect(variantFromModule({}).problem?.message).toBe('the module exports no variant: export default defineVariant({ ... }) (it exports nothing)');
    expect(variantFromModule({ a: null, b: { encrypt: 1 } }).candidate).toEqual({ encrypt: 1 });
    expect(variantFromModule({ default: undefined, a: 'encrypt' }).problem?.message).toBe('the module exports no variant: export default defineVariant({ ... }) (it exports default, a)');
  });
});
