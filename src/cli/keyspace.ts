/** `cipherpatch keyspace`: prints O_p, O_f and O exactly (Sec. 4.3), or as log2 and digit counts for large p_b. */
import type { Command } from 'commander';
import { EXACT_KEY_SPACE_MAX_BLOCK_LENGTH, type LogSize, keySpace, keySpaceLog2 } from '../core/keySpace.ts';
import { blockLength } from '../core/key.ts';
import { type Io, positiveInteger } from './io.ts';

const digits = (s: LogSize) => `${s.digitsExact ? '' : 'about '}${s.digits.toLocaleString('en-US')} digits`;

export function registerKeyspace(program: Command, io: Io): void {
  program
    .command('keyspace')
    .description(`print the exact size of the key space O = p_b! · C(p_b, p_b/2); above p_b = ${EXACT_KEY_SPACE_MAX_BLOCK_LENGTH.toLocaleString('en-US')}, its log2 and number of digits`)
    .requiredOption('--block <M>', 'block size M', positiveInteger('--block'))
    .requiredOption('--channels <C>', 'image channels C', positiveInteger('--channels'))
    .option('--json', 'print JSON instead of text', false)
    .action((opts: { block: number; channels: number; json: boolean }) => {
      if (blockLength(opts.block, opts.channels) > EXACT_KEY_SPACE_MAX_BLOCK_LENGTH) {
        printLog2(io, opts);
        return;
      }
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

/** Above the exact limit: log2 and digit counts (Stirling's series), never the integers. */
function printLog2(io: Io, opts: { block: number; channels: number; json?: boolean }): void {
  const ks = keySpaceLog2(opts.block, opts.channels);
  const sci = `${ks.decimal.mantissa.toFixed(3)}e${ks.decimal.exponent}`;
  if (opts.json) {
    const size = (s: LogSize) => ({ log2: s.log2, digits: s.digits, digitsExact: s.digitsExact });
    io.out(JSON.stringify({ blockSize: ks.blockSize, channels: ks.channels, blockLength: ks.blockLength, exact: false, shuffleKeys: size(ks.shuffleKeys), flipKeys: size(ks.flipKeys), total: size(ks.total), log2Total: ks.total.log2, scientific: sci }, null, 2));
    return;
  }
  io.out(`block size M = ${ks.blockSize}, channels C = ${ks.channels}, p_b = M²C = ${ks.blockLength}`);
  io.out(`(p_b > ${EXACT_KEY_SPACE_MAX_BLOCK_LENGTH.toLocaleString('en-US')}: the integers are too long to print; log2 and digit counts from Stirling's series)`);
  io.out(`O_p = p_b!            ≈ 2^${ks.shuffleKeys.log2.toFixed(2)}, ${digits(ks.shuffleKeys)}`);
  io.out(`O_f = C(p_b, p_b/2)   ≈ 2^${ks.flipKeys.log2.toFixed(2)}, ${digits(ks.flipKeys)}`);
  io.out(`O   = O_p · O_f       ≈ 2^${ks.total.log2.toFixed(2)}, ${digits(ks.total)}`);
  io.out(`    ≈ ${sci} ≈ 2^${ks.total.log2.toFixed(2)}`);
}
