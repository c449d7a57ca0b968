/**
 * The System A key: a pixel-shuffling permutation (key K₁, Eq. 4) and a
 * bit-flipping vector with exactly p_b/2 ones (key K₂, Eq. 5), both stored
 * explicitly. One key is used for every block of every image.
 *
 * Block values are flattened in (channel, row, column) order:
 * k = (c·M + i)·M + j, the order of a PyTorch conv weight (d, C, P, P).
 */
import { fail } from './errors.ts';
import { plural } from './words.ts';

export interface BlockKey {
  readonly blockSize: number; // M
  readonly channels: number; // C
  /** v: encrypted block value k is the plain block value permutation[k] (Eq. 4). */
  readonly permutation: Int32Array;
  /** r: 1 where the value is flipped (Eq. 5/6), exactly p_b/2 ones. */
  readonly flip: Uint8Array;
}

/** p_b = M²C, the number of values in a block. */
export function blockLength(blockSize: number, channels: number): number {
  return blockSize * blockSize * channels;
}

/**
 * The largest p_b of a key held in memory or in a key file (M = 512 with
 * C = 4, or M = 590 with C = 3): its permutation is a million entries, its
 * key file about 11 MB. The key space itself is counted far beyond
 * (keySpace.ts).
 */
export const MAX_KEY_BLOCK_LENGTH = 2 ** 20;

/**
 * checkBlockParameters, and p_b at most `limit` (else `check`, the message
 * ending in `what` the limit is): returns p_b. The size is checked first, so
 * that a huge M is named for its size, not for an odd p_b.
 */
export function checkBlockLengthAtMost(blockSize: unknown, channels: unknown, limit: number, check: string, what: string): number {
  if (Number.isInteger(blockSize) && Number.isInteger(channels) && (blockSize as number) >= 1 && (channels as number) >= 1 && blockLength(blockSize as number, channels as number) > limit) {
    fail(check, `p_b = M²C = ${String(blockSize)}²·${String(channels)} = ${blockLength(blockSize as number, channels as number)} is larger than ${limit.toLocaleString('en-US')}, ${what}`);
  }
  checkBlockParameters(blockSize, channels);
  return blockLength(blockSize as number, channels as number);
}

/** checkBlockParameters, and p_b at most MAX_KEY_BLOCK_LENGTH. */
export function checkKeyParameters(blockSize: unknown, channels: unknown): void {
  checkBlockLengthAtMost(blockSize, channels, MAX_KEY_BLOCK_LENGTH, 'key.too-large', 'the largest key block this tool stores (a permutation of p_b entries)');
}

/** A value from a key file as the message shows it: strings in quotes ("38", not 38), everything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

export function checkBlockParameters(blockSize: unknown, channels: unknown): void {
  if (!Number.isInteger(blockSize) || (blockSize as number) < 1) fail('key.block-size', `block size must be a positive integer, got ${shown(blockSize)}`);
  if (!Number.isInteger(channels) || (channels as number) < 1) fail('key.channels', `channels must be a positive integer, got ${shown(channels)}`);
  const pb = blockLength(blockSize as number, channels as number);
  if (pb % 2 !== 0) {
    fail(
      'key.odd-block-length',
      `p_b = M²C = ${blockSize}²·${channels} = ${pb} is odd: bit flipping needs exactly p_b/2 flipped values (Eq. 5)`,
    );
  }
}

/**
 * Checks a key completely and returns it typed. Each failed check throws a
 * CipherpatchError naming it: key.block-size, key.channels,
 * key.odd-block-length, key.permutation-length, key.not-permutation,
 * key.flip-length, key.flip-values, key.flip-count.
 */
export function validateKey(key: {
  blockSize: unknown;
  channels: unknown;
  permutation: ArrayLike<unknown>;
  flip: ArrayLike<unknown>;
}): BlockKey {
  checkKeyParameters(key.blockSize, key.channels);
  const blockSize = key.blockSize as number;
  const channels = key.channels as number;
  const pb = blockLength(blockSize, channels);
  const { permutation, flip } = key;
  if (permutation.length !== pb) fail('key.permutation-length', `permutation has ${permutation.length} entries, p_b = ${blockSize}²·${channels} = ${pb}`);
  const seen = new Uint8Array(pb);
  for (let k = 0; k < pb; k++) {
    const vk = permutation[k];
    if (!Number.isInteger(vk) || (vk as number) < 0 || (vk as number) >= pb) fail('key.not-permutation', `permutation[${k}] = ${shown(vk)} is not an integer in 0..${pb - 1}`);
    if (seen[vk as number]) fail('key.not-permutation', `permutation repeats ${String(vk)} (at index ${k}): not a permutation of 0..${pb - 1}`);
    seen[vk as number] = 1;
  }
  if (flip.length !== pb) fail('key.flip-length', `flip vector has ${flip.length} entries, p_b = ${pb}`);
  let ones = 0;
  for (let k = 0; k < pb; k++) {
    const rk = flip[k];
    if (rk !== 0 && rk !== 1) fail('key.flip-values', `flip[${k}] = ${shown(rk)}: flip entries must be 0 or 1`);
    ones += rk;
  }
  if (ones !== pb / 2) fail('key.flip-count', `flip vector has ${ones} ones, Eq. 5 needs exactly p_b/2 = ${pb / 2}`);
  return {
    blockSize,
    channels,
    permutation: Int32Array.from(permutation as ArrayLike<number>),
    flip: Uint8Array.from(flip as ArrayLike<number>),
  };
}

export function keysEqual(a: BlockKey, b: BlockKey): boolean {
  return (
    a.blockSize === b.blockSize &&
    a.channels === b.channels &&
    a.permutation.every((v, k) => v === b.permutation[k]) &&
    a.flip.every((r, k) => r === b.flip[k])
  );
}

/** Rejects a key whose block size or channel count differs from what the data needs. */
export function expectKeyFor(key: BlockKey, blockSize: number, channels: number, what: string): void {
  if (key.blockSize !== blockSize) fail('key.wrong-block-size', `the key is for block size ${key.blockSize}, but ${what} needs block size ${blockSize}`);
  if (key.channels !== channels) fail('key.wrong-channels', `the key is for ${plural(key.channels, 'channel')}, but ${what} has ${channels}`);
}
