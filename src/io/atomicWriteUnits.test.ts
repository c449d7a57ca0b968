/**
 * atomicWrite.ts: the temporary name, the bytes written, and every failure
 * path, the races included (node:fs is wrapped so that a test can make
 * openSync, renameSync or linkSync fail with a chosen error code, as a
 * concurrent process or a read-only disk would; this runs as root, so a
 * real EACCES cannot be provoked). Expected messages are written by hand.
 * Mutation kills (issue 25, area io) named per test as atomicWrite.ts:<line> <mutator>.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { temporaryPathFor, writeFileAtomic } from './atomicWrite.ts';
import { refusal } from '../../properties/rejection.ts';

type Hook = ((...args: unknown[]) => unknown) | undefined;
const hooks = vi.hoisted(() => ({}) as Record<string, Hook>);
const realFs = vi.hoisted(() => ({}) as { writeSync?: (fd: number, b: Uint8Array, offset: number, length: number) => number });
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const wrapped = { ...real } as Record<string, unknown>;
  realFs.writeSync = real.writeSync as (fd: number, b: Uint8Array, offset: number, length: number) => number;
  for (const name of ['openSync', 'renameSync', 'linkSync', 'writeSync']) {
    wrapped[name] = (...args: unknown[]) => (hooks[name] ?? (real as unknown as Record<string, (...a: unknown[]) => unknown>)[name])(...args);
  }
  return { ...wrapped, default: wrapped };
});

const scratch = () => fs.mkdtempSync(join(tmpdir(), 'cipherpatch-atomic-'));
const errno = (code: string, message = `${code}: failed`) => Object.assign(new Error(message), { code });

afterEach(() => {
  for (const k of Object.keys(hooks)) delete hooks[k];
  vi.useRealTimers();
});

describe('writeFileAtomic', () => {
  // Kills atomicWrite.ts:20 StringLiteral (the name's parts: dot, pid, base-36 time, .tmp, same folder).
  it('the temporary file is .NAME.PID.TIME36.tmp beside the target', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(36 ** 3 + 35); // "100z" in base 36
    expect(temporaryPathFor('/some/dir/out.json')).toBe(`/some/dir/.out.json.${process.pid}.100z.tmp`);
  });

  // Kills atomicWrite.ts:30–33 (utf-8 text, bytes as given, the write loop, the file kept), :52 (the temporary file unlinked after the link).
  it('writes text as UTF-8 and bytes as they are, leaving only the target', () => {
    const d = scratch();
    writeFileAtomic(join(d, 't.txt'), 'é€\n');
    expect(Array.from(fs.readFileSync(join(d, 't.txt')))).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x0a]);
    writeFileAtomic(join(d, 'b.bin'), Uint8Array.of(0, 255, 7));
    expect(Array.from(fs.readFileSync(join(d, 'b.bin')))).toEqual([0, 255, 7]);
    writeFileAtomic(join(d, 'empty'), '');
    expect(fs.readFileSync(join(d, 'empty')).length).toBe(0);
    expect(fs.readdirSync(d).sort()).toEqual(['b.bin', 'empty', 't.txt']);
  });

  // Kills atomicWrite.ts:32 (a short write is continued from where it stopped).
  it('continues after a short write', () => {
    const d = scratch();
    hooks.writeSync = (fd, buffer, offset, length) => realFs.writeSync!(fd as number, buffer as Uint8Array, offset as number, Math.min(2, length as number));
    writeFileAtomic(join(d, 'short'), 'abcdefg');
    expect(fs.readFileSync(join(d, 'short'), 'utf8')).toBe('abcdefg');
  });

  // Kills atomicWrite.ts:23 (overwrite === true passed to the check), :36–37 (rename when overwriting), :16 ObjectLiteral.
  it('replaces an existing file only with overwrite: true', () => {
    const d = scratch();
    const target = join(d, 'x');
    fs.writeFileSync(target, 'old');
    expect(refusal(() => writeFileAtomic(target, 'new'))).toEqual({ check: 'output.exists', message: `${target} already exists (use --force to overwrite it)` });
    expect(refusal(() => writeFileAtomic(target, 'new', { overwrite: false })).check).toBe('output.exists');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    writeFileAtomic(target, 'new', { overwrite: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.readdirSync(d)).toEqual(['x']);
  });

  // Kills atomicWrite.ts:27–28 (the open failure's check and message), :63–68 (folderProblem, each code, the default naming the folder).
  it('a folder the temporary file cannot be created in is named, never the temporary file', () => {
    const d = scratch();
    const target = join(d, 'out');
    const cases: [string, string][] = [
      ['ENOENT', `the folder ${d} does not exist`],
      ['ENOTDIR', `${d} is not a folder`],
      ['EACCES', `no permission to create files in the folder ${d}`],
      ['EPERM', `no permission to create files in the folder ${d}`],
      ['EROFS', `the folder ${d} is on a read-only file system`],
    ];
    for (const [code, why] of cases) {
      hooks.openSync = () => {
        throw errno(code);
      };
      expect(refusal(() => writeFileAtomic(target, 'x'))).toEqual({ check: 'output.unwritable', message: `cannot write ${target}: ${why}` });
    }
    hooks.openSync = (path) => {
      throw errno('EMFILE', `EMFILE: too many open files, open '${String(path)}' (again '${String(path)}')`);
    };
    expect(refusal(() => writeFileAtomic(target, 'x')).message).toBe(`cannot write ${target}: EMFILE: too many open files, open '${d}' (again '${d}')`);
    delete hooks.openSync;
    expect(fs.readdirSync(d)).toEqual([]);
  });

  // Kills atomicWrite.ts:26 StringLiteral ('wx': an existing temporary file is never written through).
  it('never opens an existing temporary file', () => {
    const d = scratch();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1000);
    const target = join(d, 'out');
    fs.writeFileSync(temporaryPathFor(target), 'someone else');
    const e = refusal(() => writeFileAtomic(target, 'mine'));
    expect(e.check).toBe('output.unwritable');
    expect(e.message.startsWith(`cannot write ${target}: EEXIST`)).toBe(true);
    expect(fs.readFileSync(temporaryPathFor(target), 'utf8')).toBe('someone else');
    expect(fs.existsSync(target)).toBe(false);
  });

  // Kills atomicWrite.ts:40–41 (EISDIR after the check is output.is-directory; any other error passes through), :55–61 (the temporary file removed).
  it('a rename that fails leaves no temporary file', () => {
    const d = scratch();
    const target = join(d, 'r');
    hooks.renameSync = () => {
      throw errno('EISDIR');
    };
    expect(refusal(() => writeFileAtomic(target, 'x', { overwrite: true }))).toEqual({ check: 'output.is-directory', message: `cannot write ${target}: it is a directory (name a file to write)` });
    const other = errno('EXDEV');
    hooks.renameSync = () => {
      throw other;
    };
    expect(() => writeFileAtomic(target, 'x', { overwrite: true })).toThrow(other);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  // Kills atomicWrite.ts:47–48 (EEXIST from the link is output.exists; any other error passes through), :55–61.
  it('a link that fails (a file appeared meanwhile) leaves no temporary file', () => {
    const d = scratch();
    const target = join(d, 'l');
    hooks.linkSync = () => {
      throw errno('EEXIST');
    };
    expect(refusal(() => writeFileAtomic(target, 'x'))).toEqual({ check: 'output.exists', message: `${target} already exists (use --force to overwrite it)` });
    const other = errno('EMLINK');
    hooks.linkSync = () => {
      throw other;
    };
    expect(() => writeFileAtomic(target, 'x')).toThrow(other);
    expect(fs.readdirSync(d)).toEqual([]);
  });
});
