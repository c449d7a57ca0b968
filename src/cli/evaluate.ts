/** `cipherpatch evaluate`: Table 1 and Fig. 5 of System A on CIFAR-10. A thin layer over evaluate() and writeEvaluateReport(). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { type Uint8Batch, imageBatch } from '../core/images.ts';
import { CipherpatchError, fail } from '../core/errors.ts';
import type { TfjsBackendRequest } from '../engine/engine.ts';
import { type EngineRequest, createEngine, createResNetEngine } from '../engine/factory.ts';
import { DEFAULT_WRONG_KEYS, type ExperimentSummary, type KeyedSystem, SYSTEM_A, fallbackNote, runKeyedExperiment, wrongKeyCount } from '../evaluate/evaluate.ts';
import { type ReportSystem, SYSTEM_A_REPORT, writeEvaluateReport } from '../evaluate/report.ts';
import { evaluateSystemB } from '../evaluate/systemB.ts';
import { SYSTEM_C, SYSTEM_C_REPORT } from '../evaluate/systemC.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { writeSystemBReport } from '../evaluate/systemBReport.ts';
import { type Safetensors, readSafetensorsFile } from '../io/safetensors.ts';
import { looksLikeResNet, resnetWeightsFromTensors } from '../model/resnet.ts';
import { CIFAR10_CLASSES, readCifarSplitAll, resolveCifarDir } from '../io/cifar10.ts';
import { CIFAR10_SUMS } from '../io/cifarFetch.ts';
import { isOrthogonalKeyFile, readKeyFile, readKeyListFile, readOrthogonalKeyFile, readOrthogonalKeyListFile, readSystemBKeyFile, readSystemBKeyListFile } from '../io/keyFile.ts';
import { readConvMixerFile } from '../io/modelFile.ts';
import { type Progress, progressFor, silentProgress } from '../io/progress.ts';
import { availableParallelism } from 'node:os';
import type { TuningMode } from '../engine/tuning.ts';
import { UNTUNED_BATCH_SIZE, defaultTuningMode, engineTuning, tuningMode } from './tuning.ts';
import { type Io, commandLine, nonNegativeInteger, positiveInteger, withOutputs } from './io.ts';
import { folderName, plural } from '../core/words.ts';
import type { ShardSystemId } from '../evaluate/shard.ts';
import { type ShardRun, shardRun, writeEvaluateShard } from './evaluateShard.ts';
import { DEFAULT_EVALUATE_SHARD_FILE, SHARD_INDEX_HELP, shardFile } from './shard.ts';

interface EvaluateFlags {
  weights: string;
  key: string;
  wrongKeys?: number;
  wrongKeySeed: string;
  wrongKeysFile?: string;
  limit?: number;
  data?: string;
  report: string;
  force: boolean;
  engine: EngineRequest;
  backend: TfjsBackendRequest;
  workers: number;
  threads?: number;
  executionProvider: 'cpu' | 'cuda';
  batchSize?: number;
  tuning: TuningMode;
  progress?: boolean;
  shard?: string;
  shardOut?: string;
}

/** How to name the data honestly in a report. */
function describeData(dir: string): string {
  try {
    const md5 = createHash('md5').update(readFileSync(join(dir, 'test_batch.bin'))).digest('hex');
    return md5 === CIFAR10_SUMS.files['test_batch.bin'] ? 'CIFAR-10 test set (official binary batches, md5-verified)' : `CIFAR-10-format test data in ${dir} (test_batch.bin md5 ${md5} is not the official one)`;
  } catch {
    return `CIFAR-10-format test data in ${dir}`;
  }
}

