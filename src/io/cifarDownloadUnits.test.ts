/**
 * download() and extract() (src/io/cifarDownload.ts) in milliseconds: the
 * global fetch is replaced by a stand-in that answers from memory (issue 25's
 * mutation runs; src/io/cifarFetch.test.ts reaches the same code through a
 * local HTTP server, seconds per test). Sums are computed here with
 * node:crypto; messages are written out by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as createTar } from 'tar';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import { download, extract } from './cifarDownload.ts';
import type { Progress } from './progress.ts';

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-download-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllGlobals());

let counter = 0;
const dest = () => join(dir, `file-${counter++}`);

/** A progress display that records every call. */
function recorder(): Progress & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return { calls, start: (...a: unknown[]) => void calls.push(['start', ...a]), update: (n: number) => void calls.push(['update', n]), stop: () => void calls.push(['stop']) } as Progress & { calls: unknown[][] };
}

/** A body sent in the given chunks; `then`: 'end', 'error' (breaks off) or 'hang' (no more data until aborted). */
function body(chunks: Uint8Array[], then: 'end' | 'error' | 'hang', signal?: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      if (then === 'end') controller.close();
      if (then === 'error') setTimeout(() => controller.error(Object.assign(new Error('socket hang up'), { cause: { code: 'ECONNRESET' } })), 10);
      if (then === 'hang') signal?.addEventListener('abort', () => controller.error(signal.reason));
    },
  });
}

/** Stubs fetch: `answer` gets the URL and the init fetch was called with. */
function stubFetch(answer: (url: string, init: RequestInit) => Promise<Response> | Response): { urls: string[]; inits: RequestInit[] } {
  const seen = { urls: [] as string[], inits: [] as RequestInit[] };
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    seen.urls.push(url);
    seen.inits.push(init);
    return answer(url, init);
  });
  return seen;
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
const URL_ = 'http://mirror.invalid/path/to/cifar-10-binary.tar.gz';

