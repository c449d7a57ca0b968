/**
 * The box plot draws numpy's statistics: box from Q1 to Q3, the median line,
 * whiskers at min and max, one dot per value. Expected quartiles: numpy 2.4.6,
 * np.quantile([0.31, 0.12, 0.2, 0.125, 0.2, 0.5], [0, .25, .5, .75, 1]) =
 * 0.12, 0.14375, 0.2, 0.2825, 0.5 (see src/metrics/statistics.test.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { boxPlotSvg } from './boxPlot.ts';

const numbers = (s: string) => Object.fromEntries([...s.matchAll(/(\w+)="(-?[\d.e+-]+)"/g)].map(([, k, v]) => [k, Number(v)]));

describe('boxPlotSvg', () => {
  const values = [0.31, 0.12, 0.2, 0.125, 0.2, 0.5];
  // Drawn in each test, not while the file is collected (a mutant there could not be attributed to a test).
  let svg = '';
  beforeEach(() => {
    svg = boxPlotSvg([{ label: '6 wrong keys', values }], { title: 't', yLabel: 'accuracy', yPercent: true, yMin: 0, yMax: 1 });
  });
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

  it('five y ticks at 0, 25, 50, 75, 100 % (percent labels); without yPercent three decimals', () => {
    const ticks = [...svg.matchAll(/<text x="72" y="([\d.]+)" font-size="12" text-anchor="end">([^<]*)<\/text>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(ticks).toEqual([[y(0) + 4, '0 %'], [y(0.25) + 4, '25 %'], [y(0.5) + 4, '50 %'], [y(0.75) + 4, '75 %'], [y(1) + 4, '100 %']]);
    const plain = boxPlotSvg([{ label: 'g', values: [2, 4] }], { title: 't', yLabel: 'v' });
    // No yMin/yMax: the data's range, 2 … 4, at y = 360, 282.5, 205, 127.5, 50.
    expect([...plain.matchAll(/y="([\d.]+)" font-size="12" text-anchor="end">([^<]*)</g)].map((m) => [Number(m[1]) - 4, m[2]])).toEqual([[360, '2.000'], [282.5, '2.500'], [205, '3.000'], [127.5, '3.500'], [50, '4.000']]);
    expect(plain).toContain('n = 2, median 3.0000');
  });

  it('references: a dashed line at each value, labels at least 14 px apart, title and labels escaped', () => {
    const s = boxPlotSvg([{ label: 'a<b', values: [0.2] }], { title: 'x & y', yLabel: 'acc', yMin: 0, yMax: 1, references: [{ label: 'low', value: 0.1 }, { label: 'high', value: 0.11 }] });
    const lines = [...s.matchAll(/<line x1="80" y1="([\d.]+)" x2="[\d.]+" y2="[\d.]+" stroke="#c33"/g)].map((m) => Number(m[1]));
    expect(lines).toEqual([y(0.11), y(0.1)]);
    const labels = [...s.matchAll(/<text x="[\d.]+" y="([\d.]+)" font-size="11" fill="#c33">([^<]*)</g)].map((m) => [Number(m[1]), m[2]]);
    // high first (larger value, higher up): y(0.11) + 4; low would sit 3.1 px below it, so it is pushed to 14 px below.
    expect(labels).toEqual([[y(0.11) + 4, 'high'], [y(0.11) + 4 + 14, 'low']]);
    expect(s).toContain('>x &amp; y</text>');
    expect(s).toContain('>a&lt;b</text>');
    // The y label, turned upright along the axis's middle (y = (50 + 360)/2 = 205).
    expect(s).toContain('<text x="20" y="205" font-size="13" text-anchor="middle" transform="rotate(-90 20 205)">acc</text>');
  });

  it('two groups: 600 px wide at least, growing 160 px per group beyond, each box centred in its half', () => {
    const two = boxPlotSvg([{ label: 'a', values: [0.1, 0.3] }, { label: 'b', values: [0.5, 0.7] }], { title: 't', yLabel: 'v', yMin: 0, yMax: 1 });
    expect(two).toContain('width="600" height="420"');
    expect(boxPlotSvg([1, 2, 3].map((i) => ({ label: `${i}`, values: [0.5] })), { title: 't', yLabel: 'v' })).toContain('width="740"');
    // Plot from x = 80 to 600 − 170 = 430: centres at 80 + 350·0.25 and 80 + 350·0.75.
    const boxes = [...two.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="50"/g)].map((m) => Number(m[1]) + 25);
    expect(boxes).toEqual([167.5, 342.5]);
  });

  it('one dot per value, spread sideways by the fixed jitter ((37 j mod 21) − 10)/2 right of the box', () => {
    const xs = [...svg.matchAll(/<circle cx="([\d.-]+)"/g)].map((m) => Number(m[1]));
    const cx = 80 + (600 - 80 - 170) / 2;
    expect(xs).toEqual(values.map((_, j) => cx + 25 + 14 + (((j * 37) % 21) - 10) / 2));
  });

  it('the frame: white background, title centred, y axis, grid lines, group labels under the plot, one element per line', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="420" viewBox="0 0 600 420">\n<rect x="0" y="0" width="600" height="420" fill="white"/>\n<text x="300" y="28" font-size="16" text-anchor="middle" font-weight="bold">t</text>\n<line x1="80" y1="50" x2="80" y2="360" stroke="black"/>\n')).toBe(true);
    expect(svg.endsWith('\n</svg>\n')).toBe(true);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) expect(svg).toContain(`<line x1="75" y1="${y(v)}" x2="430" y2="${y(v)}" stroke="#ddd"/>`);
    expect(svg).toContain('<text x="255" y="380" font-size="13" text-anchor="middle">6 wrong keys</text>');
    expect(svg).toContain('<text x="255" y="398" font-size="11" text-anchor="middle" fill="#555">n = 6, median 20.00 %</text>');
    expect(svg).toContain(`<line x1="230" y1="${y(0.2)}" x2="280" y2="${y(0.2)}" stroke="#e67e00" stroke-width="2"/>`);
    expect(svg).not.toContain('#c33');
    // 1 background + 1 title + 1 axis + 5 × (grid line + tick label) + 1 y label + whisker and 2 caps + box + median + 6 dots + 2 labels.
    expect(svg.split('\n')).toHaveLength(1 + 3 + 10 + 1 + 3 + 2 + 6 + 2 + 2);
  });

  it('without yMin/yMax the range covers the data and the references; equal values do not divide by zero', () => {
    const s = boxPlotSvg([{ label: 'g', values: [2, 4] }], { title: 't', yLabel: 'v', references: [{ label: 'r', value: 6 }] });
    expect([...s.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1])).toEqual(['2.000', '3.000', '4.000', '5.000', '6.000']);
    expect(s).toContain('<line x1="80" y1="50" x2="430" y2="50" stroke="#c33"');
    expect(s).toContain('<text x="436" y="54" font-size="11" fill="#c33">r</text>');
    const flat = boxPlotSvg([{ label: 'g', values: [3, 3] }], { title: 't', yLabel: 'v' });
    expect([...flat.matchAll(/<circle cx="[\d.]+" cy="([^"]+)"/g)].map((m) => m[1])).toEqual(['360', '360']);
  });
});
