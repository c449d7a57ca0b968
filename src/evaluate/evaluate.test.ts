/**
 * evaluate(): an explicit wrong-key list is checked before any engine is made
 * (a bad list must not fail after minutes of inference), and each check names
 * the problem.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import { imageBatch } from '../core/images.ts';
import { generateKey } from '../core/keygen.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { type EvaluateOptions, evaluate } from './evaluate.ts';

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
