/**
 * evaluate(): an explicit wrong-key list is checked before any engine is made
 * (a bad list must not fail after minutes of inference), and each check names
 * the problem.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import { imageBatch } from '../core/images.ts';
import { generateKey } from '../core/keygen.ts';
import { createEngine } from '../engine/factory.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { type EvaluateOptions, evaluate } from './evaluate.ts';
import { reportJson, reportMarkdown } from './report.ts';

const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 }, 'evaluate-test');
const key = generateKey({ blockSize: 2, channels: 3, seed: 'right' });
const wrong = (i: number) => generateKey({ blockSize: 2, channels: 3, seed: `wrong:${i}` });

function options(wrongKeyList: EvaluateOptions['wrongKeyList'], wrongKeys: number): EvaluateOptions {
  return {
    weights,
    key,
    images: imageBatch(new Uint8Array(2 * 4 * 4 * 3), { count: 2, height: 4, width: 4, channels: 3 }, 'NHWC'),
    labels: new Uint8Array(2),
    createEngine: () => {
      throw new Error('an engine was made before the wrong-key list was checked');
    },
    wrongKeys,
    wrongKeySeed: 'unused',
    wrongKeyList,
  };
}


describe('evaluate: the explicit wrong-key list, checked before any engine', () => {
  it('too few keys in the list', async () => {
    const e = await asyncRejection(evaluate(options([wrong(0)], 2)));
    expect(e.check).toBe('evaluate.wrong-keys');
    expect(e.message).toBe('2 wrong keys asked for, but the list holds 1');
  });

  it('the right key in the list', async () => {
    const e = await asyncRejection(evaluate(options([wrong(0), key], 2)));
    expect(e.check).toBe('evaluate.wrong-keys');
    expect(e.message).toBe('wrong key 1 of the list is the right key');
  });

  it('a key for another block size in the list', async () => {
    const e = await asyncRejection(evaluate(options([generateKey({ blockSize: 4, channels: 3, seed: 'other' })], 1)));
    expect(e.check).toBe('key.wrong-block-size');
    expect(e.message).toContain('wrong key 0 of the list');
  });
});

describe('evaluate: which engine ran, and why', () => {
  const run = (engine: 'auto' | 'tfjs') =>
    evaluate({
      ...options(undefined, 1),
      createEngine: (w) => createEngine(w, undefined, { engine, backend: 'cpu', onnxModule: 'onnxruntime-node-that-is-not-installed' }),
    });
  const context = { weightsPath: 'w.safetensors', keyPath: 'k.json', key, data: 'test data', command: 'test', sampleImages: options([], 1).images };

  it("'auto' without onnxruntime: the result, report.json and report.md say that tfjs ran and why", async () => {
    const result = await run('auto');
    expect(result.engine.name).toBe('tfjs');
    expect(result.engine.fallback).toMatch(/^--engine auto fell back to tfjs: onnxruntime is not available \(import "onnxruntime-node-that-is-not-installed" failed: /);
    expect((reportJson(result, context) as { engine: { fallback?: string } }).engine.fallback).toBe(result.engine.fallback);
    expect(reportMarkdown(result, context)).toContain(`- Engine: tfjs, backend cpu, 1 thread(s), ${result.engine.version}; --engine auto fell back to tfjs: onnxruntime is not available`);
  });

  it('tfjs asked for: no fallback anywhere', async () => {
    const result = await run('tfjs');
    expect(result.engine).not.toHaveProperty('fallback');
    expect(reportMarkdown(result, context)).toContain(`- Engine: tfjs, backend cpu, 1 thread(s), ${result.engine.version}\n`);
  });
});
