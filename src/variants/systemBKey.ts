/**
 * System B's key sets (MaungMaung & Kiya 2021): which transform (shuffle,
 * negpos or ffx, the built-in variants of src/variants/builtin/) and that
 * variant's key, read from and written to the variant's key file (format
 * "cipherpatch-variant-key"), and the wrong key sets of an experiment
 * (src/evaluate/systemB.ts).
 */
import { fail } from '../core/errors.ts';
import { plural } from '../core/words.ts';
import { VARIANT_KEY_FORMAT } from './builtin/common.ts';
import { shuffle } from './builtin/systemA.ts';
import { ffx, negpos } from './builtin/systemB.ts';
import type { Variant } from './contract.ts';

export const SYSTEM_B_TRANSFORMS = ['shuffle', 'negpos', 'ffx'] as const;
export type SystemBTransform = (typeof SYSTEM_B_TRANSFORMS)[number];

const VARIANTS: Record<SystemBTransform, Variant<unknown>> = {
  shuffle: shuffle as Variant<unknown>,
  negpos: negpos as Variant<unknown>,
  ffx: ffx as Variant<unknown>,
};

/** A parsed key set: which transform, and the variant's key. */
export interface SystemBKey {
  readonly transform: SystemBTransform;
  readonly blockSize: number;
  readonly channels: number;
  /** The variant's parsed key (BlockKey for shuffle, BinaryKey for negpos, FfxKey for ffx). */
  readonly key: unknown;
  /** The key file text as the variant serializes it (compares key sets; goes into reports). */
  readonly text: string;
}

export function systemBVariant(transform: SystemBTransform): Variant<unknown> {
  return VARIANTS[transform];
}

/** The key set's variant at the key set's block size and channels (the built-ins declare the paper's M = 4, C = 3). */
export function variantFor(key: SystemBKey): Variant<unknown> {
  const v = VARIANTS[key.transform];
  return v.params.blockSize === key.blockSize && v.params.channels === key.channels ? v : { ...v, params: { blockSize: key.blockSize, channels: key.channels } };
}

/**
 * Parses a System B key set from its JSON (an object or the text). Checks:
 * key.json, key.format, key.variant (not shuffle/negpos/ffx), key.params and
 * the variant's own checks (key.field, key.not-permutation, key.flip-*),
 * key.wrong-block-size / key.wrong-channels against `expected`.
 */
export function parseSystemBKey(json: unknown, expected?: { readonly blockSize?: number; readonly channels?: number }): SystemBKey {
  let o: unknown = json;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json);
    } catch (e) {
      fail('key.json', `key set is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('key.json', 'a key set must be a JSON object');
  const r = o as Record<string, unknown>;
  if (r.format !== VARIANT_KEY_FORMAT) {
    fail('key.format', `not a System B key set: "format" is ${JSON.stringify(r.format)}, expected "${VARIANT_KEY_FORMAT}" (a shuffle, negpos or ffx key; System A keys are "cipherpatch-block-key")`);
  }
  if (!SYSTEM_B_TRANSFORMS.includes(r.variant as SystemBTransform)) {
    fail('key.variant', `key set is for variant ${JSON.stringify(r.variant)}; System B key sets are ${SYSTEM_B_TRANSFORMS.join(', ')}`);
  }
  const transform = r.variant as SystemBTransform;
  const variant = VARIANTS[transform];
  const key = variant.parseKey(JSON.stringify(r)) as { blockSize: number; channels: number };
  if (expected?.blockSize !== undefined && key.blockSize !== expected.blockSize) fail('key.wrong-block-size', `key set is for block size ${key.blockSize}, expected ${expected.blockSize}`);
  if (expected?.channels !== undefined && key.channels !== expected.channels) fail('key.wrong-channels', `key set is for ${plural(key.channels, 'channel')}, the model takes ${expected.channels}`);
  return { transform, blockSize: key.blockSize, channels: key.channels, key, text: variant.serializeKey(key) };
}

/** A key set of a transform at block size M, C channels: secure, or reproducible from a seed. */
export function generateSystemBKey(transform: SystemBTransform, params: { readonly blockSize: number; readonly channels: number }, seed?: string): SystemBKey {
  const variant = VARIANTS[transform];
  const key = variant.generateKey({ blockSize: params.blockSize, channels: params.channels }, seed);
  return { transform, blockSize: params.blockSize, channels: params.channels, key, text: variant.serializeKey(key) };
}

/** Wrong key sets: key set i from seed `${seed}:${i}`, skipping any equal to the right one. */
export function wrongSystemBKeys(right: SystemBKey, count: number, seed: string): { seed: string; key: SystemBKey }[] {
  const out: { seed: string; key: SystemBKey }[] = [];
  for (let i = 0; out.length < count; i++) {
    const s = `${seed}:${i}`;
    const k = generateSystemBKey(right.transform, right, s);
    if (k.text !== right.text) out.push({ seed: s, key: k });
  }
  return out;
}
