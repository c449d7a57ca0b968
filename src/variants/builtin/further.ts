/**
 * Further keyed block transforms a researcher would try, each a plug-in:
 *   channel-shuffle  one permutation of the C channels, for every pixel (key space C!)
 *   block-rotation   each block rotated by quarter turns and flipped; its natural
 *                    key (turns × h-flip × v-flip, 16 values) has only 8 distinct
 *                    functions (the dihedral group): equivalent keys, on purpose
 *   block-scramble   the block positions of the image permuted (grid-bound)
 *   per-block-keys   System A with its own key for every block position (grid-bound)
 * The first two are permutations inside a block and reuse src/core's System A
 * code with a structured permutation; they come with adapters.
 */
import { decryptUint8, encryptUint8 } from '../../core/blockTransform.ts';
import { fail } from '../../core/errors.ts';
import { type BlockKey, validateKey } from '../../core/key.ts';
import { generateKey, randomPermutation } from '../../core/keygen.ts';
import { keySpace } from '../../core/keySpace.ts';
import { transformPatchEmbedding } from '../../core/modelTransform.ts';
import { type BlockBatch, type PatchEmbedding, type Variant, type VariantParams, blockLength, checkDomain } from '../contract.ts';
import {
  PAPER_PARAMS,
  binaryVectors,
  blocksAsUint8Images,
  checkPermutation,
  evenBlock,
  expectBatchFor,
  expectGrid,
  factorial,
  intArray,
  permutations,
  randomFor,
  readVariantKey,
  withData,
  writeVariantKey,
} from './common.ts';
import { bestCandidate, swapSteps } from './attackViews.ts';

/** A permutation-only System A key (no flips). */
function permutationKey(blockSize: number, channels: number, permutation: Int32Array): BlockKey {
  return { blockSize, channels, permutation, flip: new Uint8Array(permutation.length) };
}

function adaptRows(e: PatchEmbedding, key: BlockKey): PatchEmbedding {
  const w = transformPatchEmbedding({ data: e.weight, shape: [e.dim, e.channels, e.patch, e.patch] }, key);
  return { ...e, weight: w.data, bias: Float64Array.from(e.bias) };
}

// ---------------------------------------------------------------- channel-shuffle

export interface ChannelKey {
  readonly blockSize: number;
  readonly channels: number;
  /** Encrypted channel c is plain channel order[c]. */
  readonly order: Int32Array;
}

function channelBlockKey(key: ChannelKey): BlockKey {
  const M = key.blockSize;
  const pb = M * M * key.channels;
  const permutation = Int32Array.from({ length: pb }, (_, k) => key.order[Math.floor(k / (M * M))] * M * M + (k % (M * M)));
  return permutationKey(M, key.channels, permutation);
}

export const channelShuffle: Variant<ChannelKey> = {
  name: 'channel-shuffle',
  title: 'channel shuffling: one secret permutation of the C colour channels, applied to every pixel',
  params: PAPER_PARAMS,
  domain: 'uint8',
  generateKey: (params, seed) => ({ blockSize: params.blockSize, channels: params.channels, order: randomPermutation(params.channels, randomFor(seed)) }),
  serializeKey: (key) => writeVariantKey('channel-shuffle', { blockSize: key.blockSize, channels: key.channels, order: Array.from(key.order) }),
  parseKey(text) {
    const o = readVariantKey(text, 'channel-shuffle');
    const order = intArray(o, 'order', o.channels as number);
    checkPermutation(order, o.channels as number, 'order');
    return { blockSize: o.blockSize as number, channels: o.channels as number, order };
  },
  encrypt(batch, key) {
    expectBatchFor(batch, key, 'channel-shuffle');
    return withData(batch, encryptUint8(blocksAsUint8Images(batch), channelBlockKey(key)).data);
  },
  decrypt(batch, key) {
    expectBatchFor(batch, key, 'channel-shuffle');
    return withData(batch, decryptUint8(blocksAsUint8Images(batch), channelBlockKey(key)).data);
  },
  adapter: { normalizations: ['0.5/0.5', 'none'], adapt: (e, key) => adaptRows(e, channelBlockKey(key)) },
  neighbours: {
    step: 'swap two channels',
    maxDistance: (params) => Math.floor(params.channels / 2),
    atDistance: (key, d, random) => ({ ...key, order: swapSteps(key.order, d, random) }),
  },
  signedPermutation: {
    permutes: true,
    flips: () => 0,
    toSignedPermutation: (key) => channelBlockKey(key),
    // The C! orders (C ≤ 8), else the guess's majority source channel per channel made into an order.
    nearestKey(params, guess) {
      const { blockSize: M, channels: C } = params;
      if (C <= 8) return { blockSize: M, channels: C, order: bestCandidate(permutations(C), (order) => channelBlockKey({ blockSize: M, channels: C, order }), guess) };
      const votes = Array.from({ length: C }, () => new Array<number>(C).fill(0));
      for (let k = 0; k < guess.permutation.length; k++) {
        const src = Math.floor(guess.permutation[k] / (M * M));
        if (src >= 0 && src < C) votes[Math.floor(k / (M * M))][src]++;
      }
      const order = new Int32Array(C).fill(-1);
      const used = new Uint8Array(C);
      for (let c = 0; c < C; c++) {
        let best = -1;
        for (let o = 0; o < C; o++) if (!used[o] && (best < 0 || votes[c][o] > votes[c][best])) best = o;
        order[c] = best;
        used[best] = 1;
      }
      return { blockSize: M, channels: C, order };
    },
  },
  keySpace: {
    formula: 'C!',
    size: (params) => factorial(params.channels),
    *enumerate(params) {
      for (const order of permutations(params.channels)) yield { blockSize: params.blockSize, channels: params.channels, order };
    },
  },
};

