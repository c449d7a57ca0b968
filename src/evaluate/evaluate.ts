/**
 * The experiment of System A (Table 1 and Fig. 5 of the ConvMixer paper):
 *   1. plain model on plain images;
 *   2. encrypted model (Eqs. 8–9) on plain images;
 *   3. encrypted model on images encrypted with the right key (Eqs. 4–5) —
 *      must give the same predictions as 1;
 *   4. encrypted model on images encrypted with N random wrong keys.
 * System C (src/evaluate/systemC.ts) runs the same experiment with its own
 * KeyedSystem: a matrix for a key, E′ = QᵀE for Eqs. 8–9.
 * The engine is created through a factory so any backend can run it.
 */
import { encryptUint8 } from '../core/blockTransform.ts';
import { fail } from '../core/errors.ts';
import { type Uint8Batch, sliceImages } from '../core/images.ts';
import { type BlockKey, expectKeyFor, keysEqual } from '../core/key.ts';
import { generateKey } from '../core/keygen.ts';
import type { Engine } from '../engine/engine.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { encryptModel } from '../model/encryptModel.ts';
import { type Progress, silentProgress } from '../io/progress.ts';
import { type Scored, argmaxRows, maxAbsDifference, predictionMismatches, score } from '../metrics/scoring.ts';
import { type FiveNumberSummary, summarize } from '../metrics/statistics.ts';
import { plural } from '../core/words.ts';
import type { ShardRange } from '../core/shards.ts';

export interface EvaluateOptions<K = BlockKey> {
  readonly weights: ConvMixerWeights;
  readonly key: K;
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  /** Makes an engine for a model; called twice (plain and encrypted model). */
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  /** How many wrong keys (default: every key of `wrongKeyList`, else DEFAULT_WRONG_KEYS). */
  readonly wrongKeys?: number;
  /** Wrong key i is generateKey({ seed: `${wrongKeySeed}:${i}` }) (skipping any equal to the right key). */
  readonly wrongKeySeed: string;
  /** Explicit wrong keys (e.g. a golden run's); used instead of seeded ones, the first `wrongKeys` of them (all by default). */
  readonly wrongKeyList?: readonly K[];
  /** Only wrong keys start … end − 1 of the experiment's list (one shard of it, src/evaluate/shard.ts); each keeps its index and seed. Default: all. */
  readonly wrongKeyRange?: ShardRange;
  /** Images per engine call (progress granularity). */
  readonly chunk?: number;
  readonly progress?: Progress;
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
  readonly engine: { readonly name: string; readonly backend: string; readonly threads: number; readonly version: string; readonly fallback?: string };
  readonly seconds: { readonly total: number; readonly perPass: number; readonly imagesPerSecond: number };
}

export interface EvaluateResult<K = BlockKey> extends ExperimentSummary {
  readonly images: number;
  readonly plainModelPlainImages: Scored;
  readonly encryptedModelPlainImages: Scored;
  readonly encryptedModelEncryptedImages: Scored;
  /** Images whose right-key prediction differs from the plain model's (must be 0). */
  readonly predictionMismatches: number;
  /** Largest |logit difference| between the plain pipeline and the right-key encrypted one. */
  readonly maxLogitDifference: number;
  readonly wrongKeys: readonly WrongKeyResult<K>[];
}

/** How messages and reports name a system's keys: "key"/"keys" (System A), "matrix"/"matrices" (System C). */
export interface KeyNames {
  readonly keyNoun: string;
  readonly keyNouns: string;
}

/**
 * What a keyed system brings to the experiment: how its key transforms the
 * model and the images, how wrong keys are drawn, compared and checked.
 */
