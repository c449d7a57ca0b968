/**
 * Issue 25: the font lookup of svgToPng (src/plots/render.ts) with the
 * directory listing and resvg stood in, so the options resvg receives can be
 * read: only DejaVuSans.ttf and DejaVuSans-Bold.ttf of the package's ttf/
 * folder, no system fonts, DejaVu Sans by default, and no font at all (not a
 * failure) when the font package cannot be read. render.test.ts draws with
 * the real fonts, where any DejaVu face draws the same text. Mutant names:
 * render.ts:LINE mutator.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const listing = vi.hoisted(() => ({ files: [] as string[], throws: false, dirs: [] as string[] }));
const resvg = vi.hoisted(() => ({ options: [] as unknown[] }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    readdirSync: (dir: string) => {
      listing.dirs.push(dir);
      if (listing.throws) throw new Error('ENOENT: no such directory');
      return [...listing.files];
    },
  };
});
vi.mock('@resvg/resvg-js', () => ({
  Resvg: class {
    constructor(_svg: string, options: unknown) {
      resvg.options.push(options);
    }
    render() {
      return { asPng: () => Uint8Array.of(1, 2, 3) };
    }
  },
}));

const { svgToPng } = await import('./render.ts');

// Where the dejavu-fonts-ttf package keeps its fonts: <package folder>/ttf (its layout, resolved here on its own).
const ttf = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>';

beforeEach(() => {
  listing.files = [];
  listing.throws = false;
  listing.dirs = [];
  resvg.options = [];
});

describe('svgToPng font lookup', () => {
  // Kills render.ts:10 MethodExpression (the filter dropped), :11 Regex (each anchor dropped, "(-Bold)" made
  // required), :22 ObjectLiteral / StringLiteral / BooleanLiteral (the font options).
  it('loads exactly DejaVuSans.ttf and DejaVuSans-Bold.ttf, no system fonts, DejaVu Sans by default', () => {
    // Names that each dropped anchor or a dropped filter would let through: other faces, a prefix, a suffix.
    listing.files = ['DejaVuSansMono.ttf', 'DejaVuSans-Bold.ttf', 'xDejaVuSans.ttf', 'DejaVuSans.ttf', 'DejaVuSans.ttf.bak', 'DejaVuSerif.ttf', 'DejaVuSans-BoldOblique.ttf', 'LICENSE'];
    expect(Array.from(svgToPng(svg))).toEqual([1, 2, 3]);
    expect(listing.dirs).toEqual([ttf]);
    expect(resvg.options).toEqual([
      {
        background: 'white',
        fitTo: { mode: 'original' },
        font: { fontFiles: [join(ttf, 'DejaVuSans-Bold.ttf'), join(ttf, 'DejaVuSans.ttf')], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
      },
    ]);
  });

  // Kills render.ts:13 BlockStatement (the catch returning nothing) and :14 ArrayDeclaration (a made-up file name).
  it('renders with no font files when the font folder cannot be read', () => {
    listing.throws = true;
    svgToPng(svg, 10);
    expect(resvg.options).toEqual([
      { background: 'white', fitTo: { mode: 'width', value: 10 }, font: { fontFiles: [], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } },
    ]);
  });
});
