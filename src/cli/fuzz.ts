/**
 * `cipherpatch fuzz <variant>`: runs the variant battery (src/variants/harness.ts)
 * on a built-in variant or a plug-in module and prints the verdict table.
 * Exit 0 when the battery ran (whatever the verdicts), 1 when the module
 * breaks the contract or cannot be loaded. The harness (and fast-check) load
 * only when this command runs. With --model (and --data), it also measures the
 * variant's accuracy on that ConvMixer with the right key and wrong keys
 * (src/variants/accuracy.ts); the model, the data and the fit of the variant's
 * params to the model are checked before the battery runs.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { fail } from '../core/errors.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { plural } from '../core/words.ts';
import type { Variant } from '../variants/contract.ts';
import { type Io, nonNegativeInteger, positiveInteger, withOutputs } from './io.ts';
import { DEFAULT_FUZZ_SHARD_FILE, SHARD_INDEX_HELP, shardFile } from './shard.ts';

interface FuzzOpts {
  runs: number;
  seed?: number;
  json?: string;
  force: boolean;
  only?: string[];
  path?: string;
  limit: number;
  model?: string;
  data?: string;
  wrongKeys?: number;
  images?: number;
  keySeed?: string;
  shard?: string;
  shardOut?: string;
}

const DEFAULT_IMAGES = 1000;

/** --model and --data: the weights and the first test images, after checking that the variant fits them. */
async function loadModelAndData(variant: Variant<unknown>, model: string, opts: FuzzOpts) {
  const { checkVariantFitsModel } = await import('../variants/accuracy.ts');
  const { readConvMixerFile } = await import('../io/modelFile.ts');
  const { readCifarSplitAll, resolveCifarDir } = await import('../io/cifar10.ts');
  const { weights } = readConvMixerFile(model);
  checkVariantFitsModel(variant, weights.config);
  const location = resolveCifarDir(opts.data);
  const test = await readCifarSplitAll(location, 'test', { limit: opts.images ?? DEFAULT_IMAGES });
  checkVariantFitsModel(variant, weights.config, test.images.shape);
  return { variant, model, weights, test, dir: location.dir };
}

