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
import { type RandomSource, generateKey, randomPermutation, seededRandom } from '../core/keygen.ts';
import type { Engine } from '../engine/engine.ts';
import { argmaxRows, encryptModel, score } from '../evaluate/evaluate.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { type AttackResult, elapsed, keyFractionCorrect } from './common.ts';

/** The true key with s disjoint transpositions of the permutation. */
export function keyAtSwapDistance(key: BlockKey, s: number, random: RandomSource): BlockKey {
  const pb = key.permutation.length;
  if (!Number.isInteger(s) || s < 0 || 2 * s > pb) fail('attack.distance', `swap distance must be an integer in 0..${pb / 2} (p_b/2), got ${s}`);
  const order = randomPermutation(pb, random);
  const permutation = Int32Array.from(key.permutation);
  for (let t = 0; t < s; t++) {
    const a = order[2 * t];
    const b = order[2 * t + 1];
    [permutation[a], permutation[b]] = [permutation[b], permutation[a]];
  }
  return { ...key, permutation, flip: Uint8Array.from(key.flip) };
}

/** The true key with s flipped and s unflipped positions exchanged. */
export function keyAtFlipDistance(key: BlockKey, s: number, random: RandomSource): BlockKey {
  const pb = key.flip.length;
  if (!Number.isInteger(s) || s < 0 || 2 * s > pb) fail('attack.distance', `flip distance must be an integer in 0..${pb / 2}, got ${s}`);
  const order = randomPermutation(pb, random);
  const ones = Array.from(order).filter((k) => key.flip[k] === 1).slice(0, s);
  const zeros = Array.from(order).filter((k) => key.flip[k] === 0).slice(0, s);
  const flip = Uint8Array.from(key.flip);
  for (const k of ones) flip[k] = 0;
  for (const k of zeros) flip[k] = 1;
  return { ...key, permutation: Int32Array.from(key.permutation), flip };
}

export interface AccuracyPoint {
  readonly distance: number;
  /** Accuracy per trial (one random guess at this distance each). */
  readonly accuracies: readonly number[];
  readonly mean: number;
  /** Mean fraction of key positions right in the guesses. */
  readonly keyFraction: number;
}

export interface PartialKeyOptions {
  readonly weights: ConvMixerWeights;
  readonly key: BlockKey;
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  /** Swap distances (default 1, 2, 4, 8, 16) and flip distances (default the same, capped at p_b/2). */
  readonly distances?: readonly number[];
  /** Random guesses per setting (default 3). */
  readonly trials?: number;
  readonly seed?: string;
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

/** Mean log-softmax of the true label per image: a smoother score than accuracy for a key search. */
export function meanLogLikelihood(logits: Float32Array, labels: Uint8Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c] - max);
    total += logits[i * classes + labels[i]] - max - Math.log(sum);
  }
  return total / labels.length;
}

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
  expectKeyFor(key, weights.config.patch, weights.config.channels, `the model (patch size ${weights.config.patch}, ${weights.config.channels} channels)`);
  const engine = await options.createEngine(encryptModel(weights, key));
  return {
    score: async (guess) => {
      const logits = await engine.logits(encryptUint8(images, guess));
      return objective === 'accuracy' ? score(argmaxRows(logits, weights.config.classes), labels).accuracy : meanLogLikelihood(logits, labels, weights.config.classes);
    },
    dispose: () => engine.dispose(),
  };
}

export async function partialKeyAttack(options: PartialKeyOptions): Promise<PartialKeyResult> {
  const started = performance.now();
  const { key } = options;
  const pb = key.permutation.length;
  const trials = options.trials ?? 3;
  if (!Number.isInteger(trials) || trials < 1) fail('attack.trials', `trials must be a positive integer, got ${trials}`);
  const distances = options.distances ?? [1, 2, 4, 8, 16];
  for (const s of distances) if (!Number.isInteger(s) || s < 0 || 2 * s > pb) fail('attack.distance', `distance ${s} is not an integer in 0..${pb / 2} (p_b/2 for p_b = ${pb})`);
  const random = seededRandom(options.seed ?? 'partial-key');
  const scorer = await keyScorer(options);
  let queries = 0;
  const point = async (distance: number, make: () => BlockKey): Promise<AccuracyPoint> => {
    const accuracies: number[] = [];
    let fraction = 0;
    for (let t = 0; t < trials; t++) {
      const guess = make();
      accuracies.push(await scorer.score(guess));
      fraction += keyFractionCorrect(guess, key);
      queries += options.images.shape.count;
    }
    return { distance, accuracies, mean: accuracies.reduce((a, b) => a + b, 0) / trials, keyFraction: fraction / trials };
  };
  try {
    const right = await scorer.score(key);
    queries += options.images.shape.count;
    const randomKey = () => generateKey({ blockSize: key.blockSize, channels: key.channels, seed: String(random.int(2 ** 30)) });
    const rightShuffleWrongFlip = await point(-1, () => ({ ...key, flip: randomKey().flip }));
    const wrongShuffleRightFlip = await point(-1, () => ({ ...key, permutation: randomKey().permutation }));
    const randomKeys = await point(-1, randomKey);
    const swapDistance: AccuracyPoint[] = [];
    const flipDistance: AccuracyPoint[] = [];
    for (const s of distances) swapDistance.push(await point(s, () => keyAtSwapDistance(key, s, random)));
    for (const s of distances) flipDistance.push(await point(s, () => keyAtFlipDistance(key, s, random)));
    const counts = new Array<number>(256).fill(0);
    for (const l of options.labels) counts[l]++;
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
      chance: Math.max(...counts) / options.labels.length,
    };
  } finally {
    scorer.dispose();
  }
}
