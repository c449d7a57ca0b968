/**
 * The headline claim of System A (Sec. 3.3): with the model transformation
 * of Eqs. (8)–(9),
 *     embedding(encrypt(x, K), transform(E, K)) = embedding(x, E),
 * on the conv form (Eq. 1), the matrix form (Eq. 3), and through the whole
 * ConvMixer (Eqs. 1–2); plus src's model transformation ≡ the spec's.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { encryptImage8bit, encryptImageUnit, normalize, normalize8bit } from '../spec/blockEncryption.ts';
import { convMixerForward } from '../spec/convmixer.ts';
import { type SpecImage, specImage } from '../spec/image.ts';
import { transformEmbedding, untransformEmbedding } from '../spec/modelTransform.ts';
import {
  type PatchEmbeddingWeights,
  embeddingMatrix,
  patchEmbeddingConv,
  patchEmbeddingMatrix,
  weightFromEmbeddingMatrix,
} from '../spec/patchEmbedding.ts';
import { encryptUint8 } from '../src/core/blockTransform.ts';
import { imageBatch } from '../src/core/images.ts';
import type { BlockKey } from '../src/core/key.ts';
import { transformPatchEmbedding, untransformPatchEmbedding } from '../src/core/modelTransform.ts';
import { blockKeyArb, unitDouble } from './arbitraries.ts';
import { toSpecImage } from './bridge.ts';
import { costlyRuns } from './setup.ts';
import { randomSpecConvMixer } from './specModels.ts';
import { TOLERANCE, type Tolerance, firstMismatch } from './tolerance.ts';

interface EmbeddingCase {
  readonly patch: number;
  readonly channels: number;
  readonly dim: number;
  readonly key: BlockKey;
  readonly image: SpecImage; // 8-bit values
  readonly weights: PatchEmbeddingWeights;
}

/** M = P ∈ {1, 2, 4}, C ∈ {1, 2, 3} with p_b even, d ∈ 1..6, 1–3 patches per side. */
const embeddingCaseArb: fc.Arbitrary<EmbeddingCase> = fc
  .record({ patch: fc.constantFrom(1, 2, 4), channels: fc.constantFrom(1, 2, 3), dim: fc.integer({ min: 1, max: 6 }) })
  .filter(({ patch, channels }) => (patch * patch * channels) % 2 === 0)
  .chain(({ patch, channels, dim }) => {
    const pb = patch * patch * channels;
    return fc
      .record({
        key: blockKeyArb(patch, channels),
        rows: fc.integer({ min: 1, max: 3 }),
        cols: fc.integer({ min: 1, max: 3 }),
        weight: fc.array(unitDouble(-1, 1), { minLength: dim * pb, maxLength: dim * pb }),
        bias: fc.array(unitDouble(-1, 1), { minLength: dim, maxLength: dim }),
      })
      .chain(({ key, rows, cols, weight, bias }) =>
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: channels * rows * cols * pb / channels, maxLength: channels * rows * cols * pb / channels }).map((pixels) => ({
          patch,
          channels,
          dim,
          key,
          image: specImage(channels, rows * patch, cols * patch, pixels),
          weights: { dim, channels, patch, weight: Float64Array.from(weight), bias: Float64Array.from(bias) },
        })),
      );
  });

/** Values for exact comparison; −0 and +0 are the same value (a sum in the spec's E_p·E turns −0 into +0). */
const values = (a: ArrayLike<number>) => Array.from(a, (x) => x + 0);
const v = (key: BlockKey) => Array.from(key.permutation);
const r = (key: BlockKey) => Array.from(key.flip);

function normalizeImage(img: SpecImage, f: (x: number) => number): SpecImage {
  return { ...img, data: img.data.map(f) };
}

/** The spec's encrypted model: Eqs. (8)–(9) on E, back to a conv weight. */
function specTransformedWeights(w: PatchEmbeddingWeights, key: BlockKey): PatchEmbeddingWeights {
  const E2 = transformEmbedding(embeddingMatrix(w), v(key), r(key));
  return { ...w, weight: weightFromEmbeddingMatrix(E2, w.dim) };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  const i = firstMismatch(actual, expected, tol);
  expect(i, i < 0 ? '' : `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (atol ${tol.atol}, rtol ${tol.rtol})`).toBe(-1);
}