export function registerEvaluate(program: Command, io: Io): void {
  const command = program
    .command('evaluate')
    .description('run System A\'s experiment on the CIFAR-10 test set: plain model, encrypted model, right and wrong keys (Table 1, Figs. 4–5); the same for System C with a random orthogonal matrix for a key; for a System B ResNet: right key set, plain images, wrong key sets')
    .requiredOption('--weights <file>', 'plain-trained ConvMixer (System A), or a ResNet trained on transformed images (System B); safetensors, PyTorch state-dict names')
    .requiredOption('--key <file>', 'the secret key JSON (cipherpatch keygen); for System C a random orthogonal matrix (an orthogonal variant key, or a .safetensors holding it as the F64 tensor "right", e.g. golden/runs/cpu-20ep/system-c-matrices.safetensors); for a System B model its key set (a shuffle, negpos or ffx variant key, e.g. golden/system-b/ffx.json), which selects the transform')
    .option('--wrong-keys <n>', `number of random wrong keys (default: ${DEFAULT_WRONG_KEYS}, or every key of --wrong-keys-file)`, nonNegativeInteger('--wrong-keys'))
    .option('--wrong-key-seed <s>', 'wrong key i is derived from "<s>:<i>"', 'wrong-key')
    .option('--wrong-keys-file <file>', 'use these explicit wrong keys (a key list JSON, e.g. golden/system-a/wrong-keys.json; System C: a .safetensors with the F64 tensor "wrong", n × p_b × p_b) instead of seeded ones')
    .option('--limit <n>', 'use only the first n test images (quick runs)', positiveInteger('--limit'))
    .option('--data <dir>', 'CIFAR-10 binary directory (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)')
    .option('--report <dir>', 'directory to write the report into (created; must not exist unless --force)', 'cipherpatch-report')
    .option('--force', 'replace a previous report in --report (see README: what --force may replace)', false)
    .addOption(new Option('--engine <name>', 'inference engine: auto = onnx if onnxruntime-node loads, else tfjs').choices(['auto', 'onnx', 'tfjs']).default('auto'))
    .option('--threads <n>', 'onnx: intra-op threads (default: every core)', positiveInteger('--threads'))
    .addOption(new Option('--execution-provider <name>', 'onnx: onnxruntime execution provider').choices(['cpu', 'cuda']).default('cpu'))
    .addOption(new Option('--backend <name>', 'tfjs backend: auto = tfjs-node-gpu/tfjs-node if installed, else wasm, else cpu').choices(['auto', 'wasm', 'cpu', 'tensorflow']).default('auto'))
    .option('--workers <n>', 'tfjs: worker threads (each runs its own engine)', positiveInteger('--workers'), Math.max(1, availableParallelism()))
    .option('--batch-size <n>', `images per forward pass (default: onnx on the CPU calibrates it for this machine, see --tuning; else ${UNTUNED_BATCH_SIZE})`, positiveInteger('--batch-size'))
    .option('--tuning <mode>', 'onnx on the CPU without --batch-size: auto = a cached calibration of batch size and thread spinning, measured on first use when the run is long enough; refresh = measure again; off = batch 64, sleeping threads (default: $CIPHERPATCH_TUNING, else auto)', tuningMode, defaultTuningMode())
    .option('--progress', 'show progress on stderr (the default: bars on a terminal, a line every few seconds otherwise)')
    .option('--no-progress', 'never show progress')
    .option('--shard <i/n>', `run shard i of n (${SHARD_INDEX_HELP}): the base passes and wrong keys ⌊i·K/n⌋ … ⌊(i+1)·K/n⌋ − 1 of K, into a shard file for cipherpatch merge instead of a report`)
    .option('--shard-out <file>', `with --shard: the shard file to write; {i} and {n} become the index and count (default: ${DEFAULT_EVALUATE_SHARD_FILE})`)
    .addHelpText(
      'after',
      '\nExamples:\n  cipherpatch evaluate --weights convmixer.safetensors --key key.json --wrong-keys 100 --report report/\n' +
        '  cipherpatch evaluate --weights golden/runs/cpu-20ep/model.safetensors --key golden/runs/cpu-20ep/system-c-matrices.safetensors \\\n' +
        '      --wrong-keys-file golden/runs/cpu-20ep/system-c-matrices.safetensors --report report-c/    # System C\n' +
        '  cipherpatch evaluate --weights golden/runs/system-b-cpu/ffx/model.safetensors --key golden/system-b/ffx.json --wrong-keys 10 --report report-b/\n\n' +
        'System B models (a ResNet, recognised by its tensor names) run on onnx or tfjs like ConvMixers (tfjs: one worker, --workers is ignored);\n' +
        'wrong key sets come from the key set\'s variant, seeded by --wrong-key-seed, or from --wrong-keys-file (golden/system-b/wrong-keys-*.json).\n\n' +
        'Sharding (README, "Sharding"): run shards 0 … n−1 anywhere, then merge their files into the report one run writes:\n' +
        '  cipherpatch evaluate --weights m.safetensors --key key.json --wrong-keys 1000 --shard 3/10        # writes evaluate-shard-3-of-10.json\n' +
        '  cipherpatch evaluate … --shard auto/10 --shard-out /results/evaluate-shard-{i}-of-{n}.json         # Kubernetes Indexed Job, Slurm array\n' +
        '  cipherpatch merge /results/evaluate-shard-*.json --report report/',
    );
  withOutputs(command, (o: EvaluateFlags) => [o.shard === undefined ? { path: o.report, kind: 'directory', force: o.force } : { path: shardFile(o, DEFAULT_EVALUATE_SHARD_FILE), kind: 'file', force: o.force }]).action(async (o: EvaluateFlags) => {
      if (o.shard !== undefined && command.getOptionValueSource('report') === 'cli') fail('evaluate.shard-report', 'a shard writes its shard file (--shard-out), not a report: cipherpatch merge writes the report from all the shard files');
      const { tensors } = readSafetensorsFile(o.weights);
      if (looksLikeResNet(tensors)) {
        await evaluateSystemBCommand(o, tensors, io);
        return;
      }
      const { weights } = readConvMixerFile(o.weights);
      const params = { blockSize: weights.config.patch, channels: weights.config.channels };
      if (isOrthogonalKeyFile(o.key)) {
        const key = readOrthogonalKeyFile(o.key, params);
        const wrongKeyList = o.wrongKeysFile === undefined ? undefined : readOrthogonalKeyListFile(o.wrongKeysFile, params);
        await evaluateConvMixerCommand(o, io, { weights, key, wrongKeyList, system: SYSTEM_C, report: SYSTEM_C_REPORT, label: 'System C', id: 'C' });
        return;
      }
      const key = readKeyFile(o.key, params);
      const wrongKeyList = o.wrongKeysFile === undefined ? undefined : readKeyListFile(o.wrongKeysFile, params);
      await evaluateConvMixerCommand(o, io, { weights, key, wrongKeyList, system: SYSTEM_A, report: SYSTEM_A_REPORT, id: 'A' });
    });
}

