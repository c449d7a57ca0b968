/** Bad inputs of `cipherpatch fuzz` (see table.ts): --json is checked before the battery runs. */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { badInputSuite, writeTree, type Row } from './table.ts';

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
/** Bad inputs of `cipherpatch fuzz` (see table.ts). */

const EXAMPLE = new URL('../../../examples/my-variant.ts', import.meta.url).pathname;

// --- issue 21, part B (items 21.5, 21.13) ---------------------------------------------------------
// The sandboxes live in the system's temporary folder: no package.json above them, so Node reads
// a .ts file there as CommonJS, as it would a user's plug-in in /tmp.

export const ROWS_21B: Row[] = [
  {
    id: '21.5 fuzz: a copy of examples/my-variant.ts outside the package loads',
    setup: (s) => copyFileSync(EXAMPLE, join(s, 'my-variant.ts')),
    argv: (s) => ['fuzz', join(s, 'my-variant.ts'), '--only', 'contract'],
    code: 0,
    stdout: /cipherpatch fuzz: my-variant[\s\S]*contract +pass/,
  },
  {
    id: '21.5 fuzz: an empty .ts file',
    setup: (s) => writeFileSync(join(s, 'empty.ts'), ''),
    argv: (s) => ['fuzz', join(s, 'empty.ts')],
    code: 1,
    stderr: /\[fuzz\.module-empty\]: .*\/empty\.ts is empty: a plug-in module exports a variant/,
  },
  {
    id: '21.5 fuzz: a .ts file with a syntax error',
    setup: (s) => writeFileSync(join(s, 'broken.ts'), 'export const x = ;\n'),
    argv: (s) => ['fuzz', join(s, 'broken.ts')],
    code: 1,
    stderr: /\[fuzz\.module-load\]: .*\/broken\.ts has a syntax error: line 1:\d+: Unexpected ";"/,
  },
  {
    id: '21.5 fuzz: a plug-in outside the checkout that imports cipherpatch sources by a relative path',
    setup: (s) => writeFileSync(join(s, 'relative.ts'), "import { defineVariant } from '../src/variants/contract.ts';\nexport default defineVariant({} as never);\n"),
    argv: (s) => ['fuzz', join(s, 'relative.ts')],
    code: 1,
    stderr: /\[fuzz\.module-load\]: .*\/relative\.ts imports \.\.\/src\/variants\/contract\.ts, which does not exist from .*import only the contract's types/,
  },
  {
    id: '21.13 fuzz flip: the expected ✗ cells are findings, not a "counterexamples:" failure section',
    argv: () => ['fuzz', 'flip', '--only', 'blocks', '--runs', '5'],
    code: 0,
    stdout: /why each ✗ cell of the block size vs patch size grid has no exact adapter \(findings, not failures\):\n {2}blocks:M=2:P=1:/,
    check: (_s, r) => expect(r.stdout).not.toMatch(/^counterexamples/m),
  },
];

badInputSuite('fuzz: bad inputs (issue 21, part B)', ROWS_21B);
