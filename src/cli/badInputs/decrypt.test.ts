/** Bad inputs of `cipherpatch decrypt` (see table.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pngFile } from '../../../properties/pngFiles.ts';
import { type Row, badInputSuite } from './table.ts';

// --- issue 21, part B (items 21.4, 21.7): decrypt reads PNGs by the same rules as encrypt ------

async function keyFixture(dir: string): Promise<{ key: string }> {
  const { generateKey } = await import('../../core/keygen.ts');
  const { serializeKey } = await import('../../core/keyJson.ts');
  const key = join(dir, 'key.json');
  writeFileSync(key, serializeKey(generateKey({ blockSize: 4, channels: 3, seed: 'bad-inputs-21b' })));
  return { key };
}

const decrypt = (file: () => Uint8Array) => ({
  setup: (s: string) => writeFileSync(join(s, 'enc.png'), file()),
  argv: (s: string, f: { key: string }) => ['decrypt', join(s, 'enc.png'), join(s, 'dec.png'), '--key', f.key],
});

export const ROWS_21B: Row<{ key: string }>[] = [
  { id: '21.4 decrypt: 0-byte PNG', ...decrypt(() => new Uint8Array(0)), code: 1, stderr: /\[png\.decode\]: .*enc\.png is empty \(0 bytes\)/ },
  { id: '21.4 decrypt: truncated image data', ...decrypt(() => pngFile({ width: 32, height: 32, rowsStored: 31 })), code: 1, stderr: /\[png\.decode\]: .*enc\.png is a truncated PNG: its image data holds 31 of the 32 rows/ },
  { id: '21.7 decrypt: 16-bit PNG refused', ...decrypt(() => pngFile({ width: 8, height: 8, bitDepth: 16, colorType: 6 })), code: 1, stderr: /\[png\.format\]: .*enc\.png is a 16-bit RGBA PNG: .*--convert/ },
];

badInputSuite('decrypt: bad inputs (issue 21, part B)', ROWS_21B, { fixtures: keyFixture });
