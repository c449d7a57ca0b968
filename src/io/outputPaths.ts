/**
 * Where a command may write, decided before it does any work.
 *
 * Files: the parent directory must exist; an existing file is replaced only
 * with --force; a directory is never a file's target.
 *
 * Directories (reports, the CIFAR-10 folder): the one rule of what --force
 * may replace, `whyNotReplaceable`. A directory may be replaced only when
 * everything in it is something cipherpatch wrote there and can write again:
 *
 *   - never `/`, the home directory, the working directory or any directory
 *     above it (whatever it holds);
 *   - never a file or a symbolic link;
 *   - an empty directory, or one whose every file is listed in its
 *     `.cipherpatch-report` marker (every report directory writes one, with
 *     the names of the files it wrote); a single file the marker does not
 *     list (notes added by hand, a stray download) makes it foreign;
 *   - a command may name further files it recognises as its own output
 *     (`accept`): `data fetch` names the official CIFAR-10 files.
 */
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fail } from '../core/errors.ts';

/** The marker file every report directory holds: which files the report wrote. */
export const REPORT_MARKER = '.cipherpatch-report';

export interface ReportMarker {
  readonly format: 'cipherpatch-report-marker';
  readonly version: 1;
  readonly note: string;
  /** The files the report wrote, relative to its directory. */
  readonly files: readonly string[];
}

export function reportMarkerText(files: Iterable<string>): string {
  const marker: ReportMarker = {
    format: 'cipherpatch-report-marker',
    version: 1,
    note: 'cipherpatch wrote this directory. `--force` may replace it as long as it holds only the files listed here.',
    files: [...files].sort(),
  };
  return `${JSON.stringify(marker, null, 2)}\n`;
}

/** The files a directory's marker lists, or undefined when it has no readable marker. */
function markerFiles(dir: string): Set<string> | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, REPORT_MARKER), 'utf8')) as Partial<ReportMarker>;
    if (parsed.format !== 'cipherpatch-report-marker' || !Array.isArray(parsed.files) || !parsed.files.every((f) => typeof f === 'string')) return undefined;
    return new Set(parsed.files);
  } catch {
    return undefined;
  }
}

/** Every file under `dir`, relative, with "/" separators (symbolic links count as files). */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory() && !st.isSymbolicLink()) out.push(...filesUnder(path, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

export interface ReplaceRule {
  /** Files (relative paths) the command recognises as its own output without a marker. */
  readonly accept?: (relativePath: string) => boolean;
  /** The working directory and the home directory (defaults: the process's); tests inject them. */
  readonly cwd?: string;
  readonly home?: string;
}

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/** Whether `ancestor` is `path` or a directory above it. */
function contains(ancestor: string, path: string): boolean {
  const rel = relative(ancestor, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Why an existing `dir` must not be replaced, or undefined when it may be
 * (see the module comment). A path that does not exist may always be created.
 */
export function whyNotReplaceable(dir: string, rule: ReplaceRule = {}): string | undefined {
  const abs = resolve(dir);
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isDirectory()) return 'it is a file, not a directory cipherpatch wrote';
  const target = real(abs);
  if (dirname(target) === target) return 'it is the root directory';
  if (target === real(rule.home ?? homedir())) return 'it is the home directory';
  const cwd = real(rule.cwd ?? process.cwd());
  if (target === cwd) return 'it is the working directory';
  if (contains(target, cwd)) return `it holds the working directory (${cwd})`;
  const listed = markerFiles(abs);
  const foreign = filesUnder(abs).filter((f) => f !== REPORT_MARKER && !listed?.has(f) && !rule.accept?.(f));
  if (foreign.length === 0) return undefined;
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  return listed === undefined
    ? `it holds ${shown}, and no ${REPORT_MARKER} marker says cipherpatch wrote ${foreign.length === 1 ? 'it' : 'them'}`
    : `it holds ${shown}, which its ${REPORT_MARKER} marker does not list (files added after cipherpatch wrote it)`;
}

export interface OutputPath {
  readonly path: string;
  /** 'file': one file written atomically; 'directory': a directory written (and replaced) as a whole. */
  readonly kind: 'file' | 'directory';
  /** --force: replace what is there (a directory only as `whyNotReplaceable` allows). */
  readonly force: boolean;
  /** For a directory: files the command recognises as its own (see ReplaceRule). */
  readonly accept?: (relativePath: string) => boolean;
}

function checkParent(path: string): void {
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) fail('output.unwritable', `cannot write ${path}: the folder ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) fail('output.unwritable', `cannot write ${path}: ${parent} is not a directory`);
}

/** A file output: its directory exists, it is not a directory, and it exists only with --force. */
export function checkOutputFile(path: string, force: boolean): void {
  checkParent(path);
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) fail('output.is-directory', `cannot write ${path}: it is a directory (name a file to write)`);
  if (!force) fail('output.exists', `${path} already exists (use --force to overwrite it)`);
}

/** A directory output: its parent exists; an existing one only with --force, and only as `whyNotReplaceable` allows. */
export function checkOutputDirectory(path: string, force: boolean, rule: ReplaceRule = {}): void {
  checkParent(path);
  if (!pathExists(path)) return;
  const why = whyNotReplaceable(path, rule);
  if (why !== undefined) fail('output.not-replaceable', `${path} exists and cipherpatch will not replace it: ${why}. Choose another output directory`);
  if (!force) fail('output.exists', `${path} already exists (use --force to replace it)`);
}

/** Whether anything is at `path`, a dangling symbolic link too (existsSync follows links). */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The pre-flight check of a command: every output path, before any work. */
export function checkOutputs(outputs: readonly OutputPath[]): void {
  for (const o of outputs) {
    if (o.kind === 'file') checkOutputFile(o.path, o.force);
    else checkOutputDirectory(o.path, o.force, { accept: o.accept });
  }
}
