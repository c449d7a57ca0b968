/**
 * src/variants/accuracy.ts on a stand-in engine, for mutation runs (no onnx or
 * tfjs: src/variants/accuracy.test.ts runs the real engines on CIFAR-10).
 *
 * The model: patch 1, 2 channels, dim = classes = 2, and a "linear" stand-in
 * whose logit k is Σ_pixels (b_k + Σ_c E[k,c]·x_c) of the normalized input
 * (uint8 v → (2v − 255)/255 in float32, Eq. 7), i.e. the patch embedding alone.
 * With E = I the predicted class is the channel with the larger sum.
 * The variant: the rotation fixture (src/variants/fixtures/tiny.ts), p_b = 2,
 * key r = seed length mod 2, so r = 1 swaps the two channels and its adapter
 * swaps E's columns. Every number below is worked out by hand from that.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection, refusal } from '../../properties/rejection.ts';
import { CipherpatchError } from '../core/errors.ts';
import { type ImageBatch, imageBatch } from '../core/images.ts';
import type { Engine } from '../engine/engine.ts';
import { type ConvMixerConfig, type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import {
  ACCURACY_NORMALIZATION,
  type AccuracyApplied,
  type AccuracyOptions,
  type AccuracyReport,
  DEFAULT_KEY_SEED,
  DEFAULT_WRONG_KEYS,
  LEAST_SQUARES_MAX_BLOCK_LENGTH,
  adaptByFit,
  checkVariantFitsModel,
  embeddingOf,
  encryptAll,
  encryptToModelInput,
  formatAccuracy,
  leastSquaresFit,
  logitsOf,
  measureAccuracy,
  normalizedFrom,
  withEmbedding,
  wrongVariantKeys,
} from './accuracy.ts';
import type { AffineFit } from './affine.ts';
import type { BlockBatch, PatchEmbedding, Variant } from './contract.ts';
import { mapValues, rotate, rotation } from './fixtures/tiny.ts';

const CONFIG: ConvMixerConfig = { dim: 2, depth: 1, kernel: 1, patch: 1, channels: 2, classes: 2 };
/** E = I (class k = channel k), b = 0. */
const WEIGHTS: ConvMixerWeights = { ...randomConvMixerWeights(CONFIG, 'accuracy-units'), embedWeight: Float32Array.of(1, 0, 0, 1), embedBias: Float32Array.of(0, 0) };

/**
 * Three 1×1 images, NCHW (channel 0, channel 1): (255, 0) → x = (1, −1), logits (1, −1), class 0;
 * (0, 255) → class 1; (204, 51) → x = (0.6, −0.6), class 0. Labels 0, 1, 1: the plain model gets 2 of 3.
 */
const PIXELS = Uint8Array.of(255, 0, 0, 255, 204, 51);
const images = (data = PIXELS, count = 3): ImageBatch<Uint8Array> => imageBatch(data, { count, channels: 2, height: 1, width: 1 }, 'NCHW');
const LABELS = Uint8Array.of(0, 1, 1);

interface Log {
  created: ConvMixerWeights[];
  /** One entry per engine call: which entry point, how many images, the layout. */
  calls: string[];
  bytes: number[][];
  disposed: number;
}

/** The linear stand-in (see the header); `throwOn` makes that entry point reject. */
function linearFactory(log: Log, throwOn?: 'logits' | 'logitsNormalized'): (w: ConvMixerWeights) => Promise<Engine> {
  return async (w) => {
    log.created.push(w);
    const forward = (x: Float32Array, count: number, height: number, width: number): Float32Array => {
      const { channels: C, classes } = w.config;
      const pixels = height * width;
      const out = new Float32Array(count * classes);
      for (let n = 0; n < count; n++) {
        for (let k = 0; k < classes; k++) {
          let s = 0;
          for (let q = 0; q < pixels; q++) {
            s += w.embedBias[k];
            for (let c = 0; c < C; c++) s += w.embedWeight[k * C + c] * x[(n * C + c) * pixels + q];
          }
          out[n * classes + k] = s;
        }
      }
      return out;
    };
    return {
      name: 'linear',
      backend: 'stand-in',
      threads: 3,
      version: 'linear 1.0',
      config: w.config,
      logits: async (b) => {
        log.calls.push(`logits ${b.shape.count} ${b.layout}`);
        if (throwOn === 'logits') throw new Error('plain engine failed');
        log.bytes.push([...b.data]);
        return forward(Float32Array.from(b.data, (v) => (2 * v - 255) / 255), b.shape.count, b.shape.height, b.shape.width);
      },
      logitsNormalized: async (b) => {
        log.calls.push(`normalized ${b.shape.count} ${b.layout}`);
        if (throwOn === 'logitsNormalized') throw new Error('adapted engine failed');
        return forward(b.data, b.shape.count, b.shape.height, b.shape.width);
      },
      dispose: () => {
        log.disposed++;
      },
    };
  };
}

const newLog = (): Log => ({ created: [], calls: [], bytes: [], disposed: 0 });

async function measure(extra: Partial<AccuracyOptions> = {}, log = newLog()): Promise<AccuracyReport> {
  return measureAccuracy({ variant: rotation() as Variant<unknown>, weights: WEIGHTS, images: images(), labels: LABELS, createEngine: linearFactory(log), keySeed: 'abc', wrongKeys: 2, ...extra });
}

/** The fields of an applied report on the fixture that the tests below share (key seed "abc", the three images). */
const HEAD = {
  applicable: true,
  variant: 'rotation',
  params: { blockSize: 1, channels: 2 },
  domain: { input: 'uint8', output: 'uint8' },
  images: 3,
  normalization: '0.5/0.5',
  keySeed: 'abc',
} as const;

