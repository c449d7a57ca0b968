/**
 * `cipherpatch evaluate` on System B models, run as a user runs it, on the
 * CPU golden run (golden/runs/system-b-cpu/) and the committed CIFAR-10
 * sample: the key set selects the transform, the numbers match PyTorch's,
 * the engine is named; malformed key sets are refused with the reason.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cipherpatch } from '../../properties/cliRunner.ts';
import { parseSystemBKey } from '../variants/systemBKey.ts';
import { readSystemBKeyListFile } from '../io/keyFile.ts';

const GOLDEN = new URL('../../golden/', import.meta.url).pathname;
const RUN = join(GOLDEN, 'runs/system-b-cpu');
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-evaluate-b-'));
const cifar = join(dir, 'cifar');

beforeAll(() => {
  mkdirSync(cifar);
  copyFileSync(join(GOLDEN, 'data/test_batch_first1000.bin'), join(cifar, 'test_batch.bin'));
});

describe('evaluate, System B', () => {
  it('ffx golden model: the key set selects the transform; right key set and the golden wrong key sets give PyTorch’s accuracies; the engine is named', async () => {
    const report = join(dir, 'report-ffx');
    const r = await cipherpatch('evaluate', '--weights', join(RUN, 'ffx/model.safetensors'), '--key', join(GOLDEN, 'system-b/ffx.json'), '--wrong-keys-file', join(GOLDEN, 'system-b/wrong-keys-ffx.json'), '--wrong-keys', '2', '--data', cifar, '--report', report);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/engine: onnx \(cpu/);
    expect(r.stdout).toMatch(/System B \(ffx\), right key set: +\d+\.\d\d %/);
    expect(readdirSync(report).sort()).toEqual(['.cipherpatch-report', 'examples.png', 'report.json', 'report.md', 'wrong-keys.png', 'wrong-keys.svg']);
    expect(PNG.sync.read(readFileSync(join(report, 'examples.png'))).width).toBeGreaterThan(300);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    const metrics = JSON.parse(readFileSync(join(RUN, 'ffx/metrics.json'), 'utf8'));
    expect(json.system).toBe('B');
    expect(json.transform).toBe('ffx');
    expect(json.engine.name).toBe('onnx');
    expect(json.images).toBe(1000);
    // PyTorch evaluated on the same 1,000 images (the CI subset); a near-tie may flip one prediction.
    expect(Math.abs(json.results.rightKey.accuracy - metrics.results.rightKey.ciSubset)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(json.results.plainImages.accuracy - metrics.results.plainImages.ciSubset)).toBeLessThanOrEqual(0.002);
    expect(metrics.results.wrongKeys.images).toBe(1000);
    json.results.wrongKeys.forEach((w: { accuracy: number }, i: number) => expect(Math.abs(w.accuracy - metrics.results.wrongKeys.accuracy[i]), `wrong key set ${i}`).toBeLessThanOrEqual(0.002));
    expect(readFileSync(join(report, 'report.md'), 'utf8')).toMatch(/\| transformed, right key set \| .* \| 92\.27 % \|/);
  });

  it('seeded wrong key sets are deterministic and never the right one; tfjs gives the same accuracies as onnx', async () => {
    const run = (report: string, ...more: string[]) =>
      cipherpatch('evaluate', '--weights', join(RUN, 'negpos/model.safetensors'), '--key', join(GOLDEN, 'system-b/negpos.json'), '--wrong-keys', '2', '--wrong-key-seed', 's', '--limit', '200', '--data', cifar, '--report', join(dir, report), ...more);
    const [a, b] = [await run('seeded-a'), await run('seeded-b', '--engine', 'tfjs', '--backend', 'wasm')];
    expect(b.stdout).toMatch(/engine: tfjs \(wasm/);
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(readFileSync(join(dir, 'seeded-a/report.json'), 'utf8'));
    const jb = JSON.parse(readFileSync(join(dir, 'seeded-b/report.json'), 'utf8'));
    expect(b.code, b.stderr).toBe(0);
    // Same key sets (seeded); a near-tie may flip one of the 200 predictions between engines.
    expect(jb.results.wrongKeys.map((w: { key: unknown }) => w.key)).toEqual(ja.results.wrongKeys.map((w: { key: unknown }) => w.key));
    jb.results.wrongKeys.forEach((w: { accuracy: number }, i: number) => expect(Math.abs(w.accuracy - ja.results.wrongKeys[i].accuracy)).toBeLessThanOrEqual(0.005));
    expect(Math.abs(jb.results.rightKey.accuracy - ja.results.rightKey.accuracy)).toBeLessThanOrEqual(0.005);
    const right = JSON.parse(readFileSync(join(GOLDEN, 'system-b/negpos.json'), 'utf8'));
    for (const w of ja.results.wrongKeys) expect(w.key.flip).not.toEqual(right.flip);
  });

  it('refuses what cannot work, naming the reason, and writes no report', async () => {
    const weights = join(RUN, 'shuffle/model.safetensors');
    const expectFailure = async (args: string[], pattern: RegExp) => {
      const report = join(dir, `never-${Math.random().toString(36).slice(2)}`);
      const r = await cipherpatch('evaluate', '--weights', weights, '--data', cifar, '--limit', '10', '--report', report, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(pattern);
      expect(existsSync(report)).toBe(false);
    };
    await expectFailure(['--key', join(GOLDEN, 'system-a/key.json')], /key\.format.*not a System B key set.*cipherpatch-block-key/);
    await expectFailure(['--key', join(GOLDEN, 'system-b/shuffle.json'), '--threads', '64'], /engine\.threads.*64 threads/);
    await expectFailure(['--key', join(GOLDEN, 'system-b/shuffle.json'), '--wrong-keys-file', join(GOLDEN, 'system-b/wrong-keys-ffx.json')], /evaluate\.wrong-keys.*ffx key.*shuffle/);
    const truncated = join(dir, 'truncated.json');
    const k = JSON.parse(readFileSync(join(GOLDEN, 'system-b/negpos.json'), 'utf8'));
    writeFileSync(truncated, JSON.stringify({ ...k, flip: k.flip.slice(1) }));
    await expectFailure(['--key', truncated], /key\.field.*truncated\.json.*"flip" must be 48 integers/);
  });
});

describe('System B key sets', () => {
  const negpos = JSON.parse(readFileSync(join(GOLDEN, 'system-b/negpos.json'), 'utf8'));
  it('parse, and name what is malformed', () => {
    expect(parseSystemBKey(negpos).transform).toBe('negpos');
    expect(() => parseSystemBKey('{')).toThrow(expect.objectContaining({ check: 'key.json' }));
    expect(() => parseSystemBKey({ ...negpos, variant: 'orthogonal' })).toThrow(expect.objectContaining({ check: 'key.variant', message: expect.stringMatching(/shuffle, negpos, ffx/) }));
    expect(() => parseSystemBKey({ ...negpos, flip: negpos.flip.map(() => 1) })).toThrow(expect.objectContaining({ check: 'key.flip-count' }));
    expect(() => parseSystemBKey({ ...negpos, flip: negpos.flip.map((f: number) => f * 2) })).toThrow(expect.objectContaining({ check: 'key.flip-values' }));
    expect(() => parseSystemBKey(negpos, { channels: 1 })).toThrow(expect.objectContaining({ check: 'key.wrong-channels' }));
    expect(() => parseSystemBKey({ ...JSON.parse(readFileSync(join(GOLDEN, 'system-b/ffx.json'), 'utf8')), password: 7 })).toThrow(expect.objectContaining({ check: 'key.field' }));
  });

  it('lists: read with every key set validated; a list of another format, or a key set of another variant in it, is named', () => {
    const list = JSON.parse(readFileSync(join(GOLDEN, 'system-b/wrong-keys-ffx.json'), 'utf8'));
    expect(readSystemBKeyListFile(join(GOLDEN, 'system-b/wrong-keys-ffx.json')).map((k) => k.transform)).toEqual(list.keys.map(() => 'ffx'));
    const notList = join(dir, 'not-a-list.json');
    writeFileSync(notList, JSON.stringify({ ...list, format: 'cipherpatch-block-key-list' }));
    expect(() => readSystemBKeyListFile(notList)).toThrow(expect.objectContaining({ check: 'key.format', message: expect.stringMatching(/not-a-list\.json is not a System B key set list/) }));
    const mixed = join(dir, 'mixed-list.json');
    writeFileSync(mixed, JSON.stringify({ ...list, keys: [list.keys[0], negpos] }));
    expect(() => readSystemBKeyListFile(mixed)).toThrow(expect.objectContaining({ check: 'key.variant', message: expect.stringMatching(/mixed-list\.json, key set 1: is a negpos key set in a list of ffx key sets/) }));
  });
});
