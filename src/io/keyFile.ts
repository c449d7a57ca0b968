/** Reading key files at the edge: the error names the file. */
import { readFileSync } from 'node:fs';
import { CipherpatchError, fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import { type ParseKeyOptions, parseKey } from '../core/keyJson.ts';

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
