/**
 * Partial-key attacks (issue 13, attacks 1–2) on System A: the encrypted
 * model (Eqs. 8–9) queried with images encrypted under keys that are partly
 * right. How fast accuracy recovers as a guess gets closer to the key
 * decides whether a greedy key search can climb.
 *
 *   right shuffle, wrong flip     the true permutation with a random flip vector
 *   wrong shuffle, right flip     a random permutation with the true flip vector
 *   swap distance s               s disjoint transpositions applied to the true
 *                                 permutation (2s positions wrong), flips right
 *   flip distance s               s flipped and s unflipped positions exchanged
 *                                 (2s flip bits wrong, still p_b/2 ones)
 *   random keys                   whole random keys (the paper's Fig. 5)
 */
import { encryptUint8 } from '../core/blockTransform.ts';
import { fail } from '../core/errors.ts';
import type { Uint8Batch } from '../core/images.ts';
import { type BlockKey, expectKeyFor } from '../core/key.ts';
import { type RandomSource, generateKey, seededRandom } from '../core/keygen.ts';
import { flipExchanges, swapSteps } from '../variants/builtin/attackViews.ts';
import type { Engine } from '../engine/engine.ts';
import { encryptModel } from '../model/encryptModel.ts';
import { argmaxRows, score } from '../metrics/scoring.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { type AttackResult, elapsed, keyFractionCorrect, meanLogLikelihood } from './common.ts';
import { type Progress, silentProgress } from '../io/progress.ts';
import type { Variant } from '../variants/contract.ts';
import { neighboursOf, variantKeyFraction, variantKeyScorer } from './variants.ts';
import { plural } from '../core/words.ts';

/** The true key with s disjoint transpositions of the permutation. */
export function keyAtSwapDistance(key: BlockKey, s: number, random: RandomSource): BlockKey {
  return { ...key, permutation: swapSteps(key.permutation, s, random), flip: Uint8Array.from(key.flip) };
}

/** The true key with s flipped and s unflipped positions exchanged. */
export function keyAtFlipDistance(key: BlockKey, s: number, random: RandomSource): BlockKey {
  return { ...key, permutation: Int32Array.from(key.permutation), flip: flipExchanges(key.flip, s, random) };
}

export interface AccuracyPoint {
  readonly distance: number;
  /** Accuracy per trial (one random guess at this distance each). */
  readonly accuracies: readonly number[];
  readonly mean: number;
  /** Mean fraction of key positions right in the guesses. */
  readonly keyFraction: number;
}

/** What both partial-key attacks take besides the key and the distances: the model, the attacker's labelled images, the guesses per setting. */
interface PartialKeySetting {
  readonly weights: ConvMixerWeights;
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  /** Random guesses per setting (default 3). */
  readonly trials?: number;
  readonly seed?: string;
}

export interface PartialKeyOptions extends PartialKeySetting {
  readonly key: BlockKey;
  /** Swap distances (default 1, 2, 4, 8, 16) and flip distances (default the same, capped at p_b/2). */
  readonly distances?: readonly number[];
  /** Progress in keys scored. */
  readonly progress?: Progress;
}

export interface PartialKeyResult extends AttackResult {
  readonly attack: 'partial-key';
  readonly images: number;
  readonly rightKey: number;
  readonly rightShuffleWrongFlip: AccuracyPoint;
  readonly wrongShuffleRightFlip: AccuracyPoint;
  readonly randomKeys: AccuracyPoint;
  readonly swapDistance: readonly AccuracyPoint[];
  readonly flipDistance: readonly AccuracyPoint[];
  /** Accuracy of always guessing the most frequent label (chance level on this set). */
  readonly chance: number;
}

/** Accuracy of the encrypted model on the images encrypted with a guessed key. */
export type KeyScorer = (guess: BlockKey) => Promise<number>;

/**
 * Scores guesses with the encrypted model on the attacker's labelled images:
 * 'accuracy' (default) or 'log-likelihood' (meanLogLikelihood).
 */