function applied(r: AccuracyReport): AccuracyApplied {
  if (!r.applicable) throw new Error(`not applicable: ${r.reason}`);
  return r;
}

describe('accuracy.ts: constants and normalizedFrom', () => {
  it('the documented defaults (accuracy.ts:55-59: StringLiteral, ArithmeticOperator)', () => {
    expect([ACCURACY_NORMALIZATION, DEFAULT_WRONG_KEYS, DEFAULT_KEY_SEED, LEAST_SQUARES_MAX_BLOCK_LENGTH]).toEqual(['0.5/0.5', 10, 'fuzz', 1024]);
  });

  it('maps each domain under 0.5/0.5 (accuracy.ts:123-124 ConditionalExpression, EqualityOperator, ArithmeticOperator)', () => {
    // uint8 (2x − 255)/255: 0 → −1, 255 → 1, 51 → −0.6; unit (x − 0.5)/0.5: 0 → −1, 0.75 → 0.5; real: itself.
    expect([normalizedFrom(0, 'uint8'), normalizedFrom(255, 'uint8'), normalizedFrom(51, 'uint8')]).toEqual([-1, 1, (102 - 255) / 255]);
    expect([normalizedFrom(0, 'unit'), normalizedFrom(0.75, 'unit'), normalizedFrom(1, 'unit')]).toEqual([-1, 0.5, 1]);
    expect([normalizedFrom(0.75, 'real'), normalizedFrom(-3, 'real')]).toEqual([0.75, -3]);
  });
});

describe('accuracy.ts: checkVariantFitsModel', () => {
  const fits = (over: Partial<Variant<unknown>>, config: Partial<ConvMixerConfig> = {}, image?: { height: number; width: number; channels: number }) =>
    refusal(() => checkVariantFitsModel({ ...(rotation() as Variant<unknown>), ...over }, { ...CONFIG, ...config }, image));

  it('accepts the fixture on its model, with and without images', () => {
    expect(() => checkVariantFitsModel(rotation() as Variant<unknown>, CONFIG)).not.toThrow();
    expect(() => checkVariantFitsModel(rotation() as Variant<unknown>, CONFIG, { height: 2, width: 3, channels: 2 })).not.toThrow();
    // grid-bound to 2×3 blocks of 1: fits 2×3 images exactly
    expect(() => checkVariantFitsModel({ ...(rotation() as Variant<unknown>), gridBound: true, params: { blockSize: 1, channels: 2, rows: 2, cols: 3 } }, CONFIG, { height: 2, width: 3, channels: 2 })).not.toThrow();
    // rows/cols given but not grid-bound: not checked
    expect(() => checkVariantFitsModel({ ...(rotation() as Variant<unknown>), params: { blockSize: 1, channels: 2, rows: 5, cols: 5 } }, CONFIG, { height: 2, width: 3, channels: 2 })).not.toThrow();
  });

  it('names each misfit (accuracy.ts:150-166 ConditionalExpression, EqualityOperator, StringLiteral, LogicalOperator)', () => {
    expect(fits({}, { patch: 2 })).toEqual({
      check: 'fuzz.model-mismatch',
      message: "variant rotation (params M=1,C=2) has block size 1, the model's patch size is 2: an adapter transforms the patch embedding, so the block size must equal the patch size",
    });
    expect(fits({}, { channels: 3 })).toEqual({ check: 'fuzz.model-mismatch', message: 'variant rotation (params M=1,C=2) has 2 channels, the model takes 3' });
    expect(fits({ supports: () => 'no two channels' })).toEqual({ check: 'fuzz.model-mismatch', message: 'variant rotation (params M=1,C=2) does not support its own params: no two channels' });
    expect(fits({}, {}, { height: 1, width: 1, channels: 3 })).toEqual({ check: 'fuzz.model-mismatch', message: 'the images have 3 channels, the model takes 2' });
    const m2 = { params: { blockSize: 2, channels: 2 } };
    expect(fits(m2, { patch: 2 }, { height: 3, width: 4, channels: 2 })).toEqual({ check: 'fuzz.model-mismatch', message: 'image size 4×3 is not a multiple of the block size 2' });
    expect(fits(m2, { patch: 2 }, { height: 4, width: 3, channels: 2 })).toEqual({ check: 'fuzz.model-mismatch', message: 'image size 3×4 is not a multiple of the block size 2' });
    const grid = (rows: number, cols: number) => ({ gridBound: true, params: { blockSize: 1, channels: 2, rows, cols } });
    expect(fits(grid(2, 2), {}, { height: 2, width: 3, channels: 2 })).toEqual({
      check: 'fuzz.model-mismatch',
      message: 'variant rotation (params M=1,C=2,grid=2×2) is grid-bound to 2×2 blocks, the 2×3 images have 2×3',
    });
    expect(fits(grid(3, 3), {}, { height: 2, width: 3, channels: 2 }).message).toContain('grid-bound to 3×3 blocks, the 2×3 images have 2×3');
  });
});

