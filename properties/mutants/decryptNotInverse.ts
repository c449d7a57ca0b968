/**
 * Mutant: System A decryption undoing the two steps in the wrong order
 * (un-flip at the encrypted positions after un-shuffling, instead of before).
 * Encryption and the adapter are the real ones.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { systemA } from '../../src/variants/builtin/systemA.ts';
import { defineMutant, flipOnly, permutationOnly } from './common.ts';

export default defineMutant<BlockKey>({
  base: 'system-a',
  bug: 'decrypt is not the inverse (steps undone in the wrong order)',
  caughtBy: ['invertible', 'known-answer'],
  variant: {
    ...systemA,
    name: 'mutant-decrypt-not-inverse',
    title: 'BROKEN system-a: decrypt un-shuffles before un-flipping',
    decrypt: (batch, key) => systemA.decrypt(systemA.decrypt(batch, permutationOnly(key)), flipOnly(key)),
  },
});
