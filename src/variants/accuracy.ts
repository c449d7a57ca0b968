/**
 * `cipherpatch fuzz <variant> --model W --data D`: a variant's accuracy on a
 * plain-trained ConvMixer, with the right key and with a sample of wrong keys.
 *
 *   plain      the plain model on the plain 8-bit images (engine.logits, Eq. 7)
 *   right key  the model adapted with the right key (its patch embedding only)
 *              on the images encrypted with the right key: an exact adapter
 *              gives the plain predictions (differFromPlain = 0)
 *   wrong keys the same adapted model on images encrypted with wrong keys
 *
 * The model is assumed trained with the engine's normalization, 0.5/0.5
 * (Eq. 7). Each image is cut into M×M blocks (M = the model's patch size P),
 * mapped into the variant's input domain (src/variants/contract.ts: an 8-bit
 * value v is v, v/255 or (2v − 255)/255), encrypted, and mapped to the model
 * input from its output domain: uint8 (2x − 255)/255, unit (x − 0.5)/0.5,
 * real x (a real-domain variant already works on normalized values, as
 * System C does). The engine gets those values (logitsNormalized).
 *
 * The adapter: the variant's own; or, for a variant without one, the
 * least-squares adapter of the harness (src/variants/affine.ts) when that is
 * cheap (p = M²C ≤ 1024) and exact (residual ≤ the harness's tolerance on
 * seeded random images, and then again on every patch of the evaluated
 * images); otherwise the check is not applicable. Pure: arrays and an engine
 * factory in, numbers out; no files, no printing.
 */
import { CipherpatchError, fail } from '../core/errors.ts';
import { type ImageBatch, imageBatch, toLayout } from '../core/images.ts';
import { seededRandom } from '../core/keygen.ts';
import type { Engine } from '../engine/engine.ts';
import { argmaxRows, maxAbsDifference, predictionMismatches, score } from '../metrics/scoring.ts';
import type { ConvMixerConfig, ConvMixerWeights } from '../model/convmixer.ts';
import { type FiveNumberSummary, summarize } from '../metrics/statistics.ts';
import { type AffineFit, affineResidual, fitAffine } from './affine.ts';
import { type Images, fromBlocks, toBlocks } from './blocks.ts';
import {
  type BlockBatch,
  type Domain,
  type ModelAdapter,
  type PatchEmbedding,
  type Variant,
  type VariantParams,
  blockLength,
  checkBlockBatch,
  describeParams,
  domainPair,
  fromByte,
  inDomain,
  normalization,
} from './contract.ts';
import { VARIANT_TOLERANCE } from './tolerance.ts';
import { describeError } from './validate.ts';
import { plural } from '../core/words.ts';

/** The normalization the engine applies (Eq. 7) and the model is trained with. */
export const ACCURACY_NORMALIZATION = '0.5/0.5';
export const DEFAULT_WRONG_KEYS = 10;
export const DEFAULT_KEY_SEED = 'fuzz';
/** Largest p = M²C for which a variant without an adapter gets the least-squares one. */
export const LEAST_SQUARES_MAX_BLOCK_LENGTH = 1024;

export interface AccuracyOptions {
  readonly variant: Variant<unknown>;
  readonly weights: ConvMixerWeights;
  /** 8-bit images (either layout) and their labels. */
  readonly images: ImageBatch<Uint8Array>;
  readonly labels: Uint8Array;
  /** Makes an engine for a model; called twice (plain and adapted model). */
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  /** Wrong keys to try (default 10). */
  readonly wrongKeys?: number;
  /** The right key is generateKey(params, keySeed); wrong key i comes from `${keySeed}/wrong/${i}` (default "fuzz"). */
  readonly keySeed?: string;
  /** Use this adapter instead of the variant's (or the least-squares one): for tests of a deliberately wrong adapter. */
  readonly adapter?: ModelAdapter<unknown>;
  /** Images per engine call (default 250). */
  readonly chunk?: number;
}

export type AdapterSource = 'variant' | 'least-squares' | 'given';

export interface AccuracyApplied {
  readonly applicable: true;
  readonly variant: string;
  readonly params: VariantParams;
  readonly domain: { readonly input: Domain; readonly output: Domain };
  readonly images: number;
  readonly normalization: typeof ACCURACY_NORMALIZATION;
  readonly keySeed: string;
  readonly adapter: { readonly source: AdapterSource; readonly detail: string };
  readonly plain: { readonly accuracy: number; readonly correct: number };
  readonly rightKey: {
    readonly accuracy: number;
    readonly correct: number;
    /** Images whose right-key prediction differs from the plain model's (0 for an exact adapter). */
    readonly differFromPlain: number;
    /** Largest |logit difference| between the plain model on plain images and the adapted one with the right key. */
    readonly maxLogitDifference: number;
  };
  readonly wrongKeys: {
    readonly count: number;
    readonly seeds: readonly string[];
    readonly accuracies: readonly number[];
    /** null when no wrong key was tried. */
    readonly summary: FiveNumberSummary | null;
  };
  readonly engine: { readonly name: string; readonly backend: string; readonly threads: number; readonly version: string };
  readonly seconds: number;
}

