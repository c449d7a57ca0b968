/**
 * The plug-in contract: deliberately broken plug-ins get a clear report that
 * names what is wrong (never a stack trace), and the harness stops before
 * fuzzing them. Plus the block/patch plumbing the harness relies on.
 */
import { describe, expect, it } from 'vitest';
import { systemA } from './builtin/systemA.ts';
import { embed, fromBlocks, modelInput, toBlocks } from './blocks.ts';
import { type Variant, normalization } from './contract.ts';
import { fuzzVariant } from './harness.ts';
import { loadVariant } from './registry.ts';
import { formatReport } from './report.ts';
import { validateVariant, variantFromModule } from './validate.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url).pathname;

function checks(candidate: unknown): string[] {
  return validateVariant(candidate).problems.map((p) => `${p.check}: ${p.message}`);
}

/** A working variant to break one piece at a time. */
function good(): Variant<{ s: number }> {
  return {
    name: 'good',
    title: 'identity',
    params: { blockSize: 2, channels: 1 },
    domain: 'uint8',
    generateKey: () => ({ s: 1 }),
    serializeKey: (k) => JSON.stringify(k),
    parseKey: (t) => JSON.parse(t) as { s: number },
    encrypt: (b) => ({ ...b, data: Float64Array.from(b.data) }),
    decrypt: (b) => ({ ...b, data: Float64Array.from(b.data) }),
  };
}

describe('static contract checks', () => {
  it('a working plug-in passes', () => {
    expect(validateVariant(good())).toEqual({ ok: true, problems: [] });
    expect(validateVariant(systemA).ok).toBe(true);
  });

  it('not an object', () => {
    expect(checks(42)).toEqual(['contract.not-object: a variant must be an object, got a number']);
    expect(checks(null)[0]).toMatch(/contract\.not-object.*null/);
  });

  it('missing functions, bad name, bad domain: all named at once', () => {
    const { decrypt: _d, ...rest } = good();
    const problems = checks({ ...rest, name: 'My Variant', domain: 'float' });
    expect(problems).toEqual([
      expect.stringMatching(/^contract\.name: "name" must be .*"My Variant"/),
      expect.stringMatching(/^contract\.domain: "domain" must be one of uint8, unit, real .*"float"/),
      'contract.missing-function: decrypt is missing: a variant must define decrypt()',
    ]);
  });

  it('wrong types of params, adapter, key space', () => {
    const problems = checks({ ...good(), params: { blockSize: '4', channels: 3 }, encrypt: 'no', adapter: { normalizations: ['imagenet'], adapt: 1 }, keySpace: { formula: 42, size: 16 } });
    expect(problems).toEqual([
      expect.stringMatching(/^contract\.params: params\.blockSize must be a positive integer, got "4"/),
      'contract.missing-function: encrypt must be a function, got a string',
      'contract.adapter: adapter.adapt must be a function (embedding, key, normalization) => embedding',
      expect.stringMatching(/^contract\.adapter: adapter\.normalizations must be 'any' or a non-empty list .*\["imagenet"\]/),
      'contract.key-space: keySpace.formula must be a string (the formula in words)',
      'contract.key-space: keySpace.size must be a function (params) => bigint',
    ]);
  });

  it('a grid-bound variant must give its grid', () => {
    expect(checks({ ...good(), gridBound: true })).toEqual([
      expect.stringMatching(/contract\.params: a grid-bound variant needs params\.rows/),
      expect.stringMatching(/contract\.params: a grid-bound variant needs params\.cols/),
    ]);
  });
});

describe('behavioural contract checks (one smoke run)', () => {
  it('throwing on valid input names the call and the input', () => {
    const v = { ...good(), encrypt: () => { throw new TypeError("Cannot read properties of undefined (reading 'map')"); } };
    expect(checks(v)).toEqual([expect.stringMatching(/^contract\.throws: encrypt\(a batch of 1 image of 2×2 blocks \(M=2,C=1, uint8 values\), key\) threw on valid input: TypeError: Cannot read properties of undefined/)]);
    expect(checks({ ...good(), generateKey: () => { throw new Error('no entropy'); } })).toEqual([expect.stringMatching(/^contract\.throws: generateKey\(M=2,C=1, "contract-check"\) threw on valid input: no entropy/)]);
  });

  it('wrong output shape and type', () => {
    expect(checks({ ...good(), encrypt: (b: { data: Float64Array }) => ({ ...b, data: b.data.slice(0, 4) }) })).toEqual(['contract.wrong-shape: encrypt returned 4 values for an input of 16 (1×2×2 blocks of 4)']);
    expect(checks({ ...good(), encrypt: (b: { data: Float64Array }) => ({ ...b, data: Uint8Array.from(b.data) }) })).toEqual(['contract.wrong-type: encrypt returned data as a Uint8Array, expected a Float64Array']);
    expect(checks({ ...good(), encrypt: (b: object) => ({ ...b, rows: 1 }) })).toEqual(['contract.wrong-shape: encrypt returned rows = 1, the input had 2']);
    expect(checks({ ...good(), decrypt: () => undefined })).toEqual(['contract.wrong-type: decrypt returned undefined, expected a block batch { data, images, rows, cols, blockSize, channels }']);
    expect(checks({ ...good(), serializeKey: () => 7 })).toEqual(['contract.wrong-type: serializeKey returned a number, expected a string']);
    expect(checks({ ...good(), generateKey: () => undefined })).toEqual(['contract.wrong-type: generateKey(M=2,C=1, seed) returned undefined, expected a key']);
  });

  it('modifying the input batch', () => {
    const v = { ...good(), encrypt: (b: { data: Float64Array }) => (b.data.fill(0), { ...b, data: Float64Array.from(b.data) }) };
    expect(checks(v)).toEqual(['contract.mutates-input: encrypt modified its input batch: it must return a new batch and leave the input as it was']);
  });

  it('key space and adapter returning the wrong things', () => {
    expect(checks({ ...good(), keySpace: { formula: '4!', size: () => 24 } })).toEqual(['contract.wrong-type: keySpace.size returned a number, expected a positive bigint (e.g. 720n)']);
    const adapt = (e: { weight: Float64Array }) => ({ ...e, bias: new Float64Array(1) });
    expect(checks({ ...good(), adapter: { normalizations: 'any', adapt } })).toEqual(['contract.wrong-shape: adapter.adapt returned a bias of 1 values, expected a Float64Array of d = 2']);
  });

  it('its own params unsupported', () => {
    expect(checks({ ...good(), supports: () => 'p_b is odd' })).toEqual(['contract.unsupported-params: the variant does not support its own params (M=2,C=1): p_b is odd']);
  });

  it('the harness stops at a broken contract: every problem in the report, no fuzzing', () => {
    const report = fuzzVariant({ ...good(), encrypt: () => ({}) }, { runs: 5 });
    expect(report.checks).toEqual([expect.objectContaining({ id: 'contract', verdict: 'fail' })]);
    expect(report.contract).toEqual([{ check: 'contract.wrong-type', message: 'encrypt returned data as undefined, expected a Float64Array' }]);
    expect(formatReport(report)).toMatch(/does not satisfy the variant contract[\s\S]*\[contract\.wrong-type\] encrypt returned data as undefined/);
  });
});

