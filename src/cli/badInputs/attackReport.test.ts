/** Bad inputs of `cipherpatch attack-report` (see table.ts): what --force may replace, --out checked first. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPORT_MARKER, reportMarkerText } from '../../io/outputPaths.ts';
import { type Row, type TinyFixtures, badInputSuite, tinyFixtures, writeTree } from './table.ts';

/** attack-report at the smallest effort, on the tiny model and the committed CIFAR-10 sample. */
const attackReport = (fx: TinyFixtures, out: string, ...rest: string[]) => [
  'attack-report', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--out', out,
  '--images', '10', '--random-keys', '1', '--distances', '1', '--trials', '1', '--greedy-images', '5', '--greedy-steps', '1',
  '--known-plaintext-images', '1', '--noise', '0', '--ciphertext-images', '1', '--reference', '10', '--restarts', '1', '--no-progress', ...rest,
];

const previousReport = (dir: string) => ({
  [`${dir}/report.json`]: '{}',
  [`${dir}/report.md`]: '# old',
  [`${dir}/${REPORT_MARKER}`]: reportMarkerText(['report.json', 'report.md']),
});

const rows: Row<TinyFixtures>[] = [
  {
    id: '21.1 attack-report --force on a directory holding a foreign file',
    setup: (s) => writeTree(s, { 'p/a.txt': 'keep' }),
    argv: (s, fx) => attackReport(fx, join(s, 'p'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*\/p exists.*a\.txt/,
    stdout: '',
  },
  {
    id: '21.1 attack-report --out . --force (the working directory)',
    setup: (s) => writeTree(s, { 'w/a.txt': 'keep' }),
    cwd: (s) => join(s, 'w'),
    argv: (_s, fx) => attackReport(fx, '.', '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it is the working directory/,
    stdout: '',
  },
  {
    id: '21.1 attack-report --force on an ancestor of the working directory',
    setup: (s) => writeTree(s, { 'a/b/': '' }),
    cwd: (s) => join(s, 'a', 'b'),
    argv: (s, fx) => attackReport(fx, join(s, 'a'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it holds the working directory/,
  },
  {
    id: '21.1 attack-report --force on a previous report holding a file it did not write',
    setup: (s) => writeTree(s, { ...previousReport('p'), 'p/plots/extra.svg': '<svg/>' }),
    argv: (s, fx) => attackReport(fx, join(s, 'p'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*plots\/extra\.svg, which its \.cipherpatch-report marker does not list/,
  },
  {
    id: '21.1 attack-report --force replaces a previous report',
    setup: (s) => writeTree(s, previousReport('p')),
    argv: (s, fx) => attackReport(fx, join(s, 'p'), '--force'),
    code: 0,
    stdout: /attack-report: .*wrote .*\/p\//,
    changes: { added: [/^p\/[\w-]+\.(svg|png)$/], modified: ['p/report.json', 'p/report.md', `p/${REPORT_MARKER}`] },
    check: (s) => expect(JSON.parse(readFileSync(join(s, 'p', 'report.json'), 'utf8')).effort.images).toBe(10),
    timeoutMs: 240_000,
  },
  {
    id: '21.9 attack-report --out missing/sub is refused before the inputs are read',
    argv: (s, fx) => attackReport({ ...fx, model: join(s, 'no-such.safetensors') }, join(s, 'missing', 'sub')),
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/sub.*does not exist/,
    stdout: '',
  },
  {
    id: '21.9 attack-report --out EXISTING is refused before the inputs are read',
    setup: (s) => writeTree(s, previousReport('p')),
    argv: (s, fx) => attackReport({ ...fx, model: join(s, 'no-such.safetensors') }, join(s, 'p')),
    code: 1,
    stderr: /\[output\.exists\].*\/p already exists.*--force/,
    stdout: '',
  },
];

badInputSuite('attack-report: bad inputs', rows, { fixtures: tinyFixtures });
