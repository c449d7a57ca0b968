/**
 * System B's report (src/evaluate/systemBReport.ts) for a fixed result, no
 * engine: report.json field by field, report.md word for word (written out
 * by hand from the authors' logged figures: 95.43 % plain, 92.56 % shuffle,
 * 93.41 % negpos, 92.27 % ffx), which files are written, the box plot's
 * references and the examples picture's rows (seen on their way to the
 * plotting functions, which still draw them; the PNG rendering is stubbed).
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { imageBatch } from '../core/images.ts';
import * as boxPlot from '../plots/boxPlot.ts';
import * as imageGrid from '../plots/imageGrid.ts';
import { type SystemBKey, parseSystemBKey } from '../variants/systemBKey.ts';
import type { SystemBResult } from './systemB.ts';
import { SYSTEM_B_AUTHORS, systemBReportJson, systemBReportMarkdown, writeSystemBReport } from './systemBReport.ts';

vi.mock('../plots/imageGrid.ts', async (original) => {
  const real = await original<typeof import('../plots/imageGrid.ts')>();
  return { ...real, imageGridSvg: vi.fn(real.imageGridSvg) };
});
vi.mock('../plots/boxPlot.ts', async (original) => {
  const real = await original<typeof import('../plots/boxPlot.ts')>();
  return { ...real, boxPlotSvg: vi.fn(real.boxPlotSvg) };
});
// PNG rendering is the plots' business (src/plots/render.test.ts); here a PNG is the SVG's bytes.
vi.mock('../plots/render.ts', async (original) => ({ ...(await original<typeof import('../plots/render.ts')>()), svgToPng: (svg: string) => new TextEncoder().encode(svg) }));

const negpos = (flip: number[]): SystemBKey => parseSystemBKey({ format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip });
const key = negpos([0, 1, 0, 0]);
const wrong = [negpos([1, 0, 0, 0]), negpos([0, 0, 1, 0])];
const scored = (correct: number) => ({ accuracy: correct / 200, correct, predictions: new Uint8Array(200) });
const result: SystemBResult = {
  transform: 'negpos',
  images: 200,
  rightKey: scored(185),
  plainImages: scored(21),
  wrongKeys: [
    { index: 0, seed: 'wrong-key:0', key: wrong[0], accuracy: 0.105 },
    { index: 1, seed: 'wrong-key:1', key: wrong[1], accuracy: 0.0975 },
  ],
  wrongKeySummary: { min: 0.0975, q1: 0.099375, median: 0.10125, q3: 0.103125, max: 0.105, mean: 0.10125, count: 2 },
  engine: { name: 'onnx', backend: 'cpu', threads: 2, version: 'onnxruntime-node 1.30.0' },
  seconds: { total: 12.34, perPass: 3.085, imagesPerSecond: 64.83 },
};
const ctx = { weightsPath: 'runs/negpos/model.safetensors', keyPath: 'keys/negpos.json', data: 'CIFAR-10 test set', command: 'cipherpatch evaluate --system b', model: 'ResNet-18 (negpos)' };

afterEach(() => {
  vi.useRealTimers();
});

describe('systemBReportJson', () => {
  it('every field, the wrong key sets with their keys in full', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-03T12:00:00.000Z'));
    expect(systemBReportJson(result, ctx)).toEqual({
      format: 'cipherpatch-evaluate-report',
      version: 1,
      system: 'B',
      transform: 'negpos',
      createdAt: '2026-12-03T12:00:00.000Z',
      command: 'cipherpatch evaluate --system b',
      weights: 'runs/negpos/model.safetensors',
      model: 'ResNet-18 (negpos)',
      keyFile: 'keys/negpos.json',
      data: 'CIFAR-10 test set',
      images: 200,
      engine: { name: 'onnx', backend: 'cpu', threads: 2, version: 'onnxruntime-node 1.30.0' },
      timing: { total: 12.34, perPass: 3.085, imagesPerSecond: 64.83 },
      results: {
        rightKey: { accuracy: 0.925, correct: 185 },
        plainImages: { accuracy: 0.105, correct: 21 },
        wrongKeySummary: { min: 0.0975, q1: 0.099375, median: 0.10125, q3: 0.103125, max: 0.105, mean: 0.10125, count: 2 },
        wrongKeys: [
          { index: 0, seed: 'wrong-key:0', accuracy: 0.105, key: { format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip: [1, 0, 0, 0] } },
          { index: 1, seed: 'wrong-key:1', accuracy: 0.0975, key: { format: 'cipherpatch-variant-key', variant: 'negpos', blockSize: 2, channels: 1, flip: [0, 0, 1, 0] } },
        ],
      },
      authors: { rightKey: 0.9341, plainModel: 0.9543, source: "the System B authors' logs (ResNet-18, 200 epochs, M = 4)" },
    });
  });

  it("the authors' figures per transform", () => {
    expect(SYSTEM_B_AUTHORS).toEqual({ plain: 0.9543, shuffle: 0.9256, negpos: 0.9341, ffx: 0.9227 });
    expect((systemBReportJson({ ...result, transform: 'ffx' }, ctx) as { authors: { rightKey: number } }).authors.rightKey).toBe(0.9227);
  });
});

describe('systemBReportMarkdown', () => {
  it('word for word', () => {
    expect(systemBReportMarkdown(result, ctx)).toBe(`# cipherpatch evaluate (System B)

System B (MaungMaung & Kiya 2021): a model trained on images transformed
block-wise with a secret key set (negative/positive); no model
transformation. The key set selects the transform.

- Data: CIFAR-10 test set, 200 test images
- Model: ResNet-18 (negpos), \`runs/negpos/model.safetensors\`; key set: \`keys/negpos.json\` (negpos)
- Engine: onnx, backend cpu, 2 thread(s), onnxruntime-node 1.30.0
- Time: 12.3 s in all, 64.8 images/s

| Test images | Accuracy (this run) | Authors (ResNet-18, 200 epochs) |
|---|---|---|
| transformed, right key set | 92.50 % | 93.41 % |
| plain (no transform) | 10.50 % | — |
| transformed, wrong key sets | median 10.13 % (min 9.75 %, Q1 9.94 %, Q3 10.31 %, max 10.50 %; 2 key sets) | — |

The authors' figure is for their trained ResNet-18; it matches ours only when
these weights are such a model (their plain model: 95.43 %).
`);
  });

  it('the other transforms’ titles, a fallback engine, no wrong key sets', () => {
    const shuffle = systemBReportMarkdown({ ...result, transform: 'shuffle', wrongKeys: [], wrongKeySummary: null, engine: { ...result.engine, name: 'tfjs', fallback: 'onnxruntime-node did not load' } }, ctx);
    expect(shuffle).toContain('block-wise with a secret key set (pixel shuffling); no model');
    expect(shuffle).toContain('- Engine: tfjs, backend cpu, 2 thread(s), onnxruntime-node 1.30.0; onnxruntime-node did not load\n');
    expect(shuffle).toContain('| transformed, right key set | 92.50 % | 92.56 % |');
    expect(shuffle).toContain('| transformed, wrong key sets | not run | — |');
    expect(systemBReportMarkdown({ ...result, transform: 'ffx' }, ctx)).toContain('(FFX (pyffx, as the authors ran it)); no model');
  });
});

describe('writeSystemBReport', () => {
  const newDir = () => join(mkdtempSync(join(tmpdir(), 'cipherpatch-b-report-')), 'report');
  // Ten 2×2 one-channel images, pixel value 10n + k (position k of image n).
  const ten = imageBatch(Uint8Array.from({ length: 40 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)), { count: 10, height: 2, width: 2, channels: 1 }, 'NCHW');
  const labels = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

  it('report.json, report.md and the box plot of the wrong key sets, with its references', () => {
    const dir = newDir();
    const plot = vi.mocked(boxPlot.boxPlotSvg);
    plot.mockClear();
    expect(writeSystemBReport(dir, result, ctx)).toEqual(['report.json', 'report.md', 'wrong-keys.svg', 'wrong-keys.png']);
    expect(readdirSync(dir).sort()).toEqual(['.cipherpatch-report', 'report.json', 'report.md', 'wrong-keys.png', 'wrong-keys.svg']);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(systemBReportMarkdown(result, ctx));
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { results: { rightKey: unknown } };
    expect(json.results.rightKey).toEqual({ accuracy: 0.925, correct: 185 });
    expect(readFileSync(join(dir, 'report.json'), 'utf8').endsWith('}\n')).toBe(true);
    expect(plot.mock.calls).toHaveLength(1);
    const [groups, options] = plot.mock.calls[0];
    expect(groups).toEqual([{ label: '2 wrong key sets', values: [0.105, 0.0975] }]);
    expect(options).toEqual({
      title: 'System B (negpos), images transformed with wrong key sets',
      yLabel: 'accuracy',
      yPercent: true,
      yMin: 0,
      yMax: 1,
      references: [
        { label: 'right key set 92.50 %', value: 0.925 },
        { label: 'plain images 10.50 %', value: 0.105 },
        { label: 'chance 10 %', value: 0.1 },
      ],
    });
    expect(readFileSync(join(dir, 'wrong-keys.png'), 'utf8')).toBe(readFileSync(join(dir, 'wrong-keys.svg'), 'utf8'));
  });

  it('no wrong key sets: no box plot; an existing directory only with overwrite', () => {
    const dir = newDir();
    expect(writeSystemBReport(dir, { ...result, wrongKeys: [], wrongKeySummary: null }, ctx)).toEqual(['report.json', 'report.md']);
    expect(() => writeSystemBReport(dir, result, ctx)).toThrow();
    expect(writeSystemBReport(dir, result, ctx, { overwrite: true })).toHaveLength(4);
  });

  it('examples.png: the first 8 images plain, with the right key set and with wrong key set 1, as the model sees them', () => {
    const grid = vi.mocked(imageGrid.imageGridSvg);
    grid.mockClear();
    const files = writeSystemBReport(newDir(), result, { ...ctx, sampleImages: ten, key, sampleLabels: labels, classNames: names });
    expect(files).toEqual(['report.json', 'report.md', 'wrong-keys.svg', 'wrong-keys.png', 'examples.png']);
    const [rows, options] = grid.mock.calls[0];
    expect(rows.map((r) => r.label)).toEqual(['plain', 'negpos, right key set', 'negpos, wrong key set 1']);
    expect(options).toEqual({ title: 'Test images as the model sees them, block size 2', scale: 4, columnLabels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] });
    // Model input x back on 0..255 as round(255·(x + 1)/2): plain values unchanged; a flipped value v shows as 255 − v.
    // Image 1 is 10, 11, 12, 13; NHWC of one channel is the same order.
    expect(rows[0].images.layout).toBe('NHWC');
    expect(rows[0].images.shape).toEqual({ count: 8, height: 2, width: 2, channels: 1 });
    expect(Array.from(rows[0].images.data.subarray(4, 8))).toEqual([10, 11, 12, 13]);
    expect(Array.from(rows[1].images.data.subarray(4, 8))).toEqual([10, 244, 12, 13]); // key flips position 1
    expect(Array.from(rows[2].images.data.subarray(4, 8))).toEqual([245, 11, 12, 13]); // wrong key set 1 flips position 0
  });

  it('examples.png without wrong key sets has two rows; labels without class names (or the reverse) give no column labels; fewer than 8 images', () => {
    const grid = vi.mocked(imageGrid.imageGridSvg);
    grid.mockClear();
    const three = imageBatch(ten.data.slice(0, 12), { count: 3, height: 2, width: 2, channels: 1 }, 'NCHW');
    writeSystemBReport(newDir(), { ...result, wrongKeys: [], wrongKeySummary: null }, { ...ctx, sampleImages: three, key, sampleLabels: labels });
    expect(grid.mock.calls[0][0].map((r) => r.label)).toEqual(['plain', 'negpos, right key set']);
    expect(grid.mock.calls[0][0][0].images.shape.count).toBe(3);
    expect(grid.mock.calls[0][1].columnLabels).toBeUndefined();
    writeSystemBReport(newDir(), result, { ...ctx, sampleImages: three, key, classNames: names });
    expect(grid.mock.calls[1][1].columnLabels).toBeUndefined();
    // Labels beyond the class names show as numbers.
    writeSystemBReport(newDir(), result, { ...ctx, sampleImages: three, key, sampleLabels: Uint8Array.from([0, 12, 1]), classNames: names });
    expect(grid.mock.calls[2][1].columnLabels).toEqual(['a', '12', 'b']);
    // Without the key (or the images) there is no examples picture.
    expect(writeSystemBReport(newDir(), result, { ...ctx, sampleImages: three })).not.toContain('examples.png');
    expect(writeSystemBReport(newDir(), result, { ...ctx, key })).not.toContain('examples.png');
  });
});
