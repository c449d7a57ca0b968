/** `cipherpatch attack known-plaintext`: the key from known (plain, encrypted) image pairs (src/attacks/knownPlaintext.ts). */
import type { Command } from 'commander';
import { uint8ImagesToBlocks } from '../../attacks/common.ts';
import { fail } from '../../core/errors.ts';
import type { BlockKey } from '../../core/key.ts';
import { type Io, positiveInteger } from '../io.ts';
import { loadImages, variantKey } from './load.ts';
import { type Common, writeJson } from './output.ts';

export function registerKnownPlaintext(attack: Command, io: Io): void {
  attack
    .command('known-plaintext')
    .description('recover the key from known (plain, encrypted) image pairs: System A exactly (signed permutation), any affine variant (System C) by least squares')
    .option('--variant <name>', 'built-in variant that encrypts the pairs (system-a, shuffle, flip, orthogonal, …)', 'system-a')
    .option('--key <file>', 'the secret key to encrypt with (a System A key file, or the variant\'s own key format); without it --key-seed')
    .option('--key-seed <S>', 'generate the secret key from this seed', 'attack')
    .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)')
    .option('--pairs <N>', 'known image pairs (default 1)', positiveInteger('--pairs'), 1)
    .option('--method <m>', 'signed-permutation (exact, uint8 variants) or linear (least squares; default for other domains)')
    .option('--blocks <N>', 'linear: use only the first N block pairs (the rest check the fit)', positiveInteger('--blocks'))
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .action(async (opts: Common & { variant: string; key?: string; keySeed: string; data?: string; pairs: number; method?: string; blocks?: number }) => {
      const { loadBuiltin } = await import('../../variants/registry.ts');
      const { domainPair, fromByte } = await import('../../variants/contract.ts');
      const { recoverLinearMap, recoverSignedPermutation } = await import('../../attacks/knownPlaintext.ts');
      const variant = await loadBuiltin(opts.variant);
      const domain = domainPair(variant.domain).input;
      const method = opts.method ?? (domain === 'uint8' ? 'signed-permutation' : 'linear');
      if (method !== 'signed-permutation' && method !== 'linear') fail('attack.method', `unknown method "${method}": use signed-permutation or linear`);
      if (method === 'signed-permutation' && domain !== 'uint8') fail('attack.method', `signed-permutation needs a uint8 variant; ${variant.name} works on "${domain}" values (use --method linear)`);
      const params = variant.params;
      const key = await variantKey(variant, opts.key, opts.keySeed);
      const { images, source } = await loadImages(opts.data, opts.pairs);
      const bytes = uint8ImagesToBlocks(images, params.blockSize);
      const plain = { ...bytes, data: bytes.data.map((v) => fromByte(v, domain)) };
      const encrypted = variant.encrypt(plain, key);
      io.out(`known-plaintext on ${variant.name}: ${opts.pairs} image pair${opts.pairs === 1 ? '' : 's'} from ${source} (${bytes.images * bytes.rows * bytes.cols} blocks), method ${method}`);
      if (method === 'signed-permutation') {
        const truth = key as BlockKey;
        const r = recoverSignedPermutation(plain, encrypted, { truth: 'permutation' in (key as object) ? truth : undefined });
        io.out(`  key recovered: ${r.keyRecovered ? 'yes' : 'no'}${r.fractionCorrect !== null ? `, fraction correct ${r.fractionCorrect.toFixed(3)}` : ''}`);
        io.out(`  blocks needed for the exact key: ${r.blocksNeeded ?? 'not reached'}; ambiguous positions ${r.ambiguousPositions}, inconsistent ${r.inconsistentPositions}; ${r.seconds.toFixed(3)} s`);
        writeJson(io, opts, { variant: variant.name, data: source, ...r });
      } else {
        const truth = variant.name === 'orthogonal' ? (key as { blockSize: number; channels: number; matrix: Float64Array }) : undefined;
        const r = recoverLinearMap(plain, encrypted, { use: opts.blocks, withOffset: domain !== 'real', truth });
        io.out(`  map recovered: ${r.keyRecovered ? 'yes' : 'no'} (needs ${r.blocksNeeded} independent blocks, used ${r.effort.blocks})`);
        io.out(`  residual ${r.residual ?? 'n/a (under-determined)'}, held-out residual ${r.heldOutResidual ?? 'n/a'}${r.keyError !== null ? `, max |Q̂ − Q| ${r.keyError}` : ''}; ${r.seconds.toFixed(3)} s`);
        const { matrix, offset, ...rest } = r;
        writeJson(io, opts, { variant: variant.name, data: source, ...rest, matrix, offset });
      }
    });
}