function integer(flag: string): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${flag} must be an integer, got "${value}"`);
    return Number(value);
  };
}

export function registerFuzz(program: Command, io: Io): void {
  const command = program
    .command('fuzz')
    .description('fuzz a keyed block transform: shape, domain, 8-bit storability, invertibility, keys, key space, and whether a plain-trained model can be adapted exactly (verdict table with counterexamples)')
    .argument('<variant>', 'a built-in variant (shuffle, flip, system-a, negpos, ffx, ff1, orthogonal, channel-shuffle, block-rotation, block-scramble, per-block-keys) or a module path exporting one (e.g. ./examples/my-variant.ts)')
    .option('--runs <N>', 'runs per property (secondary properties use a quarter)', positiveInteger('--runs'), 100)
    .option('--seed <S>', 'fast-check seed (integer; default fixed)', integer('--seed'))
    .option('--json <file>', 'also write the whole report as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .option('--only <checks>', 'run only these checks (comma-separated ids or prefixes, e.g. adaptable,norm,blocks)', (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .option('--path <P>', 'replay one counterexample: the path of its replay line (with --seed and --only)')
    .option('--limit <N>', 'largest claimed key count to brute-force at tiny sizes', positiveInteger('--limit'), 20000)
    .option('--model <file>', 'also measure accuracy on this plain-trained ConvMixer (safetensors): plain, right key, wrong keys (the variant needs an adapter, or an exact least-squares one; its block size must equal the patch size)')
    .option('--data <dir>', 'with --model: CIFAR-10 binary directory (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)')
    .option('--images <N>', `with --model: use the first N test images (default ${DEFAULT_IMAGES})`, positiveInteger('--images'))
    .option('--wrong-keys <N>', 'with --model: number of wrong keys (default 10)', nonNegativeInteger('--wrong-keys'))
    .option('--key-seed <S>', 'with --model: the right key is generateKey(params, S), wrong key i comes from "S/wrong/i" (default "fuzz")')
    .option('--shard <i/n>', `run shard i of n (${SHARD_INDEX_HELP}): the battery with seed S + i and runs ⌊i·R/n⌋ … ⌊(i+1)·R/n⌋ − 1 of --runs R, into a shard file for cipherpatch merge`)
    .option('--shard-out <file>', `with --shard: the shard file to write; {i} and {n} become the index and count (default: ${DEFAULT_FUZZ_SHARD_FILE})`)
    .addHelpText(
      'after',
      '\nExamples:\n  cipherpatch fuzz system-a\n  cipherpatch fuzz system-a --model golden/runs/cpu/model.safetensors --data <cifar-dir> --images 200 --wrong-keys 5\n  cipherpatch fuzz ffx --runs 500 --json ffx.json\n  cipherpatch fuzz ./examples/my-variant.ts\n  cipherpatch fuzz ffx --only adaptable --seed 20220723 --path "0:0:0"\n  cipherpatch fuzz ffx --runs 30000 --shard 2/3        # then: cipherpatch merge fuzz-shard-*-of-3.json --json ffx.json\n\nThe plug-in contract: src/variants/contract.ts (README, "Fuzzing transform variants").',
    );
  withOutputs(command, (o: FuzzOpts) => [o.json === undefined ? undefined : { path: o.json, kind: 'file', force: o.force }, o.shard === undefined ? undefined : { path: shardFile(o, DEFAULT_FUZZ_SHARD_FILE), kind: 'file', force: o.force }])
    .action(async (spec: string, opts: FuzzOpts) => {
      const { fuzzShardRun, writeFuzzShard } = await import('./fuzzShard.ts');
      const shard = fuzzShardRun(opts);
      if (opts.path !== undefined && (opts.only === undefined || opts.only.length !== 1)) fail('fuzz.replay', '--path replays one counterexample: name its check with --only (as the replay line does)');
      const { loadVariant } = await import('../variants/registry.ts');
      const { fuzzVariant } = await import('../variants/harness.ts');
      const { formatReport, reportToJson } = await import('../variants/report.ts');
      const modelFlags = ['data', 'images', 'wrongKeys', 'keySeed'] as const;
      const stray = modelFlags.filter((f) => opts[f] !== undefined);
      if (opts.model === undefined && stray.length > 0) {
        fail('fuzz.model-options', `${stray.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} only ${stray.length === 1 ? 'applies' : 'apply'} with --model <file>`);
      }
      const loaded = await loadVariant(spec);
      if (loaded.problem !== undefined) {
        io.out(`the module does not satisfy the variant contract (src/variants/contract.ts):\n  [${loaded.problem.check}] ${loaded.problem.message}`);
        fail('fuzz.contract', `${spec} does not satisfy the variant contract (see above)`);
      }
      // --model: load the model and the data, and check that the variant fits them, before the battery runs.
      const { validateVariant } = await import('../variants/validate.ts');
      const withModel = opts.model !== undefined && validateVariant(loaded.candidate).ok ? await loadModelAndData(loaded.candidate as Variant<unknown>, opts.model, opts) : undefined;
      const report = fuzzVariant(loaded.candidate, {
        runs: shard?.runs ?? opts.runs,
        ...(shard !== undefined ? { seed: shard.seed } : opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.path !== undefined ? { path: opts.path } : {}),
        ...(opts.only !== undefined ? { only: opts.only } : {}),
        enumerationLimit: opts.limit,
        invocation: spec,
        source: loaded.source,
      });
      io.out(formatReport(report).trimEnd());
      if (shard !== undefined) io.out(writeFuzzShard(shard, opts, report, loaded.source));
      let accuracy: Record<string, unknown> | undefined;
      if (withModel !== undefined && report.contract.length === 0) {
        const { measureAccuracy, formatAccuracy } = await import('../variants/accuracy.ts');
        const { createEngine } = await import('../engine/factory.ts');
        const { variant, model, weights, test, dir } = withModel;
        io.err(`fuzz: accuracy of ${variant.name} on ${model}: ${test.labels.length} test images from ${dir}, ${plural(opts.wrongKeys ?? 10, 'wrong key')}`);
        const r = await measureAccuracy({
          variant,
          weights,
          images: test.images,
          labels: test.labels,
          createEngine: (w) => createEngine(w, undefined, { engine: 'auto' }),
          ...(opts.wrongKeys !== undefined ? { wrongKeys: opts.wrongKeys } : {}),
          ...(opts.keySeed !== undefined ? { keySeed: opts.keySeed } : {}),
        });
        io.out(['', ...formatAccuracy(r)].join('\n'));
        accuracy = { model, data: dir, ...r };
      }
      if (opts.json !== undefined) {
        const full = accuracy === undefined ? report : { ...report, accuracy };
        writeFileAtomic(opts.json, reportToJson(full), { overwrite: opts.force });
        io.out(`wrote ${opts.json}`);
      }
      if (report.contract.length > 0) fail('fuzz.contract', `${spec} does not satisfy the variant contract: ${report.contract.length} problem${report.contract.length === 1 ? '' : 's'} (see above)`);
    });
}