export interface KeyedSystem<K> extends KeyNames {
  /** The encrypted model (Eqs. 8–9 for System A). */
  transformModel(weights: ConvMixerWeights, key: K): ConvMixerWeights;
  /** The logits of images start … start + count − 1 encrypted with `key`. */
  encryptedLogits(engine: Engine, images: Uint8Batch, key: K, start: number, count: number): Promise<Float32Array>;
  /** Throws unless `key` fits the model; `what` names the key in the message. */
  checkKey(key: K, weights: ConvMixerWeights, what: string): void;
  /** The key derived from `seed`, the same configuration as `like`. */
  seededKey(like: K, seed: string): K;
  equal(a: K, b: K): boolean;
}

/** System A: a block key; Eqs. 4–5 on 8-bit images, Eqs. 8–9 on the model. */
export const SYSTEM_A: KeyedSystem<BlockKey> = {
  keyNoun: 'key',
  keyNouns: 'keys',
  transformModel: (weights, key) => encryptModel(weights, key),
  encryptedLogits: (engine, images, key, start, count) => engine.logits(encryptUint8(sliceImages(images, start, count), key)),
  checkKey: (key, weights, what) => expectKeyFor(key, weights.config.patch, weights.config.channels, what),
  seededKey: (like, seed) => generateKey({ blockSize: like.blockSize, channels: like.channels, seed }),
  equal: keysEqual,
};

/** Wrong keys of `system` for the experiment: `${seed}:${i}`, deterministic, never equal to the right key. */
export function seededWrongKeys<K>(system: KeyedSystem<K>, key: K, count: number, seed: string): { seed: string; key: K }[] {
  const out: { seed: string; key: K }[] = [];
  for (let i = 0; out.length < count; i++) {
    const s = `${seed}:${i}`;
    const k = system.seededKey(key, s);
    if (!system.equal(k, key)) out.push({ seed: s, key: k });
  }
  return out;
}

