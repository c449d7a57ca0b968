/**
 * A picture of test images before and after encryption (like Fig. 4 of the
 * ConvMixer paper): one column per image, rows labelled, pixels enlarged
 * without smoothing. Built as SVG with embedded PNGs, rendered by resvg.
 */
import { type Uint8Batch, sliceImages } from '../core/images.ts';
import { encodePng } from '../io/png.ts';
import { escapeXml } from './render.ts';

export interface GridRow {
  readonly label: string;
  /** NHWC images, all of the same size; column j shows image j. */
  readonly images: Uint8Batch;
}

export function imageGridSvg(rows: readonly GridRow[], options: { title: string; scale?: number; columnLabels?: readonly string[] }): string {
  const scale = options.scale ?? 4;
  const { height: h, width: w } = rows[0].images.shape;
  const columns = Math.max(...rows.map((r) => r.images.shape.count));
  const labelW = 210;
  const cell = w * scale + 10;
  const rowH = h * scale + 10;
  const top = options.columnLabels ? 60 : 40;
  const width = labelW + columns * cell + 10;
  const height = top + rows.length * rowH + 10;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="white"/>`];
  parts.push(`<text x="${width / 2}" y="24" font-size="16" text-anchor="middle" font-weight="bold">${escapeXml(options.title)}</text>`);
  options.columnLabels?.forEach((label, j) => {
    parts.push(`<text x="${labelW + j * cell + (w * scale) / 2}" y="${top - 8}" font-size="11" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 10}" y="${y + (h * scale) / 2 + 4}" font-size="13" text-anchor="end">${escapeXml(row.label)}</text>`);
    for (let j = 0; j < row.images.shape.count; j++) {
      const png = Buffer.from(encodePng(enlarge(sliceImages(row.images, j, 1), scale))).toString('base64');
      parts.push(`<image x="${labelW + j * cell}" y="${y}" width="${w * scale}" height="${h * scale}" href="data:image/png;base64,${png}"/>`);
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>\n`;
}

/** Nearest-neighbour enlargement of one NHWC image (renderers smooth embedded images; blocks must stay sharp). */
export function enlarge(image: Uint8Batch, scale: number): Uint8Batch {
  const { height: h, width: w, channels: c } = image.shape;
  const out = new Uint8Array(h * scale * w * scale * c);
  for (let y = 0; y < h * scale; y++)
    for (let x = 0; x < w * scale; x++)
      for (let k = 0; k < c; k++) out[(y * w * scale + x) * c + k] = image.data[(Math.floor(y / scale) * w + Math.floor(x / scale)) * c + k];
  return { data: out, shape: { count: 1, height: h * scale, width: w * scale, channels: c }, layout: 'NHWC' };
}
