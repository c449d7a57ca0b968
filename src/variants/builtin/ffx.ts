/**
 * The FFX cipher as the System B authors ran it (the pyffx package: Integer,
 * radix 10, length 3), written from shared/docs/paper-notes.md and checked
 * against golden/vectors/pyffx.json. It is a Feistel format-preserving
 * cipher, not NIST FF1:
 *
 *   plaintext v ∈ 0..999 as 3 decimal digits, most significant first;
 *   a = the first ⌊3/2⌋ = 1 digit, b = the other 2;
 *   10 rounds i = 0..9: c = (a + F(i, b)) digit by digit mod 10 (as many
 *     digits of F as a has), then (a, b) ← (b, c); output a followed by b;
 *   F(i, s): message = i, then each digit of s, each a 4-byte little-endian
 *     unsigned integer, then a 4-byte little-endian counter 0;
 *     h = HMAC-SHA1(password bytes, message) read as one big-endian integer
 *     d; the digits are d mod 10, (d div 10) mod 10, … least significant first.
 *   Decryption runs the rounds backwards with subtraction mod 10.
 *
 * F depends only on (i, b), and b has 1 or 2 digits, so a password's whole
 * cipher needs 5·100 + 5·10 HMACs, precomputed once per password.
 */
import { createHmac } from 'node:crypto';
import type { BinaryKey } from './common.ts';

/** The ffx variant's key (systemB.ts): the pyffx password, and where the table applies. */
export interface FfxKey extends BinaryKey {
  readonly password: string;
}

export const FFX_ROUNDS = 10;

/** Digits of HMAC-SHA1(password, i ‖ digits ‖ 0), least significant first (the first `count`). */
export function roundFunction(password: string, i: number, digits: readonly number[], count: number): number[] {
  const msg = Buffer.alloc(4 * (digits.length + 2));
  msg.writeUInt32LE(i, 0);
  digits.forEach((d, k) => msg.writeUInt32LE(d, 4 * (k + 1)));
  msg.writeUInt32LE(0, 4 * (digits.length + 1));
  let d = BigInt(`0x${createHmac('sha1', Buffer.from(password, 'utf8')).update(msg).digest('hex')}`);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    out.push(Number(d % 10n));
    d /= 10n;
  }
  return out;
}

function digitsOf(value: number, length: number): number[] {
  return Array.from({ length }, (_, k) => Math.floor(value / 10 ** (length - 1 - k)) % 10);
}

function valueOf(digits: readonly number[]): number {
  return digits.reduce((v, d) => v * 10 + d, 0);
}

/** The radix-10, 3-digit FFX permutation of 0..999 for one password, as lookup tables. */
export interface FfxTables {
  readonly encrypt: Int32Array; // 1000
  readonly decrypt: Int32Array; // 1000
}

function buildTables(password: string, rounds: number): FfxTables {
  // F(i, b) for every round and every b (b has 2 digits in even rounds, 1 in odd rounds).
  const f: number[][][] = [];
  for (let i = 0; i < rounds; i++) {
    const bLength = i % 2 === 0 ? 2 : 1;
    const aLength = 3 - bLength;
    f.push(Array.from({ length: 10 ** bLength }, (_, b) => roundFunction(password, i, digitsOf(b, bLength), aLength)));
  }
  const enc = new Int32Array(1000);
  for (let v = 0; v < 1000; v++) {
    const digits = digitsOf(v, 3);
    let a = digits.slice(0, 1);
    let b = digits.slice(1);
    for (let i = 0; i < rounds; i++) {
      const fi = f[i][valueOf(b)];
      const c = a.map((x, k) => (x + fi[k]) % 10);
      a = b;
      b = c;
    }
    enc[v] = valueOf([...a, ...b]);
  }
  const dec = new Int32Array(1000).fill(-1);
  for (let v = 0; v < 1000; v++) dec[enc[v]] = v;
  if (dec.includes(-1)) throw new Error('FFX: the round structure is not a permutation (internal error)');
  return { encrypt: enc, decrypt: dec };
}

/** Decryption written out (rounds backwards, subtraction mod 10), for tests of buildTables. */
export function ffxDecryptDirect(password: string, y: number): number {
  const digits = digitsOf(y, 3);
  let a = digits.slice(0, 1);
  let b = digits.slice(1);
  for (let i = FFX_ROUNDS - 1; i >= 0; i--) {
    // After round i: a = b_prev, b = c = a_prev + F(i, b_prev).
    const fi = roundFunction(password, i, a, b.length);
    const prevA = b.map((x, k) => (x - fi[k] + 10) % 10);
    b = a;
    a = prevA;
  }
  return valueOf([...a, ...b]);
}

const cache = new Map<string, FfxTables>();

/** `rounds` other than FFX_ROUNDS (10, the authors') only for deliberately broken variants (properties/mutants). */
export function ffxTables(password: string, rounds = FFX_ROUNDS): FfxTables {
  const id = `${rounds}:${password}`;
  let t = cache.get(id);
  if (t === undefined) {
    t = buildTables(password, rounds);
    if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
    cache.set(id, t);
  }
  return t;
}

/** System B's pixel table: table[v] = FFX(v) for v = 0..255, and its maximum (encrypted pixel = table[v]/max). */
export function ffxPixelTable(password: string, rounds = FFX_ROUNDS): { readonly table: Int32Array; readonly max: number; readonly inverse: Int32Array } {
  const { encrypt, decrypt } = ffxTables(password, rounds);
  const table = encrypt.slice(0, 256);
  return { table, max: Math.max(...table), inverse: decrypt };
}
