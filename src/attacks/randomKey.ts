/**
 * Random-key attack (issue 13, attack 1; the paper's Fig. 5): the attacker
 * holds the encrypted model and guesses whole keys at random. The
 * measurement is the evaluate job's (src/evaluate/evaluate.ts): the plain
 * model, the encrypted model with the right key, and N seeded random keys
 * (wrongKeysFor: `${seed}:${i}`, never the right key). The attack adds what
 * an attacker gets: the best accuracy after trying i keys, and how much of
 * the key the best guesses have right.
 */
import { fail } from '../core/errors.ts';
import type { Uint8Batch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { Engine } from '../engine/engine.ts';
import { evaluate } from '../evaluate/evaluate.ts';
import type { Progress } from '../io/progress.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import type { FiveNumberSummary } from '../metrics/statistics.ts';
import { type AttackResult, elapsed, engineLabel, keyFractionCorrect } from './common.ts';
import { chanceLevel } from './partialKey.ts';

export interface RandomKeyOptions {
  readonly weights: ConvMixerWeights;
  readonly key: BlockKey;
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  /** Random keys to try (N ≥ 1). */
  readonly keys: number;
  /** Key i is generateKey({ seed: `${seed}:${i}` }) (default "random-key"). */
  readonly seed?: string;
  readonly progress?: Progress;
}

export interface RandomKeyTry {
  readonly index: number;
  readonly seed: string;
  readonly accuracy: number;
  /** Fraction of key positions this random key has right (permutation entry and flip bit). */
  readonly keyFraction: number;
}

export interface RandomKeyResult extends AttackResult {
  readonly attack: 'random-key';
  readonly images: number;
  readonly seed: string;
  readonly plainAccuracy: number;
  readonly rightKey: number;
  /** The encrypted model on plain (unencrypted) images. */
  readonly encryptedModelPlainImages: number;
  readonly chance: number;
  readonly tries: readonly RandomKeyTry[];
  readonly summary: FiveNumberSummary;
  /** Best accuracy after the first i + 1 keys (what an attacker keeping the best key reaches). */
  readonly bestSoFar: readonly number[];
  readonly engine: string;
}

export async function randomKeyAttack(options: RandomKeyOptions): Promise<RandomKeyResult> {
  const started = performance.now();
  const { keys } = options;
  if (!Number.isInteger(keys) || keys < 1) fail('attack.keys', `the number of random keys must be a positive integer, got ${keys}`);
  const seed = options.seed ?? 'random-key';
  const r = await evaluate({
    weights: options.weights,
    key: options.key,
    images: options.images,
    labels: options.labels,
    createEngine: options.createEngine,
    wrongKeys: keys,
    wrongKeySeed: seed,
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const tries = r.wrongKeys.map((w) => ({ index: w.index, seed: w.seed, accuracy: w.accuracy, keyFraction: keyFractionCorrect(w.key, options.key) }));
  const bestSoFar: number[] = [];
  for (const t of tries) bestSoFar.push(Math.max(t.accuracy, bestSoFar.at(-1) ?? -Infinity));
  const best = Math.max(...tries.map((t) => t.keyFraction));
  return {
    attack: 'random-key',
    keyRecovered: best === 1,
    fractionCorrect: best,
    effort: { keys, images: r.images, queries: keys * r.images },
    seconds: elapsed(started),
    images: r.images,
    seed,
    plainAccuracy: r.plainModelPlainImages.accuracy,
    rightKey: r.encryptedModelEncryptedImages.accuracy,
    encryptedModelPlainImages: r.encryptedModelPlainImages.accuracy,
    chance: chanceLevel(options.labels),
    tries,
    summary: r.wrongKeySummary as FiveNumberSummary,
    bestSoFar,
    engine: engineLabel(r.engine),
  };
}
