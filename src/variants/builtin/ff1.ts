/**
 * Standards-based format-preserving encryption: NIST SP 800-38G FF1 (AES-128)
 * from @noble/ciphers, over 8-bit pixel values, used like System B's FFX: one
 * table over 0..255 (each value as 2 hexadecimal numerals, radix 16), applied
 * where the binary key (p_b/2 − 1 ones) is 1. Unlike the authors' FFX table
 * (values up to 999, divided by their maximum), FF1 on 256 values is a
 * permutation of 0..255: uint8 in, uint8 out, storable as an 8-bit image.
 *
 * Caveat: a domain of 16² = 256 values meets the original SP 800-38G bound
 * (radix^minlen ≥ 100, which @noble/ciphers enforces) but not Rev. 1's
 * radix^minlen ≥ 1,000,000; per-pixel FPE has a tiny domain whatever the cipher.
 *
 * @noble/ciphers is loaded on first use (it is optional here, see ff1Cipher.ts):
 * loadFf1() rejects with a CipherpatchError naming the install command when absent.
 */
import { fail } from '../../core/errors.ts';
import { type Variant, type VariantParams, blockLength, checkDomain } from '../contract.ts';
import { PAPER_PARAMS, authorsBinaryKey, authorsOnes, binomial, checkBinary, expectBatchFor, intArray, randomFor, readVariantKey, withData, writeVariantKey } from './common.ts';
import { type Ff1Factory, loadFf1Factory } from './ff1Cipher.ts';
import { nistFf1KnownAnswers } from './knownAnswers.ts';

export interface Ff1Key {
  readonly blockSize: number;
  readonly channels: number;
  /** AES-128 key, 32 hexadecimal digits. */
  readonly aesKey: string;
  readonly flip: Uint8Array;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** The FF1 variant on a given FF1 implementation. */
export function ff1Variant(FF1: Ff1Factory): Variant<Ff1Key> {
  const tables = new Map<string, { table: Int32Array; inverse: Int32Array }>();
  const tableFor = (aesKey: string) => {
    let t = tables.get(aesKey);
    if (t === undefined) {
      const cipher = FF1(16, hexBytes(aesKey));
      const table = new Int32Array(256);
      const inverse = new Int32Array(256);
      for (let v = 0; v < 256; v++) {
        const [hi, lo] = cipher.encrypt([v >> 4, v & 15]);
        table[v] = hi * 16 + lo;
        inverse[table[v]] = v;
      }
      if (tables.size >= 256) tables.delete(tables.keys().next().value as string);
      tables.set(aesKey, (t = { table, inverse }));
    }
    return t;
  };
  const apply = (batch: Parameters<Variant<Ff1Key>['encrypt']>[0], key: Ff1Key, decrypt: boolean) => {
    expectBatchFor(batch, key, 'ff1');
    checkDomain(batch, 'uint8');
    const { table, inverse } = tableFor(key.aesKey);
    const map = decrypt ? inverse : table;
    const pb = key.flip.length;
    return withData(
      batch,
      batch.data.map((v, i) => (key.flip[i % pb] === 1 ? map[v] : v)),
    );
  };
  return {
    name: 'ff1',
    title: 'NIST SP 800-38G FF1 (AES-128, @noble/ciphers) over 8-bit pixel values as a table, applied where the binary key (p_b/2 − 1 ones) is 1',
    params: PAPER_PARAMS,
    domain: 'uint8',
    generateKey(params: VariantParams, seed?: string) {
      const random = randomFor(seed);
      const aesKey = Array.from({ length: 32 }, () => random.int(16).toString(16)).join('');
      return { blockSize: params.blockSize, channels: params.channels, aesKey, flip: authorsBinaryKey(blockLength(params), random) };
    },
    serializeKey: (key) => writeVariantKey('ff1', { blockSize: key.blockSize, channels: key.channels, aesKey: key.aesKey, flip: Array.from(key.flip) }),
    parseKey(text) {
      const o = readVariantKey(text, 'ff1');
      const pb = blockLength(o as unknown as VariantParams);
      const r = intArray(o, 'flip', pb);
      checkBinary(r, pb, authorsOnes(pb), 'flip');
      if (typeof o.aesKey !== 'string' || !/^[0-9a-f]{32}$/.test(o.aesKey)) fail('key.field', '"aesKey" must be 32 lower-case hexadecimal digits');
      return { blockSize: o.blockSize as number, channels: o.channels as number, aesKey: o.aesKey, flip: Uint8Array.from(r) };
    },
    encrypt: (batch, key) => apply(batch, key, false),
    decrypt: (batch, key) => apply(batch, key, true),
    keySpace: {
      formula: 'C(p_b, p_b/2 − 1) · 2^128 (binary key × AES-128 key)',
      size: (params) => binomial(blockLength(params), authorsOnes(blockLength(params))) * 2n ** 128n,
    },
    knownAnswers: nistFf1KnownAnswers(FF1),
  };
}

export async function loadFf1(): Promise<Variant<Ff1Key>> {
  return ff1Variant(await loadFf1Factory());
}
