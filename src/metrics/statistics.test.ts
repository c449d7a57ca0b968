/**
 * The five-number summary behind Fig. 5's box plots and every report's
 * wrong-key line, against numpy. Expected values were computed once with
 * numpy 2.4.6, `np.quantile(np.array(xs, dtype=np.float64), q)` (default
 * method "linear", Hyndman & Fan type 7: position (n − 1)·q, linear
 * interpolation between the two nearest order statistics) and `np.mean(xs)`,
 * and pasted here. The same lists under numpy's "weibull" (Excel's
 * QUARTILE.EXC) and "midpoint" methods give other quartiles (noted per list),
 * so the tests pin the definition, not only the order statistics.
 */
import { describe, expect, it } from 'vitest';
import { quantile, summarize } from './statistics.ts';

/** numpy's values; interpolated ones may differ from ours in the last bit (another order of the same operations). */
function expectSummary(xs: number[], numpy: { min: number; q1: number; median: number; q3: number; max: number; mean: number }): void {
  const s = summarize(xs);
  expect(s.count).toBe(xs.length);
  expect(s.min).toBe(numpy.min);
  expect(s.max).toBe(numpy.max);
  for (const k of ['q1', 'median', 'q3', 'mean'] as const) expect(s[k], k).toBeCloseTo(numpy[k], 12);
}

describe('summarize ≡ numpy (np.quantile, method "linear"; np.mean)', () => {
  it('6 values, unsorted, a repeated value: quartiles interpolated at positions 1.25 and 3.75', () => {
    // weibull: Q1 0.12375, Q3 0.3575; midpoint: Q1 0.1625, Q3 0.255.
    expectSummary([0.31, 0.12, 0.2, 0.125, 0.2, 0.5], { min: 0.12, q1: 0.14375, median: 0.2, q3: 0.2825, max: 0.5, mean: 0.24250000000000002 });
  });

  it('7 values (3 1 4 1 5 9 2): quartiles halfway between order statistics', () => {
    // weibull: Q1 1, Q3 5.
    expectSummary([3, 1, 4, 1, 5, 9, 2], { min: 1, q1: 1.5, median: 3, q3: 4.5, max: 9, mean: 3.5714285714285716 });
  });

  it('4 values: the median between the middle two', () => {
    // weibull: Q1 12.5, Q3 37.5; midpoint: Q1 15, Q3 35.
    expectSummary([10, 20, 30, 40], { min: 10, q1: 17.5, median: 25, q3: 32.5, max: 40, mean: 25 });
  });

  it('one value: every statistic is that value', () => {
    expectSummary([0.42], { min: 0.42, q1: 0.42, median: 0.42, q3: 0.42, max: 0.42, mean: 0.42 });
  });

  it('quantile at any q: np.quantile(xs, 0.1) of the 6 values is 0.1225; the ends are min and max', () => {
    const sorted = [0.12, 0.125, 0.2, 0.2, 0.31, 0.5];
    expect(quantile(sorted, 0.1)).toBeCloseTo(0.1225, 12);
    expect(quantile(sorted, 0)).toBe(0.12);
    expect(quantile(sorted, 1)).toBe(0.5);
    expect(() => quantile([], 0.5)).toThrow(/empty/);
  });

  it('the caller\'s list is left in its order', () => {
    const xs = [3, 1, 2];
    summarize(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});