/**
 * Systems A and C of `cipherpatch evaluate`: a plain ConvMixer, the system's
 * key and wrong keys; prints Table 1's rows and writes the report. `label`
 * ("System C") heads every line; System A's lines have none.
 */
async function evaluateConvMixerCommand<K extends { readonly blockSize: number; readonly channels: number }>(
  o: EvaluateFlags,
  io: Io,
  run: { weights: ConvMixerWeights; key: K; wrongKeyList?: readonly K[]; system: KeyedSystem<K>; report: ReportSystem<K>; label?: string; id: ShardSystemId },
): Promise<void> {
  const { system, key, wrongKeyList } = run;
  const wrongKeys = wrongKeyCount(o.wrongKeys, wrongKeyList);
  const shard = shardRun(o, wrongKeys);
  const { location, test, images } = await readTestImages(o);
  const wrong = (n: number) => plural(n, `wrong ${system.keyNoun}`, `wrong ${system.keyNouns}`);
  io.err(`evaluate${run.label ? ` (${run.label})` : ''}: ${images.shape.count} test images, ${wrong(wrongKeys)}${shardNote(shard)}, engine ${o.engine} (onnx: ${o.executionProvider}, ${o.threads ?? 'all'} thread(s); tfjs: backend ${o.backend}, ${o.workers} worker(s))`);
  const passes = 3 + (shard === undefined ? wrongKeys : shard.range.end - shard.range.start);
  const tuned = await engineTuning(o, io, { weights: run.weights, height: images.shape.height, width: images.shape.width, plannedImages: passes * images.shape.count });
  const engineOptions = { engine: o.engine, backend: o.backend, workers: o.workers, threads: o.threads, executionProvider: o.executionProvider, ...tuned } as const;
  const result = await runKeyedExperiment(system, { ...experimentInputs(o, images, test.labels), weights: run.weights, key, wrongKeyList, createEngine: (w) => createEngine(w, undefined, engineOptions), wrongKeyRange: shard?.range });
  const context = { weightsPath: o.weights, keyPath: o.key, key, data: describeData(location.dir), sampleImages: images, sampleLabels: test.labels, classNames: CIFAR10_CLASSES };
  const written =
    shard === undefined
      ? reportLine(o.report, writeEvaluateReport(o.report, result, { ...context, system: run.report, command: commandLine() }, { overwrite: o.force }))
      : writeEvaluateShard(shard, o, run.id, { result, report: context, images, labels: test.labels, wrongKeys, wrongKeyList, wrongNouns: `wrong ${system.keyNouns}` });
  const rows = [
    ['plain model, plain images:', result.plainModelPlainImages.accuracy, ''],
    ['encrypted model, plain images:', result.encryptedModelPlainImages.accuracy, ''],
    [`encrypted model, right ${system.keyNoun}:`, result.encryptedModelEncryptedImages.accuracy, ` (${result.predictionMismatches} predictions differ from plain)`],
  ] as const;
  const head = run.label ? `${run.label}, ` : '';
  const width = Math.max(...rows.map(([text]) => head.length + text.length)) + 5;
  io.out(engineLine(result));
  for (const [text, accuracy, note] of rows) io.out(`${`${head}${text}`.padEnd(width)}${percent(accuracy)}${note}`);
  if (result.wrongKeySummary) {
    const s = result.wrongKeySummary;
    io.out(`${head}encrypted model, ${wrong(s.count)}:   median ${percent(s.median)} [min ${percent(s.min)}, max ${percent(s.max)}]`);
  }
  io.out(written);
}

