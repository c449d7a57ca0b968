/**
 * The built-ins' known answers (knownAnswers.ts) against the vector files in
 * golden/vectors/ (the authors' pyffx outputs, the hand-worked System A
 * vectors), read here directly: the pyffx vectors' key, blocks and expected
 * values, the System A vectors each variant gets, and the FFX tables' cache
 * (ffx.ts). Each test names the Stryker mutants it was seen to kill.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ffxTables } from './ffx.ts';
import { PYFFX_KNOWN_ANSWERS, systemAVectors } from './knownAnswers.ts';
import { flip, systemA } from './systemA.ts';

const golden = (name: string) => JSON.parse(readFileSync(new URL(`../../../golden/vectors/${name}`, import.meta.url), 'utf8'));
const pyffx = golden('pyffx.json') as { tests: { tcId: number; password: string; pixel_table_0_255: number[]; pixel_table_max: number }[] };

describe('pyffx known answers', () => {
  // knownAnswers.ts:45–66 (the key: 23 ones at the even positions below 46; 3 × 4 blocks of M = 4, C = 3; flagged values
  // 0, 1, 2, … in order, the others (37·i) mod 256; expected table[v]/max where flagged, v/255 elsewhere).
  it('one vector per password, worked out from golden/vectors/pyffx.json', () => {
    expect(PYFFX_KNOWN_ANSWERS.source).toBe('pyffx 0.3.0 outputs, golden/vectors/pyffx.json');
    const vectors = PYFFX_KNOWN_ANSWERS.vectors!();
    expect(vectors.map((v) => v.id)).toEqual(pyffx.tests.map((t) => `pyffx.json tcId ${t.tcId}`));
    const flagged = (k: number) => k % 2 === 0 && k < 46;
    for (const [n, v] of vectors.entries()) {
      const t = pyffx.tests[n];
      expect(v.key).toMatchObject({ blockSize: 4, channels: 3, password: t.password });
      expect(Array.from(v.key.flip)).toEqual(Array.from({ length: 48 }, (_, k) => (flagged(k) ? 1 : 0)));
      expect(v.plain).toMatchObject({ images: 1, rows: 3, cols: 4, blockSize: 4, channels: 3 });
      expect(v.plain.data).toHaveLength(12 * 48);
      let next = 0;
      const plain = Array.from({ length: 12 * 48 }, (_, i) => (flagged(i % 48) ? next++ % 256 : (i * 37) % 256));
      // 12 blocks × 23 flagged values = 276: the flagged values run through 0..255 and on to 19.
      expect(next).toBe(276);
      expect(Array.from(v.plain.data)).toEqual(plain);
      expect(Array.from(v.encrypted)).toEqual(plain.map((x, i) => (flagged(i % 48) ? t.pixel_table_0_255[x] / t.pixel_table_max : x / 255)));
    }
  });
});

describe('System A known answers', () => {
  // knownAnswers.ts:80–97 (the groups whose key fits; each valid test as blocks; its id).
  it('the hand-worked vectors each variant gets, by id', () => {
    const file = golden('system-a.json') as { imageGroups: { key: { permutation: number[] }; tests: { tcId: number; result: string }[] }[] };
    const all = file.imageGroups.flatMap((g) => g.tests.filter((t) => t.result === 'valid').map((t) => `system-a.json tcId ${t.tcId}`));
    expect(systemA.knownAnswers!.vectors!().map((v) => v.id)).toEqual(all);
    // flip: only the group whose permutation is the identity.
    const identity = file.imageGroups.filter((g) => g.key.permutation.every((x, i) => x === i)).flatMap((g) => g.tests.map((t) => `system-a.json tcId ${t.tcId}`));
    expect(flip.knownAnswers!.vectors!().map((v) => v.id)).toEqual(identity);
    expect(systemAVectors(() => false)).toEqual([]);
  });
});

describe('the FFX tables cache', () => {
  // ffx.ts:107 (`t === undefined` → true: rebuilt every time), :109 (eviction `>= 256` → `true`, `< 256`: a second
  // password would push the first out). The bound itself (256 passwords, ~7 s to fill) is left to memory.
  it('a password\'s tables are built once and kept while other passwords come', () => {
    const first = ffxTables('cache-0');
    expect(ffxTables('cache-0')).toBe(first);
    // Another round count is another entry.
    expect(ffxTables('cache-0', 9)).not.toBe(first);
    ffxTables('cache-1');
    expect(ffxTables('cache-0')).toBe(first);
  });

  // ffx.ts:109 (`cache.size >= 256` → `false`, `> 256`): at most 256 entries, the oldest dropped first. Zero-round tables
  // (the identity, no HMAC) fill the cache in milliseconds: after an entry and 256 more, it is gone and the next one stays.
  it('holds 256 entries, the oldest dropped first', () => {
    const oldest = ffxTables('bound-0', 0);
    const second = ffxTables('bound-1', 0);
    for (let i = 2; i <= 256; i++) ffxTables(`bound-${i}`, 0);
    expect(ffxTables('bound-1', 0)).toBe(second);
    expect(ffxTables('bound-0', 0)).not.toBe(oldest);
    expect(Array.from(oldest.encrypt.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
  });
});
