/** Reading key files at the edge: the error names the file. */
import { readFileSync } from 'node:fs';
import { CipherpatchError, fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import { type ParseKeyOptions, keyFromJson, parseKey } from '../core/keyJson.ts';

export function readKeyFile(path: string, options: ParseKeyOptions = {}): BlockKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail('key.unreadable', `cannot read key file ${path}: ${(e as Error).message}`);
  }
  try {
    return parseKey(text, options);
  } catch (e) {
    if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `key file ${path}: ${e.message}`);
    throw e;
  }
}

/**
 * A list of keys, { "format": "cipherpatch-block-key-list", "version": 1, "keys": [key, …] }
 * (golden/system-a/wrong-keys.json is one); every key is validated.
 */
export function readKeyListFile(path: string, options: ParseKeyOptions = {}): BlockKey[] {
  let json: { format?: unknown; version?: unknown; keys?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as typeof json;
  } catch (e) {
    fail('key.unreadable', `cannot read key list ${path}: ${(e as Error).message}`);
  }
  if (json?.format !== 'cipherpatch-block-key-list' || json.version !== 1 || !Array.isArray(json.keys)) {
    fail('key.format', `${path} is not a cipherpatch key list ({ "format": "cipherpatch-block-key-list", "version": 1, "keys": [...] })`);
  }
  return json.keys.map((k, i) => {
    try {
      return keyFromJson(k, options);
    } catch (e) {
      if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `key list ${path}, key ${i}: ${e.message}`);
      throw e;
    }
  });
}