/** The line that names the report and its files. */
function reportLine(dir: string, files: readonly string[]): string {
  return `report: ${folderName(dir)} (${files.join(', ')})`;
}

/** What the first line adds for a shard: which of the wrong keys it runs. */
function shardNote(shard: ShardRun | undefined): string {
  return shard === undefined ? '' : ` (shard ${shard.shard.index} of ${shard.shard.count}: ${shard.range.end - shard.range.start} of them)`;
}

/** The System B branch of `cipherpatch evaluate`: a ResNet trained on transformed images, its key set, wrong key sets. */
async function evaluateSystemBCommand(o: EvaluateFlags, tensors: Safetensors['tensors'], io: Io): Promise<void> {
  let weights;
  try {
    weights = resnetWeightsFromTensors(tensors);
  } catch (e) {
    if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `${o.weights}: ${e.message}`);
    throw e;
  }
  const { width, blocks, channels } = weights.config;
  const key = readSystemBKeyFile(o.key, { channels });
  const wrongKeyList = o.wrongKeysFile === undefined ? undefined : readSystemBKeyListFile(o.wrongKeysFile, { blockSize: key.blockSize, channels });
  const wrongKeys = wrongKeyCount(o.wrongKeys, wrongKeyList);
  const shard = shardRun(o, wrongKeys);
  const { location, test, images } = await readTestImages(o);
  const model = `ResNet (CIFAR variant) width ${width}, blocks ${blocks.join('/')}${blocks.join() === '2,2,2,2' ? ' (ResNet-18)' : ''}`;
  io.err(`evaluate (System B, ${key.transform}): ${images.shape.count} test images, ${plural(wrongKeys, 'wrong key set')}${shardNote(shard)}, ${model}, engine ${o.engine} (onnx: ${o.executionProvider}, ${o.threads ?? 'all'} thread(s); tfjs: backend ${o.backend}, 1 worker)`);
  const result = await evaluateSystemB({
    ...experimentInputs(o, images, test.labels),
    weights,
    key,
    wrongKeyList,
    createEngine: (w) => createResNetEngine(w, { engine: o.engine, backend: o.backend, batchSize: o.batchSize ?? UNTUNED_BATCH_SIZE, threads: o.threads, executionProvider: o.executionProvider }),
    wrongKeyRange: shard?.range,
  });
  const context = { weightsPath: o.weights, keyPath: o.key, data: describeData(location.dir), model, sampleImages: images, key, sampleLabels: test.labels, classNames: CIFAR10_CLASSES };
  const written =
    shard === undefined
      ? reportLine(o.report, writeSystemBReport(o.report, result, { ...context, command: commandLine() }, { overwrite: o.force }))
      : writeEvaluateShard(shard, o, 'B', { result, report: context, images, labels: test.labels, wrongKeys, wrongKeyList, wrongNouns: 'wrong key sets' });
  io.out(engineLine(result));
  io.out(`System B (${key.transform}), right key set:   ${percent(result.rightKey.accuracy)}`);
  io.out(`System B (${key.transform}), plain images:    ${percent(result.plainImages.accuracy)}`);
  if (result.wrongKeySummary) {
    const s = result.wrongKeySummary;
    io.out(`System B (${key.transform}), ${plural(s.count, 'wrong key set')}: median ${percent(s.median)} [min ${percent(s.min)}, max ${percent(s.max)}]`);
  }
  io.out(written);
}

/** The CIFAR-10 test split that both branches evaluate on (--data, --limit). */
async function readTestImages(o: EvaluateFlags) {
  const location = resolveCifarDir(o.data);
  const test = await readCifarSplitAll(location, 'test', { limit: o.limit });
  return { location, test, images: imageBatch(test.images.data, test.images.shape, test.images.layout) };
}

/** The options both experiments take from the flags: the test images and labels, the wrong keys' count and seed, progress (unless --no-progress). */
function experimentInputs(o: EvaluateFlags, images: Uint8Batch, labels: Uint8Array) {
  const progress: Progress = o.progress === false ? silentProgress : progressFor();
  return { images, labels, wrongKeys: o.wrongKeys, wrongKeySeed: o.wrongKeySeed, progress };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

/** The engine that ran and its speed, as both branches print it. */
function engineLine(result: Pick<ExperimentSummary, 'engine' | 'seconds'>): string {
  return `engine: ${result.engine.name} (${result.engine.backend}, ${result.engine.threads} thread(s), ${result.engine.version}); ${result.seconds.imagesPerSecond.toFixed(1)} images/s${fallbackNote(result.engine)}`;
}
