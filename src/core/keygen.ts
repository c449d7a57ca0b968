/**
 * Key generation. A key is drawn from a RandomSource: node:crypto by default
 * (secure), or seedrandom from a seed string (reproducible experiments).
 *
 * Algorithm (fixed, so a seed always gives the same key):
 *   permutation: Fisher–Yates on [0..p_b−1], i from p_b−1 down to 1, j = int(i+1);
 *   flip: Fisher–Yates on a second [0..p_b−1]; its first p_b/2 entries are set to 1.
 */
import { randomInt } from 'node:crypto';
import seedrandom from 'seedrandom';
import { type BlockKey, blockLength, checkKeyParameters } from './key.ts';

export interface RandomSource {
  /** A uniform integer in 0..bound−1. */
  int(bound: number): number;
}

export const secureRandom: RandomSource = { int: (bound) => randomInt(bound) };

export function seededRandom(seed: string): RandomSource {
  const prng = seedrandom(seed);
  return { int: (bound) => Math.floor(prng.double() * bound) };
}

export function randomPermutation(length: number, random: RandomSource): Int32Array {
  const p = new Int32Array(length);
  for (let i = 0; i < length; i++) p[i] = i;
  for (let i = length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

export interface KeygenOptions {
  readonly blockSize: number;
  readonly channels: number;
  /** A seed makes the key reproducible; without one the key is drawn from node:crypto. */
  readonly seed?: string;
}

export function generateKey(options: KeygenOptions): BlockKey {
  const { blockSize, channels, seed } = options;
  checkKeyParameters(blockSize, channels);
  const random = seed === undefined ? secureRandom : seededRandom(seed);
  const pb = blockLength(blockSize, channels);
  const permutation = randomPermutation(pb, random);
  const order = randomPermutation(pb, random);
  const flip = new Uint8Array(pb);
  for (let k = 0; k < pb / 2; k++) flip[order[k]] = 1;
  return { blockSize, channels, permutation, flip };
}