export async function keyScorer(
  options: Pick<PartialKeyOptions, 'weights' | 'key' | 'images' | 'labels' | 'createEngine'> & { objective?: 'accuracy' | 'log-likelihood' },
): Promise<{ score: KeyScorer; dispose(): void }> {
  const { weights, key, images, labels } = options;
  const objective = options.objective ?? 'accuracy';
  if (objective !== 'accuracy' && objective !== 'log-likelihood') fail('attack.objective', `unknown objective "${String(objective)}": use accuracy or log-likelihood`);
  if (labels.length !== images.shape.count) fail('attack.labels', `${labels.length} labels for ${images.shape.count} images`);
  expectKeyFor(key, weights.config.patch, weights.config.channels, `the model (patch size ${weights.config.patch}, ${plural(weights.config.channels, 'channel')})`);
  const engine = await options.createEngine(encryptModel(weights, key));
  return {
    score: async (guess) => {
      const logits = await engine.logits(encryptUint8(images, guess));
      return objective === 'accuracy' ? score(argmaxRows(logits, weights.config.classes), labels).accuracy : meanLogLikelihood(logits, labels, weights.config.classes);
    },
    dispose: () => engine.dispose(),
  };
}

/** Random guesses per setting: 3 by default, else a positive integer (check `attack.trials`). */
function checkTrials(requested: number | undefined): number {
  const trials = requested ?? 3;
  if (!Number.isInteger(trials) || trials < 1) fail('attack.trials', `trials must be a positive integer, got ${trials}`);
  return trials;
}

/**
 * One point of a partial-key curve: `trials` guesses from `make`, each
 * scored, with the mean accuracy and the mean fraction of the key right
 * (`fractionOf`); `scored()` runs after each guess (query and progress counts).
 */
async function accuracyPoint<K>(distance: number, trials: number, make: () => K, score: (guess: K) => Promise<number>, fractionOf: (guess: K) => number, scored: () => void): Promise<AccuracyPoint> {
  const accuracies: number[] = [];
  let fraction = 0;
  for (let t = 0; t < trials; t++) {
    const guess = make();
    accuracies.push(await score(guess));
    fraction += fractionOf(guess);
    scored();
  }
  return { distance, accuracies, mean: accuracies.reduce((a, b) => a + b, 0) / trials, keyFraction: fraction / trials };
}

export async function partialKeyAttack(options: PartialKeyOptions): Promise<PartialKeyResult> {
  const started = performance.now();
  const { key } = options;
  const pb = key.permutation.length;
  const trials = checkTrials(options.trials);
  const distances = options.distances ?? [1, 2, 4, 8, 16];
  for (const s of distances) if (!Number.isInteger(s) || s < 0 || 2 * s > pb) fail('attack.distance', `distance ${s} is not an integer in 0..${pb / 2} (p_b/2 for p_b = ${pb})`);
  const random = seededRandom(options.seed ?? 'partial-key');
  const scorer = await keyScorer(options);
  const progress = options.progress ?? silentProgress;
  let queries = 0;
  let scored = 0;
  progress.start('partial keys', 1 + trials * (3 + 2 * distances.length), 'keys');
  const point = (distance: number, make: () => BlockKey): Promise<AccuracyPoint> =>
    accuracyPoint(distance, trials, make, scorer.score, (guess) => keyFractionCorrect(guess, key), () => {
      progress.update(++scored);
      queries += options.images.shape.count;
    });
  try {
    const right = await scorer.score(key);
    queries += options.images.shape.count;
    progress.update(++scored);
    const randomKey = () => generateKey({ blockSize: key.blockSize, channels: key.channels, seed: String(random.int(2 ** 30)) });
    const rightShuffleWrongFlip = await point(-1, () => ({ ...key, flip: randomKey().flip }));
    const wrongShuffleRightFlip = await point(-1, () => ({ ...key, permutation: randomKey().permutation }));
    const randomKeys = await point(-1, randomKey);
    const swapDistance: AccuracyPoint[] = [];
    const flipDistance: AccuracyPoint[] = [];
    for (const s of distances) swapDistance.push(await point(s, () => keyAtSwapDistance(key, s, random)));
    for (const s of distances) flipDistance.push(await point(s, () => keyAtFlipDistance(key, s, random)));
    return {
      attack: 'partial-key',
      keyRecovered: null,
      fractionCorrect: null,
      effort: { images: options.images.shape.count, queries },
      seconds: elapsed(started),
      images: options.images.shape.count,
      rightKey: right,
      rightShuffleWrongFlip,
      wrongShuffleRightFlip,
      randomKeys,
      swapDistance,
      flipDistance,
      chance: chanceLevel(options.labels),
    };
  } finally {
    progress.stop();
    scorer.dispose();
  }
}

