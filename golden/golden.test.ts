/**
 * The golden regression suite: the TypeScript implementation against the
 * PyTorch golden runs in golden/runs/ (golden/generate/generate.py), on the
 * committed CI subset (the first 1,000 CIFAR-10 test images), so it needs no
 * download. One describe block per run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalize8bit } from '../spec/blockEncryption.ts';
import { specImage } from '../spec/image.ts';
import { patchEmbeddingConv } from '../spec/patchEmbedding.ts';
import { encryptUint8 } from '../src/core/blockTransform.ts';
import { imageBatch, normalizeImages } from '../src/core/images.ts';
import { encryptOrthogonal, transformPatchEmbeddingOrthogonal } from '../src/core/orthogonal.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createEngine } from '../src/engine/factory.ts';
import { evaluate } from '../src/evaluate/evaluate.ts';
import { encryptModel } from '../src/model/encryptModel.ts';
import { argmaxRows } from '../src/metrics/scoring.ts';
import { evaluateOrthogonal } from '../src/evaluate/systemC.ts';
import { parseCifarRecords } from '../src/io/cifar10.ts';
import { TOLERANCE, firstMismatch } from '../properties/tolerance.ts';
import { ciTensor as tensorOf, expectGoldenLogits, generatorStderrUnderCi, nearTies } from './goldenCompare.ts';
import { EXPECTED_CONTRADICTIONS, PAPER, STRONG_RUN_ACCURACY, paperClaims } from './paperClaims.ts';
import { GOLDEN_DIR, type GoldenRun, REPO_DIR, SUPERSEDED_RUNS, allGoldenRunNames, goldenRunNames, loadGoldenRun, validateMetrics } from './goldenRun.ts';

const sample = parseCifarRecords(readFileSync(join(GOLDEN_DIR, 'data', 'test_batch_first1000.bin')));
const images = imageBatch(sample.images.data, sample.images.shape, sample.images.layout);
/** Wrong keys whose per-image predictions are stored (the generator's PER_KEY_PREDICTIONS). */
const PER_KEY = 10;

function compareLogits(run: GoldenRun, name: string, actual: Float32Array): { ties: number[] } {
  const { ties } = expectGoldenLogits(actual, tensorOf(run, `${name}/logits`) as Float32Array, tensorOf(run, `${name}/predictions`) as Uint8Array, run.metrics.model.classes, name);
  return { ties: [...ties] };
}

