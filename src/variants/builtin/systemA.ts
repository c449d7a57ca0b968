/**
 * System A (Iijima & Kiya 2022) as three plug-ins, all on src/core:
 *   shuffle   pixel shuffling alone (Eq. 4), key space p_b!
 *   flip      bit flipping alone (Eq. 5, exactly p_b/2 ones), key space C(p_b, p_b/2)
 *   system-a  the paper's composition: shuffle, then flip (Eqs. 4–5), adapter Eqs. 8–9
 * Domain uint8 → uint8. The adapters are the paper's: rows of E permuted
 * and/or negated, bias unchanged — exact with the 0.5/0.5 normalization the
 * paper trains with (and, for shuffle alone, without normalization).
 */
import { decryptUint8, encryptUint8 } from '../../core/blockTransform.ts';
import type { BlockKey } from '../../core/key.ts';
import { parseKey, serializeKey } from '../../core/keyJson.ts';
import { generateKey, randomPermutation } from '../../core/keygen.ts';
import { keySpace } from '../../core/keySpace.ts';
import { transformPatchEmbedding } from '../../core/modelTransform.ts';
import { type BlockBatch, type ModelAdapter, type PatchEmbedding, type Variant, type VariantParams, blockLength } from '../contract.ts';
import {
  PAPER_PARAMS,
  binaryVectors,
  binomial,
  blocksAsUint8Images,
  checkBinary,
  checkPermutation,
  evenBlock,
  expectBatchFor,
  factorial,
  intArray,
  permutations,
  randomFor,
  readVariantKey,
  withData,
  writeVariantKey,
} from './common.ts';
import { flipExchanges, mixedSteps, nearestBinary, nearestPermutation, swapSteps } from './attackViews.ts';
import { systemAKnownAnswers } from './knownAnswers.ts';

function encryptWith(batch: BlockBatch, key: BlockKey, name: string): BlockBatch {
  expectBatchFor(batch, key, name);
  return withData(batch, encryptUint8(blocksAsUint8Images(batch), key).data);
}

function decryptWith(batch: BlockBatch, key: BlockKey, name: string): BlockBatch {
  expectBatchFor(batch, key, name);
  return withData(batch, decryptUint8(blocksAsUint8Images(batch), key).data);
}

/** Eqs. 8–9 on the (d, C, P, P) weight; the bias is unchanged. */
function paperAdapter(normalizations: ModelAdapter<BlockKey>['normalizations']): ModelAdapter<BlockKey> {
  return {
    normalizations,
    adapt(e: PatchEmbedding, key: BlockKey): PatchEmbedding {
      const w = transformPatchEmbedding({ data: e.weight, shape: [e.dim, e.channels, e.patch, e.patch] }, key);
      return { ...e, weight: w.data, bias: Float64Array.from(e.bias) };
    },
  };
}

const identity = (pb: number) => Int32Array.from({ length: pb }, (_, i) => i);

export const shuffle: Variant<BlockKey> = {
  name: 'shuffle',
  title: 'System A pixel shuffling alone (Eq. 4): one permutation of the p_b block values, shared by all blocks',
  params: PAPER_PARAMS,
  domain: 'uint8',
  generateKey(params, seed) {
    const pb = blockLength(params);
    return { blockSize: params.blockSize, channels: params.channels, permutation: randomPermutation(pb, randomFor(seed)), flip: new Uint8Array(pb) };
  },
  serializeKey: (key) => writeVariantKey('shuffle', { blockSize: key.blockSize, channels: key.channels, permutation: Array.from(key.permutation) }),
  parseKey(text) {
    const o = readVariantKey(text, 'shuffle');
    const pb = blockLength(o as unknown as VariantParams);
    const permutation = intArray(o, 'permutation', pb);
    checkPermutation(permutation, pb, 'permutation');
    return { blockSize: o.blockSize as number, channels: o.channels as number, permutation, flip: new Uint8Array(pb) };
  },
  encrypt: (batch, key) => encryptWith(batch, key, 'shuffle'),
  decrypt: (batch, key) => decryptWith(batch, key, 'shuffle'),
  // A permutation mixes channels, so per-channel statistics (CIFAR) need rescaled rows and a bias correction.
  adapter: paperAdapter(['0.5/0.5', 'none']),
  neighbours: {
    step: 'swap two permutation entries',
    maxDistance: (params) => Math.floor(blockLength(params) / 2),
    atDistance: (key, d, random) => ({ ...key, permutation: swapSteps(key.permutation, d, random), flip: Uint8Array.from(key.flip) }),
  },
  signedPermutation: {
    permutes: true,
    flips: () => 0,
    toSignedPermutation: (key) => key,
    nearestKey: (params, guess) => ({ blockSize: params.blockSize, channels: params.channels, permutation: nearestPermutation(guess.permutation, blockLength(params)), flip: new Uint8Array(blockLength(params)) }),
  },
  keySpace: {
    formula: 'p_b!',
    size: (params) => factorial(blockLength(params)),
    *enumerate(params) {
      const pb = blockLength(params);
      for (const permutation of permutations(pb)) yield { blockSize: params.blockSize, channels: params.channels, permutation, flip: new Uint8Array(pb) };
    },
  },
};

