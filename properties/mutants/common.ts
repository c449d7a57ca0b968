/**
 * What the deliberately broken variants share: a description of which
 * harness checks must flag each one (properties/mutants.test.ts asserts it),
 * and small helpers over System A keys. Every mutant reuses a real built-in
 * (src/variants/builtin) and breaks exactly one thing.
 */
import type { BlockKey } from '../../src/core/key.ts';
import type { Variant } from '../../src/variants/contract.ts';

export interface Mutant<K = unknown> {
  /** The broken variant (a plug-in like any other). */
  readonly variant: Variant<K>;
  /** The built-in it breaks (its verdict row is the baseline). */
  readonly base: string;
  /** What is broken, in one line. */
  readonly bug: string;
  /** Harness checks that must turn from pass to FAIL (the ones that catch it). */
  readonly caughtBy: readonly string[];
  /** Checks that may also turn to FAIL as a consequence (not asserted either way). */
  readonly alsoMay?: readonly string[];
}

export function defineMutant<K>(m: Mutant<K>): Mutant<unknown> {
  return m as unknown as Mutant<unknown>;
}

/** encrypt and decrypt of `base`, run with the key mapped by `f` first (a mutant that breaks only how the key is used). */
export function withMappedKey<K>(base: Variant<K>, f: (key: K) => K): Pick<Variant<K>, 'encrypt' | 'decrypt'> {
  return {
    encrypt: (batch, key) => base.encrypt(batch, f(key)),
    decrypt: (batch, key) => base.decrypt(batch, f(key)),
  };
}

export function invertPermutation(v: ArrayLike<number>): Int32Array {
  const inv = new Int32Array(v.length);
  for (let k = 0; k < v.length; k++) inv[v[k]] = k;
  return inv;
}

export const identityPermutation = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** The key with its flip vector cleared (permutation only). */
export function permutationOnly(key: BlockKey): BlockKey {
  return { ...key, flip: new Uint8Array(key.flip.length) };
}

/** The key with its permutation replaced by the identity (flip only). */
export function flipOnly(key: BlockKey): BlockKey {
  return { ...key, permutation: identityPermutation(key.permutation.length) };
}
