/**
 * The evaluate job's report: report.json (every number), report.md (Table 1
 * laid out like the paper's, the paper's numbers beside ours), the wrong-key
 * box plot (Fig. 5) as SVG and PNG, and test images before and after
 * encryption (Fig. 4) as PNG. Written as one directory, atomically.
 */
import { encryptUint8 } from '../core/blockTransform.ts';
import { type Uint8Batch, sliceImages, toLayout } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import { keyToJson } from '../core/keyJson.ts';
import { writeDirectoryAtomic } from '../io/atomicDir.ts';
import { boxPlotSvg } from '../plots/boxPlot.ts';
import { plural } from '../core/words.ts';
import { imageGridSvg } from '../plots/imageGrid.ts';
import { svgToPng } from '../plots/render.ts';
import { type EvaluateResult, type KeyNames, SYSTEM_A, fallbackNote } from './evaluate.ts';

/** What the paper reports (Iijima & Kiya 2022, Table 1 and Fig. 5; CIFAR-10, ConvMixer-256/8, M = P = 4). */
export const PAPER = {
  plainModelPlainImages: 0.9046,
  encryptedModelPlainImages: 0.1141,
  encryptedModelEncryptedImages: 0.9046,
  wrongKeysRange: [0.12, 0.2] as const,
} as const;

/** What the report says differently for each keyed system (System A's is SYSTEM_A_REPORT, System C's in systemC.ts). */
export interface ReportSystem<K> extends KeyNames {
  /** The first paragraph of report.md. */
  readonly intro: string;
  /** The name of the model transformation in Table 1 ("Eqs. 8–9"). */
  readonly modelTransform: string;
  /** The key as report.json records it. */
  keyJson(key: K): unknown;
  /** A wrong key's fields in report.json (besides index, seed and accuracy). */
  wrongKeyJson(key: K): Record<string, unknown>;
  /** The images as Fig. 4's picture shows them encrypted with `key` (8-bit; for display only where the system's values are real). */
  shown(images: Uint8Batch, key: K): Uint8Batch;
  /** The paper's figures for this system, or null where it reports none. */
  readonly paper: typeof PAPER | null;
}

export const SYSTEM_A_REPORT: ReportSystem<BlockKey> = {
  intro: 'System A (Iijima & Kiya 2022): block-wise encryption of test images and the\nmatching transformation of a plain-trained ConvMixer.',
  keyNoun: SYSTEM_A.keyNoun,
  keyNouns: SYSTEM_A.keyNouns,
  modelTransform: 'Eqs. 8–9',
  keyJson: (key) => keyToJson(key),
  wrongKeyJson: (key) => ({ permutation: Array.from(key.permutation), flip: Array.from(key.flip) }),
  shown: (images, key) => encryptUint8(images, key),
  paper: PAPER,
};

export interface ReportContext<K = BlockKey> {
  readonly weightsPath: string;
  readonly keyPath: string;
  readonly key: K & { readonly blockSize: number; readonly channels: number };
  /** Which system the report is of (default: System A). */
  readonly system?: ReportSystem<K>;
  readonly data: string;
  readonly command: string;
  /** Images (NCHW or NHWC) to show in the Fig. 4 picture. */
  readonly sampleImages: Uint8Batch;
  readonly classNames?: readonly string[];
  readonly sampleLabels?: Uint8Array;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

/** How many test images the Fig. 4 picture (examples.png) shows: the first ones. */
export const EXAMPLE_IMAGES = 8;

const systemOf = <K>(ctx: ReportContext<K>): ReportSystem<K> => ctx.system ?? (SYSTEM_A_REPORT as unknown as ReportSystem<K>);

export function reportJson<K>(result: EvaluateResult<K>, ctx: ReportContext<K>): object {
  const system = systemOf(ctx);
  const scored = (s: EvaluateResult['plainModelPlainImages']) => ({ accuracy: s.accuracy, correct: s.correct });
  return {
    format: 'cipherpatch-evaluate-report',
    version: 1,
    createdAt: new Date().toISOString(),
    command: ctx.command,
    weights: ctx.weightsPath,
    keyFile: ctx.keyPath,
    key: system.keyJson(ctx.key),
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
      wrongKeys: result.wrongKeys.map((w) => ({ index: w.index, seed: w.seed, accuracy: w.accuracy, ...system.wrongKeyJson(w.key) })),
    },
    paper: system.paper,
  };
}

