/**
 * `cipherpatch merge <shard files…>`: the shards of one `evaluate --shard` job
 * into the report one run writes (--report), or the shards of one
 * `fuzz --shard` campaign into one verdict table (and --json). A thin layer
 * over mergeEvaluateShards and mergeFuzzShards; nothing is written unless
 * every shard file is there, of one job.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../core/errors.ts';
import { folderName, plural } from '../core/words.ts';
import { EVALUATE_SHARD_FORMAT, mergeEvaluateShards, parseEvaluateShard } from '../evaluate/shard.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { type Io, commandLine, withOutputs } from './io.ts';

interface MergeFlags {
  report?: string;
  json?: string;
  force: boolean;
}

/** Each file's JSON (`merge.unreadable` when it cannot be read or parsed). */
function readShardFiles(files: readonly string[]): { file: string; json: unknown }[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      fail('merge.unreadable', `cannot read the shard file ${file}: ${(e as Error).message}`);
    }
    try {
      return { file, json: JSON.parse(text) as unknown };
    } catch (e) {
      fail('merge.unreadable', `${file} is not JSON (a shard file cut short?): ${(e as Error).message}`);
    }
  });
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
  ]).action(async (files: string[], o: MergeFlags) => {
    const read = readShardFiles(files);
    const formats = new Set(read.map((r) => (r.json as { format?: unknown } | null)?.format));
    if (formats.size > 1 && formats.has(EVALUATE_SHARD_FORMAT)) fail('merge.mixed', 'the files mix evaluate and fuzz shards (or other files): merge the shards of one job at a time');
    if (formats.has(EVALUATE_SHARD_FORMAT)) {
      if (o.json !== undefined) fail('merge.output', 'evaluate shards merge into a report directory: use --report <dir>, not --json');
      if (o.report === undefined) fail('merge.output', 'evaluate shards merge into a report: name its directory with --report <dir>');
      const merged = mergeEvaluateShards(read.map((r) => ({ file: r.file, doc: parseEvaluateShard(r.json, r.file) })));
      for (const line of merged.disagreements) io.err(`merge: warning: ${line}`);
      const written = merged.writeReport(o.report, commandLine(), { overwrite: o.force });
      io.out(`merged ${plural(files.length, 'shard')} of a System ${merged.system} job: ${merged.result.images} test images, ${plural(merged.result.wrongKeys.length, `wrong ${merged.names.keyNoun}`, `wrong ${merged.names.keyNouns}`)}`);
      io.out(`report: ${folderName(o.report)} (${written.join(', ')})`);
      return;
    }
    if (o.report !== undefined) fail('merge.output', 'fuzz shards merge into a verdict table (and --json <file>), not a report directory');
    const { mergeFuzzShards, parseFuzzShard, formatMergedFuzzReport } = await import('../variants/fuzzShard.ts');
    const { reportToJson } = await import('../variants/report.ts');
    const merged = mergeFuzzShards(read.map((r) => ({ file: r.file, doc: parseFuzzShard(r.json, r.file) })));
    io.out(formatMergedFuzzReport(merged).trimEnd());
    if (o.json !== undefined) {
      writeFileAtomic(o.json, reportToJson(merged), { overwrite: o.force });
      io.out(`wrote ${o.json}`);
    }
    if (merged.contract.length > 0) fail('fuzz.contract', `${merged.variant.name} does not satisfy the variant contract (see above)`);
  });
}
