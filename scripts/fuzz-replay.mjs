/**
 * The failing properties of a fuzz run, each with its counterexample and the
 * command that replays exactly that case (properties/setup.ts), read from
 * vitest's JSON report. CI's scheduled fuzz job uploads what this prints.
 *
 *   node scripts/fuzz-replay.mjs fuzz/vitest.json > fuzz/replay.txt
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPLAY = /\{ seed: (-?\d+), path: "([^"]*)", endOnFailure: true \}/;
const COUNTEREXAMPLE = /Counterexample: (.*)/;

/** A shell word: the text in single quotes. */
const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;

/** One block of text per failed test of `report` (vitest's JSON reporter); paths relative to `root`. */
export function replayLines(report, root) {
  const blocks = [];
  for (const file of report.testResults ?? []) {
    const path = relative(root, file.name);
    for (const test of file.assertionResults ?? []) {
      if (test.status !== 'failed') continue;
      const message = (test.failureMessages ?? []).join('\n');
      const replay = REPLAY.exec(message);
      const counterexample = COUNTEREXAMPLE.exec(message);
      const lines = [`${path} › ${test.fullName}`];
      lines.push(`  counterexample: ${counterexample ? counterexample[1] : '(none: not a property failure, see the log)'}`);
      if (replay) lines.push(`  replay: FC_SEED=${replay[1]} FC_PATH=${replay[2]} npx vitest run ${path} -t ${quote(test.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))}`);
      blocks.push(lines.join('\n'));
    }
  }
  return blocks;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node scripts/fuzz-replay.mjs <vitest-json-report>\n');
    process.exit(2);
  }
  const blocks = replayLines(JSON.parse(readFileSync(file, 'utf8')), process.cwd());
  process.stdout.write(blocks.length === 0 ? 'no failed test in the report\n' : `${blocks.join('\n\n')}\n`);
}
