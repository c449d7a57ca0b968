/** The one rule of what --force may replace, and the output pre-flight checks (the CLI rows are in src/cli/badInputs/). */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { writeDirectoryAtomic } from './atomicDir.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import { REPORT_MARKER, checkOutputDirectory, checkOutputFile, reportMarkerText, whyNotReplaceable } from './outputPaths.ts';

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
