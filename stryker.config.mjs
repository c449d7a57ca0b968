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
    // Issue 25, src/variants (session 4): the registry, System B's key sets, the adapter search, fuzz shards and the
    // built-ins (fast tests: src/variants/*Units.test.ts, src/variants/builtin/*Units.test.ts). Not the fixtures
    // (src/variants/fixtures/*: deliberately broken plug-ins for the tests).
    'src/variants/registry.ts',
    'src/variants/systemBKey.ts',
    'src/variants/affine.ts',
    'src/variants/fuzzShard.ts',
    'src/variants/builtin/*.ts',
    '!src/variants/builtin/*.test.ts',
    // Issue 25, src/variants (session 4): the accuracy on a model, on a linear stand-in engine (src/variants/accuracyUnits.test.ts).
    'src/variants/accuracy.ts',
    // Engine area (issue 25): calibration and tuning, the factory and the input checks
    // (src/engine/calibrationUnits.test.ts, factoryUnits.test.ts: fake onnxruntime, stand-in backends).
    'src/engine/tuning.ts',
    'src/engine/calibrate.ts',
    'src/engine/onnxCalibration.ts',
    'src/engine/factory.ts',
    'src/engine/engine.ts',
    // Engine area, session 4: the ConvMixer's tfjs engine and its backend choice (src/engine/tfjsUnits.test.ts).
    'src/engine/tfjs.ts',
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
    // Issue 25, the model and the SIMD kernel's JS side (the .wat kernel and the generated blockTransformSimd.wasm.ts
    // are not mutated), System B's evaluation and the evaluate shards: fast unit tests, stand-in engines.
    'src/model/convmixer.ts',
    'src/model/resnet.ts',
    'src/core/blockTransformSimd.ts',
    'src/evaluate/systemB.ts',
    'src/evaluate/systemBReport.ts',
    'src/evaluate/shard.ts',
    // Issue 25, the CLI (in-process through main(argv, io): src/cli/*Units.test.ts; attack*.ts belong to the attacks area).
    'src/cli/main.ts',
    'src/cli/io.ts',
    'src/cli/shard.ts',
    'src/cli/shardFiles.ts',
    'src/cli/merge.ts',
    'src/cli/evaluateShard.ts',
    'src/cli/fuzzShard.ts',
    'src/cli/tuning.ts',
    'src/cli/keygen.ts',
    'src/cli/keyspace.ts',
    'src/cli/image.ts',
    'src/cli/data.ts',
    'src/cli/model.ts',
    'src/cli/version.ts',
    'src/cli/evaluate.ts',
    'src/cli/fuzz.ts',
    // Issue 25, session 4: the attack commands of the CLI (src/cli/attackUnits.test.ts, in-process through main()).
    'src/cli/attack.ts',
    'src/cli/attack/*.ts',
    'src/cli/attackReport.ts',
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
