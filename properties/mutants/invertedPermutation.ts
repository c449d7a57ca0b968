/**
 * Mutant: System A encrypting with the inverse permutation v⁻¹ (a classic
 * gather/scatter mix-up), while the adapter (Eqs. 8–9) uses v. Encryption and
 * decryption stay inverse to each other and the key space is unchanged, so
 * only the adapter can notice.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { systemA } from '../../src/variants/builtin/systemA.ts';
import { defineMutant, invertPermutation, withMappedKey } from './common.ts';

const inverted = (key: BlockKey): BlockKey => ({ ...key, permutation: invertPermutation(key.permutation) });

export default defineMutant<BlockKey>({
  base: 'system-a',
  bug: 'permutation applied inverted (encrypt with v⁻¹, adapter uses v)',
  caughtBy: ['adapter', 'known-answer'],
  variant: {
    ...systemA,
    name: 'mutant-inverted-permutation',
    title: 'BROKEN system-a: encrypts with v⁻¹',
    ...withMappedKey(systemA, inverted),
  },
});
