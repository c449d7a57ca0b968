/**
 * Evaluate shards (src/evaluate/shard.ts) without an engine, for mutation
 * runs: the job fingerprint (sha256 recomputed here with node:crypto from
 * what the header says goes into it), a shard's document field by field,
 * the format checks and their messages, and the merge of hand-made System B
 * and System C shard results: wrong keys in index order, their summary, the
 * time added up, what merge refuses and what it reports. The numbers are
 * made up and the expected ones worked out by hand.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { refusal } from '../../properties/rejection.ts';
import { imageBatch } from '../core/images.ts';
import type { OrthogonalKey } from '../core/orthogonal.ts';
import { type SystemBKey, parseSystemBKey } from '../variants/systemBKey.ts';
import { type EvaluateShardDocument, type ExperimentResult, EVALUATE_SHARD_FORMAT, EVALUATE_SHARD_VERSION, evaluateJob, evaluateShardDocument, mergeEvaluateShards, parseEvaluateShard } from './shard.ts';

// PNG rendering is the plots' business; here a PNG is the SVG's bytes.
vi.mock('../plots/render.ts', async (original) => ({ ...(await original<typeof import('../plots/render.ts')>()), svgToPng: (svg: string) => new TextEncoder().encode(svg) }));

const sha256 = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const negpos = (flip: number[]): SystemBKey => parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip });
const key = negpos([0, 1, 0, 0]);
const wrong = [negpos([1, 0, 0, 0]), negpos([0, 0, 1, 0]), negpos([0, 0, 0, 1])];
// Ten 2×2 one-channel images.
const images = imageBatch(Uint8Array.from({ length: 40 }, (_, i) => i), { count: 10, height: 2, width: 2, channels: 1 }, 'NCHW');
const labels = Uint8Array.from([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
const engine = { name: 'onnx', backend: 'cpu', threads: 2, version: 'onnxruntime-node 1.30.0 (CPU, 2 intra-op threads)' };
const jobInputs = { cipherpatch: '0.1.0', weightsSha256: 'w'.repeat(64), images, labels, wrongKeys: 3, wrongKeySeed: 'wk', engine: { engine: 'onnx', executionProvider: 'cpu', backend: 'auto' } };
const ACCURACIES = [0.25, 0.5, 0.75];
const scored = (correct: number, predictions: number[]) => ({ accuracy: correct / 10, correct, predictions: Uint8Array.from(predictions) });
const PREDICTIONS = [0, 1, 2, 3, 0, 1, 2, 3, 3, 3];

/** System B's result of shard `index` of 2 over 3 wrong key sets (shard 0: key set 0; shard 1: 1 and 2), `seconds` long. */
function resultB(indices: number[], seconds: number): ExperimentResult<SystemBKey> & Record<string, unknown> {
  return {
    transform: 'negpos',
    images: 10,
    rightKey: scored(8, PREDICTIONS),
    plainImages: scored(1, [9, 9, 9, 9, 9, 9, 9, 9, 9, 1]),
    wrongKeys: indices.map((i) => ({ index: i, seed: `wk:${i}`, key: wrong[i], accuracy: ACCURACIES[i] })),
    wrongKeySummary: null,
    engine,
    seconds: { total: seconds, perPass: 0, imagesPerSecond: 0 },
  };
}
const reportB = { weightsPath: 'model.safetensors', keyPath: 'negpos.json', key, data: 'ten images', model: 'ResNet-18 (negpos)', sampleImages: images, sampleLabels: labels, classNames: ['a', 'b', 'c', 'd'] };
/** Built inside the tests, never while the file is collected (a throw there would hide a mutant from Stryker). */
const jobB = () => evaluateJob('B', { ...jobInputs, key });

