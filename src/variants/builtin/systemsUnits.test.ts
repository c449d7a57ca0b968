/**
 * The paper systems as plug-ins (systemA.ts, systemB.ts, systemC.ts) on tiny
 * keys worked out by hand from the papers' definitions (Iijima & Kiya 2022
 * Eqs. 4–5 and 8–9; MaungMaung & Kiya 2021; Aso, Chuman & Kiya 2023, x′ = xQ,
 * E′ = QᵀE): names and claims, key files and their errors, key spaces and
 * their enumerations, the neighbourhood and signed-permutation views, the
 * adapters. builtin.test.ts has the encryption conventions. Each test names
 * the Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../../properties/rejection.ts';
import type { BlockKey } from '../../core/key.ts';
import { type BlockBatch, type PatchEmbedding, normalization } from '../contract.ts';
import { flip, shuffle, systemA } from './systemA.ts';
import { ffxPixelTable, ffxTables } from './ffx.ts';
import { ffx, negpos } from './systemB.ts';
import { orthogonal } from './systemC.ts';

const last = { int: (bound: number) => bound - 1 };
const P12 = { blockSize: 1, channels: 2 };
const P14 = { blockSize: 1, channels: 4 };
const batch = (data: number[], o: Partial<BlockBatch> = {}): BlockBatch => ({ data: Float64Array.from(data), images: 1, rows: 1, cols: 1, blockSize: 1, channels: 2, ...o });
const key = (p: number[], r: number[], m = 1, c = p.length): BlockKey => ({ blockSize: m, channels: c, permutation: Int32Array.from(p), flip: Uint8Array.from(r) });
const text = (variant: string, fields: string) => `{\n  "format": "cipherpatch-variant-key",\n  "variant": "${variant}",\n${fields}\n}\n`;

describe('System A plug-ins', () => {
  // systemA.ts:60–100 (shuffle: name, domain, key, file, space, enumeration, views).
  it('shuffle: one permutation, no flips; p_b! keys', () => {
    expect(shuffle).toMatchObject({ name: 'shuffle', domain: 'uint8', params: { blockSize: 4, channels: 3 } });
    expect(shuffle.supports).toBeUndefined();
    const k = shuffle.generateKey(P14, 'a');
    expect(k).toMatchObject({ blockSize: 1, channels: 4, flip: new Uint8Array(4) });
    expect([...k.permutation].sort()).toEqual([0, 1, 2, 3]);
    expect(shuffle.generateKey(P14, 'a')).toEqual(k);
    const t = text('shuffle', '  "blockSize": 1,\n  "channels": 2,\n  "permutation": [1,0]');
    expect(shuffle.serializeKey(key([1, 0], [0, 0]))).toBe(t);
    expect(shuffle.parseKey(t)).toEqual(key([1, 0], [0, 0]));
    expect(() => shuffle.parseKey(t.replace('[1,0]', '[1,1]'))).toThrow('permutation is not a permutation of 0..1 (entry 1 = 1)');
    expect(() => shuffle.parseKey(t.replace('[1,0]', '[1,0,2]'))).toThrow('key field "permutation" must be 2 integers');
    expect(shuffle.keySpace?.formula).toBe('p_b!');
    expect(shuffle.keySpace?.size({ blockSize: 1, channels: 3 })).toBe(6n);
    expect([...shuffle.keySpace!.enumerate!(P12)]).toEqual([key([0, 1], [0, 0]), key([1, 0], [0, 0])]);
    expect(shuffle.adapter?.normalizations).toEqual(['0.5/0.5', 'none']);
    expect(shuffle.neighbours?.step).toBe('swap two permutation entries');
    expect(shuffle.neighbours?.maxDistance({ blockSize: 1, channels: 5 })).toBe(2);
    // `last` orders positions 0 1 2 3: one swap exchanges entries 0 and 1; the flip is a copy.
    const base = key([0, 1, 2, 3], [0, 0, 0, 0]);
    const near = shuffle.neighbours!.atDistance(base, 1, last);
    expect(near).toEqual(key([1, 0, 2, 3], [0, 0, 0, 0]));
    expect(near.flip).not.toBe(base.flip);
    const sp = shuffle.signedPermutation!;
    expect(sp.permutes).toBe(true);
    expect(sp.flips(P14)).toBe(0);
    expect(sp.toSignedPermutation(base)).toBe(base);
    expect(sp.nearestKey(P14, { permutation: Int32Array.of(3, 3, 0, 1), flip: Uint8Array.of(1, 1, 1, 1) })).toEqual(key([3, 2, 0, 1], [0, 0, 0, 0]));
  });

  // systemA.ts:102–143 (flip: even p_b, exactly p_b/2 ones, the identity permutation, its file and space).
  it('flip: exactly p_b/2 flips, identity permutation; C(p_b, p_b/2) keys', () => {
    expect(flip).toMatchObject({ name: 'flip', domain: 'uint8' });
    expect(flip.supports!({ blockSize: 1, channels: 3 })).toMatch(/p_b = M²C = 3 is odd/);
    expect(flip.supports!(P14)).toBeUndefined();
    const k = flip.generateKey(P14, 'b');
    expect(Array.from(k.permutation)).toEqual([0, 1, 2, 3]);
    expect(Array.from(k.flip).reduce((a, b) => a + b, 0)).toBe(2);
    const t = text('flip', '  "blockSize": 1,\n  "channels": 2,\n  "flip": [0,1]');
    expect(flip.serializeKey(key([0, 1], [0, 1]))).toBe(t);
    expect(flip.parseKey(t)).toEqual(key([0, 1], [0, 1]));
    expect(() => flip.parseKey(t.replace('[0,1]', '[1,1]'))).toThrow('flip has 2 ones, expected 1');
    expect(flip.adapter?.normalizations).toEqual(['0.5/0.5']);
    expect(flip.keySpace?.formula).toBe('C(p_b, p_b/2)');
    expect(flip.keySpace?.size(P14)).toBe(6n);
    expect([...flip.keySpace!.enumerate!(P12)]).toEqual([key([0, 1], [1, 0]), key([0, 1], [0, 1])]);
    expect(flip.neighbours?.step).toBe('exchange a flipped and an unflipped position');
    expect(flip.neighbours?.maxDistance(P14)).toBe(2);
    const base = key([0, 1, 2, 3], [1, 1, 0, 0]);
    // `last`: order 0 1 2 3, the first one (0) and the first zero (2) exchanged; the permutation a copy.
    const near = flip.neighbours!.atDistance(base, 1, last);
    expect(near).toEqual(key([0, 1, 2, 3], [0, 1, 1, 0]));
    expect(near.permutation).not.toBe(base.permutation);
    const sp = flip.signedPermutation!;
    expect(sp.permutes).toBe(false);
    expect(sp.flips(P14)).toBe(2);
    expect(sp.toSignedPermutation(base)).toBe(base);
    expect(sp.nearestKey(P14, { permutation: Int32Array.of(3, 2, 1, 0), flip: Uint8Array.of(1, 1, 1, 0) })).toEqual(key([0, 1, 2, 3], [1, 1, 0, 0]));
    // The known answers: only hand-worked groups whose key has the identity permutation.
    expect(flip.knownAnswers?.source).toBe('hand-worked System A vectors, golden/vectors/system-a.json');
    for (const v of flip.knownAnswers!.vectors!()) expect(Array.from(v.key.permutation).every((x, i) => x === i)).toBe(true);
  });

  // systemA.ts:145–184 (system-a: shuffle then flip, p_b!·C(p_b, p_b/2) keys, the mixed neighbourhood).
  it('system-a: both; its file is the core key file', () => {
    expect(systemA).toMatchObject({ name: 'system-a', domain: 'uint8' });
    expect(systemA.supports!({ blockSize: 1, channels: 3 })).toMatch(/is odd/);
    const k = systemA.generateKey(P14, 'c');
    expect(k).toMatchObject({ blockSize: 1, channels: 4 });
    expect(systemA.parseKey(systemA.serializeKey(k))).toEqual(k);
    expect(systemA.serializeKey(k)).toMatch(/"format": "cipherpatch-block-key"/);
    expect(systemA.adapter?.normalizations).toEqual(['0.5/0.5']);
    expect(systemA.keySpace?.formula).toBe('p_b! · C(p_b, p_b/2)');
    // 4! · C(4, 2) = 144.
    expect(systemA.keySpace?.size(P14)).toBe(144n);
    expect([...systemA.keySpace!.enumerate!(P12)]).toEqual([key([0, 1], [1, 0]), key([0, 1], [0, 1]), key([1, 0], [1, 0]), key([1, 0], [0, 1])]);
    expect(systemA.neighbours?.maxDistance(P14)).toBe(4);
    expect(systemA.neighbours?.step).toMatch(/^swap two permutation entries, or exchange/);
    // `last`: every coin says flip exchange: one step is one exchange.
    expect(systemA.neighbours!.atDistance(key([0, 1, 2, 3], [1, 1, 0, 0]), 1, last)).toEqual(key([0, 1, 2, 3], [0, 1, 1, 0]));
    const sp = systemA.signedPermutation!;
    expect([sp.permutes, sp.flips(P14)]).toEqual([true, 2]);
    expect(sp.nearestKey(P14, { permutation: Int32Array.of(1, 1, 0, 2), flip: Uint8Array.of(0, 0, 0, 1) })).toEqual(key([1, 3, 0, 2], [1, 0, 0, 1]));
    expect(systemA.knownAnswers!.vectors!().length).toBeGreaterThan(flip.knownAnswers!.vectors!().length);
  });

  // systemA.ts:37–56 (the batch checked against the key; Eqs. 8–9: rows of E permuted and negated, bias copied).
  it('the paper adapter and the batch checks', () => {
    // p_b = 2 (M = 1, C = 2), d = 1: E = (e0, e1). Shuffle v = (1, 0): E′[k] = E[v_k]; flip r_k = 1 negates row k.
    const e: PatchEmbedding = { dim: 1, channels: 2, patch: 1, weight: Float64Array.of(3, 5), bias: Float64Array.of(7) };
    const a = systemA.adapter!.adapt(e, key([1, 0], [1, 0]), normalization('0.5/0.5', e.channels));
    expect(Array.from(a.weight)).toEqual([-5, 3]);
    expect(Array.from(a.bias)).toEqual([7]);
    expect(a.bias).not.toBe(e.bias);
    expect(a).toMatchObject({ dim: 1, channels: 2, patch: 1 });
    expect(() => shuffle.encrypt(batch([1, 2]), key([0, 1, 2, 3], [0, 0, 0, 0], 1, 4))).toThrow('shuffle: the key is for 4 channels, the batch has 2');
    expect(() => flip.decrypt(batch([1, 2]), key([0, 1, 2, 3], [0, 0, 0, 0], 1, 4))).toThrow('flip: the key is for 4 channels, the batch has 2');
    expect(() => systemA.decrypt(batch([1, 2]), key([0, 1, 2, 3], [0, 0, 0, 0], 1, 4))).toThrow(/^system-a: /);
    expect(Array.from(systemA.decrypt(batch([245, 30]), key([1, 0], [1, 0])).data)).toEqual([30, 10]);
  });
});

describe('System B plug-ins', () => {
  // systemB.ts:35–83 (negpos: the authors' binary key, its file, decrypt, views, space).
  it('negpos: p_b/2 − 1 ones; 1 − x where set', () => {
    expect(negpos).toMatchObject({ name: 'negpos', domain: 'unit' });
    const t = text('negpos', '  "blockSize": 1,\n  "channels": 4,\n  "flip": [0,0,1,0]');
    const k = { blockSize: 1, channels: 4, flip: Uint8Array.of(0, 0, 1, 0) };
    expect(negpos.serializeKey(k)).toBe(t);
    expect(negpos.parseKey(t)).toEqual(k);
    expect(Object.keys(negpos.parseKey(t))).toEqual(['blockSize', 'channels', 'flip']);
    expect(() => negpos.parseKey(t.replace('[0,0,1,0]', '[0,1,1,0]'))).toThrow('flip has 2 ones, expected 1');
    expect(negpos.generateKey(P14, 'n')).toEqual(negpos.generateKey(P14, 'n'));
    // A secure key (no seed) has the same count.
    expect(Array.from(negpos.generateKey(P14, undefined).flip).reduce((a, b) => a + b, 0)).toBe(1);
    const b = batch([0.25, 0.5, 1, 0], { channels: 4 });
    expect(Array.from(negpos.decrypt(b, k).data)).toEqual([0.25, 0.5, 0, 0]);
    expect(() => negpos.encrypt(b, { ...k, channels: 2, flip: Uint8Array.of(0, 0) })).toThrow(/^negpos: /);
    expect(() => negpos.decrypt(b, { ...k, channels: 2, flip: Uint8Array.of(0, 0) })).toThrow(/^negpos: /);
    // p_b = 4: 1 one, 3 zeros; p_b = 6: 2 ones, 4 zeros.
    expect(negpos.neighbours?.maxDistance(P14)).toBe(1);
    expect(negpos.neighbours?.maxDistance({ blockSize: 1, channels: 6 })).toBe(2);
    expect(negpos.neighbours?.step).toBe('exchange a transformed and an untransformed position');
    expect(negpos.neighbours!.atDistance(k, 1, last)).toEqual({ blockSize: 1, channels: 4, flip: Uint8Array.of(1, 0, 0, 0) });
    const sp = negpos.signedPermutation!;
    expect([sp.permutes, sp.flips(P14), sp.flips({ blockSize: 1, channels: 6 })]).toEqual([false, 1, 2]);
    expect(sp.toSignedPermutation(k)).toEqual({ permutation: Int32Array.of(0, 1, 2, 3), flip: k.flip });
    expect(sp.nearestKey(P14, { permutation: Int32Array.of(0, 1, 2, 3), flip: Uint8Array.of(0, 1, 1, 0) })).toEqual({ blockSize: 1, channels: 4, flip: Uint8Array.of(0, 1, 0, 0) });
    expect(negpos.keySpace?.formula).toBe('C(p_b, p_b/2 − 1)');
    expect(negpos.keySpace?.size({ blockSize: 1, channels: 6 })).toBe(15n);
    expect([...negpos.keySpace!.enumerate!(P14)].map((x) => Array.from(x.flip).join(''))).toEqual(['1000', '0100', '0010', '0001']);
    expect(negpos.adapter).toBeUndefined();
  });

  // systemB.ts:85–135 (ffx: a 32-hex-digit password, its file, the decrypt checks and messages, the key space).
  it('ffx: password and binary key; decryption refuses values off the table', () => {
    expect(ffx).toMatchObject({ name: 'ffx', domain: { input: 'uint8', output: 'unit' } });
    const k = ffx.generateKey(P14, 'f');
    expect(k.password).toMatch(/^[0-9a-f]{32}$/);
    expect(ffx.generateKey(P14, 'f')).toEqual(k);
    const t = text('ffx', `  "blockSize": 1,\n  "channels": 4,\n  "password": "${k.password}",\n  "flip": [${Array.from(k.flip).join(',')}]`);
    expect(ffx.serializeKey(k)).toBe(t);
    expect(ffx.parseKey(t)).toEqual(k);
    expect(Object.keys(ffx.parseKey(t)).sort()).toEqual(['blockSize', 'channels', 'flip', 'password']);
    expect(() => ffx.parseKey(t.replace(`"${k.password}"`, '12'))).toThrow('key field "password" must be a string');
    const key1 = { blockSize: 1, channels: 2, password: 'pw', flip: Uint8Array.of(0, 0) };
    // Unflagged: v/255 and back.
    expect(Array.from(ffx.decrypt(batch([0, 51 / 255]), key1).data)).toEqual([0, 51]);
    expect(() => ffx.decrypt(batch([0.5, 0]), key1)).toThrow('ffx: value 0 = 0.5 is not an encrypted 8-bit value');
    expect(() => ffx.encrypt(batch([0.5, 0]), key1)).toThrow(/not in the "uint8" domain/);
    expect(() => ffx.decrypt(batch([2, 0]), key1)).toThrow(/not in the "unit" domain/);
    expect(() => ffx.encrypt(batch([0, 0], { channels: 1, blockSize: 1 }), key1)).toThrow(/^block batch|^ffx: /);
    // Flagged, 1.0 = max/max decrypts to the value whose table entry is the max; a value beyond 255 is refused.
    const key2 = { ...key1, flip: Uint8Array.of(1, 0) };
    const enc = ffx.encrypt(batch([17, 17]), key2);
    expect(Array.from(ffx.decrypt(enc, key2).data)).toEqual([17, 17]);
    expect(ffx.keySpace?.formula).toBe('C(p_b, p_b/2 − 1) · 16^32 (binary key × password of 32 hex digits)');
    expect(ffx.keySpace?.size(P14)).toBe(4n * 16n ** 32n);
    expect(ffx.keySpace?.enumerate).toBeUndefined();
  });
});

describe('System C plug-in', () => {
  // p_b = 2 with Q = [[0, 1], [−1, 0]] (a quarter turn): x′ = xQ = (−x1, x0); decrypt x = x′Qᵀ.
  const Q = { blockSize: 1, channels: 2, matrix: Float64Array.of(0, 1, -1, 0) };

  // systemC.ts:11–43 (name, domain, key, file and its errors, encrypt/decrypt, the adapter E′ = QᵀE).
  it('orthogonal: x′ = xQ per block, E′ = QᵀE, any normalization', () => {
    expect(orthogonal).toMatchObject({ name: 'orthogonal', domain: 'real', params: { blockSize: 4, channels: 3 } });
    expect(orthogonal.keySpace).toBeUndefined();
    const b = batch([0.5, -2, 3, 1], { cols: 2 });
    const enc = orthogonal.encrypt(b, Q);
    expect(Array.from(enc.data)).toEqual([2, 0.5, -1, 3]);
    expect(Array.from(orthogonal.decrypt(enc, Q).data)).toEqual([0.5, -2, 3, 1]);
    expect(() => orthogonal.encrypt(b, { ...Q, channels: 1, matrix: Float64Array.of(1) })).toThrow(/^orthogonal: /);
    expect(() => orthogonal.decrypt(b, { ...Q, channels: 1, matrix: Float64Array.of(1) })).toThrow(/^orthogonal: /);
    // w′[k] = Σ_i Q[i][k]·w[i]: w = (3, 5) → (−5, 3).
    const e: PatchEmbedding = { dim: 1, channels: 2, patch: 1, weight: Float64Array.of(3, 5), bias: Float64Array.of(7) };
    const a = orthogonal.adapter!.adapt(e, Q, normalization('cifar', e.channels));
    expect(Array.from(a.weight)).toEqual([-5, 3]);
    expect(Array.from(a.bias)).toEqual([7]);
    expect(a.bias).not.toBe(e.bias);
    expect(orthogonal.adapter!.normalizations).toBe('any');
    const t = text('orthogonal', '  "blockSize": 1,\n  "channels": 2,\n  "matrix": [0,1,-1,0]');
    expect(orthogonal.serializeKey(Q)).toBe(t);
    expect(orthogonal.parseKey(t)).toEqual(Q);
    const matrixMessage = 'key field "matrix" must be 2² finite numbers';
    expect(() => orthogonal.parseKey(t.replace('[0,1,-1,0]', '[0,1,-1]'))).toThrow(matrixMessage);
    expect(() => orthogonal.parseKey(t.replace('[0,1,-1,0]', '[0,1,-1,"0"]'))).toThrow(matrixMessage);
    expect(() => orthogonal.parseKey(t.replace('[0,1,-1,0]', '{"0":0}'))).toThrow(matrixMessage);
    expect(() => orthogonal.parseKey(t.replace('[0,1,-1,0]', '[0,1,-1,1e999]'))).toThrow(matrixMessage);
    expect(() => orthogonal.parseKey(t.replace('[0,1,-1,0]', '[1,1,-1,0]'))).toThrow();
    const g = orthogonal.generateKey(P12, 'q');
    expect(g).toMatchObject({ blockSize: 1, channels: 2 });
    expect(g.matrix).toHaveLength(4);
    expect(orthogonal.generateKey(P12, 'q')).toEqual(g);
  });
});

describe('survivors of the first run of the paper systems (issue 25, session 4)', () => {
  // systemA.ts:62, :104, systemB.ts:45, :89, systemC.ts:16: each title says what the variant does (paper, equation, transform).
  it('the titles name the paper and the transform', () => {
    expect(shuffle.title).toMatch(/^System A pixel shuffling alone \(Eq\. 4\)/);
    expect(flip.title).toMatch(/^System A bit flipping alone \(Eq\. 5\): x ↦ 255 − x/);
    expect(negpos.title).toMatch(/^System B negative\/positive \(MaungMaung & Kiya 2021\): x ↦ 1 − x/);
    expect(ffx.title).toMatch(/^System B FFX in the authors' form: pyffx/);
    expect(orthogonal.title).toMatch(/^System C \(Aso, Chuman & Kiya 2023\).*orthogonal matrix Q/);
  });

  // systemA.ts:78 (shuffle's decrypt and its name), :120, :154 (the names in encrypt's batch check), :166 (system-a's view is the key).
  it('System A: each plug-in names itself in its batch checks; shuffle decrypts', () => {
    const k4 = key([0, 1, 2, 3], [0, 0, 0, 0], 1, 4);
    expect(() => shuffle.decrypt(batch([1, 2]), k4)).toThrow('shuffle: the key is for 4 channels, the batch has 2');
    expect(() => flip.encrypt(batch([1, 2]), k4)).toThrow('flip: the key is for 4 channels, the batch has 2');
    expect(() => systemA.encrypt(batch([1, 2]), k4)).toThrow('system-a: the key is for 4 channels, the batch has 2');
    // x′ = (x1, x0): decrypt puts them back.
    expect(Array.from(shuffle.decrypt(batch([20, 10]), key([1, 0], [0, 0])).data)).toEqual([10, 20]);
    const k = key([1, 0], [1, 0]);
    expect(systemA.signedPermutation!.toSignedPermutation(k)).toBe(k);
  });

  // systemB.ts:100, :123 (the codes), :104, :114 (the name), :125 (a flagged value whose table preimage is above 255).
  it('ffx: codes and names of its refusals; a flagged value from outside the pixel table', () => {
    const k = ffx.generateKey(P14, 'f');
    const t = ffx.serializeKey(k);
    expect(refusal(() => ffx.parseKey(t.replace(`"${k.password}"`, '12')))).toEqual({ check: 'key.field', message: 'key field "password" must be a string' });
    const key1 = { blockSize: 1, channels: 2, password: 'pw', flip: Uint8Array.of(1, 0) };
    expect(refusal(() => ffx.encrypt(batch([0, 0], { channels: 1, cols: 2 }), key1)).message).toMatch(/^ffx: the key is for 2 channels/);
    expect(refusal(() => ffx.decrypt(batch([0, 0], { channels: 1, cols: 2 }), key1)).message).toMatch(/^ffx: the key is for 2 channels/);
    expect(refusal(() => ffx.decrypt(batch([0, 0.5 / 255]), { ...key1, flip: Uint8Array.of(0, 0) }))).toEqual({ check: 'variant.domain', message: `ffx: value 1 = ${0.5 / 255} is not an encrypted 8-bit value` });
    // The FFX permutation of 0..999 sends some v ≥ 256 to an output ≤ the pixel table's maximum: that output, scaled, is in
    // [0, 1] but decrypts to v.
    const { encrypt } = ffxTables('pw');
    const { max } = ffxPixelTable('pw');
    let v = 256;
    while (encrypt[v] > max) v++;
    const y = encrypt[v] / max;
    expect(refusal(() => ffx.decrypt(batch([y, 0]), key1))).toEqual({ check: 'variant.domain', message: `ffx: value 0 = ${y} decrypts to ${v}, not an 8-bit value` });
  });

  // systemC.ts:25 (the matrix check's code).
  it('orthogonal: a bad matrix is a key.field error', () => {
    const t = orthogonal.serializeKey({ blockSize: 1, channels: 2, matrix: Float64Array.of(0, 1, -1, 0) });
    expect(refusal(() => orthogonal.parseKey(t.replace('[0,1,-1,0]', '[0,1,-1]'))).check).toBe('key.field');
  });
});
