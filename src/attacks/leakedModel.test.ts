import { describe, expect, it } from 'vitest';
import { generateKey, seededRandom } from '../core/keygen.ts';
import { randomOrthogonal, transformPatchEmbeddingOrthogonal } from '../core/orthogonal.ts';
import { transformPatchEmbedding } from '../core/modelTransform.ts';
import { fileURLToPath } from 'node:url';
import { encryptModel } from '../model/encryptModel.ts';
import { readConvMixerFile } from '../io/modelFile.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { loadGoldenRun } from '../../golden/goldenRun.ts';
import { perturbedEmbedding, recoverKeyFromLeakedModel, recoverOrthogonalFromLeakedModel, recoverPermutationByGramMatching } from './leakedModel.ts';

const d = 32;
const pb = 12; // M = 2, C = 3
function weight(seed: string, dim = d): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: dim * pb }, () => r.int(2001) / 1000 - 1);
}

describe('leaked-model key recovery', () => {
  const key = generateKey({ blockSize: 2, channels: 3, seed: 'leak' });
  const plain = weight('plain');
  const encrypted = transformPatchEmbedding({ data: plain, shape: [d, 3, 2, 2] }, key).data;

  it('recovers (v, r) exactly from the same plain model', () => {
    const r = recoverKeyFromLeakedModel({ data: plain, dim: d, blockLength: pb }, { data: encrypted, dim: d, blockLength: pb }, { truth: key });
    expect(r.keyRecovered).toBe(true);
    expect(r.fractionCorrect).toBe(1);
    expect(r.minScore).toBeCloseTo(1, 12);
  });

  it('still recovers it from a noisy copy (noise 0.3 × RMS)', () => {
    const r = seededRandom('noise');
    const noisy = perturbedEmbedding({ data: plain, dim: d, blockLength: pb }, 0.3, () => r.int(2 ** 30) / 2 ** 30);
    expect(recoverKeyFromLeakedModel(noisy, { data: encrypted, dim: d, blockLength: pb }, { truth: key }).fractionCorrect).toBe(1);
  });

  it('fails with an unrelated plain model of the same architecture (near chance)', () => {
    const r = recoverKeyFromLeakedModel({ data: weight('other'), dim: d, blockLength: pb }, { data: encrypted, dim: d, blockLength: pb }, { truth: key });
    expect(r.keyRecovered).toBe(false);
    expect(r.fractionCorrect!).toBeLessThan(0.5);
    expect(r.minScore).toBeLessThan(0.9);
  });

  it('rejects embeddings of different shapes', () => {
    expect(() => recoverKeyFromLeakedModel({ data: plain, dim: d, blockLength: pb }, { data: encrypted.subarray(pb), dim: d - 1, blockLength: pb })).toThrow(/architecture/);
  });

  it('System C: recovers Q by least squares when d ≥ p_b, not when d < p_b', () => {
    const Q = { blockSize: 2, channels: 3, matrix: randomOrthogonal(pb, seededRandom('Q')) };
    const enc = transformPatchEmbeddingOrthogonal({ data: plain, shape: [d, 3, 2, 2] }, Q).data;
    const r = recoverOrthogonalFromLeakedModel({ data: plain, dim: d, blockLength: pb }, { data: enc, dim: d, blockLength: pb }, { truth: Q });
    expect(r.keyRecovered).toBe(true);
    expect(r.keyError!).toBeLessThan(1e-9);
    const small = weight('small', 8);
    const encSmall = transformPatchEmbeddingOrthogonal({ data: small, shape: [8, 3, 2, 2] }, Q).data;
    const s = recoverOrthogonalFromLeakedModel({ data: small, dim: 8, blockLength: pb }, { data: encSmall, dim: 8, blockLength: pb });
    expect(s.keyRecovered).toBe(false);
    expect(s.matrix).toBeUndefined();
  });
});

describe('leaked model against an independently trained plain model (golden/second-model/cpu-seed2)', () => {
  const run = loadGoldenRun('cpu');
  const second = readConvMixerFile(fileURLToPath(new URL('../../golden/second-model/cpu-seed2/model.safetensors', import.meta.url))).weights;
  const emb = (w: ConvMixerWeights) => ({ data: w.embedWeight, dim: w.config.dim, blockLength: 48 });
  const encrypted = emb(encryptModel(run.weights, run.key));

  it('Gram matching finds the permutation when the attacker has the same model', () => {
    expect(recoverPermutationByGramMatching(emb(run.weights), encrypted, { truth: run.key }).permutationFraction).toBe(1);
  });

  it('neither column matching nor Gram matching recovers the key from another model trained on the same data', () => {
    const columns = recoverKeyFromLeakedModel(emb(second), encrypted, { truth: run.key });
    expect(columns.fractionCorrect).toBe(0); // measured: 0 of 48 (README, Attacks)
    expect(columns.minScore).toBeLessThan(0.1);
    const gram = recoverPermutationByGramMatching(emb(second), encrypted, { truth: run.key });
    expect(gram.permutationFraction!).toBeLessThan(0.15);
  });
});
