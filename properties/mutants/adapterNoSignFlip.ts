/**
 * Mutant: System A whose adapter forgets the sign flip of Eq. 9 (rows of E
 * permuted, never negated). Encryption is the real one.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { systemA } from '../../src/variants/builtin/systemA.ts';
import { defineMutant, permutationOnly } from './common.ts';

export default defineMutant<BlockKey>({
  base: 'system-a',
  bug: 'adapter forgets the sign flip (Eq. 9)',
  caughtBy: ['adapter'],
  variant: {
    ...systemA,
    name: 'mutant-adapter-no-sign-flip',
    title: 'BROKEN system-a: adapter without the sign flip',
    adapter: {
      normalizations: systemA.adapter!.normalizations,
      adapt: (e, key, n) => systemA.adapter!.adapt(e, permutationOnly(key), n),
    },
  },
});
