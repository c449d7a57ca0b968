/**
 * The report of `cipherpatch evaluate` on a System B model: report.json
 * (every number, the engine, the key set, the wrong key sets), report.md (the
 * authors' figures beside ours), the wrong-key-set box plot as SVG and PNG,
 * and test images as the model sees them (plain, right key set, a wrong key
 * set) as PNG. Written as one directory, atomically.
 */
import { type ImageBatch, type Uint8Batch, sliceImages, toLayout } from '../core/images.ts';
import { writeDirectoryAtomic } from '../io/atomicDir.ts';
import { boxPlotSvg } from '../plots/boxPlot.ts';
import { plural } from '../core/words.ts';
import { imageGridSvg } from '../plots/imageGrid.ts';
import { svgToPng } from '../plots/render.ts';
import { type SystemBResult, systemBModelInput } from './systemB.ts';
import { type SystemBKey, type SystemBTransform } from '../variants/systemBKey.ts';
import { fallbackNote } from './evaluate.ts';
import { EXAMPLE_IMAGES } from './report.ts';

/** The System B authors' logged accuracies (ResNet-18, CIFAR-10, 200 epochs, M = 4), right key set. */
export const SYSTEM_B_AUTHORS: Readonly<Record<SystemBTransform | 'plain', number>> = { plain: 0.9543, shuffle: 0.9256, negpos: 0.9341, ffx: 0.9227 };

const TITLES: Record<SystemBTransform, string> = { shuffle: 'pixel shuffling', negpos: 'negative/positive', ffx: 'FFX (pyffx, as the authors ran it)' };

export interface SystemBReportContext {
  readonly weightsPath: string;
  readonly keyPath: string;
  readonly data: string;
  readonly command: string;
  readonly model: string;
  /** Test images (either layout) for examples.png, the right key set, and labels/class names for the columns. */
  readonly sampleImages?: Uint8Batch;
  readonly key?: SystemBKey;
  readonly sampleLabels?: Uint8Array;
  readonly classNames?: readonly string[];
}

/** What the model sees, back on 0..255 for display: model input x ∈ [−1, 1] as round(255·(x + 1)/2). */
function asPicture(images: Uint8Batch, key: SystemBKey | null): ImageBatch<Uint8Array> {
  const input = systemBModelInput(images, key);
  const bytes = Uint8Array.from(input.data, (x) => Math.min(255, Math.max(0, Math.round((255 * (x + 1)) / 2))));
  return toLayout({ data: bytes, shape: input.shape, layout: 'NCHW' }, 'NHWC');
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

export function systemBReportJson(result: SystemBResult, ctx: SystemBReportContext): object {
  return {
    format: 'cipherpatch-evaluate-report',
    version: 1,
    system: 'B',
    transform: result.transform,
    createdAt: new Date().toISOString(),
    command: ctx.command,
    weights: ctx.weightsPath,
    model: ctx.model,
    keyFile: ctx.keyPath,
    data: ctx.data,
    images: result.images,
    engine: result.engine,
    timing: result.seconds,
    results: {
      rightKey: { accuracy: result.rightKey.accuracy, correct: result.rightKey.correct },
      plainImages: { accuracy: result.plainImages.accuracy, correct: result.plainImages.correct },
      wrongKeySummary: result.wrongKeySummary,
      wrongKeys: result.wrongKeys.map((w) => ({ index: w.index, seed: w.seed, accuracy: w.accuracy, key: JSON.parse(w.key.text) as unknown })),
    },
    authors: { rightKey: SYSTEM_B_AUTHORS[result.transform], plainModel: SYSTEM_B_AUTHORS.plain, source: "the System B authors' logs (ResNet-18, 200 epochs, M = 4)" },
  };
}

export function systemBReportMarkdown(result: SystemBResult, ctx: SystemBReportContext): string {
  const s = result.wrongKeySummary;
  const wrong = s === null ? 'not run' : `median ${pct(s.median)} (min ${pct(s.min)}, Q1 ${pct(s.q1)}, Q3 ${pct(s.q3)}, max ${pct(s.max)}; ${s.count} key sets)`;
  return `# cipherpatch evaluate (System B)

System B (MaungMaung & Kiya 2021): a model trained on images transformed
block-wise with a secret key set (${TITLES[result.transform]}); no model
transformation. The key set selects the transform.

- Data: ${ctx.data}, ${result.images} test images
- Model: ${ctx.model}, \`${ctx.weightsPath}\`; key set: \`${ctx.keyPath}\` (${result.transform})
- Engine: ${result.engine.name}, backend ${result.engine.backend}, ${result.engine.threads} thread(s), ${result.engine.version}${fallbackNote(result.engine)}
- Time: ${result.seconds.total.toFixed(1)} s in all, ${result.seconds.imagesPerSecond.toFixed(1)} images/s

| Test images | Accuracy (this run) | Authors (ResNet-18, 200 epochs) |
|---|---|---|
| transformed, right key set | ${pct(result.rightKey.accuracy)} | ${pct(SYSTEM_B_AUTHORS[result.transform])} |
| plain (no transform) | ${pct(result.plainImages.accuracy)} | — |
| transformed, wrong key sets | ${wrong} | — |

The authors' figure is for their trained ResNet-18; it matches ours only when
these weights are such a model (their plain model: ${pct(SYSTEM_B_AUTHORS.plain)}).
`;
}

export function writeSystemBReport(dir: string, result: SystemBResult, ctx: SystemBReportContext, options: { overwrite?: boolean } = {}): string[] {
  const files = new Map<string, string | Uint8Array>();
  files.set('report.json', `${JSON.stringify(systemBReportJson(result, ctx), null, 2)}\n`);
  files.set('report.md', systemBReportMarkdown(result, ctx));
  if (result.wrongKeys.length > 0) {
    const svg = boxPlotSvg([{ label: plural(result.wrongKeys.length, 'wrong key set'), values: result.wrongKeys.map((w) => w.accuracy) }], {
      title: `System B (${result.transform}), images transformed with wrong key sets`,
      yLabel: 'accuracy',
      yPercent: true,
      yMin: 0,
      yMax: 1,
      references: [
        { label: `right key set ${pct(result.rightKey.accuracy)}`, value: result.rightKey.accuracy },
        { label: `plain images ${pct(result.plainImages.accuracy)}`, value: result.plainImages.accuracy },
        { label: 'chance 10 %', value: 0.1 },
      ],
    });
    files.set('wrong-keys.svg', svg);
    files.set('wrong-keys.png', svgToPng(svg));
  }
  if (ctx.sampleImages !== undefined && ctx.key !== undefined) {
    const shown = sliceImages(ctx.sampleImages, 0, Math.min(EXAMPLE_IMAGES, ctx.sampleImages.shape.count));
    const columnLabels = ctx.sampleLabels && ctx.classNames ? Array.from(ctx.sampleLabels.subarray(0, shown.shape.count), (l) => ctx.classNames?.[l] ?? String(l)) : undefined;
    const grid = imageGridSvg(
      [
        { label: 'plain', images: asPicture(shown, null) },
        { label: `${result.transform}, right key set`, images: asPicture(shown, ctx.key) },
        ...(result.wrongKeys.length > 0 ? [{ label: `${result.transform}, wrong key set 1`, images: asPicture(shown, result.wrongKeys[0].key) }] : []),
      ],
      { title: `Test images as the model sees them, block size ${ctx.key.blockSize}`, scale: 4, columnLabels },
    );
    files.set('examples.png', svgToPng(grid));
  }
  writeDirectoryAtomic(dir, files, options);
  return [...files.keys()];
}
