/**
 * An example plug-in for `cipherpatch fuzz` (the contract: src/variants/contract.ts).
 *
 *   npx cipherpatch fuzz ./examples/my-variant.ts
 *
 * "Channel-preserving shuffle + negative/positive": inside every M×M block,
 * the pixel positions are permuted (the same permutation for every channel,
 * so values never change channel), then values are inverted (x ↦ 1 − x, on
 * [0, 1]) wherever a secret binary vector is 1. Because values keep their
 * channel, the adapter can be exact under ANY per-channel normalization
 * (x − μ_c)/σ_c: rows of E are permuted and negated, and the bias absorbs
 * the constant the inversion leaves behind:
 *
 *   w′[o][k] = ±w[o][s(k)]  (− where flipped),
 *   b′[o]    = b[o] + Σ_{k flipped} (1 − 2μ_c)/σ_c · w[o][s(k)]
 *
 * (with 0.5/0.5 the correction is 0: that is why System A's adapter keeps
 * the bias). Everything here is plain TypeScript over Float64Arrays; the
 * only import from cipherpatch is the contract's types (`import type`, erased
 * when the module loads), so a copy of this file works anywhere, also outside
 * this checkout.
 */
import { createHash, randomInt } from 'node:crypto';
import type { BlockBatch, Variant, VariantParams } from '../src/variants/contract.ts';

interface MyKey {
  readonly blockSize: number;
  readonly channels: number;
  /** Encrypted position q (= i·M + j) takes plain position positions[q], in every channel. */
  readonly positions: number[];
  /** 1 where block value k = (c·M + i)·M + j is inverted. */
  readonly flip: number[];
}

/** Uniform integers: node:crypto without a seed, SHA-256 in counter mode with one. */
function randomInts(seed: string | undefined): (bound: number) => number {
  if (seed === undefined) return (bound) => randomInt(bound);
  let counter = 0;
  return (bound) => {
    const h = createHash('sha256').update(`${seed}/${counter++}`).digest();
    return h.readUInt32BE(0) % bound; // bias ≤ bound/2³², fine for an example
  };
}

function factorial(n: number): bigint {
  let f = 1n;
  for (let i = 2; i <= n; i++) f *= BigInt(i);
  return f;
}

function* permutationsOf(n: number, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === n) {
    yield [...prefix];
    return;
  }
  for (let v = 0; v < n; v++) if (!prefix.includes(v)) yield* permutationsOf(n, [...prefix, v]);
}

/** Source index of encrypted block value k. */
function source(key: MyKey, k: number): number {
  const area = key.blockSize * key.blockSize;
  return Math.floor(k / area) * area + key.positions[k % area];
}

function transform(batch: BlockBatch, key: MyKey, decrypt: boolean): BlockBatch {
  if (batch.blockSize !== key.blockSize || batch.channels !== key.channels) throw new Error(`the key is for M=${key.blockSize}, C=${key.channels}`);
  for (const x of batch.data) if (!(x >= 0 && x <= 1)) throw new Error(`value ${x} is outside [0, 1]`);
  const pb = key.flip.length;
  const out = new Float64Array(batch.data.length);
  for (let base = 0; base < batch.data.length; base += pb)
    for (let k = 0; k < pb; k++) {
      const s = base + source(key, k);
      const d = base + k;
      if (decrypt) out[s] = key.flip[k] ? 1 - batch.data[d] : batch.data[d];
      else out[d] = key.flip[k] ? 1 - batch.data[s] : batch.data[s];
    }
  return { ...batch, data: out };
}

const variant: Variant<MyKey> = {
  name: 'my-variant',
  title: 'example plug-in: channel-preserving block shuffle + negative/positive, with a bias-correcting adapter',
  params: { blockSize: 4, channels: 3 },
  domain: 'unit',
  generateKey(params: VariantParams, seed?: string): MyKey {
    const next = randomInts(seed);
    const area = params.blockSize * params.blockSize;
    const positions = Array.from({ length: area }, (_, i) => i);
    for (let i = area - 1; i > 0; i--) {
      const j = next(i + 1);
      [positions[i], positions[j]] = [positions[j], positions[i]];
    }
    const flip = Array.from({ length: area * params.channels }, () => next(2));
    return { blockSize: params.blockSize, channels: params.channels, positions, flip };
  },
  serializeKey: (key) => JSON.stringify({ variant: 'my-variant', ...key }),
  parseKey(text) {
    const o = JSON.parse(text) as MyKey & { variant?: string };
    if (o.variant !== 'my-variant' || !Array.isArray(o.positions) || !Array.isArray(o.flip)) throw new Error('not a my-variant key');
    return { blockSize: o.blockSize, channels: o.channels, positions: o.positions, flip: o.flip };
  },
  encrypt: (batch, key) => transform(batch, key, false),
  decrypt: (batch, key) => transform(batch, key, true),
  adapter: {
    normalizations: 'any',
    adapt(e, key, norm) {
      const pb = key.flip.length;
      const area = key.blockSize * key.blockSize;
      const weight = new Float64Array(e.weight.length);
      const bias = Float64Array.from(e.bias);
      for (let o = 0; o < e.dim; o++)
        for (let k = 0; k < pb; k++) {
          const w = e.weight[o * pb + source(key, k)];
          weight[o * pb + k] = key.flip[k] ? -w : w;
          const c = Math.floor(k / area);
          if (key.flip[k]) bias[o] += ((1 - 2 * norm.mean[c]) / norm.std[c]) * w;
        }
      return { ...e, weight, bias };
    },
  },
  keySpace: {
    formula: '(M²)! · 2^p_b',
    size: (params) => factorial(params.blockSize ** 2) * 2n ** BigInt(params.blockSize ** 2 * params.channels),
    *enumerate(params) {
      const pb = params.blockSize ** 2 * params.channels;
      for (const positions of permutationsOf(params.blockSize ** 2))
        for (let bits = 0; bits < 2 ** pb; bits++) yield { blockSize: params.blockSize, channels: params.channels, positions, flip: Array.from({ length: pb }, (_, k) => (bits >> k) & 1) };
    },
  },
};

export default variant;
