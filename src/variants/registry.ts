/**
 * The built-in variants by name, and loading a user's plug-in module.
 * `ff1` needs @noble/ciphers and is loaded on demand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

/** Whether Node (and tsx) read `file` as CommonJS: a .ts or .js file whose nearest package.json does not say "type": "module". */
function commonJsScope(file: string): boolean {
  if (!/\.[jt]sx?$/.test(file)) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (dirname(dir) === dir) return true;
  }
}

/** Whether cipherpatch runs from its TypeScript sources (tsx or vitest load .ts files), not from the compiled dist/. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * Imports a plug-in module. A .ts file goes through tsx's own scoped import
 * when cipherpatch runs compiled (no TypeScript loader is registered then),
 * and when it is in CommonJS scope (no "type": "module" package above it,
 * e.g. in /tmp): through the global hooks Node would run it as CommonJS
 * inside an ES module graph and fail ("Cannot require() ES Module … in a
 * cycle"). Its module then arrives CommonJS-wrapped, and the ES module
 * inside is unwrapped.
 */
async function importPlugin(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!/\.tsx?$/.test(file) || (FROM_SOURCES && !commonJsScope(file))) return (await import(url)) as Record<string, unknown>;
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  const inner = mod.default as Record<string, unknown> | undefined;
  return typeof inner === 'object' && inner !== null && inner.__esModule === true ? inner : mod;
}

/** Why a plug-in did not load, in words that say what to do. */
function loadProblem(file: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const syntax = /^Transform failed with \d+ errors?:\n([\s\S]*)$/.exec(message);
  if (syntax) return `${file} has a syntax error: ${syntax[1].trim().split('\n').map((l) => l.replace(/^.*?:(\d+:\d+): ERROR: /, 'line $1: ')).join('; ')}`;
  if (e instanceof SyntaxError) return `${file} has a syntax error: ${message}`;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1] ?? message.split('\n')[0];
    return `${file} imports ${missing}, which does not exist from ${dirname(file)}. A plug-in outside the cipherpatch checkout cannot import its sources by a relative path: import only the contract's types (\`import type { Variant } from '…/src/variants/contract.ts'\`, erased when the plug-in loads), as examples/my-variant.ts does, or import them by an absolute path`;
  }
  return `cannot load ${file}: ${describeError(e)}`;
}

/** A built-in name, or a path to a module (.ts through tsx, .js, .mjs) exporting a variant. */
export async function loadVariant(spec: string, cwd = process.cwd()): Promise<Loaded> {
  if (isBuiltin(spec)) return { candidate: await loadBuiltin(spec), source: 'builtin' };
  const looksLikePath = /[\\/]/.test(spec) || /\.(m?[jt]s|cjs)$/.test(spec);
  if (!looksLikePath) fail('fuzz.unknown-variant', `"${spec}" is neither a built-in variant (${BUILTIN_NAMES.join(', ')}) nor a module path (e.g. ./my-variant.ts)`);
  const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
  if (!existsSync(file)) fail('fuzz.module-not-found', `no module at ${file}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail('fuzz.module-load', `cannot read ${file}: ${describeError(e)}`);
  }
  if (text.trim() === '') fail('fuzz.module-empty', `${file} is empty: a plug-in module exports a variant (export default { name, title, params, domain, generateKey, … }; see examples/my-variant.ts and src/variants/contract.ts)`);
  let mod: Record<string, unknown>;
  try {
    mod = await importPlugin(file);
  } catch (e) {
    fail('fuzz.module-load', loadProblem(file, e));
  }
  const picked = variantFromModule(mod);
  return { candidate: picked.candidate, source: file, ...(picked.problem ? { problem: picked.problem } : {}) };
}
