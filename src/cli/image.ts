/** `cipherpatch encrypt` / `decrypt` for single PNG images. */
import type { Command } from 'commander';
import { decryptUint8, encryptUint8 } from '../core/blockTransform.ts';
import { readKeyFile } from '../io/keyFile.ts';
import { readPngImage, writePng } from '../io/png.ts';
import { type Io, withOutputs } from './io.ts';

export function registerImage(program: Command, io: Io): void {
  for (const [name, transform, verb] of [
    ['encrypt', encryptUint8, 'encrypted'],
    ['decrypt', decryptUint8, 'decrypted'],
  ] as const) {
    const command = program
      .command(`${name} <in> <out>`)
      .description(`${name} an 8-bit RGB PNG (or a fully opaque RGBA one) block-wise with a key (Eqs. 4–5); width and height must be multiples of the block size`)
      .requiredOption('--key <file>', 'key JSON (cipherpatch keygen) for 3 channels')
      .option('--convert', 'also read grayscale, gray+alpha, palette and 16-bit PNGs, converted to 8-bit RGB (16 bits are cut to 8; <out> is an RGB PNG, so this does not round-trip)', false)
      .option('--force', 'overwrite <out> if it exists', false);
    withOutputs(command, (o: { force: boolean }, [, output]: string[]) => [{ path: output, kind: 'file', force: o.force }]).action((input: string, output: string, o: { key: string; convert: boolean; force: boolean }) => {
        const key = readKeyFile(o.key, { channels: 3 });
        const { image, conversion } = readPngImage(input, { convert: o.convert });
        writePng(output, transform(image, key), { overwrite: o.force });
        io.out(`${verb} ${input} → ${output} (${image.shape.width}×${image.shape.height}, block ${key.blockSize}${conversion !== undefined ? `; converted ${conversion}` : ''})`);
      });
  }
}