for (const runName of goldenRunNames()) {
  describe(`golden run ${runName}`, () => {
    const run = loadGoldenRun(runName);
    let engine: Engine;
    let encryptedEngine: Engine;
    let orthogonalEngine: Engine;
    // The fastest engine that loads (onnxruntime here; tfjs where it cannot load).
    const engineOptions = { engine: 'auto' } as const;

    beforeAll(async () => {
      engine = await createEngine(run.weights, undefined, engineOptions);
      encryptedEngine = await createEngine(encryptModel(run.weights, run.key), undefined, engineOptions);
      const { dim, channels, patch } = run.weights.config;
      const embedWeight = transformPatchEmbeddingOrthogonal({ data: run.weights.embedWeight, shape: [dim, channels, patch, patch] }, run.matrices.right).data;
      orthogonalEngine = await createEngine({ ...run.weights, embedWeight }, undefined, engineOptions);
    });
    afterAll(() => {
      engine?.dispose();
      encryptedEngine?.dispose();
      orthogonalEngine?.dispose();
    });

    it('its inputs are the committed keys (sha256 as recorded in the provenance)', () => {
      for (const f of [run.provenance.key, run.provenance.wrongKeys]) {
        expect(createHash('sha256').update(readFileSync(join(REPO_DIR, f.file))).digest('hex'), f.file).toBe(f.sha256);
      }
      expect(run.wrongKeys.length).toBe(run.provenance.wrongKeys.count);
    });

    it('plain model, plain images: logits within tolerance and the same predictions (near-ties listed)', async () => {
      const { ties } = compareLogits(run, 'systemA/plainModelPlainImages', await engine.logits(images));
      if (ties.length > 0) console.info(`${runName}: ${ties.length} near-tie images not compared by class: ${ties.join(', ')}`);
    });

    it('the onnx and tfjs engines give the same predictions on the golden model (near-ties listed)', async (ctx) => {
      const first = await engine.logits(images);
      const otherKind = engine.name === 'onnx' ? ({ engine: 'tfjs', backend: 'wasm', workers: 2, batchSize: 50 } as const) : ({ engine: 'onnx' } as const);
      let other: Engine;
      try {
        other = await createEngine(run.weights, undefined, otherKind);
      } catch (e) {
        return ctx.skip(`${runName}: only one engine available here (${(e as Error).message})`);
      }
      try {
        const second = await other.logits(images);
        const ties = nearTies(first, 10);
        const a = argmaxRows(first, 10);
        const b = argmaxRows(second, 10);
        for (let n = 0; n < a.length; n++) if (!ties.has(n)) expect(b[n], `image ${n}: ${engine.name} vs ${other.name}`).toBe(a[n]);
        expect(firstMismatch(second, first, TOLERANCE.goldenLogits)).toBe(-1);
      } finally {
        other.dispose();
      }
    });

    it('the patch-embedding outputs of the first images match (spec, float64, vs PyTorch)', () => {
      const golden = tensorOf(run, 'embedding/plain') as Float32Array;
      const { dim, channels, patch } = run.weights.config;
      const per = golden.length / run.ciOutputs.get('embedding/plain')!.shape[0];
      const weights = { dim, channels, patch, weight: Float64Array.from(run.weights.embedWeight), bias: Float64Array.from(run.weights.embedBias) };
      for (let n = 0; n < golden.length / per; n++) {
        const x = specImage(channels, 32, 32, Array.from(sample.images.data.subarray(n * 3072, (n + 1) * 3072), normalize8bit));
        const ours = patchEmbeddingConv(x, weights).data;
        const i = firstMismatch(ours, golden.subarray(n * per, (n + 1) * per), TOLERANCE.goldenEmbedding);
        expect(i, `image ${n} embedding[${i}]: ${ours[i]} vs ${golden[n * per + i]}`).toBe(-1);
      }
    });

    it('System A: transform-model gives exactly the golden encrypted patch embedding', () => {
      const golden = run.encryptedEmbeddings.get('systemA/0.weight')!.data as Float32Array;
      expect(Array.from(encryptModel(run.weights, run.key).embedWeight)).toEqual(Array.from(golden));
    });

    it('System A: encrypted model on encrypted images = plain model on plain images, image for image', async () => {
      const plain = argmaxRows(await engine.logits(images), 10);
      const encrypted = await encryptedEngine.logits(encryptUint8(images, run.key));
      expect(Array.from(argmaxRows(encrypted, 10))).toEqual(Array.from(plain));
      compareLogits(run, 'systemA/encryptedModelEncryptedImages', encrypted);
    });

    it('System A: encrypted model on plain images matches PyTorch and stays near chance', async () => {
      const logits = await encryptedEngine.logits(images);
      compareLogits(run, 'systemA/encryptedModelPlainImages', logits);
      const predictions = argmaxRows(logits, 10);
      expect(predictions.filter((p, i) => p === sample.labels[i]).length / predictions.length).toBeLessThanOrEqual(0.2);
    });

    it(`System A: per-image predictions under the first ${PER_KEY} wrong keys match PyTorch`, async () => {
      const golden = tensorOf(run, 'systemA/wrongKeys/predictions') as Uint8Array;
      const n = images.shape.count;
      for (let k = 0; k < PER_KEY; k++) {
        const ours = argmaxRows(await encryptedEngine.logits(encryptUint8(images, run.wrongKeys[k])), 10);
        let differ = 0;
        for (let i = 0; i < n; i++) if (ours[i] !== golden[k * n + i]) differ++;
        // No logits are stored for wrong keys, so near-ties cannot be excluded: allow 0.5 %.
        expect(differ, `wrong key ${k}: ${differ} of ${n} predictions differ`).toBeLessThanOrEqual(n * 0.005);
      }
    });

    it('System C: encrypted model on orthogonally encrypted images matches PyTorch and the plain model', async () => {
      const { dim, channels, patch } = run.weights.config;
      const golden = run.encryptedEmbeddings.get('systemC/0.weight')!.data as Float32Array;
      const ours = transformPatchEmbeddingOrthogonal({ data: Float64Array.from(run.weights.embedWeight), shape: [dim, channels, patch, patch] }, run.matrices.right).data;
      const i = firstMismatch(ours, golden, TOLERANCE.goldenEmbedding);
      expect(i, `E′[${i}]: ${ours[i]} vs ${golden[i]}`).toBe(-1);
      const normalized = imageBatch(normalizeImages(images, 0, images.shape.count, 'NCHW'), images.shape, 'NCHW');
      const logits = await orthogonalEngine.logitsNormalized(encryptOrthogonal(normalized, run.matrices.right));
      compareLogits(run, 'systemC/encryptedModelEncryptedImages', logits);
    });

    it(`System C: per-image predictions under the first ${PER_KEY} wrong matrices match PyTorch`, async () => {
      const golden = tensorOf(run, 'systemC/wrongKeys/predictions') as Uint8Array;
      const n = images.shape.count;
      const normalized = imageBatch(normalizeImages(images, 0, n, 'NCHW'), images.shape, 'NCHW');
      for (let k = 0; k < PER_KEY; k++) {
        const ours = argmaxRows(await orthogonalEngine.logitsNormalized(encryptOrthogonal(normalized, run.matrices.wrong[k])), 10);
        let differ = 0;
        for (let i = 0; i < n; i++) if (ours[i] !== golden[k * n + i]) differ++;
        expect(differ, `wrong matrix ${k}: ${differ} of ${n} predictions differ`).toBeLessThanOrEqual(n * 0.005);
      }
    });

    it('evaluate() and evaluateOrthogonal(), the experiments behind `cipherpatch evaluate`, reproduce the golden CI-subset accuracies (first 3 wrong keys and matrices)', async () => {
      const labels = sample.labels;
      const inputs = { weights: run.weights, images, labels, wrongKeys: 3, wrongKeySeed: 'unused', createEngine: (w: typeof run.weights) => createEngine(w, undefined, engineOptions) };
      const n = images.shape.count;
      const goldenWrong = (system: 'systemA' | 'systemC', k: number) => {
        const p = (tensorOf(run, `${system}/wrongKeys/predictions`) as Uint8Array).subarray(k * n, (k + 1) * n);
        return p.filter((c, i) => c === labels[i]).length / n;
      };
      const a = await evaluate({ ...inputs, key: run.key, wrongKeyList: run.wrongKeys });
      const c = await evaluateOrthogonal({ ...inputs, key: run.matrices.right, wrongKeyList: run.matrices.wrong });
      for (const [name, r, m] of [['systemA', a, run.metrics.results.systemA], ['systemC', c, run.metrics.results.systemC]] as const) {
        expect(r.plainModelPlainImages.accuracy, `${name} plain`).toBeCloseTo(m.plainModelPlainImages.ciSubset, 2);
        // Near-ties may flip a prediction or two between PyTorch and the engine: at most 0.2 points.
        expect(Math.abs(r.encryptedModelPlainImages.accuracy - m.encryptedModelPlainImages.ciSubset), `${name} encrypted model, plain images`).toBeLessThanOrEqual(0.002);
        expect(Math.abs(r.encryptedModelEncryptedImages.accuracy - m.encryptedModelEncryptedImages.ciSubset), `${name} right key`).toBeLessThanOrEqual(0.002);
        for (let k = 0; k < 3; k++) expect(Math.abs(r.wrongKeys[k].accuracy - goldenWrong(name, k)), `${name} wrong key ${k}`).toBeLessThanOrEqual(0.005);
      }
      expect(a.predictionMismatches).toBe(0);
    });

    for (const [system, dirName] of [['systemA', 'evaluate-system-a'], ['systemC', 'evaluate-system-c']] as const) {
      const reportFile = join(run.dir, dirName, 'report.json');
      it.runIf(existsSync(reportFile))(`the committed ${dirName}/report.json (cipherpatch evaluate, full test set) agrees with PyTorch's full-test-set figures and used the golden wrong keys`, () => {
        const report = JSON.parse(readFileSync(reportFile, 'utf8'));
        const m = run.metrics.results[system];
        expect(report.images).toBe(run.metrics.testImages);
        for (const setting of ['plainModelPlainImages', 'encryptedModelPlainImages', 'encryptedModelEncryptedImages'] as const) {
          // Near-ties may flip between PyTorch and the engine: at most 0.1 point on 10,000 images.
          expect(Math.abs(report.results[setting].accuracy - m[setting].full), `${dirName} ${setting}`).toBeLessThanOrEqual(0.001);
        }
        expect(report.results.wrongKeys.length).toBe(run.provenance.wrongKeys.count);
        if (system === 'systemA') {
          expect(report.results.rightKeyPredictionMismatches).toBe(0);
          report.results.wrongKeys.forEach((w: { permutation: number[]; flip: number[] }, i: number) => {
            expect(w.permutation, `wrong key ${i}`).toEqual(Array.from(run.wrongKeys[i].permutation));
            expect(w.flip, `wrong key ${i}`).toEqual(Array.from(run.wrongKeys[i].flip));
          });
        } else {
          const sha = (x: Float64Array) => createHash('sha256').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex');
          expect(report.key.matrixSha256).toBe(sha(run.matrices.right.matrix));
          report.results.wrongKeys.forEach((w: { matrixSha256: string }, i: number) => expect(w.matrixSha256, `wrong matrix ${i}`).toBe(sha(run.matrices.wrong[i].matrix)));
        }
      });
    }

    it("the golden metrics satisfy the papers' claims", () => {
      const { systemA: a, systemC: c } = run.metrics.results;
      expect(a.encryptedModelEncryptedImages.full).toBe(a.plainModelPlainImages.full);
      expect(a.encryptedModelEncryptedImages.ciSubset).toBe(a.plainModelPlainImages.ciSubset);
      // System C is exact only up to floating point: a near-tie may flip.
      expect(Math.abs(c.encryptedModelEncryptedImages.full - c.plainModelPlainImages.full)).toBeLessThanOrEqual(0.001);
      const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      for (const s of [a, c]) {
        expect(s.encryptedModelPlainImages.full).toBeLessThanOrEqual(0.2);
        expect(median(s.wrongKeys.accuracy)).toBeLessThanOrEqual(0.2);
      }
      if (run.metrics.device === 'cuda') expect(a.plainModelPlainImages.full, "a GPU run trains the paper's model: plain accuracy at least the paper's").toBeGreaterThanOrEqual(PAPER.plainAccuracy);
    });

    const strong = run.metrics.results.systemA.plainModelPlainImages.full >= STRONG_RUN_ACCURACY;
    it(`the papers' claims (Table 1, Fig. 5) on a strong run (plain ≥ ${STRONG_RUN_ACCURACY * 100} %): each holds, or is listed as an expected contradiction with its measured value`, () => {
      const listed = EXPECTED_CONTRADICTIONS[runName] ?? {};
      if (!strong) {
        expect(listed, `${runName} is not a strong run: it cannot list contradictions`).toEqual({});
        console.info(`${runName}: plain ${run.metrics.results.systemA.plainModelPlainImages.full} < ${STRONG_RUN_ACCURACY}: the papers' claims are not checked on so weak a model`);
        return;
      }
      const claims = paperClaims(run.metrics);
      for (const claim of claims) {
        if (claim.holds) expect(listed[claim.id], `${runName}: ${claim.id} holds (${claim.measured}) but is listed as a contradiction`).toBeUndefined();
        else expect(listed[claim.id], `${runName}: ${claim.what} does not hold (measured ${claim.measured}) and is not listed in EXPECTED_CONTRADICTIONS`).toBe(claim.measured);
      }
      for (const id of Object.keys(listed)) expect(claims.map((c) => c.id), `${runName}: listed contradiction ${id} names no claim`).toContain(id);
      const contradicted = claims.filter((c) => !c.holds);
      if (contradicted.length > 0) console.info(`${runName}: expected contradictions of the papers' claims: ${contradicted.map((c) => `${c.id} = ${c.measured}`).join(', ')}`);
    });

    it('the schema rejects a malformed metrics file', () => {
      const broken = JSON.parse(readFileSync(join(run.dir, 'metrics.json'), 'utf8'));
      broken.results.systemA.wrongKeys.accuracy[3] = 1.5;
      expect(() => validateMetrics(broken)).toThrow(/results\.systemA\.wrongKeys\.accuracy/);
    });
  });
}

describe('golden regeneration', () => {
  it('the generator refuses to run under CI=true', () => {
    expect(generatorStderrUnderCi('generate.py')).toMatch(/refusing to run under CI=true/);
  });

  it('there is at least one golden run', () => expect(goldenRunNames().length).toBeGreaterThan(0));

  it('every superseded run still exists and loads (the tests calibrated on it use it), and is not checked twice', () => {
    for (const name of Object.keys(SUPERSEDED_RUNS)) {
      expect(allGoldenRunNames(), name).toContain(name);
      expect(goldenRunNames(), name).not.toContain(name);
      expect(loadGoldenRun(name).metrics.format).toBe('cipherpatch-golden-metrics');
    }
  });
});
