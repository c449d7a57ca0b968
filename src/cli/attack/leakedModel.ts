/** `cipherpatch attack leaked-model`: the System A key from a plain and a leaked encrypted model (src/attacks/leakedModel.ts). */
import type { Command } from 'commander';
import { fail } from '../../core/errors.ts';
import type { BlockKey } from '../../core/key.ts';
import type { Io } from '../io.ts';
import { loadKey, loadModel } from './load.ts';
import { type Common, writeJson } from './output.ts';

export function registerLeakedModel(attack: Command, io: Io): void {
  attack
    .command('leaked-model')
    .description('recover the System A key from a plain model and a leaked encrypted model by matching signed patch-embedding columns')
    .requiredOption('--plain <file>', 'the attacker\'s plain ConvMixer (safetensors): the same model, or another of the same architecture')
    .option('--encrypted <file>', 'the leaked encrypted ConvMixer (safetensors)')
    .option('--from <file>', 'instead of --encrypted: encrypt this plain model with --key to make the leaked one (an experiment)')
    .option('--key <file>', 'the true key: with --from it makes the encrypted model; always used to score the recovered key')
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .action(async (opts: Common & { plain: string; encrypted?: string; from?: string; key?: string }) => {
      if ((opts.encrypted === undefined) === (opts.from === undefined)) fail('attack.options', 'give exactly one of --encrypted <file> and --from <file> --key <file>');
      if (opts.from !== undefined && opts.key === undefined) fail('attack.options', '--from needs --key <file> to encrypt the model with');
      const { recoverKeyFromLeakedModel } = await import('../../attacks/leakedModel.ts');
      const { encryptModel } = await import('../../model/encryptModel.ts');
      const plain = await loadModel(opts.plain);
      const key = opts.key !== undefined ? await loadKey(opts.key) : undefined;
      const encrypted = opts.encrypted !== undefined ? await loadModel(opts.encrypted) : encryptModel(await loadModel(opts.from as string), key as BlockKey);
      const { dim, channels, patch } = plain.config;
      const pb = channels * patch * patch;
      const r = recoverKeyFromLeakedModel({ data: plain.embedWeight, dim, blockLength: pb }, { data: encrypted.embedWeight, dim: encrypted.config.dim, blockLength: encrypted.config.channels * encrypted.config.patch ** 2 }, { truth: key });
      io.out(`leaked-model: plain ${opts.plain}, encrypted ${opts.encrypted ?? `${opts.from} under ${opts.key}`}`);
      const verdict = key !== undefined ? `key recovered: ${r.keyRecovered ? 'yes' : 'no'}, fraction correct ${r.fractionCorrect?.toFixed(3)}` : `key recovered: not checked (no --key to compare with); ${r.keyRecovered ? 'every encrypted column matched a plain one exactly' : 'some encrypted columns have no exact match'}`;
      io.out(`  ${verdict}; smallest matched |cosine| ${r.minScore.toFixed(4)}; ${r.seconds.toFixed(3)} s`);
      const { serializeKey } = await import('../../core/keyJson.ts');
      const recovered = r.permutation.every((v) => v >= 0) && new Set(r.permutation).size === pb && r.flip.reduce((a, b) => a + b, 0) === pb / 2;
      writeJson(io, opts, { ...r, recoveredKeyFile: recovered ? JSON.parse(serializeKey({ blockSize: patch, channels, permutation: r.permutation, flip: r.flip })) : null });
    });
}
