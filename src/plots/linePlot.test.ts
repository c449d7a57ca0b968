/**
 * Issue 25: the line plot's SVG, pinned by hand. The plot area is fixed:
 * 760 × 460 with margins left 80, right 200, top 50, bottom 85, so the plot
 * is 480 × 325 and X(x) = 80 + 480 (x − x_min)/(x_max − x_min), Y(y) =
 * 50 + 325 (1 − (y − y_min)/(y_max − y_min)). Numbers in the SVG are
 * compared after rounding to 6 decimals (the float noise of e.g. 0.6·325).
 * Mutant names: linePlot.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { linePlotSvg } from './linePlot.ts';

const norm = (svg: string) => svg.replace(/-?\d+\.\d+(e-?\d+)?/g, (m) => String(Math.round(Number(m) * 1e6) / 1e6));

describe('linePlotSvg', () => {
  // x 0..10 (ticks every niceStep(10, 6) = 2: X = 80 + 48x), y 0..5 from the data, the reference and the band
  // (ticks every niceStep(5, 5) = 1: Y = 375 − 65y). Every element written out by hand.
  it('draws the whole plot: background, title, band, grid, ticks, axes, labels, references, series, legend', () => {
    const svg = linePlotSvg(
      [
        { label: 'A', points: [{ x: 0, y: 0 }, { x: 10, y: 5 }] },
        { label: 'Bee', points: [{ x: 5, y: 2.5 }, { x: 7, y: Number.NaN }], markersOnly: true },
      ],
      { title: 'A & B', xLabel: 'x <1>', yLabel: 'y', references: [{ label: 'chance', value: 1 }], bands: [{ label: 'paper', from: 4, to: 3 }] },
    );
    const yTicks = [0, 1, 2, 3, 4, 5].flatMap((v) => [`<line x1="80" y1="${375 - 65 * v}" x2="560" y2="${375 - 65 * v}" stroke="#e3e3e3"/>`, `<text x="72" y="${379 - 65 * v}" font-size="12" text-anchor="end">${v}</text>`]);
    const xTicks = [0, 2, 4, 6, 8, 10].flatMap((v) => {
      const X = 80 + 48 * v;
      return [`<line x1="${X}" y1="50" x2="${X}" y2="375" stroke="#f0f0f0"/>`, `<line x1="${X}" y1="375" x2="${X}" y2="380" stroke="black"/>`, `<text x="${X}" y="395" font-size="12" text-anchor="middle">${v}</text>`];
    });
    const parts = [
      '<rect x="0" y="0" width="760" height="460" fill="white"/>',
      '<text x="380" y="28" font-size="16" text-anchor="middle" font-weight="bold">A &amp; B</text>',
      // band 3..4: from Y(4) = 115, height Y(3) − Y(4) = 65
      '<rect x="80" y="115" width="480" height="65" fill="#f4c542" fill-opacity="0.25"/>',
      ...yTicks,
      ...xTicks,
      '<line x1="80" y1="50" x2="80" y2="375" stroke="black"/>',
      '<line x1="80" y1="375" x2="560" y2="375" stroke="black"/>',
      '<text x="320" y="415" font-size="13" text-anchor="middle">x &lt;1&gt;</text>',
      '<text x="20" y="212.5" font-size="13" text-anchor="middle" transform="rotate(-90 20 212.5)">y</text>',
      '<line x1="80" y1="310" x2="560" y2="310" stroke="#777" stroke-dasharray="5,4"/>',
      '<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="80.0,375.0 560.0,50.0"/>',
      '<circle cx="80.0" cy="375.0" r="3.5" fill="#1f77b4"/>',
      '<circle cx="560.0" cy="50.0" r="3.5" fill="#1f77b4"/>',
      '<circle cx="320.0" cy="212.5" r="3.5" fill="#d62728"/>',
      // legend at y = 460 − 14; the second entry after 40 + 7·1 pixels
      '<line x1="80" y1="442" x2="100" y2="442" stroke="#1f77b4" stroke-width="3"/>',
      '<text x="106" y="446" font-size="12">A</text>',
      '<line x1="127" y1="442" x2="147" y2="442" stroke="#d62728" stroke-width="3"/>',
      '<text x="153" y="446" font-size="12">Bee</text>',
      // right-margin labels top to bottom: the band's at Y(3.5) + 4, the reference's at Y(1) + 4
      '<text x="572" y="151.5" font-size="11" fill="#b8860b">paper</text>',
      '<text x="572" y="314" font-size="11" fill="#555">chance (1)</text>',
    ];
    expect(norm(svg)).toBe(norm(`<svg xmlns="http://www.w3.org/2000/svg" width="760" height="460" viewBox="0 0 760 460">\n${parts.join('\n')}\n</svg>\n`).replace(/(\d+)\.0(?=\D)/g, '$1'));
  });

  // Log x from 1 to 10⁶: ticks 1, 2, 5 per decade, labelled 1 … 500, 1,000 … 50,000, then 1e5 … 1e6.
  // Kills the log ticks (:96–101) and formatNumber (:45–50).
  it('log x axis: 1-2-5 ticks per decade, numbers as 1,000 and 1e5', () => {
    const svg = linePlotSvg([{ label: 's', points: [{ x: 1, y: 0 }, { x: 1e6, y: 1 }, { x: 0, y: 0.5 }] }], { title: 't', xLabel: 'n', yLabel: 'y', xScale: 'log' });
    const labels = [...svg.matchAll(/y="395" font-size="12" text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['1', '2', '5', '10', '20', '50', '100', '200', '500', '1,000', '2,000', '5,000', '10,000', '20,000', '50,000', '1e5', '2e5', '5e5', '1e6']);
    expect(svg).toContain('>n (log scale)</text>');
    // The tick at 10³ sits at X = 80 + 480 · 3/6 = 320; the point at x = 0 is left out on a log axis.
    expect(norm(svg)).toContain('<line x1="320" y1="50" x2="320" y2="375" stroke="#f0f0f0"/>');
    expect(norm(svg)).toContain('<circle cx="80" cy="375" r="3.5" fill="#1f77b4"/>');
    expect((svg.match(/<circle/g) ?? []).length).toBe(2);
    expect(svg).toContain('points="80.0,375.0 560.0,50.0"');
  });

  // yPercent, explicit y range, one x value (linear: x ± 1; log: x/2..2x), small numbers, labels pushed apart,
  // the colour cycle. Kills :73–80, :66–67, :121–124, :137–141.
  it('percent labels, a given y range, a single x, overlapping labels and the colour cycle', () => {
    const one = linePlotSvg([{ label: 's', points: [{ x: 0.5, y: 0.125 }] }], {
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yPercent: true,
      yMin: 0,
      yMax: 0.5,
      references: [
        { label: 'a', value: 0.25 },
        { label: 'b', value: 0.25 },
      ],
      bands: [{ label: 'c', from: 0.1, to: 0.1 }],
    });
    // x −0.5..1.5 (ticks every 0.5 → labels −0.5, 0, 0.5, 1, 1.5); X(0.5) = 320; Y(0.125) = 50 + 325 · 0.75.
    expect([...one.matchAll(/y="395" font-size="12" text-anchor="middle">([^<]+)</g)].map((m) => m[1])).toEqual(['-0.5', '0', '0.5', '1', '1.5']);
    expect(one).toContain('<circle cx="320.0" cy="293.8" r="3.5"');
    // y ticks every 0.1 as percentages; labels "a (25 %)" at Y(0.25) + 4 = 216.5, "b" pushed 14 lower.
    expect([...one.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1])).toEqual(['0 %', '10 %', '20 %', '30 %', '40 %', '50 %']);
    expect(norm(one)).toContain('<text x="572" y="216.5" font-size="11" fill="#555">a (25 %)</text>\n<text x="572" y="230.5" font-size="11" fill="#555">b (25 %)</text>');
    // A band of zero height is drawn 1 pixel high.
    expect(norm(one)).toMatch(/<rect x="80" y="[\d.]+" width="480" height="1" fill="#f4c542"/);
    const log = linePlotSvg([{ label: 's', points: [{ x: 10, y: 1 }] }], { title: 't', xLabel: 'x', yLabel: 'y', xScale: 'log' });
    // 5..20 on a log axis: ticks 5, 10, 20; X(10) = 80 + 480 · log(2)/log(4) = 320.
    expect([...log.matchAll(/y="395" font-size="12" text-anchor="middle">([^<]+)</g)].map((m) => m[1])).toEqual(['5', '10', '20']);
    expect(log).toContain('<circle cx="320.0"');
    const seven = linePlotSvg(
      Array.from({ length: 7 }, (_, i) => ({ label: `s${i}`, points: [{ x: i, y: i }] })),
      { title: 't', xLabel: 'x', yLabel: 'y' },
    );
    expect([...seven.matchAll(/stroke="(#[0-9a-f]{6})" stroke-width="3"/g)].map((m) => m[1])).toEqual(['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#1f77b4']);
    expect(() => linePlotSvg([{ label: 's', points: [{ x: Number.NaN, y: 1 }] }], { title: 't', xLabel: 'x', yLabel: 'y' })).toThrow('line plot without points');
    expect(() => linePlotSvg([{ label: 's', points: [{ x: 0, y: 1 }] }], { title: 't', xLabel: 'x', yLabel: 'y', xScale: 'log' })).toThrow('line plot without points');
  });
});
