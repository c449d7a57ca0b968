/** Bad inputs of `cipherpatch fuzz` (see table.ts): --json is checked before the battery runs. */
import { join } from 'node:path';
import { badInputSuite, writeTree } from './table.ts';

const fuzz = (...rest: string[]) => ['fuzz', 'system-a', '--only', 'contract', ...rest];

badInputSuite('fuzz: bad inputs', [
  {
    id: '21.2 fuzz --json an existing directory, --force',
    setup: (s) => writeTree(s, { 'j/keep.txt': 'keep' }),
    argv: (s) => fuzz('--json', join(s, 'j'), '--force'),
    code: 1,
    stderr: /\[output\.is-directory\].*cannot write .*\/j: it is a directory/,
    stdout: '',
  },
  {
    id: '21.9 fuzz --json EXISTING is refused before the battery runs',
    setup: (s) => writeTree(s, { 'f.json': 'precious' }),
    argv: (s) => fuzz('--json', join(s, 'f.json')),
    code: 1,
    stderr: /\[output\.exists\].*f\.json already exists.*--force/,
    stdout: '',
  },
  {
    id: '21.9 fuzz --json in a missing directory is refused before the battery runs',
    argv: (s) => fuzz('--json', join(s, 'missing', 'f.json')),
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/f\.json/,
    stdout: '',
  },
  {
    id: '21.9 fuzz --json writes the report (success row)',
    argv: (s) => fuzz('--json', join(s, 'f.json')),
    code: 0,
    stdout: /contract +pass/,
    changes: { added: ['f.json'] },
  },
]);
