/** The one rule of what --force may replace, and the output pre-flight checks (the CLI rows are in src/cli/badInputs/). */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { writeDirectoryAtomic } from './atomicDir.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { REPORT_MARKER, checkOutputDirectory, checkOutputFile, checkOutputs, reportMarkerText, whyNotReplaceable } from './outputPaths.ts';
import { refusal } from '../../properties/rejection.ts';

const root = mkdtempSync(join(tmpdir(), 'cipherpatch-outputs-'));
let n = 0;
/** A fresh directory holding `files` (relative path → contents). */
function dir(files: Record<string, string> = {}): string {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(d, rel, '..'), { recursive: true });
    writeFileSync(join(d, rel), text);
  }
  return d;
}
const elsewhere = { cwd: tmpdir(), home: '/nonexistent-home' };

function check(f: () => void): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CipherpatchError) return e.check;
    throw e;
  }
  return 'ok';
}

describe('whyNotReplaceable', () => {
  it('a missing path and an empty directory may be replaced', () => {
    expect(whyNotReplaceable(join(root, 'absent'), elsewhere)).toBeUndefined();
    expect(whyNotReplaceable(dir(), elsewhere)).toBeUndefined();
  });

  it('a directory whose files its marker lists may be replaced, subdirectories included', () => {
    const d = dir({ 'a.md': '', 'plots/b.svg': '', [REPORT_MARKER]: reportMarkerText(['a.md', 'plots/b.svg']) });
    expect(whyNotReplaceable(d, elsewhere)).toBeUndefined();
  });

  it('one file the marker does not list makes it foreign; so does a missing or corrupt marker', () => {
    expect(whyNotReplaceable(dir({ 'a.md': '', 'notes.txt': '', [REPORT_MARKER]: reportMarkerText(['a.md']) }), elsewhere)).toMatch(/notes\.txt, which its \.cipherpatch-report marker does not list/);
    expect(whyNotReplaceable(dir({ 'a.md': '' }), elsewhere)).toMatch(/a\.md, and no \.cipherpatch-report marker/);
    expect(whyNotReplaceable(dir({ 'a.md': '', [REPORT_MARKER]: '{"files": "a.md"}' }), elsewhere)).toMatch(/no \.cipherpatch-report marker/);
  });

  it('accept names a command\'s own files', () => {
    expect(whyNotReplaceable(dir({ 'test_batch.bin': '' }), { ...elsewhere, accept: (f) => f.endsWith('.bin') })).toBeUndefined();
    expect(whyNotReplaceable(dir({ 'test_batch.bin': '', 'x.txt': '' }), { ...elsewhere, accept: (f) => f.endsWith('.bin') })).toMatch(/x\.txt/);
  });

  it('never /, the home directory, the working directory or a directory above it, even empty', () => {
    expect(whyNotReplaceable('/', elsewhere)).toMatch(/root directory/);
    const home = dir();
    expect(whyNotReplaceable(home, { cwd: tmpdir(), home })).toMatch(/home directory/);
    const cwd = dir();
    expect(whyNotReplaceable(cwd, { cwd, home: '/nonexistent-home' })).toMatch(/working directory/);
    const above = dir();
    mkdirSync(join(above, 'x', 'y'), { recursive: true });
    expect(whyNotReplaceable(above, { cwd: join(above, 'x', 'y'), home: '/nonexistent-home' })).toMatch(/holds the working directory/);
    // reached through a symbolic link, too
    const link = join(root, `link${n++}`);
    symlinkSync(above, link);
    expect(whyNotReplaceable(join(link, 'x'), { cwd: join(above, 'x', 'y'), home: '/nonexistent-home' })).toMatch(/holds the working directory/);
  });

  it('never a file or a symbolic link', () => {
    const d = dir({ f: 'x' });
    expect(whyNotReplaceable(join(d, 'f'), elsewhere)).toMatch(/is a file/);
    symlinkSync(dir(), join(d, 'l'));
    expect(whyNotReplaceable(join(d, 'l'), elsewhere)).toMatch(/symbolic link/);
  });
});