export interface VariantPartialKeyOptions<K> extends PartialKeySetting {
  readonly variant: Variant<K>;
  readonly key: K;
  /** Distances in the variant's steps (default 1, 2, 4, …, up to its maxDistance). */
  readonly distances?: readonly number[];
}

export interface VariantPartialKeyResult extends AttackResult {
  readonly attack: 'partial-key';
  readonly variant: string;
  /** What one step of distance is (the variant's neighbours.step). */
  readonly step: string;
  readonly adapter: string;
  readonly images: number;
  readonly rightKey: number;
  readonly randomKeys: AccuracyPoint;
  readonly distance: readonly AccuracyPoint[];
  readonly chance: number;
}

/** Most frequent label's share: the accuracy of always guessing it. */
export function chanceLevel(labels: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const l of labels) counts[l]++;
  return Math.max(...counts) / labels.length;
}

/**
 * The partial-key attack on any variant with an adapted model and
 * `neighbours`: accuracy with the right key, random keys, and keys at the
 * variant's own distance d (d random steps). keyFraction is counted in the
 * variant's signed-permutation view (NaN without one).
 */
export async function variantPartialKeyAttack<K>(options: VariantPartialKeyOptions<K>): Promise<VariantPartialKeyResult> {
  const started = performance.now();
  const { variant, key } = options;
  const neighbours = neighboursOf(variant, 'partial-key');
  const max = neighbours.maxDistance(variant.params);
  const trials = checkTrials(options.trials);
  const distances = options.distances ?? [1, 2, 4, 8, 16, 32].filter((d) => d <= max);
  for (const d of distances) if (!Number.isInteger(d) || d < 0 || d > max) fail('attack.distance', `distance ${d} is not an integer in 0..${max} (${variant.name}: ${neighbours.step})`);
  const seed = options.seed ?? 'partial-key';
  const random = seededRandom(seed);
  const scorer = await variantKeyScorer({ ...options, attack: 'partial-key' });
  const n = options.images.shape.count;
  let queries = 0;
  let drawn = 0;
  const point = (distance: number, make: () => K): Promise<AccuracyPoint> =>
    accuracyPoint(distance, trials, make, scorer.score, (guess) => variantKeyFraction(variant, guess, key) ?? Number.NaN, () => {
      queries += n;
    });
  try {
    const right = await scorer.score(key);
    queries += n;
    const randomKeys = await point(-1, () => variant.generateKey(variant.params, `${seed}/random/${drawn++}`));
    const distance: AccuracyPoint[] = [];
    for (const d of distances) distance.push(await point(d, () => neighbours.atDistance(key, d, random)));
    return {
      attack: 'partial-key',
      keyRecovered: null,
      fractionCorrect: null,
      effort: { images: n, queries },
      seconds: elapsed(started),
      variant: variant.name,
      step: neighbours.step,
      adapter: scorer.adapter,
      images: n,
      rightKey: right,
      randomKeys,
      distance,
      chance: chanceLevel(options.labels),
    };
  } finally {
    scorer.dispose();
  }
}
