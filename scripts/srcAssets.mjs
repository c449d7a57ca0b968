/**
 * The files under src/ that the package ships beside the compiled JavaScript:
 * everything that is not TypeScript (JSON vectors, .wasm, …), outside what
 * tsconfig.build.json excludes (tests and test-only helpers). `.wat` is left
 * out too: it is the source of a generated module (npm run wasm:build), not
 * read at run time. Paths are relative to src/, with '/' separators.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

const NOT_ASSETS = /\.(ts|wat)$/;

/** A tsconfig glob ("src/**\/fixtures/**", "src/**\/*.test.ts") as a regular expression over '/'-separated paths. */
function globToRegExp(glob) {
  const body = glob
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** tsconfig.build.json's "exclude" globs, read with TypeScript's own parser (the file has comments). */
export function buildExcludes(root) {
  const { config, error } = ts.readConfigFile(join(root, 'tsconfig.build.json'), ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return (config.exclude ?? []).map(globToRegExp);
}

/** Every asset under `root`/src, relative to src/, sorted. */
export function srcAssets(root) {
  const excludes = buildExcludes(root);
  const src = join(root, 'src');
  const out = [];
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || NOT_ASSETS.test(entry.name)) continue;
    const rel = relative(src, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!excludes.some((re) => re.test(`src/${rel}`))) out.push(rel);
  }
  return out.sort();
}
