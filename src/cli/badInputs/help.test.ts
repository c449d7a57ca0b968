/** The program's own options and help text (see table.ts). */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type Row, badInputSuite } from './table.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// --- issue 21, part B (item 21.13) ----------------------------------------------------------------

export const ROWS_21B: Row[] = [
  {
    id: '21.13 --version prints package.json\'s version',
    argv: () => ['--version'],
    code: 0,
    stdout: new RegExp(`^${VERSION.replace(/\./g, '\\.')}\\n$`),
  },
  {
    id: '21.13 keygen --help marks the required options',
    argv: () => ['keygen', '--help'],
    code: 0,
    stdout: /--block <M> +block size M \(= the model's patch size\) \(required\)[\s\S]*--out <file> +where to write the key JSON \(required\)/,
    check: (_s, r) => expect(r.stdout).not.toMatch(/--seed[^\n]*\(required\)/),
  },
  {
    id: '21.13 attack-report --help names each default once',
    argv: () => ['attack-report', '--help'],
    code: 0,
    stdout: /--images <N> +evaluation images scored by the model-based\s+attacks \(default 500\)\n/,
    check: (_s, r) => expect(r.stdout).not.toMatch(/\(default [^)]*\)\s+\(default:/),
  },
];

badInputSuite('help and --version (issue 21, part B)', ROWS_21B);
