/**
 * The variant registry (registry.ts) in-process, without the CLI: the
 * built-ins by name, and a user's plug-in module from a temporary folder —
 * each way it can fail to load, with its message, and the CommonJS-scope path
 * (no "type": "module" above the file) through tsx's scoped import. A fast
 * stand-in for the CLI's bad-input rows (src/cli/badInputs/fuzz.test.ts) in
 * mutation runs; each test names the Stryker mutants it was seen to kill.
 * Expected messages are the ones the module's comments and the CLI table
 * promise, written out here by hand.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import { blockRotation, blockScramble, channelShuffle, perBlockKeys } from './builtin/further.ts';
import { flip, shuffle, systemA } from './builtin/systemA.ts';
import { ffx, negpos } from './builtin/systemB.ts';
import { orthogonal } from './builtin/systemC.ts';
import { BUILTIN_NAMES, isBuiltin, loadBuiltin, loadVariant } from './registry.ts';

const ALL = 'shuffle, flip, system-a, negpos, ffx, ff1, orthogonal, channel-shuffle, block-rotation, block-scramble, per-block-keys';

const root = mkdtempSync(join(tmpdir(), 'cipherpatch-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A folder under root with these files (name → text). */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const PLUGIN = "export default { name: 'tmp-plugin', title: 't' };\n";

describe('built-ins', () => {
  // registry.ts:17–29 (each entry's name and loader), :31, :34 (Object.hasOwn → `in`/true/false).
  it('every name maps to its own variant, in the documented order', async () => {
    expect(BUILTIN_NAMES.join(', ')).toBe(ALL);
    const expected = [shuffle, flip, systemA, negpos, ffx, undefined, orthogonal, channelShuffle, blockRotation, blockScramble, perBlockKeys];
    for (const [i, name] of BUILTIN_NAMES.entries()) {
      expect(isBuiltin(name)).toBe(true);
      const v = await loadBuiltin(name);
      expect(v.name).toBe(name);
      if (expected[i] !== undefined) expect(v).toBe(expected[i]);
    }
    // Inherited properties of a plain object are not built-ins.
    expect(isBuiltin('toString')).toBe(false);
    expect(isBuiltin('constructor')).toBe(false);
    expect(isBuiltin('')).toBe(false);
  });

  // registry.ts:38 (the guard → false, the message → "").
  it('an unknown built-in name names the built-ins', async () => {
    await expect(loadBuiltin('sytem-a')).rejects.toMatchObject({ check: 'fuzz.unknown-variant', message: `no built-in variant "sytem-a" (built-ins: ${ALL})` });
    await expect(loadBuiltin('toString')).rejects.toMatchObject({ check: 'fuzz.unknown-variant' });
  });

  // registry.ts:104 (source 'builtin'), :105–106 (what looks like a path, the message).
  it('loadVariant: a built-in, or a name that is neither a built-in nor a path', async () => {
    expect(await loadVariant('flip')).toEqual({ candidate: flip, source: 'builtin' });
    await expect(loadVariant('my-variant')).rejects.toMatchObject({
      check: 'fuzz.unknown-variant',
      message: `"my-variant" is neither a built-in variant (${ALL}) nor a module path (e.g. ./my-variant.ts)`,
    });
    // Any of the extensions alone makes a path (then: not found, relative to cwd).
    for (const ext of ['ts', 'js', 'mjs', 'mts', 'cjs']) {
      await expect(loadVariant(`none.${ext}`, root)).rejects.toMatchObject({ check: 'fuzz.module-not-found', message: `no module at ${join(root, `none.${ext}`)}` });
    }
    await expect(loadVariant('none.tsx', root)).rejects.toMatchObject({ check: 'fuzz.unknown-variant' });
    await expect(loadVariant('a.json', root)).rejects.toMatchObject({ check: 'fuzz.unknown-variant' });
    await expect(loadVariant('sub\\x', root)).rejects.toMatchObject({ check: 'fuzz.module-not-found' });
    await expect(loadVariant('sub/x', root)).rejects.toMatchObject({ check: 'fuzz.module-not-found', message: `no module at ${join(root, 'sub/x')}` });
  });
});

