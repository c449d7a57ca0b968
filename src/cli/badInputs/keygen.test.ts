/** Bad inputs of `cipherpatch keygen` (see table.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { badInputSuite, writeTree, type Row } from './table.ts';

const keygen = (...rest: string[]) => ['keygen', '--block', '4', '--channels', '3', ...rest];

badInputSuite('keygen: bad inputs', [
  {
    id: '21.2 keygen --out an existing directory, --force',
    setup: (s) => writeTree(s, { 'k/keep.txt': 'keep' }),
    argv: (s) => keygen('--out', join(s, 'k'), '--force'),
    code: 1,
    stderr: /\[output\.is-directory\].*\/k\b.*is a directory/,
  },
  {
    id: '21.2 keygen --out an existing directory, no --force',
    setup: (s) => writeTree(s, { 'k/': '' }),
    argv: (s) => keygen('--out', join(s, 'k')),
    code: 1,
    stderr: /\[output\.is-directory\].*is a directory/,
  },
  {
    id: '21.9 keygen --out in a missing directory',
    argv: (s) => keygen('--out', join(s, 'missing', 'k.json')),
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/k\.json.*missing.*does not exist/,
  },
  {
    id: '21.9 keygen --out an existing file, no --force',
    setup: (s) => writeTree(s, { 'k.json': 'precious' }),
    argv: (s) => keygen('--out', join(s, 'k.json')),
    code: 1,
    stderr: /\[output\.exists\].*k\.json already exists.*--force/,
  },
  {
    id: '21.9 keygen writes a new key (success row)',
    argv: (s) => keygen('--seed', 's', '--out', join(s, 'k.json')),
    code: 0,
    stdout: /wrote .*k\.json/,
    changes: { added: ['k.json'] },
  },
]);


// --- issue 21, part B (items 21.3, 21.6, 21.13) --------------------------------------------------

export const ROWS_21B: Row[] = [
  {
    id: '21.3 keygen: --block 100000 is beyond the largest key',
    argv: (s) => ['keygen', '--block', '100000', '--channels', '3', '--out', join(s, 'k.json')],
    code: 1,
    stderr: /\[key\.too-large\]: p_b = M²C = 100000²·3 = 30000000000 is larger than 1,048,576/,
  },
  {
    id: '21.3 keygen: --block beyond a safe integer is a usage error',
    argv: (s) => ['keygen', '--block', '99999999999999999999', '--channels', '3', '--out', join(s, 'k.json')],
    code: 2,
    stderr: /--block is too large: 99999999999999999999/,
  },
  {
    id: '21.13 keygen: an empty --seed is refused',
    argv: (s) => keygen('--seed', '', '--out', join(s, 'k.json')),
    code: 2,
    stderr: /--seed must not be empty: an empty seed gives one fixed key/,
  },
  {
    id: '21.6 keygen: --out in a missing folder names the folder, not a temporary file',
    argv: (s) => keygen('--out', join(s, 'missing', 'k.json')),
    code: 1,
    stderr: /cannot write .*missing\/k\.json: .*missing does not exist/,
    notStderr: /\.tmp\b/,
  },
  {
    id: '21.13 keygen: one channel (success row)',
    argv: (s) => ['keygen', '--block', '2', '--channels', '1', '--seed', 's', '--out', join(s, 'k.json')],
    code: 0,
    stdout: /block 2, 1 channel, p_b = 4/,
    changes: { added: ['k.json'] },
    check: (s) => expect(JSON.parse(readFileSync(join(s, 'k.json'), 'utf8')).source).toEqual({ kind: 'seed', seed: 's' }),
  },
];

badInputSuite('keygen: bad inputs (issue 21, part B)', ROWS_21B);
