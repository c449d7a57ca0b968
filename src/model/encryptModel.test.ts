/**
 * encryptModel.ts: only E changes, by Eq. 9. Hand-worked for M = 1, C = 2
 * (p_b = 2), permutation (1 0), flip (1 0): the encrypted block is
 * x″ = (−x₁, x₀), so E′·x″ = E·x needs E′ = (−E₁, E₀) per output row; with
 * E = [[3, 5], [7, 11]], E′ = [[−5, 3], [−11, 7]]. Mutation kills (issue 25,
 * area io): encryptModel.ts:10–12 (the shape (d, C, P, P), the spread that keeps the rest).
 */
import { describe, expect, it } from 'vitest';
import { validateKey } from '../core/key.ts';
import { randomConvMixerWeights } from './convmixer.ts';
import { encryptModel } from './encryptModel.ts';

describe('encryptModel', () => {
  it('transforms the patch embedding by Eq. 9 and shares everything else', () => {
    const plain = randomConvMixerWeights({ dim: 2, depth: 1, kernel: 1, patch: 1, channels: 2, classes: 2 }, 'encrypt-model');
    const weights = { ...plain, embedWeight: Float32Array.of(3, 5, 7, 11) };
    const key = validateKey({ blockSize: 1, channels: 2, permutation: [1, 0], flip: [1, 0] });
    const encrypted = encryptModel(weights, key);
    expect(Array.from(encrypted.embedWeight)).toEqual([-5, 3, -11, 7]);
    expect(Array.from(weights.embedWeight)).toEqual([3, 5, 7, 11]);
    expect(encrypted.config).toBe(weights.config);
    expect(encrypted.embedBias).toBe(weights.embedBias);
    expect(encrypted.layers).toBe(weights.layers);
    expect(encrypted.headWeight).toBe(weights.headWeight);
    expect(Object.keys(encrypted).sort()).toEqual(Object.keys(weights).sort());
  });
});
