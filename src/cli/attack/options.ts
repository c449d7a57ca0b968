/** Options the attack subcommands share: the engine-based attacks' flags, System A's --key rule, comma-separated lists. */
import { type Command, InvalidArgumentError } from 'commander';
import { fail } from '../../core/errors.ts';
import { positiveInteger } from '../io.ts';

export interface EngineCommon {
  weights: string;
  key?: string;
  variant?: string;
  keySeed: string;
  data?: string;
  threads?: number;
  seed: string;
}

export function integerList(flag: string): (value: string) => number[] {
  return (value) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError(`${flag} must be a comma-separated list of non-negative integers, got "${value}"`);
    return parts.map(Number);
  };
}

/** --key is required unless --variant names another variant. */
export const systemAKey = (opts: EngineCommon, attack: string, alternative?: string): string => {
  if (opts.variant !== undefined) fail('attack.options', `${attack} runs on System A only${alternative ? `; ${alternative}` : ''}`);
  if (opts.key === undefined) fail('attack.options', `${attack} needs --key <file> (the System A key)`);
  return opts.key;
};

export const engineOpts = (c: Command) =>
  c
    .requiredOption('--weights <file>', 'the plain ConvMixer (safetensors); the attack queries its encrypted version')
    .option('--key <file>', 'the true key (System A key file; with --variant the variant\'s key file). Required without --variant')
    .option('--variant <name|module>', 'attack another transform variant (a built-in or a plug-in module) through the plug-in contract: needs its "neighbours" capability and an adapter')
    .option('--key-seed <S>', 'with --variant and no --key: generate the true key from this seed', 'attack')
    .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file')
    .option('--threads <N>', 'onnx intra-op threads (default: all cores)', positiveInteger('--threads'))
    .option('--seed <S>', 'seed of the attack\'s random choices', 'attack')
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false);