describe('accuracy.ts: encryptToModelInput and encryptAll', () => {
  // One 1×2 image, NCHW: channel 0 = (255, 0), channel 1 = (51, 204); blocks (255, 51) and (0, 204).
  const BYTES = Uint8Array.of(255, 0, 51, 204);
  const SHAPE = { count: 1, channels: 2, height: 1, width: 2 };
  const m = (v: number) => (2 * v - 255) / 255;

  it('r = 1 swaps the channels, mapped by (2v − 255)/255; the blocks on request (accuracy.ts:178-199)', () => {
    const e = encryptToModelInput(rotation() as Variant<unknown>, { r: 1 }, BYTES, SHAPE, true);
    // encrypted blocks (51, 255), (204, 0) → NCHW channel 0 = (51, 204), channel 1 = (255, 0)
    expect([...e.input]).toEqual([m(51), m(204), 1, -1].map(Math.fround));
    expect(e.input).toBeInstanceOf(Float32Array);
    expect([...e.plainBlocks!]).toEqual([1, m(51), -1, m(204)]);
    expect([...e.cipherBlocks!]).toEqual([m(51), 1, m(204), -1]);
    const bare = encryptToModelInput(rotation() as Variant<unknown>, { r: 1 }, BYTES, SHAPE, false);
    expect(Object.keys(bare)).toEqual(['input']);
  });

  it('each domain maps in and out (unit in, real out: x → 2x − 1 is the model input itself)', () => {
    const v = rotation({ domain: { input: 'unit', output: 'real' }, encrypt: mapValues((x) => 2 * x - 1) }) as Variant<unknown>;
    const e = encryptToModelInput(v, { r: 0 }, BYTES, SHAPE, true);
    expect([...e.input]).toEqual([1, -1, m(51), m(204)].map(Math.fround));
    // plain blocks: v/255 in unit, then (x − 0.5)/0.5
    expect([...e.plainBlocks!]).toEqual([255, 51, 0, 204].map((b) => (b / 255 - 0.5) / 0.5));
    const u = rotation({ domain: 'unit', encrypt: mapValues((x) => 1 - x) }) as Variant<unknown>;
    // 1 − v/255 → (0.5 − v/255)/0.5
    expect([...encryptToModelInput(u, { r: 0 }, BYTES, SHAPE, false).input]).toEqual([255, 0, 51, 204].map((b) => Math.fround((1 - b / 255 - 0.5) / 0.5)));
    const r = rotation({ domain: 'real', encrypt: mapValues((x) => -x) }) as Variant<unknown>;
    expect([...encryptToModelInput(r, { r: 0 }, BYTES, SHAPE, false).input]).toEqual([255, 0, 51, 204].map((b) => Math.fround(-m(b))));
  });

  it('refuses a batch of another shape, a value outside the output domain, and a throwing encrypt (accuracy.ts:181-191, :133-139)', () => {
    const swapped = rotation({ encrypt: (b: BlockBatch) => ({ ...b, rows: b.cols, cols: b.rows }) }) as Variant<unknown>;
    expect(refusal(() => encryptToModelInput(swapped, { r: 0 }, BYTES, SHAPE, false))).toEqual({ check: 'fuzz.accuracy', message: 'rotation: encrypt returned a batch with rows 2, expected 1' });
    const wide = rotation({ encrypt: (b: BlockBatch) => ({ ...b, channels: 1, cols: 4 }) }) as Variant<unknown>;
    expect(refusal(() => encryptToModelInput(wide, { r: 0 }, BYTES, SHAPE, false)).message).toBe('rotation: encrypt returned a batch with cols 4, expected 2');
    const outside = rotation({ encrypt: mapValues((x, i) => (i === 1 ? 256 : x)) }) as Variant<unknown>;
    expect(refusal(() => encryptToModelInput(outside, { r: 0 }, BYTES, SHAPE, false))).toEqual({ check: 'fuzz.accuracy', message: 'rotation: encrypted value 1 is 256, not in its output domain "uint8"' });
    const last = rotation({ encrypt: mapValues((x, i) => (i === 3 ? 0.5 : x)) }) as Variant<unknown>;
    expect(refusal(() => encryptToModelInput(last, { r: 0 }, BYTES, SHAPE, false)).message).toBe('rotation: encrypted value 3 is 0.5, not in its output domain "uint8"');
    const throws = rotation({ encrypt: () => { throw new RangeError('boom'); } }) as Variant<unknown>;
    expect(refusal(() => encryptToModelInput(throws, { r: 0 }, BYTES, SHAPE, false))).toEqual({ check: 'fuzz.accuracy', message: 'rotation: encrypt threw: RangeError: boom' });
    const own = new CipherpatchError('variant.own', 'its own refusal');
    const rethrows = rotation({ encrypt: () => { throw own; } }) as Variant<unknown>;
    expect(() => encryptToModelInput(rethrows, { r: 0 }, BYTES, SHAPE, false)).toThrow(own);
  });

  it('encryptAll: chunks of images give the same input, and hands every chunk\'s blocks over (accuracy.ts:266-277)', () => {
    // images 0..2 as in PIXELS; r = 1 swaps the channels of each
    const whole = encryptAll(rotation() as Variant<unknown>, { r: 1 }, images(), 250);
    expect([...whole]).toEqual([-1, 1, 1, -1, m(51), m(204)].map(Math.fround));
    const seen: number[][] = [];
    const byOne = encryptAll(rotation() as Variant<unknown>, { r: 1 }, images(), 2, (p, c) => seen.push([...p], [...c]));
    expect(byOne).toEqual(whole);
    expect(seen).toEqual([[1, -1, -1, 1], [-1, 1, 1, -1], [m(204), m(51)], [m(51), m(204)]]);
  });
});

