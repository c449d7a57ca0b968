/** Bad inputs of `cipherpatch init-model` (see table.ts). */
import { join } from 'node:path';
import { badInputSuite, writeTree, type Row } from './table.ts';

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

// --- issue 21, part B (item 21.3) ----------------------------------------------------------------

export const ROWS_21B: Row[] = [
  {
    id: '21.3 init-model: --dim 100000 --depth 100 is refused with its parameter count',
    argv: (s) => ['init-model', '--dim', '100000', '--depth', '100', '--out', join(s, 'm.safetensors')],
    code: 1,
    stderr: /\[model\.too-large\]: ConvMixer-100000\/100 .* has 1,000,916,300,010 parameters; a random model has at most 268,435,456/,
  },
  {
    id: '21.3 init-model: --dim beyond a safe integer is a usage error',
    argv: (s) => ['init-model', '--dim', '12345678901234567890', '--out', join(s, 'm.safetensors')],
    code: 2,
    stderr: /--dim is too large/,
  },
  {
    id: '21.13 init-model: one channel, one class (success row)',
    argv: (s) => ['init-model', '--dim', '4', '--depth', '0', '--channels', '1', '--patch', '2', '--classes', '1', '--out', join(s, 'm.safetensors')],
    code: 0,
    stdout: /patch 2, 1 channel, 1 class \(random/,
    changes: { added: ['m.safetensors'] },
  },
];

badInputSuite('init-model: bad inputs (issue 21, part B)', ROWS_21B);