export interface AccuracyNotApplicable {
  readonly applicable: false;
  readonly variant: string;
  readonly images: number;
  /** Why, e.g. "no adapter (…)". */
  readonly reason: string;
}

export type AccuracyReport = AccuracyApplied | AccuracyNotApplicable;

// ------------------------------------------------------------------ domains

/** A value of a domain as the model sees it under 0.5/0.5: uint8 (2x − 255)/255, unit (x − 0.5)/0.5, real x. */
export function normalizedFrom(x: number, domain: Domain): number {
  return domain === 'uint8' ? (2 * x - 255) / 255 : domain === 'unit' ? (x - 0.5) / 0.5 : x;
}

function nchw(images: ImageBatch<Uint8Array>): ImageBatch<Uint8Array> {
  const b = imageBatch(images.data, images.shape, images.layout);
  return b.layout === 'NCHW' ? b : toLayout(b, 'NCHW');
}

/** Calls into a plug-in: anything but a CipherpatchError it throws becomes one naming the call (no stack trace). */
function call<T>(variant: Variant<unknown>, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CipherpatchError) throw e;
    fail('fuzz.accuracy', `${variant.name}: ${what} threw: ${describeError(e)}`);
  }
}

// ------------------------------------------------------------------ checks

/**
 * Whether a variant's params fit a model and images: block size = the
 * model's patch size, the same channels, a supported size, and for a
 * grid-bound variant a grid that covers the images. Throws
 * `fuzz.model-mismatch` naming what differs.
 */
export function checkVariantFitsModel(variant: Variant<unknown>, config: ConvMixerConfig, image?: { readonly height: number; readonly width: number; readonly channels: number }): void {
  const p = variant.params;
  const what = `variant ${variant.name} (params ${describeParams(p)})`;
  if (p.blockSize !== config.patch) {
    fail('fuzz.model-mismatch', `${what} has block size ${p.blockSize}, the model's patch size is ${config.patch}: an adapter transforms the patch embedding, so the block size must equal the patch size`);
  }
  if (p.channels !== config.channels) fail('fuzz.model-mismatch', `${what} has ${plural(p.channels, 'channel')}, the model takes ${config.channels}`);
  const reason = variant.supports?.(p);
  if (reason !== undefined) fail('fuzz.model-mismatch', `${what} does not support its own params: ${reason}`);
  if (image === undefined) return;
  if (image.channels !== config.channels) fail('fuzz.model-mismatch', `the images have ${plural(image.channels, 'channel')}, the model takes ${config.channels}`);
  if (image.height % p.blockSize !== 0 || image.width % p.blockSize !== 0) fail('fuzz.model-mismatch', `image size ${image.width}×${image.height} is not a multiple of the block size ${p.blockSize}`);
  if (variant.gridBound === true && (p.rows !== image.height / p.blockSize || p.cols !== image.width / p.blockSize)) {
    fail('fuzz.model-mismatch', `${what} is grid-bound to ${p.rows}×${p.cols} blocks, the ${image.height}×${image.width} images have ${image.height / p.blockSize}×${image.width / p.blockSize}`);
  }
}

// ------------------------------------------------------------------ encryption

export interface Encrypted {
  /** Model input (normalized), float32, NCHW. */
  readonly input: Float32Array;
  /** Plain and encrypted model-input blocks, float64 (only when asked: for verifying a least-squares adapter). */
  readonly plainBlocks?: Float64Array;
  readonly cipherBlocks?: Float64Array;
}

