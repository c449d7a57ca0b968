/**
 * The attacks on any transform variant, through the plug-in contract
 * (src/variants/contract.ts). What each attack needs from a variant:
 *
 *   partial-key, greedy  an adapted model (the variant's adapter, or the
 *                        harness's exact least-squares one) and `neighbours`
 *                        (keys at distance d)
 *   ciphertext-only      `signedPermutation` (the key as positions + flips)
 *                        and an 8-bit or [0, 1] input domain
 *
 * A variant without the capability gets a clear `attack.capability` error
 * naming what is missing.
 */
import { fail } from '../core/errors.ts';
import { type ImageBatch, toLayout } from '../core/images.ts';
import type { Engine } from '../engine/engine.ts';
import { argmaxRows, score } from '../metrics/scoring.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import {
  ACCURACY_NORMALIZATION,
  adaptByFit,
  checkVariantFitsModel,
  embeddingOf,
  encryptAll,
  leastSquaresFit,
  logitsOf,
  withEmbedding,
} from '../variants/accuracy.ts';
import { type KeyNeighbourhood, type SignedPermutationView, type Variant, domainPair, normalization } from '../variants/contract.ts';
import { keyFractionCorrect, meanLogLikelihood } from './common.ts';

export type Capability = 'neighbours' | 'signedPermutation' | 'adapter';

const WHAT: Record<Capability, string> = {
  neighbours: '"neighbours" (keys at distance d from a key)',
  signedPermutation: '"signedPermutation" (the key as a signed permutation of block positions)',
  adapter: 'an adapter (a model for encrypted images), its own or an exact least-squares one',
};

export function missingCapability(variant: Variant<unknown>, capability: Capability, attack: string, detail = ''): never {
  fail('attack.capability', `the ${attack} attack needs ${WHAT[capability]}; variant ${variant.name} does not provide it${detail ? ` (${detail})` : ''}`);
}

/** The capability object, checked to have the functions the contract names (a plug-in's may be malformed). */
function capability<T extends object>(variant: Variant<unknown>, name: 'neighbours' | 'signedPermutation', attack: string, functions: readonly string[]): T {
  const c = variant[name] as unknown;
  if (c === undefined) missingCapability(variant, name, attack);
  const missing = typeof c !== 'object' || c === null ? functions : functions.filter((f) => typeof (c as Record<string, unknown>)[f] !== 'function');
  if (missing.length > 0) fail('attack.capability', `variant ${variant.name}: "${name}" must be an object with the functions ${functions.join(', ')}; missing or not a function: ${missing.join(', ')}`);
  return c as T;
}

export function neighboursOf<K>(variant: Variant<K>, attack: string): KeyNeighbourhood<K> {
  return capability(variant as Variant<unknown>, 'neighbours', attack, ['maxDistance', 'atDistance']);
}

export function signedPermutationOf<K>(variant: Variant<K>, attack: string): SignedPermutationView<K> {
  return capability(variant as Variant<unknown>, 'signedPermutation', attack, ['flips', 'toSignedPermutation', 'nearestKey']);
}

/** Fraction of the key right, counted in the signed-permutation view (null when the variant has none). */
export function variantKeyFraction<K>(variant: Variant<K>, guess: K, truth: K): number | null {
  const view = variant.signedPermutation;
  if (view === undefined) return null;
  const t = view.toSignedPermutation(truth);
  return keyFractionCorrect(view.toSignedPermutation(guess), { blockSize: variant.params.blockSize, channels: variant.params.channels, permutation: t.permutation, flip: t.flip });
}

export interface VariantScorerOptions<K> {
  readonly variant: Variant<K>;
  readonly weights: ConvMixerWeights;
  /** The right key: the model is adapted with it. */
  readonly key: K;
  /** 8-bit images (either layout) and their labels: the attacker's labelled set. */
  readonly images: ImageBatch<Uint8Array>;
  readonly labels: Uint8Array;
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  readonly objective?: 'accuracy' | 'log-likelihood';
  readonly attack: string;
}

/**
 * Scores guessed keys with the variant's adapted model (adapted with the
 * right key) on images encrypted with the guess; the same model input path
 * as `cipherpatch fuzz --model` (src/variants/accuracy.ts).
 */
export async function variantKeyScorer<K>(options: VariantScorerOptions<K>): Promise<{ score: (guess: K) => Promise<number>; adapter: string; dispose(): void }> {
  const { variant, weights, key, labels } = options;
  const v = variant as Variant<unknown>;
  const objective = options.objective ?? 'accuracy';
  if (objective !== 'accuracy' && objective !== 'log-likelihood') fail('attack.objective', `unknown objective "${String(objective)}": use accuracy or log-likelihood`);
  const images = toLayout(options.images, 'NCHW');
  if (labels.length !== images.shape.count) fail('attack.labels', `${labels.length} labels for ${images.shape.count} images`);
  checkVariantFitsModel(v, weights.config, images.shape);
  const { channels, height, width } = images.shape;
  let adapted: ConvMixerWeights;
  let adapter: string;
  if (variant.adapter !== undefined) {
    adapted = withEmbedding(weights, variant.adapter.adapt(embeddingOf(weights), key, normalization(ACCURACY_NORMALIZATION, channels)), `${variant.name}'s adapter`);
    adapter = `the variant's adapter`;
  } else {
    const ls = leastSquaresFit(v, key, { channels, height, width }, 'attack');
    if (ls.fit === undefined) missingCapability(v, 'adapter', options.attack, ls.why);
    adapted = withEmbedding(weights, adaptByFit(embeddingOf(weights), ls.fit), 'the least-squares adapter');
    adapter = `least squares (${ls.why})`;
  }
  const engine = await options.createEngine(adapted);
  const classes = weights.config.classes;
  const chunk = 250;
  return {
    adapter,
    score: async (guess) => {
      const input = encryptAll(v, guess, images, chunk);
      const logits = await logitsOf(engine, { data: input, shape: images.shape, layout: 'NCHW' }, chunk);
      return objective === 'accuracy' ? score(argmaxRows(logits, classes), labels).accuracy : meanLogLikelihood(logits, labels, classes);
    },
    dispose: () => engine.dispose(),
  };
}

/** The value a flip reflects about in the variant's input domain: 255 (uint8) or 1 (unit). */
export function flipTarget(variant: Variant<unknown>, attack: string): number {
  const d = domainPair(variant.domain);
  if (d.input !== d.output || d.input === 'real') fail('attack.capability', `the ${attack} attack needs a variant that maps 8-bit or [0, 1] values into the same domain; ${variant.name} maps "${d.input}" to "${d.output}"`);
  return d.input === 'uint8' ? 255 : 1;
}
