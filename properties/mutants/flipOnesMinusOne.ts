/**
 * Mutant: System A bit flipping with p_b/2 − 1 ones (System B's
 * randperm(p_b) > p_b/2 rule slipped into System A), consistently in key
 * generation, parsing and enumeration — while the claim stays C(p_b, p_b/2).
 * Encryption, inversion and the adapter all still work: only the brute-force
 * key count can notice.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { flip } from '../../src/variants/builtin/systemA.ts';
import { binaryVectors, checkBinary, intArray, readVariantKey } from '../../src/variants/builtin/common.ts';
import { blockLength, type VariantParams } from '../../src/variants/contract.ts';
import { defineMutant, identityPermutation } from './common.ts';

/** Clears the first flipped position: p_b/2 − 1 ones. */
function dropOne(key: BlockKey): BlockKey {
  const r = Uint8Array.from(key.flip);
  r[r.indexOf(1)] = 0;
  return { ...key, flip: r };
}

export default defineMutant<BlockKey>({
  base: 'flip',
  bug: 'flip vector with p_b/2 − 1 ones (claim still C(p_b, p_b/2))',
  caughtBy: ['key-space'],
  variant: {
    ...flip,
    name: 'mutant-flip-ones',
    title: 'BROKEN flip: p_b/2 − 1 ones',
    generateKey: (params, seed) => dropOne(flip.generateKey(params, seed)),
    parseKey(text) {
      const o = readVariantKey(text, 'flip');
      const pb = blockLength(o as unknown as VariantParams);
      const r = intArray(o, 'flip', pb);
      checkBinary(r, pb, pb / 2 - 1, 'flip');
      return { blockSize: o.blockSize as number, channels: o.channels as number, permutation: identityPermutation(pb), flip: Uint8Array.from(r) };
    },
    keySpace: {
      ...flip.keySpace!,
      *enumerate(params) {
        const pb = blockLength(params);
        for (const r of binaryVectors(pb, pb / 2 - 1)) yield { blockSize: params.blockSize, channels: params.channels, permutation: identityPermutation(pb), flip: r };
      },
    },
  },
});
