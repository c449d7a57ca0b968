/**
 * System C (random orthogonal matrix per block): src ≡ spec, invertibility,
 * and embedding(x Q, Qᵀ E) = embedding(x, E) for any input values (the
 * identity needs no particular normalization).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decryptImageOrthogonal, encryptImageOrthogonal, transformEmbeddingOrthogonal } from '../spec/orthogonal.ts';
import { matMul, transpose } from '../spec/modelTransform.ts';
import { embeddingMatrix, patchEmbeddingConv, weightFromEmbeddingMatrix } from '../spec/patchEmbedding.ts';
import { imageBatch } from '../src/core/images.ts';
import { seededRandom } from '../src/core/keygen.ts';
import { type OrthogonalKey, decryptOrthogonal, encryptOrthogonal, randomOrthogonal, transformPatchEmbeddingOrthogonal, validateOrthogonalKey } from '../src/core/orthogonal.ts';
import { shapeCaseArb, shapeLength, unitDouble } from './arbitraries.ts';
import { fromSpecImages, toSpecImages } from './bridge.ts';
import { TOLERANCE, firstMismatch } from './tolerance.ts';

const caseArb = shapeCaseArb
  .filter((sc) => sc.blockSize <= 4)
  .chain((sc) =>
    fc.record({
      seed: fc.string(),
      values: fc.array(unitDouble(-3, 3), { minLength: shapeLength(sc.shape), maxLength: shapeLength(sc.shape) }),
      dim: fc.integer({ min: 1, max: 4 }),
      weightSeed: fc.integer(),
    }).map((r) => ({ ...sc, ...r })),
  );

function keyFor(c: { blockSize: number; channels: number; seed: string }): OrthogonalKey {
  const pb = c.blockSize * c.blockSize * c.channels;
  return { blockSize: c.blockSize, channels: c.channels, matrix: randomOrthogonal(pb, seededRandom(c.seed)) };
}

function rows(key: OrthogonalKey): number[][] {
  const pb = Math.sqrt(key.matrix.length);
  return Array.from({ length: pb }, (_, i) => Array.from(key.matrix.subarray(i * pb, (i + 1) * pb)));
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const i = firstMismatch(a, b, TOLERANCE.orthogonal);
  expect(i, i < 0 ? '' : `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBe(-1);
}

describe('System C', () => {
  // QQᵀ from the spec's matrix product (not src's validateOrthogonalKey, the check under test elsewhere: properties/ORACLES.md).
  test.prop([fc.integer({ min: 1, max: 64 }), fc.string()])('randomOrthogonal gives Q with QQᵀ = I', (n, seed) => {
    const q = rows({ blockSize: 1, channels: n, matrix: randomOrthogonal(n, seededRandom(seed)) });
    const product = matMul(q, transpose(q)).flat();
    const identity = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    const i = firstMismatch(product, identity, { atol: 1e-12, rtol: 0 });
    expect(i, i < 0 ? '' : `(QQᵀ)[${Math.floor(i / n)}][${i % n}] = ${product[i]}`).toBe(-1);
  });

  test.prop([caseArb])('encryptOrthogonal ≡ spec (x′ = xQ per block), both layouts', (c) => {
    const key = keyFor(c);
    const data = Float64Array.from(c.values);
    const fast = encryptOrthogonal(imageBatch(data, c.shape, c.layout), key).data;
    const slow = fromSpecImages(toSpecImages(data, c.shape, c.layout).map((img) => encryptImageOrthogonal(img, c.blockSize, rows(key))), c.shape, c.layout);
    expectClose(fast, slow, 'value');
    const back = decryptOrthogonal({ data: fast, shape: c.shape, layout: c.layout }, key).data;
    expectClose(back, data, 'round trip');
    const specBack = fromSpecImages(toSpecImages(slow, c.shape, c.layout).map((img) => decryptImageOrthogonal(img, c.blockSize, rows(key))), c.shape, c.layout);
    expectClose(specBack, data, 'spec round trip');
  });

  test.prop([caseArb])('embedding(xQ, QᵀE) = embedding(x, E), on any input values; src ≡ spec for the model', (c) => {
    const key = keyFor(c);
    const pb = c.blockSize * c.blockSize * c.channels;
    const rng = seededRandom(String(c.weightSeed));
    const weight = Float64Array.from({ length: c.dim * pb }, () => rng.int(2001) / 1000 - 1);
    const w = { dim: c.dim, channels: c.channels, patch: c.blockSize, weight, bias: Float64Array.from({ length: c.dim }, () => rng.int(100) / 50) };
    const fastWeight = transformPatchEmbeddingOrthogonal({ data: weight, shape: [c.dim, c.channels, c.blockSize, c.blockSize] }, key).data;
    const specWeight = weightFromEmbeddingMatrix(transformEmbeddingOrthogonal(embeddingMatrix(w), rows(key)), c.dim);
    expectClose(fastWeight, specWeight, 'weight');
    const data = Float64Array.from(c.values);
    const encrypted = encryptOrthogonal(imageBatch(data, c.shape, c.layout), key).data;
    const plainImages = toSpecImages(data, c.shape, c.layout);
    const encImages = toSpecImages(encrypted, c.shape, c.layout);
    plainImages.forEach((img, n) => {
      expectClose(patchEmbeddingConv(encImages[n], { ...w, weight: fastWeight }).data, patchEmbeddingConv(img, w).data, `embedding of image ${n}`);
    });
  });

  test.prop([fc.string()])('a non-orthogonal matrix is rejected', (seed) => {
    const m = randomOrthogonal(12, seededRandom(seed));
    m[5] += 0.01;
    expect(() => validateOrthogonalKey({ blockSize: 2, channels: 3, matrix: m })).toThrow(/not orthogonal/);
  });
});
