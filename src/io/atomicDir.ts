/**
 * Writing a directory of outputs as one step: every file goes into a
 * temporary sibling directory, which then takes the target's name. On any
 * error the temporary directory is removed, so a reader never sees half a
 * report. An existing target is an error unless `overwrite`.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../core/errors.ts';

export function writeDirectoryAtomic(target: string, files: ReadonlyMap<string, string | Uint8Array>, options: { overwrite?: boolean } = {}): void {
  const abs = resolve(target);
  const parent = dirname(abs);
  if (!existsSync(parent)) fail('output.unwritable', `cannot write ${target}: ${parent} does not exist`);
  if (existsSync(abs) && !options.overwrite) fail('output.exists', `${target} already exists (use --force to replace it)`);
  let tmp: string;
  try {
    // mkdirSync, not mkdtempSync: mkdtemp makes the folder 0700, which the report would keep; this one gets the usual mode (umask).
    tmp = join(parent, `.${basename(abs)}.tmp-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(tmp);
  } catch (e) {
    fail('output.unwritable', `cannot write ${target}: ${(e as Error).message}`);
  }
  try {
    for (const [name, contents] of files) {
      if (name.includes('..') || name.startsWith('/')) throw new Error(`bad output file name ${name}`);
      mkdirSync(dirname(join(tmp, name)), { recursive: true });
      writeFileSync(join(tmp, name), contents);
    }
    if (existsSync(abs)) {
      const old = `${tmp}-old`;
      renameSync(abs, old);
      renameSync(tmp, abs);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, abs);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
