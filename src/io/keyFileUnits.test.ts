/**
 * keyFile.ts on small hand-written key files in a temp directory: every
 * reader's result, and every rejection's check and whole message (the file
 * named, the key's index in a list). Keys are written out by hand here
 * (System A at M = 1, C = 2; System B at M = 2, C = 1; System C 2 × 2
 * permutation and sign matrices), so the expected values do not come from
 * the code under test. Mutation kills (issue 25, area io) are named per test
 * as keyFile.ts:<line> <mutator>.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import {
  SYSTEM_B_KEY_LIST_FORMAT,
  isOrthogonalKeyFile,
  readKeyFile,
  readKeyListFile,
  readOrthogonalKeyFile,
  readOrthogonalKeyListFile,
  readSystemBKeyFile,
  readSystemBKeyListFile,
  readVariantKeyFile,
} from './keyFile.ts';
import { writeSafetensors } from './safetensors.ts';
import { refusal } from '../../properties/rejection.ts';

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-keyfile-'));
function file(name: string, content: string | Uint8Array | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  return path;
}


// System A, M = 1, C = 2: p_b = 2, permutation (1 0), one flip of two.
const blockKey = { format: 'cipherpatch-block-key', version: 1, blockSize: 1, channels: 2, permutation: [1, 0], flip: [0, 1] };
// System B negpos, M = 2, C = 1: p_b = 4, p_b/2 − 1 = 1 one.
const negposKey = { format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip: [0, 0, 1, 0] };
const ffxKey = { format: 'cipherpatch-variant-key', variant: 'ffx', blockSize: 2, channels: 1, password: 'pw', flip: [0, 1, 0, 0] };

describe('System A key files (readKeyFile, readKeyListFile)', () => {
  // Kills keyFile.ts:16 ConditionalExpression/BooleanLiteral (json default → parse the text twice), :34 ObjectLiteral/StringLiteral.
  it('reads a key file and a key list exactly', () => {
    const key = readKeyFile(file('a.json', blockKey));
    expect({ blockSize: key.blockSize, channels: key.channels, permutation: Array.from(key.permutation), flip: Array.from(key.flip) }).toEqual({ blockSize: 1, channels: 2, permutation: [1, 0], flip: [0, 1] });
    const list = readKeyListFile(file('list.json', { format: 'cipherpatch-block-key-list', version: 1, keys: [blockKey, { ...blockKey, permutation: [0, 1] }] }));
    expect(list.map((k) => Array.from(k.permutation))).toEqual([[1, 0], [0, 1]]);
    expect(readKeyListFile(file('empty-list.json', { format: 'cipherpatch-block-key-list', version: 1, keys: [] }))).toEqual([]);
  });

  // Kills keyFile.ts:18 StringLiteral/BlockStatement (the unreadable message), :24–30 naming's prefix and instanceof.
  it('an unreadable file, bad JSON, and a bad key name the file', () => {
    const missing = join(dir, 'absent.json');
    const e = refusal(() => readKeyFile(missing));
    expect(e.check).toBe('key.unreadable');
    expect(e.message.startsWith(`cannot read key file ${missing}: ENOENT`)).toBe(true);
    expect(refusal(() => readKeyFile(file('bad.json', '{')))).toMatchObject({ check: 'key.json', message: expect.stringMatching(new RegExp(`^key file ${join(dir, 'bad.json')}: key file is not valid JSON: `)) });
    const p = file('b3.json', { ...blockKey, blockSize: 3 });
    expect(refusal(() => readKeyFile(p)).message.startsWith(`key file ${p}: `)).toBe(true);
    // options reach parseKey: a key for 2 channels where 3 are needed.
    expect(refusal(() => readKeyFile(file('a2.json', blockKey), { channels: 3 }))).toEqual({ check: 'key.wrong-channels', message: `key file ${join(dir, 'a2.json')}: the key is for 2 channels, but this use has 3` });
    expect(refusal(() => readKeyListFile(join(dir, 'absent-list.json'))).message.startsWith(`cannot read key list ${join(dir, 'absent-list.json')}: `)).toBe(true);
    const notJson = file('list-bad.json', '[');
    expect(refusal(() => readKeyListFile(notJson))).toMatchObject({ check: 'key.unreadable', message: expect.stringMatching(new RegExp(`^cannot read key list ${notJson}: .+`)) });
  });

  // Kills keyFile.ts:44 ConditionalExpression/LogicalOperator/EqualityOperator/OptionalChaining (each conjunct), :45 StringLiteral, :47 naming's index.
  it('a key list must have the format, version 1 and an array of keys; a bad key is named by its index', () => {
    const message = (p: string) => `${p} is not a cipherpatch key list ({ "format": "cipherpatch-block-key-list", "version": 1, "keys": [...] })`;
    const good = { format: 'cipherpatch-block-key-list', version: 1, keys: [blockKey] };
    for (const [name, json] of [
      ['l-format.json', { ...good, format: 'cipherpatch-block-key' }],
      ['l-version.json', { ...good, version: 2 }],
      ['l-keys.json', { ...good, keys: { 0: blockKey } }],
      ['l-null.json', null],
    ] as const) {
      const p = file(name, JSON.stringify(json));
      expect(refusal(() => readKeyListFile(p))).toEqual({ check: 'key.format', message: message(p) });
    }
    const p = file('l-second.json', { ...good, keys: [blockKey, { ...blockKey, flip: [1, 1] }] });
    expect(refusal(() => readKeyListFile(p))).toEqual({ check: 'key.flip-count', message: `key list ${p}, key 1: flip vector has 2 ones, Eq. 5 needs exactly p_b/2 = 1` });
    expect(refusal(() => readKeyListFile(p, { blockSize: 2 })).message).toBe(`key list ${p}, key 0: the key is for block size 1, but this use needs block size 2`);
  });
});

describe('System B key sets (readSystemBKeyFile, readSystemBKeyListFile)', () => {
  const listOf = (keys: unknown[], variant: unknown = 'negpos') => ({ format: 'cipherpatch-variant-key-list', variant, keys });

  // Kills keyFile.ts:53–54 (reader and its prefix), :74 StringLiteral (the list format constant).
  it('reads a key set and a list of them; the format string is the one in the golden lists', () => {
    expect(SYSTEM_B_KEY_LIST_FORMAT).toBe('cipherpatch-variant-key-list');
    const k = readSystemBKeyFile(file('negpos.json', negposKey));
    expect([k.transform, k.blockSize, k.channels]).toEqual(['negpos', 2, 1]);
    expect(Array.from((k.key as { flip: Uint8Array }).flip)).toEqual([0, 0, 1, 0]);
    const list = readSystemBKeyListFile(file('nl.json', listOf([negposKey, { ...negposKey, flip: [1, 0, 0, 0] }])));
    expect(list.map((s) => Array.from((s.key as { flip: Uint8Array }).flip))).toEqual([[0, 0, 1, 0], [1, 0, 0, 0]]);
    const p = file('negpos-c.json', negposKey);
    expect(refusal(() => readSystemBKeyFile(p, { channels: 3 }))).toEqual({ check: 'key.wrong-channels', message: `key set ${p}: key set is for 1 channel, the model takes 3` });
    expect(refusal(() => readSystemBKeyFile(join(dir, 'nope.json'))).message.startsWith(`cannot read key set ${join(dir, 'nope.json')}: `)).toBe(true);
  });

  // Kills keyFile.ts:83 each conjunct, :84 StringLiteral, :87–88 (index prefix, variant check and message), :86 expected passed on.
  it('a list must have the format, a variant string and an array; each key set must be of the list variant', () => {
    const message = (p: string) => `${p} is not a System B key set list ({ "format": "cipherpatch-variant-key-list", "variant": …, "keys": [...] })`;
    for (const [name, json] of [
      ['bl-format.json', { ...listOf([negposKey]), format: 'cipherpatch-block-key-list' }],
      ['bl-variant.json', listOf([negposKey], 3)],
      ['bl-keys.json', { ...listOf([]), keys: 'none' }],
      ['bl-null.json', null],
    ] as const) {
      const p = file(name, JSON.stringify(json));
      expect(refusal(() => readSystemBKeyListFile(p))).toEqual({ check: 'key.format', message: message(p) });
    }
    const mixed = file('bl-mixed.json', listOf([negposKey, ffxKey]));
    expect(refusal(() => readSystemBKeyListFile(mixed))).toEqual({ check: 'key.variant', message: `key set list ${mixed}, key set 1: is a ffx key set in a list of negpos key sets` });
    const p = file('bl-ok.json', listOf([negposKey]));
    expect(refusal(() => readSystemBKeyListFile(p, { blockSize: 4 }))).toEqual({ check: 'key.wrong-block-size', message: `key set list ${p}, key set 0: key set is for block size 2, expected 4` });
    expect(readSystemBKeyListFile(file('bl-empty.json', listOf([], 'ffx')))).toEqual([]);
    const unreadable = file('bl-bad.json', 'not json');
    expect(refusal(() => readSystemBKeyListFile(unreadable)).message.startsWith(`cannot read key set list ${unreadable}: `)).toBe(true);
  });
});

describe('a variant plug-in key file (readVariantKeyFile)', () => {
  // Kills keyFile.ts:62–69: the parse result, a CipherpatchError kept (then named), a plain Error and a non-Error as key.parse.
  it('returns what parse returns; errors name the file', () => {
    const p = file('plug.txt', 'secret text');
    expect(readVariantKeyFile(p, (t) => t.toUpperCase())).toBe('SECRET TEXT');
    expect(refusal(() => readVariantKeyFile(p, () => { throw new CipherpatchError('key.own', 'own check'); }))).toEqual({ check: 'key.own', message: `key file ${p}: own check` });
    expect(refusal(() => readVariantKeyFile(p, () => { throw new Error('plain'); }))).toEqual({ check: 'key.parse', message: `key file ${p}: plain` });
    expect(refusal(() => readVariantKeyFile(p, () => { throw 'a string'; }))).toEqual({ check: 'key.parse', message: `key file ${p}: a string` });
    expect(refusal(() => readVariantKeyFile(join(dir, 'gone.txt'), (t) => t)).message.startsWith(`cannot read key file ${join(dir, 'gone.txt')}: `)).toBe(true);
  });
});

describe('System C matrices (isOrthogonalKeyFile, readOrthogonalKeyFile, readOrthogonalKeyListFile)', () => {
  const params = { blockSize: 1, channels: 2 }; // p_b = 2
  const swap = [0, 1, 1, 0]; // [[0, 1], [1, 0]]
  const sign = [1, 0, 0, -1]; // [[1, 0], [0, −1]]
  const st = (name: string, tensors: Record<string, { dtype: 'F64' | 'F32'; shape: number[]; data: Float64Array | Float32Array }>) =>
    file(name, writeSafetensors(new Map(Object.entries(tensors)), {}));
  const orthogonalJson = { format: 'cipherpatch-variant-key', variant: 'orthogonal', blockSize: 1, channels: 2, matrix: swap };

  // Kills keyFile.ts:103–108 (the suffix, the variant test, the catch).
  it('tells a System C key file by its suffix or its variant', () => {
    expect(isOrthogonalKeyFile(join(dir, 'not-even-there.safetensors'))).toBe(true);
    expect(isOrthogonalKeyFile(file('o.json', orthogonalJson))).toBe(true);
    expect(isOrthogonalKeyFile(file('n.json', negposKey))).toBe(false);
    expect(isOrthogonalKeyFile(file('nul.json', 'null'))).toBe(false);
    expect(isOrthogonalKeyFile(file('broken.json', '{"variant": "orthogonal"'))).toBe(false);
    expect(isOrthogonalKeyFile(join(dir, 'missing.json'))).toBe(false);
  });

  // Kills keyFile.ts:124–126 (count, slices), :131–132 (the right tensor, naming), :135–136.
  it('reads the right matrix and the wrong list exactly, from safetensors and from JSON', () => {
    const p = st('m.safetensors', { right: { dtype: 'F64', shape: [2, 2], data: Float64Array.from(swap) }, wrong: { dtype: 'F64', shape: [3, 2, 2], data: Float64Array.from([...sign, ...swap, ...sign.map((x) => -x)]) } });
    const right = readOrthogonalKeyFile(p, params);
    expect([right.blockSize, right.channels, Array.from(right.matrix)]).toEqual([1, 2, swap]);
    expect(readOrthogonalKeyListFile(p, params).map((k) => [k.blockSize, k.channels, Array.from(k.matrix)])).toEqual([[1, 2, sign], [1, 2, swap], [1, 2, [-1, -0, -0, 1]]]);
    expect(Array.from(readOrthogonalKeyFile(file('o2.json', orthogonalJson), params).matrix)).toEqual(swap);
    // M = 2, C = 1: p_b = M²C = 4 (a block size above 1, so M·M·C is not M/M·C); Q = I₄.
    const eye4 = Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const m2 = st('m2.safetensors', { right: { dtype: 'F64', shape: [4, 4], data: eye4 } });
    expect(Array.from(readOrthogonalKeyFile(m2, { blockSize: 2, channels: 1 }).matrix)).toEqual(Array.from(eye4));
  });

  // Kills keyFile.ts:114–123 (the unreadable branch, the shape text, each conjunct of ok, both messages), :135–138, :141–142.
  it('each bad matrix file names the file, the tensor and what the model needs', () => {
    const absent = join(dir, 'absent.safetensors');
    const e = refusal(() => readOrthogonalKeyFile(absent, params));
    expect(e.check).toBe('key.unreadable');
    expect(e.message.startsWith(`cannot read matrix file ${absent}: `)).toBe(true);
    expect(refusal(() => readOrthogonalKeyListFile(absent, params)).message.startsWith(`cannot read matrix list ${absent}: `)).toBe(true);
    const none = st('none.safetensors', { other: { dtype: 'F64', shape: [2, 2], data: Float64Array.from(swap) } });
    expect(refusal(() => readOrthogonalKeyFile(none, params))).toEqual({ check: 'key.format', message: `matrix file ${none} has no tensor "right" (F64, shape (2, 2))` });
    expect(refusal(() => readOrthogonalKeyListFile(none, params))).toEqual({ check: 'key.format', message: `matrix list ${none} has no tensor "wrong" (F64, shape (n, 2, 2))` });
    const needs = '; the model (block size 1, 2 channels) needs F64';
    const bad: [string, { dtype: 'F64' | 'F32'; shape: number[]; data: Float64Array | Float32Array }, string][] = [
      ['f32.safetensors', { dtype: 'F32', shape: [2, 2], data: Float32Array.from(swap) }, `is F32 (2, 2)${needs} (2, 2)`],
      ['rank.safetensors', { dtype: 'F64', shape: [1, 2, 2], data: Float64Array.from(swap) }, `is F64 (1, 2, 2)${needs} (2, 2)`],
      ['cols.safetensors', { dtype: 'F64', shape: [1, 4], data: Float64Array.from(swap) }, `is F64 (1, 4)${needs} (2, 2)`],
      ['rows.safetensors', { dtype: 'F64', shape: [4, 2], data: Float64Array.from([...swap, ...swap]) }, `is F64 (4, 2)${needs} (2, 2)`],
    ];
    for (const [name, tensor, text] of bad) {
      const p = st(name, { right: tensor });
      expect(refusal(() => readOrthogonalKeyFile(p, params))).toEqual({ check: 'key.wrong-block-size', message: `matrix file ${p}: tensor "right" ${text}` });
    }
    // The last dimension alone wrong (the first 2 × 2 values are orthogonal); for a list, the last of three (2 = p_b in the middle).
    const last = st('last.safetensors', { right: { dtype: 'F64', shape: [2, 3], data: Float64Array.of(0, 1, 1, 0, 5, 5) }, wrong: { dtype: 'F64', shape: [1, 2, 3], data: Float64Array.of(0, 1, 1, 0, 5, 5) } });
    expect(refusal(() => readOrthogonalKeyFile(last, params))).toEqual({ check: 'key.wrong-block-size', message: `matrix file ${last}: tensor "right" is F64 (2, 3)${needs} (2, 2)` });
    expect(refusal(() => readOrthogonalKeyListFile(last, params))).toEqual({ check: 'key.wrong-block-size', message: `matrix list ${last}: tensor "wrong" is F64 (1, 2, 3)${needs} (n, 2, 2)` });
    const flat = st('flat.safetensors', { wrong: { dtype: 'F64', shape: [2, 2], data: Float64Array.from(swap) } });
    expect(refusal(() => readOrthogonalKeyListFile(flat, params))).toEqual({ check: 'key.wrong-block-size', message: `matrix list ${flat}: tensor "wrong" is F64 (2, 2)${needs} (n, 2, 2)` });
    const skew = st('skew.safetensors', { right: { dtype: 'F64', shape: [2, 2], data: Float64Array.from([1, 0, 0, 2]) }, wrong: { dtype: 'F64', shape: [2, 2, 2], data: Float64Array.from([...swap, 1, 0, 0, 2]) } });
    expect(refusal(() => readOrthogonalKeyFile(skew, params))).toEqual({ check: 'orthogonal.not-orthogonal', message: `matrix file ${skew}: Q is not orthogonal: (QQᵀ)[1][1] = 4` });
    expect(refusal(() => readOrthogonalKeyListFile(skew, params))).toEqual({ check: 'orthogonal.not-orthogonal', message: `matrix list ${skew}, matrix 1: Q is not orthogonal: (QQᵀ)[1][1] = 4` });
    const json = file('o3.json', orthogonalJson);
    expect(refusal(() => readOrthogonalKeyListFile(json, params))).toEqual({
      check: 'key.format',
      message: `${json}: a list of System C matrices is a safetensors file with the F64 tensor "wrong" (n, p_b, p_b), e.g. golden/runs/cpu-20ep/system-c-matrices.safetensors`,
    });
  });

  // Kills keyFile.ts:134 StringLiteral (naming of the JSON key), :135 LogicalOperator/ConditionalExpression (each of block size, channels), :136 StringLiteral.
  it('a JSON key for another block size or channel count is refused, naming both', () => {
    const p = file('o4.json', orthogonalJson);
    expect(refusal(() => readOrthogonalKeyFile(p, { blockSize: 1, channels: 3 }))).toEqual({ check: 'key.wrong-block-size', message: `key file ${p} is for block size 1 and 2 channels; the model needs block size 1 and 3 channels` });
    const q = file('o5.json', { ...orthogonalJson, blockSize: 2, channels: 1, matrix: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)) });
    expect(refusal(() => readOrthogonalKeyFile(q, params))).toEqual({ check: 'key.wrong-block-size', message: `key file ${q} is for block size 2 and 1 channels; the model needs block size 1 and 2 channels` });
    const b = file('o7.json', { ...orthogonalJson, blockSize: 2, channels: 2, matrix: Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0)) }); // I₈
    expect(refusal(() => readOrthogonalKeyFile(b, params))).toEqual({ check: 'key.wrong-block-size', message: `key file ${b} is for block size 2 and 2 channels; the model needs block size 1 and 2 channels` });
    const r = file('o6.json', { ...orthogonalJson, matrix: [1, 0, 0, 2] });
    expect(refusal(() => readOrthogonalKeyFile(r, params))).toEqual({ check: 'orthogonal.not-orthogonal', message: `key file ${r}: Q is not orthogonal: (QQᵀ)[1][1] = 4` });
    expect(refusal(() => readOrthogonalKeyFile(join(dir, 'no.json'), params)).message.startsWith(`cannot read key file ${join(dir, 'no.json')}: `)).toBe(true);
  });
});
