/**
 * The plug-in contract for keyed block transforms ("variants"). A variant is
 * a module exporting one object of type Variant (as `default` or as
 * `variant`); `cipherpatch fuzz` puts it through a fixed battery of
 * properties (src/variants/harness.ts).
 *
 * Blocks travel as a BlockBatch: the blocks of one or more images, each block
 * flattened in (channel, row, column) order, k = (c·M + i)·M + j — the order
 * of a PyTorch conv weight (d, C, P, P), so k also indexes row k of the patch
 * embedding E (README, Conventions). Values are always float64; the domain
 * says what they mean:
 *
 *   uint8  integers 0..255 (an 8-bit image as stored)
 *   unit   reals in [0, 1] (x/255 of an 8-bit image; ToTensor)
 *   real   any finite real (an image after normalization)
 *
 * The model sees (the "model input"): uint8 → n(x/255), unit → n(x),
 * real → x, where n is the per-channel normalization (x − μ_c)/σ_c. A real
 * input is taken as already normalized: such a variant encrypts after
 * normalization (System C).
 */
import { fail } from '../core/errors.ts';
import type { RandomSource } from '../core/keygen.ts';
import { VARIANT_TOLERANCE } from './tolerance.ts';

export type Domain = 'uint8' | 'unit' | 'real';
export const DOMAINS: readonly Domain[] = ['uint8', 'unit', 'real'];

export interface DomainPair {
  readonly input: Domain;
  readonly output: Domain;
}

export interface VariantParams {
  /** M, the block size. */
  readonly blockSize: number;
  /** C, the image channels. */
  readonly channels: number;
  /** Blocks per column and per row of an image: only for grid-bound variants (keys tied to block positions). */
  readonly rows?: number;
  readonly cols?: number;
}

/** Blocks of `images` images, each image a grid of rows × cols blocks of M×M×C values. */
export interface BlockBatch {
  /** [image][blockRow][blockCol][k], k = (c·M + i)·M + j; length images·rows·cols·M²·C. */
  readonly data: Float64Array;
  readonly images: number;
  readonly rows: number;
  readonly cols: number;
  readonly blockSize: number;
  readonly channels: number;
}

export type NormalizationName = '0.5/0.5' | 'cifar' | 'none';
export const NORMALIZATION_NAMES: readonly NormalizationName[] = ['0.5/0.5', 'cifar', 'none'];