export const flip: Variant<BlockKey> = {
  name: 'flip',
  title: 'System A bit flipping alone (Eq. 5): x ↦ 255 − x at exactly p_b/2 block positions, shared by all blocks',
  params: PAPER_PARAMS,
  domain: 'uint8',
  supports: evenBlock,
  generateKey(params, seed) {
    const { flip: r } = generateKey({ blockSize: params.blockSize, channels: params.channels, seed });
    return { blockSize: params.blockSize, channels: params.channels, permutation: identity(r.length), flip: r };
  },
  serializeKey: (key) => writeVariantKey('flip', { blockSize: key.blockSize, channels: key.channels, flip: Array.from(key.flip) }),
  parseKey(text) {
    const o = readVariantKey(text, 'flip');
    const pb = blockLength(o as unknown as VariantParams);
    const r = intArray(o, 'flip', pb);
    checkBinary(r, pb, pb / 2, 'flip');
    return { blockSize: o.blockSize as number, channels: o.channels as number, permutation: identity(pb), flip: Uint8Array.from(r) };
  },
  encrypt: (batch, key) => encryptWith(batch, key, 'flip'),
  decrypt: (batch, key) => decryptWith(batch, key, 'flip'),
  adapter: paperAdapter(['0.5/0.5']),
  neighbours: {
    step: 'exchange a flipped and an unflipped position',
    maxDistance: (params) => Math.floor(blockLength(params) / 2),
    atDistance: (key, d, random) => ({ ...key, permutation: Int32Array.from(key.permutation), flip: flipExchanges(key.flip, d, random) }),
  },
  signedPermutation: {
    permutes: false,
    flips: (params) => blockLength(params) / 2,
    toSignedPermutation: (key) => key,
    nearestKey: (params, guess) => ({ blockSize: params.blockSize, channels: params.channels, permutation: identity(blockLength(params)), flip: nearestBinary(guess.flip, blockLength(params) / 2) }),
  },
  keySpace: {
    formula: 'C(p_b, p_b/2)',
    size: (params) => binomial(blockLength(params), blockLength(params) / 2),
    *enumerate(params) {
      const pb = blockLength(params);
      for (const r of binaryVectors(pb, pb / 2)) yield { blockSize: params.blockSize, channels: params.channels, permutation: identity(pb), flip: r };
    },
  },
  knownAnswers: systemAKnownAnswers((key) => key.permutation.every((v, k) => v === k)),
};

export const systemA: Variant<BlockKey> = {
  name: 'system-a',
  title: 'System A (Iijima & Kiya 2022): pixel shuffling then bit flipping (Eqs. 4–5), model adapted by Eqs. 8–9',
  params: PAPER_PARAMS,
  domain: 'uint8',
  supports: evenBlock,
  generateKey: (params, seed) => generateKey({ blockSize: params.blockSize, channels: params.channels, seed }),
  serializeKey: (key) => serializeKey(key),
  parseKey: (text) => parseKey(text),
  encrypt: (batch, key) => encryptWith(batch, key, 'system-a'),
  decrypt: (batch, key) => decryptWith(batch, key, 'system-a'),
  adapter: paperAdapter(['0.5/0.5']),
  neighbours: {
    step: 'swap two permutation entries, or exchange a flipped and an unflipped position (fair coin)',
    // p_b/2 disjoint swaps plus p_b/2 flip exchanges.
    maxDistance: (params) => blockLength(params),
    atDistance: (key, d, random) => ({ ...key, ...mixedSteps(key, d, random) }),
  },
  signedPermutation: {
    permutes: true,
    flips: (params) => blockLength(params) / 2,
    toSignedPermutation: (key) => key,
    nearestKey: (params, guess) => ({
      blockSize: params.blockSize,
      channels: params.channels,
      permutation: nearestPermutation(guess.permutation, blockLength(params)),
      flip: nearestBinary(guess.flip, blockLength(params) / 2),
    }),
  },
  keySpace: {
    formula: 'p_b! · C(p_b, p_b/2)',
    size: (params) => keySpace(params.blockSize, params.channels).total,
    *enumerate(params) {
      const pb = blockLength(params);
      const flips = [...binaryVectors(pb, pb / 2)];
      for (const permutation of permutations(pb)) for (const r of flips) yield { blockSize: params.blockSize, channels: params.channels, permutation, flip: r };
    },
  },
  knownAnswers: systemAKnownAnswers(() => true),
};