describe('pre-flight checks', () => {
  it('files: the directory must exist, a directory is never the target, an existing file needs force', () => {
    const d = dir({ f: 'x', 'sub/g': 'y' });
    expect(check(() => checkOutputFile(join(d, 'new'), false))).toBe('ok');
    expect(check(() => checkOutputFile(join(d, 'f'), false))).toBe('output.exists');
    expect(check(() => checkOutputFile(join(d, 'f'), true))).toBe('ok');
    expect(check(() => checkOutputFile(join(d, 'sub'), true))).toBe('output.is-directory');
    expect(check(() => checkOutputFile(join(d, 'missing', 'f'), true))).toBe('output.unwritable');
    expect(check(() => checkOutputFile(join(d, 'f', 'g'), true))).toBe('output.unwritable');
  });

  it('directories: a foreign one is refused with or without force; a previous report needs force', () => {
    const d = dir({ 'foreign/a.txt': 'x', 'report/r.md': '', [`report/${REPORT_MARKER}`]: reportMarkerText(['r.md']) });
    expect(check(() => checkOutputDirectory(join(d, 'foreign'), false))).toBe('output.not-replaceable');
    expect(check(() => checkOutputDirectory(join(d, 'foreign'), true))).toBe('output.not-replaceable');
    expect(check(() => checkOutputDirectory(join(d, 'report'), false))).toBe('output.exists');
    expect(check(() => checkOutputDirectory(join(d, 'report'), true))).toBe('ok');
    expect(check(() => checkOutputDirectory(join(d, 'new'), false))).toBe('ok');
    expect(check(() => checkOutputDirectory(join(d, 'no', 'new'), false))).toBe('output.unwritable');
  });

  it('writeFileAtomic refuses a directory target with a CipherpatchError, not EISDIR', () => {
    const d = dir({ 'sub/keep': 'x' });
    expect(check(() => writeFileAtomic(join(d, 'sub'), 'text', { overwrite: true }))).toBe('output.is-directory');
  });

  it('writeDirectoryAtomic writes the marker, and may then replace its own output', () => {
    const d = join(dir(), 'report');
    writeDirectoryAtomic(d, new Map([['a.md', 'one']]));
    expect(whyNotReplaceable(d, elsewhere)).toBeUndefined();
    writeDirectoryAtomic(d, new Map([['b.md', 'two']]), { overwrite: true });
    writeFileSync(join(d, 'mine.txt'), 'added by hand');
    expect(check(() => writeDirectoryAtomic(d, new Map([['c.md', 'three']]), { overwrite: true }))).toBe('output.not-replaceable');
  });
});

// Issue 25, area io: the whole text of every reason and refusal, the marker's checks one by one, the
// foreign-file list (sorted, at most five shown) and checkOutputs; mutation kills named per test.
describe('the marker', () => {
  // Kills outputPaths.ts:41–42 (the note, the sorted list).
  it('is JSON with the format, version, note and the sorted file list', () => {
    expect(JSON.parse(reportMarkerText(['b.md', 'a.md', 'plots/c.svg']))).toEqual({
      format: 'cipherpatch-report-marker',
      version: 1,
      note: 'cipherpatch wrote this directory. `--force` may replace it as long as it holds only the files listed here.',
      files: ['a.md', 'b.md', 'plots/c.svg'],
    });
    expect(reportMarkerText([]).endsWith('}\n')).toBe(true);
  });

  // Kills outputPaths.ts:51 (each of the marker's conditions alone: the format, an array, strings only).
  it('counts only with the right format and an array of strings', () => {
    const one = (marker: object) => whyNotReplaceable(dir({ 'a.md': '', [REPORT_MARKER]: JSON.stringify(marker) }), elsewhere);
    const noMarker = 'it holds a.md, and no .cipherpatch-report marker says cipherpatch wrote it';
    expect(one({ format: 'cipherpatch-report-marker', files: ['a.md'] })).toBeUndefined();
    expect(one({ format: 'other', files: ['a.md'] })).toBe(noMarker);
    expect(one({ format: 'cipherpatch-report-marker', files: 'a.md' })).toBe(noMarker);
    expect(one({ format: 'cipherpatch-report-marker', files: ['a.md', 5] })).toBe(noMarker);
  });
});

