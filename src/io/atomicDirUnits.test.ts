/**
 * atomicDir.ts: the names refused, the temporary folder's name, the marker,
 * replacing a previous report, and the clean-up on every failure. node:fs is
 * wrapped so that a test can watch or fail mkdirSync, renameSync and
 * writeFileSync. Expected texts are written by hand. Mutation kills
 * (issue 25, area io) named per test as atomicDir.ts:<line> <mutator>.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { writeDirectoryAtomic } from './atomicDir.ts';

type Hook = ((...args: unknown[]) => unknown) | undefined;
const hooks = vi.hoisted(() => ({}) as Record<string, Hook>);
const realFs = vi.hoisted(() => ({}) as Record<string, (...args: unknown[]) => unknown>);
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const wrapped = { ...real } as Record<string, unknown>;
  for (const name of ['mkdirSync', 'renameSync', 'writeFileSync', 'rmSync']) {
    realFs[name] = (real as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    wrapped[name] = (...args: unknown[]) => (hooks[name] ?? realFs[name])(...args);
  }
  return { ...wrapped, default: wrapped };
});

const scratch = () => fs.mkdtempSync(join(tmpdir(), 'cipherpatch-atomicdir-'));
const listeners = () => ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
const marker = (files: string[]) =>
  `{\n  "format": "cipherpatch-report-marker",\n  "version": 1,\n  "note": "cipherpatch wrote this directory. \`--force\` may replace it as long as it holds only the files listed here.",\n  "files": [\n${files.map((f) => `    "${f}"`).join(',\n')}\n  ]\n}\n`;

afterEach(() => {
  for (const k of Object.keys(hooks)) delete hooks[k];
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('writeDirectoryAtomic', () => {
  // Kills atomicDir.ts:18 each condition of the name check and its message (before anything is created).
  it('refuses names that climb out, are absolute, or are the marker, before creating anything', () => {
    const d = scratch();
    for (const name of ['../x', 'a/../b', 'a..b', '/abs', '.cipherpatch-report']) {
      expect(() => writeDirectoryAtomic(join(d, 'r'), new Map([['ok.md', 'x'], [name, 'y']]))).toThrow(new Error(`bad output file name ${name}`));
    }
    expect(fs.readdirSync(d)).toEqual([]);
  });

  // Kills atomicDir.ts:27–28 (the temporary name), :38–45 (rename of the old one to TMP-old, then removal).
  it('builds in .NAME.tmp-PID-TIME36RANDOM and swaps a previous report out through TMP-old', () => {
    const d = scratch();
    const target = join(d, 'report');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(36 ** 3 + 35); // "100z"
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // (0.5).toString(36) = "0.i"
    const made: string[] = [];
    hooks.mkdirSync = (path, options) => {
      made.push(String(path));
      return realFs.mkdirSync(path, options);
    };
    writeDirectoryAtomic(target, new Map([['a.md', 'one']]));
    const tmp = join(d, `.report.tmp-${process.pid}-100zi`);
    expect(made).toEqual([tmp, tmp]);
    const renames: string[][] = [];
    hooks.renameSync = (from, to) => {
      renames.push([String(from), String(to)]);
      return realFs.renameSync(from, to);
    };
    writeDirectoryAtomic(target, new Map([['b.md', 'two']]), { overwrite: true });
    expect(renames).toEqual([[target, `${tmp}-old`], [tmp, target]]);
    expect(fs.readdirSync(d)).toEqual(['report']);
    expect(fs.readdirSync(target).sort()).toEqual(['.cipherpatch-report', 'b.md']);
  });

  // Kills atomicDir.ts:32–37 (files written, nested folders made, the marker's exact text), :41–47 (a new target renamed into place).
  it('writes every file, nested ones too, and the marker listing them', () => {
    const d = scratch();
    const target = join(d, 'out');
    writeDirectoryAtomic(target, new Map<string, string | Uint8Array>([['z.txt', 'zz'], ['sub/deep/x.bin', Uint8Array.of(1, 2, 3)]]));
    expect(fs.readFileSync(join(target, 'z.txt'), 'utf8')).toBe('zz');
    expect(Array.from(fs.readFileSync(join(target, 'sub/deep/x.bin')))).toEqual([1, 2, 3]);
    expect(fs.readFileSync(join(target, '.cipherpatch-report'), 'utf8')).toBe(marker(['sub/deep/x.bin', 'z.txt']));
    expect(fs.readdirSync(d)).toEqual(['out']);
  });

  // Kills atomicDir.ts:16 ObjectLiteral / :20 (overwrite === true), :38 ConditionalExpression (an existing target must be moved aside).
  it('an existing report is replaced only with overwrite: true, and then wholly', () => {
    const d = scratch();
    const target = join(d, 'rep');
    writeDirectoryAtomic(target, new Map([['old.md', 'old']]));
    expect(() => writeDirectoryAtomic(target, new Map([['new.md', 'new']]))).toThrow(expect.objectContaining({ check: 'output.exists' }));
    expect(() => writeDirectoryAtomic(target, new Map([['new.md', 'new']]), { overwrite: false })).toThrow(expect.objectContaining({ check: 'output.exists' }));
    writeDirectoryAtomic(target, new Map([['new.md', 'new']]), { overwrite: true });
    expect(fs.readdirSync(target).sort()).toEqual(['.cipherpatch-report', 'new.md']);
    expect(fs.readdirSync(d)).toEqual(['rep']);
  });

  // Kills atomicDir.ts:29–31 (a temporary folder that cannot be made: output.unwritable naming the target).
  it('a temporary folder that cannot be made is output.unwritable', () => {
    const d = scratch();
    const target = join(d, 'r');
    hooks.mkdirSync = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    let error: unknown;
    try {
      writeDirectoryAtomic(target, new Map([['a', 'x']]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CipherpatchError);
    expect({ check: (error as CipherpatchError).check, message: (error as Error).message }).toEqual({ check: 'output.unwritable', message: `cannot write ${target}: ENOSPC: no space left on device` });
  });

  // Kills atomicDir.ts:32 (removeOnSignal registered while writing), :48–53 (the folder removed on failure, the error passed on, the handler released).
  it('while writing, a signal would remove the folder; a failure removes it and passes the error on', () => {
    const d = scratch();
    const before = listeners();
    const during: number[][] = [];
    hooks.writeFileSync = (...args) => {
      during.push(listeners());
      return realFs.writeFileSync(...args);
    };
    writeDirectoryAtomic(join(d, 'ok'), new Map([['a', 'x']]));
    expect(during).toEqual([before.map((n) => n + 1), before.map((n) => n + 1)]);
    expect(listeners()).toEqual(before);
    delete hooks.writeFileSync;
    // 'a' is written as a file, then 'a/b' needs 'a' to be a folder.
    expect(() => writeDirectoryAtomic(join(d, 'bad'), new Map([['a', 'x'], ['a/b', 'y']]))).toThrow(/EEXIST|ENOTDIR/);
    expect(fs.readdirSync(d)).toEqual(['ok']);
    expect(listeners()).toEqual(before);
    const boom = new Error('disk gone');
    hooks.renameSync = () => {
      throw boom;
    };
    expect(() => writeDirectoryAtomic(join(d, 'ok'), new Map([['a', 'x']]), { overwrite: true })).toThrow(boom);
    expect(fs.readdirSync(d)).toEqual(['ok']);
    expect(listeners()).toEqual(before);
  });

  // Kills atomicDir.ts:47 BooleanLiteral (force: the temporary folder may already be gone when the error comes, e.g. after it was renamed into place).
  it('an error after the swap passes on, not a clean-up error', () => {
    const d = scratch();
    const target = join(d, 'rep');
    writeDirectoryAtomic(target, new Map([['a', 'x']]));
    const boom = new Error('cannot remove the old report');
    hooks.rmSync = (path, options) => {
      if (String(path).endsWith('-old')) throw boom;
      return realFs.rmSync(path, options);
    };
    expect(() => writeDirectoryAtomic(target, new Map([['b', 'y']]), { overwrite: true })).toThrow(boom);
    expect(fs.readdirSync(target).sort()).toEqual(['.cipherpatch-report', 'b']);
  });
});
