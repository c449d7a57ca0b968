/**
 * System A's encrypted ConvMixer (Eqs. 8–9): the model that classifies images
 * encrypted with the key exactly as the plain model classifies plain ones.
 */
import type { BlockKey } from '../core/key.ts';
import { transformPatchEmbedding } from '../core/modelTransform.ts';
import type { ConvMixerWeights } from './convmixer.ts';

/** The encrypted model: only the patch-embedding weight changes (Eqs. 8–9). */
export function encryptModel(weights: ConvMixerWeights, key: BlockKey): ConvMixerWeights {
  const { dim, channels, patch } = weights.config;
  const embedWeight = transformPatchEmbedding({ data: weights.embedWeight, shape: [dim, channels, patch, patch] }, key).data;
  return { ...weights, embedWeight };
}
