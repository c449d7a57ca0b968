/** What the attack subcommands and `attack-report` load: the engine, CIFAR-10 test images, a model, a key, a variant and its key. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fail } from '../../core/errors.ts';
import type { Uint8Batch } from '../../core/images.ts';
import type { BlockKey } from '../../core/key.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ConvMixerWeights } from '../../model/convmixer.ts';
import type { Variant } from '../../variants/contract.ts';

/** The engine every attack runs on: the fastest available backend, --threads passed through. */
export function autoEngine(threads: number | undefined): (weights: ConvMixerWeights) => Promise<Engine> {
  return async (weights) => {
    const { createEngine } = await import('../../engine/factory.ts');
    return createEngine(weights, undefined, { engine: 'auto', ...(threads !== undefined ? { threads } : {}) });
  };
}

/** --data: a CIFAR-10 binary directory (test split) or one CIFAR-10 binary file. */
export async function loadImages(data: string | undefined, count: number, first = 0): Promise<{ images: Uint8Batch; labels: Uint8Array; source: string }> {
  const { parseCifarRecords, readCifarSplitAll, resolveCifarDir } = await import('../../io/cifar10.ts');
  const { sliceImages } = await import('../../core/images.ts');
  let all: { images: Uint8Batch; labels: Uint8Array };
  let source: string;
  if (data !== undefined && !existsSync(data) && /\.bin$/i.test(data)) fail('cifar.missing-file', `--data ${data}: no such file (give one CIFAR-10 .bin file, or a CIFAR-10 binary directory)`);
  if (data !== undefined && existsSync(data) && statSync(data).isFile()) {
    all = parseCifarRecords(readFileSync(data), data);
    source = data;
  } else {
    const location = resolveCifarDir(data);
    all = await readCifarSplitAll(location, 'test', { limit: first + count });
    source = location.dir;
  }
  const available = all.labels.length;
  if (first + count > available) fail('attack.images', `asked for ${first + count} images, ${source} holds ${available}`);
  return { images: sliceImages(all.images, first, count), labels: all.labels.subarray(first, first + count), source };
}

export async function loadModel(path: string): Promise<ConvMixerWeights> {
  const { readConvMixerFile } = await import('../../io/modelFile.ts');
  return readConvMixerFile(path).weights;
}

export async function loadKey(path: string): Promise<BlockKey> {
  const { readKeyFile } = await import('../../io/keyFile.ts');
  return readKeyFile(path);
}

/** --variant V with --key (the variant's own key file) or --key-seed. */
export async function loadVariantAndKey(name: string, keyPath: string | undefined, keySeed: string): Promise<{ variant: Variant<unknown>; key: unknown; keyText: string }> {
  const { loadVariant } = await import('../../variants/registry.ts');
  const { validateVariant } = await import('../../variants/validate.ts');
  const loaded = await loadVariant(name);
  if (loaded.problem) fail(loaded.problem.check, loaded.problem.message);
  const report = validateVariant(loaded.candidate);
  if (!report.ok) fail('attack.variant', `${name} breaks the plug-in contract: ${report.problems.map((p) => `[${p.check}] ${p.message}`).join('; ')}`);
  const variant = loaded.candidate as Variant<unknown>;
  return { variant, key: await variantKey(variant, keyPath, keySeed), keyText: keyPath ?? `generateKey(seed "${keySeed}")` };
}

/** The variant's key: parsed from --key (its own key file) or generated from --key-seed. */
export async function variantKey(variant: Variant<unknown>, keyPath: string | undefined, keySeed: string): Promise<unknown> {
  if (keyPath === undefined) return variant.generateKey(variant.params, keySeed);
  const { readVariantKeyFile } = await import('../../io/keyFile.ts');
  return readVariantKeyFile(keyPath, (text) => variant.parseKey(text));
}
