/**
 * The experiment of System A (Table 1 and Fig. 5 of the ConvMixer paper):
 *   1. plain model on plain images;
 *   2. encrypted model (Eqs. 8–9) on plain images;
 *   3. encrypted model on images encrypted with the right key (Eqs. 4–5) —
 *      must give the same predictions as 1;
 *   4. encrypted model on images encrypted with N random wrong keys.
 * The engine is created through a factory so any backend can run it.
 */
import { encryptUint8 } from '../core/blockTransform.ts';
import { fail } from '../core/errors.ts';
import type { Uint8Batch } from '../core/images.ts';
import { type BlockKey, expectKeyFor, keysEqual } from '../core/key.ts';
import { generateKey } from '../core/keygen.ts';
import { transformPatchEmbedding } from '../core/modelTransform.ts';
import { type Engine, sliceImages } from '../engine/engine.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { type Progress, silentProgress } from '../io/progress.ts';
import { type FiveNumberSummary, summarize } from '../report/statistics.ts';
import { plural } from '../core/words.ts';

export interface EvaluateOptions {
  readonly weights: ConvMixerWeights;
  readonly key: BlockKey;
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  /** Makes an engine for a model; called twice (plain and encrypted model). */
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  readonly wrongKeys: number;
  /** Wrong key i is generateKey({ seed: `${wrongKeySeed}:${i}` }) (skipping any equal to the right key). */
  readonly wrongKeySeed: string;
  /** Explicit wrong keys (e.g. a golden run's); used instead of seeded ones, the first `wrongKeys` of them. */
  readonly wrongKeyList?: readonly BlockKey[];
  /** Images per engine call (progress granularity). */
  readonly chunk?: number;
  readonly progress?: Progress;
}

export interface Scored {
  readonly accuracy: number;
  readonly correct: number;
  readonly predictions: Uint8Array;
}

/** The model's accuracy under wrong key `index` (of any system's key type K). */
export interface WrongKeyResult<K = BlockKey> {
  readonly index: number;
  readonly seed: string;
  readonly key: K;
  readonly accuracy: number;
}

/** What every experiment's result ends with: the wrong keys' five-number summary, the engine that ran, its speed. */
export interface ExperimentSummary {
  readonly wrongKeySummary: FiveNumberSummary | null;
  readonly engine: { readonly name: string; readonly backend: string; readonly threads: number; readonly version: string };
  readonly seconds: { readonly total: number; readonly perPass: number; readonly imagesPerSecond: number };
}

export interface EvaluateResult extends ExperimentSummary {
  readonly images: number;
  readonly plainModelPlainImages: Scored;
  readonly encryptedModelPlainImages: Scored;
  readonly encryptedModelEncryptedImages: Scored;
  /** Images whose right-key prediction differs from the plain model's (must be 0). */
  readonly predictionMismatches: number;
  /** Largest |logit difference| between the plain pipeline and the right-key encrypted one. */
  readonly maxLogitDifference: number;
  readonly wrongKeys: readonly WrongKeyResult[];
}

export function argmaxRows(logits: Float32Array, classes: number): Uint8Array {
  const n = logits.length / classes;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

export function score(predictions: Uint8Array, labels: Uint8Array): Scored {
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return { accuracy: correct / predictions.length, correct, predictions };
}

/** The encrypted model: only the patch-embedding weight changes (Eqs. 8–9). */
export function encryptModel(weights: ConvMixerWeights, key: BlockKey): ConvMixerWeights {
  const { dim, channels, patch } = weights.config;
  const embedWeight = transformPatchEmbedding({ data: weights.embedWeight, shape: [dim, channels, patch, patch] }, key).data;
  return { ...weights, embedWeight };
}

/** Wrong keys for the experiment: deterministic from a seed, never equal to the right key. */
export function wrongKeysFor(key: BlockKey, count: number, seed: string): { seed: string; key: BlockKey }[] {
  const out: { seed: string; key: BlockKey }[] = [];
  for (let i = 0; out.length < count; i++) {
    const s = `${seed}:${i}`;
    const k = generateKey({ blockSize: key.blockSize, channels: key.channels, seed: s });
    if (!keysEqual(k, key)) out.push({ seed: s, key: k });
  }
  return out;
}

function explicitWrongKeys(key: BlockKey, list: readonly BlockKey[], count: number): { seed: string; key: BlockKey }[] {
  if (list.length < count) fail('evaluate.wrong-keys', `${count} wrong keys asked for, but the list holds ${list.length}`);
  return list.slice(0, count).map((k, i) => {
    expectKeyFor(k, key.blockSize, key.channels, `wrong key ${i} of the list`);
    if (keysEqual(k, key)) fail('evaluate.wrong-keys', `wrong key ${i} of the list is the right key`);
    return { seed: `list:${i}`, key: k };
  });
}

/**
 * Logits of `count` images, `chunk` at a time (the progress granularity):
 * `run(start, n)` gives the logits of images start … start + n − 1.
 */
export async function logitsInChunks(count: number, classes: number, chunk: number, progress: Progress, phase: string, run: (start: number, n: number) => Promise<Float32Array>): Promise<Float32Array> {
  const out = new Float32Array(count * classes);
  progress.start(phase, count, 'images');
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    out.set(await run(start, n), start * classes);
    progress.update(start + n);
  }
  progress.stop();
  return out;
}

