/**
 * Hand-worked System A vectors (golden/vectors/system-a.json), Wycheproof
 * style: both the spec and the fast implementation must reproduce every
 * valid case, and every invalid key must be rejected by the named check.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encryptImage8bit } from '../spec/blockEncryption.ts';
import { specImage } from '../spec/image.ts';
import { transformEmbedding } from '../spec/modelTransform.ts';
import { embeddingMatrix, weightFromEmbeddingMatrix } from '../spec/patchEmbedding.ts';
import { decryptUint8, encryptUint8 } from '../src/core/blockTransform.ts';
import { CipherpatchError } from '../src/core/errors.ts';
import { imageBatch } from '../src/core/images.ts';
import { validateKey } from '../src/core/key.ts';
import { transformPatchEmbedding } from '../src/core/modelTransform.ts';

interface KeyVector { permutation: number[]; flip: number[] }
interface Group<T> { blockSize: number; channels: number; key: KeyVector; tests: T[] }
interface Common { tcId: number; comment: string; flags: string[]; result: 'valid' | 'invalid' }
interface ImageTest extends Common { shape: [number, number, number, number]; plain: number[]; encrypted: number[] }
interface ModelTest extends Common { weightShape: [number, number, number, number]; weight: number[]; transformed: number[] }
interface KeyTest extends Common { blockSize: number; channels: number; permutation: number[]; flip: number[]; check: string }
interface VectorFile {
  numberOfTests: number;
  notes: Record<string, string>;
  imageGroups: Group<ImageTest>[];
  modelGroups: Group<ModelTest>[];
  keyGroups: { tests: KeyTest[] }[];
}

const file = JSON.parse(readFileSync(new URL('./vectors/system-a.json', import.meta.url), 'utf8')) as VectorFile;
const all: Common[] = [...file.imageGroups.flatMap((g) => g.tests), ...file.modelGroups.flatMap((g) => g.tests), ...file.keyGroups.flatMap((g) => g.tests)];

/**
 * The group's key, validated inside each test (not while the file is
 * collected): code run at collection time cannot be attributed to a test, so
 * Stryker would rerun every test for each mutant it reaches (mutation/README.md).
 */
function groupKey(group: Group<unknown>) {
  return validateKey({ blockSize: group.blockSize, channels: group.channels, ...group.key });
}

describe('vector file hygiene', () => {
  it('declares its test count, unique ids and only documented flags', () => {
    expect(all.length).toBe(file.numberOfTests);
    expect(new Set(all.map((t) => t.tcId)).size).toBe(all.length);
    for (const t of all) for (const flag of t.flags) expect(file.notes, `tcId ${t.tcId} flag ${flag}`).toHaveProperty(flag);
  });
});

describe('image vectors', () => {
  for (const group of file.imageGroups) {
    for (const t of group.tests) {
      const [n, C, H, W] = t.shape;
      it(`tcId ${t.tcId} M=${group.blockSize},C=${C},H=${H},W=${W}: ${t.comment}`, () => {
        const key = groupKey(group);
        const batch = imageBatch(Uint8Array.from(t.plain), { count: n, height: H, width: W, channels: C }, 'NCHW');
        expect(Array.from(encryptUint8(batch, key).data)).toEqual(t.encrypted);
        expect(Array.from(decryptUint8({ ...batch, data: Uint8Array.from(t.encrypted) }, key).data)).toEqual(t.plain);
        const viaSpec = encryptImage8bit(specImage(C, H, W, t.plain), group.blockSize, group.key.permutation, group.key.flip);
        expect(Array.from(viaSpec.data)).toEqual(t.encrypted);
      });
    }
  }
});

describe('model vectors', () => {
  for (const group of file.modelGroups) {
    for (const t of group.tests) {
      it(`tcId ${t.tcId}: ${t.comment}`, () => {
        const key = groupKey(group);
        const shape = t.weightShape;
        expect(Array.from(transformPatchEmbedding({ data: Float64Array.from(t.weight), shape }, key).data)).toEqual(t.transformed);
        const E = embeddingMatrix({ dim: shape[0], channels: shape[1], patch: shape[2], weight: Float64Array.from(t.weight), bias: new Float64Array(shape[0]) });
        expect(Array.from(weightFromEmbeddingMatrix(transformEmbedding(E, group.key.permutation, group.key.flip), shape[0]))).toEqual(t.transformed);
      });
    }
  }
});

describe('invalid keys', () => {
  for (const t of file.keyGroups.flatMap((g) => g.tests)) {
    it(`tcId ${t.tcId} [${t.flags.join(',')}] is rejected by ${t.check}: ${t.comment}`, () => {
      expect(t.result).toBe('invalid');
      let error: unknown;
      try {
        validateKey(t);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CipherpatchError);
      expect((error as CipherpatchError).check).toBe(t.check);
    });
  }
});
