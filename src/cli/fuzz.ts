/**
 * `cipherpatch fuzz <variant>`: runs the variant battery (src/variants/harness.ts)
 * on a built-in variant or a plug-in module and prints the verdict table.
 * Exit 0 when the battery ran (whatever the verdicts), 1 when the module
 * breaks the contract or cannot be loaded. The harness (and fast-check) load
 * only when this command runs.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { fail } from '../core/errors.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { type Io, positiveInteger } from './io.ts';

interface FuzzOpts {
  runs: number;
  seed?: number;
  json?: string;
  force: boolean;
  only?: string[];
  path?: string;
  limit: number;
}

function integer(flag: string): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${flag} must be an integer, got "${value}"`);
    return Number(value);
  };
}

export function registerFuzz(program: Command, io: Io): void {
  program
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
    .addHelpText(
      'after',
      '\nExamples:\n  cipherpatch fuzz system-a\n  cipherpatch fuzz ffx --runs 500 --json ffx.json\n  cipherpatch fuzz ./examples/my-variant.ts\n  cipherpatch fuzz ffx --only adaptable --seed 20220723 --path "0:0:0"\n\nThe plug-in contract: src/variants/contract.ts (README, "Fuzzing transform variants").',
    )
    .action(async (spec: string, opts: FuzzOpts) => {
      if (opts.path !== undefined && (opts.only === undefined || opts.only.length !== 1)) fail('fuzz.replay', '--path replays one counterexample: name its check with --only (as the replay line does)');
      const { loadVariant } = await import('../variants/registry.ts');
      const { fuzzVariant } = await import('../variants/harness.ts');
      const { formatReport, reportToJson } = await import('../variants/report.ts');
      const loaded = await loadVariant(spec);
      if (loaded.problem !== undefined) {
        io.out(`the module does not satisfy the variant contract (src/variants/contract.ts):\n  [${loaded.problem.check}] ${loaded.problem.message}`);
        fail('fuzz.contract', `${spec} does not satisfy the variant contract (see above)`);
      }
      const report = fuzzVariant(loaded.candidate, {
        runs: opts.runs,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.path !== undefined ? { path: opts.path } : {}),
        ...(opts.only !== undefined ? { only: opts.only } : {}),
        enumerationLimit: opts.limit,
        invocation: spec,
        source: loaded.source,
      });
      io.out(formatReport(report).trimEnd());
      if (opts.json !== undefined) {
        writeFileAtomic(opts.json, reportToJson(report), { overwrite: opts.force });
        io.out(`wrote ${opts.json}`);
      }
      if (report.contract.length > 0) fail('fuzz.contract', `${spec} does not satisfy the variant contract: ${report.contract.length} problem${report.contract.length === 1 ? '' : 's'} (see above)`);
    });
}
