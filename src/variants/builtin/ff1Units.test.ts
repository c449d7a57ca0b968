/**
 * The ff1 variant (ff1.ts) and its known answers (knownAnswers.ts,
 * nistFf1KnownAnswers) on a stand-in FF1 whose table is known by hand —
 * "add 1 to the high hexadecimal numeral", so table[v] = (v + 16) mod 256 —
 * and @noble/ciphers' FF1 against NIST SP 800-38G's published FF1-AES128
 * samples 1–3 (the independent oracle, written out here from the standard).
 * Each test names the Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import type { BlockBatch } from '../contract.ts';
import { ff1Variant, loadFf1 } from './ff1.ts';
import { FF1_MODULE, type Ff1Factory, loadFf1Factory } from './ff1Cipher.ts';
import { nistFf1KnownAnswers } from './knownAnswers.ts';

/** A stand-in FF1: numeral 0 + 1 mod radix on encryption, − 1 on decryption; records each construction. */
function shiftFf1(calls: { radix: number; key: number[]; tweak?: number[] }[] = []): Ff1Factory {
  return (radix, key, tweak) => {
    calls.push({ radix, key: Array.from(key), ...(tweak ? { tweak: Array.from(tweak) } : {}) });
    return {
      encrypt: (x) => x.map((d, i) => (i === 0 ? (d + 1) % radix : d)),
      decrypt: (x) => x.map((d, i) => (i === 0 ? (d + radix - 1) % radix : d)),
    };
  };
}

const AES = '000102030405060708090a0b0c0d0e0f';
const batch = (data: number[]): BlockBatch => ({ data: Float64Array.from(data), images: 1, rows: 1, cols: 2, blockSize: 1, channels: 2 });

