/**
 * Accuracy with the right key and wrong keys (src/variants/accuracy.ts and
 * `cipherpatch fuzz --model`): on a small random ConvMixer (patch 4, d 8,
 * depth 1) and the committed CIFAR-10 sample, an exact adapter gives exactly
 * the plain predictions, a wrong adapter does not, and misfits are errors.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cipherpatch } from '../../properties/cliRunner.ts';
import { CipherpatchError } from '../core/errors.ts';
import { imageBatch } from '../core/images.ts';
import { createEngine } from '../engine/factory.ts';
import { parseCifarRecords } from '../io/cifar10.ts';
import { writeConvMixerFile } from '../io/modelFile.ts';
import { type ConvMixerConfig, type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import { type AccuracyApplied, type AccuracyOptions, type AccuracyReport, checkVariantFitsModel, formatAccuracy, measureAccuracy, normalizedFrom } from './accuracy.ts';
import type { ModelAdapter, Variant } from './contract.ts';
import { loadBuiltin } from './registry.ts';

const root = new URL('../../', import.meta.url).pathname;
const SAMPLE = join(root, 'golden/data/test_batch_first1000.bin');
const LIMIT = 100;
const CONFIG: ConvMixerConfig = { dim: 8, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 };
const weights = randomConvMixerWeights(CONFIG, 'accuracy-test');

const records = parseCifarRecords(readFileSync(SAMPLE), SAMPLE);
const size = 3 * 32 * 32;
const images = imageBatch(records.images.data.slice(0, LIMIT * size), { ...records.images.shape, count: LIMIT }, records.images.layout);
const labels = records.labels.slice(0, LIMIT);

const engine = (w: ConvMixerWeights) => createEngine(w, undefined, { engine: 'auto', threads: 1 });

async function measure(name: string, extra: Partial<AccuracyOptions> = {}): Promise<AccuracyReport> {
  const variant = await loadBuiltin(name);
  return measureAccuracy({ variant, weights, images, labels, createEngine: engine, wrongKeys: 2, ...extra });
}

function applied(r: AccuracyReport): AccuracyApplied {
  if (!r.applicable) throw new Error(`not applicable: ${r.reason}`);
  return r;
}

/** Leaves the patch embedding as it is: the wrong adapter for any key-dependent transform. */
const identityAdapter: ModelAdapter<unknown> = { normalizations: 'any', adapt: (e) => e };

