/**
 * System B's key sets (systemBKey.ts) on tiny parameters, in milliseconds:
 * the transforms, the variant at the key set's size, every parse error with
 * its message, the key file text (written out by hand from the format
 * "cipherpatch-variant-key": one field a line), and the wrong key sets. Each
 * test names the Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../properties/rejection.ts';
import { shuffle } from './builtin/systemA.ts';
import { ffx, negpos } from './builtin/systemB.ts';
import { SYSTEM_B_TRANSFORMS, generateSystemBKey, parseSystemBKey, systemBVariant, variantFor, wrongSystemBKeys } from './systemBKey.ts';

/** A negpos key file for M = 1, C = 4 (p_b = 4: p_b/2 − 1 = 1 one), by hand. */
const NEGPOS_TEXT = '{\n  "format": "cipherpatch-variant-key",\n  "variant": "negpos",\n  "blockSize": 1,\n  "channels": 4,\n  "flip": [0,0,1,0]\n}\n';

describe('transforms', () => {
  // systemBKey.ts:16 (the list), :19–23 (each transform's variant), :37 (variantFor's condition and new params).
  it('each transform is its built-in; variantFor resizes only when the key set differs', () => {
    expect(SYSTEM_B_TRANSFORMS).toEqual(['shuffle', 'negpos', 'ffx']);
    expect(systemBVariant('shuffle')).toBe(shuffle);
    expect(systemBVariant('negpos')).toBe(negpos);
    expect(systemBVariant('ffx')).toBe(ffx);
    const at = (blockSize: number, channels: number) => variantFor({ transform: 'negpos', blockSize, channels, key: null, text: '' });
    // The built-ins declare the paper's M = 4, C = 3.
    expect(at(4, 3)).toBe(negpos);
    for (const [m, c] of [[1, 3], [4, 1], [2, 2]]) {
      const v = at(m, c);
      expect(v).not.toBe(negpos);
      expect(v.params).toEqual({ blockSize: m, channels: c });
      expect(v.encrypt).toBe(negpos.encrypt);
      expect(v.name).toBe('negpos');
    }
  });
});

describe('parseSystemBKey', () => {
  // systemBKey.ts:47–57 (JSON text or object; not an object), :58–60 (format), :61–63 (variant).
  it('rejects what is not a System B key set, saying what it found', () => {
    let parseMessage = '';
    try {
      JSON.parse('{no');
    } catch (e) {
      parseMessage = (e as Error).message;
    }
    expect(refusal(() => parseSystemBKey('{no'))).toEqual({ check: 'key.json', message: `key set is not valid JSON: ${parseMessage}` });
    for (const bad of ['[]', 'null', '3', '"text"', [], null, 3]) expect(refusal(() => parseSystemBKey(bad))).toEqual({ check: 'key.json', message: 'a key set must be a JSON object' });
    const tail = ', expected "cipherpatch-variant-key" (a shuffle, negpos or ffx key; System A keys are "cipherpatch-block-key")';
    expect(refusal(() => parseSystemBKey({ format: 'cipherpatch-block-key' }))).toEqual({ check: 'key.format', message: `not a System B key set: "format" is "cipherpatch-block-key"${tail}` });
    expect(refusal(() => parseSystemBKey('{}'))).toEqual({ check: 'key.format', message: `not a System B key set: "format" is undefined${tail}` });
    expect(refusal(() => parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'flip' }))).toEqual({ check: 'key.variant', message: 'key set is for variant "flip"; System B key sets are shuffle, negpos, ffx' });
    expect(refusal(() => parseSystemBKey({ format: 'cipherpatch-variant-key' }))).toEqual({ check: 'key.variant', message: 'key set is for variant undefined; System B key sets are shuffle, negpos, ffx' });
    // The variant's own checks: one one expected for p_b = 4.
    expect(refusal(() => parseSystemBKey(NEGPOS_TEXT.replace('[0,0,1,0]', '[1,0,1,0]'))).check).toBe('key.flip-count');
  });

  // systemBKey.ts:64–69 (the parsed key, its text), :67–68 (expected block size and channels, their messages).
  it('reads a key set (text or object) and checks it against the model', () => {
    const k = parseSystemBKey(NEGPOS_TEXT);
    expect(k).toEqual({ transform: 'negpos', blockSize: 1, channels: 4, key: { blockSize: 1, channels: 4, flip: Uint8Array.of(0, 0, 1, 0) }, text: NEGPOS_TEXT });
    expect(parseSystemBKey(JSON.parse(NEGPOS_TEXT))).toEqual(k);
    expect(parseSystemBKey(NEGPOS_TEXT, { blockSize: 1, channels: 4 })).toEqual(k);
    expect(parseSystemBKey(NEGPOS_TEXT, {})).toEqual(k);
    expect(parseSystemBKey(NEGPOS_TEXT, { channels: 4 })).toEqual(k);
    expect(parseSystemBKey(NEGPOS_TEXT, { blockSize: 1 })).toEqual(k);
    expect(refusal(() => parseSystemBKey(NEGPOS_TEXT, { blockSize: 4, channels: 4 }))).toEqual({ check: 'key.wrong-block-size', message: 'key set is for block size 1, expected 4' });
    expect(refusal(() => parseSystemBKey(NEGPOS_TEXT, { blockSize: 1, channels: 3 }))).toEqual({ check: 'key.wrong-channels', message: 'key set is for 4 channels, the model takes 3' });
    // M = 2, C = 1: p_b = 4 as well; one channel, singular.
    const one = NEGPOS_TEXT.replace('"blockSize": 1', '"blockSize": 2').replace('"channels": 4', '"channels": 1');
    expect(refusal(() => parseSystemBKey(one, { channels: 3 }))).toEqual({ check: 'key.wrong-channels', message: 'key set is for 1 channel, the model takes 3' });
    // The text is the variant's own serialization, not the input: spacing is normalized.
    expect(parseSystemBKey(JSON.stringify(JSON.parse(NEGPOS_TEXT))).text).toBe(NEGPOS_TEXT);
    // Other transforms: a shuffle key of p_b = 2.
    const s = parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'shuffle', blockSize: 1, channels: 2, permutation: [1, 0] });
    expect(s).toMatchObject({ transform: 'shuffle', blockSize: 1, channels: 2, text: '{\n  "format": "cipherpatch-variant-key",\n  "variant": "shuffle",\n  "blockSize": 1,\n  "channels": 2,\n  "permutation": [1,0]\n}\n' });
  });
});

