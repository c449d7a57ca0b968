/**
 * report.md and report.json of `cipherpatch evaluate` for a fixed result:
 * the expected text is written out by hand from Table 1's layout (Iijima &
 * Kiya 2022) and the paper's figures (90.46 %, 11.41 %, Fig. 5's 12–20 %);
 * the wrong keys' quartiles are numpy's (np.quantile of
 * [0.31, 0.12, 0.2, 0.125, 0.2, 0.5]: 0.12, 0.14375, 0.2, 0.2825, 0.5;
 * src/metrics/statistics.test.ts). Q1 shows as 14.37 %: 100 × 0.14375 is
 * 14.374999999999998 in binary floating point, and Python's '%.2f' prints the
 * same 14.37.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { encryptImage8bit } from '../../spec/blockEncryption.ts';
import { toSpecImages } from '../../properties/bridge.ts';
import * as imageGrid from '../plots/imageGrid.ts';
import { imageBatch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import type { EvaluateResult } from './evaluate.ts';
import { reportJson, reportMarkdown, writeEvaluateReport } from './report.ts';
import { SYSTEM_C_REPORT } from './systemC.ts';

// The examples picture's rows, seen on their way to imageGridSvg (the real one still draws them).
vi.mock('../plots/imageGrid.ts', async (original) => {
  const real = await original<typeof import('../plots/imageGrid.ts')>();
  return { ...real, imageGridSvg: vi.fn(real.imageGridSvg) };
});

const key: BlockKey = { blockSize: 2, channels: 3, permutation: Int32Array.from([1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10]), flip: Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]) };
const accuracies = [0.31, 0.12, 0.2, 0.125, 0.2, 0.5];
const scored = (correct: number) => ({ accuracy: correct / 200, correct, predictions: new Uint8Array(200) });
const result: EvaluateResult = {
  images: 200,
  plainModelPlainImages: scored(171),
  encryptedModelPlainImages: scored(23),
  encryptedModelEncryptedImages: scored(171),
  predictionMismatches: 0,
  maxLogitDifference: 0.000002622604370117,
  wrongKeys: accuracies.map((accuracy, index) => ({ index, seed: `wrong-key:${index}`, key, accuracy })),
  wrongKeySummary: { min: 0.12, q1: 0.14375, median: 0.2, q3: 0.2825, max: 0.5, mean: 0.2425, count: 6 },
  engine: { name: 'onnx', backend: 'cpu', threads: 2, version: 'onnxruntime-node 1.30.0' },
  seconds: { total: 12.345, perPass: 1.3717, imagesPerSecond: 145.83 },
};
const sample = imageBatch(Uint8Array.from({ length: 3 * 4 * 4 * 3 }, (_, i) => (i * 7) % 256), { count: 3, height: 4, width: 4, channels: 3 }, 'NHWC');
const ctx = { weightsPath: 'model.safetensors', keyPath: 'key.json', key, data: 'CIFAR-10 test set', command: 'cipherpatch evaluate --weights model.safetensors', sampleImages: sample };

describe('evaluate report', () => {
  it('report.md: Table 1 with the paper\'s column, the wrong keys\' five numbers, the right-key check', () => {
    expect(reportMarkdown(result, ctx)).toBe(`# cipherpatch evaluate

System A (Iijima & Kiya 2022): block-wise encryption of test images and the
matching transformation of a plain-trained ConvMixer.

- Data: CIFAR-10 test set, 200 test images
- Weights: \`model.safetensors\`; key: \`key.json\` (block 2, 3 channels)
- Engine: onnx, backend cpu, 2 thread(s), onnxruntime-node 1.30.0
- Time: 12.3 s in all, 145.8 images/s

## Table 1

| Model | Test images | Accuracy (this run) | Accuracy (paper) |
|---|---|---|---|
| Baseline (plain) | plain | 85.50 % | 90.46 % |
| Encrypted (Eqs. 8–9) | plain | 11.50 % | 11.41 % |
| Encrypted (Eqs. 8–9) | encrypted, right key | 85.50 % | 90.46 % |
| Encrypted (Eqs. 8–9) | encrypted, wrong keys | median 20.00 % (min 12.00 %, Q1 14.37 %, Q3 28.25 %, max 50.00 %; 6 keys) | about 12.00 % to 20.00 % (Fig. 5) |

Right key versus plain: 0 of 200 predictions differ
(must be 0); largest logit difference 2.62e-6.

The paper's numbers are for its trained ConvMixer-256/8; they match ours only
when these weights are such a model.

## Pictures

- \`wrong-keys.svg\` / \`wrong-keys.png\`: accuracy under 6 random wrong keys (Fig. 5).
- \`examples.png\`: test images before and after encryption (Fig. 4).
`);
  });

  it('report.md without wrong keys, and for System C (no paper figures; near-ties may differ)', () => {
    const none = reportMarkdown({ ...result, wrongKeys: [], wrongKeySummary: null }, ctx);
    expect(none).toContain('| Encrypted (Eqs. 8–9) | encrypted, wrong keys | not run | about 12.00 % to 20.00 % (Fig. 5) |');
    expect(none).not.toContain('wrong-keys.svg');
    expect(none.endsWith('## Pictures\n\n- `examples.png`: test images before and after encryption (Fig. 4).\n')).toBe(true);
    const c = reportMarkdown(result as unknown as EvaluateResult<never>, { ...ctx, system: SYSTEM_C_REPORT } as never);
    expect(c).toContain('| Baseline (plain) | plain | 85.50 % | not reported |');
    expect(c).toContain('| plain | 11.50 % | not reported |');
    expect(c).toContain('| encrypted, right matrix | 85.50 % | the plain accuracy |');
    expect(c).toContain('6 matrices) | not reported |');
    expect(c).toContain('(exact up to float rounding: only near-ties may differ)');
  });

  it('report.json: every number, the key and each wrong key', () => {
    const json = reportJson(result, ctx) as Record<string, unknown>;
    expect(typeof json.createdAt).toBe('string');
    expect(Date.parse(json.createdAt as string)).toBeGreaterThan(Date.parse('2026-01-01'));
    const { createdAt: _, ...rest } = json;
    expect(JSON.parse(JSON.stringify(rest))).toEqual({
      format: 'cipherpatch-evaluate-report',
      version: 1,
      command: 'cipherpatch evaluate --weights model.safetensors',
      weights: 'model.safetensors',
      keyFile: 'key.json',
      key: { format: 'cipherpatch-block-key', version: 1, blockSize: 2, channels: 3, blockOrder: 'channel,row,column', convention: "x'[k] = x[permutation[k]]; x''[k] = flip[k] ? 255 - x'[k] : x'[k] (8-bit), 1 - x'[k] ([0,1])", permutation: [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10], flip: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0] },
      data: 'CIFAR-10 test set',
      images: 200,
      engine: { name: 'onnx', backend: 'cpu', threads: 2, version: 'onnxruntime-node 1.30.0' },
      timing: { total: 12.345, perPass: 1.3717, imagesPerSecond: 145.83 },
      results: {
        plainModelPlainImages: { accuracy: 0.855, correct: 171 },
        encryptedModelPlainImages: { accuracy: 0.115, correct: 23 },
        encryptedModelEncryptedImages: { accuracy: 0.855, correct: 171 },
        rightKeyPredictionMismatches: 0,
        rightKeyMaxLogitDifference: 0.000002622604370117,
        wrongKeySummary: { min: 0.12, q1: 0.14375, median: 0.2, q3: 0.2825, max: 0.5, mean: 0.2425, count: 6 },
        wrongKeys: accuracies.map((accuracy, index) => ({ index, seed: `wrong-key:${index}`, accuracy, permutation: [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10], flip: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0] })),
      },
      paper: { plainModelPlainImages: 0.9046, encryptedModelPlainImages: 0.1141, encryptedModelEncryptedImages: 0.9046, wrongKeysRange: [0.12, 0.2] },
    });
  });

  it('the directory: report files, the box plot of the wrong keys with its references, the examples picture', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cipherpatch-report-')), 'r');
    expect(writeEvaluateReport(dir, result, ctx)).toEqual(['report.json', 'report.md', 'wrong-keys.svg', 'wrong-keys.png', 'examples.png']);
    expect(readdirSync(dir).sort()).toEqual(['.cipherpatch-report', 'examples.png', 'report.json', 'report.md', 'wrong-keys.png', 'wrong-keys.svg']);
    const svg = readFileSync(join(dir, 'wrong-keys.svg'), 'utf8');
    expect(svg).toContain('>Encrypted model, images encrypted with wrong keys</text>');
    expect(svg).toContain('>6 wrong keys</text>');
    expect(svg).toContain('n = 6, median 20.00 %');
    expect(svg).toContain('>right key 85.50 %</text>');
    expect(svg).toContain('>chance 10 %</text>');
    // The references at their values: the frame maps 1 to y = 50 and 0 to y = 360 (yMin 0, yMax 1).
    expect(svg).toContain(`y1="${50 + 310 * (1 - 0.855)}"`);
    expect(svg).toContain(`y1="${50 + 310 * (1 - 0.1)}"`);
    expect(svg).toContain('transform="rotate(-90 20 205)">accuracy</text>');
    const written = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(written.results.wrongKeySummary).toEqual(result.wrongKeySummary);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(reportMarkdown(result, ctx));
    const dir1 = join(mkdtempSync(join(tmpdir(), 'cipherpatch-report-')), 'r');
    writeEvaluateReport(dir1, { ...result, wrongKeys: result.wrongKeys.slice(0, 1) }, ctx);
    expect(readFileSync(join(dir1, 'wrong-keys.svg'), 'utf8')).toContain('>1 wrong key</text>');
    const dir0 = join(mkdtempSync(join(tmpdir(), 'cipherpatch-report-')), 'r');
    expect(writeEvaluateReport(dir0, { ...result, wrongKeys: [], wrongKeySummary: null }, ctx)).toEqual(['report.json', 'report.md', 'examples.png']);
  });

  it('the examples picture: plain, right key and wrong key 1 rows of the first 8 images (spec encryption), CIFAR class names over the columns', () => {
    const grid = vi.mocked(imageGrid.imageGridSvg);
    const other: BlockKey = { ...key, permutation: Int32Array.from({ length: 12 }, (_, i) => 11 - i) };
    const ten = imageBatch(Uint8Array.from({ length: 10 * 4 * 4 * 3 }, (_, i) => (i * 13) % 256), { count: 10, height: 4, width: 4, channels: 3 }, 'NHWC');
    const labels = Uint8Array.from([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    grid.mockClear();
    writeEvaluateReport(join(mkdtempSync(join(tmpdir(), 'cipherpatch-report-')), 'r'), { ...result, wrongKeys: [{ ...result.wrongKeys[0], key: other }] }, { ...ctx, sampleImages: ten, sampleLabels: labels, classNames: names });
    const [rows, options] = grid.mock.calls[0];
    expect(rows.map((r) => [r.label, r.images.shape.count])).toEqual([['plain', 8], ['encrypted (right key)', 8], ['encrypted (wrong key 1)', 8]]);
    expect(options).toEqual({ title: 'Test images, block size 2', scale: 4, columnLabels: ['cat', 'ship', 'ship', 'airplane', 'frog', 'frog', 'automobile', 'frog'] });
    const spec = (k: BlockKey) => toSpecImages(rows[0].images.data, rows[0].images.shape, 'NHWC').map((img) => Array.from(encryptImage8bit(img, 2, Array.from(k.permutation), Array.from(k.flip)).data));
    expect(toSpecImages(rows[1].images.data, rows[1].images.shape, 'NHWC').map((img) => Array.from(img.data))).toEqual(spec(key));
    expect(toSpecImages(rows[2].images.data, rows[2].images.shape, 'NHWC').map((img) => Array.from(img.data))).toEqual(spec(other));
    expect(Array.from(rows[0].images.data)).toEqual(Array.from(ten.data.subarray(0, 8 * 48)));
    // Labels without class names: no column labels; no wrong keys: no third row.
    grid.mockClear();
    writeEvaluateReport(join(mkdtempSync(join(tmpdir(), 'cipherpatch-report-')), 'r'), { ...result, wrongKeys: [], wrongKeySummary: null }, { ...ctx, sampleLabels: labels });
    expect(grid.mock.calls[0][0]).toHaveLength(2);
    expect(grid.mock.calls[0][1].columnLabels).toBeUndefined();
  });
});
