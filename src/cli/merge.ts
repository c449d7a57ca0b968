/**
 * `cipherpatch merge <shard files…>`: the shards of one `evaluate --shard` job
 * into the report one run writes (--report), or the shards of one
 * `fuzz --shard` campaign into one verdict table (and --json). A thin layer
 * over mergeEvaluateShards and mergeFuzzShards; nothing is written unless
 * every shard file is there, of one job.
 */
import type { Command } from 'commander';
import { fail } from '../core/errors.ts';
import { folderName, plural } from '../core/words.ts';
import { mergeEvaluateShards } from '../evaluate/shard.ts';
import { readShardFiles } from './shardFiles.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { formatMergedFuzzReport, mergeFuzzShards } from '../variants/fuzzShard.ts';
import { reportToJson } from '../variants/report.ts';
import { type Io, commandLine, withOutputs } from './io.ts';

interface MergeFlags {
  report?: string;
  json?: string;
  force: boolean;
}

export function registerMerge(program: Command, io: Io): void {
  const command = program
    .command('merge')
    .description('merge the shard files of one evaluate --shard job into its report (the same report.json, report.md and plots as one run), or of one fuzz --shard campaign into one verdict table')
    .argument('<files...>', 'every shard file of the job, in any order (evaluate-shard-*-of-N.json or fuzz-shard-*-of-N.json)')
    .option('--report <dir>', 'evaluate shards: the report directory to write (created; must not exist unless --force)')
    .option('--json <file>', 'fuzz shards: also write the merged report as JSON')
    .option('--force', 'replace a previous report in --report, or overwrite --json', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  cipherpatch merge evaluate-shard-*-of-10.json --report report/\n' +
        '  cipherpatch merge fuzz-shard-0-of-3.json fuzz-shard-1-of-3.json fuzz-shard-2-of-3.json --json ffx.json\n\n' +
        'Merge refuses shards of different jobs, a missing or repeated shard, and shard files of different shard counts.\n' +
        'The report\'s time is the shards\' times added up; its command is this merge command.',
    );
  withOutputs(command, (o: MergeFlags) => [
    o.report === undefined ? undefined : { path: o.report, kind: 'directory', force: o.force },
    o.json === undefined ? undefined : { path: o.json, kind: 'file', force: o.force },
  ]).action((files: string[], o: MergeFlags) => {
    const read = readShardFiles(files);
    if (read.kind === 'evaluate') {
      if (o.json !== undefined) fail('merge.output', 'evaluate shards merge into a report directory: use --report <dir>, not --json');
      if (o.report === undefined) fail('merge.output', 'evaluate shards merge into a report: name its directory with --report <dir>');
      const merged = mergeEvaluateShards(read.shards);
      for (const line of merged.disagreements) io.err(`merge: warning: ${line}`);
      const written = merged.writeReport(o.report, commandLine(), { overwrite: o.force });
      io.out(`merged ${plural(files.length, 'shard')} of a System ${merged.system} job: ${merged.result.images} test images, ${plural(merged.result.wrongKeys.length, `wrong ${merged.names.keyNoun}`, `wrong ${merged.names.keyNouns}`)}`);
      io.out(`report: ${folderName(o.report)} (${written.join(', ')})`);
      return;
    }
    if (o.report !== undefined) fail('merge.output', 'fuzz shards merge into a verdict table (and --json <file>), not a report directory');
    const merged = mergeFuzzShards(read.shards);
    io.out(formatMergedFuzzReport(merged).trimEnd());
    if (o.json !== undefined) {
      writeFileAtomic(o.json, reportToJson(merged), { overwrite: o.force });
      io.out(`wrote ${o.json}`);
    }
    if (merged.contract.length > 0) fail('fuzz.contract', `${merged.variant.name} does not satisfy the variant contract (see above)`);
  });
}
