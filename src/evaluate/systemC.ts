/**
 * System C (Aso, Chuman & Kiya 2023) in the evaluate experiment: the key is a
 * random orthogonal matrix Q, every normalized block is multiplied by it
 * (x′ = xQ) and the patch embedding becomes E′ = QᵀE (src/core/orthogonal.ts).
 * The images are normalized in float32 ((2x − 255)/255), multiplied in
 * float64 and rounded once to float32, as golden/generate/generate.py does;
 * they reach the engine as normalized floats (they are not 8-bit images).
 * Seeded wrong matrices are the orthogonal variant's (`${seed}:${i}`).
 * The report records each matrix by the sha256 of its float64 bytes (a
 * matrix is 2,304 numbers).
 */
import { createHash } from 'node:crypto';
import { type OrthogonalKey, encryptOrthogonal, transformPatchEmbeddingOrthogonal } from '../core/orthogonal.ts';
import { fail } from '../core/errors.ts';
import { type ImageBatch, type Layout, type Uint8Batch, imageBatch, normalizeImages } from '../core/images.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { orthogonal } from '../variants/builtin/systemC.ts';
import { type EvaluateOptions, type EvaluateResult, type KeyedSystem, runKeyedExperiment } from './evaluate.ts';
import type { ReportSystem } from './report.ts';

/** The encrypted model: E′ = QᵀE on the patch-embedding weight, the bias unchanged. */
export function encryptModelOrthogonal(weights: ConvMixerWeights, key: OrthogonalKey): ConvMixerWeights {
  const { dim, channels, patch } = weights.config;
  return { ...weights, embedWeight: transformPatchEmbeddingOrthogonal({ data: weights.embedWeight, shape: [dim, channels, patch, patch] }, key).data };
}

/** Images start … start + count − 1 normalized ((2x − 255)/255, float32) and encrypted with Q, in `layout`. */
function encryptedNormalized(images: Uint8Batch, key: OrthogonalKey, start: number, count: number, layout: Layout): ImageBatch<Float32Array> {
  return encryptOrthogonal(imageBatch(normalizeImages(images, start, count, layout), { ...images.shape, count }, layout), key);
}

export const SYSTEM_C: KeyedSystem<OrthogonalKey> = {
  keyNoun: 'matrix',
  keyNouns: 'matrices',
  transformModel: encryptModelOrthogonal,
  encryptedLogits: (engine, images, key, start, count) => engine.logitsNormalized(encryptedNormalized(images, key, start, count, 'NCHW')),
  checkKey(key, weights, what) {
    const { patch, channels } = weights.config;
    if (key.blockSize !== patch || key.channels !== channels) fail('key.wrong-block-size', `${what} needs a ${patch * patch * channels}×${patch * patch * channels} matrix for block size ${patch} and ${channels} channels; this one is for block size ${key.blockSize} and ${key.channels} channels`);
  },
  seededKey: (like, seed) => orthogonal.generateKey({ blockSize: like.blockSize, channels: like.channels }, seed),
  equal: (a, b) => a.blockSize === b.blockSize && a.channels === b.channels && a.matrix.every((x, i) => x === b.matrix[i]),
};

/** Table 1 and Fig. 5's experiment for System C: the plain model, the encrypted model on plain images, the right matrix and N wrong ones. */
export function evaluateOrthogonal(options: EvaluateOptions<OrthogonalKey>): Promise<EvaluateResult<OrthogonalKey>> {
  return runKeyedExperiment(SYSTEM_C, options);
}

/** Fig. 4's picture shows System C's real-valued encrypted blocks for display only: x′ clamped to [−1, 1] and mapped to 0…255. */
function displayOrthogonal(images: Uint8Batch, key: OrthogonalKey): Uint8Batch {
  const encrypted = encryptedNormalized(images, key, 0, images.shape.count, images.layout).data;
  return imageBatch(Uint8Array.from(encrypted, (x) => Math.round(((Math.max(-1, Math.min(1, x)) + 1) / 2) * 255)), images.shape, images.layout);
}

const sha256 = (matrix: Float64Array) => createHash('sha256').update(new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength)).digest('hex');

export const SYSTEM_C_REPORT: ReportSystem<OrthogonalKey> = {
  intro:
    'System C (Aso, Chuman & Kiya 2023): every normalized block of the test images\nmultiplied by a secret random orthogonal matrix Q, and the plain-trained\nConvMixer\'s patch embedding transformed to E′ = QᵀE.',
  keyNoun: SYSTEM_C.keyNoun,
  keyNouns: SYSTEM_C.keyNouns,
  modelTransform: 'E′ = QᵀE',
  keyJson: (key) => ({ blockSize: key.blockSize, channels: key.channels, matrixSha256: sha256(key.matrix) }),
  wrongKeyJson: (key) => ({ matrixSha256: sha256(key.matrix) }),
  shown: displayOrthogonal,
  paper: null,
};
