/**
 * The tests Stryker runs against mutants of the core (stryker.config.mjs):
 * the fast ones that exercise src/core and src/io — properties (without the
 * engine ones), the golden vectors, and the core and reader unit tests — and,
 * since issue 25, those of src/metrics and src/evaluate that need no engine. The
 * slow engine, golden-model and CLI tests stay out: they add minutes per
 * mutant and test nothing in the mutated modules that these do not.
 */
import { defineConfig } from 'vitest/config';

/**
 * A run of one area can narrow the tests to that area's fast files
 * (comma-separated globs, each one of the files below), so the dry run and
 * every mutant cost only those; a full run uses them all and can only kill more:
 *   CIPHERPATCH_MUTATION_TESTS='src/io/*Units.test.ts,src/io/png.test.ts' npx stryker run --mutate src/io/png.ts
 */
const narrowed = process.env.CIPHERPATCH_MUTATION_TESTS?.split(',').map((glob) => glob.trim()).filter((glob) => glob !== '');

export default defineConfig({
  test: {
    include: narrowed?.length ? narrowed : [
      'properties/*.test.ts',
      'golden/vectors.test.ts',
      'src/core/*.test.ts',
      'src/io/safetensors.test.ts',
      'src/io/safetensorsHostOrder.test.ts',
      'src/io/halfPrecision.test.ts',
      'src/io/cifar10.test.ts',
      // Issue 25: the experiment's wrong keys and summary, the statistics and what draws them (stand-in engines, no inference).
      'src/evaluate/evaluate.test.ts',
      'src/evaluate/wrongKeys.test.ts',
      'src/evaluate/experiment.test.ts',
      'src/evaluate/report.test.ts',
      'src/evaluate/systemCUnits.test.ts',
      // Issue 25: System B's experiment and report, the evaluate shards, on stand-in engines and hand-made results (no ResNet runs).
      'src/evaluate/systemBUnits.test.ts',
      'src/evaluate/systemBTableUnits.test.ts',
      'src/evaluate/systemBTableGuards.test.ts',
      'src/evaluate/systemBReportUnits.test.ts',
      'src/evaluate/shardUnits.test.ts',
      'src/metrics/*.test.ts',
      'src/plots/boxPlot.test.ts',
      'src/attacks/randomKey.test.ts',
      // Issue 25, src/variants: the contract, shards, built-ins, affine fits and the checks on tiny hand-made variants (the whole-battery tests stay out).
      'src/variants/contract.test.ts',
      'src/variants/fuzzShard.test.ts',
      'src/variants/builtin.test.ts',
      'src/variants/affine.test.ts',
      'src/variants/ffx.test.ts',
      'src/variants/checks/*.test.ts',
      // (including accuracyUnits.test.ts: src/variants/accuracy.ts on a linear stand-in engine, no onnx/tfjs)
      'src/variants/*Units.test.ts',
      'src/variants/builtin/*Units.test.ts',
      // Engine area (issue 25): calibration, tuning, factory and input checks with a fake onnxruntime or stand-in backends; the CLI's helpers in-process.
      'src/engine/calibrationUnits.test.ts',
      'src/engine/factoryUnits.test.ts',
      // Engine area, session 4: the ONNX graphs and the onnx engines on tiny ConvMixers / ResNets, logits against the spec (≈ 2 s each).
      'src/engine/onnxGraphUnits.test.ts',
      'src/engine/onnxUnits.test.ts',
      'src/engine/resnetOnnxUnits.test.ts',
      'src/engine/resnetTfjsUnits.test.ts',
      // The ConvMixer's tfjs engine on the pure-JS cpu backend, its backend choice with stand-in optional modules (≈ 1 s).
      'src/engine/tfjsUnits.test.ts',
      // The parallel engine with a stand-in Worker, its worker's protocol with a stand-in tfjs engine (milliseconds).
      'src/engine/parallelUnits.test.ts',
      'src/engine/workerProtocol.test.ts',
      // Issue 25, area io: the edge readers and writers (temp directories, a local HTTP server) and src/model's state dicts; no engine.
      'src/io/png.test.ts',
      'src/io/outputPaths.test.ts',
      'src/io/progress.test.ts',
      // (cifarFetch.test.ts's local HTTP server took seconds per test: its flows run in milliseconds with a stand-in fetch in these two)
      'src/io/cifarFetchUnits.test.ts',
      'src/io/cifarDownloadUnits.test.ts',
      'src/io/pngUnits.test.ts',
      'src/io/keyFileUnits.test.ts',
      'src/io/modelFileUnits.test.ts',
      'src/io/calibrationCacheUnits.test.ts',
      'src/io/atomicWriteUnits.test.ts',
      'src/io/atomicDirUnits.test.ts',
      'src/io/cleanup.test.ts',
      'src/io/stalePartials.test.ts',
      'src/model/*.test.ts',
      // Issue 25, the attacks area: unit tests with stand-in engines and tiny keys (the engine, golden-model and CLI
      // attack tests stay out: ciphertextOnly, partialKey, variants, securityReport, attackCli, and leakedModel's
      // golden second-model tests, 3 s; leakedModelUnits.test.ts covers the same code on hand-made embeddings).
      'src/attacks/*Units.test.ts',
      'src/attacks/greedy.test.ts',
      'src/attacks/knownPlaintext.test.ts',
      'src/report/securityReportUnits.test.ts',
      'src/plots/linePlot.test.ts',
      'src/plots/imageGrid.test.ts',
      'src/plots/render.test.ts',
      // Issue 25, the CLI: every command in-process through main(argv, io) (tiny keys and models in temp directories,
      // stand-in engines); the CLI tests that spawn bin/cipherpatch.mjs stay out (Stryker's mutants live in this process).
      'src/cli/*Units.test.ts',
      'src/plots/renderUnits.test.ts',
      // Issue 25, session 4: `cipherpatch attack <name>` and `attack-report` in-process through main() (12 CIFAR-10
      // records, a tiny model, a stand-in engine factory; the report's PNGs stubbed).
      'src/cli/attackUnits.test.ts',
    ],
    // The harness tests (variants, mutants) run every built-in variant through the
    // fuzz battery: they reach most of the core, so each mutant there would rerun
    // them (minutes per mutant under instrumentation), and the core has its own tests.
    exclude: ['properties/engineOnnx.test.ts', 'properties/engineTfjs.test.ts', 'properties/variants.test.ts', 'properties/mutants.test.ts', '**/node_modules/**'],
    setupFiles: ['properties/setup.ts'],
    // Read by properties/keySpace.test.ts: the p_b = 8 brute force stays out of mutant runs.
    env: { CIPHERPATCH_MUTATION: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    update: false,
  },
});
