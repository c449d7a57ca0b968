/** `cipherpatch keyspace`: prints O_p, O_f and O exactly (Sec. 4.3). */
import type { Command } from 'commander';
import { keySpace } from '../core/keySpace.ts';
import { type Io, positiveInteger } from './io.ts';

export function registerKeyspace(program: Command, io: Io): void {
  program
    .command('keyspace')
    .description('print the exact size of the key space O = p_b! · C(p_b, p_b/2)')
    .requiredOption('--block <M>', 'block size M', positiveInteger('--block'))
    .requiredOption('--channels <C>', 'image channels C', positiveInteger('--channels'))
    .option('--json', 'print JSON instead of text', false)
    .action((opts: { block: number; channels: number; json: boolean }) => {
      const ks = keySpace(opts.block, opts.channels);
      const sci = `${ks.decimal.mantissa.toFixed(3)}e${ks.decimal.exponent}`;
      if (opts.json) {
        io.out(JSON.stringify({ blockSize: ks.blockSize, channels: ks.channels, blockLength: ks.blockLength, shuffleKeys: ks.shuffleKeys.toString(), flipKeys: ks.flipKeys.toString(), total: ks.total.toString(), log2Total: ks.log2Total, scientific: sci }, null, 2));
        return;
      }
      io.out(`block size M = ${ks.blockSize}, channels C = ${ks.channels}, p_b = M²C = ${ks.blockLength}`);
      io.out(`O_p = p_b!            = ${ks.shuffleKeys}`);
      io.out(`O_f = C(p_b, p_b/2)   = ${ks.flipKeys}`);
      io.out(`O   = O_p · O_f       = ${ks.total}`);
      io.out(`    ≈ ${sci} ≈ 2^${ks.log2Total.toFixed(2)}`);
    });
}