describe('accuracy.ts: embeddings and adapters', () => {
  it('embeddingOf copies the model\'s embedding into float64 (accuracy.ts:202-205)', () => {
    const e = embeddingOf(WEIGHTS);
    expect(e).toEqual({ dim: 2, channels: 2, patch: 1, weight: Float64Array.of(1, 0, 0, 1), bias: Float64Array.of(0, 0) });
  });

  it('withEmbedding installs a checked embedding, refusing wrong sizes and non-finite values (accuracy.ts:207-213)', () => {
    const e = (weight: Float64Array, bias: Float64Array): PatchEmbedding => ({ dim: 2, channels: 2, patch: 1, weight, bias });
    const w = withEmbedding(WEIGHTS, e(Float64Array.of(0, 1, 1, 0), Float64Array.of(0.5, -2)), 'x');
    expect(w.embedWeight).toEqual(Float32Array.of(0, 1, 1, 0));
    expect(w.embedBias).toEqual(Float32Array.of(0.5, -2));
    expect(w.headWeight).toBe(WEIGHTS.headWeight);
    const bad = (x: unknown) => refusal(() => withEmbedding(WEIGHTS, x as PatchEmbedding, 'who'));
    expect(bad(e(Float64Array.of(1, 2, 3), Float64Array.of(0, 0)))).toEqual({ check: 'fuzz.accuracy', message: 'who returned a weight of 3 values, expected 4' });
    expect(bad({ weight: [1, 0, 0, 1], bias: Float64Array.of(0, 0) }).message).toBe('who returned a weight of 4 values, expected 4');
    expect(bad(undefined).message).toBe('who returned a weight of undefined values, expected 4');
    expect(bad(e(Float64Array.of(1, 0, 0, 1), Float64Array.of(0)))).toEqual({ check: 'fuzz.accuracy', message: 'who returned a bias of 1 values, expected 2' });
    expect(bad({ weight: Float64Array.of(1, 0, 0, 1), bias: [0, 0] }).message).toBe('who returned a bias of 2 values, expected 2');
    expect(bad({ weight: Float64Array.of(1, 0, 0, 1) }).message).toBe('who returned a bias of undefined values, expected 2');
    expect(bad(e(Float64Array.of(1, Number.NaN, 0, 1), Float64Array.of(0, 0)))).toEqual({ check: 'fuzz.accuracy', message: 'who returned a non-finite weight or bias' });
    expect(bad(e(Float64Array.of(1, 0, 0, 1), Float64Array.of(0, Number.POSITIVE_INFINITY))).message).toBe('who returned a non-finite weight or bias');
  });

  it('adaptByFit: E′ = E·Aᵀ, b′ = b + E·c, worked by hand for p = 3, q = 2 (accuracy.ts:216-230)', () => {
    // E rows (2, 3) and (5, 7), b = (1, 10); A (3 × 2) rows (1, 2), (3, 4), (5, 6); c = (0.5, −1)
    // E′ row 0: (1·2 + 2·3, 3·2 + 4·3, 5·2 + 6·3) = (8, 18, 28); row 1: (5 + 14, 15 + 28, 25 + 42) = (19, 43, 67)
    // b′ = (1 + 0.5·2 − 3, 10 + 0.5·5 − 7) = (−1, 5.5)
    const e: PatchEmbedding = { dim: 2, channels: 2, patch: 1, weight: Float64Array.of(2, 3, 5, 7), bias: Float64Array.of(1, 10) };
    const fit = { a: Float64Array.of(1, 2, 3, 4, 5, 6), c: Float64Array.of(0.5, -1), p: 3, q: 2 } as AffineFit;
    const out = adaptByFit(e, fit);
    expect([...out.weight]).toEqual([8, 18, 28, 19, 43, 67]);
    expect([...out.bias]).toEqual([-1, 5.5]);
    expect(out.dim).toBe(2);
    expect([...e.bias]).toEqual([1, 10]); // the input's bias is not touched
  });

  it('leastSquaresFit: the exact swap on 35 random 1×1 patches; a non-affine cipher and a too-large p get why not (accuracy.ts:233-246)', () => {
    // p = 2, one block per image: ⌈(2 + 1 + 32)/1⌉ = 35 images of one patch each
    const ls = leastSquaresFit(rotation() as Variant<unknown>, { r: 1 }, { channels: 2, height: 1, width: 1 }, 's');
    expect(ls.fit!.samples).toBe(35);
    expect([...ls.fit!.a].map((x) => Math.round(x * 1e6) / 1e6 + 0)).toEqual([0, 1, 1, 0]);
    expect(ls.why).toMatch(/^least squares on 35 random patches, residual \d\.\de[-+]\d+$/);
    // 1×2 images hold 2 blocks each: ⌈35/2⌉ = 18 images, 36 patches
    expect(leastSquaresFit(rotation() as Variant<unknown>, { r: 1 }, { channels: 2, height: 1, width: 2 }, 's').fit!.samples).toBe(36);
    const square = rotation({ encrypt: mapValues((x) => (x * x) % 256) }) as Variant<unknown>;
    const no = leastSquaresFit(square, { r: 0 }, { channels: 2, height: 1, width: 1 }, 's');
    expect(no.fit).toBeUndefined();
    expect(no.why).toMatch(/^least squares finds no exact affine adapter: residual \d\.\d\de[-+]\d+ on 35 random patches$/);
    // M = 19, C = 3: p = 1083 > 1024
    const big = rotation({ params: { blockSize: 19, channels: 3 } }) as Variant<unknown>;
    expect(leastSquaresFit(big, { r: 0 }, { channels: 3, height: 19, width: 19 }, 's')).toEqual({ why: 'p = M²C = 1083 is too large for the least-squares adapter (at most 1024)' });
  });
});

