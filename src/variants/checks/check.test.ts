/**
 * What every check is made of (check.ts: keyFor's cache, runProperty's
 * outcomes and counterexample text, result, guard) and the verdict table
 * (table.ts: ids, titles, the ids --only accepts). Each test names the
 * Stryker mutants it was seen to kill.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../../core/errors.ts';
import { ctxOf, rotation } from '../fixtures/tiny.ts';
import { Finding, finding, guard, keyFor, keySeedArb, result, runProperty } from './check.ts';
import { SIZES, TITLES, blocksId, blocksTitle, checkIds, normId, normTitle } from './table.ts';

describe('table', () => {
  it('every check id and title, in report order', () => {
    expect(TITLES).toEqual({
      contract: 'plug-in contract',
      shape: 'shape preserved',
      domain: 'domain preserved',
      storable: '8-bit storable',
      invertible: 'decrypt ∘ encrypt = id',
      deterministic: 'deterministic',
      serialization: 'key (de)serialization',
      'key-sensitivity': 'different keys, different ciphertexts',
      'known-answer': 'known answers match',
      'equivalent-keys': 'no equivalent keys (tiny sizes)',
      'key-space': 'claimed key space = brute force',
      adapter: "variant's adapter exact",
      adaptable: 'an exact adapter exists (P = M)',
    });
    expect(Object.keys(TITLES)).toEqual(['contract', 'shape', 'domain', 'storable', 'invertible', 'deterministic', 'serialization', 'key-sensitivity', 'known-answer', 'equivalent-keys', 'key-space', 'adapter', 'adaptable']);
    expect([normId('cifar'), normTitle('none')]).toEqual(['norm:cifar', 'exact under normalization none']);
    expect([blocksId(2, 4), blocksTitle(8, 1)]).toEqual(['blocks:M=2:P=4', 'adaptable with block M=8, patch P=1']);
    expect(SIZES).toEqual([1, 2, 4, 8]);
  });

  it('checkIds: the named checks, the normalizations, then every (M, P) pair, M outer', () => {
    const named = Object.keys(TITLES);
    const ids = checkIds();
    expect(ids.slice(0, 16)).toEqual([...named, 'norm:0.5/0.5', 'norm:cifar', 'norm:none']);
    expect(ids.slice(16)).toEqual([1, 2, 4, 8].flatMap((m) => [1, 2, 4, 8].map((p) => `blocks:M=${m}:P=${p}`)));
    expect(checkIds({ blockSizes: [3], patchSizes: [6, 9] }).slice(16)).toEqual(['blocks:M=3:P=6', 'blocks:M=3:P=9']);
    expect(checkIds({ blockSizes: [5] }).slice(16)).toEqual(['blocks:M=5:P=1', 'blocks:M=5:P=2', 'blocks:M=5:P=4', 'blocks:M=5:P=8']);
    expect(checkIds({ patchSizes: [3] }).slice(16)).toEqual(['blocks:M=1:P=3', 'blocks:M=2:P=3', 'blocks:M=4:P=3', 'blocks:M=8:P=3']);
  });
});

describe('check', () => {
  it('keyFor: one generateKey per (params, seed), the cache cleared past 512 entries', () => {
    let made = 0;
    const ctx = ctxOf(rotation({ generateKey: (_p, seed) => (made++, { r: seed!.length }) }));
    const a = keyFor(ctx, { blockSize: 1, channels: 2 }, 'ab');
    expect(keyFor(ctx, { blockSize: 1, channels: 2 }, 'ab')).toBe(a);
    expect(made).toBe(1);
    expect(keyFor(ctx, { blockSize: 1, channels: 3 }, 'ab')).not.toBe(a);
    expect(keyFor(ctx, { blockSize: 1, channels: 2 }, 'abc')).toEqual({ r: 3 });
    expect([...ctx.keys.keys()]).toEqual(['M=1,C=2|ab', 'M=1,C=3|ab', 'M=1,C=2|abc']);
    for (let i = 0; ctx.keys.size <= 512; i++) keyFor(ctx, { blockSize: 1, channels: 2 }, `k${i}`);
    // 513 cached: the next new key clears the cache first.
    expect(ctx.keys.size).toBe(513);
    keyFor(ctx, { blockSize: 1, channels: 2 }, 'ab');
    expect(ctx.keys.size).toBe(513);
    keyFor(ctx, { blockSize: 1, channels: 2 }, 'new');
    expect([...ctx.keys.keys()]).toEqual(['M=1,C=2|new']);
    // A falsy key is cached too.
    let zeros = 0;
    const z = ctxOf(rotation({ generateKey: () => (zeros++, 0 as never) }));
    keyFor(z, { blockSize: 1, channels: 2 }, '');
    keyFor(z, { blockSize: 1, channels: 2 }, '');
    expect(zeros).toBe(1);
  });

  it('runProperty: ok; a finding with its shrunk counterexample and replay line', () => {
    const ctx = ctxOf(rotation(), 20, { invocation: 'my.ts' });
    expect(runProperty(ctx, 'x', fc.integer(), () => {})).toEqual({ ok: true });
    let calls = 0;
    runProperty(ctx, 'x', fc.integer(), () => void calls++, 7);
    expect(calls).toBe(7);
    const o = runProperty(ctx, 'shape', fc.integer({ min: 0, max: 100 }), (n) => {
      if (n >= 10) finding(`too big: ${n}`);
    });
    expect(o).toMatchObject({ ok: false, message: 'too big: 10', counterexample: '10' });
    expect(o.replay).toEqual({ seed: 1, path: expect.stringMatching(/^\d+(:\d+)*$/), command: `cipherpatch fuzz my.ts --only shape --seed 1 --path "${o.replay!.path}"` });
    // Replaying the path gives the same counterexample at once.
    const again = runProperty({ ...ctx, path: o.replay!.path }, 'shape', fc.integer({ min: 0, max: 100 }), (n) => {
      if (n >= 10) finding(`too big: ${n}`);
    });
    expect(again).toMatchObject({ ok: false, message: 'too big: 10', counterexample: '10' });
  });

  it('runProperty: a crash is the variant throwing; all runs skipped', () => {
    const ctx = ctxOf(rotation());
    const o = runProperty(ctx, 'x', fc.constant(1), () => {
      throw new CipherpatchError('variant.batch', 'bad batch');
    });
    expect(o.message).toBe('the variant threw on valid input: CipherpatchError: bad batch');
    const skipped = runProperty(ctx, 'x', fc.integer(), () => {
      fc.pre(false);
    });
    expect(skipped).toEqual({ ok: false, message: expect.stringMatching(/^too many runs skipped \(\d+\): no valid input found$/) });
  });

  it('counterexamples: typed arrays as arrays, 16 values then the count left, 600 characters at most', () => {
    const ctx = ctxOf(rotation());
    const fails = () => finding('no');
    expect(runProperty(ctx, 'x', fc.constant({ d: Float64Array.of(1.5, 2) }), fails).counterexample).toBe('{"d":[1.5,2]}');
    expect(runProperty(ctx, 'x', fc.constant(Array.from({ length: 16 }, (_, i) => i)), fails).counterexample).toBe('[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]');
    expect(runProperty(ctx, 'x', fc.constant(Int32Array.from({ length: 20 }, (_, i) => i)), fails).counterexample).toBe('[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"…(+4)"]');
    const s600 = 'y'.repeat(598);
    expect(runProperty(ctx, 'x', fc.constant(s600), fails).counterexample).toBe(`"${s600}"`);
    // 601 characters: the first 600 (the quote, 598 y, z), then the ellipsis.
    expect(runProperty(ctx, 'x', fc.constant(`${s600}z`), fails).counterexample).toBe(`"${s600}z…`);
  });

  it('result: counterexample and replay only when there are some; guard: a finding or the variant throwing', () => {
    expect(result('a', 'A', 'pass', 'fine')).toEqual({ id: 'a', title: 'A', verdict: 'pass', detail: 'fine' });
    expect(Object.keys(result('a', 'A', 'fail', 'bad', { ok: false }))).toEqual(['id', 'title', 'verdict', 'detail']);
    const replay = { seed: 1, path: '0', command: 'c' };
    expect(result('a', 'A', 'fail', 'bad', { ok: false, counterexample: '', replay })).toEqual({ id: 'a', title: 'A', verdict: 'fail', detail: 'bad', counterexample: '', replay });
    expect(guard('g', 'G', () => result('g', 'G', 'pass', 'ok'))).toEqual({ id: 'g', title: 'G', verdict: 'pass', detail: 'ok' });
    expect(guard('g', 'G', () => finding('found it'))).toEqual({ id: 'g', title: 'G', verdict: 'fail', detail: 'found it' });
    expect(guard('g', 'G', () => {
      throw new TypeError('x is undefined');
    })).toEqual({ id: 'g', title: 'G', verdict: 'fail', detail: 'the variant threw: TypeError: x is undefined' });
    expect(new Finding('m')).toBeInstanceOf(Error);
  });

  it('key seeds: strings of at most 6 characters', () => {
    const seeds = fc.sample(keySeedArb, { numRuns: 300, seed: 3 });
    expect(seeds.every((s) => typeof s === 'string' && s.length <= 6)).toBe(true);
    expect(seeds.some((s) => s.length === 6)).toBe(true);
  });

  it('a replayed path stops at its first failure, unshrunk (check.ts:80 ConditionalExpression endOnFailure → false)', () => {
    const arb = fc.integer({ min: 50, max: 1_000_000 });
    const ctx = ctxOf(rotation(), 20);
    const always = () => finding('fails');
    // Run 0 of seed 1 fails at once; replayed without shrinking it is the first value drawn, shrunk it would be 50.
    const first = fc.sample(arb, { seed: 1, numRuns: 1 })[0];
    expect(first).not.toBe(50);
    expect(runProperty({ ...ctx, path: '0' }, 'x', arb, always).counterexample).toBe(String(first));
    expect(runProperty(ctx, 'x', arb, always).counterexample).toBe('50');
  });
});
