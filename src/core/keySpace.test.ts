/** keySpaceLog2: exact where keySpace computes the integers, Stirling's series above, and the switch between them. */
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { EXACT_KEY_SPACE_MAX_BLOCK_LENGTH, KEY_SPACE_MAX_BLOCK_LENGTH, keySpace, keySpaceLog2, lnCentralBinomial, lnFactorial, log2BigInt } from './keySpace.ts';


describe('keySpaceLog2', () => {
  it('up to the switch point it is the exact integers\' log2 and digit count (p_b = 48)', () => {
    const ks = keySpace(4, 3);
    const l = keySpaceLog2(4, 3);
    expect(l.exact).toBe(true);
    expect(l.total).toEqual({ log2: ks.log2Total, digits: ks.total.toString().length, digitsExact: true });
    expect(l.shuffleKeys.digits).toBe(62); // 48! = 1.24e61
    expect(l.flipKeys.digits).toBe(14); // C(48, 24) = 32247603683100
    expect(l.decimal).toEqual(ks.decimal);
  });

  it('Stirling\'s series agrees with the exact integers where both exist (p_b = 3072, 12288)', () => {
    for (const pb of [3072, 12288]) {
      const ks = keySpace(pb === 3072 ? 32 : 64, 3);
      const ln2 = (x: bigint) => log2BigInt(x) * Math.LN2;
      expect(Math.abs(lnFactorial(pb) - ln2(ks.shuffleKeys)) / ln2(ks.shuffleKeys)).toBeLessThan(1e-13);
      expect(Math.abs(lnCentralBinomial(pb / 2) - ln2(ks.flipKeys)) / ln2(ks.flipKeys)).toBeLessThan(1e-13);
      expect(Math.floor((lnFactorial(pb) + lnCentralBinomial(pb / 2)) / Math.LN10) + 1).toBe(ks.total.toString().length);
    }
  });

  it('above the switch point: no integers, log2 and digits from the series', () => {
    const l = keySpaceLog2(1000, 3); // p_b = 3,000,000: the exact integers take minutes
    expect(l.exact).toBe(false);
    expect(l.blockLength).toBe(3_000_000);
    // log10(3,000,000!) = 18,128,483.956… (Python's math.lgamma): 18,128,484 digits.
    expect(l.shuffleKeys.digits).toBe(18_128_484);
    expect(l.total.log2).toBeCloseTo(l.shuffleKeys.log2 + l.flipKeys.log2, 3);
    expect(l.flipKeys.log2).toBeLessThan(3_000_000);
    expect(l.flipKeys.log2).toBeGreaterThan(3_000_000 - 12);
    expect(l.decimal.mantissa).toBeGreaterThanOrEqual(1);
    expect(l.decimal.mantissa).toBeLessThan(10);
  });

  it('the switch point is explicit: keySpace refuses above it, keySpaceLog2 above its own limit', () => {
    expect(EXACT_KEY_SPACE_MAX_BLOCK_LENGTH).toBe(65_536);
    expect(keySpaceLog2(128, 4).exact).toBe(true); // p_b = 65,536
    expect(keySpaceLog2(129, 4).exact).toBe(false);
    const e = rejection(() => keySpace(129, 4));
    expect(e.check).toBe('keyspace.too-large');
    expect(e.message).toMatch(/66564 is larger than 65,536.*keySpaceLog2/);
    expect(KEY_SPACE_MAX_BLOCK_LENGTH).toBe(2 ** 32);
    expect(rejection(() => keySpaceLog2(65_536, 2)).message).toMatch(/8589934592 is larger than 4,294,967,296/);
    expect(rejection(() => keySpaceLog2(3, 1)).check).toBe('key.odd-block-length');
  });
});