describe('embedding(encrypt(x, K), transform(E, K)) = embedding(x, E)', () => {
  test.prop([embeddingCaseArb])('conv form (Eq. 1), 8-bit images (Eqs. 4, 5, 7)', (c) => {
    const plain = patchEmbeddingConv(normalizeImage(c.image, normalize8bit), c.weights);
    const encrypted = encryptImage8bit(c.image, c.patch, v(c.key), r(c.key));
    const cipher = patchEmbeddingConv(normalizeImage(encrypted, normalize8bit), specTransformedWeights(c.weights, c.key));
    expectClose(cipher.data, plain.data, TOLERANCE.embedding, 'embedding');
  });

  test.prop([embeddingCaseArb])('matrix form (Eq. 3): x_p E with E′ = E_p E, sign-flipped rows', (c) => {
    const E = embeddingMatrix(c.weights);
    const plain = patchEmbeddingMatrix(normalizeImage(c.image, normalize8bit), E, c.weights.bias, c.patch);
    const encrypted = normalizeImage(encryptImage8bit(c.image, c.patch, v(c.key), r(c.key)), normalize8bit);
    const cipher = patchEmbeddingMatrix(encrypted, transformEmbedding(E, v(c.key), r(c.key)), c.weights.bias, c.patch);
    expectClose(cipher.flat(), plain.flat(), TOLERANCE.embedding, 'embedding');
  });

  test.prop([embeddingCaseArb])('conv form, [0,1] float images (Eqs. 4, 6, then 7 literally)', (c) => {
    const unit = normalizeImage(c.image, (x) => x / 255);
    const plain = patchEmbeddingConv(normalizeImage(unit, normalize), c.weights);
    const encrypted = encryptImageUnit(unit, c.patch, v(c.key), r(c.key));
    const cipher = patchEmbeddingConv(normalizeImage(encrypted, normalize), specTransformedWeights(c.weights, c.key));
    expectClose(cipher.data, plain.data, TOLERANCE.embedding, 'embedding');
  });

  test.prop([embeddingCaseArb])('the fast implementation end to end: encryptUint8 + transformPatchEmbedding', (c) => {
    const batch = imageBatch(Uint8Array.from(c.image.data), { count: 1, height: c.image.height, width: c.image.width, channels: c.channels }, 'NCHW');
    const encrypted = toSpecImage(encryptUint8(batch, c.key).data, batch.shape, 'NCHW', 0);
    const weight = transformPatchEmbedding({ data: c.weights.weight, shape: [c.dim, c.channels, c.patch, c.patch] }, c.key).data;
    const plain = patchEmbeddingConv(normalizeImage(c.image, normalize8bit), c.weights);
    const cipher = patchEmbeddingConv(normalizeImage(encrypted, normalize8bit), { ...c.weights, weight });
    expectClose(cipher.data, plain.data, TOLERANCE.embedding, 'embedding');
  });

  test.prop([
    embeddingCaseArb,
    fc.record({ depth: fc.integer({ min: 0, max: 2 }), kernel: fc.constantFrom(1, 2, 3), classes: fc.integer({ min: 2, max: 4 }), seed: fc.integer() }),
  ], { numRuns: Math.min(40, costlyRuns(40)) })('through the whole ConvMixer (Eqs. 1–2): logits equal', (c, m) => {
    const model = randomSpecConvMixer({ dim: c.dim, depth: m.depth, kernel: m.kernel, patch: c.patch, channels: c.channels, classes: m.classes }, m.seed);
    const encryptedModel = { ...model, embed: specTransformedWeights(model.embed, c.key) };
    const plain = convMixerForward(normalizeImage(c.image, normalize8bit), model);
    const encrypted = normalizeImage(encryptImage8bit(c.image, c.patch, v(c.key), r(c.key)), normalize8bit);
    const cipher = convMixerForward(encrypted, encryptedModel);
    expectClose(cipher, plain, TOLERANCE.specLogits, 'logit');
  });
});

describe('model transformation: src ≡ spec, and its inverse', () => {
  test.prop([embeddingCaseArb])('transformPatchEmbedding (PyTorch layout) ≡ Eqs. (8)–(9) on E, bit for bit', (c) => {
    const fast = transformPatchEmbedding({ data: c.weights.weight, shape: [c.dim, c.channels, c.patch, c.patch] }, c.key);
    expect(values(fast.data)).toEqual(values(specTransformedWeights(c.weights, c.key).weight));
  });

  test.prop([embeddingCaseArb])('float32 weights: same values as the spec, rounded', (c) => {
    const w32 = Float32Array.from(c.weights.weight);
    const fast = transformPatchEmbedding({ data: w32, shape: [c.dim, c.channels, c.patch, c.patch] }, c.key);
    expect(fast.data).toBeInstanceOf(Float32Array);
    expect(values(fast.data)).toEqual(values(specTransformedWeights({ ...c.weights, weight: Float64Array.from(w32) }, c.key).weight));
  });

  test.prop([embeddingCaseArb])('untransform ∘ transform = identity (src and spec)', (c) => {
    const shape = [c.dim, c.channels, c.patch, c.patch] as const;
    const w = { data: c.weights.weight, shape };
    expect(values(untransformPatchEmbedding(transformPatchEmbedding(w, c.key), c.key).data)).toEqual(values(c.weights.weight));
    const E = embeddingMatrix(c.weights);
    expect(values(untransformEmbedding(transformEmbedding(E, v(c.key), r(c.key)), v(c.key), r(c.key)).flat())).toEqual(values(E.flat()));
  });
});