/** Encrypts 8-bit NCHW images block-wise and maps them to the model input (also System B's model input, src/evaluate/systemB.ts). */
export function encryptToModelInput(variant: Variant<unknown>, key: unknown, bytes: Uint8Array, shape: { count: number; channels: number; height: number; width: number }, keepBlocks: boolean): Encrypted {
  const dom = domainPair(variant.domain);
  const M = variant.params.blockSize;
  const img: Images = { data: Float64Array.from(bytes, (v) => fromByte(v, dom.input)), ...shape };
  const blocks = toBlocks(img, M);
  const enc: BlockBatch = call(variant, 'encrypt', () => variant.encrypt(blocks, key));
  checkBlockBatch(enc);
  for (const f of ['images', 'rows', 'cols', 'blockSize', 'channels'] as const) {
    if (enc[f] !== blocks[f]) fail('fuzz.accuracy', `${variant.name}: encrypt returned a batch with ${f} ${enc[f]}, expected ${blocks[f]}`);
  }
  const d = enc.data;
  for (let i = 0; i < d.length; i++) {
    if (!inDomain(d[i], dom.output)) fail('fuzz.accuracy', `${variant.name}: encrypted value ${i} is ${d[i]}, not in its output domain "${dom.output}"`);
  }
  const cipherBlocks = Float64Array.from(d, (x) => normalizedFrom(x, dom.output));
  const back = fromBlocks({ ...enc, data: cipherBlocks });
  return {
    input: Float32Array.from(back.data),
    ...(keepBlocks ? { plainBlocks: Float64Array.from(blocks.data, (x) => normalizedFrom(x, dom.input)), cipherBlocks } : {}),
  };
}

// ------------------------------------------------------------------ adapters

export function embeddingOf(w: ConvMixerWeights): PatchEmbedding {
  const { dim, channels, patch } = w.config;
  return { dim, channels, patch, weight: Float64Array.from(w.embedWeight), bias: Float64Array.from(w.embedBias) };
}

export function withEmbedding(w: ConvMixerWeights, e: PatchEmbedding, who: string): ConvMixerWeights {
  const n = w.embedWeight.length;
  if (!(e?.weight instanceof Float64Array) || e.weight.length !== n) fail('fuzz.accuracy', `${who} returned a weight of ${e?.weight?.length} values, expected ${n}`);
  if (!(e.bias instanceof Float64Array) || e.bias.length !== w.embedBias.length) fail('fuzz.accuracy', `${who} returned a bias of ${e.bias?.length} values, expected ${w.embedBias.length}`);
  if (!e.weight.every(Number.isFinite) || !e.bias.every(Number.isFinite)) fail('fuzz.accuracy', `${who} returned a non-finite weight or bias`);
  return { ...w, embedWeight: Float32Array.from(e.weight), embedBias: Float32Array.from(e.bias) };
}

/** x = y·A + c (A p × p) → E′ = E·Aᵀ, b′ = b + E·c: embedding(y, E′, b′) = embedding(x, E, b). */
export function adaptByFit(e: PatchEmbedding, fit: AffineFit): PatchEmbedding {
  const p = fit.p;
  const q = fit.q;
  const weight = new Float64Array(e.dim * p);
  const bias = Float64Array.from(e.bias);
  for (let o = 0; o < e.dim; o++) {
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += fit.a[i * q + j] * e.weight[o * q + j];
      weight[o * p + i] = s;
    }
    for (let j = 0; j < q; j++) bias[o] += fit.c[j] * e.weight[o * q + j];
  }
  return { ...e, weight, bias };
}

/** The least-squares adapter for a key, fitted on seeded random 8-bit images of the data's size; undefined + why when not exact. */
export function leastSquaresFit(variant: Variant<unknown>, key: unknown, shape: { channels: number; height: number; width: number }, seed: string): { fit?: AffineFit; why: string } {
  const p = blockLength(variant.params);
  if (p > LEAST_SQUARES_MAX_BLOCK_LENGTH) return { why: `p = M²C = ${p} is too large for the least-squares adapter (at most ${LEAST_SQUARES_MAX_BLOCK_LENGTH})` };
  const M = variant.params.blockSize;
  const perImage = (shape.height / M) * (shape.width / M);
  const count = Math.ceil((p + 1 + 32) / perImage);
  const r = seededRandom(`accuracy/least-squares/${seed}`);
  const bytes = Uint8Array.from({ length: count * shape.channels * shape.height * shape.width }, () => r.int(256));
  const e = encryptToModelInput(variant, key, bytes, { count, ...shape }, true);
  const fit = fitAffine(e.cipherBlocks!, e.plainBlocks!, e.plainBlocks!.length / p, p, p);
  if (fit.residual > VARIANT_TOLERANCE.adapterResidual.atol) return { why: `least squares finds no exact affine adapter: residual ${fit.residual.toExponential(2)} on ${fit.samples} random patches` };
  return { fit, why: `least squares on ${fit.samples} random patches, residual ${fit.residual.toExponential(1)}` };
}

// ------------------------------------------------------------------ the measurement