describe('whyNotReplaceable: the whole reason', () => {
  // Kills outputPaths.ts:61 (the files sorted), :115 (at most five shown, then the count), :117 (which text, "it" or "them").
  it('names the foreign files, sorted, five at most', () => {
    const names = ['e.txt', 'c.txt', 'a.txt', 'f.txt', 'b.txt', 'd.txt'];
    expect(whyNotReplaceable(dir(Object.fromEntries(names.map((f) => [f, '']))), elsewhere)).toBe('it holds a.txt, b.txt, c.txt, d.txt, e.txt, … (6 in all), and no .cipherpatch-report marker says cipherpatch wrote them');
    expect(whyNotReplaceable(dir(Object.fromEntries(names.slice(0, 5).map((f) => [f, '']))), elsewhere)).toBe('it holds a.txt, b.txt, c.txt, e.txt, f.txt, and no .cipherpatch-report marker says cipherpatch wrote them');
    expect(whyNotReplaceable(dir({ 'z/y.txt': '', 'x.txt': '' }), elsewhere)).toBe('it holds x.txt, z/y.txt, and no .cipherpatch-report marker says cipherpatch wrote them');
    expect(whyNotReplaceable(dir({ 'a.md': '', 'n.txt': '', 'm.txt': '', [REPORT_MARKER]: reportMarkerText(['a.md']) }), elsewhere)).toBe('it holds m.txt, n.txt, which its .cipherpatch-report marker does not list (files added after cipherpatch wrote it)');
  });

  // Kills outputPaths.ts:81 (a path that does not exist resolves to itself), :110 (the working directory itself, not "holds").
  it('the working directory, and a working directory that does not exist', () => {
    const cwd = dir();
    expect(whyNotReplaceable(cwd, { cwd, home: '/nonexistent-home' })).toBe('it is the working directory');
    expect(whyNotReplaceable(dir(), { cwd: '/nonexistent-cwd/x', home: '/nonexistent-home' })).toBeUndefined();
    expect(whyNotReplaceable('/', elsewhere)).toBe('it is the root directory');
  });
});

describe('the pre-flight checks: the whole message', () => {
  // Kills outputPaths.ts:133–134, :146–147, :155–156 (every refusal's text).
  it('files and directories', () => {
    const d = dir({ f: 'x', sub: '', 'keep/k': '' });
    const missing = join(d, 'no', 'out');
    expect(refusal(() => checkOutputFile(missing, true))).toEqual({ check: 'output.unwritable', message: `cannot write ${missing}: the folder ${join(d, 'no')} does not exist` });
    const under = join(d, 'f', 'out');
    expect(refusal(() => checkOutputFile(under, true))).toEqual({ check: 'output.unwritable', message: `cannot write ${under}: ${join(d, 'f')} is not a directory` });
    expect(refusal(() => checkOutputFile(join(d, 'keep'), true))).toEqual({ check: 'output.is-directory', message: `cannot write ${join(d, 'keep')}: it is a directory (name a file to write)` });
    expect(refusal(() => checkOutputFile(join(d, 'f'), false))).toEqual({ check: 'output.exists', message: `${join(d, 'f')} already exists (use --force to overwrite it)` });
    expect(refusal(() => checkOutputDirectory(join(d, 'keep'), true))).toEqual({
      check: 'output.not-replaceable',
      message: `${join(d, 'keep')} exists and cipherpatch will not replace it: it holds k, and no .cipherpatch-report marker says cipherpatch wrote it. Choose another output directory`,
    });
    const report = dir({ 'r.md': '', [REPORT_MARKER]: reportMarkerText(['r.md']) });
    expect(refusal(() => checkOutputDirectory(report, false))).toEqual({ check: 'output.exists', message: `${report} already exists (use --force to replace it)` });
  });

  // Kills outputPaths.ts:170–173 (checkOutputs: files and directories, force and accept passed on).
  it('checkOutputs checks each output by its kind, with its force and accept', () => {
    const d = dir({ f: 'x', 'data/a.bin': '' });
    const file = join(d, 'f');
    const data = join(d, 'data');
    expect(() => checkOutputs([])).not.toThrow();
    expect(() => checkOutputs([{ path: file, kind: 'file', force: true }])).not.toThrow();
    expect(refusal(() => checkOutputs([{ path: file, kind: 'file', force: false }])).check).toBe('output.exists');
    expect(refusal(() => checkOutputs([{ path: d, kind: 'file', force: true }])).check).toBe('output.is-directory');
    expect(refusal(() => checkOutputs([{ path: data, kind: 'directory', force: true }])).check).toBe('output.not-replaceable');
    expect(() => checkOutputs([{ path: data, kind: 'directory', force: true, accept: (f) => f.endsWith('.bin') }])).not.toThrow();
    expect(refusal(() => checkOutputs([{ path: data, kind: 'directory', force: false, accept: (f) => f.endsWith('.bin') }])).check).toBe('output.exists');
    expect(refusal(() => checkOutputs([{ path: file, kind: 'file', force: true }, { path: file, kind: 'directory', force: true }])).check).toBe('output.not-replaceable');
  });
});
