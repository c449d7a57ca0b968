import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { generateKey } from '../core/keygen.ts';
import { serializeKey } from '../core/keyJson.ts';
import { createEngine } from '../engine/factory.ts';
import { sliceImages } from '../core/images.ts';
import { parseCifarRecords } from '../io/cifar10.ts';
import { writeConvMixerFile } from '../io/modelFile.ts';
import { type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import { recoverKeyFromLeakedModel } from './leakedModel.ts';
import { partialKeyAttack } from './partialKey.ts';
import { randomKeyAttack } from './randomKey.ts';
import { attackReportFiles } from '../report/securityReport.ts';
import { type AttackEffort, imagesNeeded, runAttackReport } from './securityReport.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataFile = join(root, 'golden/data/test_batch_first1000.bin');
const cifar = parseCifarRecords(readFileSync(dataFile));
// A tiny ConvMixer (d = 16, one layer): the report's structure, not its numbers, is under test here.
const config = { dim: 16, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 };
const tiny = randomConvMixerWeights(config, 'report-tiny');
const other = randomConvMixerWeights(config, 'report-other');
const key = generateKey({ blockSize: 4, channels: 3, seed: 'report-key' });
const engine = (w: ConvMixerWeights) => createEngine(w, undefined, { engine: 'auto', threads: 2 });
const effort: Partial<AttackEffort> = {
  images: 40,
  randomKeys: 3,
  distances: [1, 24],
  trials: 1,
  greedyImages: 10,
  greedySteps: 4,
  knownPlaintextImages: 5,
  noise: [0, 4],
  noiseTrials: 1,
  ciphertextImages: [2, 20],
  reference: 30,
  restarts: 2,
};

describe('attack report (library)', () => {
  it('has every attack, the paper\'s claims, plots, and numbers equal to direct library calls', async () => {
    const n = imagesNeeded(effort);
    expect(n).toBe(40 + 30 + 10);
    const images = sliceImages(cifar.images, 0, n);
    const labels = cifar.labels.subarray(0, n);
    const r = await runAttackReport({ weights: tiny, key, images, labels, createEngine: engine, effort, seed: 's', secondModel: { label: 'other init', weights: other } });
    expect(Object.keys(r.attacks).sort()).toEqual(['ciphertextOnly', 'greedy', 'knownPlaintext', 'leakedModel', 'partialKey', 'randomKey']);
    // The random-key numbers are randomKeyAttack's, on the evaluation images with the report's seed.
    const direct = await randomKeyAttack({ weights: tiny, key, images: sliceImages(images, 0, 40), labels: labels.subarray(0, 40), createEngine: engine, keys: 3, seed: 's/random-key' });
    expect(r.attacks.randomKey.tries.map((t) => t.accuracy)).toEqual(direct.tries.map((t) => t.accuracy));
    expect(r.baseline.rightKey).toBe(direct.rightKey);
    const pk = await partialKeyAttack({ weights: tiny, key, images: sliceImages(images, 0, 40), labels: labels.subarray(0, 40), createEngine: engine, distances: [1, 24], trials: 1, seed: 's/partial-key' });
    expect(r.attacks.partialKey.swapDistance.map((p) => p.mean)).toEqual(pk.swapDistance.map((p) => p.mean));
    // Leaked model: the exact model gives the whole key; the second model's fraction is the direct call's.
    expect(r.attacks.leakedModel.noise[0].meanFraction).toBe(1);
    const emb = (w: ConvMixerWeights) => ({ data: w.embedWeight, dim: 16, blockLength: 48 });
    const { encryptModel } = await import('../model/encryptModel.ts');
    expect(r.attacks.leakedModel.secondModel?.fractionCorrect).toBe(recoverKeyFromLeakedModel(emb(other), emb(encryptModel(tiny, key)), { truth: key }).fractionCorrect);
    // Known plaintext is model-free: the real images give the exact key.
    expect(r.attacks.knownPlaintext.exactFromOnePair).toBe(5);
    expect(r.attacks.knownPlaintext.systemC.find((c) => c.blocks === 47)?.recovered).toBe(false);
    expect(r.attacks.knownPlaintext.systemC.find((c) => c.blocks === 48)?.recovered).toBe(true);
    expect(r.attacks.greedy.effort.queries).toBe(10 * 5);
    expect(r.attacks.ciphertextOnly.points.map((p) => p.images)).toEqual([2, 20]);

    const files = attackReportFiles(r, { command: 'test', weightsPath: 'tiny', keyPath: 'key', data: 'cifar', engine: 'e', date: 'today' });
    const names = [...files.keys()].sort();
    for (const plot of ['random-key', 'partial-key', 'greedy', 'known-plaintext', 'leaked-model', 'ciphertext-only']) {
      expect(names).toContain(`${plot}.svg`);
      expect(names).toContain(`${plot}.png`);
      const png = files.get(`${plot}.png`) as Uint8Array;
      expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    }
    const md = files.get('report.md') as string;
    expect(md).toMatch(/2\^247\.8/);
    expect(md).toMatch(/12–20 %/);
    expect(md).toMatch(/!\[random keys\]\(random-key\.png\)/);
    const json = JSON.parse(files.get('report.json') as string);
    expect(json.attacks.randomKey.summary.median).toBe(r.attacks.randomKey.summary.median);
    expect(json.paperClaims.randomKey).toMatch(/Fig\. 5/);
    expect(Object.keys(json.headlines)).toHaveLength(6);
  }, 120_000);

  it('rejects too few images, a key for another block size and bad effort', async () => {
    const images = sliceImages(cifar.images, 0, 50);
    const labels = cifar.labels.subarray(0, 50);
    const base = { weights: tiny, key, images, labels, createEngine: engine, effort };
    await expect(runAttackReport(base)).rejects.toMatchObject({ check: 'attack-report.images', message: expect.stringMatching(/needs 80 test images/) });
    await expect(runAttackReport({ ...base, key: generateKey({ blockSize: 2, channels: 3, seed: 'k' }) })).rejects.toThrow(/block size|key\./);
    await expect(runAttackReport({ ...base, effort: { ...effort, randomKeys: 0 } })).rejects.toMatchObject({ check: 'attack-report.effort', message: expect.stringMatching(/randomKeys/) });
    await expect(runAttackReport({ ...base, labels: labels.subarray(0, 10) })).rejects.toThrow(/labels/);
  });
});

describe('cipherpatch attack-report and attack random-key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-attack-report-'));
  const weights = join(dir, 'tiny.safetensors');
  const keyFile = join(dir, 'key.json');
  writeConvMixerFile(weights, tiny, {});
  writeFileSync(keyFile, serializeKey(key));
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'cipherpatch', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };
  const small = ['--images', '40', '--random-keys', '2', '--distances', '1', '--trials', '1', '--greedy-images', '10', '--greedy-steps', '2', '--known-plaintext-images', '2', '--noise', '0', '--ciphertext-images', '2', '--reference', '20', '--restarts', '1', '--threads', '2', '--no-progress'];

  it('writes the report directory and prints the headlines', async () => {
    const out = join(dir, 'report');
    const r = await run('attack-report', '--weights', weights, '--key', keyFile, '--data', dataFile, '--out', out, ...small);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/randomKey: 2 random keys/);
    expect(readdirSync(out).sort()).toEqual(['.cipherpatch-report', 'ciphertext-only.png', 'ciphertext-only.svg', 'greedy.png', 'greedy.svg', 'known-plaintext.png', 'known-plaintext.svg', 'leaked-model.png', 'leaked-model.svg', 'partial-key.png', 'partial-key.svg', 'random-key.png', 'random-key.svg', 'report.json', 'report.md']);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).effort.images).toBe(40);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).engine).toMatch(/^\S.* \(.+, \d+ threads?, .+\)$/);
    // An existing output is not replaced without --force.
    const again = await run('attack-report', '--weights', weights, '--key', keyFile, '--data', dataFile, '--out', out, ...small);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/output\.exists/);
  }, 120_000);

  it('bad input: missing key, unreadable key, a key of another shape, too few images, bad lists — and no partial output', async () => {
    const out = join(dir, 'bad');
    const missing = await run('attack-report', '--weights', weights, '--data', dataFile, '--out', out);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--key/);
    const unreadable = await run('attack-report', '--weights', weights, '--key', join(dir, 'nope.json'), '--data', dataFile, '--out', out, ...small);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/key\.unreadable/);
    const otherKey = join(dir, 'key2.json');
    writeFileSync(otherKey, serializeKey(generateKey({ blockSize: 2, channels: 3, seed: 'x' })));
    const shape = await run('attack-report', '--weights', weights, '--key', otherKey, '--data', dataFile, '--out', out, ...small);
    expect(shape.code).toBe(1);
    expect(shape.stderr).toMatch(/block size|patch size/);
    const many = await run('attack-report', '--weights', weights, '--key', keyFile, '--data', dataFile, '--out', out, ...small, '--images', '2000');
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(/attack\.images|holds 1000/);
    const list = await run('attack-report', '--weights', weights, '--key', keyFile, '--out', out, '--noise', '1,x');
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/--noise must be/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('attack random-key prints the distribution and writes the result', async () => {
    const json = join(dir, 'rk.json');
    const r = await run('attack', 'random-key', '--weights', weights, '--key', keyFile, '--data', dataFile, '--images', '30', '--keys', '3', '--threads', '2', '--seed', 'cli', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/random keys: min .* median .* max/);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.tries).toHaveLength(3);
    expect(j.effort.queries).toBe(90);
    expect(j.tries[0].seed).toBe('cli:0');
    expect(j.engine).toMatch(/^\S.* \(.+, \d+ threads?, .+\)$/);
    const bad = await run('attack', 'random-key', '--weights', weights, '--key', keyFile, '--data', dataFile, '--keys', '0');
    expect(bad.code).toBe(2);
  }, 60_000);
});
