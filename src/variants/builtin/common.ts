/**
 * What the built-in variants share: randomness (secure or seeded, from
 * src/core/keygen.ts), the key-file envelope, the view of a block batch as
 * the image batch src/core works on, and enumerators of tiny key spaces.
 */
import { fail } from '../../core/errors.ts';
import type { ImageBatch } from '../../core/images.ts';
import { type RandomSource, randomPermutation, secureRandom, seededRandom } from '../../core/keygen.ts';
import { type BlockBatch, type Domain, type VariantParams, blockLength, checkBlockBatch, checkDomain } from '../contract.ts';
import { plural } from '../../core/words.ts';

export function randomFor(seed: string | undefined): RandomSource {
  return seed === undefined ? secureRandom : seededRandom(seed);
}

/** A binary key: one bit per block position, 1 where the value is transformed (negpos, ffx). */
export interface BinaryKey {
  readonly blockSize: number;
  readonly channels: number;
  readonly flip: Uint8Array;
}

export const VARIANT_KEY_FORMAT = 'cipherpatch-variant-key';

/** Key file text: {"format", "variant", "blockSize", "channels", ...fields}, one line per field. */
export function writeVariantKey(variant: string, fields: Record<string, unknown>): string {
  const json: Record<string, unknown> = { format: VARIANT_KEY_FORMAT, variant, ...fields };
  return `{\n${Object.entries(json)
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(',\n')}\n}\n`;
}

/** Parses a key written by writeVariantKey for this variant; returns its fields. */
export function readVariantKey(text: string, variant: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail('key.json', `key is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('key.json', 'key must be a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== VARIANT_KEY_FORMAT) fail('key.format', `not a cipherpatch variant key: "format" is ${JSON.stringify(o.format)}`);
  if (o.variant !== variant) fail('key.variant', `key is for variant ${JSON.stringify(o.variant)}, not "${variant}"`);
  for (const f of ['blockSize', 'channels']) {
    if (!Number.isInteger(o[f]) || (o[f] as number) < 1) fail('key.params', `key field "${f}" must be a positive integer, got ${JSON.stringify(o[f])}`);
  }
  return o;
}

export function intArray(o: Record<string, unknown>, field: string, length: number): Int32Array {
  const a = o[field];
  if (!Array.isArray(a) || a.length !== length || !a.every((x) => Number.isInteger(x))) fail('key.field', `key field "${field}" must be ${length} integers`);
  return Int32Array.from(a as number[]);
}

/** Checks that a is a permutation of 0..n−1. */
export function checkPermutation(a: ArrayLike<number>, n: number, what: string): void {
  const seen = new Uint8Array(n);
  if (a.length !== n) fail('key.not-permutation', `${what} has ${a.length} entries, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (!Number.isInteger(x) || x < 0 || x >= n || seen[x]) fail('key.not-permutation', `${what} is not a permutation of 0..${n - 1} (entry ${i} = ${x})`);
    seen[x] = 1;
  }
}

export function checkBinary(a: ArrayLike<number>, n: number, ones: number | undefined, what: string): void {
  if (a.length !== n) fail('key.flip-length', `${what} has ${a.length} entries, expected ${n}`);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] !== 0 && a[i] !== 1) fail('key.flip-values', `${what}[${i}] = ${a[i]}: entries must be 0 or 1`);
    count += a[i];
  }
  if (ones !== undefined && count !== ones) fail('key.flip-count', `${what} has ${count} ones, expected ${ones}`);
}

/** The batch's block size and channels must be the key's. */
export function expectBatchFor(batch: BlockBatch, key: { blockSize: number; channels: number }, variant: string): void {
  checkBlockBatch(batch);
  if (batch.blockSize !== key.blockSize) fail('key.wrong-block-size', `${variant}: the key is for block size ${key.blockSize}, the batch has blocks of ${batch.blockSize}`);
  if (batch.channels !== key.channels) fail('key.wrong-channels', `${variant}: the key is for ${plural(key.channels, 'channel')}, the batch has ${batch.channels}`);
}

export function expectGrid(batch: BlockBatch, key: { rows: number; cols: number }, variant: string): void {
  if (batch.rows !== key.rows || batch.cols !== key.cols) fail('key.wrong-grid', `${variant}: the key is for a grid of ${key.rows}×${key.cols} blocks, the images have ${batch.rows}×${batch.cols}`);
}

/** A block batch as the NCHW image batch of its blocks (one M×M image per block), 8-bit. */
export function blocksAsUint8Images(batch: BlockBatch): ImageBatch<Uint8Array> {
  checkDomain(batch, 'uint8');
  return { data: Uint8Array.from(batch.data), shape: { count: batch.data.length / blockLength(batch), height: batch.blockSize, width: batch.blockSize, channels: batch.channels }, layout: 'NCHW' };
}

/** A block batch as the NCHW image batch of its blocks, float64 (shares the data). */
export function blocksAsFloatImages(batch: BlockBatch, domain: Domain): ImageBatch<Float64Array> {
  checkDomain(batch, domain);
  return { data: batch.data, shape: { count: batch.data.length / blockLength(batch), height: batch.blockSize, width: batch.blockSize, channels: batch.channels }, layout: 'NCHW' };
}

export function withData(batch: BlockBatch, data: ArrayLike<number>): BlockBatch {
  return { data: Float64Array.from(data), images: batch.images, rows: batch.rows, cols: batch.cols, blockSize: batch.blockSize, channels: batch.channels };
}

/**
 * The binary key of the System B authors' code: randperm(p_b) > p_b/2, i.e.
 * p_b/2 − 1 ones for even p_b (23 of 48), not p_b/2.
 */
export function authorsBinaryKey(pb: number, random: RandomSource): Uint8Array {
  const perm = randomPermutation(pb, random);
  return Uint8Array.from(perm, (v) => (v > pb / 2 ? 1 : 0));
}

/** How many ones authorsBinaryKey gives: the integers in (p_b/2, p_b − 1]. */
export function authorsOnes(pb: number): number {
  return pb - 1 - Math.floor(pb / 2);
}

export function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

export function factorial(n: number): bigint {
  let f = 1n;
  for (let i = 2; i <= n; i++) f *= BigInt(i);
  return f;
}

/** Every permutation of 0..n−1 (lexicographic), each a fresh array. */
export function* permutations(n: number): Generator<Int32Array> {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (;;) {
    yield Int32Array.from(p);
    let i = n - 2;
    while (i >= 0 && p[i] >= p[i + 1]) i--;
    if (i < 0) return;
    let j = n - 1;
    while (p[j] <= p[i]) j--;
    [p[i], p[j]] = [p[j], p[i]];
    p.subarray(i + 1).reverse();
  }
}

/** Every 0/1 vector of length n with exactly `ones` ones, each a fresh array. */
export function* binaryVectors(n: number, ones: number): Generator<Uint8Array> {
  const r = new Uint8Array(n);
  function* place(start: number, left: number): Generator<Uint8Array> {
    if (left === 0) {
      yield Uint8Array.from(r);
      return;
    }
    for (let k = start; k <= n - left; k++) {
      r[k] = 1;
      yield* place(k + 1, left - 1);
      r[k] = 0;
    }
  }
  yield* place(0, ones);
}

export function evenBlock(params: VariantParams): string | undefined {
  const pb = blockLength(params);
  return pb % 2 === 0 ? undefined : `p_b = M²C = ${pb} is odd: bit flipping needs exactly p_b/2 flipped values (Eq. 5)`;
}

export const PAPER_PARAMS: VariantParams = { blockSize: 4, channels: 3 };