describe('the ff1 variant on a stand-in FF1', () => {
  // ff1.ts:30–32 (hexBytes), :36–52 (the table: radix 16, two numerals hi/lo, the inverse, the cache), :53–63 (applied where the key is 1).
  it('encrypts flagged values through the table, decrypts through its inverse', () => {
    const calls: { radix: number; key: number[] }[] = [];
    const v = ff1Variant(shiftFf1(calls));
    // M = 1, C = 2: the first channel flagged. 0x00 → 0x10, 0xf5 → 0x05, 0x37 → 0x47; the unflagged ones stay.
    const key = { blockSize: 1, channels: 2, aesKey: AES, flip: Uint8Array.of(1, 0) };
    const enc = v.encrypt(batch([0, 200, 0xf5, 0x37]), key);
    expect(Array.from(enc.data)).toEqual([0x10, 200, 0x05, 0x37]);
    expect(Array.from(v.decrypt(enc, key).data)).toEqual([0, 200, 0xf5, 0x37]);
    // The second channel flagged: inverse[0] = 0xf0, inverse[1] = 0xf1.
    expect(Array.from(v.decrypt(batch([0x10, 0, 0x05, 1]), { ...key, flip: Uint8Array.of(0, 1) }).data)).toEqual([0x10, 0xf0, 0x05, 0xf1]);
    expect(Array.from(v.decrypt(batch([0x10, 0, 0x05, 1]), key).data)).toEqual([0, 0, 0xf5, 1]);
    // One construction per AES key (cached), radix 16, the key's 16 bytes.
    expect(calls).toEqual([{ radix: 16, key: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] }]);
    v.encrypt(batch([1, 2, 3, 4]), { ...key, aesKey: 'ff'.repeat(16) });
    expect(calls[1]).toEqual({ radix: 16, key: Array(16).fill(255) });
    expect(calls).toHaveLength(2);
    // The batch must be the key's and 8-bit.
    expect(() => v.encrypt(batch([0, 0, 0, 0]), { ...key, channels: 1, flip: Uint8Array.of(1) })).toThrow(/^ff1: the key is for 1 channel, the batch has 2/);
    expect(() => v.encrypt(batch([0, 0.5, 0, 0]), key)).toThrow(/value 1 is 0\.5, not in the "uint8" domain/);
  });

  // ff1.ts:47 (the cache holds 256 keys: the oldest goes first).
  it('keeps the tables of the last 256 AES keys', () => {
    const calls: { radix: number; key: number[] }[] = [];
    const v = ff1Variant(shiftFf1(calls));
    const key = (i: number) => ({ blockSize: 1, channels: 2, aesKey: i.toString(16).padStart(32, '0'), flip: Uint8Array.of(1, 0) });
    for (let i = 0; i < 257; i++) v.encrypt(batch([0, 0, 0, 0]), key(i));
    expect(calls).toHaveLength(257);
    // Key 1 is still cached; key 0 was dropped when key 256 came.
    v.encrypt(batch([0, 0, 0, 0]), key(1));
    expect(calls).toHaveLength(257);
    v.encrypt(batch([0, 0, 0, 0]), key(0));
    expect(calls).toHaveLength(258);
  });

  // ff1.ts:64–84 (name, domain, the key: generate, serialize, parse and its errors; the key space).
  it('the key: 32 hexadecimal digits and the authors\' binary key; its file; its space', () => {
    const v = ff1Variant(shiftFf1());
    expect(v).toMatchObject({ name: 'ff1', domain: 'uint8', params: { blockSize: 4, channels: 3 } });
    expect(v.title).toMatch(/^NIST SP 800-38G FF1 \(AES-128/);
    const k = v.generateKey({ blockSize: 1, channels: 4 }, 's');
    expect(k.aesKey).toMatch(/^[0-9a-f]{32}$/);
    expect(k).toMatchObject({ blockSize: 1, channels: 4 });
    // p_b = 4: p_b/2 − 1 = 1 one.
    expect(Array.from(k.flip).reduce((a, b) => a + b, 0)).toBe(1);
    expect(v.generateKey({ blockSize: 1, channels: 4 }, 's')).toEqual(k);
    expect(v.generateKey({ blockSize: 1, channels: 4 }, 't').aesKey).not.toBe(k.aesKey);
    const text = `{\n  "format": "cipherpatch-variant-key",\n  "variant": "ff1",\n  "blockSize": 1,\n  "channels": 4,\n  "aesKey": "${k.aesKey}",\n  "flip": [${Array.from(k.flip).join(',')}]\n}\n`;
    expect(v.serializeKey(k)).toBe(text);
    expect(v.parseKey(text)).toEqual(k);
    const aesMessage = '"aesKey" must be 32 lower-case hexadecimal digits';
    for (const bad of [k.aesKey.toUpperCase().replace(/^[0-9]/, 'A'), k.aesKey.slice(1), `${k.aesKey}0`, `x${k.aesKey.slice(1)}`]) {
      expect(() => v.parseKey(text.replace(k.aesKey, bad))).toThrow(aesMessage);
    }
    expect(() => v.parseKey(text.replace(`"${k.aesKey}"`, '7'))).toThrow(aesMessage);
    // ff1.ts:80 (`typeof o.aesKey !== 'string'`: an array holding the key's text reads as that text in a regular expression).
    expect(() => v.parseKey(text.replace(`"${k.aesKey}"`, `["${k.aesKey}"]`))).toThrow(aesMessage);
    // ff1.ts:80 (the code).
    try {
      v.parseKey(text.replace(`"${k.aesKey}"`, '7'));
    } catch (e) {
      expect((e as { check?: string }).check).toBe('key.field');
    }
    expect(() => v.parseKey(text.replace(/"flip": \[.*\]/, '"flip": [1,1,0,0]'))).toThrow(/flip has 2 ones, expected 1/);
    expect(() => v.parseKey(text.replace('"ff1"', '"ffx"'))).toThrow(/key is for variant "ffx", not "ff1"/);
    expect(v.keySpace?.formula).toBe('C(p_b, p_b/2 − 1) · 2^128 (binary key × AES-128 key)');
    // C(4, 1) · 2^128; C(48, 23) · 2^128 at the paper's size.
    expect(v.keySpace?.size({ blockSize: 1, channels: 4 })).toBe(4n * 2n ** 128n);
    expect(v.keySpace?.size({ blockSize: 4, channels: 3 })).toBe(30957699535776n * 2n ** 128n);
  });
});

