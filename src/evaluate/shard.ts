/**
 * Evaluate jobs split into shards (`cipherpatch evaluate --shard i/n`) and
 * merged back (`cipherpatch merge`) into the report one run writes.
 *
 * A shard runs the three base passes (System B: two) and its contiguous range
 * of the wrong keys (src/core/shards.ts); every wrong key keeps the index and
 * seed it has in an unsharded run. It writes one JSON document, format
 * "cipherpatch-evaluate-shard", holding:
 *   - job: the job's fingerprint (system, weights sha256, key sha256, image
 *     count and sha256, wrong-key count, seed or list sha256, engine request,
 *     cipherpatch version): merge refuses shards of different jobs;
 *   - shard: its index and count, and its range of the wrong keys;
 *   - report: what the report names and shows (weights and key paths, the
 *     data, the class names, the first EXAMPLE_IMAGES images and labels);
 *   - key: the right key in full; result: the base passes (predictions as
 *     base64), the engine, the time, and each wrong key with its accuracy and
 *     the key in full. Keys are stored losslessly: System A as its key JSON,
 *     System C's matrix as base64 of its little-endian float64 bytes, System B
 *     as its key set's text.
 * Merge takes the base passes from shard 0 (a shard whose base passes differ
 * is reported, not refused: a GPU's convolutions need not be bitwise
 * reproducible), concatenates the wrong keys in index order and recomputes
 * their summary; the time is the shards' times added up.
 */
import { createHash } from 'node:crypto';
import { fail } from '../core/errors.ts';
import { type Layout, type Uint8Batch, imageBatch, sliceImages } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import { keyFromJson, keyToJson } from '../core/keyJson.ts';
import type { OrthogonalKey } from '../core/orthogonal.ts';
import { type Shard, type ShardDocument, type ShardRange, shardRange, wholeJob } from '../core/shards.ts';
import type { Scored } from '../metrics/scoring.ts';
import type { ExperimentSummary, KeyNames, WrongKeyResult } from './evaluate.ts';
import { wrongKeySummary } from './evaluate.ts';
import { EXAMPLE_IMAGES, type ReportSystem, SYSTEM_A_REPORT, writeEvaluateReport } from './report.ts';
import type { SystemBResult } from './systemB.ts';
import { type SystemBKey, parseSystemBKey } from '../variants/systemBKey.ts';
import { writeSystemBReport } from './systemBReport.ts';
import { SYSTEM_C_REPORT } from './systemC.ts';

export const EVALUATE_SHARD_FORMAT = 'cipherpatch-evaluate-shard';

/** An engine's runtime and version without its settings: "onnxruntime-node 1.30.0 (CPU …, 2 intra-op threads)" → "onnxruntime-node 1.30.0". */
const runtimeOf = (version: string): string => version.split(' (')[0];
export const EVALUATE_SHARD_VERSION = 1;

/** An experiment's result as every system has it: the images, the wrong keys, the summary; the rest are the base passes. */
export type ExperimentResult<K> = ExperimentSummary & { readonly images: number; readonly wrongKeys: readonly WrongKeyResult<K>[] };

/** What a report shows besides the numbers, common to every system (`model` is System B's description of the ResNet). */
export interface ShardReportContext<K> {
  readonly weightsPath: string;
  readonly keyPath: string;
  readonly key: K;
  readonly data: string;
  readonly model?: string;
  readonly sampleImages: Uint8Batch;
  readonly sampleLabels?: Uint8Array;
  readonly classNames?: readonly string[];
}

/** How a system's shards record its keys, how many base passes it runs, and how its report is written. */
interface ShardSystem<K> extends KeyNames {
  readonly basePasses: number;
  keyToJson(key: K): unknown;
  keyFromJson(json: unknown): K;
  writeReport(dir: string, result: ExperimentResult<K>, ctx: ShardReportContext<K> & { readonly command: string }, options: { overwrite?: boolean }): string[];
}

const float64ToBase64 = (x: Float64Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');

function base64ToFloat64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) fail('merge.format', 'a matrix in the shard file is not a whole number of float64 values');
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Systems A and C: one report writer, the system's wording. */
function keyedSystem<K extends { readonly blockSize: number; readonly channels: number }>(report: ReportSystem<K>, codec: Pick<ShardSystem<K>, 'keyToJson' | 'keyFromJson'>): ShardSystem<K> {
  return {
    basePasses: 3,
    keyNoun: report.keyNoun,
    keyNouns: report.keyNouns,
    ...codec,
    writeReport: (dir, result, ctx, options) => writeEvaluateReport(dir, result as never, { ...ctx, system: report }, options),
  };
}