export function reportMarkdown<K>(result: EvaluateResult<K>, ctx: ReportContext<K>): string {
  const system = systemOf(ctx);
  const noun = system.keyNoun;
  const nouns = system.keyNouns;
  const s = result.wrongKeySummary;
  const wrong = s === null ? 'not run' : `median ${pct(s.median)} (min ${pct(s.min)}, Q1 ${pct(s.q1)}, Q3 ${pct(s.q3)}, max ${pct(s.max)}; ${plural(s.count, noun, nouns)})`;
  const paper = system.paper;
  const paperCell = (x: number | undefined, none: string) => (paper === null || x === undefined ? none : pct(x));
  const t = system.modelTransform;
  return `# cipherpatch evaluate

${system.intro}

- Data: ${ctx.data}, ${result.images} test images
- Weights: \`${ctx.weightsPath}\`; ${noun}: \`${ctx.keyPath}\` (block ${ctx.key.blockSize}, ${plural(ctx.key.channels, 'channel')})
- Engine: ${result.engine.name}, backend ${result.engine.backend}, ${result.engine.threads} thread(s), ${result.engine.version}${fallbackNote(result.engine)}
- Time: ${result.seconds.total.toFixed(1)} s in all, ${result.seconds.imagesPerSecond.toFixed(1)} images/s

## Table 1

| Model | Test images | Accuracy (this run) | Accuracy (paper) |
|---|---|---|---|
| Baseline (plain) | plain | ${pct(result.plainModelPlainImages.accuracy)} | ${paperCell(paper?.plainModelPlainImages, 'not reported')} |
| Encrypted (${t}) | plain | ${pct(result.encryptedModelPlainImages.accuracy)} | ${paperCell(paper?.encryptedModelPlainImages, 'not reported')} |
| Encrypted (${t}) | encrypted, right ${noun} | ${pct(result.encryptedModelEncryptedImages.accuracy)} | ${paperCell(paper?.encryptedModelEncryptedImages, 'the plain accuracy')} |
| Encrypted (${t}) | encrypted, wrong ${nouns} | ${wrong} | ${paper === null ? 'not reported' : `about ${pct(paper.wrongKeysRange[0])} to ${pct(paper.wrongKeysRange[1])} (Fig. 5)`} |

Right ${noun} versus plain: ${result.predictionMismatches} of ${result.images} predictions differ
(${noun === 'key' ? 'must be 0' : 'exact up to float rounding: only near-ties may differ'}); largest logit difference ${result.maxLogitDifference.toExponential(2)}.

The paper's numbers are for its trained ConvMixer-256/8; they match ours only
when these weights are such a model.

## Pictures

${result.wrongKeys.length > 0 ? `- \`wrong-keys.svg\` / \`wrong-keys.png\`: accuracy under ${result.wrongKeys.length} random wrong ${nouns} (Fig. 5).\n` : ''}- \`examples.png\`: test images before and after encryption (Fig. 4).
`;
}

export function writeEvaluateReport<K>(dir: string, result: EvaluateResult<K>, ctx: ReportContext<K>, options: { overwrite?: boolean } = {}): string[] {
  const system = systemOf(ctx);
  const nouns = system.keyNouns;
  const files = new Map<string, string | Uint8Array>();
  files.set('report.json', `${JSON.stringify(reportJson(result, ctx), null, 2)}\n`);
  files.set('report.md', reportMarkdown(result, ctx));
  if (result.wrongKeys.length > 0) {
    const svg = boxPlotSvg([{ label: plural(result.wrongKeys.length, `wrong ${system.keyNoun}`, `wrong ${nouns}`), values: result.wrongKeys.map((w) => w.accuracy) }], {
      title: `Encrypted model, images encrypted with wrong ${nouns}`,
      yLabel: 'accuracy',
      yPercent: true,
      yMin: 0,
      yMax: 1,
      references: [
        { label: `right ${system.keyNoun} ${pct(result.encryptedModelEncryptedImages.accuracy)}`, value: result.encryptedModelEncryptedImages.accuracy },
        { label: 'chance 10 %', value: 0.1 },
      ],
    });
    files.set('wrong-keys.svg', svg);
    files.set('wrong-keys.png', svgToPng(svg));
  }
  const samples = toLayout(ctx.sampleImages, 'NHWC');
  const shown = sliceImages(samples, 0, Math.min(EXAMPLE_IMAGES, samples.shape.count));
  const columnLabels = ctx.sampleLabels && ctx.classNames ? Array.from(ctx.sampleLabels.subarray(0, shown.shape.count), (l) => ctx.classNames?.[l] ?? String(l)) : undefined;
  const grid = imageGridSvg(
    [
      { label: 'plain', images: shown },
      { label: `encrypted (right ${system.keyNoun})`, images: system.shown(shown, ctx.key) },
      ...(result.wrongKeys.length > 0 ? [{ label: `encrypted (wrong ${system.keyNoun} 1)`, images: system.shown(shown, result.wrongKeys[0].key) }] : []),
    ],
    { title: `Test images, block size ${ctx.key.blockSize}`, scale: 4, columnLabels },
  );
  files.set('examples.png', svgToPng(grid));
  writeDirectoryAtomic(dir, files, options);
  return [...files.keys()];
}
