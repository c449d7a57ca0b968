/**
 * The System B regression suite: cipherpatch's ResNet engine and System B
 * transforms against the PyTorch golden runs in golden/runs/system-b-<name>/
 * (golden/generate/system_b.py), on the committed CI subset (the first 1,000
 * CIFAR-10 test images). One describe block per model (plain, shuffle,
 * negpos, ffx): logits within TOLERANCE.goldenLogits, the same predictions
 * (near-ties listed), the right-key accuracy equal to the golden one, the
 * first wrong key sets' logits and predictions, and the schema.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBatch } from '../src/core/images.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createResNetEngine } from '../src/engine/factory.ts';
import { systemBModelInput } from '../src/evaluate/systemB.ts';
import { type SystemBKey } from '../src/variants/systemBKey.ts';
import { parseCifarRecords } from '../src/io/cifar10.ts';
import type { ResNetConfig } from '../src/model/resnet.ts';
import { ciTensor as tensorOf, expectGoldenLogits, generatorStderrUnderCi } from './goldenCompare.ts';
import { GOLDEN_DIR, REPO_DIR } from './goldenRun.ts';
import { type SystemBRun, loadSystemBRun, systemBRunNames, validateSystemBMetrics, validateSystemBProvenance } from './systemBRun.ts';

const sample = parseCifarRecords(readFileSync(join(GOLDEN_DIR, 'data', 'test_batch_first1000.bin')));
const images = imageBatch(sample.images.data, sample.images.shape, sample.images.layout);
/** Wrong key sets whose logits the generator stores (its PER_KEY_LOGITS). */
const WRONG_WITH_LOGITS = 3;
/** Wrong key sets are compared on the first 500 CI images (keeps the suite within ~30 s on 2 cores). */
const WRONG_IMAGES = 500;
const wrongImages = imageBatch(sample.images.data.subarray(0, WRONG_IMAGES * 3072), { ...sample.images.shape, count: WRONG_IMAGES }, sample.images.layout);

/** Logits within tolerance, predictions equal except near-ties (listed); returns our predictions and the ties. */
function compare(run: SystemBRun, actual: Float32Array, golden: Float32Array, goldenPredictions: Uint8Array, what: string): { ours: Uint8Array; ties: Set<number> } {
  const result = expectGoldenLogits(actual, golden, goldenPredictions, run.metrics.model.classes, `${run.name} ${what}`);
  if (result.ties.size > 0) console.info(`${run.name} ${what}: ${result.ties.size} near-tie image(s) not compared by class: ${[...result.ties].join(', ')}`);
  return result;
}

const accuracyOf = (p: Uint8Array) => p.filter((c, i) => c === sample.labels[i]).length / p.length;

