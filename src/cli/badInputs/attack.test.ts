/** Bad inputs of `cipherpatch attack …` (see table.ts): --json is checked before the attack runs; progress off a terminal. */
import { join } from 'node:path';
import { type Row, type TinyFixtures, badInputSuite, tinyFixtures, writeTree } from './table.ts';

const randomKey = (fx: TinyFixtures, ...rest: string[]) => ['attack', 'random-key', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--images', '20', '--keys', '2', ...rest];
const knownPlaintext = (fx: TinyFixtures, ...rest: string[]) => ['attack', 'known-plaintext', '--data', fx.cifar, '--key-seed', 'k', ...rest];
const leakedModel = (fx: TinyFixtures, ...rest: string[]) => ['attack', 'leaked-model', '--plain', fx.model, '--from', fx.model, '--key', fx.key, ...rest];

const rows: Row<TinyFixtures>[] = [
  {
    id: '21.2 attack random-key --json an existing directory, --force',
    setup: (s) => writeTree(s, { 'j/keep.txt': 'keep' }),
    argv: (s, fx) => randomKey(fx, '--json', join(s, 'j'), '--force'),
    code: 1,
    stderr: /\[output\.is-directory\].*cannot write .*\/j: it is a directory/,
    stdout: '',
  },
  {
    id: '21.2 attack leaked-model --json an existing directory, --force',
    setup: (s) => writeTree(s, { 'j/': '' }),
    argv: (s, fx) => leakedModel(fx, '--json', join(s, 'j'), '--force'),
    code: 1,
    stderr: /\[output\.is-directory\]/,
    stdout: '',
  },
  {
    id: '21.9 attack random-key --json EXISTING is refused before the attack runs',
    setup: (s) => writeTree(s, { 'r.json': 'precious' }),
    argv: (s, fx) => randomKey(fx, '--json', join(s, 'r.json')),
    code: 1,
    stderr: /\[output\.exists\].*r\.json already exists/,
    stdout: '',
  },
  {
    id: '21.9 attack known-plaintext --json EXISTING is refused before the attack runs',
    setup: (s) => writeTree(s, { 'k.json': 'precious' }),
    argv: (s, fx) => knownPlaintext(fx, '--json', join(s, 'k.json')),
    code: 1,
    stderr: /\[output\.exists\]/,
    stdout: '',
  },
  {
    id: '21.9 attack leaked-model --json in a missing directory is refused before the attack runs',
    argv: (s, fx) => leakedModel(fx, '--json', join(s, 'missing', 'l.json')),
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/l\.json/,
    stdout: '',
  },
  {
    id: '21.12 attack random-key prints progress lines when stderr is not a terminal',
    argv: (s, fx) => randomKey(fx, '--json', join(s, 'r.json')),
    code: 0,
    stderr: /^[^\n]*: \d+\/\d+ images \(\d+ %\)/m,
    stdout: /random-key: 20 images/,
    changes: { added: ['r.json'] },
  },
];

badInputSuite('attack: bad inputs', rows, { fixtures: tinyFixtures });
