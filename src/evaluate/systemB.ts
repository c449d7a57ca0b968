/**
 * System B (MaungMaung & Kiya 2021): a model *trained* on block-wise
 * transformed images, used with its key set. No model transformation: the key
 * set selects the transform, and the test images go through it before the
 * model.
 *
 *   shuffle  pixel shuffling, the shuffle variant (Eq. 4 on 8-bit values)
 *   negpos   negative/positive, 1 − x where the binary key is 1
 *   ffx      FFX (pyffx, as the authors ran it) as a table over 0..255
 *
 * A key set is the variant's key file (src/variants/systemBKey.ts, format
 * "cipherpatch-variant-key"). The model input is computed exactly as the
 * fuzz harness computes it (src/variants/accuracy.ts encryptToModelInput):
 * 8-bit values as (2x − 255)/255, [0, 1] values as (u − 0.5)/0.5, in float64,
 * rounded once to float32. golden/generate/system_b_transforms.py does the
 * same in PyTorch; golden/systemBTransforms.test.ts proves them equal byte
 * for byte.
 *
 * The experiment: the model on images transformed with the right key set, on
 * plain images, and on images transformed with N wrong key sets (the
 * variant's seeded generateKey, never the right key set; or an explicit list).
 */
import { fail } from '../core/errors.ts';
import { type ImageBatch, type Uint8Batch, imageBatch, sliceImages, toLayout } from '../core/images.ts';
import type { Engine } from '../engine/engine.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import type { Progress } from '../io/progress.ts';
import { encryptToModelInput } from '../variants/accuracy.ts';
import { type SystemBKey, type SystemBTransform, variantFor, wrongSystemBKeys } from '../variants/systemBKey.ts';
import { type ExperimentSummary, type WrongKeyResult, experimentSummary, logitsInChunks, scoreWrongKeys, startExperiment } from './evaluate.ts';
import { type Scored, argmaxRows, score } from '../metrics/scoring.ts';
import { plural } from '../core/words.ts';
import type { ShardRange } from '../core/shards.ts';

/**
 * A key set's transform as a lookup table, read off the variant itself: model
 * input at block position k = values[k·256 + x[source[k]]]. Each System B
 * transform is a permutation of the block positions (identity for negpos and
 * ffx) followed by a per-position map of the 8-bit value; the table is built
 * by running the variant (encryptToModelInput) on 256 constant blocks (the
 * maps) and on one block of distinct values (the permutation), then verified
 * on two more blocks. null when the variant is not of that form.
 */
interface BlockTable {
  readonly source: Int32Array;
  readonly values: Float32Array;
}

const tables = new Map<string, BlockTable | null>();

function blockTable(key: SystemBKey): BlockTable | null {
  const cached = tables.get(key.text);
  if (cached !== undefined) return cached;
  const variant = variantFor(key);
  const M = key.blockSize;
  const C = key.channels;
  const pb = M * M * C;
  const run = (bytes: Uint8Array) => encryptToModelInput(variant, key.key, bytes, { count: bytes.length / pb, channels: C, height: M, width: M }, false).input;
  let table: BlockTable | null = null;
  if (pb <= 256) {
    // One M×M×C image per block: NCHW order within it is the block order (c, i, j).
    const maps = run(Uint8Array.from({ length: 256 * pb }, (_, i) => Math.floor(i / pb)));
    const values = new Float32Array(pb * 256);
    for (let v = 0; v < 256; v++) for (let k = 0; k < pb; k++) values[k * 256 + v] = maps[v * pb + k];
    const probe = run(Uint8Array.from({ length: pb }, (_, j) => j));
    const source = new Int32Array(pb).fill(-1);
    for (let k = 0; k < pb; k++) {
      const hits: number[] = [];
      for (let j = 0; j < pb; j++) if (Object.is(values[k * 256 + j], probe[k])) hits.push(j);
      if (hits.length === 1) source[k] = hits[0];
    }
    if (!source.includes(-1)) {
      const checks = [Uint8Array.from({ length: pb }, (_, j) => (j * 37 + 11) % 256), Uint8Array.from({ length: pb }, (_, j) => 255 - ((j * 101) % 256))];
      const ok = checks.every((block) => {
        const got = run(block);
        return got.every((x, k) => Object.is(x, values[k * 256 + block[source[k]]]));
      });
      if (ok) table = { source, values };
    }
  }
  if (tables.size >= 64) tables.delete(tables.keys().next().value as string);
  tables.set(key.text, table);
  return table;
}

/** Applies a block table to 8-bit NCHW images (the fast path of systemBModelInput). */
function applyTable(t: BlockTable, data: Uint8Array, count: number, C: number, H: number, W: number, M: number): Float32Array {
  const pb = M * M * C;
  // Offsets within an image of block position k (c, i, j) from the block's top-left corner.
  const offset = Int32Array.from({ length: pb }, (_, k) => (Math.floor(k / (M * M)) * H + Math.floor((k % (M * M)) / M)) * W + (k % M));
  const from = Int32Array.from(t.source, (s) => offset[s]);
  const out = new Float32Array(data.length);
  const size = C * H * W;
  for (let n = 0; n < count; n++)
    for (let by = 0; by < H; by += M)
      for (let bx = 0; bx < W; bx += M) {
        const base = n * size + by * W + bx;
        for (let k = 0; k < pb; k++) out[base + offset[k]] = t.values[k * 256 + data[base + from[k]]];
      }
  return out;
}

/** The images validated and in NCHW order (the layout the variants and the block table work in). */
function asNchw(images: Uint8Batch): Uint8Batch {
  const b = imageBatch(images.data, images.shape, images.layout);
  return b.layout === 'NCHW' ? b : toLayout(b, 'NCHW');
}

