/** cipherpatch: the library entry point. */
export { CipherpatchError } from './core/errors.ts';
export { type BatchShape, type FloatArray, type FloatBatch, type ImageBatch, type Layout, type PixelArray, type Uint8Batch, imageBatch, pixelIndex, toLayout } from './core/images.ts';
export { type BlockKey, blockLength, expectKeyFor, keysEqual, validateKey } from './core/key.ts';
export { type KeyJson, type KeySource, type ParseKeyOptions, keyFromJson, keyToJson, parseKey, serializeKey } from './core/keyJson.ts';
export { type KeygenOptions, type RandomSource, generateKey, randomPermutation, secureRandom, seededRandom } from './core/keygen.ts';
export { type BlockIndexMap, type FloatDomain, blockIndexMap, decryptFloat, decryptUint8, encryptFloat, encryptUint8 } from './core/blockTransform.ts';
export { type PatchEmbeddingWeight, transformPatchEmbedding, untransformPatchEmbedding } from './core/modelTransform.ts';
export { type KeySpace, keySpace } from './core/keySpace.ts';