/** Shards 0 and 1 of 2 as their JSON, read back (files b-0.json, b-1.json). */
function shardsB(change: (docs: EvaluateShardDocument[]) => void = () => {}): { file: string; doc: EvaluateShardDocument }[] {
  const docs = [
    [[0], 2],
    [[1, 2], 3],
  ].map(([indices, seconds], index) =>
    JSON.parse(JSON.stringify(evaluateShardDocument({ job: jobB(), shard: { index, count: 2 }, command: `evaluate --shard ${index}/2`, result: resultB(indices as number[], seconds as number), report: reportB, createdAt: new Date(0) }))) as EvaluateShardDocument,
  );
  change(docs);
  return docs.map((doc, i) => ({ file: `b-${i}.json`, doc }));
}

describe('evaluateJob: the fingerprint', () => {
  it('System B with seeded wrong key sets: the key set by its text, the images by layout, shape, bytes and labels', () => {
    expect(jobB()).toEqual({
      system: 'B',
      cipherpatch: '0.1.0',
      weightsSha256: 'w'.repeat(64),
      keySha256: sha256(JSON.stringify(key.text)),
      images: 10,
      imagesSha256: sha256('{"layout":"NCHW","shape":{"count":10,"height":2,"width":2,"channels":1}}', images.data, labels),
      wrongKeys: 3,
      wrongKeySeed: 'wk',
      wrongKeyListSha256: null,
      engine: { engine: 'onnx', executionProvider: 'cpu', backend: 'auto' },
    });
  });

  it('a listed run: no seed; the sha256 of the first `wrongKeys` listed keys; only the engine request’s three fields', () => {
    const job = evaluateJob('B', { ...jobInputs, key, wrongKeys: 2, wrongKeyList: wrong, engine: { ...jobInputs.engine, threads: 8 } as typeof jobInputs.engine });
    expect(job.wrongKeySeed).toBeNull();
    expect(job.wrongKeyListSha256).toBe(sha256(JSON.stringify([wrong[0].text, wrong[1].text])));
    expect(job.engine).toEqual({ engine: 'onnx', executionProvider: 'cpu', backend: 'auto' });
  });

  it('System C: the matrix as base64 of its little-endian float64 bytes', () => {
    const matrix = Float64Array.from([0.6, 0.8, -0.8, 0.6]);
    const c: OrthogonalKey = { blockSize: 1, channels: 2, matrix };
    const bytes = Buffer.alloc(32);
    [0.6, 0.8, -0.8, 0.6].forEach((x, i) => bytes.writeDoubleLE(x, 8 * i));
    expect(evaluateJob('C', { ...jobInputs, key: c }).keySha256).toBe(sha256(JSON.stringify({ blockSize: 1, channels: 2, matrixFloat64: bytes.toString('base64') })));
  });
});