const SHARD_SYSTEMS = {
  A: keyedSystem<BlockKey>(SYSTEM_A_REPORT, { keyToJson: (key) => keyToJson(key), keyFromJson: (json) => keyFromJson(json) }),
  C: keyedSystem<OrthogonalKey>(SYSTEM_C_REPORT, {
    keyToJson: (key) => ({ blockSize: key.blockSize, channels: key.channels, matrixFloat64: float64ToBase64(key.matrix) }),
    keyFromJson(json) {
      const o = json as { blockSize: number; channels: number; matrixFloat64: string };
      const matrix = base64ToFloat64(String(o.matrixFloat64));
      const pb = o.blockSize * o.blockSize * o.channels;
      if (matrix.length !== pb * pb) fail('merge.format', `a matrix in the shard file holds ${matrix.length} values, not ${pb}² for block size ${o.blockSize} and ${o.channels} channels`);
      return { blockSize: o.blockSize, channels: o.channels, matrix };
    },
  }),
  B: {
    basePasses: 2,
    keyNoun: 'key set',
    keyNouns: 'key sets',
    keyToJson: (key: SystemBKey) => key.text,
    keyFromJson: (json: unknown) => parseSystemBKey(String(json)),
    writeReport: (dir, result, ctx, options) => writeSystemBReport(dir, result as unknown as SystemBResult, { ...ctx, model: ctx.model ?? '' }, options),
  } satisfies ShardSystem<SystemBKey>,
} as const;

export type ShardSystemId = keyof typeof SHARD_SYSTEMS;

const systemOf = (id: ShardSystemId) => SHARD_SYSTEMS[id] as unknown as ShardSystem<unknown>;

/** The fingerprint of an evaluate job: shards merge only when theirs are equal. */
export interface EvaluateJob {
  readonly [field: string]: unknown;
  readonly system: ShardSystemId;
  readonly cipherpatch: string;
  readonly weightsSha256: string;
  readonly keySha256: string;
  readonly images: number;
  readonly imagesSha256: string;
  readonly wrongKeys: number;
  readonly wrongKeySeed: string | null;
  readonly wrongKeyListSha256: string | null;
  readonly engine: { readonly engine: string; readonly executionProvider: string; readonly backend: string };
}

const sha256 = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** The job's fingerprint from what the shard runs on (the weights by their file's sha256). */
export function evaluateJob<K>(
  system: ShardSystemId,
  input: {
    readonly cipherpatch: string;
    readonly weightsSha256: string;
    readonly key: K;
    readonly images: Uint8Batch;
    readonly labels: Uint8Array;
    readonly wrongKeys: number;
    readonly wrongKeySeed: string;
    readonly wrongKeyList?: readonly K[];
    readonly engine: EvaluateJob['engine'];
  },
): EvaluateJob {
  const codec = systemOf(system);
  const { images, labels, wrongKeyList } = input;
  return {
    system,
    cipherpatch: input.cipherpatch,
    weightsSha256: input.weightsSha256,
    keySha256: sha256(JSON.stringify(codec.keyToJson(input.key))),
    images: images.shape.count,
    imagesSha256: sha256(JSON.stringify({ layout: images.layout, shape: images.shape }), images.data, labels),
    wrongKeys: input.wrongKeys,
    wrongKeySeed: wrongKeyList === undefined ? input.wrongKeySeed : null,
    wrongKeyListSha256: wrongKeyList === undefined ? null : sha256(JSON.stringify(wrongKeyList.slice(0, input.wrongKeys).map((k) => codec.keyToJson(k)))),
    engine: { engine: input.engine.engine, executionProvider: input.engine.executionProvider, backend: input.engine.backend },
  };
}

interface ScoredJson {
  readonly accuracy: number;
  readonly correct: number;
  /** The predicted classes, one byte per image, base64. */
  readonly predictions: string;
}

type BaseJson = Record<string, ScoredJson | number | string>;

export interface EvaluateShardDocument extends ShardDocument {
  readonly format: typeof EVALUATE_SHARD_FORMAT;
  readonly version: typeof EVALUATE_SHARD_VERSION;
  readonly job: EvaluateJob;
  readonly shard: Shard & { readonly wrongKeys: ShardRange };
  readonly createdAt: string;
  readonly command: string;
  readonly report: {
    readonly weights: string;
    readonly keyFile: string;
    readonly data: string;
    readonly model: string | null;
    readonly classNames: readonly string[] | null;
    readonly sampleImages: { readonly layout: Layout; readonly shape: Uint8Batch['shape']; readonly data: string };
    readonly sampleLabels: readonly number[] | null;
  };
  readonly key: unknown;
  readonly result: {
    readonly images: number;
    readonly engine: ExperimentSummary['engine'];
    readonly seconds: ExperimentSummary['seconds'];
    readonly passes: number;
    /** The base passes: Scored results and numbers, as the system's result names them. */
    readonly base: BaseJson;
    readonly wrongKeys: readonly { readonly index: number; readonly seed: string; readonly accuracy: number; readonly key: unknown }[];
  };
}

