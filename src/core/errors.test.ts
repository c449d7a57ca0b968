/**
 * errors.ts: what a CipherpatchError carries. Mutation kills (issue 25,
 * area io): errors.ts:9–12 (the check and message kept, the name set),
 * :17 (fail throws one).
 */
import { describe, expect, it } from 'vitest';
import { CipherpatchError, fail } from './errors.ts';

describe('CipherpatchError', () => {
  it('is an Error with its check, its message and the name CipherpatchError', () => {
    const e = new CipherpatchError('key.flip-count', 'flip vector has 3 ones');
    expect(e).toBeInstanceOf(Error);
    expect([e.check, e.message, e.name]).toEqual(['key.flip-count', 'flip vector has 3 ones', 'CipherpatchError']);
    expect(String(e)).toBe('CipherpatchError: flip vector has 3 ones');
  });

  it('fail throws one', () => {
    let thrown: unknown;
    try {
      fail('image.layout', 'unknown layout');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CipherpatchError);
    expect([(thrown as CipherpatchError).check, (thrown as Error).message]).toEqual(['image.layout', 'unknown layout']);
  });
});
