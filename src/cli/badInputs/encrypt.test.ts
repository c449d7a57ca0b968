/** Bad inputs of `cipherpatch encrypt` and `decrypt` (see table.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { flipByte, pngFile } from '../../../properties/pngFiles.ts';
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
/** Bad inputs of `cipherpatch encrypt` (see table.ts). */

// --- issue 21, part B (items 21.4, 21.6, 21.7, 21.13) -----------------------------------------

interface KeyFixture {
  /** A System A key for block 4, 3 channels. */
  readonly key: string;
}

async function keyFixture(dir: string): Promise<KeyFixture> {
  const { generateKey } = await import('../../core/keygen.ts');
  const { serializeKey } = await import('../../core/keyJson.ts');
  const key = join(dir, 'key.json');
  writeFileSync(key, serializeKey(generateKey({ blockSize: 4, channels: 3, seed: 'bad-inputs-21b' })));
  return { key };
}

/** A row that encrypts in.png (written by `file`) to out.png. */
function pngRow(id: string, file: () => Uint8Array, rest: Omit<Row<KeyFixture>, 'id' | 'setup' | 'argv'>, extra: string[] = []): Row<KeyFixture> {
  return {
    id,
    setup: (s) => writeFileSync(join(s, 'in.png'), file()),
    argv: (s, f) => ['encrypt', join(s, 'in.png'), join(s, 'out.png'), '--key', f.key, ...extra],
    ...rest,
  };
}

/** A key file like keygen's, with `change` applied to its JSON. */
async function keyWith(path: string, change: (json: Record<string, unknown>) => void): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(json);
  return writeFileSync(path, JSON.stringify(json));
}

const good = () => pngFile({ width: 32, height: 32 });

export const ROWS_21B: Row<KeyFixture>[] = [
  // 21.4: each bad file is named for what it is, with the file's name.
  pngRow('21.4 encrypt: 0-byte PNG', () => new Uint8Array(0), { code: 1, stderr: /\[png\.decode\]: .*in\.png is empty \(0 bytes\), not a PNG image/ }),
  pngRow('21.4 encrypt: a text file named .png', () => Buffer.from('hello'), { code: 1, stderr: /\[png\.decode\]: .*in\.png is not a PNG image \(it does not start with the PNG signature\)/ }),
  pngRow('21.4 encrypt: bad CRC', () => flipByte(good(), 8 + 8 + 5), { code: 1, stderr: /\[png\.decode\]: .*in\.png is a corrupt PNG: chunk IHDR at byte 8 fails its CRC check/ }),
  pngRow('21.4 encrypt: 32×32 PNG with truncated image data', () => pngFile({ width: 32, height: 32, rowsStored: 12 }), { code: 1, stderr: /\[png\.decode\]: .*in\.png is a truncated PNG: its image data holds 12 of the 32 rows/ }),
  pngRow('21.4 encrypt: file cut inside its image data', () => good().subarray(0, 60), { code: 1, stderr: /\[png\.decode\]: .*in\.png is a truncated PNG: chunk IDAT at byte 33 declares/ }),
  pngRow('21.4 encrypt: unknown row filter type', () => pngFile({ width: 32, height: 32, filter: 205 }), { code: 1, stderr: /\[png\.decode\]: .*in\.png is a corrupt PNG: row 0 has filter type 205/ }),
  // 21.7: only what round-trips exactly, unless --convert; no truncated data.
  pngRow('21.7 encrypt: 16-bit PNG refused', () => pngFile({ width: 8, height: 8, bitDepth: 16 }), { code: 1, stderr: /\[png\.format\]: .*in\.png is a 16-bit RGB PNG: .*cutting its 16-bit samples to 8 bits.*--convert/ }),
  pngRow('21.7 encrypt: grayscale PNG refused', () => pngFile({ width: 8, height: 8, colorType: 0 }), { code: 1, stderr: /\[png\.format\]: .*in\.png is an 8-bit grayscale PNG: .*--convert/ }),
  pngRow('21.7 encrypt: gray+alpha PNG refused', () => pngFile({ width: 8, height: 8, colorType: 4 }), { code: 1, stderr: /\[png\.format\]: .*8-bit gray\+alpha PNG/ }),
  pngRow('21.7 encrypt: palette PNG refused', () => pngFile({ width: 8, height: 8, colorType: 3, paletteSize: 16 }), { code: 1, stderr: /\[png\.format\]: .*8-bit palette PNG/ }),
  pngRow('21.7 encrypt: header claims 1024 rows, holds 100', () => pngFile({ width: 32, height: 1024, rowsStored: 100 }), { code: 1, stderr: /\[png\.decode\]: .*truncated PNG: its image data holds 100 of the 1024 rows/ }),
  pngRow('21.7 encrypt --convert: grayscale is converted when asked (success row)', () => pngFile({ width: 8, height: 8, colorType: 0 }), { code: 0, stdout: /encrypted .*in\.png → .*out\.png \(8×8, block 4; converted 8-bit grayscale → 8-bit RGB\)/, changes: { added: ['out.png'] } }, ['--convert']),
  pngRow('21.7 encrypt --convert: 16-bit is cut to 8 bits when asked (success row)', () => pngFile({ width: 8, height: 8, bitDepth: 16 }), { code: 0, stdout: /converted 16-bit RGB → 8-bit RGB/, changes: { added: ['out.png'] } }, ['--convert']),
  // 21.6
  pngRow('21.6 encrypt: a 32-wide, 30-high PNG is reported width first', () => pngFile({ width: 32, height: 30 }), { code: 1, stderr: /\[image\.not-divisible\]: image size 32×30 \(width×height/ }),
  {
    id: '21.6 encrypt: output in a missing folder names the folder, not a temporary file',
    setup: (s) => writeFileSync(join(s, 'in.png'), good()),
    argv: (s, f) => ['encrypt', join(s, 'in.png'), join(s, 'no', 'x.png'), '--key', f.key],
    code: 1,
    stderr: /\[output\.unwritable\]: cannot write .*\/no\/x\.png: the folder .*\/no does not exist/,
    notStderr: /\.tmp/,
  },
  {
    id: '21.6 encrypt: a permutation holding strings is quoted',
    setup: async (s, f) => {
      writeFileSync(join(s, 'in.png'), good());
      const { copyFileSync } = await import('node:fs');
      copyFileSync(f.key, join(s, 'k.json'));
      await keyWith(join(s, 'k.json'), (json) => {
        json.permutation = (json.permutation as number[]).map(String);
      });
    },
    argv: (s) => ['encrypt', join(s, 'in.png'), join(s, 'out.png'), '--key', join(s, 'k.json')],
    code: 1,
    stderr: /\[key\.not-permutation\]: key file .*k\.json: permutation\[0\] = "\d+" is not an integer/,
  },
  // 21.13: unknown fields in key files are refused.
  {
    id: '21.13 encrypt: a key file with an unknown field',
    setup: async (s, f) => {
      writeFileSync(join(s, 'in.png'), good());
      const { copyFileSync } = await import('node:fs');
      copyFileSync(f.key, join(s, 'k.json'));
      await keyWith(join(s, 'k.json'), (json) => {
        json.blockorder = 'row,column,channel';
      });
    },
    argv: (s) => ['encrypt', join(s, 'in.png'), join(s, 'out.png'), '--key', join(s, 'k.json')],
    code: 1,
    stderr: /\[key\.unknown-field\]: key file .*k\.json: unknown field "blockorder": a key file holds only format, version, blockSize/,
  },
];

badInputSuite('encrypt: bad inputs (issue 21, part B)', ROWS_21B, { fixtures: keyFixture });
