/** Bad inputs of `cipherpatch encrypt` and `decrypt` (see table.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { type Row, type TinyFixtures, badInputSuite, tinyFixtures, writeTree } from './table.ts';

interface Fixtures extends TinyFixtures {
  readonly png: string;
}

async function fixtures(dir: string): Promise<Fixtures> {
  const png = new PNG({ width: 8, height: 8 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 37) % 256;
  const path = join(dir, 'in.png');
  writeFileSync(path, PNG.sync.write(png));
  return { ...(await tinyFixtures(dir)), png: path };
}

const rows: Row<Fixtures>[] = (['encrypt', 'decrypt'] as const).flatMap((name): Row<Fixtures>[] => [
  {
    id: `21.2 ${name} <out> an existing directory, --force`,
    setup: (s) => writeTree(s, { 'o/keep.txt': 'keep' }),
    argv: (s, fx) => [name, fx.png, join(s, 'o'), '--key', fx.key, '--force'],
    code: 1,
    stderr: /\[output\.is-directory\].*cannot write .*\/o: it is a directory/,
  },
  {
    id: `21.9 ${name} <out> EXISTING is refused before the image is read`,
    setup: (s) => writeTree(s, { 'o.png': 'precious' }),
    argv: (s, fx) => [name, join(s, 'no-such.png'), join(s, 'o.png'), '--key', fx.key],
    code: 1,
    stderr: /\[output\.exists\].*o\.png already exists/,
  },
  {
    id: `21.9 ${name} <out> in a missing directory`,
    argv: (s, fx) => [name, fx.png, join(s, 'missing', 'o.png'), '--key', fx.key],
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/o\.png/,
  },
  {
    id: `21.9 ${name} writes its output (success row)`,
    argv: (s, fx) => [name, fx.png, join(s, 'o.png'), '--key', fx.key],
    code: 0,
    changes: { added: ['o.png'] },
  },
]);

badInputSuite('encrypt / decrypt: bad inputs', rows, { fixtures });
