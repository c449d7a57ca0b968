/** Bad inputs of `cipherpatch init-model` (see table.ts). */
import { join } from 'node:path';
import { badInputSuite, writeTree } from './table.ts';

const initModel = (...rest: string[]) => ['init-model', '--dim', '8', '--depth', '1', '--kernel', '3', ...rest];

badInputSuite('init-model: bad inputs', [
  {
    id: '21.2 init-model --out an existing directory, --force',
    setup: (s) => writeTree(s, { 'm/keep.txt': 'keep' }),
    argv: (s) => initModel('--out', join(s, 'm'), '--force'),
    code: 1,
    stderr: /\[output\.is-directory\].*cannot write .*\/m: it is a directory/,
  },
  {
    id: '21.9 init-model --out in a missing directory',
    argv: (s) => initModel('--out', join(s, 'missing', 'm.safetensors')),
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/m\.safetensors/,
  },
  {
    id: '21.9 init-model --out an existing file, no --force',
    setup: (s) => writeTree(s, { 'm.safetensors': 'precious' }),
    argv: (s) => initModel('--out', join(s, 'm.safetensors')),
    code: 1,
    stderr: /\[output\.exists\].*m\.safetensors already exists/,
  },
  {
    id: '21.9 init-model --force overwrites a file (success row)',
    setup: (s) => writeTree(s, { 'm.safetensors': 'old' }),
    argv: (s) => initModel('--out', join(s, 'm.safetensors'), '--force'),
    code: 0,
    changes: { modified: ['m.safetensors'] },
  },
]);