export async function logitsOf(engine: Engine, images: ImageBatch<Float32Array> | ImageBatch<Uint8Array>, chunk: number): Promise<Float32Array> {
  const { count, channels, height, width } = images.shape;
  const size = channels * height * width;
  const classes = engine.config.classes;
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const shape = { count: n, channels, height, width };
    const logits =
      images.data instanceof Uint8Array
        ? await engine.logits({ data: images.data.subarray(start * size, (start + n) * size), shape, layout: 'NCHW' })
        : await engine.logitsNormalized({ data: (images.data as Float32Array).subarray(start * size, (start + n) * size), shape, layout: 'NCHW' });
    out.set(logits, start * classes);
  }
  return out;
}

export function encryptAll(variant: Variant<unknown>, key: unknown, images: ImageBatch<Uint8Array>, chunk: number, onBlocks?: (plain: Float64Array, cipher: Float64Array) => void): Float32Array {
  const { count, channels, height, width } = images.shape;
  const size = channels * height * width;
  const out = new Float32Array(count * size);
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const e = encryptToModelInput(variant, key, images.data.subarray(start * size, (start + n) * size), { count: n, channels, height, width }, onBlocks !== undefined);
    onBlocks?.(e.plainBlocks!, e.cipherBlocks!);
    out.set(e.input, start * size);
  }
  return out;
}

/** The key's serialization, for telling keys apart (a throwing serializeKey counts as a variant error). */
function keyText(variant: Variant<unknown>, key: unknown): string {
  const t = call(variant, 'serializeKey', () => variant.serializeKey(key));
  if (typeof t !== 'string') fail('fuzz.accuracy', `${variant.name}: serializeKey returned ${typeof t}, expected a string`);
  return t;
}

/** Wrong keys: generateKey(params, `${seed}/wrong/${i}`), skipping any equal to the right key. */
export function wrongVariantKeys(variant: Variant<unknown>, right: unknown, count: number, seed: string): { seed: string; key: unknown }[] {
  const rightText = keyText(variant, right);
  const out: { seed: string; key: unknown }[] = [];
  for (let i = 0; out.length < count; i++) {
    if (i >= 20 * count + 20) fail('fuzz.accuracy', `${variant.name}: could not draw ${count} wrong keys different from the right key in ${i} tries (is its key space that small?)`);
    const s = `${seed}/wrong/${i}`;
    const k = call(variant, 'generateKey', () => variant.generateKey(variant.params, s));
    if (keyText(variant, k) !== rightText) out.push({ seed: s, key: k });
  }
  return out;
}

/**
 * Accuracy of the plain model, of the adapted model with the right key, and
 * with wrong keys. Throws `fuzz.model-mismatch` when the variant does not fit
 * the model; returns { applicable: false } for a variant without an adapter
 * whose least-squares adapter is not exact (or too large).
 */
