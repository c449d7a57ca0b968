/** Bad inputs of `cipherpatch keygen` (see table.ts). */
import { join } from 'node:path';
import { badInputSuite, writeTree } from './table.ts';

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
