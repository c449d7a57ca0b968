import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encryptUint8 } from '../core/blockTransform.ts';
import { imageBatch, sliceImages } from '../core/images.ts';
import { generateKey, randomPermutation, seededRandom } from '../core/keygen.ts';
import { parseCifarRecords } from '../io/cifar10.ts';
import { loadGoldenRun } from '../../golden/goldenRun.ts';
import { uint8ImagesToBlocks } from './common.ts';
import { type Moments, ciphertextOnlyAttack, matchPermutation } from './ciphertextOnly.ts';

describe('ciphertext-only: permutation matching', () => {
  it('recovers π exactly when the encrypted moments are the reference moments permuted', () => {
    const n = 12;
    const r = seededRandom('moments');
    const g = Float64Array.from({ length: n * n }, () => r.int(1000) / 100 - 5);
    const B = new Float64Array(n * n); // G Gᵀ: a generic covariance
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) B[i * n + j] += g[i * n + k] * g[j * n + k];
    const b = Float64Array.from({ length: n }, () => r.int(256));
    const pi = randomPermutation(n, r);
    const A = new Float64Array(n * n);
    for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) A[k * n + l] = B[pi[k] * n + pi[l]];
    const enc: Moments = { mean: Float64Array.from(pi, (j) => b[j]), covariance: A };
    const found = matchPermutation(enc, { mean: b, covariance: B }, { restarts: 20 });
    expect(Array.from(found.permutation)).toEqual(Array.from(pi));
    expect(found.cost).toBeLessThan(1e-9);
  });
});

describe('ciphertext-only attack', () => {
  it('recovers the golden key exactly from 300 encrypted CIFAR-10 images (reference: 500 other plain images)', () => {
    const run = loadGoldenRun('cpu');
    const { images } = parseCifarRecords(readFileSync(fileURLToPath(new URL('../../golden/data/test_batch_first1000.bin', import.meta.url))));
    const reference = uint8ImagesToBlocks(sliceImages(images, 500, 500), 4);
    const encrypted = uint8ImagesToBlocks(encryptUint8(sliceImages(images, 0, 300), run.key), 4);
    const r = ciphertextOnlyAttack(encrypted, reference, { truth: run.key });
    expect(r.flipFraction).toBe(1);
    expect(r.keyRecovered).toBe(true);
    expect(r.effort.images).toBe(300);
  }, 20_000);

  it('learns nothing about the flips from noise images (no pixel correlation)', () => {
    const r = seededRandom('noise');
    const noise = (count: number) => imageBatch(Uint8Array.from({ length: count * 16 * 16 * 3 }, () => r.int(256)), { count, height: 16, width: 16, channels: 3 }, 'NHWC');
    const key = generateKey({ blockSize: 2, channels: 3, seed: 'co' });
    const res = ciphertextOnlyAttack(uint8ImagesToBlocks(encryptUint8(noise(20), key), 2), uint8ImagesToBlocks(noise(20), 2), { truth: key, restarts: 5 });
    expect(res.keyRecovered).toBe(false);
    expect(res.flipFraction!).toBeLessThan(1);
  });
});
