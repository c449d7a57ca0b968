/**
 * Mutant: pixel shuffling whose key ignores the channel dimension: only the
 * order of the first channel plane's entries of the permutation is used, as
 * one (M²)! permutation applied to every channel plane alike. The key still
 * claims p_b! (values may move across channels), so most keys are
 * equivalent. Encryption inverts and the adapter matches the encryption, so
 * only the brute-force key checks can notice.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { shuffle } from '../../src/variants/builtin/systemA.ts';
import { defineMutant, withMappedKey } from './common.ts';

/** The plane permutation (ranks of permutation[0..M²−1]), repeated in every channel. */
function perPlane(key: BlockKey): BlockKey {
  const m2 = key.blockSize * key.blockSize;
  const head = Array.from(key.permutation.subarray(0, m2));
  const sorted = [...head].sort((a, b) => a - b);
  const plane = head.map((x) => sorted.indexOf(x));
  const permutation = Int32Array.from({ length: m2 * key.channels }, (_, k) => Math.floor(k / m2) * m2 + plane[k % m2]);
  return { ...key, permutation };
}

export default defineMutant<BlockKey>({
  base: 'shuffle',
  bug: 'key ignores the channel dimension (one plane permutation for every channel)',
  caughtBy: ['equivalent-keys', 'key-space'],
  variant: {
    ...shuffle,
    name: 'mutant-key-ignores-channels',
    title: 'BROKEN shuffle: same permutation in every channel plane',
    ...withMappedKey(shuffle, perPlane),
    adapter: {
      normalizations: shuffle.adapter!.normalizations,
      adapt: (e, key, n) => shuffle.adapter!.adapt(e, perPlane(key), n),
    },
  },
});
