/**
 * System B (MaungMaung & Kiya 2021) as its authors' code runs it, two plug-ins:
 *   negpos  negative/positive: x ↦ 1 − x on [0, 1] where the binary key is 1
 *   ffx     FFX (pyffx, 3 decimal digits, HMAC-SHA1, 10 rounds, a password) as a
 *           lookup table over 0..255: x ↦ table[x]/max(table) where the key is 1
 * The binary key is randperm(p_b) > p_b/2: p_b/2 − 1 ones (23 of 48). One key
 * for every block. System B trains the model on transformed images, so neither
 * plug-in brings an adapter: the harness decides whether one could exist.
 */
import { decryptFloat, encryptFloat } from '../../core/blockTransform.ts';
import { fail } from '../../core/errors.ts';
import { type Variant, blockLength, checkDomain, type VariantParams } from '../contract.ts';
import {
  type BinaryKey,
  PAPER_PARAMS,
  authorsBinaryKey,
  authorsOnes,
  binaryVectors,
  binomial,
  blocksAsFloatImages,
  checkBinary,
  expectBatchFor,
  intArray,
  randomFor,
  readVariantKey,
  withData,
  writeVariantKey,
} from './common.ts';
import { type FfxKey, ffxPixelTable } from './ffx.ts';
import { flipExchanges, nearestBinary } from './attackViews.ts';
import { PYFFX_KNOWN_ANSWERS } from './knownAnswers.ts';

const identity = (pb: number) => Int32Array.from({ length: pb }, (_, i) => i);

function readBinary(text: string, variant: string): BinaryKey & Record<string, unknown> {
  const o = readVariantKey(text, variant);
  const pb = blockLength(o as unknown as VariantParams);
  const r = intArray(o, 'flip', pb);
  checkBinary(r, pb, authorsOnes(pb), 'flip');
  return { ...o, blockSize: o.blockSize as number, channels: o.channels as number, flip: Uint8Array.from(r) };
}

export const negpos: Variant<BinaryKey> = {
  name: 'negpos',
  title: 'System B negative/positive (MaungMaung & Kiya 2021): x ↦ 1 − x on [0,1] where the binary key (p_b/2 − 1 ones) is 1',
  params: PAPER_PARAMS,
  domain: 'unit',
  generateKey: (params, seed) => ({ blockSize: params.blockSize, channels: params.channels, flip: authorsBinaryKey(blockLength(params), randomFor(seed)) }),
  serializeKey: (key) => writeVariantKey('negpos', { blockSize: key.blockSize, channels: key.channels, flip: Array.from(key.flip) }),
  parseKey: (text) => {
    const k = readBinary(text, 'negpos');
    return { blockSize: k.blockSize, channels: k.channels, flip: k.flip };
  },
  encrypt(batch, key) {
    expectBatchFor(batch, key, 'negpos');
    const k = { blockSize: key.blockSize, channels: key.channels, permutation: identity(key.flip.length), flip: key.flip };
    return withData(batch, encryptFloat(blocksAsFloatImages(batch, 'unit'), k, 'unit').data);
  },
  decrypt(batch, key) {
    expectBatchFor(batch, key, 'negpos');
    const k = { blockSize: key.blockSize, channels: key.channels, permutation: identity(key.flip.length), flip: key.flip };
    return withData(batch, decryptFloat(blocksAsFloatImages(batch, 'unit'), k, 'unit').data);
  },
  neighbours: {
    step: 'exchange a transformed and an untransformed position',
    maxDistance: (params) => Math.min(authorsOnes(blockLength(params)), blockLength(params) - authorsOnes(blockLength(params))),
    atDistance: (key, d, random) => ({ ...key, flip: flipExchanges(key.flip, d, random) }),
  },
  signedPermutation: {
    permutes: false,
    flips: (params) => authorsOnes(blockLength(params)),
    toSignedPermutation: (key) => ({ permutation: identity(key.flip.length), flip: key.flip }),
    nearestKey: (params, guess) => ({ blockSize: params.blockSize, channels: params.channels, flip: nearestBinary(guess.flip, authorsOnes(blockLength(params))) }),
  },
  keySpace: {
    formula: 'C(p_b, p_b/2 − 1)',
    size: (params) => binomial(blockLength(params), authorsOnes(blockLength(params))),
    *enumerate(params) {
      const pb = blockLength(params);
      for (const flip of binaryVectors(pb, authorsOnes(pb))) yield { blockSize: params.blockSize, channels: params.channels, flip };
    },
  },
};

const PASSWORD_HEX_DIGITS = 32;

export const ffx: Variant<FfxKey> = {
  name: 'ffx',
  title: "System B FFX in the authors' form: pyffx (3 decimal digits, HMAC-SHA1, 10 rounds, password) as a table over 0..255, x ↦ table[x]/max where the binary key is 1",
  params: PAPER_PARAMS,
  domain: { input: 'uint8', output: 'unit' },
  generateKey(params, seed) {
    const random = randomFor(seed);
    const password = Array.from({ length: PASSWORD_HEX_DIGITS }, () => random.int(16).toString(16)).join('');
    return { blockSize: params.blockSize, channels: params.channels, password, flip: authorsBinaryKey(blockLength(params), random) };
  },
  serializeKey: (key) => writeVariantKey('ffx', { blockSize: key.blockSize, channels: key.channels, password: key.password, flip: Array.from(key.flip) }),
  parseKey(text) {
    const k = readBinary(text, 'ffx');
    if (typeof k.password !== 'string') fail('key.field', 'key field "password" must be a string');
    return { blockSize: k.blockSize, channels: k.channels, flip: k.flip, password: k.password };
  },
  encrypt(batch, key) {
    expectBatchFor(batch, key, 'ffx');
    checkDomain(batch, 'uint8');
    const { table, max } = ffxPixelTable(key.password);
    const pb = key.flip.length;
    const x = batch.data;
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = key.flip[i % pb] === 1 ? table[x[i]] / max : x[i] / 255;
    return withData(batch, out);
  },
  decrypt(batch, key) {
    expectBatchFor(batch, key, 'ffx');
    checkDomain(batch, 'unit');
    const { inverse, max } = ffxPixelTable(key.password);
    const pb = key.flip.length;
    const y = batch.data;
    const out = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const scaled = key.flip[i % pb] === 1 ? y[i] * max : y[i] * 255;
      const t = Math.round(scaled);
      if (Math.abs(scaled - t) > 1e-6) fail('variant.domain', `ffx: value ${i} = ${y[i]} is not an encrypted 8-bit value`);
      const v = key.flip[i % pb] === 1 ? inverse[t] : t;
      if (!(v >= 0 && v <= 255)) fail('variant.domain', `ffx: value ${i} = ${y[i]} decrypts to ${v}, not an 8-bit value`);
      out[i] = v;
    }
    return withData(batch, out);
  },
  keySpace: {
    formula: `C(p_b, p_b/2 − 1) · 16^${PASSWORD_HEX_DIGITS} (binary key × password of ${PASSWORD_HEX_DIGITS} hex digits)`,
    size: (params) => binomial(blockLength(params), authorsOnes(blockLength(params))) * 16n ** BigInt(PASSWORD_HEX_DIGITS),
  },
  knownAnswers: PYFFX_KNOWN_ANSWERS,
};
