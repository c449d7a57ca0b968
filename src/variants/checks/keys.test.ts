/**
 * The key checks (key-sensitivity, equivalent-keys and key-space from the
 * tiny brute force, known-answer) on the tiny rotation variant
 * (src/variants/fixtures/tiny.ts): its key space is p_b keys, p_b distinct
 * rotations, counted by hand below; broken claims and enumerators one at a
 * time. Each test names the Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from './batches.ts';
import type { KnownAnswers, VariantParams } from '../contract.ts';
import { type RotKey, ctxOf, mapValues, rotation } from '../fixtures/tiny.ts';
import { enumerateFunctions, oneLine } from './enumeration.ts';
import { checkKeySensitivity } from './keySensitivity.ts';
import { checkKeySpace } from './keySpace.ts';
import { checkKnownAnswer } from './knownAnswer.ts';

const claim = (size: (p: VariantParams) => bigint, enumerate?: (p: VariantParams) => Iterable<RotKey>) => ({ formula: 'n', size, ...(enumerate ? { enumerate } : {}) });
const rotations = (n: number) => Array.from({ length: n }, (_, r) => ({ r }));

describe('key-sensitivity', () => {
  it('small key spaces: every key, exhaustively (up to 4096 claimed keys)', () => {
    expect(checkKeySensitivity(ctxOf(rotation()))).toEqual({ id: 'key-sensitivity', title: 'different keys, different ciphertexts', verdict: 'pass', detail: 'exhaustive: all 2 keys at M=1,C=2 give different ciphertexts' });
    expect(checkKeySensitivity(ctxOf(rotation({ keySpace: claim(() => 4096n, () => rotations(2)) }))).detail).toBe('exhaustive: all 2 keys at M=1,C=2 give different ciphertexts');
    // 4097 claimed: random pairs instead (10 runs).
    expect(checkKeySensitivity(ctxOf(rotation({ keySpace: claim(() => 4097n, () => rotations(2)) }))).detail).toBe('10 random key pairs: all encrypt a generic image differently');
    expect(checkKeySensitivity(ctxOf(rotation({ keySpace: claim(() => 2n) }))).detail).toBe('10 random key pairs: all encrypt a generic image differently');
  });

  it('exhaustive: two keys, one function', () => {
    // Keys r and r + 2 are one rotation of p_b = 2 values.
    const v = rotation({ keySpace: claim(() => 3n, () => rotations(3)) });
    expect(checkKeySensitivity(ctxOf(v))).toEqual({
      id: 'key-sensitivity',
      title: 'different keys, different ciphertexts',
      verdict: 'fail',
      detail: 'exhaustive over all 3 keys at M=1,C=2: two different keys encrypt every probe identically (2 distinct functions)',
      counterexample: '{"rot":0} ≡ {"rot":2}',
    });
  });

  it('random pairs: keys whose texts differ but encrypt alike', () => {
    // Every key serializes by its seed, encrypts as the identity: grid-bound on 1×2 blocks so that the generic image is 1×2.
    const v = rotation({ keySpace: undefined, generateKey: (_p, seed) => ({ r: 0, seed }) as RotKey, serializeKey: (k) => JSON.stringify(k), encrypt: mapValues((x) => x) });
    const r = checkKeySensitivity(ctxOf(v));
    // keySensitivity.ts:38 StringLiteral (the fail result's id).
    expect(r).toMatchObject({ id: 'key-sensitivity', title: 'different keys, different ciphertexts', verdict: 'fail' });
    expect(r.detail).toMatch(/^keys from seeds "[^"]*" and "[^"]*" differ but encrypt a generic image identically: equivalent keys$/);
    expect(r.replay?.command).toMatch(/--only key-sensitivity /);
    // Identical keys from different seeds are skipped, not failed (fc.pre).
    const constant = rotation({ keySpace: undefined, generateKey: () => ({ r: 1 }) });
    expect(checkKeySensitivity(ctxOf(constant)).verdict).toBe('fail');
    expect(checkKeySensitivity(ctxOf(constant)).detail).toMatch(/^too many runs skipped \(\d+\): no valid input found$/);
  });

  it('random pairs on a grid-bound variant use its grid for the generic image', () => {
    const seen: string[] = [];
    const v = rotation({
      keySpace: undefined,
      gridBound: true,
      params: { blockSize: 1, channels: 2, rows: 3, cols: 1 },
      encrypt: (b, k) => {
        seen.push(`${b.rows}×${b.cols}:${b.data.length}`);
        return { ...b, data: Float64Array.from(b.data, (x, i) => (i === 0 ? x + k.r : x)) };
      },
    });
    checkKeySensitivity(ctxOf(v, 5));
    // workParams gives grid-bound variants a 2×2 grid: 4 blocks of p_b = 2.
    expect(new Set(seen)).toEqual(new Set(['2×2:8']));
    const free: string[] = [];
    checkKeySensitivity(ctxOf(rotation({ keySpace: undefined, encrypt: (b, k) => (free.push(`${b.rows}×${b.cols}:${b.images}`), { ...b, data: Float64Array.from(b.data, (x, i) => (i === 0 ? x + k.r : x)) }) }), 5));
    expect(new Set(free)).toEqual(new Set(['2×2:1']));
  });
});

describe('enumeration', () => {
  it('counts keys and functions, stops an endless enumerator after claimed + 2 keys, names a duplicate', () => {
    const ctx = ctxOf(rotation());
    expect(enumerateFunctions(ctx, { blockSize: 2, channels: 1 }, 4n)).toEqual({ count: { params: { blockSize: 2, channels: 1 }, claimed: '4', enumerated: 4, distinct: 4 } });
    const endless = rotation({
      keySpace: claim(
        () => 3n,
        function* () {
          for (let r = 0; ; r++) yield { r };
        },
      ),
    });
    // The 5th key (claimed + 2) stops it; keys 0..3 are 2 functions of p_b = 2, key 2 the first repeat of one.
    expect(enumerateFunctions(ctxOf(endless), { blockSize: 1, channels: 2 }, 3n)).toEqual({ count: { params: { blockSize: 1, channels: 2 }, claimed: '3', enumerated: 5, distinct: 2 }, equivalent: ['{"rot":0}', '{"rot":2}'] });
    const twice = rotation({ keySpace: claim(() => 3n, () => [{ r: 0 }, { r: 1 }, { r: 0 }, { r: 1 }]) });
    expect(enumerateFunctions(ctxOf(twice), { blockSize: 1, channels: 2 }, 3n)).toEqual({ count: { params: { blockSize: 1, channels: 2 }, claimed: '3', enumerated: 4, distinct: 2 }, duplicate: '{"rot":0}' });
  });

  it('the probes tell every rotation apart: distinct values, then seeded random ones', () => {
    // p_b = 12 rotations of distinct values 1..24 (fromByte(1 + i mod 126)) are 12 different functions.
    expect(enumerateFunctions(ctxOf(rotation()), { blockSize: 2, channels: 3 }, 12n).count.distinct).toBe(12);
    const probes: number[][] = [];
    const v = rotation({ encrypt: (b) => (probes.push(Array.from(b.data)), b) });
    enumerateFunctions(ctxOf(v), { blockSize: 1, channels: 2, rows: 2, cols: 1 }, 1n);
    expect(probes[0]).toEqual([1, 2, 3, 4]);
    expect(probes[1]).toHaveLength(4);
    expect(probes[1]).not.toEqual(probes[0]);
    const unit: number[][] = [];
    enumerateFunctions(ctxOf(rotation({ domain: 'unit', encrypt: (b) => (unit.push(Array.from(b.data)), b) })), { blockSize: 1, channels: 1 }, 1n);
    // No grid: 1 row of 2 blocks; unit values v/255.
    expect(unit[0]).toEqual([1 / 255, 2 / 255]);
    const big: number[][] = [];
    enumerateFunctions(ctxOf(rotation({ encrypt: (b) => (big.push(Array.from(b.data)), b) })), { blockSize: 8, channels: 2 }, 1n);
    expect(big[0].slice(124, 130)).toEqual([125, 126, 1, 2, 3, 4]);
  });

  it('oneLine: whitespace runs to one space, trimmed, 200 characters at most', () => {
    expect(oneLine('  {\n  "a": 1,\n\t"b": 2\n}\n')).toBe('{ "a": 1, "b": 2 }');
    expect(oneLine('x'.repeat(200))).toBe('x'.repeat(200));
    expect(oneLine('x'.repeat(201))).toBe(`${'x'.repeat(200)}…`);
  });
});

describe('equivalent-keys and key-space', () => {
  // Rotations of p_b = M²·C values at M ∈ {1, 2}, C ∈ {1..4}: p_b keys, p_b functions.
  const all = 'M=1,C=1: 1; M=1,C=2: 2; M=1,C=3: 3; M=1,C=4: 4; M=2,C=1: 4; M=2,C=2: 8; M=2,C=3: 12; M=2,C=4: 16';

  it('n/a without a claim, without an enumerator, without a tiny size', () => {
    const none = checkKeySpace(ctxOf(rotation({ keySpace: undefined })));
    expect(none).toEqual({
      space: { id: 'key-space', title: 'claimed key space = brute force', verdict: 'n/a', detail: 'no claimed key space (keySpace absent)' },
      equivalent: { id: 'equivalent-keys', title: 'no equivalent keys (tiny sizes)', verdict: 'n/a', detail: 'no claimed key space (keySpace absent)' },
      tiny: [],
    });
    // 24 keys: log2 24 = 4.58.
    const noEnum = checkKeySpace(ctxOf(rotation({ keySpace: { formula: '4!', size: () => 24n } })));
    expect(noEnum).toEqual({
      space: { id: 'key-space', title: 'claimed key space = brute force', verdict: 'n/a', detail: 'log2 = 4.6 at M=1,C=2 (claimed 4!); no enumerator, nothing to brute-force' },
      equivalent: { id: 'equivalent-keys', title: 'no equivalent keys (tiny sizes)', verdict: 'n/a', detail: 'no key enumerator' },
      tiny: [],
      log2Paper: Math.log2(24),
      paper: '24',
    });
    // Every tiny size claims 0 keys, or more than the limit.
    for (const size of [0n, 20001n]) {
      const r = checkKeySpace(ctxOf(rotation({ keySpace: claim(() => size, () => []) })));
      expect(r.space.detail).toMatch(/; no tiny size with at most 20000 keys$/);
      expect(r.equivalent).toEqual({ id: 'equivalent-keys', title: 'no equivalent keys (tiny sizes)', verdict: 'n/a', detail: 'no tiny size with at most 20000 keys' });
      expect(r.tiny).toEqual([]);
    }
  });

  it('passes the rotation at all 8 default tiny sizes; the limit and supports() leave sizes out', () => {
    const r = checkKeySpace(ctxOf(rotation()));
    expect(r.space).toEqual({ id: 'key-space', title: 'claimed key space = brute force', verdict: 'pass', detail: `log2 = 1.0 at M=1,C=2 (claimed p_b); distinct encryption functions = claimed at 8 tiny sizes (${all})` });
    // 1 + 2 + 3 + 4 + 4 + 8 + 12 + 16 = 50 keys.
    expect(r.equivalent).toEqual({ id: 'equivalent-keys', title: 'no equivalent keys (tiny sizes)', verdict: 'pass', detail: 'every key a different function at 8 tiny sizes (50 keys)' });
    expect(r.tiny.map((t) => t.enumerated)).toEqual([1, 2, 3, 4, 4, 8, 12, 16]);
    expect(r).toMatchObject({ log2Paper: 1, paper: '2' });
    // limit 4: sizes 1..4 (M=1 all, M=2 C=1); 1 + 2 + 3 + 4 + 4 = 14 keys.
    expect(checkKeySpace(ctxOf(rotation(), 10, { limit: 4 })).equivalent.detail).toBe('every key a different function at 5 tiny sizes (14 keys)');
    const odd = rotation({ supports: (p) => (p.channels % 2 === 1 ? 'odd C' : undefined) });
    expect(checkKeySpace(ctxOf(odd)).space.detail).toBe('log2 = 1.0 at M=1,C=2 (claimed p_b); distinct encryption functions = claimed at 4 tiny sizes (M=1,C=2: 2; M=1,C=4: 4; M=2,C=2: 8; M=2,C=4: 16)');
  });

  it('grid-bound variants: grids 1×2 and 2×2; declared tiny params instead of the defaults', () => {
    const grid = rotation({ gridBound: true, params: { blockSize: 1, channels: 1, rows: 2, cols: 2 }, keySpace: { ...rotation().keySpace!, tinyParams: undefined } });
    const g = checkKeySpace(ctxOf(grid, 10, { limit: 2 }));
    // limit 2: p_b ≤ 2, i.e. M = 1 and C ∈ {1, 2}, each on both grids.
    expect(g.tiny.map((t) => t.params)).toEqual([
      { blockSize: 1, channels: 1, rows: 1, cols: 2 },
      { blockSize: 1, channels: 1, rows: 2, cols: 2 },
      { blockSize: 1, channels: 2, rows: 1, cols: 2 },
      { blockSize: 1, channels: 2, rows: 2, cols: 2 },
    ]);
    expect(g.space.detail).toContain('(M=1,C=1,grid=1×2: 1; M=1,C=1,grid=2×2: 1; M=1,C=2,grid=1×2: 2; M=1,C=2,grid=2×2: 2)');
    const own = rotation({ keySpace: { ...rotation().keySpace!, tinyParams: [{ blockSize: 1, channels: 3 }] } });
    expect(checkKeySpace(ctxOf(own)).space.detail).toBe('log2 = 1.0 at M=1,C=2 (claimed p_b); distinct encryption functions = claimed at 1 tiny sizes (M=1,C=3: 3)');
  });

  it('fails: fewer functions than claimed, fewer or more keys enumerated, a key twice', () => {
    // Claims p_b + 1 keys and enumerates p_b + 1 rotations: rotation p_b is rotation 0.
    const more = rotation({ keySpace: { formula: 'p_b + 1', size: (p) => BigInt(p.blockSize ** 2 * p.channels + 1), enumerate: (p) => rotations(p.blockSize ** 2 * p.channels + 1), tinyParams: [{ blockSize: 1, channels: 2 }] } });
    const m = checkKeySpace(ctxOf(more));
    expect(m.space).toEqual({
      id: 'key-space',
      title: 'claimed key space = brute force',
      verdict: 'fail',
      detail: 'log2 = 1.6 at M=1,C=2 (claimed p_b + 1); at M=1,C=2: only 2 distinct encryption functions of 3 claimed (effective log2 1.00 vs 1.58)',
      counterexample: '{"rot":0} ≡ {"rot":2}',
    });
    expect(m.equivalent).toEqual({ id: 'equivalent-keys', title: 'no equivalent keys (tiny sizes)', verdict: 'fail', detail: 'at M=1,C=2: different keys, one encryption function (2 functions from 3 keys)', counterexample: '{"rot":0} ≡ {"rot":2}' });
    const tiny = [{ blockSize: 1, channels: 2 }];
    const short = checkKeySpace(ctxOf(rotation({ keySpace: { formula: 'p_b', size: () => 2n, enumerate: () => rotations(1), tinyParams: tiny } })));
    expect(short.space).toEqual({ id: 'key-space', title: 'claimed key space = brute force', verdict: 'fail', detail: 'log2 = 1.0 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields 1 keys, the formula claims 2' });
    expect(short.equivalent.verdict).toBe('pass');
    const extra = checkKeySpace(ctxOf(rotation({ keySpace: { formula: 'p_b', size: () => 1n, enumerate: () => rotations(2), tinyParams: tiny } })));
    expect(extra.space.detail).toBe('log2 = 0.0 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields more keys, the formula claims 1');
    const twice = checkKeySpace(ctxOf(rotation({ keySpace: { formula: 'p_b', size: () => 2n, enumerate: () => [{ r: 1 }, { r: 1 }], tinyParams: tiny } })));
    expect(twice.space).toEqual({ id: 'key-space', title: 'claimed key space = brute force', verdict: 'fail', detail: 'log2 = 1.0 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields a key twice', counterexample: '{"rot":1}' });
    // The counts line shows what differs: 1 distinct of 2 claimed, 2 enumerated.
    expect(twice.tiny).toEqual([{ params: tiny[0], claimed: '2', enumerated: 2, distinct: 1 }]);
    const lacking = checkKeySpace(ctxOf(rotation({ keySpace: { formula: 'p_b', size: (p) => BigInt(p.channels), enumerate: () => rotations(1), tinyParams: [{ blockSize: 1, channels: 1 }, ...tiny] } })));
    // The first size (1 key) is right; the second is the wrong one.
    expect(lacking.space.detail).toBe('log2 = 1.0 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields 1 keys, the formula claims 2');
  });

  it('the counts line marks each size that differs from its claim', () => {
    const v = rotation({ keySpace: { formula: 'p_b', size: (p) => (p.channels === 1 ? 1n : 3n), enumerate: (p) => rotations(p.channels === 1 ? 1 : 2), tinyParams: [{ blockSize: 1, channels: 1 }, { blockSize: 1, channels: 2 }] } });
    // C = 1: 1 key, right; C = 2: 2 keys and functions of 3 claimed.
    expect(checkKeySpace(ctxOf(v)).space.detail).toBe('log2 = 1.6 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields 2 keys, the formula claims 3');
    const ok = checkKeySpace(ctxOf(rotation({ keySpace: { ...rotation().keySpace!, tinyParams: [{ blockSize: 1, channels: 1 }, { blockSize: 1, channels: 2 }] } })));
    expect(ok.space.detail).toBe('log2 = 1.0 at M=1,C=2 (claimed p_b); distinct encryption functions = claimed at 2 tiny sizes (M=1,C=1: 1; M=1,C=2: 2)');
    // A size where only the function count differs is marked with both counts.
    const dup = rotation({ keySpace: { formula: 'p_b', size: () => 2n, enumerate: () => [{ r: 0 }, { r: 2 }], tinyParams: [{ blockSize: 1, channels: 2 }, { blockSize: 1, channels: 1 }] } });
    const d = checkKeySpace(ctxOf(dup));
    expect(d.tiny).toEqual([
      { params: { blockSize: 1, channels: 2 }, claimed: '2', enumerated: 2, distinct: 1 },
      { params: { blockSize: 1, channels: 1 }, claimed: '2', enumerated: 2, distinct: 1 },
    ]);
  });
});

describe('known-answer', () => {
  const plain = { data: Float64Array.of(10, 20, 30, 40), images: 1, rows: 1, cols: 2, blockSize: 1, channels: 2 };
  // Rotation by 1 of blocks (10, 20), (30, 40): (20, 10), (40, 30).
  const vector = (encrypted: number[], id = 'v1') => ({ id, key: { r: 1 }, plain, encrypted });
  const withKa = (ka: unknown) => rotation({ knownAnswers: ka as KnownAnswers<RotKey> });
  const title = 'known answers match';

  it('n/a without known answers or without vectors for this variant; a malformed declaration fails', () => {
    expect(checkKnownAnswer(ctxOf(rotation()))).toEqual({ id: 'known-answer', title, verdict: 'n/a', detail: 'no known-answer vectors declared' });
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'hand', vectors: () => [] })))).toEqual({ id: 'known-answer', title, verdict: 'n/a', detail: 'hand: no vectors for this variant' });
    const bad = '"knownAnswers" must be an object { source, vectors?, primitive? }';
    for (const ka of [null, 7, { vectors: () => [] }]) expect(checkKnownAnswer(ctxOf(withKa(ka)))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: bad });
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'hand' }))).detail).toBe('knownAnswers (hand) declares neither vectors() nor primitive()');
  });

  it('passes exact vectors and primitive samples, counted', () => {
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'hand', vectors: () => [vector([20, 10, 40, 30])] })))).toEqual({ id: 'known-answer', title, verdict: 'pass', detail: '1 vector (4 values) encrypt and decrypt exactly as recorded (hand)' });
    const both = withKa({ source: 'hand', vectors: () => [vector([20, 10, 40, 30]), vector([20, 10, 40, 30], 'v2')], primitive: () => ({ checked: 3, mismatches: [] }) });
    expect(checkKnownAnswer(ctxOf(both)).detail).toBe('2 vectors (8 values) encrypt and decrypt exactly as recorded; 3 samples of the cipher inside match (hand)');
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'NIST', primitive: () => ({ checked: 5, mismatches: [] }) }))).detail).toBe('5 samples of the cipher inside match (NIST)');
  });

  it('fails: a value that differs (first or last), a length, a shape, a decrypt, a primitive sample', () => {
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'hand', vectors: () => [vector([21, 10, 40, 30])] })))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: 'v1 (hand): value 0 (block 0, k=0) = 10 encrypts to 20, the known answer is 21' });
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'hand', vectors: () => [vector([20, 10, 40, 31])] }))).detail).toBe('v1 (hand): value 3 (block 1, k=1) = 40 encrypts to 30, the known answer is 31');
    expect(checkKnownAnswer(ctxOf(withKa({ source: 'hand', vectors: () => [vector([20, 10, 40])] }))).detail).toBe('v1: the vector has 3 encrypted values, the batch 4');
    const short = rotation({ encrypt: (b) => ({ ...b, data: b.data.slice(1) }), knownAnswers: { source: 'hand', vectors: () => [vector([20, 10, 40, 30])] } });
    expect(checkKnownAnswer(ctxOf(short)).detail).toBe('v1: encrypt returned 3 values for an input of 4 (1×1×2 blocks of 2)');
    const badDecrypt = rotation({ decrypt: (b, k) => mapValues((x, i) => (i === 2 ? x + 1 : x))(rotation().decrypt(b, k)), knownAnswers: { source: 'hand', vectors: () => [vector([20, 10, 40, 30])] } });
    expect(checkKnownAnswer(ctxOf(badDecrypt)).detail).toBe('v1 (hand): the known ciphertext value 2 = 40 decrypts to 31, the plain value is 30');
    const prim = withKa({ source: 'NIST', vectors: () => [vector([20, 10, 40, 30])], primitive: () => ({ checked: 9, mismatches: ['sample 4: got 1', 'sample 7'] }) });
    expect(checkKnownAnswer(ctxOf(prim))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: 'NIST: 2 of 9 samples of the cipher inside differ; first: sample 4: got 1' });
  });

  it('decrypt within rounding for unit values, exactly for uint8', () => {
    const u = (d: number) => ({ id: 'u', key: { r: 1 }, plain: { ...plain, data: Float64Array.of(0.1, 0.2, 0.3, 0.4) }, encrypted: [0.2, 0.1, 0.4, 0.3] , d });
    const unit = (d: number) => rotation({ domain: 'unit', decrypt: (b, k) => mapValues((x) => x + d)(rotation().decrypt(b, k)), knownAnswers: { source: 'hand', vectors: () => [u(d)] } });
    expect(checkKnownAnswer(ctxOf(unit(2 ** -40))).verdict).toBe('pass');
    expect(checkKnownAnswer(ctxOf(unit(1e-9))).detail).toBe(`u (hand): the known ciphertext value 0 = 0.2 decrypts to ${0.1 + 1e-9}, the plain value is 0.1`);
    const u8 = rotation({ decrypt: (b, k) => mapValues((x) => x + 2 ** -40)(rotation().decrypt(b, k)), knownAnswers: { source: 'hand', vectors: () => [vector([20, 10, 40, 30])] } });
    expect(checkKnownAnswer(ctxOf(u8)).verdict).toBe('fail');
  });
});

describe('mutants of the key checks (Stryker, 2026-12-03)', () => {
  const tiny1 = { blockSize: 1, channels: 1 };

  it('the second probe: seeded random bytes under "probe/<params>" (enumeration.ts:16 StringLiteral, ArrowFunction)', () => {
    const probes: number[][] = [];
    enumerateFunctions(ctxOf(rotation({ encrypt: (b) => (probes.push(Array.from(b.data)), b) })), { blockSize: 1, channels: 2, rows: 2, cols: 1 }, 1n);
    expect(probes[1]).toEqual(Array.from(randomBytes('probe/M=1,C=2,grid=2×1', 4)));
    const unit: number[][] = [];
    enumerateFunctions(ctxOf(rotation({ domain: 'unit', encrypt: (b) => (unit.push(Array.from(b.data)), b) })), tiny1, 1n);
    expect(unit[1]).toEqual(Array.from(randomBytes('probe/M=1,C=1', 2), (v) => v / 255));
  });

  it('fingerprints keep the values and the probes apart (enumeration.ts:21 StringLiteral join(",") and join("|") → "")', () => {
    // Key 0 encrypts probe 1 (the distinct values 1, 2) to (5, 1) and probe 2 to (23, 7); key 1 to (5, 12) and (3, 7):
    // "5,1|23,7" ≠ "5,12|3,7", but without "|" both read "5,123,7"; key 2 gives (1, 23) and (4, 5), (12, 3) and (4, 5) for key 3: "123" without ",".
    const out: Record<number, [number[], number[]]> = { 0: [[5, 1], [23, 7]], 1: [[5, 12], [3, 7]], 2: [[1, 23], [4, 5]], 3: [[12, 3], [4, 5]] };
    const v = rotation({
      encrypt: (b, k) => ({ ...b, data: Float64Array.from(b.data[0] === 1 && b.data[1] === 2 ? out[k.r][0] : out[k.r][1]) }),
      keySpace: claim(() => 4n, () => rotations(4)),
    });
    expect(enumerateFunctions(ctxOf(v), tiny1, 4n).count).toEqual({ params: tiny1, claimed: '4', enumerated: 4, distinct: 4 });
  });

  it('the whole random-pairs pass result; a generic image per run (keySensitivity.ts:34, :38 StringLiteral)', () => {
    const images = new Set<string>();
    const v = rotation({ keySpace: undefined, encrypt: (b, k) => (images.add(Array.from(b.data).join()), { ...b, data: Float64Array.from(b.data, (x, i) => (i === 0 ? x + k.r : x)) }) });
    expect(checkKeySensitivity(ctxOf(v))).toEqual({ id: 'key-sensitivity', title: 'different keys, different ciphertexts', verdict: 'pass', detail: '10 random key pairs: all encrypt a generic image differently' });
    expect(images.size).toBeGreaterThan(2);
  });

  it('a seed against itself is skipped even when the key text is not reproducible (keySensitivity.ts:28 ConditionalExpression fc.pre(a !== b) → true)', () => {
    // Key = the seed; each seed encrypts value 0 with its own offset (injective over ≤ 6 printable characters), and the text carries a counter.
    const code = (s: string) => [...s].reduce((h, ch) => h * 97 + (ch.charCodeAt(0) - 30), 0);
    let n = 0;
    type K = RotKey & { seed: string };
    const v = rotation({
      keySpace: undefined,
      generateKey: (_p, seed) => ({ r: 0, seed: seed ?? '' }) as K,
      serializeKey: (k) => JSON.stringify({ seed: (k as K).seed, n: n++ }),
      encrypt: (b, k) => ({ ...b, data: Float64Array.from(b.data, (x, i) => (i === 0 ? x + code((k as K).seed) : x)) }),
    });
    expect(checkKeySensitivity(ctxOf(v, 50)).verdict).toBe('pass');
  });

  it('the whole n/a result without a tiny size (keySpace.ts:47 StringLiteral)', () => {
    expect(checkKeySpace(ctxOf(rotation({ keySpace: claim(() => 20001n, () => []) }))).space).toEqual({ id: 'key-space', title: 'claimed key space = brute force', verdict: 'n/a', detail: 'log2 = 14.3 at M=1,C=2 (claimed n); no tiny size with at most 20000 keys' });
  });

  it('fails with more keys than claimed though the functions match the claim, and with a key text twice whose keys differ (keySpace.ts:52 ConditionalExpression → false)', () => {
    const tiny = [{ blockSize: 1, channels: 2 }];
    // Three rotations of p_b = 2 values: 2 functions, as claimed, but 3 keys.
    const three = checkKeySpace(ctxOf(rotation({ keySpace: { formula: 'p_b', size: () => 2n, enumerate: () => rotations(3), tinyParams: tiny } })));
    expect(three.space.detail).toBe('log2 = 1.0 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields more keys, the formula claims 2');
    // Two keys written alike ("k") that encrypt differently: 2 keys, 2 functions, one text twice.
    const alike = rotation({ serializeKey: () => 'k', keySpace: { formula: 'p_b', size: () => 2n, enumerate: () => rotations(2), tinyParams: tiny } });
    expect(checkKeySpace(ctxOf(alike)).space).toEqual({ id: 'key-space', title: 'claimed key space = brute force', verdict: 'fail', detail: 'log2 = 1.0 at M=1,C=2 (claimed p_b); at M=1,C=2: the enumerator yields a key twice', counterexample: 'k' });
  });

  it('known answers: a function is not an object; whole fail results (knownAnswer.ts:22 ConditionalExpression, :23, :30, :31 StringLiteral)', () => {
    const title = 'known answers match';
    const fn = Object.assign(() => 0, { source: 'hand', primitive: () => ({ checked: 1, mismatches: [] }) });
    expect(checkKnownAnswer(ctxOf(rotation({ knownAnswers: fn as never })))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: '"knownAnswers" must be an object { source, vectors?, primitive? }' });
    expect(checkKnownAnswer(ctxOf(rotation({ knownAnswers: { source: 'hand' } })))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: 'knownAnswers (hand) declares neither vectors() nor primitive()' });
    const plain = { data: Float64Array.of(10, 20), images: 1, rows: 1, cols: 1, blockSize: 1, channels: 2 };
    const short = rotation({ encrypt: (b) => ({ ...b, data: b.data.slice(1) }), knownAnswers: { source: 'hand', vectors: () => [{ id: 'v', key: { r: 1 }, plain, encrypted: [20, 10] }] } });
    expect(checkKnownAnswer(ctxOf(short))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: 'v: encrypt returned 1 values for an input of 2 (1×1×1 blocks of 2)' });
    const long = rotation({ knownAnswers: { source: 'hand', vectors: () => [{ id: 'v', key: { r: 1 }, plain, encrypted: [20, 10, 0] }] } });
    expect(checkKnownAnswer(ctxOf(long))).toEqual({ id: 'known-answer', title, verdict: 'fail', detail: 'v: the vector has 3 encrypted values, the batch 2' });
  });
});

