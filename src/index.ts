/** cipherpatch: the library entry point. */
export { CipherpatchError } from './core/errors.ts';
export { type BatchShape, type FloatArray, type FloatBatch, type ImageBatch, type Layout, type PixelArray, type Uint8Batch, imageBatch, pixelIndex, toLayout } from './core/images.ts';
export { type BlockKey, blockLength, expectKeyFor, keysEqual, validateKey } from './core/key.ts';
export { type KeyJson, type KeySource, type ParseKeyOptions, keyFromJson, keyToJson, parseKey, serializeKey } from './core/keyJson.ts';
export { type KeygenOptions, type RandomSource, generateKey, randomPermutation, secureRandom, seededRandom } from './core/keygen.ts';
export { type BlockIndexMap, type FloatDomain, blockIndexMap, decryptFloat, decryptUint8, encryptFloat, encryptUint8 } from './core/blockTransform.ts';
export { type PatchEmbeddingWeight, transformPatchEmbedding, untransformPatchEmbedding } from './core/modelTransform.ts';
export { type KeySpace, keySpace } from './core/keySpace.ts';
export { type OrthogonalKey, decryptOrthogonal, encryptOrthogonal, randomOrthogonal, transformPatchEmbeddingOrthogonal, validateOrthogonalKey } from './core/orthogonal.ts';
export { type ConvMixerConfig, type ConvMixerWeights, convMixerTensorSpecs, convMixerWeightsFromTensors, convMixerWeightsToTensors, flopsPerImage, inferConvMixerConfig, randomConvMixerWeights } from './model/convmixer.ts';
export { type Engine, type EngineOptions, createEngine } from './engine/engine.ts';
export { type EvaluateOptions, type EvaluateResult, encryptModel, evaluate, wrongKeysFor } from './evaluate/evaluate.ts';
export { writeEvaluateReport } from './evaluate/report.ts';
export { type Safetensors, type Tensor, readSafetensors, readSafetensorsFile, writeSafetensors, writeSafetensorsFile } from './io/safetensors.ts';
export { CIFAR10_CLASSES, parseCifarRecords, readCifarSplit, readCifarSplitAll, resolveCifarDir } from './io/cifar10.ts';
export { fetchCifar10 } from './io/cifarFetch.ts';
export { readConvMixerFile, writeConvMixerFile } from './io/modelFile.ts';
export { readKeyFile } from './io/keyFile.ts';
