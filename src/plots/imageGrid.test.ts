/**
 * Issue 25: the image grid's SVG and its nearest-neighbour enlargement,
 * worked by hand: with images h × w, scale s, label column 210, a cell is
 * w·s + 10 wide and a row h·s + 10 high, under a header of 60 (40 without
 * column labels). Mutant names: imageGrid.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { imageBatch } from '../core/images.ts';
import { encodePng } from '../io/png.ts';
import { enlarge, imageGridSvg } from './imageGrid.ts';

const b64 = (data: number[], h: number, w: number, c: number) => Buffer.from(encodePng(imageBatch(Uint8Array.from(data), { count: 1, height: h, width: w, channels: c }, 'NHWC'))).toString('base64');

describe('enlarge', () => {
  // Kills imageGrid.ts:45–49: each pixel becomes an s × s square, channels kept together.
  it('repeats each pixel s × s times', () => {
    const one = enlarge(imageBatch(Uint8Array.of(1, 2, 3, 4), { count: 1, height: 2, width: 2, channels: 1 }, 'NHWC'), 2);
    expect(one.shape).toEqual({ count: 1, height: 4, width: 4, channels: 1 });
    expect(Array.from(one.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(one.layout).toBe('NHWC');
    // 1 × 2 RGB, scale 3: (10, 20, 30) three times then (40, 50, 60) three times, on 3 rows.
    const rgb = enlarge(imageBatch(Uint8Array.of(10, 20, 30, 40, 50, 60), { count: 1, height: 1, width: 2, channels: 3 }, 'NHWC'), 3);
    const row = [10, 20, 30, 10, 20, 30, 10, 20, 30, 40, 50, 60, 40, 50, 60, 40, 50, 60];
    expect(Array.from(rgb.data)).toEqual([...row, ...row, ...row]);
  });
});

describe('imageGridSvg', () => {
  // Two rows of 2 × 2 gray-as-RGB images, scale 2, column labels: cell 14, rows at y = 60 and 74,
  // width 210 + 2·14 + 10 = 248, height 60 + 2·14 + 10 = 98.
  it('lays out title, column labels, row labels and enlarged images', () => {
    const px = (v: number) => [v, v, v];
    const a = [1, 2, 3, 4].flatMap(px);
    const b = [5, 6, 7, 8].flatMap(px);
    const rows = [
      { label: 'plain', images: imageBatch(Uint8Array.from([...a, ...b]), { count: 2, height: 2, width: 2, channels: 3 }, 'NHWC') },
      { label: 'enc <A>', images: imageBatch(Uint8Array.from(b), { count: 1, height: 2, width: 2, channels: 3 }, 'NHWC') },
    ];
    const big = (img: number[]) => {
      const p = (i: number) => img.slice(3 * i, 3 * i + 3);
      const r0 = [p(0), p(0), p(1), p(1)].flat();
      const r1 = [p(2), p(2), p(3), p(3)].flat();
      return b64([...r0, ...r0, ...r1, ...r1], 4, 4, 3);
    };
    const svg = imageGridSvg(rows, { title: 'T & U', scale: 2, columnLabels: ['p', 'q'] });
    expect(svg).toBe(
      [
        '<svg xmlns="http://www.w3.org/2000/svg" width="248" height="98" viewBox="0 0 248 98">',
        '<rect width="248" height="98" fill="white"/>',
        '<text x="124" y="24" font-size="16" text-anchor="middle" font-weight="bold">T &amp; U</text>',
        '<text x="212" y="52" font-size="11" text-anchor="middle">p</text>',
        '<text x="226" y="52" font-size="11" text-anchor="middle">q</text>',
        '<text x="200" y="66" font-size="13" text-anchor="end">plain</text>',
        `<image x="210" y="60" width="4" height="4" href="data:image/png;base64,${big(a)}"/>`,
        `<image x="224" y="60" width="4" height="4" href="data:image/png;base64,${big(b)}"/>`,
        '<text x="200" y="80" font-size="13" text-anchor="end">enc &lt;A&gt;</text>',
        `<image x="210" y="74" width="4" height="4" href="data:image/png;base64,${big(b)}"/>`,
        '</svg>',
        '',
      ].join('\n'),
    );
  });

  // Default scale 4 and no column labels: header 40; one 1 × 1 image: cell 14, width 234, height 64.
  it('defaults: scale 4, header 40 without column labels', () => {
    const svg = imageGridSvg([{ label: 'r', images: imageBatch(Uint8Array.of(9, 9, 9), { count: 1, height: 1, width: 1, channels: 3 }, 'NHWC') }], { title: 't' });
    const tile = b64(new Array(16).fill([9, 9, 9]).flat(), 4, 4, 3);
    expect(svg).toBe(
      [
        '<svg xmlns="http://www.w3.org/2000/svg" width="234" height="64" viewBox="0 0 234 64">',
        '<rect width="234" height="64" fill="white"/>',
        '<text x="117" y="24" font-size="16" text-anchor="middle" font-weight="bold">t</text>',
        '<text x="200" y="46" font-size="13" text-anchor="end">r</text>',
        `<image x="210" y="40" width="4" height="4" href="data:image/png;base64,${tile}"/>`,
        '</svg>',
        '',
      ].join('\n'),
    );
  });
});
