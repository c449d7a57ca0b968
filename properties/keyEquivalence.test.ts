/**
 * No accidental equivalence: on generic images and models a wrong key gives
 * a different embedding. The only equivalent keys are the provable ones,
 * which exist only for non-generic data:
 *   - duplicate rows E(a) = E(b): exchanging the permutation entries that
 *     point to a and b leaves E′ unchanged (Eq. 8);
 *   - two zero rows a, b: exchanging the flip bits at the positions that
 *     point to them leaves E′ unchanged (Eq. 9) and keeps p_b/2 ones;
 *   - on the image side, a block with x(a) = x(b) in every block does not
 *     see the same exchange of permutation entries.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { normalize8bit } from '../spec/blockEncryption.ts';
import { patchEmbeddingConv } from '../spec/patchEmbedding.ts';
import { encryptUint8 } from '../src/core/blockTransform.ts';
import { imageBatch } from '../src/core/images.ts';
import type { BlockKey } from '../src/core/key.ts';
import { transformPatchEmbedding } from '../src/core/modelTransform.ts';
import { blockKeyArb, distinctKeysArb, range } from './arbitraries.ts';
import { toSpecImage } from './bridge.ts';

const configArb = fc
  .record({ M: fc.constantFrom(1, 2, 4), C: fc.constantFrom(1, 2, 3) })
  .filter(({ M, C }) => (M * M * C) % 2 === 0 && M * M * C <= 48);

/** Rows 1..p_b, shuffled: distinct, nonzero, none the negation of another. */
function genericWeight(order: number[], C: number, M: number) {
  return { data: Float64Array.from(order, (k) => k + 1), shape: [1, C, M, M] as const };
}

function exchangePointers(key: BlockKey, a: number, b: number): BlockKey {
  const permutation = Int32Array.from(key.permutation);
  const ka = permutation.indexOf(a);
  const kb = permutation.indexOf(b);
  permutation[ka] = b;
  permutation[kb] = a;
  return { ...key, permutation };
}

describe('wrong keys', () => {
  test.prop([
    configArb.chain(({ M, C }) =>
      fc.record({
        M: fc.constant(M),
        C: fc.constant(C),
        keys: distinctKeysArb(M, C),
        block: fc.shuffledSubarray(range(127).map((i) => i + 1), { minLength: M * M * C, maxLength: M * M * C }),
        order: fc.shuffledSubarray(range(M * M * C), { minLength: M * M * C, maxLength: M * M * C }),
      }),
    ),
  ])('generic image and model: a wrong key gives a different embedding', ({ M, C, keys: [right, wrong], block, order }) => {
    const batch = imageBatch(Uint8Array.from(block), { count: 1, height: M, width: M, channels: C }, 'NCHW');
    const weight = genericWeight(order, C, M);
    const model = { dim: 1, channels: C, patch: M, weight: transformPatchEmbedding(weight, right).data, bias: new Float64Array(1) };
    const embed = (key: BlockKey) => {
      const img = toSpecImage(encryptUint8(batch, key).data, batch.shape, 'NCHW', 0);
      return patchEmbeddingConv({ ...img, data: img.data.map(normalize8bit) }, model).data[0];
    };
    expect(embed(wrong)).not.toBe(embed(right));
    // …and a wrong key also gives a different model.
    expect(Array.from(transformPatchEmbedding(weight, wrong).data)).not.toEqual(Array.from(model.weight));
  });
});

describe('provably equivalent keys', () => {
  const caseArb = configArb.chain(({ M, C }) =>
    fc.record({
      M: fc.constant(M),
      C: fc.constant(C),
      key: blockKeyArb(M, C),
      pair: fc.shuffledSubarray(range(M * M * C), { minLength: 2, maxLength: 2 }),
      values: fc.array(fc.integer({ min: -1000, max: 1000 }).filter((x) => x !== 0), { minLength: M * M * C, maxLength: M * M * C }),
    }),
  );

  test.prop([caseArb])('duplicate rows E(a) = E(b): exchanging the pointers to a and b gives the same E′', ({ M, C, key, pair: [a, b], values }) => {
    values[b] = values[a];
    const weight = { data: Float64Array.from(values), shape: [1, C, M, M] as const };
    const other = exchangePointers(key, a, b);
    expect(Array.from(other.permutation)).not.toEqual(Array.from(key.permutation));
    expect(Array.from(transformPatchEmbedding(weight, other).data)).toEqual(Array.from(transformPatchEmbedding(weight, key).data));
  });

  test.prop([caseArb])('two zero rows: exchanging their flip bits gives the same E′', ({ M, C, key, pair: [a, b], values }) => {
    values[a] = 0;
    values[b] = 0;
    const weight = { data: Float64Array.from(values), shape: [1, C, M, M] as const };
    const ka = key.permutation.indexOf(a);
    const kb = key.permutation.indexOf(b);
    fc.pre(key.flip[ka] !== key.flip[kb]); // otherwise the exchange changes nothing
    const flip = Uint8Array.from(key.flip);
    [flip[ka], flip[kb]] = [flip[kb], flip[ka]];
    const other = { ...key, flip };
    const same = (x: Float64Array) => Array.from(x, (w) => w + 0); // −0 and +0: the same zero row
    expect(same(transformPatchEmbedding(weight, other).data)).toEqual(same(transformPatchEmbedding(weight, key).data));
  });

  test.prop([caseArb])('images with x(a) = x(b) in every block cannot tell the exchanged pointers apart', ({ M, C, key, pair: [a, b], values }) => {
    const pixels = Uint8Array.from(values, (x) => Math.abs(x) % 256);
    pixels[b] = pixels[a];
    const batch = imageBatch(pixels, { count: 1, height: M, width: M, channels: C }, 'NCHW');
    expect(Array.from(encryptUint8(batch, exchangePointers(key, a, b)).data)).toEqual(Array.from(encryptUint8(batch, key).data));
  });
});
