/**
 * A box plot as SVG, like Fig. 5 of the ConvMixer paper: one box per group
 * (accuracy of the encrypted model under random wrong keys), whiskers at
 * min/max, a dot per value, optional reference lines (e.g. chance level,
 * right-key accuracy).
 */
import { escapeXml } from './render.ts';
import { summarize } from '../metrics/statistics.ts';

export interface BoxGroup {
  readonly label: string;
  readonly values: readonly number[];
}

export interface ReferenceLine {
  readonly label: string;
  readonly value: number;
}

export interface BoxPlotOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly references?: readonly ReferenceLine[];
  /** Show y values (axis ticks, medians) as percentages, as the reports' other labels. */
  readonly yPercent?: boolean;
}

export function boxPlotSvg(groups: readonly BoxGroup[], options: BoxPlotOptions): string {
  const width = Math.max(600, 260 + 160 * groups.length);
  const height = 420;
  const left = 80;
  const right = 170;
  const top = 50;
  const bottom = 60;
  const all = groups.flatMap((g) => [...g.values]).concat((options.references ?? []).map((r) => r.value));
  const yMin = options.yMin ?? Math.min(...all);
  const yMax = options.yMax ?? Math.max(...all);
  const y = (v: number) => top + (height - top - bottom) * (1 - (v - yMin) / (yMax - yMin || 1));
  const plotW = width - left - right;
  const tick = (v: number) => (options.yPercent ? `${Number((100 * v).toPrecision(3))} %` : v.toFixed(3));
  const value = (v: number) => (options.yPercent ? `${(100 * v).toFixed(2)} %` : v.toFixed(4));
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="28" font-size="16" text-anchor="middle" font-weight="bold">${escapeXml(options.title)}</text>`);
  // Axis with five ticks.
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="black"/>`);
  for (let t = 0; t <= 4; t++) {
    const v = yMin + ((yMax - yMin) * t) / 4;
    parts.push(`<line x1="${left - 5}" y1="${y(v)}" x2="${left + plotW}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end">${tick(v)}</text>`);
  }
  parts.push(`<text x="20" y="${(top + height - bottom) / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 20 ${(top + height - bottom) / 2})">${escapeXml(options.yLabel)}</text>`);
  // Reference lines, their labels pushed apart so they never overlap.
  let lastLabelY = -Infinity;
  for (const ref of [...(options.references ?? [])].sort((a, b) => b.value - a.value)) {
    const labelY = Math.max(y(ref.value) + 4, lastLabelY + 14);
    lastLabelY = labelY;
    parts.push(`<line x1="${left}" y1="${y(ref.value)}" x2="${left + plotW}" y2="${y(ref.value)}" stroke="#c33" stroke-dasharray="5,4"/>`);
    parts.push(`<text x="${left + plotW + 6}" y="${labelY}" font-size="11" fill="#c33">${escapeXml(ref.label)}</text>`);
  }
  groups.forEach((g, i) => {
    const cx = left + (plotW * (i + 0.5)) / groups.length;
    const s = summarize(g.values);
    const bw = 50;
    parts.push(`<line x1="${cx}" y1="${y(s.min)}" x2="${cx}" y2="${y(s.max)}" stroke="black"/>`);
    parts.push(`<line x1="${cx - bw / 4}" y1="${y(s.min)}" x2="${cx + bw / 4}" y2="${y(s.min)}" stroke="black"/>`);
    parts.push(`<line x1="${cx - bw / 4}" y1="${y(s.max)}" x2="${cx + bw / 4}" y2="${y(s.max)}" stroke="black"/>`);
    parts.push(`<rect x="${cx - bw / 2}" y="${y(s.q3)}" width="${bw}" height="${Math.max(1, y(s.q1) - y(s.q3))}" fill="#9ec5e8" stroke="black"/>`);
    parts.push(`<line x1="${cx - bw / 2}" y1="${y(s.median)}" x2="${cx + bw / 2}" y2="${y(s.median)}" stroke="#e67e00" stroke-width="2"/>`);
    g.values.forEach((v, j) => {
      const jitter = ((j * 37) % 21) - 10; // deterministic spread so dots do not overlap
      parts.push(`<circle cx="${cx + bw / 2 + 14 + jitter / 2}" cy="${y(v)}" r="2" fill="#555" fill-opacity="0.6"/>`);
    });
    parts.push(`<text x="${cx}" y="${height - bottom + 20}" font-size="13" text-anchor="middle">${escapeXml(g.label)}</text>`);
    parts.push(`<text x="${cx}" y="${height - bottom + 38}" font-size="11" text-anchor="middle" fill="#555">n = ${s.count}, median ${value(s.median)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>\n`;
}
