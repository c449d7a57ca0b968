/**
 * Keys: generation (secure and seeded), JSON round trip, and validation on
 * load — every malformed key is rejected by the check that names its fault.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../src/core/errors.ts';
import { keysEqual } from '../src/core/key.ts';
import { keyFromJson, keyToJson, parseKey, serializeKey } from '../src/core/keyJson.ts';
import { generateKey } from '../src/core/keygen.ts';
import { blockConfigArb, blockKeyArb } from './arbitraries.ts';

function checkOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CipherpatchError) return e.check;
    throw e;
  }
  return 'accepted';
}

const keyCaseArb = blockConfigArb.chain(({ blockSize, channels }) => blockKeyArb(blockSize, channels));

describe('generation', () => {
  test.prop([blockConfigArb, fc.option(fc.string(), { nil: undefined })])('generated keys are valid keys (secure and seeded)', ({ blockSize, channels }, seed) => {
    const key = generateKey({ blockSize, channels, seed });
    const pb = blockSize * blockSize * channels;
    expect(Array.from(key.permutation).sort((a, b) => a - b)).toEqual(Array.from({ length: pb }, (_, i) => i));
    expect(key.flip.reduce((s, r) => s + r, 0)).toBe(pb / 2);
    expect(key.flip.every((r) => r === 0 || r === 1)).toBe(true);
  });

  test.prop([blockConfigArb, fc.string()])('a seed always gives the same key', ({ blockSize, channels }, seed) => {
    expect(keysEqual(generateKey({ blockSize, channels, seed }), generateKey({ blockSize, channels, seed }))).toBe(true);
  });

  it('different seeds and secure draws give different keys (p_b = 48)', () => {
    const seeded = ['0', '1', '2', 'a', 'b'].map((seed) => generateKey({ blockSize: 4, channels: 3, seed }));
    const secure = [0, 1, 2].map(() => generateKey({ blockSize: 4, channels: 3 }));
    const keys = [...seeded, ...secure];
    for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) expect(keysEqual(keys[i], keys[j]), `${i} vs ${j}`).toBe(false);
  });

  it('each position is flipped about half the time over many seeded keys (flip vectors are not biased)', () => {
    const counts = new Array<number>(48).fill(0);
    const runs = 2000;
    for (let s = 0; s < runs; s++) generateKey({ blockSize: 4, channels: 3, seed: `bias-${s}` }).flip.forEach((r, k) => (counts[k] += r));
    // Binomial(2000, 0.5): sd ≈ 22; allow 5 sd.
    for (const c of counts) expect(Math.abs(c - runs / 2)).toBeLessThan(5 * Math.sqrt(runs / 4));
  });
});

describe('JSON', () => {
  test.prop([keyCaseArb, fc.option(fc.string(), { nil: undefined })])('parse(serialize(key)) = key', (key, seed) => {
    const text = serializeKey(key, seed === undefined ? { kind: 'secure' } : { kind: 'seed', seed });
    expect(keysEqual(parseKey(text), key)).toBe(true);
    const json = JSON.parse(text) as { permutation: unknown; flip: unknown };
    expect(json.permutation).toEqual(Array.from(key.permutation));
    expect(json.flip).toEqual(Array.from(key.flip));
  });

  /** One corruption of a valid key's JSON, and the check that must reject it. */
  const corruptionArb = keyCaseArb.chain((key) => {
    const pb = key.permutation.length;
    const json = () => keyToJson(key) as unknown as Record<string, unknown>;
    return fc.oneof(
      fc.integer({ min: 0, max: pb - 1 }).chain((i) =>
        fc.integer({ min: 0, max: pb - 1 }).filter((j) => j !== i).map((j) => {
          const o = json();
          const p = [...(o.permutation as number[])];
          p[i] = p[j];
          return { o, p, check: 'key.not-permutation', what: `permutation[${i}] = permutation[${j}]` };
        }),
      ).map(({ o, p, check, what }) => ({ json: { ...o, permutation: p }, check, what })),
      fc.constantFrom(-1, pb, 0.5, '1', null).chain((bad) =>
        fc.integer({ min: 0, max: pb - 1 }).map((i) => {
          const o = json();
          const p = [...(o.permutation as unknown[])];
          p[i] = bad;
          return { json: { ...o, permutation: p }, check: 'key.not-permutation', what: `permutation[${i}] = ${String(bad)}` };
        }),
      ),
      fc.integer({ min: 0, max: pb - 1 }).map((i) => {
        const o = json();
        const r = [...(o.flip as number[])];
        r[i] = 1 - r[i];
        return { json: { ...o, flip: r }, check: 'key.flip-count', what: `flip[${i}] toggled` };
      }),
      fc.integer({ min: 0, max: pb - 1 }).map((i) => {
        const o = json();
        const r = [...(o.flip as number[])];
        r[i] = 2;
        return { json: { ...o, flip: r }, check: 'key.flip-values', what: `flip[${i}] = 2` };
      }),
      fc.constant({ json: { ...json(), permutation: Array.from(key.permutation).slice(1) }, check: 'key.permutation-length', what: 'permutation one short' }),
      fc.constant({ json: { ...json(), flip: [...Array.from(key.flip), 0] }, check: 'key.flip-length', what: 'flip one too long' }),
      fc.constant({ json: { ...json(), blockSize: key.blockSize * 2 }, check: 'key.permutation-length', what: 'block size doubled' }),
      fc.constant({ json: { ...json(), format: 'something-else' }, check: 'key.format', what: 'format' }),
      fc.constant({ json: { ...json(), version: 2 }, check: 'key.version', what: 'version' }),
      fc.constant({ json: { ...json(), blockOrder: 'row,column,channel' }, check: 'key.block-order', what: 'block order' }),
      fc.constant({ json: { ...json(), channels: 0 }, check: 'key.channels', what: 'channels 0' }),
      fc.constant({ json: { ...json(), blockSize: 2.5 }, check: 'key.block-size', what: 'block size 2.5' }),
    );
  });

  test.prop([corruptionArb])('every corrupted key is rejected by the check that names its fault', ({ json, check, what }) => {
    expect(checkOf(() => keyFromJson(json)), what).toBe(check);
  });

  it('rejects text that is not a key at all', () => {
    expect(checkOf(() => parseKey('{'))).toBe('key.json');
    expect(checkOf(() => parseKey('[1,2]'))).toBe('key.json');
    expect(checkOf(() => parseKey('{"format":"cipherpatch-block-key","version":1,"blockSize":1,"channels":3,"permutation":[0,1,2],"flip":[0,1,0]}'))).toBe('key.odd-block-length');
  });

  it('rejects a key made for another block size or channel count when the use says which it needs', () => {
    const key = serializeKey(generateKey({ blockSize: 2, channels: 3, seed: 'x' }));
    expect(checkOf(() => parseKey(key, { blockSize: 4 }))).toBe('key.wrong-block-size');
    expect(checkOf(() => parseKey(key, { channels: 1 }))).toBe('key.wrong-channels');
    expect(checkOf(() => parseKey(key, { blockSize: 2, channels: 3 }))).toBe('accepted');
  });
});
