/**
 * The box plot draws numpy's statistics: box from Q1 to Q3, the median line,
 * whiskers at min and max, one dot per value. Expected quartiles: numpy 2.4.6,
 * np.quantile([0.31, 0.12, 0.2, 0.125, 0.2, 0.5], [0, .25, .5, .75, 1]) =
 * 0.12, 0.14375, 0.2, 0.2825, 0.5 (see src/metrics/statistics.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { boxPlotSvg } from './boxPlot.ts';

const numbers = (s: string) => Object.fromEntries([...s.matchAll(/(\w+)="(-?[\d.e+-]+)"/g)].map(([, k, v]) => [k, Number(v)]));

describe('boxPlotSvg', () => {
  const values = [0.31, 0.12, 0.2, 0.125, 0.2, 0.5];
  const svg = boxPlotSvg([{ label: '6 wrong keys', values }], { title: 't', yLabel: 'accuracy', yPercent: true, yMin: 0, yMax: 1 });
  // The frame: 420 px high, plot from y = 50 (value 1) to y = 360 (value 0).
  const y = (v: number) => 50 + 310 * (1 - v);

  it('the box spans Q1…Q3 and the median line sits at the median (numpy linear quantiles)', () => {
    const box = numbers(svg.match(/<rect x="[^"]*" y="[^"]*" width="50"[^>]*fill="#9ec5e8"[^>]*>/)![0]);
    expect(box.y).toBeCloseTo(y(0.2825), 9);
    expect(box.y + box.height).toBeCloseTo(y(0.14375), 9);
    const median = numbers(svg.match(/<line [^>]*stroke="#e67e00"[^>]*>/)![0]);
    expect(median.y1).toBeCloseTo(y(0.2), 9);
    expect(svg).toContain('n = 6, median 20.00 %');
  });

  it('whiskers at min and max; one dot per value at its height', () => {
    const lines = [...svg.matchAll(/<line [^>]*stroke="black"\/>/g)].map((m) => numbers(m[0]));
    const whisker = lines.find((l) => l.x1 === l.x2 && l.x1 > 80)!; // not the y axis at x = 80
    expect([whisker.y1, whisker.y2]).toEqual([y(0.12), y(0.5)]);
    const caps = lines.filter((l) => l.y1 === l.y2 && l.x2 - l.x1 === 25).map((l) => l.y1).sort((a, b) => a - b);
    expect(caps).toEqual([y(0.5), y(0.12)]);
    const dots = [...svg.matchAll(/<circle [^>]*>/g)].map((m) => numbers(m[0]).cy);
    expect(dots).toEqual(values.map(y));
  });
});
