/** Reading key files at the edge: the error names the file. */
import { readFileSync } from 'node:fs';
import { CipherpatchError, fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import { type ParseKeyOptions, keyFromJson, parseKey } from '../core/keyJson.ts';
import { type OrthogonalKey, validateOrthogonalKey } from '../core/orthogonal.ts';
import { type SystemBKey, parseSystemBKey } from '../variants/systemBKey.ts';
import { orthogonal } from '../variants/builtin/systemC.ts';
import { readSafetensorsFile } from './safetensors.ts';

/** The file's text, or JSON; a file that cannot be read (or parsed as JSON) fails `key.unreadable`, naming `what` it is. */
function readKeyText(path: string, what: string): string;
function readKeyText(path: string, what: string, json: true): unknown;
function readKeyText(path: string, what: string, json = false): unknown {
  try {
    const text = readFileSync(path, 'utf8');
    return json ? JSON.parse(text) : text;
  } catch (e) {
    fail('key.unreadable', `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** parse(), a CipherpatchError it throws prefixed with `where` (the file, and the key in a list). */
function naming<T>(where: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `${where}: ${e.message}`);
    throw e;
  }
}

export function readKeyFile(path: string, options: ParseKeyOptions = {}): BlockKey {
  const text = readKeyText(path, 'key file');
  return naming(`key file ${path}`, () => parseKey(text, options));
}

/**
 * A list of keys, { "format": "cipherpatch-block-key-list", "version": 1, "keys": [key, …] }
 * (golden/system-a/wrong-keys.json is one); every key is validated.
 */
export function readKeyListFile(path: string, options: ParseKeyOptions = {}): BlockKey[] {
  const json = readKeyText(path, 'key list', true) as { format?: unknown; version?: unknown; keys?: unknown };
  if (json?.format !== 'cipherpatch-block-key-list' || json.version !== 1 || !Array.isArray(json.keys)) {
    fail('key.format', `${path} is not a cipherpatch key list ({ "format": "cipherpatch-block-key-list", "version": 1, "keys": [...] })`);
  }
  return json.keys.map((k, i) => naming(`key list ${path}, key ${i}`, () => keyFromJson(k, options)));
}

/** A System B key set file (shuffle, negpos or ffx variant key); the error names the file. */
export function readSystemBKeyFile(path: string, expected?: { blockSize?: number; channels?: number }): SystemBKey {
  const text = readKeyText(path, 'key set');
  return naming(`key set ${path}`, () => parseSystemBKey(text, expected));
}

/**
 * A transform variant's own key file, parsed by the variant's parseKey; any
 * error, a plug-in's plain Error too, names the file (key.parse for errors
 * that are not a CipherpatchError).
 */
export function readVariantKeyFile<K>(path: string, parse: (text: string) => K): K {
  const text = readKeyText(path, 'key file');
  return naming(`key file ${path}`, () => {
    try {
      return parse(text);
    } catch (e) {
      if (e instanceof CipherpatchError) throw e;
      fail('key.parse', e instanceof Error ? e.message : String(e));
    }
  });
}

export const SYSTEM_B_KEY_LIST_FORMAT = 'cipherpatch-variant-key-list';

/**
 * A list of System B key sets, { "format": "cipherpatch-variant-key-list",
 * "variant": "ffx", "keys": [key set, …] } (golden/system-b/wrong-keys-*.json);
 * every key set is validated and must be of the list's variant.
 */
export function readSystemBKeyListFile(path: string, expected?: { blockSize?: number; channels?: number }): SystemBKey[] {
  const json = readKeyText(path, 'key set list', true) as { format?: unknown; variant?: unknown; keys?: unknown };
  if (json?.format !== SYSTEM_B_KEY_LIST_FORMAT || typeof json.variant !== 'string' || !Array.isArray(json.keys)) {
    fail('key.format', `${path} is not a System B key set list ({ "format": "${SYSTEM_B_KEY_LIST_FORMAT}", "variant": …, "keys": [...] })`);
  }
  return json.keys.map((k, i) =>
    naming(`key set list ${path}, key set ${i}`, () => {
      const parsed = parseSystemBKey(k, expected);
      if (parsed.transform !== json.variant) fail('key.variant', `is a ${parsed.transform} key set in a list of ${String(json.variant)} key sets`);
      return parsed;
    }),
  );
}

/**
 * System C keys (random orthogonal matrices). A key is the orthogonal
 * variant's key file (JSON, `cipherpatch keygen`-style "cipherpatch-variant-key"
 * with "variant": "orthogonal"), or a safetensors file holding the matrix as
 * the F64 tensor `right` (p_b × p_b) — a golden run's
 * system-c-matrices.safetensors is one. A list is such a safetensors file's
 * F64 tensor `wrong` (n × p_b × p_b). The model gives the block size and
 * channels; every matrix is checked to be orthogonal.
 */
export function isOrthogonalKeyFile(path: string): boolean {
  if (path.endsWith('.safetensors')) return true;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { variant?: unknown };
    return json?.variant === 'orthogonal';
  } catch {
    return false;
  }
}

function matricesOf(path: string, name: string, what: string, params: { blockSize: number; channels: number }, rank: 2 | 3): Float64Array[] {
  let tensor;
  try {
    tensor = readSafetensorsFile(path).tensors.get(name);
  } catch (e) {
    if (e instanceof CipherpatchError) fail('key.unreadable', `cannot read ${what} ${path}: ${e.message}`);
    throw e;
  }
  const pb = params.blockSize * params.blockSize * params.channels;
  const shape = rank === 2 ? `${pb}, ${pb}` : `n, ${pb}, ${pb}`;
  if (tensor === undefined) fail('key.format', `${what} ${path} has no tensor "${name}" (F64, shape (${shape}))`);
  const ok = tensor.dtype === 'F64' && tensor.shape.length === rank && tensor.shape.at(-1) === pb && tensor.shape.at(-2) === pb;
  if (!ok) fail('key.wrong-block-size', `${what} ${path}: tensor "${name}" is ${tensor.dtype} (${tensor.shape.join(', ')}); the model (block size ${params.blockSize}, ${params.channels} channels) needs F64 (${shape})`);
  const data = tensor.data as Float64Array;
  const count = rank === 2 ? 1 : tensor.shape[0];
  return Array.from({ length: count }, (_, i) => data.slice(i * pb * pb, (i + 1) * pb * pb));
}

export function readOrthogonalKeyFile(path: string, params: { blockSize: number; channels: number }): OrthogonalKey {
  if (path.endsWith('.safetensors')) {
    const [matrix] = matricesOf(path, 'right', 'matrix file', params, 2);
    return naming(`matrix file ${path}`, () => validateOrthogonalKey({ ...params, matrix }));
  }
  const text = readKeyText(path, 'key file');
  const key = naming(`key file ${path}`, () => orthogonal.parseKey(text));
  if (key.blockSize !== params.blockSize || key.channels !== params.channels) {
    fail('key.wrong-block-size', `key file ${path} is for block size ${key.blockSize} and ${key.channels} channels; the model needs block size ${params.blockSize} and ${params.channels} channels`);
  }
  return key;
}

export function readOrthogonalKeyListFile(path: string, params: { blockSize: number; channels: number }): OrthogonalKey[] {
  if (!path.endsWith('.safetensors')) fail('key.format', `${path}: a list of System C matrices is a safetensors file with the F64 tensor "wrong" (n, p_b, p_b), e.g. golden/runs/cpu-20ep/system-c-matrices.safetensors`);
  return matricesOf(path, 'wrong', 'matrix list', params, 3).map((matrix, i) => naming(`matrix list ${path}, matrix ${i}`, () => validateOrthogonalKey({ ...params, matrix })));
}
