/**
 * System C (Aso, Chuman & Kiya 2023): every normalized block times one secret
 * random orthogonal matrix Q (src/core/orthogonal.ts); the patch embedding
 * becomes E′ = Qᵀ E, bias unchanged. Domain real → real: the input is the
 * image after normalization, so the adapter is exact for any normalization,
 * but the encrypted values are real numbers, not storable as an 8-bit image.
 * The key space is continuous: there is no count to claim.
 */
import { fail } from '../../core/errors.ts';
import { type OrthogonalKey, decryptOrthogonal, encryptOrthogonal, randomOrthogonal, transformPatchEmbeddingOrthogonal, validateOrthogonalKey } from '../../core/orthogonal.ts';
import { type Variant, blockLength, type VariantParams } from '../contract.ts';
import { PAPER_PARAMS, blocksAsFloatImages, expectBatchFor, randomFor, readVariantKey, withData, writeVariantKey } from './common.ts';

export const orthogonal: Variant<OrthogonalKey> = {
  name: 'orthogonal',
  title: 'System C (Aso, Chuman & Kiya 2023): every normalized block times a secret random orthogonal matrix Q, model E′ = QᵀE',
  params: PAPER_PARAMS,
  domain: 'real',
  generateKey: (params, seed) => ({ blockSize: params.blockSize, channels: params.channels, matrix: randomOrthogonal(blockLength(params), randomFor(seed)) }),
  serializeKey: (key) => writeVariantKey('orthogonal', { blockSize: key.blockSize, channels: key.channels, matrix: Array.from(key.matrix) }),
  parseKey(text) {
    const o = readVariantKey(text, 'orthogonal');
    const pb = blockLength(o as unknown as VariantParams);
    const m = o.matrix;
    if (!Array.isArray(m) || m.length !== pb * pb || !m.every((x) => typeof x === 'number' && Number.isFinite(x))) fail('key.field', `key field "matrix" must be ${pb}² finite numbers`);
    return validateOrthogonalKey({ blockSize: o.blockSize as number, channels: o.channels as number, matrix: Float64Array.from(m as number[]) });
  },
  encrypt(batch, key) {
    expectBatchFor(batch, key, 'orthogonal');
    return withData(batch, encryptOrthogonal(blocksAsFloatImages(batch, 'real'), key).data);
  },
  decrypt(batch, key) {
    expectBatchFor(batch, key, 'orthogonal');
    return withData(batch, decryptOrthogonal(blocksAsFloatImages(batch, 'real'), key).data);
  },
  adapter: {
    normalizations: 'any',
    adapt(e, key) {
      const w = transformPatchEmbeddingOrthogonal({ data: e.weight, shape: [e.dim, e.channels, e.patch, e.patch] }, key);
      return { ...e, weight: w.data, bias: Float64Array.from(e.bias) };
    },
  },
};
