/**
 * Issue 25: svgToPng and escapeXml (src/plots/render.ts), decoded back with
 * the PNG reader (src/io/png.ts): sizes, the white background (a transparent
 * pixel would be refused by the reader), and text drawn with the packaged
 * fonts. Mutant names: render.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { decodePng } from '../io/png.ts';
import { escapeXml, svgToPng } from './render.ts';

const svg = (w: number, h: number, body = '') => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`;

describe('render', () => {
  // Kills render.ts:28 (each replacement, & first).
  it('escapeXml escapes & < > " (the ampersand first)', () => {
    expect(escapeXml('a & <b> "c" &lt;')).toBe('a &amp; &lt;b&gt; &quot;c&quot; &amp;lt;');
    expect(escapeXml("it's")).toBe("it's");
  });

  // Kills :18–23 (background, fitTo original / width).
  it('renders at the SVG size, or scaled to a width, on white', () => {
    const empty = decodePng(svgToPng(svg(3, 2)));
    expect(empty.shape).toEqual({ count: 1, height: 2, width: 3, channels: 3 });
    expect(Array.from(empty.data)).toEqual(new Array(18).fill(255));
    const red = decodePng(svgToPng(svg(3, 2, '<rect width="3" height="2" fill="#ff0000"/>'), 6));
    expect(red.shape).toEqual({ count: 1, height: 4, width: 6, channels: 3 });
    expect(Array.from(red.data)).toEqual(new Array(24).fill([255, 0, 0]).flat());
  });

  // Kills :7–16 (the font files): with no font, resvg draws no text and the picture stays white.
  it('draws text with the packaged DejaVu fonts, regular and bold', () => {
    for (const weight of ['normal', 'bold']) {
      const png = decodePng(svgToPng(svg(40, 20, `<text x="2" y="16" font-size="16" font-weight="${weight}" font-family="DejaVu Sans">Hg</text>`)));
      expect(png.data.some((v) => v < 128)).toBe(true);
    }
  });
});
