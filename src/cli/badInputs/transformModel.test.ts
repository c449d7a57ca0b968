/** Bad inputs of `cipherpatch transform-model` (see table.ts). */
import { join } from 'node:path';
import { type TinyFixtures, badInputSuite, tinyFixtures, writeTree } from './table.ts';

const transform = (fx: TinyFixtures, out: string, ...rest: string[]) => ['transform-model', '--weights', fx.model, '--key', fx.key, '--out', out, ...rest];

badInputSuite<TinyFixtures>('transform-model: bad inputs', [
  {
    id: '21.2 transform-model --out an existing directory, --force',
    setup: (s) => writeTree(s, { 'e/keep.txt': 'keep' }),
    argv: (s, fx) => transform(fx, join(s, 'e'), '--force'),
    code: 1,
    stderr: /\[output\.is-directory\].*cannot write .*\/e: it is a directory/,
  },
  {
    id: '21.9 transform-model --out EXISTING is refused before the weights are read',
    setup: (s) => writeTree(s, { 'e.safetensors': 'precious' }),
    argv: (s, fx) => ['transform-model', '--weights', join(s, 'no-such.safetensors'), '--key', fx.key, '--out', join(s, 'e.safetensors')],
    code: 1,
    stderr: /\[output\.exists\].*e\.safetensors already exists/,
  },
  {
    id: '21.9 transform-model --out in a missing directory is refused before the weights are read',
    argv: (s, fx) => ['transform-model', '--weights', join(s, 'no-such.safetensors'), '--key', fx.key, '--out', join(s, 'missing', 'e.safetensors')],
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/e\.safetensors/,
  },
  {
    id: '21.9 transform-model writes the encrypted model (success row)',
    argv: (s, fx) => transform(fx, join(s, 'e.safetensors')),
    code: 0,
    changes: { added: ['e.safetensors'] },
  },
], { fixtures: tinyFixtures });
