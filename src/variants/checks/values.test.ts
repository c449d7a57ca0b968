/**
 * The value checks (shape, domain, storable, invertible, deterministic,
 * serialization) on the tiny rotation variant (src/variants/fixtures/tiny.ts),
 * broken one piece at a time: each verdict and its whole detail line, worked
 * out from the broken piece. Fast stand-ins for the whole-battery tests
 * (properties/variants.test.ts, mutants.test.ts) in mutation runs; each test
 * names the Stryker mutants it was seen to kill (file:line, mutator).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockBatch } from '../contract.ts';
import { type RotKey, ctxOf, mapValues, rotation } from '../fixtures/tiny.ts';
import { batchCaseArb, batchOf, randomBytes, sameData, where, workParams } from './batches.ts';
import { checkDeterministic } from './deterministic.ts';
import { checkDomain } from './domain.ts';
import { checkInvertible } from './invertible.ts';
import { checkSerialization } from './serialization.ts';
import { checkShape } from './shape.ts';
import { checkStorable } from './storable.ts';

const idMap = mapValues((x) => x);

describe('shape', () => {
  it('passes the rotation; names a short encrypt or decrypt output', () => {
    expect(checkShape(ctxOf(rotation()))).toEqual({ id: 'shape', title: 'shape preserved', verdict: 'pass', detail: 'encrypt and decrypt return batches of the input shape' });
    const short = (b: BlockBatch) => ({ ...b, data: b.data.slice(1) });
    const e = checkShape(ctxOf(rotation({ encrypt: short })));
    // Smallest batch: 1 image of 1×1 blocks of p_b = 2 values, one dropped.
    expect(e).toMatchObject({ id: 'shape', verdict: 'fail', detail: 'encrypt returned 1 values for an input of 2 (1×1×1 blocks of 2)' });
    expect(e.counterexample).toMatch(/^\{"keySeed":"","images":1,"rows":1,"cols":1,"values":\[\d+,\d+\]\}$/);
    expect(e.replay?.command).toMatch(/^cipherpatch fuzz rotation --only shape --seed 1 --path "[\d:]+"$/);
    expect(checkShape(ctxOf(rotation({ decrypt: short }))).detail).toBe('decrypt returned 1 values for an input of 2 (1×1×1 blocks of 2)');
  });
});

describe('domain', () => {
  it('passes with its domains named; names the first value outside the output or input domain', () => {
    expect(checkDomain(ctxOf(rotation({ domain: { input: 'uint8', output: 'unit' }, encrypt: mapValues((x) => x / 255), decrypt: mapValues((x) => Math.round(x * 255)) })))).toEqual({ id: 'domain', title: 'domain preserved', verdict: 'pass', detail: 'uint8 in, unit out' });
    // Value 0 of every encrypted batch is −1.
    const at0 = checkDomain(ctxOf(rotation({ encrypt: mapValues((x, i) => (i === 0 ? -1 : x)), decrypt: idMap })));
    expect(at0).toMatchObject({ verdict: 'fail', detail: 'encrypted value -1 (block 0, k=0) is outside the declared output domain "uint8"' });
    // Only value 2 (block 1, k=0: needs two blocks) is 256.
    const at2 = checkDomain(ctxOf(rotation({ encrypt: mapValues((x, i) => (i === 2 ? 256 : x)), decrypt: mapValues((x, i) => (i === 2 ? 0 : x)) })));
    expect(at2.detail).toBe('encrypted value 256 (block 1, k=0) is outside the declared output domain "uint8"');
    const dec = checkDomain(ctxOf(rotation({ domain: 'unit', encrypt: idMap, decrypt: mapValues((x, i) => (i === 1 ? 2 : x)) })));
    expect(dec.detail).toBe('decrypted value 2 (block 0, k=1) is outside the declared input domain "unit"');
  });
});

describe('storable', () => {
  it('names the 8-bit grid of each output domain', () => {
    expect(checkStorable(ctxOf(rotation())).detail).toBe('8-bit pixels encrypt to 8-bit pixels (uint8 → uint8, integers 0..255)');
    expect(checkStorable(ctxOf(rotation({ domain: 'unit' }))).detail).toBe('8-bit pixels encrypt to 8-bit pixels (unit → unit, multiples of 1/255)');
    expect(checkStorable(ctxOf(rotation({ domain: 'real' })))).toEqual({ id: 'storable', title: '8-bit storable', verdict: 'pass', detail: '8-bit pixels encrypt to 8-bit pixels (real → real, (2v − 255)/255, 8-bit values after 0.5/0.5)' });
  });

  it('fails on a value off the grid, at value 0 and at value 1', () => {
    // Value 0 is x/256, off the 1/255 grid unless x = 0 (the shrunk batch has x = 1 there); the others x/255.
    const f = checkStorable(ctxOf(rotation({ domain: { input: 'uint8', output: 'unit' }, encrypt: mapValues((x, i) => (i === 0 ? x / 256 : x / 255)) })));
    expect(f).toMatchObject({ id: 'storable', verdict: 'fail', detail: 'encrypted value 0.00390625 (block 0, k=0) is not an 8-bit value of the unit domain (multiples of 1/255): the encrypted image cannot be stored as an 8-bit image without losing information' });
    const g = checkStorable(ctxOf(rotation({ encrypt: mapValues((x, i) => (i === 1 ? 0.5 : x)) })));
    expect(g.detail).toBe('encrypted value 0.5 (block 0, k=1) is not an 8-bit value of the uint8 domain (integers 0..255): the encrypted image cannot be stored as an 8-bit image without losing information');
    expect(g.counterexample).toBeDefined();
  });
});

describe('invertible', () => {
  const off = (by: number) => mapValues((x) => x + by);
  it('uint8: exact; a 2⁻⁴⁰ error fails there but passes within rounding for unit values', () => {
    expect(checkInvertible(ctxOf(rotation()))).toEqual({ id: 'invertible', title: 'decrypt ∘ encrypt = id', verdict: 'pass', detail: 'exactly' });
    const u8 = checkInvertible(ctxOf(rotation({ encrypt: idMap, decrypt: off(2 ** -40) })));
    expect(u8).toMatchObject({ verdict: 'fail', detail: 'decrypt(encrypt(x)) ≠ x: value 0 (block 0, k=0) was 0, came back as 9.094947017729282e-13' });
    expect(checkInvertible(ctxOf(rotation({ domain: 'unit' }))).detail).toBe('exactly (float64)');
    // 2⁻⁴⁰ ≈ 9.09e-13 ≤ 1e-10 (atol): within rounding, and the worst error reported.
    expect(checkInvertible(ctxOf(rotation({ domain: 'unit', encrypt: idMap, decrypt: off(2 ** -40) })))).toMatchObject({ verdict: 'pass', detail: 'within float rounding (max |error| 9.1e-13)' });
    // 1e-9 > 1e-10 + 1e-10·|x| for x ≤ 1.
    expect(checkInvertible(ctxOf(rotation({ domain: 'unit', encrypt: idMap, decrypt: off(1e-9) }))).detail).toBe('decrypt(encrypt(x)) ≠ x: value 0 (block 0, k=0) was 0, came back as 1e-9');
  });
  it('the error at a later value: both the index and the worst error', () => {
    const late = mapValues((x, i) => (i === 1 ? x + 2 ** -40 : x));
    expect(checkInvertible(ctxOf(rotation({ domain: 'unit', encrypt: idMap, decrypt: late }))).detail).toBe('within float rounding (max |error| 9.1e-13)');
    expect(checkInvertible(ctxOf(rotation({ encrypt: idMap, decrypt: late }))).detail).toBe('decrypt(encrypt(x)) ≠ x: value 1 (block 0, k=1) was 0, came back as 9.094947017729282e-13');
  });
});

describe('deterministic', () => {
  it('passes the rotation without comparing secure keys (only 2 keys)', () => {
    expect(checkDeterministic(ctxOf(rotation()))).toEqual({ id: 'deterministic', title: 'deterministic', verdict: 'pass', detail: 'same key → same output, same seed → same key (secure keys not compared: only 2 keys)' });
  });

  it('a seeded generateKey that differs each call', () => {
    let n = 0;
    const r = checkDeterministic(ctxOf(rotation({ generateKey: () => ({ r: n++ % 2 }) })));
    expect(r).toMatchObject({ verdict: 'fail', detail: 'generateKey with seed "" gave two different keys' });
  });

  it('encrypt that modifies its input (value 0, value 1)', () => {
    const at = (i: number) => (b: BlockBatch) => {
      const out = { ...b, data: Float64Array.from(b.data) };
      b.data[i] = -1;
      return out;
    };
    expect(checkDeterministic(ctxOf(rotation({ encrypt: at(0) }))).detail).toBe('encrypt modified its input batch (value 0)');
    expect(checkDeterministic(ctxOf(rotation({ encrypt: at(1) }))).detail).toBe('encrypt modified its input batch (value 1)');
  });

  it('encrypt with state; keys from one seed that serialize alike but encrypt differently', () => {
    let calls = 0;
    const stateful = mapValues((x, i) => (i === 1 ? x + (calls++ % 2) : x));
    // Consecutive calls add 0 and 1 (or 1 and 0) at value 1 of the smallest batch, values 0 and 0.
    expect(checkDeterministic(ctxOf(rotation({ encrypt: stateful }))).detail).toMatch(/^encrypting the same batch twice with the same key differs at value 1: (0 vs 1|1 vs 0)$/);
    let made = 0;
    type K = RotKey & { hidden: number };
    const v = rotation({ generateKey: () => ({ r: 0, hidden: made++ }) as K, encrypt: (b, k) => ({ ...b, data: Float64Array.from(b.data, (x) => x + (k as K).hidden) }) });
    expect(checkDeterministic(ctxOf(v)).detail).toBe('two keys from the same seed encrypt differently at value 0');
  });

  it('secure keys: compared from 2³² claimed keys on, and must differ', () => {
    const claim = (size: bigint) => ({ formula: 'n', size: () => size });
    const same = { generateKey: () => ({ r: 1 }) };
    const f = checkDeterministic(ctxOf(rotation({ ...same, keySpace: claim(2n ** 32n) })));
    expect(f).toEqual({ id: 'deterministic', title: 'deterministic', verdict: 'fail', detail: 'generateKey without a seed returned the same key twice in 4 calls: keys are not drawn from a secure source', counterexample: '{"rot":1}' });
    expect(checkDeterministic(ctxOf(rotation({ ...same, keySpace: undefined }))).verdict).toBe('fail');
    expect(checkDeterministic(ctxOf(rotation({ ...same, keySpace: claim(2n ** 32n - 1n) }))).detail).toBe('same key → same output, same seed → same key (secure keys not compared: only 4294967295 keys)');
    // Two of the four equal is enough to fail.
    let n = 0;
    const three = { generateKey: (_p: unknown, seed?: string) => ({ r: seed === undefined ? [1, 2, 3, 1][n++ % 4] : 0 }), keySpace: undefined };
    expect(checkDeterministic(ctxOf(rotation(three))).verdict).toBe('fail');
    let m = 0;
    const fresh = { generateKey: (_p: unknown, seed?: string) => ({ r: seed === undefined ? ++m : 0 }), keySpace: undefined };
    expect(checkDeterministic(ctxOf(rotation(fresh))).detail).toBe('same key → same output, same seed → same key; 4 secure keys all differ');
  });
});

describe('serialization', () => {
  it('passes the rotation', () => {
    expect(checkSerialization(ctxOf(rotation()))).toEqual({ id: 'serialization', title: 'key (de)serialization', verdict: 'pass', detail: 'parseKey ∘ serializeKey keeps the key; bad text is rejected' });
  });
  it('a non-string, a text that does not come back, a parsed key that encrypts differently, garbage accepted', () => {
    expect(checkSerialization(ctxOf(rotation({ serializeKey: () => 7 as unknown as string }))).detail).toBe('serializeKey returned number, expected a string');
    // The text comes back with a space: both shown (JSON-quoted, 80 characters at most).
    const long = 'x'.repeat(100);
    const v = rotation({ serializeKey: (k) => `${long}${k.r === 9 ? ' ' : ''}`, parseKey: () => ({ r: 9 }) });
    expect(checkSerialization(ctxOf(v)).detail).toBe(`serializeKey(parseKey(text)) ≠ text: "${'x'.repeat(80)}"… came back as "${'x'.repeat(80)}"…`);
    // The parsed key carries an offset its text does not show: same text, other ciphertext.
    type K = RotKey & { off?: number };
    const drift = rotation({ parseKey: (t) => ({ r: (JSON.parse(t) as { rot: number }).rot, off: 1 }) as K, encrypt: (b, k) => ({ ...b, data: Float64Array.from(b.data, (x) => x + ((k as K).off ?? 0)) }) });
    expect(checkSerialization(ctxOf(drift)).detail).toBe('the parsed key encrypts differently from the original at value 0');
    expect(checkSerialization(ctxOf(rotation({ parseKey: () => ({ r: 0 }), generateKey: () => ({ r: 0 }) })))).toEqual({ id: 'serialization', title: 'key (de)serialization', verdict: 'fail', detail: 'parseKey accepted {"not": "a key"}: bad key text must be rejected' });
  });
});

describe('batches', () => {
  it('workParams: a 2×2 grid for grid-bound variants only', () => {
    expect(workParams(rotation())).toEqual({ blockSize: 1, channels: 2 });
    expect(workParams(rotation({ gridBound: true, params: { blockSize: 2, channels: 1, rows: 8, cols: 8 } }))).toEqual({ blockSize: 2, channels: 1, rows: 2, cols: 2 });
  });
  it('where, sameData, batchOf, randomBytes', () => {
    const b = batchOf({ blockSize: 2, channels: 3 }, { images: 1, rows: 1, cols: 2 }, new Array(24).fill(0));
    expect(b).toEqual({ data: new Float64Array(24), images: 1, rows: 1, cols: 2, blockSize: 2, channels: 3 });
    // p_b = 12: value 13 is block 1, k = 1.
    expect(where(b, 13)).toBe('block 1, k=1');
    expect(sameData(Float64Array.of(1, 2), Float64Array.of(1, 2))).toBe(-1);
    expect(sameData(Float64Array.of(1, 2), Float64Array.of(1))).toBe(0);
    expect(sameData(Float64Array.of(1, 2), Float64Array.of(1, 3))).toBe(1);
    expect(sameData(Float64Array.of(0), Float64Array.of(-0))).toBe(0);
    const r = randomBytes('s', 500);
    expect(r.length).toBe(500);
    expect(r.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)).toBe(true);
    expect(Math.max(...r)).toBeGreaterThan(250);
    expect(new Set(r).size).toBeGreaterThan(100);
  });
});

/** Off the 8-bit grid of the unit domain: only the value properties' doubles reach it (the storable check draws 8-bit values). */
const offGrid = (x: number) => Math.abs(x * 255 - Math.round(x * 255)) > 1e-6;
const anyOffGrid = (b: BlockBatch) => b.data.some(offGrid);