describe('accuracy with the right key and wrong keys (library)', () => {
  it.each([
    ['system-a', 'variant'],
    ['negpos', 'least-squares'],
    ['orthogonal', 'variant'],
  ] as const)('%s: the right key gives exactly the plain predictions (adapter: %s)', async (name, source) => {
    const r = applied(await measure(name));
    expect(r.images).toBe(LIMIT);
    expect(r.adapter.source).toBe(source);
    expect(r.rightKey.differFromPlain).toBe(0);
    expect(r.rightKey.correct).toBe(r.plain.correct);
    expect(r.rightKey.maxLogitDifference).toBeLessThan(1e-4);
    expect(r.wrongKeys.count).toBe(2);
    expect(r.wrongKeys.accuracies).toHaveLength(2);
    expect(new Set(r.wrongKeys.seeds).size).toBe(2);
    expect(r.wrongKeys.summary!.min).toBeLessThanOrEqual(r.wrongKeys.summary!.max);
    expect(r.engine.name).toMatch(/onnx|tfjs/);
    const text = formatAccuracy(r).join('\n');
    expect(text).toContain(`(0 of ${LIMIT} predictions differ from plain`);
    expect(text).toMatch(/2 wrong keys\s+min [\d.]+ %, median [\d.]+ %, max [\d.]+ %/);
  });

  it.each(['system-a', 'negpos', 'orthogonal'])('%s: a wrong adapter (identity) changes predictions', async (name) => {
    const r = applied(await measure(name, { adapter: identityAdapter, wrongKeys: 0 }));
    expect(r.adapter.source).toBe('given');
    expect(r.rightKey.differFromPlain).toBeGreaterThan(0);
    expect(r.wrongKeys.summary).toBeNull();
  });

  it('the same key seed gives the same keys and numbers', async () => {
    const a = applied(await measure('system-a', { keySeed: 's1' }));
    const b = applied(await measure('system-a', { keySeed: 's1' }));
    expect(b.wrongKeys.accuracies).toEqual(a.wrongKeys.accuracies);
    expect(b.wrongKeys.seeds).toEqual(['s1/wrong/0', 's1/wrong/1']);
  });

  it('a variant without an adapter and not affine: not applicable, no engine started', async () => {
    let engines = 0;
    const r = await measure('ffx', {
      createEngine: (w) => {
        engines++;
        return engine(w);
      },
    });
    expect(r.applicable).toBe(false);
    expect(!r.applicable && r.reason).toMatch(/^no adapter \(least squares finds no exact affine adapter: residual/);
    expect(formatAccuracy(r)).toEqual([expect.stringMatching(/not applicable: no adapter/)]);
    expect(engines).toBe(0);
  });

  it('a least-squares adapter exact on the random fitting images but not on the evaluated ones: not applicable, no engine started', async () => {
    // negpos, except that batches of more than 2 images (the evaluated ones, not the fitting ones) are squared: not affine there.
    const negpos = (await loadBuiltin('negpos')) as Variant<unknown>;
    const variant: Variant<unknown> = {
      ...negpos,
      encrypt: (batch, key) => {
        const e = negpos.encrypt(batch, key);
        return batch.images > 2 ? { ...e, data: e.data.map((x) => x * x) } : e;
      },
    };
    let engines = 0;
    const r = await measureAccuracy({ variant, weights, images, labels, createEngine: (w) => (engines++, engine(w)), wrongKeys: 2 });
    expect(!r.applicable && r.reason).toMatch(/^no adapter \(the least-squares adapter fitted on random images is not exact on these images: residual /);
    expect(engines).toBe(0);
  });

  it('misfits are clear errors: block size ≠ patch size, channels, a grid that does not cover the images', async () => {
    const systemA = await loadBuiltin('system-a');
    const patch2 = randomConvMixerWeights({ ...CONFIG, patch: 2 }, 'p2');
    await expect(measureAccuracy({ variant: systemA, weights: patch2, images, labels, createEngine: engine })).rejects.toThrow(
      /variant system-a \(params M=4,C=3\) has block size 4, the model's patch size is 2/,
    );
    expect(() => checkVariantFitsModel(systemA, { ...CONFIG, channels: 1 })).toThrow(/has 3 channels, the model takes 1/);
    const scramble = await loadBuiltin('block-scramble');
    expect(() => checkVariantFitsModel(scramble, CONFIG, { height: 16, width: 16, channels: 3 })).toThrow(/grid-bound to 8×8 blocks, the 16×16 images have 4×4/);
    const thrown = (() => {
      try {
        checkVariantFitsModel(systemA, patch2.config);
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(CipherpatchError);
    expect((thrown as CipherpatchError).check).toBe('fuzz.model-mismatch');
  });

  it('the model input of each domain: 8-bit v maps to (2v − 255)/255 from every domain', () => {
    for (const v of [0, 1, 127, 128, 254, 255]) {
      const want = (2 * v - 255) / 255;
      expect(normalizedFrom(v, 'uint8')).toBe(want);
      expect(normalizedFrom(v / 255, 'unit')).toBeCloseTo(want, 14);
      expect(normalizedFrom(want, 'real')).toBe(want);
    }
  });

  it('a user variant that breaks its output domain or crashes is named (a CipherpatchError, no stack trace)', async () => {
    const systemA = (await loadBuiltin('system-a')) as Variant<unknown>;
    const liar: Variant<unknown> = { ...systemA, name: 'liar', encrypt: (b, k) => ({ ...systemA.encrypt(b, k), data: systemA.encrypt(b, k).data.map((x) => x + 0.5) }) };
    await expect(measureAccuracy({ variant: liar, weights, images, labels, createEngine: engine })).rejects.toThrow(/liar: encrypted value 0 is [\d.]+, not in its output domain "uint8"/);
    const crashes: Variant<unknown> = { ...systemA, name: 'crashes', adapter: { normalizations: 'any', adapt: () => (undefined as unknown as { x: number }).x as never } };
    await expect(measureAccuracy({ variant: crashes, weights, images, labels, createEngine: engine })).rejects.toThrow(/^crashes: adapter\.adapt threw: TypeError: Cannot read properties of undefined/);
  });
});

describe('cipherpatch fuzz --model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-accuracy-'));
  const data = join(dir, 'cifar');
  mkdirSync(data);
  copyFileSync(SAMPLE, join(data, 'test_batch.bin'));
  const model = join(dir, 'model.safetensors');
  writeConvMixerFile(model, weights, { 'cipherpatch.model': 'accuracy test' });
  const model2 = join(dir, 'model-p2.safetensors');
  writeConvMixerFile(model2, randomConvMixerWeights({ ...CONFIG, patch: 2 }, 'p2'), {});

  it('prints the accuracy block after the verdict table and writes it into --json', async () => {
    const json = join(dir, 'report.json');
    const r = await cipherpatch('fuzz', 'system-a', '--runs', '5', '--model', model, '--data', data, '--wrong-keys', '2', '--images', '50', '--json', json);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/adapter\s+pass\s+exact under 0\.5\/0\.5/);
    expect(r.stdout).toMatch(/accuracy on the model: 50 test images, normalization 0\.5\/0\.5, key seed "fuzz", engine (onnx|tfjs)/);
    expect(r.stdout).toMatch(/plain model, plain images\s+\d+\.\d\d %/);
    expect(r.stdout).toMatch(/adapted model, right key\s+\d+\.\d\d %\s+\(0 of 50 predictions differ from plain/);
    expect(r.stdout).toMatch(/adapted model, 2 wrong keys\s+min/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.checks.length).toBeGreaterThan(10);
    expect(report.accuracy).toMatchObject({ applicable: true, model, data, images: 50, keySeed: 'fuzz', adapter: { source: 'variant' }, rightKey: { differFromPlain: 0 }, wrongKeys: { count: 2 } });
    expect(report.accuracy.plain.accuracy).toBe(report.accuracy.rightKey.accuracy);
  });

  it('errors: a patch-size mismatch (before the battery runs); --images without --model', async () => {
    const r = await cipherpatch('fuzz', 'system-a', '--model', model2, '--data', data, '--images', '10');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cipherpatch: error \[fuzz\.model-mismatch\]: variant system-a \(params M=4,C=3\) has block size 4, the model's patch size is 2: .*block size must equal the patch size/);
    expect(r.stdout).toBe('');
    const stray = await cipherpatch('fuzz', 'system-a', '--images', '10', '--wrong-keys', '1');
    expect(stray.code).toBe(1);
    expect(stray.stderr).toMatch(/error \[fuzz\.model-options\]: --images, --wrong-keys only apply with --model <file>/);
  });

  it('a variant without an adapter: the accuracy line says not applicable', async () => {
    const r = await cipherpatch('fuzz', 'ffx', '--only', 'contract', '--model', model, '--data', data, '--images', '20', '--wrong-keys', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/accuracy on the model \(20 test images\): not applicable: no adapter \(least squares finds no exact affine adapter: residual [\d.e+-]+ on \d+ random patches\)/);
  });
});