// ---------------------------------------------------------------- block-rotation

export interface RotationKey {
  readonly blockSize: number;
  readonly channels: number;
  /** Quarter turns clockwise, 0..3, applied after the flips. */
  readonly turns: number;
  readonly hflip: 0 | 1;
  readonly vflip: 0 | 1;
}

/** out[T(p)] = in[p] with T = rotate^turns ∘ vflip ∘ hflip on (row, column) inside the block. */
function rotationBlockKey(key: RotationKey): BlockKey {
  const M = key.blockSize;
  const permutation = new Int32Array(M * M * key.channels);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < M; j++) {
      let [y, x] = [i, j];
      if (key.hflip) x = M - 1 - x;
      if (key.vflip) y = M - 1 - y;
      for (let t = 0; t < key.turns; t++) [y, x] = [x, M - 1 - y];
      for (let c = 0; c < key.channels; c++) permutation[(c * M + y) * M + x] = (c * M + i) * M + j;
    }
  return permutationKey(M, key.channels, permutation);
}

function rotationKeyFrom(o: Record<string, unknown>): RotationKey {
  const { turns, hflip, vflip } = o;
  if (!Number.isInteger(turns) || (turns as number) < 0 || (turns as number) > 3) fail('key.field', `"turns" must be 0..3, got ${JSON.stringify(turns)}`);
  if ((hflip !== 0 && hflip !== 1) || (vflip !== 0 && vflip !== 1)) fail('key.field', '"hflip" and "vflip" must be 0 or 1');
  return { blockSize: o.blockSize as number, channels: o.channels as number, turns: turns as number, hflip: hflip as 0 | 1, vflip: vflip as 0 | 1 };
}

export const blockRotation: Variant<RotationKey> = {
  name: 'block-rotation',
  title: 'block rotation/flip: every block turned by 0–3 quarter turns after optional horizontal and vertical flips (key: turns × h × v)',
  params: PAPER_PARAMS,
  domain: 'uint8',
  supports: (params) => (params.blockSize >= 2 ? undefined : 'a 1×1 block cannot be rotated or flipped'),
  generateKey(params, seed) {
    const random = randomFor(seed);
    return { blockSize: params.blockSize, channels: params.channels, turns: random.int(4), hflip: random.int(2) as 0 | 1, vflip: random.int(2) as 0 | 1 };
  },
  serializeKey: (key) => writeVariantKey('block-rotation', { blockSize: key.blockSize, channels: key.channels, turns: key.turns, hflip: key.hflip, vflip: key.vflip }),
  parseKey: (text) => rotationKeyFrom(readVariantKey(text, 'block-rotation')),
  encrypt(batch, key) {
    expectBatchFor(batch, key, 'block-rotation');
    return withData(batch, encryptUint8(blocksAsUint8Images(batch), rotationBlockKey(key)).data);
  },
  decrypt(batch, key) {
    expectBatchFor(batch, key, 'block-rotation');
    return withData(batch, decryptUint8(blocksAsUint8Images(batch), rotationBlockKey(key)).data);
  },
  // Values stay in their channel, so every per-channel normalization commutes with it.
  adapter: { normalizations: 'any', adapt: (e, key) => adaptRows(e, rotationBlockKey(key)) },
  neighbours: {
    step: 'change one key component: the quarter turns (to another value), the h-flip or the v-flip',
    maxDistance: () => 3,
    atDistance(key, d, random) {
      if (!Number.isInteger(d) || d < 0 || d > 3) fail('attack.distance', `block-rotation distance must be an integer in 0..3 (three key components), got ${d}`);
      const which = randomPermutation(3, random).subarray(0, d);
      let { turns, hflip, vflip } = key;
      for (const w of which) {
        if (w === 0) turns = (turns + 1 + random.int(3)) % 4;
        else if (w === 1) hflip = (1 - hflip) as 0 | 1;
        else vflip = (1 - vflip) as 0 | 1;
      }
      return { ...key, turns, hflip, vflip };
    },
  },
  signedPermutation: {
    permutes: true,
    flips: () => 0,
    toSignedPermutation: (key) => rotationBlockKey(key),
    nearestKey: (params, guess) => bestCandidate(blockRotation.keySpace!.enumerate!(params), rotationBlockKey, guess),
  },
  keySpace: {
    formula: '4 · 2 · 2 (quarter turns × h-flip × v-flip)',
    size: () => 16n,
    *enumerate(params) {
      for (let turns = 0; turns < 4; turns++)
        for (const hflip of [0, 1] as const)
          for (const vflip of [0, 1] as const) yield { blockSize: params.blockSize, channels: params.channels, turns, hflip, vflip };
    },
  },
};