describe('generated and wrong key sets', () => {
  // systemBKey.ts:73–77 (the variant's key at the given size, its text).
  it('generateSystemBKey: the transform at the given size, reproducible from a seed', () => {
    const k = generateSystemBKey('negpos', { blockSize: 1, channels: 4 }, 'seed');
    expect(k).toMatchObject({ transform: 'negpos', blockSize: 1, channels: 4 });
    expect(k.key).toMatchObject({ blockSize: 1, channels: 4 });
    const flip = (k.key as { flip: Uint8Array }).flip;
    expect(flip).toHaveLength(4);
    expect(flip.reduce((s, x) => s + x, 0)).toBe(1);
    expect(k.text).toBe(`{\n  "format": "cipherpatch-variant-key",\n  "variant": "negpos",\n  "blockSize": 1,\n  "channels": 4,\n  "flip": [${Array.from(flip).join(',')}]\n}\n`);
    expect(generateSystemBKey('negpos', { blockSize: 1, channels: 4 }, 'seed')).toEqual(k);
    expect(parseSystemBKey(k.text)).toEqual(k);
    expect(generateSystemBKey('ffx', { blockSize: 2, channels: 1 }, 'x')).toMatchObject({ transform: 'ffx', blockSize: 2, channels: 1, key: { blockSize: 2, channels: 1 } });
  });

  // systemBKey.ts:81–86 (count, the seeds `${seed}:${i}`, skipping the right key set).
  it('wrongSystemBKeys: key set i from seed "S:i", the right one skipped', () => {
    // p_b = 4 with one one: 4 key sets, so a right key set recurs among the first few seeds.
    const params = { blockSize: 1, channels: 4 };
    const right = generateSystemBKey('negpos', params, 'w:0');
    const wrong = wrongSystemBKeys(right, 5, 'w');
    expect(wrong).toHaveLength(5);
    expect(wrong[0].seed).not.toBe('w:0');
    let next = 0;
    for (const w of wrong) {
      const i = Number(w.seed.slice(2));
      expect(w.seed).toBe(`w:${i}`);
      expect(i).toBeGreaterThanOrEqual(next);
      // Every seed skipped on the way gives the right key set.
      for (let j = next; j < i; j++) expect(generateSystemBKey('negpos', params, `w:${j}`).text).toBe(right.text);
      next = i + 1;
      expect(w.key).toEqual(generateSystemBKey('negpos', params, w.seed));
      expect(w.key.text).not.toBe(right.text);
      expect(w.key).toMatchObject({ transform: 'negpos', blockSize: 1, channels: 4 });
    }
    expect(wrongSystemBKeys(right, 0, 'w')).toEqual([]);
  });
});
