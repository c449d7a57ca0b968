/**
 * A line plot as SVG (rendered to PNG by render.ts): one or more series of
 * (x, y) points against a linear or log x axis, optional horizontal
 * reference lines (e.g. chance level, right-key accuracy) and shaded bands
 * (e.g. a paper's reported range), and a legend. Used by the attack report
 * for accuracy or key fraction against attacker effort.
 */
import { escapeXml } from './render.ts';

export interface Series {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Draw markers only, no connecting line. */
  readonly markersOnly?: boolean;
}

export interface Band {
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

export interface LinePlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xScale?: 'linear' | 'log';
  readonly yMin?: number;
  readonly yMax?: number;
  /** Show y values as percentages. */
  readonly yPercent?: boolean;
  readonly references?: readonly { readonly label: string; readonly value: number }[];
  readonly bands?: readonly Band[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5) return v.toExponential(0).replace('e+', 'e');
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

export function linePlotSvg(series: readonly Series[], options: LinePlotOptions): string {
  const width = 760;
  const height = 460;
  const left = 80;
  const right = 200;
  const top = 50;
  const bottom = 85;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const log = options.xScale === 'log';
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).filter((x) => Number.isFinite(x) && (!log || x > 0));
  const ys = series
    .flatMap((s) => s.points.map((p) => p.y))
    .concat((options.references ?? []).map((r) => r.value))
    .concat((options.bands ?? []).flatMap((b) => [b.from, b.to]))
    .filter(Number.isFinite);
  if (xs.length === 0) throw new Error('line plot without points');
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMin === xMax) [xMin, xMax] = log ? [xMin / 2, xMax * 2] : [xMin - 1, xMax + 1];
  const yMin = options.yMin ?? Math.min(...ys);
  const yMax = options.yMax ?? Math.max(...ys);
  const tx = (v: number) => (log ? Math.log10(v) : v);
  const X = (v: number) => left + (plotW * (tx(v) - tx(xMin))) / (tx(xMax) - tx(xMin));
  const Y = (v: number) => top + plotH * (1 - (v - yMin) / (yMax - yMin || 1));
  const fmtY = (v: number) => (options.yPercent ? `${Number((100 * v).toPrecision(3))} %` : formatNumber(v));
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="28" font-size="16" text-anchor="middle" font-weight="bold">${escapeXml(options.title)}</text>`);
  // Bands first, under everything.
  for (const b of options.bands ?? []) {
    const y1 = Y(Math.max(b.from, b.to));
    const y2 = Y(Math.min(b.from, b.to));
    parts.push(`<rect x="${left}" y="${y1}" width="${plotW}" height="${Math.max(1, y2 - y1)}" fill="#f4c542" fill-opacity="0.25"/>`);
  }
  // y grid and ticks.
  const yStep = niceStep(yMax - yMin || 1, 5);
  for (let v = Math.ceil(yMin / yStep) * yStep; v <= yMax + 1e-12; v += yStep) {
    parts.push(`<line x1="${left}" y1="${Y(v)}" x2="${left + plotW}" y2="${Y(v)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${left - 8}" y="${Y(v) + 4}" font-size="12" text-anchor="end">${fmtY(v)}</text>`);
  }
  // x ticks.
  const xTicks: number[] = [];
  if (log) {
    for (let e = Math.floor(Math.log10(xMin)); e <= Math.ceil(Math.log10(xMax)); e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= xMin * (1 - 1e-9) && v <= xMax * (1 + 1e-9)) xTicks.push(v);
      }
  } else {
    const step = niceStep(xMax - xMin, 6);
    for (let v = Math.ceil(xMin / step) * step; v <= xMax + 1e-9; v += step) xTicks.push(v);
  }
  for (const v of xTicks) {
    parts.push(`<line x1="${X(v)}" y1="${top}" x2="${X(v)}" y2="${top + plotH}" stroke="#f0f0f0"/>`);
    parts.push(`<line x1="${X(v)}" y1="${top + plotH}" x2="${X(v)}" y2="${top + plotH + 5}" stroke="black"/>`);
    parts.push(`<text x="${X(v)}" y="${top + plotH + 20}" font-size="12" text-anchor="middle">${formatNumber(v)}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="black"/>`);
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="black"/>`);
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 40}" font-size="13" text-anchor="middle">${escapeXml(options.xLabel)}${log ? ' (log scale)' : ''}</text>`);
  parts.push(`<text x="20" y="${top + plotH / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 20 ${top + plotH / 2})">${escapeXml(options.yLabel)}</text>`);
  // Reference lines, labels on the right pushed apart so they never overlap.
  const labels: { y: number; text: string; colour: string }[] = [];
  for (const r of options.references ?? []) {
    parts.push(`<line x1="${left}" y1="${Y(r.value)}" x2="${left + plotW}" y2="${Y(r.value)}" stroke="#777" stroke-dasharray="5,4"/>`);
    labels.push({ y: Y(r.value), text: `${r.label} (${fmtY(r.value)})`, colour: '#555' });
  }
  for (const b of options.bands ?? []) labels.push({ y: Y((b.from + b.to) / 2), text: b.label, colour: '#b8860b' });
  // Series.
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!log || p.x > 0));
    if (!s.markersOnly && pts.length > 1) parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3.5" fill="${colour}"/>`);
  });
  // Legend (series) in a row under the x label; reference labels in the right margin, at their height.
  let lx = left;
  const ly = height - 14;
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(`<text x="${lx + 26}" y="${ly}" font-size="12">${escapeXml(s.label)}</text>`);
    lx += 40 + 7 * s.label.length;
  });
  let last = -Infinity;
  for (const l of labels.sort((a, b) => a.y - b.y)) {
    const y = Math.max(l.y + 4, last + 14);
    last = y;
    parts.push(`<text x="${left + plotW + 12}" y="${y}" font-size="11" fill="${l.colour}">${escapeXml(l.text)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>\n`;
}