// ---------------------------------------------------------------- block-scramble

export interface ScrambleKey {
  readonly blockSize: number;
  readonly channels: number;
  readonly rows: number;
  readonly cols: number;
  /** Encrypted block b of an image is plain block order[b] (raster order). */
  readonly order: Int32Array;
}

function gridOf(params: VariantParams, variant: string): { rows: number; cols: number } {
  const { rows, cols } = params;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || (rows as number) < 1 || (cols as number) < 1) fail('variant.grid', `${variant} is grid-bound: params need rows and cols (blocks per column and row)`);
  return { rows: rows as number, cols: cols as number };
}

function scrambleBlocks(batch: BlockBatch, key: ScrambleKey, inverse: boolean): BlockBatch {
  expectBatchFor(batch, key, 'block-scramble');
  expectGrid(batch, key, 'block-scramble');
  checkDomain(batch, 'uint8');
  const pb = blockLength(batch);
  const n = key.rows * key.cols;
  const out = new Float64Array(batch.data.length);
  for (let img = 0; img < batch.images; img++)
    for (let b = 0; b < n; b++) {
      const [to, from] = inverse ? [key.order[b], b] : [b, key.order[b]];
      out.set(batch.data.subarray((img * n + from) * pb, (img * n + from + 1) * pb), (img * n + to) * pb);
    }
  return withData(batch, out);
}

const GRID_PARAMS: VariantParams = { blockSize: 4, channels: 3, rows: 8, cols: 8 };
const TINY_GRIDS = [
  [1, 2],
  [2, 1],
  [2, 2],
] as const;

export const blockScramble: Variant<ScrambleKey> = {
  name: 'block-scramble',
  title: 'block-position scrambling: the blocks of an image moved to secret positions (one permutation of the block grid)',
  params: GRID_PARAMS,
  domain: 'uint8',
  gridBound: true,
  generateKey(params, seed) {
    const { rows, cols } = gridOf(params, 'block-scramble');
    return { blockSize: params.blockSize, channels: params.channels, rows, cols, order: randomPermutation(rows * cols, randomFor(seed)) };
  },
  serializeKey: (key) => writeVariantKey('block-scramble', { blockSize: key.blockSize, channels: key.channels, rows: key.rows, cols: key.cols, order: Array.from(key.order) }),
  parseKey(text) {
    const o = readVariantKey(text, 'block-scramble');
    const { rows, cols } = gridOf(o as unknown as VariantParams, 'block-scramble');
    const order = intArray(o, 'order', rows * cols);
    checkPermutation(order, rows * cols, 'order');
    return { blockSize: o.blockSize as number, channels: o.channels as number, rows, cols, order };
  },
  encrypt: (batch, key) => scrambleBlocks(batch, key, false),
  decrypt: (batch, key) => scrambleBlocks(batch, key, true),
  keySpace: {
    formula: '(rows · cols)!',
    size: (params) => factorial(gridOf(params, 'block-scramble').rows * gridOf(params, 'block-scramble').cols),
    *enumerate(params) {
      const { rows, cols } = gridOf(params, 'block-scramble');
      for (const order of permutations(rows * cols)) yield { blockSize: params.blockSize, channels: params.channels, rows, cols, order };
    },
    tinyParams: TINY_GRIDS.flatMap(([rows, cols]) => [
      { blockSize: 1, channels: 1, rows, cols },
      { blockSize: 1, channels: 2, rows, cols },
    ]),
  },
};

