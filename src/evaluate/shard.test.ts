/**
 * Evaluate shards in the library (src/evaluate/shard.ts): for Systems C and B
 * (System A runs through the command line in src/cli/merge.test.ts), the
 * experiment split into shards, each written as its JSON document and read
 * back, and merged, gives the report of one run; merge refuses shards that
 * are not their part of one job, and reports base passes that differ.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asyncRejection, rejection } from '../../properties/rejection.ts';
import { expectSameReport } from '../../properties/sameReport.ts';
import { imageBatch } from '../core/images.ts';
import { generateKey } from '../core/keygen.ts';
import { type ShardRange, shardRange } from '../core/shards.ts';
import { createEngine, createResNetEngine } from '../engine/factory.ts';
import { CIFAR10_CLASSES, readCifarSplitAll, resolveCifarDir } from '../io/cifar10.ts';
import { readOrthogonalKeyFile, readOrthogonalKeyListFile, readSystemBKeyFile } from '../io/keyFile.ts';
import { readSafetensorsFile } from '../io/safetensors.ts';
import { readShardFiles } from '../cli/shardFiles.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { resnetWeightsFromTensors } from '../model/resnet.ts';
import { evaluate } from './evaluate.ts';
import { writeEvaluateReport } from './report.ts';
import { type EvaluateJob, type EvaluateShardDocument, type ExperimentResult, type ShardReportContext, type ShardSystemId, evaluateJob, evaluateShardDocument, mergeEvaluateShards, parseEvaluateShard } from './shard.ts';
import { evaluateSystemB } from './systemB.ts';
import { writeSystemBReport } from './systemBReport.ts';
import { SYSTEM_C_REPORT, evaluateOrthogonal } from './systemC.ts';

const GOLDEN = new URL('../../golden/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-shard-'));
const at = (name: string) => join(dir, name);
const MATRICES = join(GOLDEN, 'runs/cpu-20ep/system-c-matrices.safetensors');

async function testImages(limit: number) {
  const cifar = at('cifar');
  mkdirSync(cifar, { recursive: true });
  copyFileSync(join(GOLDEN, 'data/test_batch_first1000.bin'), join(cifar, 'test_batch.bin'));
  const test = await readCifarSplitAll(resolveCifarDir(cifar), 'test', { limit });
  return { images: imageBatch(test.images.data, test.images.shape, test.images.layout), labels: test.labels };
}

/** The experiment run once, and in `count` shards written as JSON, read back and merged. */
async function oneAndMerged<K, R extends ExperimentResult<K>>(system: ShardSystemId, job: EvaluateJob, report: ShardReportContext<K>, run: (range?: ShardRange) => Promise<R>, count: number) {
  const one = await run();
  const shards: { file: string; doc: EvaluateShardDocument }[] = [];
  for (let index = 0; index < count; index++) {
    const shard = { index, count };
    const result = await run(shardRange(job.wrongKeys, shard));
    const file = at(`${system}-${index}.json`);
    const text = JSON.stringify(evaluateShardDocument({ job, shard, command: `cipherpatch evaluate … --shard ${index}/${count}`, result, report }));
    writeFileSync(file, text);
    shards.push({ file, doc: parseEvaluateShard(JSON.parse(text), file) });
  }
  return { one, merged: mergeEvaluateShards(shards.reverse()) };
}

const jobInputs = { cipherpatch: 'test', weightsSha256: 'test', wrongKeySeed: 'wrong-key', engine: { engine: 'onnx', executionProvider: 'cpu', backend: 'auto' } };