describe('mutants of the value checks (Stryker, 2026-12-03)', () => {
  it('the checks draw doubles, not 8-bit values, in the unit domain (shape.ts:11, domain.ts:12, invertible.ts:13, deterministic.ts:10, serialization.ts:10 BooleanLiteral false → true)', () => {
    const unit = (over: Parameters<typeof rotation>[0]) => ctxOf(rotation({ domain: 'unit', ...over }));
    expect(checkShape(unit({ encrypt: (b) => ({ ...b, data: anyOffGrid(b) ? b.data.slice(1) : Float64Array.from(b.data) }) })).verdict).toBe('fail');
    expect(checkDomain(unit({ encrypt: (b) => ({ ...b, data: Float64Array.from(b.data, (x) => (offGrid(x) ? 2 : x)) }) })).verdict).toBe('fail');
    expect(checkInvertible(unit({ encrypt: idMap, decrypt: mapValues((x) => Math.round(x * 255) / 255) })).verdict).toBe('fail');
    let calls = 0;
    expect(checkDeterministic(unit({ encrypt: (b) => ({ ...b, data: Float64Array.from(b.data, (x) => (offGrid(x) ? x + (calls++ % 2) : x)) }) })).verdict).toBe('fail');
    type K = RotKey & { off?: boolean };
    const parseOff = (t: string): K => {
      const o = JSON.parse(t) as { rot?: unknown };
      if (!Number.isInteger(o.rot)) throw new Error('not a rotation key');
      return { r: o.rot as number, off: true };
    };
    const parsedOff = unit({ parseKey: parseOff, encrypt: (b, k) => ({ ...b, data: Float64Array.from(b.data, (x) => ((k as K).off && offGrid(x) ? 0 : x)) }) });
    expect(checkSerialization(parsedOff).detail).toMatch(/^the parsed key encrypts differently from the original at value \d+$/);
  });

  it('each check names itself in its fail result and replay line (domain.ts:12,22, invertible.ts:13,24, deterministic.ts:10,25, serialization.ts:10,21, storable.ts:13 StringLiteral)', () => {
    const replayOf = (id: string) => expect.objectContaining({ command: expect.stringMatching(new RegExp(`^cipherpatch fuzz rotation --only ${id} --seed 1 --path "`)) });
    expect(checkDomain(ctxOf(rotation({ encrypt: mapValues(() => -1) })))).toMatchObject({ id: 'domain', title: 'domain preserved', verdict: 'fail', replay: replayOf('domain') });
    expect(checkInvertible(ctxOf(rotation({ decrypt: mapValues(() => -1) })))).toMatchObject({ id: 'invertible', title: 'decrypt ∘ encrypt = id', verdict: 'fail', replay: replayOf('invertible') });
    let n = 0;
    expect(checkDeterministic(ctxOf(rotation({ generateKey: () => ({ r: n++ % 2 }) })))).toMatchObject({ id: 'deterministic', title: 'deterministic', verdict: 'fail', replay: replayOf('deterministic') });
    expect(checkSerialization(ctxOf(rotation({ serializeKey: () => 7 as unknown as string })))).toMatchObject({ id: 'serialization', title: 'key (de)serialization', verdict: 'fail', replay: replayOf('serialization') });
    expect(checkStorable(ctxOf(rotation({ encrypt: mapValues(() => 0.5) })))).toMatchObject({ id: 'storable', verdict: 'fail', replay: replayOf('storable') });
  });

  it('a difference at value 0: decrypt out of domain, encrypt not deterministic (domain.ts:20, deterministic.ts:21 EqualityOperator >= → >)', () => {
    expect(checkDomain(ctxOf(rotation({ encrypt: idMap, decrypt: mapValues((x, i) => (i === 0 ? -1 : x)) }))).detail).toBe('decrypted value -1 (block 0, k=0) is outside the declared input domain "uint8"');
    let calls = 0;
    expect(checkDeterministic(ctxOf(rotation({ encrypt: mapValues((x, i) => (i === 0 ? x + (calls++ % 2) : x)) }))).detail).toMatch(/^encrypting the same batch twice with the same key differs at value 0: (0 vs 1|1 vs 0)$/);
  });

  it('the whole pass result of deterministic with secure keys; a long key text cut to 300 characters (deterministic.ts:30 MethodExpression, :31 StringLiteral)', () => {
    let m = 0;
    const fresh = rotation({ keySpace: undefined, generateKey: (_p, seed) => ({ r: seed === undefined ? ++m : 0 }) });
    expect(checkDeterministic(ctxOf(fresh))).toEqual({ id: 'deterministic', title: 'deterministic', verdict: 'pass', detail: 'same key → same output, same seed → same key; 4 secure keys all differ' });
    const long = rotation({ keySpace: undefined, generateKey: () => ({ r: 1 }), serializeKey: () => 'k'.repeat(400), parseKey: () => ({ r: 1 }) });
    expect(checkDeterministic(ctxOf(long)).counterexample).toBe('k'.repeat(300));
  });

  it('the whole fail result of serialization; garbage that parses as JSON must still be rejected (serialization.ts:21, :24 StringLiteral)', () => {
    expect(checkSerialization(ctxOf(rotation({ serializeKey: () => 7 as unknown as string })))).toMatchObject({ id: 'serialization', title: 'key (de)serialization', verdict: 'fail', detail: 'serializeKey returned number, expected a string' });
    // Reads any JSON object (a missing rot is 0) but not an empty text: only '{"not": "a key"}' shows it.
    const lenient = rotation({ parseKey: (t) => ({ r: (JSON.parse(t) as { rot?: number }).rot ?? 0 }) });
    expect(checkSerialization(ctxOf(lenient))).toEqual({ id: 'serialization', title: 'key (de)serialization', verdict: 'fail', detail: 'parseKey accepted {"not": "a key"}: bad key text must be rejected' });
  });

  it('batch cases: values of each domain, n = images·rows·cols·p_b, grids of grid-bound variants (batches.ts:30-32 ConditionalExpression/ArrayDeclaration/ObjectLiteral/EqualityOperator, :37 ObjectLiteral, :43 ArithmeticOperator)', () => {
    const cases = (over: Parameters<typeof rotation>[0], bytes = false) => {
      const v = rotation(over);
      return fc.sample(batchCaseArb(ctxOf(v), workParams(v), bytes), { seed: 11, numRuns: 200 });
    };
    const values = (cs: ReturnType<typeof cases>) => cs.flatMap((c) => c.values);
    for (const c of cases({})) expect(c.values).toHaveLength(c.images * c.rows * c.cols * 2);
    const shapes = new Set(cases({}).map((c) => `${c.images}${c.rows}${c.cols}`));
    expect(shapes).toEqual(new Set(['111', '112', '121', '122', '211', '212', '221', '222']));
    const u8 = values(cases({}));
    expect(u8.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)).toBe(true);
    const unit = values(cases({ domain: 'unit' }));
    expect(unit.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(unit.some(offGrid)).toBe(true);
    expect(unit.some((x) => x > 0.5)).toBe(true);
    // No −0 (fast-check draws it; the arbitrary maps it to 0), and not all zero.
    expect(unit.some((x) => Object.is(x, -0))).toBe(false);
    const real = values(cases({ domain: 'real' }));
    expect(real.every((x) => x >= -3 && x <= 3 && !Object.is(x, -0))).toBe(true);
    expect(real.some((x) => x < -1)).toBe(true);
    expect(real.some((x) => x > 1)).toBe(true);
    expect(real.some(offGrid)).toBe(true);
    expect(values(cases({ domain: 'unit' }, true)).every((x) => !offGrid(x))).toBe(true);
    const grid = cases({ gridBound: true, params: { blockSize: 1, channels: 2, rows: 5, cols: 5 } });
    expect(new Set(grid.map((c) => `${c.rows}×${c.cols}`))).toEqual(new Set(['2×2']));
    expect(new Set(grid.map((c) => c.images))).toEqual(new Set([1, 2]));
    for (const c of grid) expect(c.values).toHaveLength(c.images * 8);
  });
});