describe('plug-in modules', () => {
  const esm = folder('esm', { 'package.json': '{"type":"module"}', 'good.ts': PLUGIN, 'good.mjs': PLUGIN, 'empty.ts': '  \n\t', 'bad.mjs': "throw new SyntaxError('unexpected end of the world');\n" });
  const cjs = folder('cjs', { 'package.json': '{"name":"x"}', 'good.ts': PLUGIN, 'broken.ts': 'export const x = ;\n', 'missing.ts': "import { a } from './nowhere.ts';\nexport default a;\n" });
  const badPkg = folder('badpkg', { 'package.json': '{not json', 'good.ts': PLUGIN });

  // registry.ts:107 (absolute paths kept, relative ones resolved against cwd), :118–123.
  it('a module in ES-module scope loads, by absolute or relative path', async () => {
    const abs = await loadVariant(join(esm, 'good.ts'), '/nowhere');
    expect(abs).toEqual({ candidate: expect.objectContaining({ name: 'tmp-plugin' }), source: join(esm, 'good.ts') });
    expect(Object.keys(abs)).toEqual(['candidate', 'source']);
    expect((await loadVariant('./esm/good.mjs', root)).source).toBe(join(esm, 'good.mjs'));
  });

  // registry.ts:115 (`text.trim() === ''` → the original text, → false; the message).
  it('an empty module (whitespace only)', async () => {
    await expect(loadVariant(join(esm, 'empty.ts'))).rejects.toMatchObject({
      check: 'fuzz.module-empty',
      message: `${join(esm, 'empty.ts')} is empty: a plug-in module exports a variant (export default { name, title, params, domain, generateKey, … }; see examples/my-variant.ts and src/variants/contract.ts)`,
    });
  });

  // registry.ts:109–113: a folder exists but cannot be read as a file.
  it('a path that cannot be read', async () => {
    await expect(loadVariant(esm)).rejects.toMatchObject({ check: 'fuzz.module-load', message: expect.stringMatching(new RegExp(`^cannot read ${esm}: .*EISDIR`)) });
  });

  // registry.ts:52–65 (commonJsScope: the nearest package.json, its "type", a broken one), :81–85 (tsx's scoped import, the unwrapping).
  it('a .ts module in CommonJS scope loads through tsx, unwrapped', async () => {
    const loaded = await loadVariant(join(cjs, 'good.ts'));
    expect(loaded.candidate).toEqual({ name: 'tmp-plugin', title: 't' });
    expect(loaded.problem).toBeUndefined();
    // A package.json that is not JSON counts as CommonJS scope: tsx (not vitest's loader) reads it, and says so.
    const file = join(badPkg, 'good.ts');
    await expect(loadVariant(file)).rejects.toMatchObject({ check: 'fuzz.module-load', message: `cannot load ${file}: Error parsing: ${join(badPkg, 'package.json')}` });
  });

  // registry.ts:91–92 (tsx's "Transform failed" text as "line L:C: …"), :81 (only CommonJS scope goes through tsx).
  it('a syntax error through tsx: "line L:C"', async () => {
    const file = join(cjs, 'broken.ts');
    const e = await asyncRejection(loadVariant(file));
    expect(e.check).toBe('fuzz.module-load');
    // `export const x = ;`: the ";" is column 17.
    expect(e.message).toBe(`${file} has a syntax error: line 1:17: Unexpected ";"`);
  });

  // registry.ts:93 (a SyntaxError, as Node's own loader throws one: its message as it is).
  it('a module that throws a SyntaxError while loading', async () => {
    const file = join(esm, 'bad.mjs');
    await expect(loadVariant(file)).rejects.toMatchObject({ check: 'fuzz.module-load', message: `${file} has a syntax error: unexpected end of the world` });
  });

  // registry.ts:94–97 (a missing import: which one, from where, and what to do).
  it('a module that imports what is not there', async () => {
    const file = join(cjs, 'missing.ts');
    const e = await asyncRejection(loadVariant(file));
    expect(e.check).toBe('fuzz.module-load');
    expect(e.message).toMatch(new RegExp(`^${file} imports \\S*nowhere\\.ts, which does not exist from ${cjs}\\. A plug-in outside the cipherpatch checkout cannot import its sources by a relative path: import only the contract's types`));
  });

  // Which loader imports a .ts plug-in, seen by module identity: the test's own import goes through vitest's loader,
  // so a plug-in imported the same way is the same object; tsx's scoped import makes a separate instance.
  // registry.ts:55–63 (commonJsScope: the nearest package.json up the folders, its "type", the root), :68 (FROM_SOURCES),
  // :81 (native import for ES-module scope and non-.ts files).
  it('a .ts plug-in in ES-module scope (package.json two folders up) is imported natively: one instance', async () => {
    const deep = folder('esm/sub/deeper', { 'deep.ts': PLUGIN });
    const file = join(deep, 'deep.ts');
    const direct = ((await import(file)) as { default: unknown }).default;
    expect((await loadVariant(file)).candidate).toBe(direct);
    const good = join(esm, 'good.ts');
    expect((await loadVariant(good)).candidate).toBe(((await import(good)) as { default: unknown }).default);
  });

  it('a .ts plug-in with no package.json up to the root, or in CommonJS scope, goes through tsx: a separate instance', async () => {
    const file = join(root, 'top.ts');
    writeFileSync(file, PLUGIN);
    const direct = ((await import(file)) as { default: unknown }).default;
    const loaded = (await loadVariant(file)).candidate;
    expect(loaded).toEqual(direct);
    expect(loaded).not.toBe(direct);
    const cjsFile = join(cjs, 'good.ts');
    expect((await loadVariant(cjsFile)).candidate).not.toBe(((await import(cjsFile)) as { default: unknown }).default);
  });

  // registry.ts:81 (`\.tsx?$` anchored: "x.ts.js" is a .js file).
  it('a non-.ts module in CommonJS scope is imported natively, whatever its name contains', async () => {
    for (const name of ['plain.ts.mjs', 'plain.ts.js']) {
      const file = join(cjs, name);
      writeFileSync(file, PLUGIN);
      expect((await loadVariant(file)).candidate).toBe(((await import(file)) as { default: unknown }).default);
    }
  });

  // registry.ts:59–61 (a package.json that is not JSON decides CommonJS scope; the search stops there, even below a "type": "module" one).
  it('an unreadable package.json under an ES-module one still means CommonJS scope (tsx, which then fails on it)', async () => {
    const dir = folder('esm/badpkg', { 'package.json': '{not json', 'p.ts': PLUGIN });
    const file = join(dir, 'p.ts');
    await expect(loadVariant(file)).rejects.toMatchObject({ check: 'fuzz.module-load', message: `cannot load ${file}: Error parsing: ${join(dir, 'package.json')}` });
  });

  // registry.ts:85 (tsx's result unwrapped only when its default is an ES module's namespace: `__esModule === true`, an object, not null).
  it('a CommonJS plug-in (module.exports) is read as it is, not unwrapped', async () => {
    writeFileSync(join(cjs, 'commonjs.ts'), "module.exports = { name: 'cjs-plugin', encrypt: 1 };\n");
    expect((await loadVariant(join(cjs, 'commonjs.ts'))).candidate).toEqual({ name: 'cjs-plugin', encrypt: 1 });
    // A function marked __esModule is not tsx's namespace object: kept wrapped, so its own default (the function) is the candidate.
    writeFileSync(join(cjs, 'fn.ts'), "module.exports = Object.assign(function plugin() {}, { __esModule: true, variant: { name: 'inner' } });\n");
    expect(typeof (await loadVariant(join(cjs, 'fn.ts'))).candidate).toBe('function');
    writeFileSync(join(cjs, 'nothing.ts'), 'module.exports = null;\n');
    const none = await loadVariant(join(cjs, 'nothing.ts'));
    expect(none.candidate).toBeNull();
  });

  // registry.ts:91–92 (the "Transform failed" text: anchored at the start, any number of errors, trimmed, each line
  // "file:L:C: ERROR: text" → "line L:C: text", joined by "; "): a module that throws such an error while loading.
  it('transform errors: every line rewritten, the count of any width, only at the start of the message', async () => {
    const tf = join(esm, 'tf.mjs');
    writeFileSync(tf, "throw new Error('Transform failed with 12 errors:\\nx.ts:3:14: ERROR: Bad thing\\ny.ts:10:2: ERROR: Other thing\\n');\n");
    await expect(loadVariant(tf)).rejects.toMatchObject({ message: `${tf} has a syntax error: line 3:14: Bad thing; line 10:2: Other thing` });
    const inner = join(esm, 'inner.mjs');
    writeFileSync(inner, "throw new Error('wrapped: Transform failed with 1 error:\\nx.ts:1:1: ERROR: no');\n");
    await expect(loadVariant(inner)).rejects.toMatchObject({ message: `cannot load ${inner}: wrapped: Transform failed with 1 error:\nx.ts:1:1: ERROR: no` });
  });

  // registry.ts:95–97 (both codes of a missing module; the name from Node's message, else its first line).
  it('missing modules, by either code, named from the message or its first line', async () => {
    const esmMissing = join(esm, 'esm-missing.mjs');
    writeFileSync(esmMissing, "throw Object.assign(new Error(\"Cannot find package 'left-pad' imported from /x\"), { code: 'ERR_MODULE_NOT_FOUND' });\n");
    await expect(loadVariant(esmMissing)).rejects.toMatchObject({ check: 'fuzz.module-load', message: expect.stringMatching(new RegExp(`^${esmMissing} imports left-pad, which does not exist from ${esm}\\. `)) });
    const odd = join(esm, 'odd-missing.mjs');
    writeFileSync(odd, "throw Object.assign(new Error('no such thing\\nsecond line'), { code: 'MODULE_NOT_FOUND' });\n");
    await expect(loadVariant(odd)).rejects.toMatchObject({ message: expect.stringMatching(new RegExp(`^${odd} imports no such thing, which does not exist from ${esm}\\. `)) });
  });
});
