/** `cipherpatch init-model` and `cipherpatch transform-model`: thin layers over the model library. */
import type { Command } from 'commander';
import { readKeyFile } from '../io/keyFile.ts';
import { readConvMixerFile, writeConvMixerFile } from '../io/modelFile.ts';
import { encryptModel } from '../model/encryptModel.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { plural } from '../core/words.ts';
import { type Io, nonNegativeInteger, positiveInteger, withOutputs } from './io.ts';

const outFile = (o: { out: string; force: boolean }) => [{ path: o.out, kind: 'file' as const, force: o.force }];

export function registerModel(program: Command, io: Io): void {
  const init = program
    .command('init-model')
    .description('write a randomly initialised ConvMixer as safetensors (PyTorch state-dict names), deterministic from --seed')
    .option('--dim <d>', 'hidden width d', positiveInteger('--dim'), 256)
    .option('--depth <L>', 'number of ConvMixer layers', nonNegativeInteger('--depth'), 8)
    .option('--kernel <k>', 'depthwise kernel size', positiveInteger('--kernel'), 9)
    .option('--patch <P>', 'patch size (= block size of the key)', positiveInteger('--patch'), 4)
    .option('--channels <C>', 'image channels', positiveInteger('--channels'), 3)
    .option('--classes <n>', 'classifier outputs', positiveInteger('--classes'), 10)
    .option('--seed <S>', 'seed of the random weights', 'cipherpatch')
    .requiredOption('--out <file>', 'the safetensors file to write')
    .option('--force', 'overwrite --out if it exists', false);
  withOutputs(init, outFile).action((o: { dim: number; depth: number; kernel: number; patch: number; channels: number; classes: number; seed: string; out: string; force: boolean }) => {
      const config = { dim: o.dim, depth: o.depth, kernel: o.kernel, patch: o.patch, channels: o.channels, classes: o.classes };
      const weights = randomConvMixerWeights(config, o.seed);
      writeConvMixerFile(o.out, weights, { 'cipherpatch.model': 'ConvMixer', 'cipherpatch.init': `random, seed ${o.seed}` }, { overwrite: o.force });
      io.out(`wrote ${o.out}: ConvMixer-${o.dim}/${o.depth}, kernel ${o.kernel}, patch ${o.patch}, ${plural(o.channels, 'channel')}, ${plural(o.classes, 'class', 'classes')} (random, seed "${o.seed}")`);
    });

  const transform = program
    .command('transform-model')
    .description('encrypt a plain-trained ConvMixer with a key (Eqs. 8–9): only the patch-embedding weight changes')
    .requiredOption('--weights <file>', 'plain model, safetensors with PyTorch ConvMixer state-dict names')
    .requiredOption('--key <file>', 'key JSON (cipherpatch keygen); its block size must equal the patch size')
    .requiredOption('--out <file>', 'where to write the encrypted model')
    .option('--force', 'overwrite --out if it exists', false);
  withOutputs(transform, outFile).action((o: { weights: string; key: string; out: string; force: boolean }) => {
      const { weights, metadata } = readConvMixerFile(o.weights);
      const key = readKeyFile(o.key, { blockSize: weights.config.patch, channels: weights.config.channels });
      writeConvMixerFile(o.out, encryptModel(weights, key), { ...metadata, 'cipherpatch.transform': 'System A Eqs. 8-9 (patch embedding permuted and sign-flipped)' }, { overwrite: o.force });
      io.out(`wrote ${o.out}: patch embedding 0.weight transformed with ${o.key} (block ${key.blockSize}, ${plural(key.channels, 'channel')}); all other tensors unchanged`);
    });
}