/** Wrong keys for the experiment: deterministic from a seed, never equal to the right key. */
export function wrongKeysFor(key: BlockKey, count: number, seed: string): { seed: string; key: BlockKey }[] {
  return seededWrongKeys(SYSTEM_A, key, count, seed);
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

/** The paper's count of wrong keys (Fig. 5), when neither a count nor a list is given. */
export const DEFAULT_WRONG_KEYS = 100;

/** How many wrong keys an experiment runs: the count asked for, else the whole explicit list, else DEFAULT_WRONG_KEYS. */
export function wrongKeyCount(requested: number | undefined, list?: readonly unknown[]): number {
  return requested ?? list?.length ?? DEFAULT_WRONG_KEYS;
}

/** Checks an experiment's labels and wrong-key count (`evaluate.labels`, `evaluate.wrong-keys`); `wrongKeysName` names them ("wrong keys"). */
function checkExperimentInputs(count: number, labels: Uint8Array, wrongKeys: number, wrongKeysName: string): void {
  if (labels.length !== count) fail('evaluate.labels', `${labels.length} labels for ${count} images`);
  if (!Number.isInteger(wrongKeys) || wrongKeys < 0) fail('evaluate.wrong-keys', `the number of ${wrongKeysName} must be a non-negative integer, got ${wrongKeys}`);
}

/** The options every experiment has, whatever its system's key type K. */
type ExperimentInputs<K> = Pick<EvaluateOptions<K>, 'images' | 'labels' | 'wrongKeys' | 'wrongKeySeed' | 'wrongKeyList' | 'wrongKeyRange' | 'chunk' | 'progress'>;

/** What a system brings to the start of its experiment. */
interface ExperimentRules<K> {
  /** Images per engine call, unless the options say. */
  readonly chunk: number;
  /** How messages name the wrong keys ("wrong keys", "wrong key sets"). */
  readonly wrongKeysName: string;
  /** Checks the right key against the model and the images (throws). */
  checkKey(): void;
  /** `count` wrong keys from `seed`, never the right key. */
  seeded(count: number, seed: string): { seed: string; key: K }[];
  /** Checks wrong key `index` of an explicit list (throws), e.g. that it is not the right key. */
  checkListed(key: K, index: number): void;
}

interface ExperimentStart<K> {
  /** How many images. */
  readonly count: number;
  readonly chunk: number;
  readonly progress: Progress;
  /** The wrong keys this run scores: those of `range` (all of them unless a shard's range is given). */
  readonly wrongKeys: readonly { seed: string; key: K }[];
  /** Which of the experiment's wrong keys these are (a shard's range; 0 … total by default). */
  readonly range: ShardRange;
  /** How many wrong keys the whole experiment has (every shard together). */
  readonly total: number;
  /** performance.now() once everything is checked. */
  readonly started: number;
}

/**
 * The start every experiment shares: the labels and the number of wrong keys
 * checked, then the right key (`rules.checkKey`), then the wrong keys drawn —
 * seeded, or the first ones of the explicit list, each checked — all before
 * any pass, so that bad input fails before minutes of inference.
 */
export function startExperiment<K>(options: ExperimentInputs<K>, rules: ExperimentRules<K>): ExperimentStart<K> {
  const wanted = wrongKeyCount(options.wrongKeys, options.wrongKeyList);
  const count = options.images.shape.count;
  checkExperimentInputs(count, options.labels, wanted, rules.wrongKeysName);
  rules.checkKey();
  const range = wrongKeyRangeOf(options.wrongKeyRange, wanted);
  const list = options.wrongKeyList;
  let wrongKeys: { seed: string; key: K }[];
  // Seeded keys up to the range's end (key i is the same in every shard); a list is checked whole.
  if (list === undefined) wrongKeys = rules.seeded(range.end, options.wrongKeySeed);
  else {
    if (list.length < wanted) fail('evaluate.wrong-keys', `${wanted} ${rules.wrongKeysName} asked for, but the list holds ${list.length}`);
    wrongKeys = list.slice(0, wanted).map((key, i) => {
      rules.checkListed(key, i);
      return { seed: `list:${i}`, key };
    });
  }
  return { count, chunk: options.chunk ?? rules.chunk, progress: options.progress ?? silentProgress, wrongKeys: wrongKeys.slice(range.start, range.end), range, total: wanted, started: performance.now() };
}

/**
 * Scores the model under each wrong key: `logitsFor(key, index)` gives the
 * logits of every image; the accuracy against `labels` is kept. The keys are
 * numbered from `first` (a shard's first key; 0 by default).
 */
export async function scoreWrongKeys<K>(keys: readonly { seed: string; key: K }[], labels: Uint8Array, classes: number, logitsFor: (key: K, index: number) => Promise<Float32Array>, first = 0): Promise<WrongKeyResult<K>[]> {
  const wrong: WrongKeyResult<K>[] = [];
  for (const [i, wk] of keys.entries()) {
    const index = first + i;
    const logits = await logitsFor(wk.key, index);
    wrong.push({ index, seed: wk.seed, key: wk.key, accuracy: score(argmaxRows(logits, classes), labels).accuracy });
  }
  return wrong;
}

/** The wrong keys' five-number summary (null without wrong keys). */
export function wrongKeySummary(wrong: readonly { accuracy: number }[]): FiveNumberSummary | null {
  return wrong.length > 0 ? summarize(wrong.map((w) => w.accuracy)) : null;
}

/** Checks a shard's range of the wrong keys (`evaluate.wrong-key-range`) and returns it; the whole list when there is none. */
export function wrongKeyRangeOf(range: ShardRange | undefined, wrongKeys: number): ShardRange {
  if (range === undefined) return { start: 0, end: wrongKeys };
  if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.start > range.end || range.end > wrongKeys) fail('evaluate.wrong-key-range', `wrong keys ${range.start} … ${range.end - 1} are not a range of the ${wrongKeys} wrong keys`);
  return range;
}

