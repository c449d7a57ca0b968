/** `cipherpatch attack ciphertext-only`: the key estimated from encrypted images alone (src/attacks/ciphertextOnly.ts). */
import type { Command } from 'commander';
import { uint8ImagesToBlocks } from '../../attacks/common.ts';
import { fail } from '../../core/errors.ts';
import type { Uint8Batch } from '../../core/images.ts';
import { type Io, positiveInteger } from '../io.ts';
import { autoEngine, loadImages, loadKey, loadModel, loadVariantAndKey } from './load.ts';
import { type Common, pct, writeJson } from './output.ts';

type Options = Common & { key?: string; variant?: string; keySeed: string; data?: string; images: number; reference: number; restarts: number; weights?: string; threads?: number; seed: string };

export function registerCiphertextOnly(attack: Command, io: Io): void {
  attack
    .command('ciphertext-only')
    .description('estimate the System A key from encrypted images alone (flips from anti-correlation, shuffle by matching block covariances to plain reference images)')
    .option('--key <file>', 'the secret key that encrypts the images (System A key file, or with --variant the variant\'s); used only to encrypt and to score the estimate. Required without --variant')
    .option('--variant <name|module>', 'attack another transform variant through the plug-in contract (needs its "signedPermutation" capability)')
    .option('--key-seed <S>', 'with --variant and no --key: generate the secret key from this seed', 'attack')
    .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file')
    .option('--images <N>', 'encrypted images the attacker sees (default 300)', positiveInteger('--images'), 300)
    .option('--reference <N>', 'further plain images for the attacker\'s statistics (default 500)', positiveInteger('--reference'), 500)
    .option('--restarts <N>', 'local-search restarts (default 100)', positiveInteger('--restarts'), 100)
    .option('--weights <file>', 'also report the accuracy of this plain ConvMixer on the attacker\'s decrypted images')
    .option('--threads <N>', 'onnx intra-op threads (default: all cores)', positiveInteger('--threads'))
    .option('--seed <S>', 'seed of the search', 'ciphertext-only')
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .action(async (opts: Options) => {
      const { ciphertextOnlyAttack } = await import('../../attacks/ciphertextOnly.ts');
      if (opts.variant !== undefined) {
        await variantCiphertextOnly(io, { ...opts, variant: opts.variant });
        return;
      }
      if (opts.key === undefined) fail('attack.options', 'ciphertext-only needs --key <file> (the System A key) or --variant <name>');
      const { decryptUint8, encryptUint8 } = await import('../../core/blockTransform.ts');
      const { sliceImages } = await import('../../core/images.ts');
      const key = await loadKey(opts.key);
      const { images, labels, source } = await loadImages(opts.data, opts.images + opts.reference);
      const seen = sliceImages(images, 0, opts.images);
      const encrypted = encryptUint8(seen, key);
      const reference = uint8ImagesToBlocks(sliceImages(images, opts.images, opts.reference), key.blockSize);
      const r = ciphertextOnlyAttack(uint8ImagesToBlocks(encrypted, key.blockSize), reference, { truth: key, restarts: opts.restarts, seed: opts.seed });
      io.out(`ciphertext-only: ${opts.images} encrypted + ${opts.reference} plain reference images from ${source}, ${r.seconds.toFixed(2)} s`);
      io.out(`  key recovered: ${r.keyRecovered ? 'yes' : 'no'}; flip bits right ${r.flipFraction?.toFixed(3)}, permutation entries right ${r.permutationFraction?.toFixed(3)}, key fraction ${r.fractionCorrect?.toFixed(3)}`);
      const accuracy = opts.weights !== undefined ? await attackerDecryptedAccuracy(io, opts.weights, opts.threads, labels.subarray(0, opts.images), seen, decryptUint8(encrypted, r.key)) : undefined;
      writeJson(io, opts, { keyFile: opts.key, data: source, ...r, accuracy: accuracy ?? null });
    });
}