describe('accuracy.ts: logitsOf and wrongVariantKeys', () => {
  it('logitsOf feeds bytes to logits and floats to logitsNormalized, chunk by chunk (accuracy.ts:249-264)', async () => {
    const log = newLog();
    const engine = await linearFactory(log)(WEIGHTS);
    const plain = await logitsOf(engine, images(), 2);
    // logits of the three images: (1, −1), (−1, 1), (0.6, −0.6) in float32
    expect([...plain]).toEqual([1, -1, -1, 1, Math.fround(0.6), Math.fround(-0.6)]);
    expect(log.calls).toEqual(['logits 2 NCHW', 'logits 1 NCHW']);
    expect(log.bytes).toEqual([[255, 0, 0, 255], [204, 51]]);
    const floats = imageBatch(Float32Array.of(0.5, 0.25, -1, 2), { count: 2, channels: 2, height: 1, width: 1 }, 'NCHW');
    expect([...(await logitsOf(engine, floats, 1))]).toEqual([0.5, 0.25, -1, 2]);
    expect(log.calls.slice(2)).toEqual(['normalized 1 NCHW', 'normalized 1 NCHW']);
  });

  it('wrong keys skip the right key, and give up after 20·count + 20 tries (accuracy.ts:287-297)', () => {
    // seed "abc": right r = 1; "abc/wrong/0".."abc/wrong/9" have 11 characters (r = 1, skipped), from 10 on 12 (r = 0)
    const w = wrongVariantKeys(rotation() as Variant<unknown>, { r: 1 }, 2, 'abc');
    expect(w).toEqual([{ seed: 'abc/wrong/10', key: { r: 0 } }, { seed: 'abc/wrong/11', key: { r: 0 } }]);
    expect(wrongVariantKeys(rotation() as Variant<unknown>, { r: 0 }, 1, 'abc')).toEqual([{ seed: 'abc/wrong/0', key: { r: 1 } }]);
    expect(wrongVariantKeys(rotation() as Variant<unknown>, { r: 0 }, 0, 'abc')).toEqual([]);
    const one = rotation({ generateKey: () => ({ r: 0 }) }) as Variant<unknown>;
    expect(refusal(() => wrongVariantKeys(one, { r: 0 }, 1, 'abc'))).toEqual({
      check: 'fuzz.accuracy',
      message: 'rotation: could not draw 1 wrong keys different from the right key in 40 tries (is its key space that small?)',
    });
    expect(refusal(() => wrongVariantKeys(one, { r: 0 }, 3, 'abc')).message).toContain('could not draw 3 wrong keys different from the right key in 80 tries');
    // exactly 20·1 + 20 = 40 tries are allowed: key 39 is the first different one
    let calls = 0;
    const late = rotation({ generateKey: (_p, s) => ({ r: s === 'x/wrong/39' ? 1 : 0 }) }) as Variant<unknown>;
    expect(wrongVariantKeys(late, { r: 0 }, 1, 'x')).toEqual([{ seed: 'x/wrong/39', key: { r: 1 } }]);
    const counting = rotation({ serializeKey: (k) => { calls++; return JSON.stringify(k); } }) as Variant<unknown>;
    wrongVariantKeys(counting, { r: 1 }, 1, 'abc');
    expect(calls).toBe(12); // the right key, then keys 0..10
  });

  it('refuses a serializeKey that throws or returns no string (accuracy.ts:280-284)', () => {
    const num = rotation({ serializeKey: () => 7 as unknown as string }) as Variant<unknown>;
    expect(refusal(() => wrongVariantKeys(num, { r: 0 }, 1, 'abc'))).toEqual({ check: 'fuzz.accuracy', message: 'rotation: serializeKey returned number, expected a string' });
    const throws = rotation({ serializeKey: () => { throw new Error('no'); } }) as Variant<unknown>;
    expect(refusal(() => wrongVariantKeys(throws, { r: 0 }, 1, 'abc'))).toEqual({ check: 'fuzz.accuracy', message: 'rotation: serializeKey threw: no' });
    const gen = rotation({ generateKey: () => { throw new Error('gen'); } }) as Variant<unknown>;
    expect(refusal(() => wrongVariantKeys(gen, { r: 0 }, 1, 'abc')).message).toBe('rotation: generateKey threw: gen');
  });
});