/** The parts every experiment's result shares: the wrong keys' five-number summary, the engine that ran, and the time of `passes` passes over `count` images since `started` (performance.now()). */
export function experimentSummary(wrong: readonly { accuracy: number }[], engine: Engine<unknown>, started: number, passes: number, count: number): ExperimentSummary {
  const total = (performance.now() - started) / 1000;
  return {
    wrongKeySummary: wrongKeySummary(wrong),
    engine: { name: engine.name, backend: engine.backend, threads: engine.threads, version: engine.version, ...(engine.fallback === undefined ? {} : { fallback: engine.fallback }) },
    seconds: { total, perPass: total / passes, imagesPerSecond: (passes * count) / total },
  };
}

/** Why this engine ran instead of onnx, as a clause to append to a line naming the engine ('' when it was the one asked for). */
export function fallbackNote(engine: { readonly fallback?: string }): string {
  return engine.fallback === undefined ? '' : `; ${engine.fallback}`;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  return runKeyedExperiment(SYSTEM_A, options);
}

/** The experiment (steps 1–4 above) for any keyed system of the ConvMixer: System A's `evaluate`, System C's `evaluateOrthogonal`. */
export async function runKeyedExperiment<K>(system: KeyedSystem<K>, options: EvaluateOptions<K>): Promise<EvaluateResult<K>> {
  const { weights, key, images, labels } = options;
  const { count: n, chunk, progress, wrongKeys: keys, range, total, started } = startExperiment(options, {
    chunk: 500,
    wrongKeysName: `wrong ${system.keyNouns}`,
    checkKey: () => system.checkKey(key, weights, `the model (patch size ${weights.config.patch}, ${plural(weights.config.channels, 'channel')})`),
    seeded: (count, seed) => seededWrongKeys(system, key, count, seed),
    checkListed: (k, i) => {
      system.checkKey(k, weights, `wrong ${system.keyNoun} ${i} of the list`);
      if (system.equal(k, key)) fail('evaluate.wrong-keys', `wrong ${system.keyNoun} ${i} of the list is the right ${system.keyNoun}`);
    },
  });
  const classes = weights.config.classes;
  let passes = 0;
  /** One pass of `engine` over the images, chunk by chunk, shown as `phase`; encrypted with `k` unless it is undefined. */
  const pass = (engine: Engine, k: K | undefined, phase: string) =>
    logitsInChunks(n, classes, chunk, progress, phase, (start, count) => (k === undefined ? engine.logits(sliceImages(images, start, count)) : system.encryptedLogits(engine, images, k, start, count)));

  const plainEngine = await options.createEngine(weights);
  let plainLogits: Float32Array;
  try {
    plainLogits = await pass(plainEngine, undefined, 'plain model, plain images');
    passes++;
  } finally {
    plainEngine.dispose();
  }
  const encrypted = await options.createEngine(system.transformModel(weights, key));
  try {
    const encPlainLogits = await pass(encrypted, undefined, 'encrypted model, plain images');
    const encEncLogits = await pass(encrypted, key, `encrypted model, right ${system.keyNoun}`);
    passes += 2;
    const plain = score(argmaxRows(plainLogits, classes), labels);
    const right = score(argmaxRows(encEncLogits, classes), labels);
    const wrong = await scoreWrongKeys(
      keys,
      labels,
      classes,
      (wrongKey, index) => {
        passes++;
        return pass(encrypted, wrongKey, `wrong ${system.keyNoun} ${index + 1}/${total}`);
      },
      range.start,
    );
    return {
      images: n,
      plainModelPlainImages: plain,
      encryptedModelPlainImages: score(argmaxRows(encPlainLogits, classes), labels),
      encryptedModelEncryptedImages: right,
      predictionMismatches: predictionMismatches(plain.predictions, right.predictions),
      maxLogitDifference: maxAbsDifference(plainLogits, encEncLogits),
      wrongKeys: wrong,
      ...experimentSummary(wrong, encrypted, started, passes, n),
    };
  } finally {
    encrypted.dispose();
  }
}