/**
 * The model input of 8-bit images under a key set (float32, NCHW, normalized);
 * `null` = plain images, (2x − 255)/255. Runs the variant through a lookup
 * table read off it (blockTable), else block by block through the variant.
 */
export function systemBModelInput(images: Uint8Batch, key: SystemBKey | null): ImageBatch<Float32Array> {
  const nchw = asNchw(images);
  const { count, channels, height, width } = nchw.shape;
  if (key === null) return { data: Float32Array.from(nchw.data, (x) => (2 * x - 255) / 255), shape: nchw.shape, layout: 'NCHW' };
  if (channels !== key.channels) fail('key.wrong-channels', `key set is for ${plural(key.channels, 'channel')}, the images have ${channels}`);
  if (height % key.blockSize !== 0 || width % key.blockSize !== 0) fail('image.not-divisible', `image size ${width}×${height} is not divisible by the key set's block size ${key.blockSize}`);
  const table = blockTable(key);
  const input = table !== null ? applyTable(table, nchw.data, count, channels, height, width, key.blockSize) : encryptToModelInput(variantFor(key), key.key, nchw.data, { count, channels, height, width }, false).input;
  return { data: input, shape: nchw.shape, layout: 'NCHW' };
}

/** The same through the variant block by block, without the table (for tests of the table). */
export function systemBModelInputDirect(images: Uint8Batch, key: SystemBKey): ImageBatch<Float32Array> {
  const nchw = asNchw(images);
  const { count, channels, height, width } = nchw.shape;
  return { data: encryptToModelInput(variantFor(key), key.key, nchw.data, { count, channels, height, width }, false).input, shape: nchw.shape, layout: 'NCHW' };
}

export interface SystemBEvaluateOptions {
  readonly weights: ResNetWeights;
  readonly key: SystemBKey;
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  readonly createEngine: (weights: ResNetWeights) => Promise<Engine<ResNetConfig>>;
  /** How many wrong key sets (default: every one of `wrongKeyList`, else DEFAULT_WRONG_KEYS). */
  readonly wrongKeys?: number;
  /** Wrong key set i is the variant's generateKey with seed `${wrongKeySeed}:${i}`. */
  readonly wrongKeySeed: string;
  /** Explicit wrong key sets (e.g. a golden run's), the first `wrongKeys` of them (all by default). */
  readonly wrongKeyList?: readonly SystemBKey[];
  /** Only wrong key sets start … end − 1 (one shard, src/evaluate/shard.ts); each keeps its index and seed. Default: all. */
  readonly wrongKeyRange?: ShardRange;
  /** Images per engine call. */
  readonly chunk?: number;
  readonly progress?: Progress;
}

export type SystemBWrongKey = WrongKeyResult<SystemBKey>;

export interface SystemBResult extends ExperimentSummary {
  readonly transform: SystemBTransform;
  readonly images: number;
  readonly rightKey: Scored;
  readonly plainImages: Scored;
  readonly wrongKeys: readonly SystemBWrongKey[];
}

function logitsOf(engine: Engine<ResNetConfig>, images: Uint8Batch, key: SystemBKey | null, chunk: number, progress: Progress, phase: string): Promise<Float32Array> {
  return logitsInChunks(images.shape.count, engine.config.classes, chunk, progress, phase, (start, count) => engine.logitsNormalized(systemBModelInput(sliceImages(images, start, count), key)));
}

/** System B's experiment on one model (see the header). */
export async function evaluateSystemB(options: SystemBEvaluateOptions): Promise<SystemBResult> {
  const { weights, key, images, labels } = options;
  const { count: n, chunk, progress, wrongKeys: keys, range, total: wrongKeys, started } = startExperiment(options, {
    chunk: 250,
    wrongKeysName: 'wrong key sets',
    checkKey: () => {
      if (key.channels !== weights.config.channels) fail('key.wrong-channels', `key set is for ${plural(key.channels, 'channel')}, the model takes ${weights.config.channels}`);
      const { height, width } = images.shape;
      if (height % key.blockSize !== 0 || width % key.blockSize !== 0) fail('image.not-divisible', `image size ${width}×${height} is not divisible by the key set's block size ${key.blockSize}`);
    },
    seeded: (count, seed) => wrongSystemBKeys(key, count, seed),
    checkListed: (k, i) => {
      if (k.transform !== key.transform) fail('evaluate.wrong-keys', `wrong key set ${i} of the list is a ${k.transform} key, the right key set is ${key.transform}`);
      if (k.blockSize !== key.blockSize || k.channels !== key.channels) fail('evaluate.wrong-keys', `wrong key set ${i} of the list is for M=${k.blockSize}, C=${k.channels}; the right one for M=${key.blockSize}, C=${key.channels}`);
      if (k.text === key.text) fail('evaluate.wrong-keys', `wrong key set ${i} of the list is the right key set`);
    },
  });
  const classes = weights.config.classes;
  const engine = await options.createEngine(weights);
  try {
    const right = score(argmaxRows(await logitsOf(engine, images, key, chunk, progress, `right key set (${key.transform})`), classes), labels);
    const plain = score(argmaxRows(await logitsOf(engine, images, null, chunk, progress, 'plain images'), classes), labels);
    const wrong: SystemBWrongKey[] = await scoreWrongKeys(keys, labels, classes, (wrongKey, index) => logitsOf(engine, images, wrongKey, chunk, progress, `wrong key set ${index + 1}/${wrongKeys}`), range.start);
    return {
      transform: key.transform,
      images: n,
      rightKey: right,
      plainImages: plain,
      wrongKeys: wrong,
      ...experimentSummary(wrong, engine, started, 2 + wrong.length, n),
    };
  } finally {
    engine.dispose();
  }
}
