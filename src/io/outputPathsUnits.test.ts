/**
 * outputPaths.ts: the whole text of every reason and refusal, the marker's
 * checks one by one, the list of foreign files (sorted, at most five shown),
 * and checkOutputs. Expected texts are written by hand. Mutation kills
 * (issue 25, area io) named per test as outputPaths.ts:<line> <mutator>.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_MARKER, checkOutputDirectory, checkOutputFile, checkOutputs, reportMarkerText, whyNotReplaceable } from './outputPaths.ts';
import { refusal } from '../../properties/rejection.ts';

const root = mkdtempSync(join(tmpdir(), 'cipherpatch-outputs-units-'));
let n = 0;
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
