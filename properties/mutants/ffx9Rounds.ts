/**
 * Mutant: System B's FFX with 9 Feistel rounds instead of the authors' 10.
 * It is still a keyed permutation of 0..999, so every property of the harness
 * holds exactly as for the real ffx. Only the known-answer check tells them
 * apart: it inherits the real ffx's known answers (the authors' pyffx outputs,
 * golden/vectors/pyffx.json) and fails on the first flagged pixel.
 */
import { type FfxKey, ffxPixelTable } from '../../src/variants/builtin/ffx.ts';
import { ffx } from '../../src/variants/builtin/systemB.ts';
import { withData } from '../../src/variants/builtin/common.ts';
import { defineMutant } from './common.ts';

const ROUNDS = 9;

export default defineMutant<FfxKey>({
  base: 'ffx',
  bug: 'FFX with 9 rounds instead of 10',
  caughtBy: ['known-answer'],
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