describe('the NIST FF1 known answers', () => {
  const NIST_KEY = [0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c];

  // knownAnswers.ts:102–130 (the samples, the key, numerals in base 36, the encrypt and decrypt mismatch messages).
  it('a stand-in FF1 fails every sample, each named with what it gave', () => {
    const calls: { radix: number; key: number[]; tweak?: number[] }[] = [];
    const ka = nistFf1KnownAnswers(shiftFf1(calls));
    expect(ka.source).toBe('NIST SP 800-38G FF1-AES128 samples 1–3');
    expect(ka.primitive!()).toEqual({
      checked: 3,
      mismatches: [
        'sample 1 (radix 10) encrypts 0123456789 to 1123456789, NIST gives 2433477484',
        'sample 2 (radix 10) encrypts 0123456789 to 1123456789, NIST gives 6124200773',
        'sample 3 (radix 36) encrypts 0123456789abcdefghi to 1123456789abcdefghi, NIST gives a9tv40mll9kdu509eum',
      ],
    });
    expect(calls).toEqual([
      { radix: 10, key: NIST_KEY },
      { radix: 10, key: NIST_KEY, tweak: [0x39, 0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31, 0x30] },
      { radix: 36, key: NIST_KEY, tweak: [0x37, 0x37, 0x37, 0x37, 0x70, 0x71, 0x72, 0x73, 0x37, 0x37, 0x37] },
    ]);
  });

  it('an FF1 that encrypts right but decrypts wrong fails on decryption', () => {
    const answers: Record<string, string> = { '0123456789': '2433477484', '0123456789abcdefghi': 'a9tv40mll9kdu509eum' };
    const fake: Ff1Factory = (radix, _key, tweak) => ({
      encrypt: (x) => [...(tweak?.length === 10 ? '6124200773' : answers[x.map((d) => d.toString(36)).join('')])].map((c) => parseInt(c, 36)),
      decrypt: (x) => x.map((d) => (d + 1) % radix),
    });
    expect(nistFf1KnownAnswers(fake).primitive!().mismatches).toEqual([
      'sample 1 (radix 10) decrypts 2433477484 to 3544588595, NIST gives 0123456789',
      'sample 2 (radix 10) decrypts 6124200773 to 7235311884, NIST gives 0123456789',
      'sample 3 (radix 36) decrypts a9tv40mll9kdu509eum to bauw51nmmalev61afvn, NIST gives 0123456789abcdefghi',
    ]);
  });

  it('@noble/ciphers\' FF1 gives NIST\'s samples, and the ff1 variant on it a permutation of 0..255', async () => {
    const FF1 = await loadFf1Factory();
    expect(FF1_MODULE).toBe('@noble/ciphers/ff1.js');
    // SP 800-38G, FF1-AES128 sample 1: radix 10, no tweak, 0123456789 → 2433477484.
    expect(FF1(10, Uint8Array.from(NIST_KEY)).encrypt([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual([2, 4, 3, 3, 4, 7, 7, 4, 8, 4]);
    expect(nistFf1KnownAnswers(FF1).primitive!()).toEqual({ checked: 3, mismatches: [] });
    const v = await loadFf1();
    const key = { blockSize: 1, channels: 2, aesKey: AES, flip: Uint8Array.of(1, 0) };
    const all = Array.from({ length: 256 }, (_, x) => x);
    const b: BlockBatch = { data: Float64Array.from(all.flatMap((x) => [x, x])), images: 1, rows: 1, cols: 256, blockSize: 1, channels: 2 };
    const enc = v.encrypt(b, key).data;
    expect(new Set(all.map((x) => enc[2 * x])).size).toBe(256);
    expect(all.every((x) => enc[2 * x + 1] === x)).toBe(true);
    expect(Array.from(v.decrypt(v.encrypt(b, key), key).data)).toEqual(Array.from(b.data));
  });
});