describe('evaluate shards merged are one run', () => {
  it('System C: 5 listed matrices over 3 shards (0 | 1–2 | 3–4); the matrices travel losslessly', async () => {
    // A small random ConvMixer: the report records every matrix by its sha256, so any mix-up shows.
    const weights = randomConvMixerWeights({ dim: 16, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 }, 'shard-test');
    const params = { blockSize: 4, channels: 3 };
    const key = readOrthogonalKeyFile(MATRICES, params);
    const wrongKeyList = readOrthogonalKeyListFile(MATRICES, params).slice(0, 5);
    const { images, labels } = await testImages(24);
    const report = { weightsPath: 'model.safetensors', keyPath: 'matrices.safetensors', key, data: 'the first 24 test images', sampleImages: images, sampleLabels: labels, classNames: CIFAR10_CLASSES };
    const job = evaluateJob('C', { ...jobInputs, key, images, labels, wrongKeys: 5, wrongKeyList });
    const { one, merged } = await oneAndMerged('C', job, report, (range) => evaluateOrthogonal({ weights, key, images, labels, wrongKeySeed: 'unused', wrongKeyList, wrongKeyRange: range, createEngine: (w) => createEngine(w, undefined, { engine: 'onnx' }) }), 3);
    expect(merged.system).toBe('C');
    expect(merged.result.wrongKeys.map((w) => w.index)).toEqual([0, 1, 2, 3, 4]);
    merged.result.wrongKeys.forEach((w, i) => expect((w.key as typeof key).matrix).toEqual(wrongKeyList[i].matrix));
    writeEvaluateReport(at('c-one'), one, { ...report, system: SYSTEM_C_REPORT, command: 'cipherpatch evaluate' });
    merged.writeReport(at('c-merged'), 'cipherpatch merge C-0.json C-1.json C-2.json');
    expectSameReport(at('c-one'), at('c-merged'));
    expect(merged.disagreements).toEqual([]);
  });

  it('System B: 3 seeded wrong key sets over 2 shards (0 | 1–2)', async () => {
    const weights = resnetWeightsFromTensors(readSafetensorsFile(join(GOLDEN, 'runs/system-b-cpu/negpos/model.safetensors')).tensors);
    const key = readSystemBKeyFile(join(GOLDEN, 'system-b/negpos.json'));
    const { images, labels } = await testImages(16);
    const model = 'ResNet-18 (negpos)';
    const report = { weightsPath: 'model.safetensors', keyPath: 'negpos.json', key, data: 'the first 16 test images', model, sampleImages: images, sampleLabels: labels, classNames: CIFAR10_CLASSES };
    const job = evaluateJob('B', { ...jobInputs, key, images, labels, wrongKeys: 3 });
    const { one, merged } = await oneAndMerged('B', job, report, (range) => evaluateSystemB({ weights, key, images, labels, wrongKeys: 3, wrongKeySeed: 'wrong-key', wrongKeyRange: range, createEngine: (w) => createResNetEngine(w, { engine: 'onnx' }) }), 2);
    expect(merged.result.wrongKeys.map((w) => w.seed)).toEqual(['wrong-key:0', 'wrong-key:1', 'wrong-key:2']);
    writeSystemBReport(at('b-one'), one, { ...report, command: 'cipherpatch evaluate' });
    merged.writeReport(at('b-merged'), 'cipherpatch merge B-0.json B-1.json');
    expectSameReport(at('b-one'), at('b-merged'));
  });
});

describe('a shard’s range of the wrong keys', () => {
  it('outside the experiment’s wrong keys: refused before any engine is made', async () => {
    const { images, labels } = await testImages(2);
    const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 }, 'range-test');
    const key = generateKey({ blockSize: 4, channels: 3, seed: 'k' });
    const noEngine = () => Promise.reject(new Error('an engine was made before the range was checked'));
    for (const range of [{ start: 2, end: 4 }, { start: 2, end: 1 }, { start: -1, end: 1 }]) {
      const e = await asyncRejection(evaluate({ weights, key, images, labels, wrongKeys: 3, wrongKeySeed: 's', wrongKeyRange: range, createEngine: noEngine }));
      expect(e.check).toBe('evaluate.wrong-key-range');
      expect(e.message).toBe(`wrong keys ${range.start} … ${range.end - 1} are not a range of the 3 wrong keys`);
    }
  });
});