/** Per-channel input normalization (x − mean[c]) / std[c], on values in [0, 1]. */
export interface Normalization {
  readonly name: NormalizationName;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** CIFAR-10 training-set statistics (RGB), as torchvision recipes use them. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR10_STD = [0.247, 0.2435, 0.2616] as const;

/** The normalization for C channels (CIFAR statistics repeat for C ≠ 3). */
export function normalization(name: NormalizationName, channels: number): Normalization {
  const per = (f: (c: number) => number) => Array.from({ length: channels }, (_, c) => f(c));
  switch (name) {
    case '0.5/0.5':
      return { name, mean: per(() => 0.5), std: per(() => 0.5) };
    case 'cifar':
      return { name, mean: per((c) => CIFAR10_MEAN[c % 3]), std: per((c) => CIFAR10_STD[c % 3]) };
    case 'none':
      return { name, mean: per(() => 0), std: per(() => 1) };
    default:
      return fail('variant.normalization', `unknown normalization "${String(name)}": use ${NORMALIZATION_NAMES.join(', ')}`);
  }
}

/** A ConvMixer patch embedding: weight (d, C, P, P) in PyTorch layout, flat; bias (d). */
export interface PatchEmbedding {
  readonly dim: number;
  readonly channels: number;
  readonly patch: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

/**
 * How a plain-trained model is adapted to encrypted inputs: with
 * adapted = adapt(E, K, n), embedding(model input of encrypt(x, K), adapted)
 * = embedding(model input of x, E) for every image x (patch size P = M).
 */
export interface ModelAdapter<K> {
  /** The input normalizations the adapter claims to be exact for ('any': all). */
  readonly normalizations: readonly NormalizationName[] | 'any';
  adapt(embedding: PatchEmbedding, key: K, normalization: Normalization): PatchEmbedding;
}

export interface KeySpaceClaim<K> {
  /** The formula in words, e.g. "p_b! · C(p_b, p_b/2)". */
  readonly formula: string;
  /** The claimed number of keys, exactly. */
  size(params: VariantParams): bigint;
  /** Every key, once (only called at sizes whose claimed size is small). */
  enumerate?(params: VariantParams): Iterable<K>;
  /** Sizes to brute-force (default: M ∈ {1, 2}, C ∈ {1..4}, small grids, within the harness's limit). */
  readonly tinyParams?: readonly VariantParams[];
}

/**
 * Optional attack capability (src/attacks/): keys near a key. A partial-key
 * attack measures accuracy against distance, a greedy search takes
 * distance-1 steps.
 */
export interface KeyNeighbourhood<K> {
  /** One step in words, e.g. "swap two permutation entries". */
  readonly step: string;
  /** The largest distance atDistance accepts at these params. */
  maxDistance(params: VariantParams): number;
  /** A key `distance` distinct steps away from `key` (never changes `key`); deterministic for a seeded source. */
  atDistance(key: K, distance: number, random: RandomSource): K;
}

/**
 * Optional attack capability (src/attacks/): the key as a signed
 * permutation of the p_b block positions, x′[k] = x[permutation[k]], then
 * x′[k] ↦ f − x′[k] where flip[k] = 1 (f = 255 for uint8, 1 for unit input).
 * Attacks that estimate positions (ciphertext-only) search in this view and
 * map the guess back with nearestKey; fractions of a key right are counted in it.
 */
export interface SignedPermutationView<K> {
  /** False when every key keeps the identity permutation (flip-only variants). */
  readonly permutes: boolean;
  /** How many positions every key flips (0: the variant never flips). */
  flips(params: VariantParams): number;
  toSignedPermutation(key: K): { readonly permutation: Int32Array; readonly flip: Uint8Array };
  /** The variant's key closest to a guess (most positions agreeing), for these params. */
  nearestKey(params: VariantParams, guess: { readonly permutation: ArrayLike<number>; readonly flip: ArrayLike<number> }): K;
}

/** One known answer: a key, a plain batch and the ciphertext an independent implementation (the authors' code, hand-worked equations) gives for it. */
export interface KnownAnswer<K> {
  /** Where this vector comes from, e.g. "pyffx.json tcId 1". */
  readonly id: string;
  readonly key: K;
  readonly plain: BlockBatch;
  /** encrypt(plain, key).data, value by value. */
  readonly encrypted: ArrayLike<number>;
}

/**
 * Known answers (optional): the harness's "known-answer" check. A keyed
 * permutation with the wrong round count or a wrong constant passes every
 * property; only an independent implementation's outputs can tell.
 */
export interface KnownAnswers<K> {
  /** Where the expected values come from (file, package, standard). */
  readonly source: string;
  /** Block-level vectors: encrypt(plain, key) must equal encrypted exactly, and decrypt must give plain back. */
  vectors?(): readonly KnownAnswer<K>[];
  /** Known answers of the cipher inside the variant (e.g. NIST samples of FF1), checked by the variant: how many it checked and one message per mismatch. */
  primitive?(): { readonly checked: number; readonly mismatches: readonly string[] };
}

export interface Variant<K = unknown> {
  /** Short name, e.g. "system-a" (lower case, digits, dashes). */
  readonly name: string;
  /** One line: what it is and where it comes from. */
  readonly title: string;
  /** The size the paper uses (the key space is reported there). */
  readonly params: VariantParams;
  /** Input and output domain (a single Domain means both). */
  readonly domain: Domain | DomainPair;
  /** True when a key belongs to a block grid (params.rows × params.cols): per-position keys, position scrambling. */
  readonly gridBound?: boolean;
  /** Why these params are not supported (e.g. odd p_b), or undefined when they are. */
  supports?(params: VariantParams): string | undefined;
  /** A key for these params: from node:crypto without a seed, reproducible from a seed. */
  generateKey(params: VariantParams, seed?: string): K;
  serializeKey(key: K): string;
  /** Parses serializeKey's text; bad text throws (preferably a CipherpatchError). */
  parseKey(text: string): K;
  /** Encrypts every block; returns a new batch of the same shape (never modifies its input). */
  encrypt(batch: BlockBatch, key: K): BlockBatch;
  decrypt(batch: BlockBatch, key: K): BlockBatch;
  readonly adapter?: ModelAdapter<K>;
  readonly keySpace?: KeySpaceClaim<K>;
  /** Optional attack capabilities (see KeyNeighbourhood and SignedPermutationView). */
  readonly neighbours?: KeyNeighbourhood<K>;
  readonly signedPermutation?: SignedPermutationView<K>;
  readonly knownAnswers?: KnownAnswers<K>;
}

/** Identity, for type inference: `export default defineVariant({ ... })`. */
export function defineVariant<K>(variant: Variant<K>): Variant<K> {
  return variant;
}

export function domainPair(domain: Domain | DomainPair): DomainPair {
  return typeof domain === 'string' ? { input: domain, output: domain } : domain;
}

export function blockLength(params: { blockSize: number; channels: number }): number {
  return params.blockSize * params.blockSize * params.channels;
}

export function describeParams(p: VariantParams): string {
  return `M=${p.blockSize},C=${p.channels}${p.rows !== undefined ? `,grid=${p.rows}×${p.cols}` : ''}`;
}

/** Checks a batch handed to a variant: shape fields, data type and length. */
export function checkBlockBatch(batch: BlockBatch): void {
  if (typeof batch !== 'object' || batch === null) fail('variant.batch', 'a block batch must be an object');
  for (const f of ['images', 'rows', 'cols', 'blockSize', 'channels'] as const) {
    const v = batch[f];
    if (!Number.isInteger(v) || v < 1) fail('variant.batch', `block batch ${f} must be a positive integer, got ${String(v)}`);
  }
  if (!(batch.data instanceof Float64Array)) fail('variant.batch', 'block batch data must be a Float64Array');
  const expected = batch.images * batch.rows * batch.cols * blockLength(batch);
  if (batch.data.length !== expected) fail('variant.batch', `block batch data has ${batch.data.length} values, ${batch.images}×${batch.rows}×${batch.cols} blocks of ${blockLength(batch)} need ${expected}`);
}

/** Checks that every value of a batch lies in a domain (for variants validating their input). */
export function checkDomain(batch: BlockBatch, domain: Domain, what = 'input'): void {
  const d = batch.data;
  for (let i = 0; i < d.length; i++) {
    if (!inDomain(d[i], domain)) fail('variant.domain', `${what} value ${i} is ${d[i]}, not in the "${domain}" domain`);
  }
}

export function inDomain(x: number, domain: Domain): boolean {
  switch (domain) {
    case 'uint8':
      return Number.isInteger(x) && x >= 0 && x <= 255;
    case 'unit':
      return x >= 0 && x <= 1;
    case 'real':
      return Number.isFinite(x);
  }
}

/** An 8-bit pixel value v in a domain: uint8 v, unit v/255, real (2v − 255)/255 (v/255 after 0.5/0.5, correctly rounded). */
export function fromByte(v: number, domain: Domain): number {
  return domain === 'uint8' ? v : domain === 'unit' ? v / 255 : (2 * v - 255) / 255;
}

/** Whether a value of a domain is an 8-bit pixel value of it (within a few ulps for unit and real). */
export function isByteValue(x: number, domain: Domain): boolean {
  if (domain === 'uint8') return Number.isInteger(x) && x >= 0 && x <= 255;
  const v = domain === 'unit' ? x * 255 : ((x * 255 + 255) / 2);
  const r = Math.round(v);
  return r >= 0 && r <= 255 && Math.abs(v - r) <= VARIANT_TOLERANCE.byteGrid.atol;
}
