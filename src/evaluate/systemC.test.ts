/**
 * System C in the evaluate experiment (evaluateOrthogonal) and its key files:
 * the right matrix reproduces the plain model, wrong-matrix lists are checked
 * before any engine, and each bad key file names its problem.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asyncRejection, rejection } from '../../properties/rejection.ts';
import { imageBatch } from '../core/images.ts';
import type { OrthogonalKey } from '../core/orthogonal.ts';
import { createEngine } from '../engine/factory.ts';
import { readOrthogonalKeyFile, readOrthogonalKeyListFile, isOrthogonalKeyFile } from '../io/keyFile.ts';
import { writeSafetensors } from '../io/safetensors.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { orthogonal } from '../variants/builtin/systemC.ts';
import type { EvaluateOptions } from './evaluate.ts';
import { SYSTEM_C, evaluateOrthogonal } from './systemC.ts';

const config = { dim: 8, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 };
const weights = randomConvMixerWeights(config, 'system-c-test');
const params = { blockSize: 2, channels: 3 };
const key = orthogonal.generateKey(params, 'right');
const count = 12;
const pixels = Uint8Array.from({ length: count * 8 * 8 * 3 }, (_, i) => (i * 37 + (i >> 5) * 11) % 256);
const images = imageBatch(pixels, { count, height: 8, width: 8, channels: 3 }, 'NHWC');
const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);

function options(over: Partial<EvaluateOptions<OrthogonalKey>>): EvaluateOptions<OrthogonalKey> {
  return { weights, key, images, labels, wrongKeys: 2, wrongKeySeed: 'wrong', createEngine: (w) => createEngine(w, undefined, { engine: 'tfjs', backend: 'cpu', workers: 1 }), ...over };
}

describe('evaluateOrthogonal', () => {
  it('the right matrix gives the plain logits (up to float rounding) and predictions; wrong matrices are seeded and reproducible', async () => {
    const r = await evaluateOrthogonal(options({}));
    expect(r.images).toBe(count);
    expect(r.maxLogitDifference).toBeLessThan(1e-4);
    expect(r.maxLogitDifference).toBeGreaterThan(0); // the encrypted pipeline really ran (float rounding differs)
    expect(r.predictionMismatches).toBe(0);
    expect(Array.from(r.encryptedModelEncryptedImages.predictions)).toEqual(Array.from(r.plainModelPlainImages.predictions));
    expect(r.wrongKeys.map((w) => w.seed)).toEqual(['wrong:0', 'wrong:1']);
    expect(Array.from(r.wrongKeys[1].key.matrix)).toEqual(Array.from(orthogonal.generateKey(params, 'wrong:1').matrix));
    const again = await evaluateOrthogonal(options({}));
    expect(again.wrongKeys.map((w) => w.accuracy)).toEqual(r.wrongKeys.map((w) => w.accuracy));
  });

  it('the encrypted model on plain images is the E′ = QᵀE model, not the plain one', async () => {
    const engine = await createEngine(SYSTEM_C.transformModel(weights, key), undefined, { engine: 'tfjs', backend: 'cpu', workers: 1 });
    try {
      const viaSystem = await SYSTEM_C.encryptedLogits(engine, images, key, 3, 4);
      const plain = await createEngine(weights, undefined, { engine: 'tfjs', backend: 'cpu', workers: 1 });
      const reference = (await plain.logits(images)).subarray(3 * 10, 7 * 10);
      plain.dispose();
      expect(viaSystem.length).toBe(40);
      for (let i = 0; i < 40; i++) expect(Math.abs(viaSystem[i] - reference[i])).toBeLessThan(1e-4);
    } finally {
      engine.dispose();
    }
  });

  it('a list holding the right matrix, too short a list, or a matrix for another block size: refused before any engine', async () => {
    const noEngine = () => Promise.reject(new Error('an engine was made before the list was checked'));
    const other = orthogonal.generateKey(params, 'other');
    expect((await asyncRejection(evaluateOrthogonal(options({ wrongKeyList: [other, key], createEngine: noEngine })))).message).toBe('wrong matrix 1 of the list is the right matrix');
    expect((await asyncRejection(evaluateOrthogonal(options({ wrongKeyList: [other], wrongKeys: 2, createEngine: noEngine })))).message).toBe('2 wrong matrices asked for, but the list holds 1');
    const big = orthogonal.generateKey({ blockSize: 4, channels: 3 }, 'big');
    expect((await asyncRejection(evaluateOrthogonal(options({ wrongKeyList: [big], wrongKeys: 1, createEngine: noEngine })))).check).toBe('key.wrong-block-size');
  });
});

describe('System C key files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-system-c-'));
  const file = (name: string, tensors: Record<string, { dtype: 'F64' | 'F32'; shape: number[]; data: Float64Array | Float32Array }>) => {
    const path = join(dir, name);
    writeFileSync(path, writeSafetensors(new Map(Object.entries(tensors)), {}));
    return path;
  };
  const wrong = [orthogonal.generateKey(params, 'w0'), orthogonal.generateKey(params, 'w1')];
  const stacked = new Float64Array(2 * 144);
  wrong.forEach((k, i) => stacked.set(k.matrix, i * 144));

  it('a safetensors file with "right" and "wrong", and an orthogonal variant key JSON, are read back exactly', () => {
    const path = file('m.safetensors', { right: { dtype: 'F64', shape: [12, 12], data: key.matrix }, wrong: { dtype: 'F64', shape: [2, 12, 12], data: stacked } });
    expect(isOrthogonalKeyFile(path)).toBe(true);
    expect(Array.from(readOrthogonalKeyFile(path, params).matrix)).toEqual(Array.from(key.matrix));
    expect(readOrthogonalKeyListFile(path, params).map((k) => Array.from(k.matrix))).toEqual(wrong.map((k) => Array.from(k.matrix)));
    const json = join(dir, 'key.json');
    writeFileSync(json, orthogonal.serializeKey(key));
    expect(isOrthogonalKeyFile(json)).toBe(true);
    expect(Array.from(readOrthogonalKeyFile(json, params).matrix)).toEqual(Array.from(key.matrix));
  });

  it('a System A key file is not a System C one', () => {
    const path = join(dir, 'block.json');
    writeFileSync(path, JSON.stringify({ format: 'cipherpatch-block-key', version: 1, blockSize: 2, channels: 3 }));
    expect(isOrthogonalKeyFile(path)).toBe(false);
  });

  it('each bad file names its problem', () => {
    const missing = file('none.safetensors', { other: { dtype: 'F64', shape: [12, 12], data: key.matrix } });
    expect((rejection(() => readOrthogonalKeyFile(missing, params))).message).toMatch(/has no tensor "right"/);
    const f32 = file('f32.safetensors', { right: { dtype: 'F32', shape: [12, 12], data: Float32Array.from(key.matrix) } });
    expect((rejection(() => readOrthogonalKeyFile(f32, params))).check).toBe('key.wrong-block-size');
    const notOrthogonal = file('skew.safetensors', { right: { dtype: 'F64', shape: [12, 12], data: key.matrix.map((x, i) => (i === 0 ? x + 0.01 : x)) } });
    expect((rejection(() => readOrthogonalKeyFile(notOrthogonal, params))).check).toBe('orthogonal.not-orthogonal');
    expect((rejection(() => readOrthogonalKeyListFile(join(dir, 'key.json'), params))).message).toMatch(/F64 tensor "wrong"/);
    expect((rejection(() => readOrthogonalKeyFile(join(dir, 'absent.safetensors'), params))).check).toBe('key.unreadable');
  });
});
