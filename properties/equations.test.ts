/**
 * Eq. (5) ≡ Eq. (6) ≡ sign change after Eq. (7), for 8-bit inputs, exactly.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bitFlip, negativePositive, normalize, normalize8bit } from '../spec/blockEncryption.ts';
import { blockKeyArb, blockConfigArb } from './arbitraries.ts';

const ALL_BYTES = Array.from({ length: 256 }, (_, x) => x);

describe('Eq. (5) ≡ Eq. (6) ≡ sign change after Eq. (7)', () => {
  it('bit flipping x ⊕ 255 is 255 − x, and Eq. (6) on x/255 rounds back to it, for all 256 values', () => {
    const ones = ALL_BYTES.map(() => 1);
    const flipped = bitFlip(ALL_BYTES, ones);
    const negPos = negativePositive(ALL_BYTES.map((x) => x / 255), ones);
    ALL_BYTES.forEach((x) => {
      expect(flipped[x], `x = ${x}`).toBe(255 - x);
      expect(Math.round(255 * negPos[x]), `x = ${x}`).toBe(flipped[x]);
    });
  });

  it('normalize8bit is Eq. (7) of x/255 and flipping changes exactly its sign, for all 256 values', () => {
    for (const x of ALL_BYTES) {
      expect(Math.abs(normalize8bit(x) - normalize(x / 255)), `x = ${x}`).toBeLessThanOrEqual(2 ** -52);
      expect(normalize8bit(x ^ 255), `x = ${x}`).toBe(-normalize8bit(x));
    }
  });

  test.prop([blockConfigArb.chain(({ blockSize, channels }) => fc.tuple(blockKeyArb(blockSize, channels), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: blockSize * blockSize * channels, maxLength: blockSize * blockSize * channels })))])(
    'on whole blocks: normalize(Eq. 5(x)) = sign-flipped normalize(x) where r = 1, exactly',
    ([key, block]) => {
      const r = Array.from(key.flip);
      const viaBits = bitFlip(block, r).map(normalize8bit);
      const viaSign = block.map((x, k) => (r[k] === 1 ? -normalize8bit(x) : normalize8bit(x)));
      expect(viaBits).toEqual(viaSign);
    },
  );

  it('bit flipping rejects values that are not 8-bit integers', () => {
    expect(() => bitFlip([256], [1])).toThrow(/not a 8-bit integer/);
    expect(() => bitFlip([1.5], [0])).toThrow(/not a 8-bit integer/);
  });
});
