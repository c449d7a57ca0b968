/**
 * The built-in variants by name, and loading a user's plug-in module.
 * `ff1` needs @noble/ciphers and is loaded on demand.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail } from '../core/errors.ts';
import { loadFf1 } from './builtin/ff1.ts';
import { blockRotation, blockScramble, channelShuffle, perBlockKeys } from './builtin/further.ts';
import { flip, shuffle, systemA } from './builtin/systemA.ts';
import { ffx, negpos } from './builtin/systemB.ts';
import { orthogonal } from './builtin/systemC.ts';
import type { Variant } from './contract.ts';
import { describeError, variantFromModule } from './validate.ts';

const BUILTINS: Record<string, () => Variant<unknown> | Promise<Variant<unknown>>> = {
  shuffle: () => shuffle,
  flip: () => flip,
  'system-a': () => systemA,
  negpos: () => negpos,
  ffx: () => ffx,
  ff1: loadFf1,
  orthogonal: () => orthogonal,
  'channel-shuffle': () => channelShuffle,
  'block-rotation': () => blockRotation,
  'block-scramble': () => blockScramble,
  'per-block-keys': () => perBlockKeys,
};

export const BUILTIN_NAMES: readonly string[] = Object.keys(BUILTINS);

export function isBuiltin(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}

export async function loadBuiltin(name: string): Promise<Variant<unknown>> {
  if (!isBuiltin(name)) fail('fuzz.unknown-variant', `no built-in variant "${name}" (built-ins: ${BUILTIN_NAMES.join(', ')})`);
  return BUILTINS[name]();
}

export interface Loaded {
  /** What to validate: the module's variant object (unchecked). */
  readonly candidate: unknown;
  /** "builtin" or the module's absolute path. */
  readonly source: string;
  /** A problem finding the export, reported like a contract violation. */
  readonly problem?: { readonly check: string; readonly message: string };
}

/** A built-in name, or a path to a module (.ts through tsx, .js, .mjs) exporting a variant. */
export async function loadVariant(spec: string, cwd = process.cwd()): Promise<Loaded> {
  if (isBuiltin(spec)) return { candidate: await loadBuiltin(spec), source: 'builtin' };
  const looksLikePath = /[\\/]/.test(spec) || /\.(m?[jt]s|cjs)$/.test(spec);
  if (!looksLikePath) fail('fuzz.unknown-variant', `"${spec}" is neither a built-in variant (${BUILTIN_NAMES.join(', ')}) nor a module path (e.g. ./my-variant.ts)`);
  const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
  if (!existsSync(file)) fail('fuzz.module-not-found', `no module at ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    fail('fuzz.module-load', `cannot load ${file}: ${describeError(e)}`);
  }
  const picked = variantFromModule(mod);
  return { candidate: picked.candidate, source: file, ...(picked.problem ? { problem: picked.problem } : {}) };
}
