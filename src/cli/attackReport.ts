/**
 * `cipherpatch attack-report`: every attack on one System A model, key and
 * test set, written as a security report (report.md, report.json, one plot
 * per attack as SVG + PNG) into one directory, atomically. The work is
 * src/attacks/securityReport.ts, the files src/report/securityReport.ts; this
 * file parses options and prints.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { fail } from '../core/errors.ts';
import { autoEngine, loadImages, loadKey, loadModel } from './attack/load.ts';
import { integerList } from './attack/options.ts';
import { type Io, positiveInteger, withOutputs } from './io.ts';
import { folderName } from '../core/words.ts';

function numberList(flag: string): (value: string) => number[] {
  return (value) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.some((s) => !/^\d+(\.\d+)?$/.test(s))) throw new InvalidArgumentError(`${flag} must be a comma-separated list of non-negative numbers, got "${value}"`);
    return parts.map(Number);
  };
}

/** An argument as a POSIX shell word (quoted when needed), so the recorded command can be pasted back. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface Options {
  weights: string;
  key: string;
  data?: string;
  out: string;
  force: boolean;
  images: number;
  randomKeys: number;
  distances: number[];
  trials: number;
  greedyImages: number;
  greedySteps: number;
  objective: string;
  knownPlaintextImages: number;
  noise: number[];
  ciphertextImages: number[];
  reference: number;
  restarts: number;
  secondModel?: string;
  secondModelLabel?: string;
  threads?: number;
  seed: string;
  progress: boolean;
}

export function registerAttackReport(program: Command, io: Io): void {
  const command = program
    .command('attack-report')
    .description('run every attack (random keys, partial keys, greedy search, known plaintext, leaked model, ciphertext only) on a System A model and write a security report: report.md, report.json and one plot per attack (SVG + PNG), next to the paper\'s claims')
    .requiredOption('--weights <file>', 'the plain ConvMixer (safetensors); the attacks target its encrypted version')
    .requiredOption('--key <file>', 'the secret key (System A key file)')
    .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)')
    .option('--out <dir>', 'output directory (written atomically)', 'attack-report')
    .option('--force', 'replace --out if it holds a previous report (see README: what --force may replace)', false)
    .option('--images <N>', 'evaluation images scored by the model-based attacks (default 500)', positiveInteger('--images'), 500)
    .option('--random-keys <N>', 'random keys (default 20)', positiveInteger('--random-keys'), 20)
    .option('--distances <list>', 'partial keys: swap/flip distances (default 1,2,4,8,16,24)', integerList('--distances'), [1, 2, 4, 8, 16, 24])
    .option('--trials <N>', 'partial keys: guesses per setting (default 2)', positiveInteger('--trials'), 2)
    .option('--greedy-images <N>', 'greedy: the attacker\'s labelled images (default 100)', positiveInteger('--greedy-images'), 100)
    .option('--greedy-steps <N>', 'greedy: proposals, one query of --greedy-images images each (default 300)', positiveInteger('--greedy-steps'), 300)
    .option('--objective <o>', 'greedy: accuracy or log-likelihood (default)', 'log-likelihood')
    .option('--known-plaintext-images <N>', 'known plaintext: image pairs attacked one at a time (default 100)', positiveInteger('--known-plaintext-images'), 100)
    .option('--noise <list>', 'leaked model: noise levels on the attacker\'s plain model, × weight RMS (default 0,1,2,4,8)', numberList('--noise'), [0, 1, 2, 4, 8])
    .option('--ciphertext-images <list>', 'ciphertext only: encrypted images seen (default 1,3,10,30,100,300)', integerList('--ciphertext-images'), [1, 3, 10, 30, 100, 300])
    .option('--reference <N>', 'ciphertext only: the attacker\'s plain reference images (default 500)', positiveInteger('--reference'), 500)
    .option('--restarts <N>', 'ciphertext only: local-search restarts (default 100)', positiveInteger('--restarts'), 100)
    .option('--second-model <file>', 'leaked model: a plain ConvMixer trained independently on the same data (safetensors)')
    .option('--second-model-label <text>', 'how the report names --second-model (default: its path)')
    .option('--threads <N>', 'onnx intra-op threads (default: all cores)', positiveInteger('--threads'))
    .option('--seed <S>', 'seed of every random choice of the attacks', 'attack-report')
    .option('--no-progress', 'no progress on stderr (default: bars on a terminal, a line every few seconds otherwise)')
    .addHelpText('after', `
Test images used, in order: the evaluation set (max of --images, --ciphertext-images and
--known-plaintext-images), then --reference plain images, then --greedy-images labelled ones.
The defaults finish in a few minutes on 2 cores; raise the effort with the options above.`);
  withOutputs(command, (o: Options) => [{ path: o.out, kind: 'directory', force: o.force }]).action(async (opts: Options) => {
      if (opts.objective !== 'accuracy' && opts.objective !== 'log-likelihood') fail('attack.objective', `unknown --objective "${opts.objective}": use accuracy or log-likelihood`);
      const { imagesNeeded, runAttackReport } = await import('../attacks/securityReport.ts');
      const { writeAttackReport, headlines } = await import('../report/securityReport.ts');
      const { engineLabel } = await import('../attacks/common.ts');
      const { progressFor, silentProgress } = await import('../io/progress.ts');
      const effort = {
        images: opts.images,
        randomKeys: opts.randomKeys,
        distances: opts.distances,
        trials: opts.trials,
        greedyImages: opts.greedyImages,
        greedySteps: opts.greedySteps,
        greedyObjective: opts.objective as 'accuracy' | 'log-likelihood',
        knownPlaintextImages: opts.knownPlaintextImages,
        noise: opts.noise,
        ciphertextImages: opts.ciphertextImages,
        reference: opts.reference,
        restarts: opts.restarts,
      };
      const weights = await loadModel(opts.weights);
      const key = await loadKey(opts.key);
      const second = opts.secondModel !== undefined ? { label: opts.secondModelLabel ?? opts.secondModel, weights: await loadModel(opts.secondModel) } : undefined;
      const { images, labels, source } = await loadImages(opts.data, imagesNeeded(effort));
      let engineName = '';
      const report = await runAttackReport({
        weights,
        key,
        images,
        labels,
        effort,
        seed: opts.seed,
        ...(second ? { secondModel: second } : {}),
        progress: opts.progress ? progressFor() : silentProgress,
        createEngine: async (w) => {
          const e = await autoEngine(opts.threads)(w);
          engineName = engineLabel(e);
          return e;
        },
      });
      const files = writeAttackReport(opts.out, report, {
        command: ['cipherpatch', ...process.argv.slice(2)].map(shellWord).join(' '),
        weightsPath: opts.weights,
        keyPath: opts.key,
        data: source,
        engine: engineName,
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      }, { overwrite: opts.force });
      io.out(`attack-report: ${report.seconds.toFixed(0)} s, wrote ${folderName(opts.out)} (${files.join(', ')})`);
      for (const [name, line] of Object.entries(headlines(report))) io.out(`  ${name}: ${line}`);
    });
}
