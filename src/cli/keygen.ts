/** `cipherpatch keygen`: a thin layer over generateKey and serializeKey. */
import type { Command } from 'commander';
import { serializeKey } from '../core/keyJson.ts';
import { generateKey } from '../core/keygen.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { plural } from '../core/words.ts';
import { type Io, nonEmpty, positiveInteger, withOutputs } from './io.ts';

export function registerKeygen(program: Command, io: Io): void {
  const command = program
    .command('keygen')
    .description('generate a System A key (pixel-shuffling permutation + bit-flipping vector) as JSON')
    .requiredOption('--block <M>', 'block size M (= the model\'s patch size)', positiveInteger('--block'))
    .requiredOption('--channels <C>', 'image channels C', positiveInteger('--channels'))
    .option('--seed <S>', 'derive the key deterministically from this seed string, not empty (default: node:crypto, secure)', nonEmpty('--seed', 'an empty seed gives one fixed key that anyone can regenerate; leave --seed out for a secure key'))
    .requiredOption('--out <file>', 'where to write the key JSON')
    .option('--force', 'overwrite --out if it exists', false)
    .addHelpText('after', '\nExamples:\n  cipherpatch keygen --block 4 --channels 3 --out key.json\n  cipherpatch keygen --block 4 --channels 3 --seed experiment-1 --out key.json');
  withOutputs(command, (o: { out: string; force: boolean }) => [{ path: o.out, kind: 'file', force: o.force }]).action((opts: { block: number; channels: number; seed?: string; out: string; force: boolean }) => {
      const key = generateKey({ blockSize: opts.block, channels: opts.channels, seed: opts.seed });
      const source = opts.seed === undefined ? ({ kind: 'secure' } as const) : ({ kind: 'seed', seed: opts.seed } as const);
      writeFileAtomic(opts.out, serializeKey(key, source), { overwrite: opts.force });
      io.out(`wrote ${opts.out}: block ${key.blockSize}, ${plural(key.channels, 'channel')}, p_b = ${key.permutation.length}, ${opts.seed === undefined ? 'secure random (node:crypto)' : `seed "${opts.seed}"`}`);
    });
}