describe('plug-in modules', () => {
  it('the export is default, `variant`, or the only variant-like export', () => {
    expect(variantFromModule({ default: 1, variant: 2 }).candidate).toBe(1);
    expect(variantFromModule({ variant: 2 }).candidate).toBe(2);
    expect(variantFromModule({ x: { encrypt: 1 }, y: 3 }).candidate).toEqual({ encrypt: 1 });
    expect(variantFromModule({ a: { encrypt: 1 }, b: { encrypt: 2 } }).problem?.message).toMatch(/several variant-like objects \(a, b\)/);
    expect(variantFromModule({ answer: 42 }).problem).toEqual({ check: 'contract.no-export', message: 'the module exports no variant: export default defineVariant({ ... }) (it exports answer)' });
  });

  it('broken fixture modules load and are reported, each for what is wrong', async () => {
    const report = async (name: string) => {
      const loaded = await loadVariant(fixture(name));
      return loaded.problem ? [`${loaded.problem.check}`] : validateVariant(loaded.candidate).problems.map((p) => p.check);
    };
    expect(await report('missing-decrypt')).toEqual(['contract.name', 'contract.domain', 'contract.missing-function']);
    expect(await report('throws-on-encrypt')).toEqual(['contract.throws']);
    expect(await report('wrong-shape')).toEqual(['contract.wrong-shape']);
    expect(await report('wrong-types')).toEqual(['contract.params', 'contract.missing-function', 'contract.adapter', 'contract.adapter', 'contract.key-space', 'contract.key-space']);
    expect(await report('no-export')).toEqual(['contract.no-export']);
    await expect(loadVariant(fixture('crashes-on-load'))).rejects.toMatchObject({ check: 'fuzz.module-load', message: expect.stringMatching(/cannot load .*crashes-on-load\.ts: config\.blockSize is missing/) });
    await expect(loadVariant(fixture('does-not-exist'))).rejects.toMatchObject({ check: 'fuzz.module-not-found' });
    await expect(loadVariant('sytem-a')).rejects.toMatchObject({ check: 'fuzz.unknown-variant', message: expect.stringMatching(/neither a built-in variant \(shuffle, flip, system-a/) });
  });
});

describe('blocks and patches', () => {
  const img = { data: Float64Array.from({ length: 2 * 3 * 4 * 8 }, (_, i) => i), count: 2, channels: 3, height: 4, width: 8 };

  it('toBlocks/fromBlocks round trip; a block is (c, i, j), blocks in raster order', () => {
    const b = toBlocks(img, 2);
    expect(b).toMatchObject({ images: 2, rows: 2, cols: 4, blockSize: 2, channels: 3 });
    expect(Array.from(b.data.slice(0, 12))).toEqual([0, 1, 8, 9, 32, 33, 40, 41, 64, 65, 72, 73]);
    expect(Array.from(b.data.slice(12, 14))).toEqual([2, 3]);
    expect(fromBlocks(b)).toEqual(img);
  });

  it('embed is x_p·E + b per patch; modelInput normalizes per channel', () => {
    const e = { dim: 1, channels: 3, patch: 4, weight: new Float64Array(48).fill(1), bias: Float64Array.of(0.5) };
    const z = embed({ ...img, count: 1, data: img.data.slice(0, 96) }, e);
    // Patch 0: rows 0..3, columns 0..3 of 3 channels: the sum of those values.
    let s = 0;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) s += c * 32 + y * 8 + x;
    expect(Array.from(z)).toEqual([s + 0.5, s + 48 * 4 + 0.5]);
    const n = normalization('cifar', 3);
    const m = modelInput({ ...img, count: 1, data: new Float64Array(96).fill(255) }, 'uint8', n);
    expect(m.data[0]).toBeCloseTo((1 - 0.4914) / 0.247, 12);
    expect(m.data[95]).toBeCloseTo((1 - 0.4465) / 0.2616, 12);
    expect(normalization('cifar', 4).mean[3]).toBe(0.4914);
  });
});