// ---------------------------------------------------------------- per-block-keys

export interface PerBlockKey {
  readonly blockSize: number;
  readonly channels: number;
  readonly rows: number;
  readonly cols: number;
  /** One System A key per block position, raster order. */
  readonly keys: readonly BlockKey[];
}

function perBlock(batch: BlockBatch, key: PerBlockKey, decrypt: boolean): BlockBatch {
  expectBatchFor(batch, key, 'per-block-keys');
  expectGrid(batch, key, 'per-block-keys');
  checkDomain(batch, 'uint8');
  const pb = blockLength(batch);
  const n = key.rows * key.cols;
  const out = new Float64Array(batch.data.length);
  const one = new Float64Array(pb * batch.images);
  for (let b = 0; b < n; b++) {
    // The blocks at position b of every image, as one batch for src/core.
    for (let img = 0; img < batch.images; img++) one.set(batch.data.subarray((img * n + b) * pb, (img * n + b + 1) * pb), img * pb);
    const images = blocksAsUint8Images({ ...batch, data: one, images: batch.images, rows: 1, cols: 1 });
    const done = decrypt ? decryptUint8(images, key.keys[b]) : encryptUint8(images, key.keys[b]);
    for (let img = 0; img < batch.images; img++) out.set(done.data.subarray(img * pb, (img + 1) * pb), (img * n + b) * pb);
  }
  return withData(batch, out);
}

export const perBlockKeys: Variant<PerBlockKey> = {
  name: 'per-block-keys',
  title: 'System A with its own key (shuffle + flip) for every block position of the image (grid-bound)',
  params: GRID_PARAMS,
  domain: 'uint8',
  gridBound: true,
  supports: evenBlock,
  generateKey(params, seed) {
    const { rows, cols } = gridOf(params, 'per-block-keys');
    const keys = Array.from({ length: rows * cols }, (_, b) => generateKey({ blockSize: params.blockSize, channels: params.channels, seed: seed === undefined ? undefined : `${seed}/block ${b}` }));
    return { blockSize: params.blockSize, channels: params.channels, rows, cols, keys };
  },
  serializeKey: (key) =>
    writeVariantKey('per-block-keys', { blockSize: key.blockSize, channels: key.channels, rows: key.rows, cols: key.cols, keys: key.keys.map((k) => ({ permutation: Array.from(k.permutation), flip: Array.from(k.flip) })) }),
  parseKey(text) {
    const o = readVariantKey(text, 'per-block-keys');
    const { rows, cols } = gridOf(o as unknown as VariantParams, 'per-block-keys');
    const list = o.keys;
    if (!Array.isArray(list) || list.length !== rows * cols) fail('key.field', `"keys" must hold rows·cols = ${rows * cols} keys`);
    const keys = list.map((k: { permutation?: unknown; flip?: unknown }) =>
      validateKey({ blockSize: o.blockSize, channels: o.channels, permutation: (k?.permutation ?? []) as ArrayLike<unknown>, flip: (k?.flip ?? []) as ArrayLike<unknown> }),
    );
    return { blockSize: o.blockSize as number, channels: o.channels as number, rows, cols, keys };
  },
  encrypt: (batch, key) => perBlock(batch, key, false),
  decrypt: (batch, key) => perBlock(batch, key, true),
  keySpace: {
    formula: '(p_b! · C(p_b, p_b/2))^(rows · cols)',
    size: (params) => {
      const { rows, cols } = gridOf(params, 'per-block-keys');
      return keySpace(params.blockSize, params.channels).total ** BigInt(rows * cols);
    },
    *enumerate(params) {
      const { rows, cols } = gridOf(params, 'per-block-keys');
      const pb = blockLength(params);
      const flips = [...binaryVectors(pb, pb / 2)];
      const one: BlockKey[] = [];
      for (const permutation of permutations(pb)) for (const flip of flips) one.push({ blockSize: params.blockSize, channels: params.channels, permutation, flip });
      const n = rows * cols;
      const index = new Array<number>(n).fill(0);
      for (;;) {
        yield { blockSize: params.blockSize, channels: params.channels, rows, cols, keys: index.map((i) => one[i]) };
        let b = n - 1;
        while (b >= 0 && index[b] === one.length - 1) index[b--] = 0;
        if (b < 0) return;
        index[b]++;
      }
    },
    tinyParams: TINY_GRIDS.map(([rows, cols]) => ({ blockSize: 1, channels: 2, rows, cols })),
  },
};