describe('download', () => {
  it('writes every byte, returns their md5 and sha512, follows redirects; progress from 0 to the Content-Length', async () => {
    // kills cifarDownload.ts:18-62 (the hashes, the byte count, the file writes, redirect: 'follow', progress start/update/stop, the total)
    const a = bytes(5, 1);
    const b = bytes(7, 2);
    const seen = stubFetch((_u, init) => new Response(body([a, b], 'end', init.signal ?? undefined), { headers: { 'content-length': '12' } }));
    const p = recorder();
    const file = dest();
    const got = await download(URL_, file, p, 999, 1000);
    const all = new Uint8Array([...a, ...b]);
    expect(got).toEqual({ bytes: 12, md5: createHash('md5').update(all).digest('hex'), sha512: createHash('sha512').update(all).digest('base64') });
    expect(new Uint8Array(readFileSync(file))).toEqual(all);
    expect(p.calls).toEqual([['start', 'downloading cifar-10-binary.tar.gz', 12, 'MB'], ['update', 5], ['update', 12], ['stop']]);
    expect(seen.urls).toEqual([URL_]);
    expect(seen.inits[0].redirect).toBe('follow');
    expect(seen.inits[0].signal).toBeInstanceOf(AbortSignal);
  });

  it('without a usable Content-Length the progress total is the fallback', async () => {
    // kills cifarDownload.ts:40-41 (Number.isSafeInteger(length) && length > 0 ? length : fallbackTotal)
    for (const length of [undefined, '0', 'abc', '1e400']) {
      stubFetch(() => new Response(body([bytes(3, 0)], 'end'), { headers: length === undefined ? {} : { 'content-length': length } }));
      const p = recorder();
      expect((await download(URL_, dest(), p, 999, 1000)).bytes).toBe(3);
      expect(p.calls[0], String(length)).toEqual(['start', 'downloading cifar-10-binary.tar.gz', 999, 'MB']);
    }
  });

  it('an HTTP error names the status and its text (trimmed when there is none)', async () => {
    // kills cifarDownload.ts:37-38 (!response.ok, the message, trimEnd)
    stubFetch(() => new Response('nope', { status: 404, statusText: 'Not Found' }));
    const e = await asyncRejection(download(URL_, dest(), recorder(), 1, 1000));
    expect([e.check, e.message]).toEqual(['cifar.fetch-http', `cannot download ${URL_}: the server answered 404 Not Found`]);
    stubFetch(() => new Response('nope', { status: 503 }));
    const f = await asyncRejection(download(URL_, dest(), recorder(), 1, 1000));
    expect(f.message).toBe(`cannot download ${URL_}: the server answered 503`);
  });

  it('an answer without a body is an HTTP error too', async () => {
    // kills cifarDownload.ts:37 (|| response.body === null)
    stubFetch(() => new Response(null, { status: 200, statusText: 'OK' }));
    const e = await asyncRejection(download(URL_, dest(), recorder(), 1, 1000));
    expect([e.check, e.message]).toEqual(['cifar.fetch-http', `cannot download ${URL_}: the server answered 200 OK`]);
  });

  it('a connection that fails: the error and its cause (code, else message, else none)', async () => {
    // kills cifarDownload.ts:33-35 and describeNetworkError (:67-71)
    const cases: [Error, string][] = [
      [Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } }), 'fetch failed (ECONNREFUSED)'],
      [Object.assign(new TypeError('fetch failed'), { cause: { message: 'getaddrinfo ENOTFOUND' } }), 'fetch failed (getaddrinfo ENOTFOUND)'],
      [new TypeError('fetch failed'), 'fetch failed'],
    ];
    for (const [error, text] of cases) {
      stubFetch(() => Promise.reject(error));
      const e = await asyncRejection(download(URL_, dest(), recorder(), 1, 1000));
      expect([e.check, e.message]).toEqual(['cifar.fetch-network', `cannot download ${URL_}: ${text}`]);
    }
  });

  it('no answer within the idle time: "no data for 0.05 s"', async () => {
    // kills cifarDownload.ts:21-23 (the timer, its message in seconds), describeNetworkError's abort branch
    stubFetch((_u, init) => new Promise((_ok, fail) => init.signal?.addEventListener('abort', () => fail(new DOMException('aborted', 'AbortError')))));
    const e = await asyncRejection(download(URL_, dest(), recorder(), 1, 50));
    expect([e.check, e.message]).toEqual(['cifar.fetch-network', `cannot download ${URL_}: no data for 0.05 s`]);
  });

  it('the idle timer restarts with every chunk; data that stops: broke off after n bytes', async () => {
    // kills cifarDownload.ts:44 (arm() per chunk), :51-53 (the message after n bytes), :49 (progress stopped on failure)
    let send: (() => void) | undefined;
    stubFetch(
      (_u, init) =>
        new Response(
          new ReadableStream({
            start(controller) {
              // 3 chunks 30 ms apart (each within the 50 ms idle time, all three beyond it), then silence
              let n = 0;
              send = () => {
                controller.enqueue(bytes(2, n));
                if (++n < 3) setTimeout(send!, 30);
              };
              send();
              init.signal?.addEventListener('abort', () => controller.error(init.signal!.reason));
            },
          }),
        ),
    );
    const p = recorder();
    const e = await asyncRejection(download(URL_, dest(), p, 100, 50));
    expect([e.check, e.message]).toEqual(['cifar.fetch-network', `download of ${URL_} broke off after 6 bytes: no data for 0.05 s`]);
    expect(p.calls.at(-1)).toEqual(['stop']);
  });

  it('a connection reset mid-way: broke off, with the cause', async () => {
    // kills cifarDownload.ts:50-52 (a non-Cipherpatch error becomes cifar.fetch-network)
    stubFetch(() => new Response(body([bytes(4, 0)], 'error'), { headers: { 'content-length': '10' } }));
    const e = await asyncRejection(download(URL_, dest(), recorder(), 1, 1000));
    expect([e.check, e.message]).toEqual(['cifar.fetch-network', `download of ${URL_} broke off after 4 bytes: socket hang up (ECONNRESET)`]);
  });

  it('fewer bytes than the Content-Length: ended after n of m', async () => {
    // kills cifarDownload.ts:56-58 (the length check and its message)
    stubFetch(() => new Response(body([bytes(4, 0)], 'end'), { headers: { 'content-length': '10' } }));
    const e = await asyncRejection(download(URL_, dest(), recorder(), 1, 1000));
    expect([e.check, e.message]).toEqual(['cifar.fetch-network', `download of ${URL_} ended after 4 of 10 bytes`]);
    // more bytes than announced are an error as well (bytes !== length)
    stubFetch(() => new Response(body([bytes(4, 0)], 'end'), { headers: { 'content-length': '3' } }));
    expect((await asyncRejection(download(URL_, dest(), recorder(), 1, 1000))).message).toBe(`download of ${URL_} ended after 4 of 3 bytes`);
  });

  it('closes the file it wrote: no open descriptor points to it', async () => {
    if (!existsSync('/proc/self/fd')) return; // not Linux: no descriptor list to read
    // kills cifarDownload.ts:61 (the finally that closes the file): no entry of /proc/self/fd (Linux) points to it
    const openFiles = () =>
      readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return ''; // the listing's own descriptor, gone
        }
      });
    stubFetch(() => new Response(body([bytes(3, 0)], 'end')));
    const file = dest();
    await download(URL_, file, recorder(), 1, 1000);
    expect(openFiles()).not.toContain(file);
  });

  it('never writes over an existing file', async () => {
    // kills cifarDownload.ts:28 (open(dest, 'wx'))
    const file = dest();
    writeFileSync(file, 'keep');
    stubFetch(() => new Response(body([bytes(3, 0)], 'end')));
    await expect(download(URL_, file, recorder(), 1, 1000)).rejects.toThrow(/EEXIST/);
    expect(readFileSync(file, 'utf8')).toBe('keep');
  });
});

