/**
 * Model transformation of System A (Eqs. 8–9) on a patch-embedding weight in
 * PyTorch layout (d, C, P, P). Viewed as E = weightᵀ ∈ R^{p_b×d} (Eq. 3),
 * row k of E is column k of the weight reshaped to (d, p_b), so
 *   Eq. (8)  E′(k, :) = E(v_k, :)     →  w′[o][k] = w[o][v_k]
 *   Eq. (9)  E″(k, :) = −E′(k, :) where r_k = 1.
 * The conv bias is unchanged. With this, embedding(encrypt(x, K), E″) =
 * embedding(x, E) for every image x.
 */
import { fail } from './errors.ts';
import type { FloatArray } from './images.ts';
import { type BlockKey, expectKeyFor } from './key.ts';
import { plural } from './words.ts';

export interface PatchEmbeddingWeight<A extends FloatArray = FloatArray> {
  readonly data: A;
  /** [d, C, P, P], PyTorch's conv weight layout. */
  readonly shape: readonly [number, number, number, number];
}

function checkWeight(weight: PatchEmbeddingWeight, key: BlockKey): number {
  const [d, C, P, P2] = weight.shape;
  if (weight.shape.length !== 4 || P !== P2) fail('model.weight-shape', `patch-embedding weight must have shape (d, C, P, P), got (${weight.shape.join(', ')})`);
  if (weight.data.length !== d * C * P * P) fail('model.weight-length', `patch-embedding weight has ${weight.data.length} values, shape (${weight.shape.join(', ')}) needs ${d * C * P * P}`);
  expectKeyFor(key, P, C, `a patch embedding with patch size ${P} and ${plural(C, 'channel')}`);
  return C * P * P;
}

function newLike<A extends FloatArray>(data: A): A {
  return (data instanceof Float32Array ? new Float32Array(data.length) : new Float64Array(data.length)) as A;
}

/** Eqs. (8)–(9): returns the encrypted model's patch-embedding weight (a new array). */
export function transformPatchEmbedding<A extends FloatArray>(weight: PatchEmbeddingWeight<A>, key: BlockKey): PatchEmbeddingWeight<A> {
  const pb = checkWeight(weight, key);
  const w = weight.data;
  const out = newLike(w);
  for (let row = 0; row < w.length; row += pb) {
    for (let k = 0; k < pb; k++) {
      const value = w[row + key.permutation[k]];
      out[row + k] = key.flip[k] === 1 ? -value : value;
    }
  }
  return { data: out, shape: weight.shape };
}

/** The inverse of transformPatchEmbedding: recovers the plain model's weight. */
export function untransformPatchEmbedding<A extends FloatArray>(weight: PatchEmbeddingWeight<A>, key: BlockKey): PatchEmbeddingWeight<A> {
  const pb = checkWeight(weight, key);
  const w = weight.data;
  const out = newLike(w);
  for (let row = 0; row < w.length; row += pb) {
    for (let k = 0; k < pb; k++) {
      const value = w[row + k];
      out[row + key.permutation[k]] = key.flip[k] === 1 ? -value : value;
    }
  }
  return { data: out, shape: weight.shape };
}
