/**
 * The key file format: plain JSON with the permutation and flip vector as
 * integer arrays, readable by any tool (the PyTorch golden generator too).
 *
 *   {
 *     "format": "cipherpatch-block-key", "version": 1,
 *     "blockSize": 4, "channels": 3,
 *     "blockOrder": "channel,row,column",
 *     "permutation": [...p_b integers...], "flip": [...p_b zeros and ones...],
 *     "source": { "kind": "seed", "seed": "..." } | { "kind": "secure" }   (optional)
 *   }
 *
 * Meaning: encrypted block value k = plain block value permutation[k]
 * (Eq. 4), then flipped where flip[k] = 1 (Eq. 5/6).
 *
 * A field not listed above is refused (key.unknown-field): a misspelt
 * optional field, "blockorder" say, would otherwise be ignored without a word.
 */
import { fail } from './errors.ts';
import { type BlockKey, expectKeyFor, validateKey } from './key.ts';

export const KEY_FORMAT = 'cipherpatch-block-key';
export const KEY_VERSION = 1;
export const BLOCK_ORDER = 'channel,row,column';

export type KeySource = { readonly kind: 'seed'; readonly seed: string } | { readonly kind: 'secure' };

export interface KeyJson {
  format: typeof KEY_FORMAT;
  version: typeof KEY_VERSION;
  blockSize: number;
  channels: number;
  blockOrder: typeof BLOCK_ORDER;
  convention: string;
  permutation: number[];
  flip: number[];
  source?: KeySource;
}

/** Every field a key file may hold; any other is refused. */
export const KEY_FIELDS: readonly string[] = ['format', 'version', 'blockSize', 'channels', 'blockOrder', 'convention', 'permutation', 'flip', 'source'];

const CONVENTION = "x'[k] = x[permutation[k]]; x''[k] = flip[k] ? 255 - x'[k] : x'[k] (8-bit), 1 - x'[k] ([0,1])";

export function keyToJson(key: BlockKey, source?: KeySource): KeyJson {
  const json: KeyJson = {
    format: KEY_FORMAT,
    version: KEY_VERSION,
    blockSize: key.blockSize,
    channels: key.channels,
    blockOrder: BLOCK_ORDER,
    convention: CONVENTION,
    permutation: Array.from(key.permutation),
    flip: Array.from(key.flip),
  };
  if (source !== undefined) json.source = source;
  return json;
}

export function serializeKey(key: BlockKey, source?: KeySource): string {
  const json = keyToJson(key, source);
  // One array per line keeps key files diff-able and short.
  return JSON.stringify(json, (_name, value: unknown) => value, 2)
    .replace(/\[\s+([\d,\s]+?)\s+\]/g, (_m, body: string) => `[${body.split(/,\s*/).join(', ')}]`)
    .concat('\n');
}

export interface ParseKeyOptions {
  /** Reject a key made for another block size / channel count. */
  readonly blockSize?: number;
  readonly channels?: number;
}

/** Parses and validates a key file's text. Errors name the failed check (key.json, key.format, …). */
export function parseKey(text: string, options: ParseKeyOptions = {}): BlockKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail('key.json', `key file is not valid JSON: ${(e as Error).message}`);
  }
  return keyFromJson(json, options);
}

export function keyFromJson(json: unknown, options: ParseKeyOptions = {}): BlockKey {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('key.json', 'key file must hold a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== KEY_FORMAT) fail('key.format', `not a cipherpatch key: "format" is ${JSON.stringify(o.format)}, expected "${KEY_FORMAT}"`);
  if (o.version !== KEY_VERSION) fail('key.version', `unsupported key version ${JSON.stringify(o.version)} (this cipherpatch reads version ${KEY_VERSION})`);
  const unknown = Object.keys(o).filter((f) => !KEY_FIELDS.includes(f));
  if (unknown.length > 0) fail('key.unknown-field', `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((f) => JSON.stringify(f)).join(', ')}: a key file holds only ${KEY_FIELDS.join(', ')}`);
  if (o.blockOrder !== undefined && o.blockOrder !== BLOCK_ORDER) fail('key.block-order', `unsupported block order ${JSON.stringify(o.blockOrder)}, expected "${BLOCK_ORDER}"`);
  if (!Array.isArray(o.permutation)) fail('key.permutation-length', '"permutation" must be an array of integers');
  if (!Array.isArray(o.flip)) fail('key.flip-length', '"flip" must be an array of 0/1 integers');
  const key = validateKey({ blockSize: o.blockSize, channels: o.channels, permutation: o.permutation, flip: o.flip });
  expectKeyFor(key, options.blockSize ?? key.blockSize, options.channels ?? key.channels, 'this use');
  return key;
}
