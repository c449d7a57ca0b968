/**
 * Fig. 5 as a property: a uniformly random wrong key, on the committed CI
 * subset (the first 1,000 CIFAR-10 test images), gives the golden model an
 * accuracy below a bound derived from the golden run itself.
 *
 * The bound: the run measured 100 wrong keys (metrics.json,
 * results.systemA.wrongKeys); with their mean μ and standard deviation σ,
 * and the binomial spread √(μ(1−μ)/n) of an accuracy on n = 1,000 images
 * (the golden keys may have been measured on other images: GPU runs use all
 * 10,000), bound = μ + 6·√(σ² + μ(1−μ)/n). A random key above it would be a
 * six-sigma event under the run's own distribution: a bug (a key ignored, a
 * cached kernel of another key), not bad luck.
 *
 * FC_RUNS sets the number of keys (default 8: about 0.5 s each); a failure
 * prints fast-check's replay line (FC_SEED, FC_PATH: properties/setup.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptUint8 } from '../src/core/blockTransform.ts';
import type { BlockKey } from '../src/core/key.ts';
import { imageBatch } from '../src/core/images.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createEngine } from '../src/engine/factory.ts';
import { encryptModel } from '../src/model/encryptModel.ts';
import { argmaxRows } from '../src/metrics/scoring.ts';
import { parseCifarRecords } from '../src/io/cifar10.ts';
import { blockKeyArb } from '../properties/arbitraries.ts';
import { costlyRuns } from '../properties/setup.ts';
import { GOLDEN_DIR, goldenRunNames, loadGoldenRun } from './goldenRun.ts';

const RUNS = costlyRuns(8);
const sample = parseCifarRecords(readFileSync(join(GOLDEN_DIR, 'data', 'test_batch_first1000.bin')));
const images = imageBatch(sample.images.data, sample.images.shape, sample.images.layout);
const n = sample.labels.length;

/** μ + 6·√(σ² + μ(1−μ)/n) of the run's measured wrong-key accuracies (see the module comment). */
export function wrongKeyBound(accuracies: readonly number[], images: number): { mean: number; sd: number; bound: number } {
  const mean = accuracies.reduce((s, x) => s + x, 0) / accuracies.length;
  const sd = Math.sqrt(accuracies.reduce((s, x) => s + (x - mean) ** 2, 0) / (accuracies.length - 1));
  return { mean, sd, bound: mean + 6 * Math.sqrt(sd * sd + (mean * (1 - mean)) / images) };
}

const sameKey = (a: BlockKey, b: BlockKey) => a.permutation.every((v, k) => v === b.permutation[k]) && a.flip.every((r, k) => r === b.flip[k]);

describe('wrongKeyBound', () => {
  it('mean, sample standard deviation and the six-sigma bound of a small list', () => {
    const { mean, sd, bound } = wrongKeyBound([0.1, 0.2, 0.3], 100);
    expect(mean).toBeCloseTo(0.2, 12);
    expect(sd).toBeCloseTo(0.1, 12);
    expect(bound).toBeCloseTo(0.2 + 6 * Math.sqrt(0.01 + 0.0016), 12);
  });
});

for (const runName of goldenRunNames()) {
  describe(`golden run ${runName}: random wrong keys on the CI subset`, () => {
    const run = loadGoldenRun(runName);
    const { mean, sd, bound } = wrongKeyBound(run.metrics.results.systemA.wrongKeys.accuracy, n);
    let encrypted: Engine;
    const accuracyWith = async (key: BlockKey) => {
      const predictions = argmaxRows(await encrypted.logits(encryptUint8(images, key)), run.metrics.model.classes);
      let correct = 0;
      for (let i = 0; i < n; i++) if (predictions[i] === sample.labels[i]) correct++;
      return correct / n;
    };

    beforeAll(async () => {
      encrypted = await createEngine(encryptModel(run.weights, run.key), undefined, { engine: 'auto' });
    });
    afterAll(() => encrypted?.dispose());

    it(`the right key first: the plain accuracy of the CI subset (the bound, ${bound.toFixed(4)} = μ ${mean.toFixed(4)} + 6·√(σ² + μ(1−μ)/n), σ ${sd.toFixed(4)}, lies below it)`, async () => {
      const right = await accuracyWith(run.key);
      expect(right).toBeCloseTo(run.metrics.results.systemA.plainModelPlainImages.ciSubset, 6);
      expect(bound).toBeLessThan(right);
    });

    test.prop([blockKeyArb(run.key.blockSize, run.key.channels).filter((k) => !sameKey(k, run.key))], { numRuns: RUNS })(`a random wrong key stays below the bound derived from the run's 100 wrong keys`, async (key) => {
      const accuracy = await accuracyWith(key);
      expect(accuracy, `wrong-key accuracy ${accuracy} on ${n} images; bound ${bound}`).toBeLessThanOrEqual(bound);
    });
  });
}