/** ciphertext-only --weights: the plain model's accuracy on the plain images and on the attacker's decryption of them, printed. */
async function attackerDecryptedAccuracy(io: Io, weightsPath: string, threads: number | undefined, labels: Uint8Array, plain: Uint8Batch, decrypted: Uint8Batch): Promise<{ plainImages: number; attackerDecrypted: number }> {
  const { argmaxRows, score } = await import('../../metrics/scoring.ts');
  const weights = await loadModel(weightsPath);
  const engine = await autoEngine(threads)(weights);
  let accuracy: { plainImages: number; attackerDecrypted: number };
  try {
    const acc = async (x: Uint8Batch) => score(argmaxRows(await engine.logits(x), weights.config.classes), labels).accuracy;
    accuracy = { plainImages: await acc(plain), attackerDecrypted: await acc(decrypted) };
  } finally {
    engine.dispose();
  }
  io.out(`  plain model: ${pct(accuracy.attackerDecrypted)} on the attacker's decrypted images (${pct(accuracy.plainImages)} on the plain images)`);
  return accuracy;
}

/** ciphertext-only --variant: the estimate in the variant's signed-permutation view; the plain model scores the attacker's decryption. */
async function variantCiphertextOnly(io: Io, opts: Options & { variant: string }): Promise<void> {
  const { variantCiphertextOnlyAttack } = await import('../../attacks/ciphertextOnly.ts');
  const { signedPermutationOf, flipTarget } = await import('../../attacks/variants.ts');
  const { sliceImages } = await import('../../core/images.ts');
  const { fromBlocks } = await import('../../variants/blocks.ts');
  const { domainPair, fromByte } = await import('../../variants/contract.ts');
  const { variant, key, keyText } = await loadVariantAndKey(opts.variant, opts.key, opts.keySeed);
  signedPermutationOf(variant, 'ciphertext-only');
  const top = flipTarget(variant, 'ciphertext-only');
  const domain = domainPair(variant.domain).input;
  const { images, labels, source } = await loadImages(opts.data, opts.images + opts.reference);
  const blocksOf = (x: Uint8Batch) => {
    const bytes = uint8ImagesToBlocks(x, variant.params.blockSize);
    return { ...bytes, data: bytes.data.map((v) => fromByte(v, domain)) };
  };
  const seen = sliceImages(images, 0, opts.images);
  const encrypted = variant.encrypt(blocksOf(seen), key);
  const r = variantCiphertextOnlyAttack(variant, encrypted, blocksOf(sliceImages(images, opts.images, opts.reference)), { truth: key, restarts: opts.restarts, seed: opts.seed });
  io.out(`ciphertext-only on ${variant.name} (key ${keyText}): ${opts.images} encrypted + ${opts.reference} plain reference images from ${source}, search ${r.search}, ${r.seconds.toFixed(2)} s`);
  io.out(`  key recovered: ${r.keyRecovered ? 'yes' : 'no'}; flip bits right ${r.flipFraction?.toFixed(3)}, permutation entries right ${r.permutationFraction?.toFixed(3)}, key fraction ${r.fractionCorrect?.toFixed(3)}`);
  let accuracy: { plainImages: number; attackerDecrypted: number } | undefined;
  if (opts.weights !== undefined) {
    const decrypted = fromBlocks(variant.decrypt(encrypted, r.key));
    const bytes = Uint8Array.from(decrypted.data, (v) => Math.min(255, Math.max(0, Math.round(top === 255 ? v : v * 255))));
    const shape = { count: decrypted.count, channels: decrypted.channels, height: decrypted.height, width: decrypted.width };
    accuracy = await attackerDecryptedAccuracy(io, opts.weights, opts.threads, labels.subarray(0, opts.images), seen, { data: bytes, shape, layout: 'NCHW' });
  }
  writeJson(io, opts, { variantKey: keyText, data: source, ...r, key: variant.serializeKey(r.key), accuracy: accuracy ?? null });
}
