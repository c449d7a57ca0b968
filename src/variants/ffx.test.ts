/**
 * FFX as the System B authors ran it (pyffx Integer, radix 10, length 3),
 * against the recorded pyffx outputs (golden/vectors/pyffx.json, copied from
 * the shared vectors): all 1,000 plaintexts for three passwords, the pixel
 * table over 0..255 and its maximum, and decryption.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ffxDecryptDirect, ffxPixelTable, ffxTables, roundFunction } from './builtin/ffx.ts';
import { ffx } from './builtin/systemB.ts';

interface VectorFile {
  numberOfTests: number;
  tests: { tcId: number; password: string; radix: number; length: number; rounds: number; encrypt_0_999: number[]; pixel_table_0_255: number[]; pixel_table_max: number }[];
}

const file = JSON.parse(readFileSync(new URL('../../golden/vectors/pyffx.json', import.meta.url), 'utf8')) as VectorFile;

describe('FFX (pyffx) vectors', () => {
  it('the vector file is what it says', () => {
    expect(file.tests.length).toBe(file.numberOfTests);
    for (const t of file.tests) expect([t.radix, t.length, t.rounds, t.encrypt_0_999.length, t.pixel_table_0_255.length]).toEqual([10, 3, 10, 1000, 256]);
  });

  for (const t of file.tests) {
    it(`tcId ${t.tcId} (password "${t.password}"): all 1000 encryptions, the pixel table and its max`, () => {
      expect(Array.from(ffxTables(t.password).encrypt)).toEqual(t.encrypt_0_999);
      const { table, max, inverse } = ffxPixelTable(t.password);
      expect(Array.from(table)).toEqual(t.pixel_table_0_255);
      expect(max).toBe(t.pixel_table_max);
      for (let v = 0; v < 1000; v++) expect(inverse[t.encrypt_0_999[v]]).toBe(v);
    });
  }

  it('decryption written out (rounds backwards, subtraction mod 10) agrees with the tables', () => {
    const t = file.tests[0];
    for (const v of [0, 1, 9, 10, 99, 100, 255, 500, 999]) expect(ffxDecryptDirect(t.password, t.encrypt_0_999[v])).toBe(v);
  });

  it('the round function reads the HMAC-SHA1 digest as a big-endian integer, digits least significant first', () => {
    // Any change of message layout changes the vectors above; here: length and range only.
    const f = roundFunction('password', 0, [1, 2], 2);
    expect(f.length).toBe(2);
    for (const d of f) expect(d >= 0 && d <= 9).toBe(true);
  });

  it('the ffx plug-in encrypts flagged pixels as table[v]/max and the rest as v/255', () => {
    const t = file.tests[0];
    const key = { blockSize: 1, channels: 2, password: t.password, flip: Uint8Array.of(1, 0) };
    const batch = { data: Float64Array.of(0, 0, 17, 17, 255, 255), images: 1, rows: 1, cols: 3, blockSize: 1, channels: 2 };
    const out = ffx.encrypt(batch, key);
    const m = t.pixel_table_max;
    expect(Array.from(out.data)).toEqual([t.pixel_table_0_255[0] / m, 0, t.pixel_table_0_255[17] / m, 17 / 255, t.pixel_table_0_255[255] / m, 1]);
    expect(Array.from(ffx.decrypt(out, key).data)).toEqual([0, 0, 17, 17, 255, 255]);
  });
});