const isScored = (x: unknown): x is Scored => typeof x === 'object' && x !== null && (x as Scored).predictions instanceof Uint8Array;

/** The base passes of a result: everything but the images, the wrong keys and the summary. */
function baseOf(result: ExperimentResult<unknown>): BaseJson {
  const { images: _images, wrongKeys: _wrongKeys, wrongKeySummary: _summary, engine: _engine, seconds: _seconds, ...base } = result;
  const out: BaseJson = {};
  for (const [name, value] of Object.entries(base)) {
    if (isScored(value)) out[name] = { accuracy: value.accuracy, correct: value.correct, predictions: Buffer.from(value.predictions).toString('base64') };
    else if (typeof value === 'number' || typeof value === 'string') out[name] = value;
    else throw new Error(`evaluate shard: cannot record the result's field ${name}`);
  }
  return out;
}

function baseFromJson(base: BaseJson): Record<string, Scored | number | string> {
  const out: Record<string, Scored | number | string> = {};
  for (const [name, value] of Object.entries(base)) {
    out[name] = typeof value === 'object' ? { accuracy: value.accuracy, correct: value.correct, predictions: new Uint8Array(Buffer.from(value.predictions, 'base64')) } : value;
  }
  return out;
}

/** The shard's document (see the header): its result, what its report needs, and the job it belongs to. */
export function evaluateShardDocument<K>(input: {
  readonly job: EvaluateJob;
  readonly shard: Shard;
  readonly command: string;
  readonly result: ExperimentResult<K>;
  readonly report: ShardReportContext<K>;
  readonly createdAt?: Date;
}): EvaluateShardDocument {
  const { job, shard, result, report } = input;
  const system = systemOf(job.system);
  const range = shardRange(job.wrongKeys, shard);
  const expected = Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
  if (result.wrongKeys.map((w) => w.index).join() !== expected.join()) fail('evaluate.wrong-key-range', `shard ${shard.index} of ${shard.count} must hold wrong keys ${range.start} … ${range.end - 1}`);
  const samples = sliceImages(report.sampleImages, 0, Math.min(EXAMPLE_IMAGES, report.sampleImages.shape.count));
  return {
    format: EVALUATE_SHARD_FORMAT,
    version: EVALUATE_SHARD_VERSION,
    job,
    shard: { index: shard.index, count: shard.count, wrongKeys: range },
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    command: input.command,
    report: {
      weights: report.weightsPath,
      keyFile: report.keyPath,
      data: report.data,
      model: report.model ?? null,
      classNames: report.classNames ?? null,
      sampleImages: { layout: samples.layout, shape: samples.shape, data: Buffer.from(samples.data).toString('base64') },
      sampleLabels: report.sampleLabels === undefined ? null : Array.from(report.sampleLabels.subarray(0, samples.shape.count)),
    },
    key: system.keyToJson(report.key),
    result: {
      images: result.images,
      engine: result.engine,
      seconds: result.seconds,
      passes: system.basePasses + result.wrongKeys.length,
      base: baseOf(result as ExperimentResult<unknown>),
      wrongKeys: result.wrongKeys.map((w) => ({ index: w.index, seed: w.seed, accuracy: w.accuracy, key: system.keyToJson(w.key) })),
    },
  };
}

/** Reads a shard document's JSON, checking its format and the fields merge needs (`merge.format`). */
export function parseEvaluateShard(json: unknown, file: string): EvaluateShardDocument {
  const doc = json as EvaluateShardDocument;
  if (doc?.format !== EVALUATE_SHARD_FORMAT) fail('merge.format', `${file} is not an evaluate shard file (format ${JSON.stringify(doc?.format)})`);
  if (doc.version !== EVALUATE_SHARD_VERSION) fail('merge.format', `${file} is an evaluate shard file of version ${JSON.stringify(doc.version)}; this cipherpatch reads version ${EVALUATE_SHARD_VERSION}`);
  const missing = (['job', 'shard', 'report', 'key', 'result'] as const).filter((f) => f === 'key' ? doc[f] === undefined || doc[f] === null : typeof doc[f] !== 'object' || doc[f] === null);
  if (missing.length > 0) fail('merge.format', `${file} lacks ${missing.join(', ')}: not a whole evaluate shard file`);
  if (!(doc.job.system in SHARD_SYSTEMS)) fail('merge.format', `${file} is a shard of system ${JSON.stringify(doc.job.system)}; evaluate shards are of systems ${Object.keys(SHARD_SYSTEMS).join(', ')}`);
  if (!Array.isArray(doc.result.wrongKeys) || typeof doc.result.base !== 'object' || typeof doc.result.seconds !== 'object' || typeof doc.report.sampleImages !== 'object') fail('merge.format', `${file} is not a whole evaluate shard file`);
  return doc;
}

