/**
 * Mutant: System B's FFX with 9 Feistel rounds instead of the authors' 10.
 * It is still a keyed permutation of 0..999, so every harness property holds
 * exactly as for the real ffx: the verdict table cannot tell them apart.
 * The known-answer check against the authors' pyffx vectors
 * (golden/vectors/pyffx.json) catches it; properties/mutants.test.ts runs it.
 */
import { ffxPixelTable } from '../../src/variants/builtin/ffx.ts';
import { type FfxKey, ffx } from '../../src/variants/builtin/systemB.ts';
import { withData } from '../../src/variants/builtin/common.ts';
import { defineMutant } from './common.ts';

const ROUNDS = 9;

export default defineMutant<FfxKey>({
  base: 'ffx',
  bug: 'FFX with 9 rounds instead of 10',
  caughtBy: ['known-answer:pyffx'],
  variant: {
    ...ffx,
    name: 'mutant-ffx-9-rounds',
    title: 'BROKEN ffx: 9 Feistel rounds',
    encrypt(batch, key) {
      // The real ffx on the flagged values' positions, then the 9-round table instead of the 10-round one.
      const real = ffx.encrypt(batch, key);
      const { table, max } = ffxPixelTable(key.password, ROUNDS);
      const pb = key.flip.length;
      return withData(real, real.data.map((y, i) => (key.flip[i % pb] === 1 ? table[batch.data[i]] / max : y)));
    },
    decrypt(batch, key) {
      const { inverse, max } = ffxPixelTable(key.password, ROUNDS);
      const pb = key.flip.length;
      // Re-express 9-round values as 10-round ones so the real decrypt's validation and layout are reused.
      const ten = ffxPixelTable(key.password);
      const asTen = batch.data.map((y, i) => (key.flip[i % pb] === 1 ? ten.table[inverse[Math.round(y * max)]] / ten.max : y));
      return ffx.decrypt(withData(batch, asTen), key);
    },
  },
});