/** Checks an experiment's labels and wrong-key count (`evaluate.labels`, `evaluate.wrong-keys`); `wrongKeysName` names them ("wrong keys"). */
export function checkExperimentInputs(count: number, labels: Uint8Array, wrongKeys: number, wrongKeysName: string): void {
  if (labels.length !== count) fail('evaluate.labels', `${labels.length} labels for ${count} images`);
  if (!Number.isInteger(wrongKeys) || wrongKeys < 0) fail('evaluate.wrong-keys', `the number of ${wrongKeysName} must be a non-negative integer, got ${wrongKeys}`);
}

/**
 * Scores the model under each wrong key: `logitsFor(key, index)` gives the
 * logits of every image; the accuracy against `labels` is kept.
 */
export async function scoreWrongKeys<K>(keys: readonly { seed: string; key: K }[], labels: Uint8Array, classes: number, logitsFor: (key: K, index: number) => Promise<Float32Array>): Promise<WrongKeyResult<K>[]> {
  const wrong: WrongKeyResult<K>[] = [];
  for (const [index, wk] of keys.entries()) {
    const logits = await logitsFor(wk.key, index);
    wrong.push({ index, seed: wk.seed, key: wk.key, accuracy: score(argmaxRows(logits, classes), labels).accuracy });
  }
  return wrong;
}

/** The parts every experiment's result shares: the wrong keys' five-number summary, the engine that ran, and the time of `passes` passes over `count` images since `started` (performance.now()). */
export function experimentSummary(wrong: readonly { accuracy: number }[], engine: Engine<unknown>, started: number, passes: number, count: number): ExperimentSummary {
  const total = (performance.now() - started) / 1000;
  return {
    wrongKeySummary: wrong.length > 0 ? summarize(wrong.map((w) => w.accuracy)) : null,
    engine: { name: engine.name, backend: engine.backend, threads: engine.threads, version: engine.version },
    seconds: { total, perPass: total / passes, imagesPerSecond: (passes * count) / total },
  };
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { weights, key, images, labels, wrongKeys } = options;
  const progress = options.progress ?? silentProgress;
  const chunk = options.chunk ?? 500;
  const n = images.shape.count;
  checkExperimentInputs(n, labels, wrongKeys, 'wrong keys');
  expectKeyFor(key, weights.config.patch, weights.config.channels, `the model (patch size ${weights.config.patch}, ${plural(weights.config.channels, 'channel')})`);
  // The wrong keys are checked before any pass: a bad list must not fail after minutes of inference.
  const keys = options.wrongKeyList === undefined ? wrongKeysFor(key, wrongKeys, options.wrongKeySeed) : explicitWrongKeys(key, options.wrongKeyList, wrongKeys);
  const classes = weights.config.classes;
  const started = performance.now();
  let passes = 0;
  /** One pass of `engine` over `batch`, chunk by chunk, shown as `phase`. */
  const pass = (engine: Engine, batch: Uint8Batch, phase: string) => logitsInChunks(n, classes, chunk, progress, phase, (start, count) => engine.logits(sliceImages(batch, start, count)));

  const plainEngine = await options.createEngine(weights);
  let plainLogits: Float32Array;
  try {
    plainLogits = await pass(plainEngine, images, 'plain model, plain images');
    passes++;
  } finally {
    plainEngine.dispose();
  }
  const encrypted = await options.createEngine(encryptModel(weights, key));
  try {
    const encPlainLogits = await pass(encrypted, images, 'encrypted model, plain images');
    const encEncLogits = await pass(encrypted, encryptUint8(images, key), 'encrypted model, right key');
    passes += 2;
    const plain = score(argmaxRows(plainLogits, classes), labels);
    const right = score(argmaxRows(encEncLogits, classes), labels);
    let mismatches = 0;
    for (let i = 0; i < n; i++) if (plain.predictions[i] !== right.predictions[i]) mismatches++;
    let maxDiff = 0;
    for (let i = 0; i < plainLogits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(plainLogits[i] - encEncLogits[i]));

    const wrong: WrongKeyResult[] = await scoreWrongKeys(keys, labels, classes, (wrongKey, index) => {
      passes++;
      return pass(encrypted, encryptUint8(images, wrongKey), `wrong key ${index + 1}/${keys.length}`);
    });
    return {
      images: n,
      plainModelPlainImages: plain,
      encryptedModelPlainImages: score(argmaxRows(encPlainLogits, classes), labels),
      encryptedModelEncryptedImages: right,
      predictionMismatches: mismatches,
      maxLogitDifference: maxDiff,
      wrongKeys: wrong,
      ...experimentSummary(wrong, encrypted, started, passes, n),
    };
  } finally {
    encrypted.dispose();
  }
}