/** A merged job: its result and report context, ready for the system's report writer, and each shard whose base passes differ from shard 0's. */
export interface MergedEvaluation {
  readonly system: ShardSystemId;
  /** How the system names its keys ("key"/"keys", "matrix"/"matrices", "key set"/"key sets"). */
  readonly names: KeyNames;
  readonly result: ExperimentResult<unknown>;
  readonly context: ShardReportContext<unknown>;
  /** One line per shard whose base passes differ from shard 0's (the report shows shard 0's). */
  readonly disagreements: readonly string[];
  /** Writes the system's report (report.json, report.md, plots) into `dir`, as one run writes it; `command` goes into report.json. */
  writeReport(dir: string, command: string, options?: { overwrite?: boolean }): string[];
}

/**
 * Merges the shards of one evaluate job (files in any order) into the result
 * one run gives: checks they are the whole job (wholeJob), that each holds its
 * range of the wrong keys, and that they ran on the same engine.
 */
export function mergeEvaluateShards(shards: readonly { readonly file: string; readonly doc: EvaluateShardDocument }[]): MergedEvaluation {
  const docs = wholeJob(shards);
  const files = new Map(shards.map((s) => [s.doc, s.file]));
  const first = docs[0];
  const system = systemOf(first.job.system);
  const wrongKeys: WrongKeyResult<unknown>[] = [];
  const disagreements: string[] = [];
  let total = 0;
  let passes = 0;
  for (const doc of docs) {
    const file = files.get(doc)!;
    const range = shardRange(first.job.wrongKeys, doc.shard);
    const indices = doc.result.wrongKeys.map((w) => w.index);
    if (doc.shard.wrongKeys?.start !== range.start || doc.shard.wrongKeys?.end !== range.end || indices.join() !== Array.from({ length: range.end - range.start }, (_, i) => range.start + i).join()) {
      fail('merge.shard-range', `${file}: shard ${doc.shard.index} of ${doc.shard.count} must hold wrong keys ${range.start} … ${range.end - 1} of ${first.job.wrongKeys}, it holds ${indices.length === 0 ? 'none' : `${indices[0]} … ${indices[indices.length - 1]} (${indices.length})`}`);
    }
    const e = doc.result.engine;
    const e0 = first.result.engine;
    // The runtime and its version must agree; its settings (threads, spinning, graph) may differ between
    // machines: they change the speed, not the logits (src/engine/calibrate.ts).
    if (e.name !== e0.name || e.backend !== e0.backend || runtimeOf(e.version) !== runtimeOf(e0.version)) {
      fail('merge.engine-mismatch', `${file} ran on ${e.name} (${e.backend}, ${e.version}), ${files.get(first)} on ${e0.name} (${e0.backend}, ${e0.version}): run every shard on the same engine`);
    }
    const differing = Object.keys({ ...first.result.base, ...doc.result.base }).filter((k) => JSON.stringify(first.result.base[k]) !== JSON.stringify(doc.result.base[k]));
    if (differing.length > 0) disagreements.push(`${file}: shard ${doc.shard.index}'s base passes differ from shard 0's in ${differing.join(', ')} (the report shows shard 0's)`);
    for (const w of doc.result.wrongKeys) wrongKeys.push({ index: w.index, seed: w.seed, accuracy: w.accuracy, key: system.keyFromJson(w.key) });
    total += doc.result.seconds.total;
    passes += doc.result.passes;
  }
  const images = first.result.images;
  const result: ExperimentResult<unknown> = {
    ...baseFromJson(first.result.base),
    images,
    wrongKeys,
    wrongKeySummary: wrongKeySummary(wrongKeys),
    engine: first.result.engine,
    seconds: { total, perPass: total / passes, imagesPerSecond: (passes * images) / total },
  };
  const r = first.report;
  const sampleImages = imageBatch(new Uint8Array(Buffer.from(r.sampleImages.data, 'base64')), r.sampleImages.shape, r.sampleImages.layout);
  const context: ShardReportContext<unknown> = {
    weightsPath: r.weights,
    keyPath: r.keyFile,
    key: system.keyFromJson(first.key),
    data: r.data,
    ...(r.model !== null ? { model: r.model } : {}),
    sampleImages,
    ...(r.sampleLabels !== null ? { sampleLabels: Uint8Array.from(r.sampleLabels) } : {}),
    ...(r.classNames !== null ? { classNames: r.classNames } : {}),
  };
  return {
    system: first.job.system,
    names: { keyNoun: system.keyNoun, keyNouns: system.keyNouns },
    result,
    context,
    disagreements,
    writeReport: (dir, command, options = {}) => system.writeReport(dir, result, { ...context, command }, options),
  };
}
