/** Reading key files at the edge: the error names the file. */
import { readFileSync } from 'node:fs';
import { CipherpatchError, fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import { type ParseKeyOptions, keyFromJson, parseKey } from '../core/keyJson.ts';
import { type SystemBKey, parseSystemBKey } from '../evaluate/systemB.ts';

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

/** A System B key set file (shuffle, negpos or ffx variant key); the error names the file. */
export function readSystemBKeyFile(path: string, expected?: { blockSize?: number; channels?: number }): SystemBKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail('key.unreadable', `cannot read key set ${path}: ${(e as Error).message}`);
  }
  try {
    return parseSystemBKey(text, expected);
  } catch (e) {
    if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `key set ${path}: ${e.message}`);
    throw e;
  }
}

export const SYSTEM_B_KEY_LIST_FORMAT = 'cipherpatch-variant-key-list';

/**
 * A list of System B key sets, { "format": "cipherpatch-variant-key-list",
 * "variant": "ffx", "keys": [key set, …] } (golden/system-b/wrong-keys-*.json);
 * every key set is validated and must be of the list's variant.
 */
export function readSystemBKeyListFile(path: string, expected?: { blockSize?: number; channels?: number }): SystemBKey[] {
  let json: { format?: unknown; variant?: unknown; keys?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as typeof json;
  } catch (e) {
    fail('key.unreadable', `cannot read key set list ${path}: ${(e as Error).message}`);
  }
  if (json?.format !== SYSTEM_B_KEY_LIST_FORMAT || typeof json.variant !== 'string' || !Array.isArray(json.keys)) {
    fail('key.format', `${path} is not a System B key set list ({ "format": "${SYSTEM_B_KEY_LIST_FORMAT}", "variant": …, "keys": [...] })`);
  }
  return json.keys.map((k, i) => {
    try {
      const parsed = parseSystemBKey(k, expected);
      if (parsed.transform !== json.variant) fail('key.variant', `is a ${parsed.transform} key set in a list of ${String(json.variant)} key sets`);
      return parsed;
    } catch (e) {
      if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `key set list ${path}, key set ${i}: ${e.message}`);
      throw e;
    }
  });
}