describe('merging evaluate shards: what is refused, what is reported', () => {
  const load = () => readShardFiles([0, 1, 2].map((i) => at(`C-${i}.json`))).shards as { file: string; doc: EvaluateShardDocument }[];

  it('a shard that does not hold its range of the wrong keys, or ran on another engine', () => {
    const short = load();
    (short[1].doc.result.wrongKeys as unknown[]).pop();
    const range = rejection(() => mergeEvaluateShards(short));
    expect(range.check).toBe('merge.shard-range');
    expect(range.message).toBe(`${at('C-1.json')}: shard 1 of 3 must hold wrong keys 1 … 2 of 5, it holds 1 … 1 (1)`);
    const engine = load();
    Object.assign(engine[2].doc.result.engine, { version: 'onnxruntime-node 0.0.1' });
    const e = rejection(() => mergeEvaluateShards(engine));
    expect(e.check).toBe('merge.engine-mismatch');
    expect(e.message).toMatch(/C-2\.json ran on onnx \(cpu, onnxruntime-node 0\.0\.1\), .*C-0\.json on onnx .*: run every shard on the same engine$/);
  });

  it('shards whose engine settings differ (threads, spinning: machines of a matrix) merge: the logits do not depend on them', () => {
    const shards = load();
    const e0 = shards[0].doc.result.engine as { version: string };
    const runtime = e0.version.split(' (')[0];
    Object.assign(shards[1].doc.result.engine, { version: `${runtime} (CPU execution provider, 16 intra-op threads, spinning, dense graph)` });
    expect(mergeEvaluateShards(shards).result.wrongKeys).toHaveLength(5);
  });

  it('base passes that differ from shard 0’s are reported, and the report keeps shard 0’s', () => {
    const shards = load();
    const base = shards[2].doc.result.base.plainModelPlainImages as { predictions: string };
    const original = Buffer.from(base.predictions, 'base64');
    const changed = Buffer.from(original);
    changed[0] = (changed[0] + 1) % 10;
    base.predictions = changed.toString('base64');
    const merged = mergeEvaluateShards(shards);
    expect(merged.disagreements).toEqual([`${at('C-2.json')}: shard 2's base passes differ from shard 0's in plainModelPlainImages (the report shows shard 0's)`]);
    expect(Array.from((merged.result as unknown as { plainModelPlainImages: { predictions: Uint8Array } }).plainModelPlainImages.predictions)).toEqual(Array.from(original));
  });

  it('files that are no shards, cut short, of another version, or evaluate shards mixed with others', () => {
    writeFileSync(at('cut.json'), '{"format": "cipherpatch-evaluate-shard", "vers');
    expect(rejection(() => readShardFiles([at('C-0.json'), at('cut.json')])).message).toMatch(/cut\.json is not JSON \(a shard file cut short\?\)/);
    expect(rejection(() => readShardFiles([at('absent.json')])).check).toBe('merge.unreadable');
    const mixed = rejection(() => readShardFiles([at('C-0.json'), join(GOLDEN, 'system-a/key.json')]));
    expect(mixed.check).toBe('merge.mixed');
    expect(mixed.message).toMatch(/key\.json is not an evaluate shard like .*C-0\.json/);
    expect(rejection(() => readShardFiles([join(GOLDEN, 'system-a/key.json')])).message).toMatch(/key\.json is not a fuzz shard file \(format "cipherpatch-block-key"\)/);
    expect(rejection(() => parseEvaluateShard({ format: 'cipherpatch-evaluate-shard', version: 2 }, 'x.json')).message).toBe('x.json is an evaluate shard file of version 2; this cipherpatch reads version 1');
    expect(rejection(() => parseEvaluateShard({ format: 'cipherpatch-evaluate-shard', version: 1, job: {}, shard: {} }, 'x.json')).message).toBe('x.json lacks report, key, result: not a whole evaluate shard file');
  });
});
