// Mutation testing of the core (issue 15) and of the experiment's numbers (issue 25): `npx stryker run` (npm run mutate).
// One module:  npm run mutate:one -- src/core/keySpace.ts
// Static mutants (module-level code of the mutated files) are tested and
// counted: no ignoreStatic. The tests it runs: vitest.mutation.config.ts.
// Reports: reports/mutation/mutation.html and mutation.json (git-ignored, with
// the incremental file), so a rerun after a small change only tests the
// mutants the change touched. Scores and survivors: mutation/README.md and
// mutation/equivalent.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/core/key.ts',
    'src/core/keyJson.ts',
    'src/core/keygen.ts',
    'src/core/blockTransform.ts',
    'src/core/modelTransform.ts',
    'src/core/keySpace.ts',
    'src/io/safetensors.ts',
    'src/io/safetensorsJson.ts',
    'src/io/halfPrecision.ts',
    'src/io/cifar10.ts',
    // Issue 25: the experiment, its statistics, its report and Fig. 5's box plot.
    'src/evaluate/evaluate.ts',
    'src/evaluate/report.ts',
    'src/metrics/statistics.ts',
    'src/metrics/scoring.ts',
    'src/plots/boxPlot.ts',
    // System C's keyed system and report fields (src/evaluate/systemCUnits.test.ts).
    'src/evaluate/systemC.ts',
    // Issue 25, src/variants: the fuzz battery's checks (fast hand-made variants in src/variants/checks/*.test.ts).
    'src/variants/checks/*.ts',
    '!src/variants/checks/*.test.ts',
    'src/variants/harness.ts',
    'src/variants/validate.ts',
    // Engine area (issue 25): calibration and tuning, the factory and the input checks
    // (src/engine/calibrationUnits.test.ts, factoryUnits.test.ts: fake onnxruntime, stand-in backends).
    'src/engine/tuning.ts',
    'src/engine/calibrate.ts',
    'src/engine/onnxCalibration.ts',
    'src/engine/factory.ts',
    'src/engine/engine.ts',
    // Issue 25, area io: the readers and writers at the edge, the rest of src/core, src/model, the index.
    'src/io/keyFile.ts',
    'src/io/modelFile.ts',
    'src/io/png.ts',
    'src/io/outputPaths.ts',
    'src/io/progress.ts',
    'src/io/atomicWrite.ts',
    'src/io/atomicDir.ts',
    'src/io/cleanup.ts',
    'src/io/calibrationCache.ts',
    'src/io/stalePartials.ts',
    'src/io/cifarFetch.ts',
    'src/io/cifarDownload.ts',
    'src/core/images.ts',
    'src/core/orthogonal.ts',
    'src/core/shards.ts',
    'src/core/words.ts',
    'src/core/errors.ts',
    'src/model/stateDict.ts',
    'src/model/encryptModel.ts',
    'src/index.ts',
    // Issue 25, the attacks area: the attacks (stand-in engines, tiny keys), the security report and its plots.
    'src/attacks/common.ts',
    'src/attacks/greedy.ts',
    'src/attacks/randomKey.ts',
    'src/attacks/knownPlaintext.ts',
    'src/attacks/partialKey.ts',
    'src/attacks/leakedModel.ts',
    'src/attacks/ciphertextOnly.ts',
    'src/attacks/variants.ts',
    'src/attacks/securityReport.ts',
    'src/report/securityReport.ts',
    'src/plots/linePlot.ts',
    'src/plots/imageGrid.ts',
    'src/plots/render.ts',
    // Issue 25, engine area (session 4): the ONNX graphs and the onnx engines (tiny models, onnxruntime itself:
    // src/engine/onnxGraphUnits.test.ts, onnxUnits.test.ts, resnetOnnxUnits.test.ts).
    'src/engine/onnxGraph.ts',
    'src/engine/onnx.ts',
    'src/engine/resnetOnnx.ts',
    // The ResNet on tfjs's pure-JS cpu backend (src/engine/resnetTfjsUnits.test.ts; tfjs takes seconds to import).
    'src/engine/resnetTfjs.ts',
    // The parallel engine's pool and its worker's protocol (a stand-in Worker, a stand-in tfjs engine:
    // src/engine/parallelUnits.test.ts, workerProtocol.test.ts). worker.ts, the thread's entry, runs only in a
    // worker thread, where Stryker's active-mutant switch is not set (mutation/equivalent.md).
    'src/engine/workerProtocol.ts',
    'src/engine/parallel.ts',
  ],
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: 'reports/stryker-tmp',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  timeoutMS: 5_000,
  cleanTempDir: 'always',
};