describe('extract', () => {
  it('unpacks the wanted entries (paths without "./"), into a folder it creates', async () => {
    // kills cifarDownload.ts:75-78 (mkdir recursive, the filter and its ./ stripping, strict)
    const src = join(dir, 'src');
    mkdirSync(join(src, 'a'), { recursive: true });
    writeFileSync(join(src, 'a', 'keep.bin'), 'k');
    writeFileSync(join(src, 'a', 'drop.txt'), 'd');
    const archive = join(dir, 'a.tgz');
    await createTar({ gzip: true, file: archive, cwd: src, portable: true }, ['./a']);
    const seen: string[] = [];
    const to = join(dir, 'deep', 'er', 'out');
    await extract(archive, to, (p) => {
      seen.push(p);
      return p === 'a/' || p === 'a/keep.bin';
    });
    expect(seen.sort()).toEqual(['a/', 'a/drop.txt', 'a/keep.bin']);
    expect(readdirSync(join(to, 'a'))).toEqual(['keep.bin']);
    expect(readFileSync(join(to, 'a', 'keep.bin'), 'utf8')).toBe('k');
  });

  it('strict: an entry with a bad header checksum is an error, not a skipped entry', async () => {
    // kills cifarDownload.ts:78 (strict: true): tar without strict only warns and goes on
    const src = join(dir, 'two');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'f1.bin'), new Uint8Array(100).fill(7));
    writeFileSync(join(src, 'f2.bin'), new Uint8Array(100).fill(8));
    const plain = join(dir, 'two.tar');
    await createTar({ file: plain, cwd: src, portable: true }, ['f1.bin', 'f2.bin']);
    const bytes = new Uint8Array(readFileSync(plain));
    // the second header starts at 1024 (512-byte header + one data block of f1); its checksum field is at 148..155
    bytes[1024 + 148] = 0x39;
    bytes[1024 + 149] = 0x39;
    const broken = join(dir, 'broken.tar');
    writeFileSync(broken, bytes);
    const e = await asyncRejection(extract(broken, join(dir, 'broken-out'), () => true));
    expect([e.check, e.message]).toEqual(['cifar.fetch-archive', 'cannot unpack broken.tar: TAR_ENTRY_INVALID: checksum failure']);
  });

  it('an archive that is not one: cifar.fetch-archive naming the file', async () => {
    // kills cifarDownload.ts:79-81 (the message)
    const archive = join(dir, 'junk.tar.gz');
    writeFileSync(archive, 'this is not a tarball at all');
    const e = await asyncRejection(extract(archive, join(dir, 'junk-out'), () => true));
    expect(e.check).toBe('cifar.fetch-archive');
    expect(e.message).toMatch(/^cannot unpack junk\.tar\.gz: .+/);
    expect(existsSync(join(dir, 'junk-out'))).toBe(true);
  });
});