describe('evaluateShardDocument', () => {
  it('shard 1 of 2: its range, what the report needs (the first 8 images), the key in full, the base passes', () => {
    const doc = evaluateShardDocument({ job: jobB(), shard: { index: 1, count: 2 }, command: 'evaluate --shard 1/2', result: resultB([1, 2], 3), report: { ...reportB, model: undefined, classNames: undefined }, createdAt: new Date(0) });
    const b64 = (bytes: ArrayLike<number>) => Buffer.from(Uint8Array.from(bytes)).toString('base64');
    expect(doc).toEqual({
      format: 'cipherpatch-evaluate-shard',
      version: 1,
      job: jobB(),
      shard: { index: 1, count: 2, wrongKeys: { start: 1, end: 3 } },
      createdAt: '1970-01-01T00:00:00.000Z',
      command: 'evaluate --shard 1/2',
      report: {
        weights: 'model.safetensors',
        keyFile: 'negpos.json',
        data: 'ten images',
        model: null,
        classNames: null,
        sampleImages: { layout: 'NCHW', shape: { count: 8, height: 2, width: 2, channels: 1 }, data: b64(Array.from({ length: 32 }, (_, i) => i)) },
        sampleLabels: [0, 1, 2, 3, 0, 1, 2, 3],
      },
      key: key.text,
      result: {
        images: 10,
        engine,
        seconds: { total: 3, perPass: 0, imagesPerSecond: 0 },
        passes: 4, // 2 base passes + 2 wrong key sets
        base: {
          transform: 'negpos',
          rightKey: { accuracy: 0.8, correct: 8, predictions: b64(PREDICTIONS) },
          plainImages: { accuracy: 0.1, correct: 1, predictions: b64([9, 9, 9, 9, 9, 9, 9, 9, 9, 1]) },
        },
        wrongKeys: [
          { index: 1, seed: 'wk:1', accuracy: 0.5, key: wrong[1].text },
          { index: 2, seed: 'wk:2', accuracy: 0.75, key: wrong[2].text },
        ],
      },
    });
    expect([EVALUATE_SHARD_FORMAT, EVALUATE_SHARD_VERSION]).toEqual(['cipherpatch-evaluate-shard', 1]);
  });

  it('fewer images than 8: all of them; the current time by default; a result that is not its range is refused', () => {
    const few = imageBatch(images.data.slice(0, 12), { count: 3, height: 2, width: 2, channels: 1 }, 'NCHW');
    const before = Date.now();
    const doc = evaluateShardDocument({ job: jobB(), shard: { index: 0, count: 2 }, command: 'c', result: resultB([0], 1), report: { ...reportB, sampleImages: few } });
    expect(doc.report.sampleImages.shape.count).toBe(3);
    expect(doc.report.sampleLabels).toEqual([0, 1, 2]);
    expect(doc.report.model).toBe('ResNet-18 (negpos)');
    expect(doc.report.classNames).toEqual(['a', 'b', 'c', 'd']);
    expect(Date.parse(doc.createdAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(doc.createdAt)).toBeLessThanOrEqual(Date.now());
    const noLabels = evaluateShardDocument({ job: jobB(), shard: { index: 0, count: 2 }, command: 'c', result: resultB([0], 1), report: { ...reportB, sampleLabels: undefined } });
    expect(noLabels.report.sampleLabels).toBeNull();
    expect(refusal(() => evaluateShardDocument({ job: jobB(), shard: { index: 1, count: 2 }, command: 'c', result: resultB([1], 1), report: reportB }))).toEqual({
      check: 'evaluate.wrong-key-range',
      message: 'shard 1 of 2 must hold wrong keys 1 … 2',
    });
  });

  // Kills :204 (isScored: `typeof x === 'object' && x !== null && …` → `true && …`, `… || …`, `… && true && …`: a null field).
  it('a result field that is neither scored, a number nor a string (an object, null) cannot be recorded', () => {
    for (const extra of [{ a: 1 }, null]) {
      expect(() => evaluateShardDocument({ job: jobB(), shard: { index: 0, count: 2 }, command: 'c', result: { ...resultB([0], 1), extra } as ExperimentResult<SystemBKey>, report: reportB })).toThrow("evaluate shard: cannot record the result's field extra");
    }
  });
});

describe('parseEvaluateShard', () => {
  const first = () => shardsB()[0].doc;
  it('a whole shard document is returned as it is', () => {
    const doc = first();
    expect(parseEvaluateShard(doc, 'b-0.json')).toBe(doc);
  });

  it('refuses what is not one, naming the file', () => {
    const doc = first();
    const msg = (json: unknown) => refusal(() => parseEvaluateShard(json, 'x.json'));
    expect(msg({ format: 'other' })).toEqual({ check: 'merge.format', message: 'x.json is not an evaluate shard file (format "other")' });
    expect(msg(null)).toEqual({ check: 'merge.format', message: 'x.json is not an evaluate shard file (format undefined)' });
    expect(msg({ ...doc, version: 2 })).toEqual({ check: 'merge.format', message: 'x.json is an evaluate shard file of version 2; this cipherpatch reads version 1' });
    expect(msg({ ...doc, key: null })).toEqual({ check: 'merge.format', message: 'x.json lacks key: not a whole evaluate shard file' });
    expect(msg({ ...doc, key: undefined, job: null, shard: 5 })).toEqual({ check: 'merge.format', message: 'x.json lacks job, shard, key: not a whole evaluate shard file' });
    expect(parseEvaluateShard({ ...doc, key: 0 }, 'x.json').key).toBe(0);
    expect(msg({ ...doc, job: { ...doc.job, system: 'D' } })).toEqual({ check: 'merge.format', message: 'x.json is a shard of system "D"; evaluate shards are of systems A, C, B' });
    const whole = 'x.json is not a whole evaluate shard file';
    expect(msg({ ...doc, result: { ...doc.result, wrongKeys: {} } })).toEqual({ check: 'merge.format', message: whole });
    expect(msg({ ...doc, result: { ...doc.result, base: 'b' } })).toEqual({ check: 'merge.format', message: whole });
    expect(msg({ ...doc, result: { ...doc.result, seconds: 1 } })).toEqual({ check: 'merge.format', message: whole });
    expect(msg({ ...doc, report: { ...doc.report, sampleImages: 'x' } })).toEqual({ check: 'merge.format', message: whole });
  });
});

describe('mergeEvaluateShards', () => {
  it('System B, shards given in reverse: the result and report context of one run', () => {
    const merged = mergeEvaluateShards(shardsB().reverse());
    expect(merged.system).toBe('B');
    expect(merged.names).toEqual({ keyNoun: 'key set', keyNouns: 'key sets' });
    const r = merged.result as Record<string, unknown> & typeof merged.result;
    expect(r.wrongKeys.map((w) => [w.index, w.seed, w.accuracy, (w.key as SystemBKey).text])).toEqual([0, 1, 2].map((i) => [i, `wk:${i}`, ACCURACIES[i], wrong[i].text]));
    // 0.25, 0.5, 0.75: quartiles by linear interpolation at positions 0.5, 1, 1.5.
    expect(r.wrongKeySummary).toEqual({ min: 0.25, q1: 0.375, median: 0.5, q3: 0.625, max: 0.75, mean: 0.5, count: 3 });
    // 2 s + 3 s over (2 + 1) + (2 + 2) = 7 passes of 10 images.
    expect(r.seconds).toEqual({ total: 5, perPass: 5 / 7, imagesPerSecond: 14 });
    expect(r.engine).toEqual(engine);
    expect(r.images).toBe(10);
    expect(r.transform).toBe('negpos');
    expect(r.rightKey).toEqual({ accuracy: 0.8, correct: 8, predictions: Uint8Array.from(PREDICTIONS) });
    expect(merged.disagreements).toEqual([]);
    const c = merged.context;
    expect([c.weightsPath, c.keyPath, (c.key as SystemBKey).text, c.data, c.model, c.classNames]).toEqual(['model.safetensors', 'negpos.json', key.text, 'ten images', 'ResNet-18 (negpos)', ['a', 'b', 'c', 'd']]);
    expect(c.sampleImages).toEqual(imageBatch(images.data.slice(0, 32), { count: 8, height: 2, width: 2, channels: 1 }, 'NCHW'));
    expect(c.sampleLabels).toEqual(Uint8Array.from([0, 1, 2, 3, 0, 1, 2, 3]));
    const dir = join(mkdtempSync(join(tmpdir(), 'cipherpatch-shard-units-')), 'r');
    expect(merged.writeReport(dir, 'cipherpatch merge b-0.json b-1.json')).toEqual(['report.json', 'report.md', 'wrong-keys.svg', 'wrong-keys.png', 'examples.png']);
    expect(readdirSync(dir)).toContain('examples.png');
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { command: string; model: string; results: { wrongKeySummary: unknown } };
    expect([json.command, json.model]).toEqual(['cipherpatch merge b-0.json b-1.json', 'ResNet-18 (negpos)']);
    expect(json.results.wrongKeySummary).toEqual({ min: 0.25, q1: 0.375, median: 0.5, q3: 0.625, max: 0.75, mean: 0.5, count: 3 });
  });

  it('without model, labels and class names in the shards, the context has none of them', () => {
    const merged = mergeEvaluateShards(
      shardsB((docs) =>
        docs.forEach((d) => {
          Object.assign(d.report, { model: null, sampleLabels: null, classNames: null });
        }),
      ),
    );
    expect(Object.keys(merged.context).sort()).toEqual(['data', 'key', 'keyPath', 'sampleImages', 'weightsPath']);
    // A System B report without a model description names it as ''.
    const dir = join(mkdtempSync(join(tmpdir(), 'cipherpatch-shard-units-')), 'r');
    merged.writeReport(dir, 'merge');
    expect((JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { model: string }).model).toBe('');
  });

  it('base passes that differ from shard 0’s are reported by field, shard 0’s kept', () => {
    const merged = mergeEvaluateShards(
      shardsB((docs) => {
        (docs[1].result.base as Record<string, unknown>).transform = 'shuffle';
        (docs[1].result.base as Record<string, unknown>).extra = 1;
      }),
    );
    expect(merged.disagreements).toEqual(["b-1.json: shard 1's base passes differ from shard 0's in transform, extra (the report shows shard 0's)"]);
    expect((merged.result as unknown as Record<string, unknown>).transform).toBe('negpos');
  });

  it('refuses a shard without its range of the wrong keys', () => {
    const short = shardsB((docs) => (docs[1].result.wrongKeys as unknown[]).pop());
    expect(refusal(() => mergeEvaluateShards(short))).toEqual({ check: 'merge.shard-range', message: 'b-1.json: shard 1 of 2 must hold wrong keys 1 … 2 of 3, it holds 1 … 1 (1)' });
    const none = shardsB((docs) => (docs[1].result.wrongKeys as unknown[]).splice(0));
    expect(refusal(() => mergeEvaluateShards(none)).message).toBe('b-1.json: shard 1 of 2 must hold wrong keys 1 … 2 of 3, it holds none');
    expect(refusal(() => mergeEvaluateShards(shardsB((docs) => Object.assign(docs[1].shard.wrongKeys, { start: 0 })))).check).toBe('merge.shard-range');
    expect(refusal(() => mergeEvaluateShards(shardsB((docs) => Object.assign(docs[1].shard.wrongKeys, { end: 2 })))).check).toBe('merge.shard-range');
    expect(refusal(() => mergeEvaluateShards(shardsB((docs) => Object.assign(docs[1].shard, { wrongKeys: undefined })))).check).toBe('merge.shard-range');
  });

  it('refuses shards of other engines (name, backend, runtime version), not of other settings', () => {
    const other = (change: Partial<typeof engine>) => refusal(() => mergeEvaluateShards(shardsB((docs) => Object.assign(docs[1].result.engine, change))));
    expect(other({ name: 'tfjs' })).toEqual({
      check: 'merge.engine-mismatch',
      message: 'b-1.json ran on tfjs (cpu, onnxruntime-node 1.30.0 (CPU, 2 intra-op threads)), b-0.json on onnx (cpu, onnxruntime-node 1.30.0 (CPU, 2 intra-op threads)): run every shard on the same engine',
    });
    expect(other({ backend: 'cuda' }).check).toBe('merge.engine-mismatch');
    expect(other({ version: 'onnxruntime-node 1.29.0 (CPU, 2 intra-op threads)' }).check).toBe('merge.engine-mismatch');
    const threads = mergeEvaluateShards(shardsB((docs) => Object.assign(docs[1].result.engine, { version: 'onnxruntime-node 1.30.0 (CPU, 16 intra-op threads)', threads: 16 })));
    expect(threads.result.wrongKeys).toHaveLength(3);
  });
});

describe('System C shards: matrices travel losslessly', () => {
  // A rotation about the third axis: orthogonal, and its entries use every bit of a float64.
  const matrix = (a: number) => Float64Array.from([Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a), 0, 0, 0, 1]);
  const cKey: OrthogonalKey = { blockSize: 1, channels: 3, matrix: matrix(0.1) };
  const cWrong = [matrix(1 / 3), matrix(2)].map((m) => ({ blockSize: 1, channels: 3, matrix: m }));
  const two = imageBatch(new Uint8Array(6), { count: 2, height: 1, width: 1, channels: 3 }, 'NCHW');
  const job = () => evaluateJob('C', { ...jobInputs, images: two, labels: new Uint8Array(2), key: cKey, wrongKeys: 2 });
  const result = (i: number) => ({
    images: 2,
    plainModelPlainImages: { accuracy: 0.5, correct: 1, predictions: Uint8Array.from([0, 1]) },
    encryptedModelPlainImages: { accuracy: 0, correct: 0, predictions: Uint8Array.from([1, 0]) },
    encryptedModelEncryptedImages: { accuracy: 0.5, correct: 1, predictions: Uint8Array.from([0, 1]) },
    predictionMismatches: 0,
    maxLogitDifference: 1e-6,
    wrongKeys: [{ index: i, seed: `wk:${i}`, key: cWrong[i], accuracy: 0.5 * i }],
    wrongKeySummary: null,
    engine,
    seconds: { total: 1, perPass: 0, imagesPerSecond: 0 },
  });
  const shards = (change: (docs: EvaluateShardDocument[]) => void = () => {}) => {
    const docs = [0, 1].map((index) => JSON.parse(JSON.stringify(evaluateShardDocument({ job: job(), shard: { index, count: 2 }, command: 'c', result: result(index), report: { weightsPath: 'w', keyPath: 'k', key: cKey, data: 'd', sampleImages: two } }))) as EvaluateShardDocument);
    change(docs);
    return docs.map((doc, i) => ({ file: `c-${i}.json`, doc }));
  };

  it('the key and every wrong matrix come back bit for bit; numbers in the base passes too; System C’s report', () => {
    const merged = mergeEvaluateShards(shards());
    // 1 s + 1 s over (3 + 1) + (3 + 1) passes (System C runs three base passes) of 2 images.
    expect(merged.result.seconds).toEqual({ total: 2, perPass: 0.25, imagesPerSecond: 8 });
    const dir = join(mkdtempSync(join(tmpdir(), 'cipherpatch-shard-units-')), 'c');
    expect(merged.writeReport(dir, 'cipherpatch merge c-0.json c-1.json')).toContain('report.md');
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { command: string; weights: string; keyFile: string; data: string };
    expect([json.command, json.weights, json.keyFile, json.data]).toEqual(['cipherpatch merge c-0.json c-1.json', 'w', 'k', 'd']);
    expect(merged.names).toEqual({ keyNoun: 'matrix', keyNouns: 'matrices' });
    expect((merged.context.key as OrthogonalKey).matrix).toEqual(cKey.matrix);
    expect(merged.result.wrongKeys.map((w) => Array.from((w.key as OrthogonalKey).matrix))).toEqual(cWrong.map((k) => Array.from(k.matrix)));
    expect((merged.result as unknown as Record<string, unknown>).predictionMismatches).toBe(0);
  });

  it('a matrix that is not whole float64 values, or not p_b × p_b, is refused', () => {
    const cut = shards((docs) => Object.assign(docs[0].result.wrongKeys[0].key as object, { matrixFloat64: Buffer.alloc(12).toString('base64') }));
    expect(refusal(() => mergeEvaluateShards(cut))).toEqual({ check: 'merge.format', message: 'a matrix in the shard file is not a whole number of float64 values' });
    const small = shards((docs) => Object.assign(docs[0].result.wrongKeys[0].key as object, { matrixFloat64: Buffer.alloc(24).toString('base64') }));
    expect(refusal(() => mergeEvaluateShards(small))).toEqual({ check: 'merge.format', message: 'a matrix in the shard file holds 3 values, not 3² for block size 1 and 3 channels' });
  });
});
