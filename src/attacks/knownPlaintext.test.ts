import { describe, expect, it } from 'vitest';
import { encryptUint8 } from '../core/blockTransform.ts';
import { imageBatch } from '../core/images.ts';
import { generateKey, seededRandom } from '../core/keygen.ts';
import { randomOrthogonal } from '../core/orthogonal.ts';
import { orthogonal } from '../variants/builtin/systemC.ts';
import { systemA } from '../variants/builtin/systemA.ts';
import { uint8ImagesToBlocks } from './common.ts';
import { recoverLinearMap, recoverSignedPermutation } from './knownPlaintext.ts';

function noiseImage(seed: string, size = 16, channels = 3) {
  const r = seededRandom(seed);
  return imageBatch(Uint8Array.from({ length: size * size * channels }, () => r.int(256)), { count: 1, height: size, width: size, channels }, 'NHWC');
}

describe('known-plaintext: signed permutation (System A)', () => {
  const key = generateKey({ blockSize: 4, channels: 3, seed: 'kp' });

  it('recovers the key exactly from one random 16×16 image pair, in a few blocks', () => {
    const img = noiseImage('img');
    const r = recoverSignedPermutation(uint8ImagesToBlocks(img, 4), uint8ImagesToBlocks(encryptUint8(img, key), 4), { truth: key });
    expect(r.keyRecovered).toBe(true);
    expect(r.fractionCorrect).toBe(1);
    expect(Array.from(r.permutation)).toEqual(Array.from(key.permutation));
    expect(Array.from(r.flip)).toEqual(Array.from(key.flip));
    expect(r.blocksNeeded).toBeLessThanOrEqual(3);
  });

  it('works through the variant contract (system-a encrypt on blocks)', () => {
    const plain = uint8ImagesToBlocks(noiseImage('v'), 4);
    const k = systemA.generateKey({ blockSize: 4, channels: 3 }, 'vk');
    const r = recoverSignedPermutation(plain, systemA.encrypt(plain, k), { truth: k });
    expect(r.keyRecovered).toBe(true);
  });

  it('stays ambiguous on a flat image (every block value equal): failure is reported, not guessed', () => {
    const flat = imageBatch(new Uint8Array(8 * 8 * 3).fill(7), { count: 1, height: 8, width: 8, channels: 3 }, 'NHWC');
    const r = recoverSignedPermutation(uint8ImagesToBlocks(flat, 4), uint8ImagesToBlocks(encryptUint8(flat, key), 4), { truth: key });
    expect(r.keyRecovered).toBe(false);
    expect(r.ambiguousPositions).toBe(48);
    expect(r.blocksNeeded).toBeNull();
  });

  it('reports inconsistency when the pairs are not a signed permutation', () => {
    const a = uint8ImagesToBlocks(noiseImage('a'), 4);
    const b = uint8ImagesToBlocks(noiseImage('b'), 4);
    const r = recoverSignedPermutation(a, b);
    expect(r.keyRecovered).toBe(false);
    expect(r.inconsistentPositions).toBeGreaterThan(0);
  });
});

describe('known-plaintext: least squares (System C)', () => {
  const Q = { blockSize: 2, channels: 3, matrix: randomOrthogonal(12, seededRandom('q')) };
  const r = seededRandom('x');
  const plain = { data: Float64Array.from({ length: 30 * 12 }, () => r.int(1000) / 500 - 1), images: 1, rows: 5, cols: 6, blockSize: 2, channels: 3 };
  const enc = orthogonal.encrypt(plain, Q);

  it('recovers Q from p_b = 12 independent block pairs, residual at rounding level', () => {
    const res = recoverLinearMap(plain, enc, { use: 12, truth: Q });
    expect(res.keyRecovered).toBe(true);
    expect(res.keyError!).toBeLessThan(1e-8);
    expect(res.heldOutResidual!).toBeLessThan(1e-8);
  });

  it('cannot with p_b − 1 pairs (under-determined)', () => {
    const res = recoverLinearMap(plain, enc, { use: 11, truth: Q });
    expect(res.keyRecovered).toBe(false);
    expect(res.matrix).toBeUndefined();
  });

  it('an affine fit also breaks System A (with the 255 offset), and a non-affine map leaves a residual', () => {
    const img = noiseImage('lin', 32);
    const key = generateKey({ blockSize: 2, channels: 3, seed: 'lin' });
    const p = uint8ImagesToBlocks(img, 2);
    expect(recoverLinearMap(p, uint8ImagesToBlocks(encryptUint8(img, key), 2), { withOffset: true, use: 100 }).keyRecovered).toBe(true);
    const squared = { ...p, data: p.data.map((v) => (v * v) % 251) };
    const bad = recoverLinearMap(p, squared, { withOffset: true, use: 100 });
    expect(bad.keyRecovered).toBe(false);
    expect(bad.residual!).toBeGreaterThan(1);
  });
});
