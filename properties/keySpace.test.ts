/**
 * Key space (Sec. 4.3): O_p = p_b!, O_f = C(p_b, p_b/2), O = O_p·O_f.
 * Brute force on tiny configurations counts *distinct encryption functions*
 * and *distinct transformed models* (not keys); mathjs checks p_b = 48
 * independently of both implementations.
 */
import { describe, expect, it } from 'vitest';
import * as spec from '../spec/keySpace.ts';
import { encryptUint8 } from '../src/core/blockTransform.ts';
import type { BlockKey } from '../src/core/key.ts';
import { keySpace } from '../src/core/keySpace.ts';
import { transformPatchEmbedding } from '../src/core/modelTransform.ts';
import { allFlipVectors, countDistinct, forEachPermutation } from './enumerate.ts';

/** Tiny configurations with p_b = M²C ∈ {2, 4, 6, 8}. */
const TINY = [
  { blockSize: 1, channels: 2 },
  { blockSize: 1, channels: 4 },
  { blockSize: 2, channels: 1 },
  { blockSize: 1, channels: 6 },
  { blockSize: 2, channels: 2 },
] as const;

/**
 * `npm run mutate` (vitest.mutation.config.ts sets CIPHERPATCH_MUTATION=1) leaves out p_b = 8
 * (2.8 million keys: a minute per mutant once Stryker has instrumented the core); the smaller
 * configurations reach the same code. `npm test` runs all of them.
 */
const TINY_RUN = process.env.CIPHERPATCH_MUTATION === '1' ? TINY.filter((c) => c.blockSize * c.blockSize * c.channels <= 6) : TINY;

describe('brute force: every key of a tiny configuration gives its own function', () => {
  for (const { blockSize: M, channels: C } of TINY_RUN) {
    const pb = M * M * C;
    it(`M=${M},C=${C} (p_b=${pb}): distinct encryptions = distinct models = p_b!·C(p_b,p_b/2) = ${spec.keySpace(pb)}`, () => {
      // Probe image: one block of distinct values 1..p_b; no value is another's complement.
      const probe = { data: Uint8Array.from({ length: pb }, (_, k) => k + 1), shape: { count: 1, height: M, width: M, channels: C }, layout: 'NCHW' as const };
      // Probe model: d = 1, E rows 1..p_b (distinct, nonzero, no row the negation of another).
      const weight = { data: Float64Array.from({ length: pb }, (_, k) => k + 1), shape: [1, C, M, M] as const };
      const flips = allFlipVectors(pb, pb / 2);
      const total = Number(spec.keySpace(pb));
      const encryptions = new Float64Array(total);
      const models = new Float64Array(total);
      let n = 0;
      forEachPermutation(pb, (permutation) => {
        for (const flip of flips) {
          const key: BlockKey = { blockSize: M, channels: C, permutation, flip };
          const cipher = encryptUint8(probe, key).data;
          const model = transformPatchEmbedding(weight, key).data;
          // Each output value has one of 2·p_b possible values: code the vector in base 2·p_b.
          let e = 0;
          let m = 0;
          for (let k = 0; k < pb; k++) {
            const x = cipher[k];
            e = e * 2 * pb + (x <= pb ? x - 1 : pb + (255 - x) - 1);
            const w = model[k];
            m = m * 2 * pb + (w > 0 ? w - 1 : pb - w - 1);
          }
          encryptions[n] = e;
          models[n] = m;
          n++;
        }
      });
      expect(n).toBe(total);
      expect(countDistinct(encryptions)).toBe(total);
      expect(countDistinct(models)).toBe(total);
    });
  }
});

describe('the closed form', () => {
  it('p_b = 48 (M = 4, C = 3): O = 48!·C(48,24), checked against mathjs big numbers', async () => {
    // mathjs is imported here, not at the top: a mutant run that needs only the brute force skips loading it.
    const { all, create } = await import('mathjs');
    const math = create(all, { precision: 200 });
    const o = math.multiply(math.factorial(math.bignumber(48)), math.combinations(math.bignumber(48), math.bignumber(24)));
    const ks = keySpace(4, 3);
    expect(ks.blockLength).toBe(48);
    expect(ks.shuffleKeys.toString()).toBe(math.format(math.factorial(math.bignumber(48)), { notation: 'fixed' }));
    expect(ks.flipKeys.toString()).toBe(math.format(math.combinations(math.bignumber(48), math.bignumber(24)), { notation: 'fixed' }));
    expect(ks.total.toString()).toBe(math.format(o, { notation: 'fixed' }));
    expect(spec.keySpace(48)).toBe(ks.total);
    // The paper's order of magnitude: ≈ 4.0 × 10^74 ≈ 2^247.8.
    expect(ks.decimal.exponent).toBe(74);
    expect(ks.log2Total).toBeCloseTo(247.82, 2);
  });

  it('src ≡ spec for every M ≤ 8, C ≤ 4 with p_b even: exact values, log2 and decimal form', () => {
    for (let M = 1; M <= 8; M++) {
      for (let C = 1; C <= 4; C++) {
        const pb = M * M * C;
        if (pb % 2 !== 0) {
          expect(() => keySpace(M, C), `M=${M},C=${C}`).toThrow(/odd/);
          continue;
        }
        const ks = keySpace(M, C);
        expect(ks.shuffleKeys, `O_p M=${M},C=${C}`).toBe(spec.shuffleKeySpace(pb));
        expect(ks.flipKeys, `O_f M=${M},C=${C}`).toBe(spec.flipKeySpace(pb));
        expect(ks.total, `O M=${M},C=${C}`).toBe(spec.keySpace(pb));
        expect(Math.abs(ks.log2Total - spec.keySpaceLog2(pb)) / spec.keySpaceLog2(pb), `log2 M=${M},C=${C}`).toBeLessThan(1e-12);
        const digits = ks.total.toString();
        expect(ks.decimal.exponent).toBe(digits.length - 1);
        expect(ks.decimal.mantissa).toBeCloseTo(Number(`${digits[0]}.${digits.slice(1, 15)}`), 12);
      }
    }
  });
});