export async function measureAccuracy(options: AccuracyOptions): Promise<AccuracyReport> {
  const started = performance.now();
  const { variant, weights, labels } = options;
  const images = nchw(options.images);
  const n = images.shape.count;
  const wrongCount = options.wrongKeys ?? DEFAULT_WRONG_KEYS;
  const keySeed = options.keySeed ?? DEFAULT_KEY_SEED;
  const chunk = options.chunk ?? 250;
  if (labels.length !== n) fail('fuzz.accuracy', `${labels.length} labels for ${n} images`);
  if (!Number.isSafeInteger(wrongCount) || wrongCount < 0) fail('fuzz.accuracy', `the number of wrong keys must be a non-negative integer, got ${wrongCount}`);
  if (!Number.isSafeInteger(chunk) || chunk < 1) fail('fuzz.accuracy', `chunk must be a positive integer, got ${chunk}`);
  checkVariantFitsModel(variant, weights.config, images.shape);
  const { channels, height, width } = images.shape;
  const params = variant.params;
  const key = call(variant, 'generateKey', () => variant.generateKey(params, keySeed));

  // Choose the adapter.
  const norm = normalization(ACCURACY_NORMALIZATION, channels);
  let adapted: ConvMixerWeights;
  let adapter: AccuracyApplied['adapter'];
  let verify: AffineFit | undefined;
  if (options.adapter !== undefined) {
    adapted = withEmbedding(weights, call(variant, 'the given adapter', () => options.adapter!.adapt(embeddingOf(weights), key, norm)), 'the given adapter');
    adapter = { source: 'given', detail: 'an adapter given by the caller' };
  } else if (variant.adapter !== undefined) {
    const own = variant.adapter;
    adapted = withEmbedding(weights, call(variant, 'adapter.adapt', () => own.adapt(embeddingOf(weights), key, norm)), `${variant.name}'s adapter`);
    const claims = variant.adapter.normalizations;
    const claimed = claims === 'any' || claims.includes(ACCURACY_NORMALIZATION);
    adapter = { source: 'variant', detail: claimed ? `the variant's adapter (claimed exact under ${ACCURACY_NORMALIZATION})` : `the variant's adapter, NOT claimed exact under ${ACCURACY_NORMALIZATION} (claims ${claims.join(', ')})` };
  } else {
    const ls = leastSquaresFit(variant, key, { channels, height, width }, keySeed);
    if (ls.fit === undefined) return { applicable: false, variant: variant.name, images: n, reason: `no adapter (${ls.why})` };
    verify = ls.fit;
    adapted = withEmbedding(weights, adaptByFit(embeddingOf(weights), ls.fit), 'the least-squares adapter');
    adapter = { source: 'least-squares', detail: `no adapter of its own: the harness's least-squares adapter (${ls.why}; checked on every patch of the ${n} images)` };
  }

  // The right key's images (and, for the least-squares adapter, its check on every patch).
  let worst = 0;
  const fit = verify;
  const rightInput = encryptAll(variant, key, images, chunk, fit === undefined ? undefined : (x, y) => {
    worst = Math.max(worst, affineResidual(fit, y, x).residual);
  });
  if (verify !== undefined && worst > VARIANT_TOLERANCE.adapterResidual.atol) {
    return { applicable: false, variant: variant.name, images: n, reason: `no adapter (the least-squares adapter fitted on random images is not exact on these images: residual ${worst.toExponential(2)})` };
  }
  const wrong = wrongVariantKeys(variant, key, wrongCount, keySeed);

  const classes = weights.config.classes;
  const plainEngine = await options.createEngine(weights);
  let plainLogits: Float32Array;
  try {
    plainLogits = await logitsOf(plainEngine, images, chunk);
  } finally {
    plainEngine.dispose();
  }
  const engine = await options.createEngine(adapted);
  try {
    const shape = { count: n, channels, height, width };
    const rightLogits = await logitsOf(engine, { data: rightInput, shape, layout: 'NCHW' }, chunk);
    const plain = score(argmaxRows(plainLogits, classes), labels);
    const right = score(argmaxRows(rightLogits, classes), labels);
    const accuracies: number[] = [];
    for (const w of wrong) {
      const input = encryptAll(variant, w.key, images, chunk);
      const logits = await logitsOf(engine, { data: input, shape, layout: 'NCHW' }, chunk);
      accuracies.push(score(argmaxRows(logits, classes), labels).accuracy);
    }
    return {
      applicable: true,
      variant: variant.name,
      params,
      domain: domainPair(variant.domain),
      images: n,
      normalization: ACCURACY_NORMALIZATION,
      keySeed,
      adapter,
      plain: { accuracy: plain.accuracy, correct: plain.correct },
      rightKey: { accuracy: right.accuracy, correct: right.correct, differFromPlain: predictionMismatches(plain.predictions, right.predictions), maxLogitDifference: maxAbsDifference(plainLogits, rightLogits) },
      wrongKeys: { count: wrong.length, seeds: wrong.map((w) => w.seed), accuracies, summary: accuracies.length > 0 ? summarize(accuracies) : null },
      engine: { name: engine.name, backend: engine.backend, threads: engine.threads, version: engine.version },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    engine.dispose();
  }
}

// ------------------------------------------------------------------ text

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

/** The accuracy block of the fuzz report, as lines. */
export function formatAccuracy(r: AccuracyReport): string[] {
  if (!r.applicable) return [`accuracy on the model (${r.images} test images): not applicable: ${r.reason}`];
  const row = (label: string, value: string) => `  ${label.padEnd(32)}  ${value}`;
  const lines = [
    `accuracy on the model: ${r.images} test images, normalization ${r.normalization}, key seed "${r.keySeed}", engine ${r.engine.name} (${r.engine.backend}, ${r.engine.threads} thread(s), ${r.engine.version}); ${r.seconds.toFixed(1)} s`,
    `  adapter: ${r.adapter.detail}`,
    row('plain model, plain images', pct(r.plain.accuracy)),
    row('adapted model, right key', `${pct(r.rightKey.accuracy)}  (${r.rightKey.differFromPlain} of ${r.images} predictions differ from plain; max |Δlogit| ${r.rightKey.maxLogitDifference.toExponential(1)})`),
  ];
  const s = r.wrongKeys.summary;
  lines.push(s === null ? row('adapted model, wrong keys', 'none tried') : row(`adapted model, ${s.count} wrong key${s.count === 1 ? '' : 's'}`, `min ${pct(s.min)}, median ${pct(s.median)}, max ${pct(s.max)}`));
  return lines;
}