for (const runName of systemBRunNames()) {
  describe(`System B golden run ${runName}`, () => {
    const run = loadSystemBRun(runName);
    let engine: Engine<ResNetConfig>;
    const logitsFor = (key: SystemBKey | null, batch = images) => engine.logitsNormalized(systemBModelInput(batch, key));

    // A run without weights in git (a GPU run, ~45 MB per model) is checked by its schema and metrics only.
    const weights = run.weights;
    const withWeights = weights === null ? it.skip : it;
    if (weights === null) console.info(`${runName}: no weights in the run directory; the engine comparisons are skipped`);

    beforeAll(async () => {
      if (weights !== null) engine = await createResNetEngine(weights, { engine: 'auto', batchSize: 100 });
    });
    afterAll(() => engine?.dispose());

    it('its inputs are the committed key sets (sha256 as recorded in the provenance)', () => {
      for (const f of [run.provenance.key, run.provenance.wrongKeys]) {
        if (f === null) continue;
        expect(createHash('sha256').update(readFileSync(join(REPO_DIR, f.file))).digest('hex'), f.file).toBe(f.sha256);
      }
      expect(run.wrongKeys.length).toBe(run.provenance.wrongKeys?.count ?? 0);
      if (run.metrics.results.wrongKeys) expect(run.metrics.results.wrongKeys.accuracy.length).toBe(run.wrongKeys.length);
    });

    if (run.transform !== 'plain') {
      withWeights('right key set: logits within tolerance, the same predictions, the golden CI-subset accuracy', async () => {
        const { ours, ties } = compare(run, await logitsFor(run.key), tensorOf(run, 'rightKey/logits') as Float32Array, tensorOf(run, 'rightKey/predictions') as Uint8Array, 'right key set');
        const golden = run.metrics.results.rightKey!.ciSubset;
        // Equal when no near-tie flipped; a flipped tie moves it by 1/1000 at most.
        expect(Math.abs(accuracyOf(ours) - golden)).toBeLessThanOrEqual(ties.size / ours.length + 1e-6);
        if (ties.size === 0) expect(accuracyOf(ours)).toBeCloseTo(golden, 6);
      });

      withWeights(`wrong key sets: logits and predictions of the first ${WRONG_WITH_LOGITS} match PyTorch (first ${WRONG_IMAGES} images)`, async () => {
        const n = images.shape.count;
        const classes = run.metrics.model.classes;
        const logits = tensorOf(run, 'wrongKeys/logits') as Float32Array;
        const predictions = tensorOf(run, 'wrongKeys/predictions') as Uint8Array;
        for (let k = 0; k < Math.min(WRONG_WITH_LOGITS, run.wrongKeys.length); k++) {
          const golden = logits.subarray(k * n * classes, (k * n + WRONG_IMAGES) * classes);
          compare(run, await logitsFor(run.wrongKeys[k], wrongImages), golden, predictions.subarray(k * n, k * n + WRONG_IMAGES), `wrong key set ${k}`);
        }
      });
    }

    withWeights('plain images: logits within tolerance and the same predictions', async () => {
      const { ours } = compare(run, await logitsFor(null), tensorOf(run, 'plainImages/logits') as Float32Array, tensorOf(run, 'plainImages/predictions') as Uint8Array, 'plain images');
      if (run.transform === 'plain') expect(Math.abs(accuracyOf(ours) - run.metrics.results.plainImages.ciSubset)).toBeLessThanOrEqual(0.002);
    });

    it("the golden metrics against the authors' claims", () => {
      const r = run.metrics.results;
      const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      if (run.metrics.device === 'cuda') {
        // The authors' logged accuracy within 1 point; a key-protected model is near chance without its key.
        const authors = run.metrics.authors[run.transform === 'plain' ? 'plainImages' : 'rightKey'] as number;
        expect((run.transform === 'plain' ? r.plainImages : r.rightKey!).full).toBeGreaterThanOrEqual(authors - 0.01);
        if (r.wrongKeys) expect(median(r.wrongKeys.accuracy)).toBeLessThan(r.rightKey!.full - 0.2);
      } else if (run.transform !== 'plain') {
        console.info(
          `${runName}: CPU golden (${String(run.provenance.recipe.epochs)} epochs, width ${run.metrics.model.width}): right key ${r.rightKey!.full}, plain images ${r.plainImages.full}, ` +
            `wrong key sets median ${median(r.wrongKeys!.accuracy)} (max ${Math.max(...r.wrongKeys!.accuracy)}); the authors' figures are checked on GPU runs only`,
        );
      }
    });

    it('the schema rejects malformed metrics and provenance files', () => {
      const metrics = JSON.parse(readFileSync(join(run.dir, 'metrics.json'), 'utf8'));
      metrics.results.plainImages.full = 1.5;
      expect(() => validateSystemBMetrics(metrics)).toThrow(/results\.plainImages\.full/);
      const provenance = JSON.parse(readFileSync(join(run.dir, 'provenance.json'), 'utf8'));
      delete provenance.cifar10Md5['test_batch.bin'];
      expect(() => validateSystemBProvenance(provenance, run.transform)).toThrow(/cifar10Md5/);
    });
  });
}

describe('System B golden regeneration', () => {
  it('the generator refuses to run under CI=true', () => {
    expect(generatorStderrUnderCi('system_b.py')).toMatch(/refusing to run under CI=true/);
  });

  it('there is a System B golden run for every transform', () => {
    const names = systemBRunNames();
    for (const t of ['shuffle', 'negpos', 'ffx']) expect(names.some((n) => n.endsWith(`/${t}`)), t).toBe(true);
  });
});
