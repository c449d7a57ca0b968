/**
 * The evaluate job's report: report.json (every number), report.md (Table 1
 * laid out like the paper's, the paper's numbers beside ours), the wrong-key
 * box plot (Fig. 5) as SVG and PNG, and test images before and after
 * encryption (Fig. 4) as PNG. Written as one directory, atomically.
 */
import { encryptUint8 } from '../core/blockTransform.ts';
import { type Uint8Batch, toLayout } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import { keyToJson } from '../core/keyJson.ts';
import { writeDirectoryAtomic } from '../io/atomicDir.ts';
import { boxPlotSvg } from '../report/boxPlot.ts';
import { plural } from '../core/words.ts';
import { imageGridSvg } from '../report/imageGrid.ts';
import { svgToPng } from '../report/render.ts';
import type { EvaluateResult } from './evaluate.ts';
import { sliceImages } from '../engine/engine.ts';

/** What the paper reports (Iijima & Kiya 2022, Table 1 and Fig. 5; CIFAR-10, ConvMixer-256/8, M = P = 4). */
export const PAPER = {
  plainModelPlainImages: 0.9046,
  encryptedModelPlainImages: 0.1141,
  encryptedModelEncryptedImages: 0.9046,
  wrongKeysRange: [0.12, 0.2] as const,
} as const;

export interface ReportContext {
  readonly weightsPath: string;
  readonly keyPath: string;
  readonly key: BlockKey;
  readonly data: string;
  readonly command: string;
  /** Images (NCHW or NHWC) to show in the Fig. 4 picture. */
  readonly sampleImages: Uint8Batch;
  readonly classNames?: readonly string[];
  readonly sampleLabels?: Uint8Array;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

export function reportJson(result: EvaluateResult, ctx: ReportContext): object {
  const scored = (s: EvaluateResult['plainModelPlainImages']) => ({ accuracy: s.accuracy, correct: s.correct });
  return {
    format: 'cipherpatch-evaluate-report',
    version: 1,
    createdAt: new Date().toISOString(),
    command: ctx.command,
    weights: ctx.weightsPath,
    keyFile: ctx.keyPath,
    key: keyToJson(ctx.key),
    data: ctx.data,
    images: result.images,
    engine: result.engine,
    timing: result.seconds,
    results: {
      plainModelPlainImages: scored(result.plainModelPlainImages),
      encryptedModelPlainImages: scored(result.encryptedModelPlainImages),
      encryptedModelEncryptedImages: scored(result.encryptedModelEncryptedImages),
      rightKeyPredictionMismatches: result.predictionMismatches,
      rightKeyMaxLogitDifference: result.maxLogitDifference,
      wrongKeySummary: result.wrongKeySummary,
      wrongKeys: result.wrongKeys.map((w) => ({ index: w.index, seed: w.seed, accuracy: w.accuracy, permutation: Array.from(w.key.permutation), flip: Array.from(w.key.flip) })),
    },
    paper: PAPER,
  };
}

export function reportMarkdown(result: EvaluateResult, ctx: ReportContext): string {
  const s = result.wrongKeySummary;
  const wrong = s === null ? 'not run' : `median ${pct(s.median)} (min ${pct(s.min)}, Q1 ${pct(s.q1)}, Q3 ${pct(s.q3)}, max ${pct(s.max)}; ${plural(s.count, 'key')})`;
  return `# cipherpatch evaluate

System A (Iijima & Kiya 2022): block-wise encryption of test images and the
matching transformation of a plain-trained ConvMixer.

- Data: ${ctx.data}, ${result.images} test images
- Weights: \`${ctx.weightsPath}\`; key: \`${ctx.keyPath}\` (block ${ctx.key.blockSize}, ${plural(ctx.key.channels, 'channel')})
- Engine: ${result.engine.name}, backend ${result.engine.backend}, ${result.engine.threads} thread(s), ${result.engine.version}
- Time: ${result.seconds.total.toFixed(1)} s in all, ${result.seconds.imagesPerSecond.toFixed(1)} images/s

## Table 1

| Model | Test images | Accuracy (this run) | Accuracy (paper) |
|---|---|---|---|
| Baseline (plain) | plain | ${pct(result.plainModelPlainImages.accuracy)} | ${pct(PAPER.plainModelPlainImages)} |
| Encrypted (Eqs. 8–9) | plain | ${pct(result.encryptedModelPlainImages.accuracy)} | ${pct(PAPER.encryptedModelPlainImages)} |
| Encrypted (Eqs. 8–9) | encrypted, right key | ${pct(result.encryptedModelEncryptedImages.accuracy)} | ${pct(PAPER.encryptedModelEncryptedImages)} |
| Encrypted (Eqs. 8–9) | encrypted, wrong keys | ${wrong} | about ${pct(PAPER.wrongKeysRange[0])} to ${pct(PAPER.wrongKeysRange[1])} (Fig. 5) |

Right key versus plain: ${result.predictionMismatches} of ${result.images} predictions differ
(must be 0); largest logit difference ${result.maxLogitDifference.toExponential(2)}.

The paper's numbers are for its trained ConvMixer-256/8; they match ours only
when these weights are such a model.

## Pictures

- \`wrong-keys.svg\` / \`wrong-keys.png\`: accuracy under ${result.wrongKeys.length} random wrong keys (Fig. 5).
- \`examples.png\`: test images before and after encryption (Fig. 4).
`;
}

export function writeEvaluateReport(dir: string, result: EvaluateResult, ctx: ReportContext, options: { overwrite?: boolean } = {}): string[] {
  const files = new Map<string, string | Uint8Array>();
  files.set('report.json', `${JSON.stringify(reportJson(result, ctx), null, 2)}\n`);
  files.set('report.md', reportMarkdown(result, ctx));
  if (result.wrongKeys.length > 0) {
    const svg = boxPlotSvg([{ label: plural(result.wrongKeys.length, 'wrong key'), values: result.wrongKeys.map((w) => w.accuracy) }], {
      title: 'Encrypted model, images encrypted with wrong keys',
      yLabel: 'accuracy',
      yPercent: true,
      yMin: 0,
      yMax: 1,
      references: [
        { label: `right key ${pct(result.encryptedModelEncryptedImages.accuracy)}`, value: result.encryptedModelEncryptedImages.accuracy },
        { label: 'chance 10 %', value: 0.1 },
      ],
    });
    files.set('wrong-keys.svg', svg);
    files.set('wrong-keys.png', svgToPng(svg));
  }
  const samples = toLayout(ctx.sampleImages, 'NHWC');
  const shown = sliceImages(samples, 0, Math.min(8, samples.shape.count));
  const columnLabels = ctx.sampleLabels && ctx.classNames ? Array.from(ctx.sampleLabels.subarray(0, shown.shape.count), (l) => ctx.classNames?.[l] ?? String(l)) : undefined;
  const grid = imageGridSvg(
    [
      { label: 'plain', images: shown },
      { label: 'encrypted (right key)', images: encryptUint8(shown, ctx.key) },
      ...(result.wrongKeys.length > 0 ? [{ label: 'encrypted (wrong key 1)', images: encryptUint8(shown, result.wrongKeys[0].key) }] : []),
    ],
    { title: `Test images, block size ${ctx.key.blockSize}`, scale: 4, columnLabels },
  );
  files.set('examples.png', svgToPng(grid));
  writeDirectoryAtomic(dir, files, options);
  return [...files.keys()];
}