describe('accuracy.ts: measureAccuracy on the linear stand-in', () => {
  it('the right key (r = 1) and its adapter give the plain predictions; wrong keys (r = 0) flip them', async () => {
    const log = newLog();
    const r = applied(await measure({}, log));
    // plain: predictions 0, 1, 0 vs labels 0, 1, 1 → 2 of 3. Wrong key r = 0 on the swapped model: 1, 0, 1 → 1 of 3.
    expect(r).toEqual({
      ...HEAD,
      adapter: { source: 'variant', detail: "the variant's adapter (claimed exact under 0.5/0.5)" },
      plain: { accuracy: 2 / 3, correct: 2 },
      rightKey: { accuracy: 2 / 3, correct: 2, differFromPlain: 0, maxLogitDifference: 0 },
      wrongKeys: {
        count: 2,
        seeds: ['abc/wrong/10', 'abc/wrong/11'],
        accuracies: [1 / 3, 1 / 3],
        summary: { min: 1 / 3, q1: 1 / 3, median: 1 / 3, q3: 1 / 3, max: 1 / 3, mean: 1 / 3, count: 2 },
      },
      engine: { name: 'linear', backend: 'stand-in', threads: 3, version: 'linear 1.0' },
      seconds: r.seconds,
    });
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThan(5);
    // the plain model first, then the adapted one (E's columns swapped); each disposed
    expect(log.created[0]).toBe(WEIGHTS);
    expect([...log.created[1].embedWeight]).toEqual([0, 1, 1, 0]);
    expect(log.created).toHaveLength(2);
    expect(log.disposed).toBe(2);
    // (kills accuracy.ts:259, :260 StringLiteral 'NCHW' → "": the layout each engine call is given)
    expect(log.calls).toEqual(['logits 3 NCHW', 'normalized 3 NCHW', 'normalized 3 NCHW', 'normalized 3 NCHW']);
  });

  it('defaults: key seed "fuzz" (r = 0), 10 wrong keys, 250 images per call', async () => {
    const log = newLog();
    const many = Uint8Array.from({ length: 251 * 2 }, (_, i) => PIXELS[i % 6]);
    const labels = Uint8Array.from({ length: 251 }, (_, n) => LABELS[n % 3]);
    const r = applied(await measureAccuracy({ variant: rotation() as Variant<unknown>, weights: WEIGHTS, images: images(many, 251), labels, createEngine: linearFactory(log) }));
    expect(r.keySeed).toBe('fuzz');
    // "fuzz/wrong/0".."9" have 12 characters (r = 0 = the right key): skipped; 10..19 are the wrong keys (r = 1)
    expect(r.wrongKeys.seeds).toEqual(Array.from({ length: 10 }, (_, i) => `fuzz/wrong/${10 + i}`));
    // images 0..250: n mod 3 = 0, 1, 2 → 84, 84, 83; plain correct = images with n mod 3 ∈ {0, 1} = 168; wrong keys: n mod 3 = 2 → 83
    expect(r.plain.correct).toBe(168);
    expect(r.rightKey.correct).toBe(168);
    expect(r.wrongKeys.accuracies).toEqual(Array(10).fill(83 / 251));
    expect(log.calls.slice(0, 2)).toEqual(['logits 250 NCHW', 'logits 1 NCHW']);
    expect(log.calls).toHaveLength(2 + 2 + 10 * 2);
  });

  it('a given adapter (identity, wrong for r = 1) flips every prediction; no wrong keys → summary null', async () => {
    const seen: unknown[] = [];
    const r = applied(await measure({ wrongKeys: 0, adapter: { normalizations: 'any', adapt: (e, k, n) => (seen.push(e, k, n), e) } }));
    expect(seen).toEqual([
      { dim: 2, channels: 2, patch: 1, weight: Float64Array.of(1, 0, 0, 1), bias: Float64Array.of(0, 0) },
      { r: 1 },
      { name: '0.5/0.5', mean: [0.5, 0.5], std: [0.5, 0.5] },
    ]);
    expect(r.adapter).toEqual({ source: 'given', detail: 'an adapter given by the caller' });
    // right-key logits are the plain ones swapped: predictions 1, 0, 1 (1 correct, all 3 differ); max |Δ| = |1 − (−1)| = 2
    expect(r.rightKey).toEqual({ accuracy: 1 / 3, correct: 1, differFromPlain: 3, maxLogitDifference: 2 });
    expect(r.wrongKeys).toEqual({ count: 0, seeds: [], accuracies: [], summary: null });
  });

  it('the variant\'s adapter not claimed under 0.5/0.5, or claimed for any', async () => {
    const base = rotation();
    const none = rotation({ adapter: { ...base.adapter!, normalizations: ['none', 'cifar'] } }) as Variant<unknown>;
    expect(applied(await measure({ variant: none })).adapter).toEqual({ source: 'variant', detail: "the variant's adapter, NOT claimed exact under 0.5/0.5 (claims none, cifar)" });
    const any = rotation({ adapter: { ...base.adapter!, normalizations: 'any' } }) as Variant<unknown>;
    expect(applied(await measure({ variant: any })).adapter.detail).toBe("the variant's adapter (claimed exact under 0.5/0.5)");
  });

  it('without an adapter: the least-squares one, exact on these images too', async () => {
    const log = newLog();
    const r = applied(await measure({ variant: rotation({ adapter: undefined }) as Variant<unknown> }, log));
    expect(r.adapter.source).toBe('least-squares');
    expect(r.adapter.detail).toMatch(/^no adapter of its own: the harness's least-squares adapter \(least squares on 35 random patches, residual \d\.\de[-+]\d+; checked on every patch of the 3 images\)$/);
    expect(r.rightKey.differFromPlain).toBe(0);
    expect(r.rightKey.maxLogitDifference).toBeLessThan(1e-6);
    expect(r.wrongKeys.accuracies).toEqual([1 / 3, 1 / 3]);
    expect([...log.created[1].embedWeight].map((x) => Math.round(x * 1e6) / 1e6 + 0)).toEqual([0, 1, 1, 0]);
  });

  it('without an adapter: not applicable when least squares finds none, or it fails on these images', async () => {
    const log = newLog();
    const square = rotation({ adapter: undefined, encrypt: mapValues((x) => (x * x) % 256) }) as Variant<unknown>;
    const r = await measure({ variant: square }, log);
    expect(r.applicable).toBe(false);
    expect(r).toMatchObject({ applicable: false, variant: 'rotation', images: 3 });
    expect((r as { reason: string }).reason).toMatch(/^no adapter \(least squares finds no exact affine adapter: residual \d\.\d\de[-+]\d+ on 35 random patches\)$/);
    expect(log.created).toEqual([]);
    // the swap on the 35 random images (one batch of 35), but 0 ↦ 1 on the 3 evaluated ones: (255, 0) → (1, 255) is not the swap
    const sly = rotation({ adapter: undefined, encrypt: (b: BlockBatch) => (b.images === 35 ? rotate(b, 1) : mapValues((x) => (x === 0 ? 1 : x))(rotate(b, 1))) }) as Variant<unknown>;
    const s = await measure({ variant: sly }, log);
    expect(s).toMatchObject({ applicable: false, variant: 'rotation', images: 3 });
    expect((s as { reason: string }).reason).toMatch(/^no adapter \(the least-squares adapter fitted on random images is not exact on these images: residual \d\.\d\de[-+]\d+\)$/);
    expect(log.created).toEqual([]);
    expect(formatAccuracy(s)).toEqual([`accuracy on the model (3 test images): not applicable: ${(s as { reason: string }).reason}`]);
  });

  it('NHWC images are turned to NCHW before the plain engine sees them', async () => {
    const log = newLog();
    // one 1×2 image, NHWC pixels (255, 0), (51, 204) = NCHW channel 0 (255, 51), channel 1 (0, 204)
    const nhwc = imageBatch(Uint8Array.of(255, 0, 51, 204), { count: 1, channels: 2, height: 1, width: 2 }, 'NHWC');
    const r = applied(await measureAccuracy({ variant: rotation() as Variant<unknown>, weights: WEIGHTS, images: nhwc, labels: Uint8Array.of(1), createEngine: linearFactory(log), keySeed: 'abc', wrongKeys: 0 }));
    expect(log.bytes).toEqual([[255, 51, 0, 204]]);
    // logits: class 0 = 1 + (−0.6), class 1 = −1 + 0.6 → class 0; label 1 → 0 correct
    expect(r.plain).toEqual({ accuracy: 0, correct: 0 });
    expect(r.rightKey.differFromPlain).toBe(0);
  });

  it('refuses bad options, a misfit, and plug-in failures; disposes the engines it made', async () => {
    const bad = async (extra: Partial<AccuracyOptions>) => {
      const e = await asyncRejection(measure(extra));
      return { check: e.check, message: e.message };
    };
    expect(await bad({ labels: Uint8Array.of(0, 1) })).toEqual({ check: 'fuzz.accuracy', message: '2 labels for 3 images' });
    expect(await bad({ wrongKeys: -1 })).toEqual({ check: 'fuzz.accuracy', message: 'the number of wrong keys must be a non-negative integer, got -1' });
    expect((await bad({ wrongKeys: 1.5 })).message).toBe('the number of wrong keys must be a non-negative integer, got 1.5');
    expect(await bad({ chunk: 0 })).toEqual({ check: 'fuzz.accuracy', message: 'chunk must be a positive integer, got 0' });
    expect((await bad({ chunk: 2.5 })).message).toBe('chunk must be a positive integer, got 2.5');
    expect((await bad({ variant: rotation({ params: { blockSize: 1, channels: 3 } }) as Variant<unknown> })).check).toBe('fuzz.model-mismatch');
    expect(await bad({ variant: rotation({ generateKey: () => { throw new Error('k'); } }) as Variant<unknown> })).toEqual({ check: 'fuzz.accuracy', message: 'rotation: generateKey threw: k' });
    expect(await bad({ adapter: { normalizations: 'any', adapt: () => { throw new Error('a'); } } })).toEqual({ check: 'fuzz.accuracy', message: 'rotation: the given adapter threw: a' });
    expect((await bad({ adapter: { normalizations: 'any', adapt: (e) => ({ ...e, bias: Float64Array.of(0) }) } })).message).toBe('the given adapter returned a bias of 1 values, expected 2');
    const base = rotation();
    const throwing = rotation({ adapter: { ...base.adapter!, adapt: () => { throw new Error('own'); } } }) as Variant<unknown>;
    expect(await bad({ variant: throwing })).toEqual({ check: 'fuzz.accuracy', message: 'rotation: adapter.adapt threw: own' });
    const short = rotation({ adapter: { ...base.adapter!, adapt: (e: PatchEmbedding) => ({ ...e, weight: Float64Array.of(1) }) } }) as Variant<unknown>;
    expect((await bad({ variant: short })).message).toBe("rotation's adapter returned a weight of 1 values, expected 4");
    // chunk 1 still gives the same report
    const log = newLog();
    expect(applied(await measure({ chunk: 1 }, log)).wrongKeys.accuracies).toEqual([1 / 3, 1 / 3]);
    expect(log.calls.slice(0, 3)).toEqual(['logits 1 NCHW', 'logits 1 NCHW', 'logits 1 NCHW']);
    // an engine that fails is still disposed
    const l1 = newLog();
    await expect(measureAccuracy({ variant: rotation() as Variant<unknown>, weights: WEIGHTS, images: images(), labels: LABELS, createEngine: linearFactory(l1, 'logits') })).rejects.toThrow('plain engine failed');
    expect([l1.created.length, l1.disposed]).toEqual([1, 1]);
    const l2 = newLog();
    await expect(measureAccuracy({ variant: rotation() as Variant<unknown>, weights: WEIGHTS, images: images(), labels: LABELS, createEngine: linearFactory(l2, 'logitsNormalized') })).rejects.toThrow('adapted engine failed');
    expect([l2.created.length, l2.disposed]).toEqual([2, 2]);
  });
});

describe('accuracy.ts: formatAccuracy', () => {
  const report = (over: Partial<AccuracyApplied> = {}): AccuracyApplied => ({
    ...HEAD,
    adapter: { source: 'variant', detail: 'the detail' },
    plain: { accuracy: 2 / 3, correct: 2 },
    rightKey: { accuracy: 0.5, correct: 1, differFromPlain: 1, maxLogitDifference: 0.000123 },
    wrongKeys: { count: 2, seeds: ['a', 'b'], accuracies: [0.125, 1], summary: { min: 0.125, q1: 0.3, median: 0.5625, q3: 0.7, max: 1, mean: 0.5625, count: 2 } },
    engine: { name: 'linear', backend: 'stand-in', threads: 3, version: 'linear 1.0' },
    seconds: 12.34,
    ...over,
  });

  it('every line, padded to 32 columns, worked out by hand (accuracy.ts:396-411)', () => {
    expect(formatAccuracy(report())).toEqual([
      'accuracy on the model: 3 test images, normalization 0.5/0.5, key seed "abc", engine linear (stand-in, 3 thread(s), linear 1.0); 12.3 s',
      '  adapter: the detail',
      // "plain model, plain images" has 25 characters: 7 spaces to 32
      '  plain model, plain images         66.67 %',
      // "adapted model, right key": 24 characters, 8 spaces
      '  adapted model, right key          50.00 %  (1 of 3 predictions differ from plain; max |Δlogit| 1.2e-4)',
      // "adapted model, 2 wrong keys": 27 characters, 5 spaces
      '  adapted model, 2 wrong keys       min 12.50 %, median 56.25 %, max 100.00 %',
    ]);
  });

  it('one wrong key, and none tried', () => {
    const one = report({ wrongKeys: { count: 1, seeds: ['a'], accuracies: [0.25], summary: { min: 0.25, q1: 0.25, median: 0.25, q3: 0.25, max: 0.25, mean: 0.25, count: 1 } } });
    expect(formatAccuracy(one)[4]).toBe('  adapted model, 1 wrong key        min 25.00 %, median 25.00 %, max 25.00 %');
    const none = report({ wrongKeys: { count: 0, seeds: [], accuracies: [], summary: null } });
    expect(formatAccuracy(none)[4]).toBe('  adapted model, wrong keys         none tried');
    expect(formatAccuracy(none)).toHaveLength(5);
  });
});

describe('accuracy.ts: kills for the survivors of the first run (2026-12-03)', () => {
  it('the grid-bound check divides by the block size (accuracy.ts:162-163 ArithmeticOperator / → *)', () => {
    // M = 2, 4×6 images: 2×3 blocks of 2×2
    const grid = (rows: number, cols: number) => ({ ...(rotation() as Variant<unknown>), gridBound: true, params: { blockSize: 2, channels: 2, rows, cols } });
    expect(() => checkVariantFitsModel(grid(2, 3), { ...CONFIG, patch: 2 }, { height: 4, width: 6, channels: 2 })).not.toThrow();
    expect(refusal(() => checkVariantFitsModel(grid(1, 1), { ...CONFIG, patch: 2 }, { height: 4, width: 6, channels: 2 })).message).toBe(
      'variant rotation (params M=2,C=2,grid=1×1) is grid-bound to 1×1 blocks, the 4×6 images have 2×3',
    );
  });

  it('withEmbedding names a missing weight (accuracy.ts:209 OptionalChaining e?.weight?.length → e?.weight.length)', () => {
    expect(refusal(() => withEmbedding(WEIGHTS, { bias: Float64Array.of(0, 0) } as unknown as PatchEmbedding, 'who')).message).toBe('who returned a weight of undefined values, expected 4');
  });

  it('p = M²C = 1024 still gets least squares (accuracy.ts:235 EqualityOperator > → >=)', () => {
    // M = 16, C = 4: p = 1024 is allowed, so encrypt is reached (and stops the fit by throwing)
    const at = rotation({ params: { blockSize: 16, channels: 4 }, encrypt: () => { throw new Error('reached'); } }) as Variant<unknown>;
    expect(refusal(() => leastSquaresFit(at, { r: 0 }, { channels: 4, height: 16, width: 16 }, 's')).message).toBe('rotation: encrypt threw: reached');
  });

  it('least squares on M = 2, 4×2 one-channel images: 2 blocks per image, ⌈(4 + 33)/2⌉ = 19 images (accuracy.ts:237, :240 ArithmeticOperator)', () => {
    const v = rotation({ params: { blockSize: 2, channels: 1 } }) as Variant<unknown>;
    const ls = leastSquaresFit(v, { r: 1 }, { channels: 1, height: 4, width: 2 }, 's');
    expect(ls.fit!.samples).toBe(38);
    expect(ls.why).toMatch(/^least squares on 38 random patches/);
  });

  it('the random images depend on the seed (accuracy.ts:239 StringLiteral → ``)', () => {
    // a non-affine cipher: the residual of the fit depends on which random images it sees
    const square = rotation({ encrypt: mapValues((x) => (x * x) % 256) }) as Variant<unknown>;
    const why = (seed: string) => leastSquaresFit(square, { r: 0 }, { channels: 2, height: 1, width: 1 }, seed).why;
    expect(why('s')).not.toBe(why('t'));
  });

  it('logitsOf and encryptAll cut images of C·H·W values (accuracy.ts:251, :268 ArithmeticOperator * → /)', async () => {
    // two 2×1 images, 2 channels, NCHW: image 0 channel 0 = (255, 0), channel 1 = (0, 0); image 1 channel 0 = (0, 0), channel 1 = (255, 255)
    const data = Uint8Array.of(255, 0, 0, 0, 0, 0, 255, 255);
    const batch = imageBatch(data, { count: 2, channels: 2, height: 2, width: 1 }, 'NCHW');
    const log = newLog();
    const engine = await linearFactory(log)(WEIGHTS);
    // class k = Σ over the 2 pixels of channel k: image 0 (1 − 1, −1 − 1) = (0, −2); image 1 (−2, 2)
    expect([...(await logitsOf(engine, batch, 1))]).toEqual([0, -2, -2, 2]);
    expect(log.bytes).toEqual([[255, 0, 0, 0], [0, 0, 255, 255]]);
    // r = 1 swaps the channels of each pixel: image 0 → (0, 0 | 255, 0), image 1 → (255, 255 | 0, 0), mapped by (2v − 255)/255
    const swapped = [-1, -1, 1, -1, 1, 1, -1, -1];
    expect([...encryptAll(rotation() as Variant<unknown>, { r: 1 }, batch, 1)]).toEqual(swapped);
    expect([...encryptAll(rotation() as Variant<unknown>, { r: 1 }, batch, 250)]).toEqual(swapped);
  });

  it('the least-squares adapter is named when the embedding it gives is not finite (accuracy.ts:339 StringLiteral)', async () => {
    const inf: ConvMixerWeights = { ...WEIGHTS, embedWeight: Float32Array.of(Number.POSITIVE_INFINITY, 0, 0, 1) };
    const e = await asyncRejection(measure({ variant: rotation({ adapter: undefined }) as Variant<unknown>, weights: inf }));
    expect(e.message).toBe('the least-squares adapter returned a non-finite weight or bias');
  });
});
