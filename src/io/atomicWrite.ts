/**
 * Writing output files without ever leaving a partial one: the bytes go to a
 * temporary file beside the target, then the temporary file takes the
 * target's name in one step. Without `overwrite`, an existing target is an
 * error (checked atomically with link(2), so a race cannot clobber it). The
 * target is checked first (src/io/outputPaths.ts): its directory must exist,
 * and it must not be a directory.
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fail } from '../core/errors.ts';
import { checkOutputFile } from './outputPaths.ts';

export interface WriteOptions {
  readonly overwrite?: boolean;
}

export function temporaryPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

export function writeFileAtomic(target: string, contents: string | Uint8Array, options: WriteOptions = {}): void {
  checkOutputFile(target, options.overwrite === true);
  const tmp = temporaryPathFor(target);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (e) {
    fail('output.unwritable', `cannot write ${target}: ${folderProblem(dirname(target), e as NodeJS.ErrnoException, tmp)}`);
  }
  try {
    const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    if (options.overwrite) {
      try {
        renameSync(tmp, target);
      } catch (e) {
        // a directory took the target's name after the check
        if ((e as NodeJS.ErrnoException).code === 'EISDIR') fail('output.is-directory', `cannot write ${target}: it is a directory (name a file to write)`);
        throw e;
      }
    } else {
      try {
        linkSync(tmp, target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') fail('output.exists', `${target} already exists (use --force to overwrite it)`);
        throw e;
      }
      unlinkSync(tmp);
    }
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone (renamed or never created)
    }
    throw e;
  }
}

/** Why a file cannot be created in `folder`, naming the folder, never the temporary file. */
function folderProblem(folder: string, e: NodeJS.ErrnoException, tmp: string): string {
  if (e.code === 'ENOENT') return `the folder ${folder} does not exist`;
  if (e.code === 'ENOTDIR') return `${folder} is not a folder`;
  if (e.code === 'EACCES' || e.code === 'EPERM') return `no permission to create files in the folder ${folder}`;
  if (e.code === 'EROFS') return `the folder ${folder} is on a read-only file system`;
  return e.message.split(tmp).join(folder);
}
