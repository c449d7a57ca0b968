/**
 * Writing a directory of outputs as one step: every file goes into a
 * temporary sibling directory, which then takes the target's name. On any
 * error (or SIGINT/SIGTERM) the temporary directory is removed, so a reader
 * never sees half a report. The directory also gets a `.cipherpatch-report`
 * marker listing the files written. An existing target is an error unless
 * `overwrite`, and even then it is replaced only when `whyNotReplaceable`
 * (src/io/outputPaths.ts) allows: a previous report, never anything else.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../core/errors.ts';
import { removeOnSignal } from './cleanup.ts';
import { REPORT_MARKER, checkOutputDirectory, pathExists, reportMarkerText } from './outputPaths.ts';

export function writeDirectoryAtomic(target: string, files: ReadonlyMap<string, string | Uint8Array>, options: { overwrite?: boolean } = {}): void {
  const abs = resolve(target);
  const parent = dirname(abs);
  checkOutputDirectory(target, options.overwrite === true);
  for (const name of files.keys()) {
    if (name.includes('..') || name.startsWith('/') || name === REPORT_MARKER) throw new Error(`bad output file name ${name}`);
  }
  let tmp: string;
  try {
    // mkdirSync, not mkdtempSync: mkdtemp makes the folder 0700, which the report would keep; this one gets the usual mode (umask).
    tmp = join(parent, `.${basename(abs)}.tmp-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(tmp);
  } catch (e) {
    fail('output.unwritable', `cannot write ${target}: ${(e as Error).message}`);
  }
  const release = removeOnSignal(tmp);
  try {
    for (const [name, contents] of files) {
      mkdirSync(dirname(join(tmp, name)), { recursive: true });
      writeFileSync(join(tmp, name), contents);
    }
    writeFileSync(join(tmp, REPORT_MARKER), reportMarkerText(files.keys()));
    if (pathExists(abs)) {
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
  } finally {
    release();
  }
}
