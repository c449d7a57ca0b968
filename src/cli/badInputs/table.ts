/**
 * Bad inputs as data: each command has one table of rows (src/cli/badInputs/<command>.test.ts),
 * and this runner turns every row into one test. A row runs the real command
 * (`node bin/cipherpatch.mjs …`) in a fresh sandbox directory and checks
 *
 *   - the exit code,
 *   - stderr: the expected check id or message fragment, and never a raw
 *     Node stack trace,
 *   - the sandbox tree before and after (every path, size and sha256):
 *     unchanged unless the row declares what may change ("nothing written,
 *     nothing deleted").
 *
 * A new command or a new bad input is one row. Fixtures that cost time (a
 * model, a key, the CIFAR-10 sample) are built once per file, outside the
 * sandboxes, with `tinyFixtures` or a file's own builder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../../bin/cipherpatch.mjs', import.meta.url).pathname;
export const CIFAR_SAMPLE = new URL('../../../golden/data/test_batch_first1000.bin', import.meta.url).pathname;

export interface RunResult {
  /** The exit code; 128 + n when the command died of signal n. */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A change a row allows: a path relative to the sandbox (directories end in "/"), or a pattern. */
export type PathPattern = string | RegExp;

export interface ExpectedChanges {
  readonly added?: readonly PathPattern[];
  readonly removed?: readonly PathPattern[];
  readonly modified?: readonly PathPattern[];
}

export interface Row<F = unknown> {
  /** "<issue>.<item> <what>", e.g. "21.1 evaluate --force on a foreign dir". */
  readonly id: string;
  /** Creates the row's files in its fresh, empty sandbox (an absolute path). */
  readonly setup?: (sandbox: string, fixtures: F) => void | Promise<void>;
  /** The arguments after `cipherpatch`. */
  readonly argv: (sandbox: string, fixtures: F) => string[];
  /** The working directory (default: the sandbox). */
  readonly cwd?: (sandbox: string) => string;
  /** Extra environment variables. */
  readonly env?: (sandbox: string, fixtures: F) => Record<string, string>;
  /** The expected exit code. */
  readonly code: number;
  /** What stderr must show: the check id or a message fragment. */
  readonly stderr?: RegExp;
  /** What stderr must not show (besides a stack trace, which no row may show). */
  readonly notStderr?: RegExp;
  /** What stdout must show; '' = nothing at all. */
  readonly stdout?: RegExp | '';
  /** What may change in the sandbox; default nothing. 'any' skips the tree check. */
  readonly changes?: ExpectedChanges | 'any';
  /** Further checks after the run. */
  readonly check?: (sandbox: string, result: RunResult, fixtures: F) => void | Promise<void>;
  /** Send a signal once `when` holds (polled every 20 ms). */
  readonly interrupt?: { readonly signal: NodeJS.Signals; readonly when: (sandbox: string) => boolean };
  readonly timeoutMs?: number;
}

/** Runs `cipherpatch …args` and waits for it to end. */
export function runCipherpatch(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; interrupt?: { signal: NodeJS.Signals; when: () => boolean } } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let poll: NodeJS.Timeout | undefined;
    if (options.interrupt) {
      const { signal, when } = options.interrupt;
      poll = setInterval(() => {
        if (when()) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 20);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      const signalNumber = signal === null ? 0 : ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
      resolve({ code: code ?? 128 + signalNumber, signal, stdout, stderr });
    });
  });
}

/** Every path under `root` (relative; directories end in "/") with its size and sha256, or a symlink's target. */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = prefix + name;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out.set(rel, `link → ${readlinkSync(path)}`);
      else if (st.isDirectory()) {
        out.set(`${rel}/`, 'directory');
        walk(path, `${rel}/`);
      } else out.set(rel, `${st.size} bytes, sha256 ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  if (existsSync(root)) walk(root, '');
  return out;
}

export interface TreeDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly modified: string[];
}

export function diffTrees(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): TreeDiff {
  return {
    added: [...after.keys()].filter((p) => !before.has(p)),
    removed: [...before.keys()].filter((p) => !after.has(p)),
    modified: [...after.keys()].filter((p) => before.has(p) && before.get(p) !== after.get(p)),
  };
}

const matches = (pattern: PathPattern, path: string) => (typeof pattern === 'string' ? pattern === path : pattern.test(path));

/** Every actual change is allowed by a pattern, and every plain-path pattern happened. */
function expectChanges(kind: keyof TreeDiff, actual: readonly string[], allowed: readonly PathPattern[] = []): void {
  const unexpected = actual.filter((p) => !allowed.some((a) => matches(a, p)));
  expect(unexpected, `${kind} unexpectedly`).toEqual([]);
  const missing = allowed.filter((a) => typeof a === 'string' && !actual.includes(a));
  expect(missing, `expected ${kind}, but not`).toEqual([]);
}

/** A Node stack trace line ("    at fn (file:line:col)"). */
const STACK_TRACE = /^\s+at .*:\d+:\d+\)?$/m;

/** The tests of one table: one `it` per row, each in a fresh sandbox. */
export function badInputSuite<F>(title: string, rows: readonly Row<F>[], options: { fixtures?: (dir: string) => F | Promise<F> } = {}): void {
  describe(title, () => {
    const ids = rows.map((r) => r.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) throw new Error(`duplicate row id "${duplicate}"`);
    let root = '';
    let fixtures: F;
    let counter = 0;
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'cipherpatch-bad-inputs-'));
      const fixtureDir = join(root, 'fixtures');
      mkdirSync(fixtureDir);
      fixtures = options.fixtures ? await options.fixtures(fixtureDir) : (undefined as F);
    });
    afterAll(() => {
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });
    for (const row of rows) {
      it(row.id, { timeout: row.timeoutMs ?? 120_000 }, async () => {
        const sandbox = join(root, `sandbox-${counter++}`);
        mkdirSync(sandbox);
        await row.setup?.(sandbox, fixtures);
        const before = snapshotTree(sandbox);
        const argv = row.argv(sandbox, fixtures);
        const result = await runCipherpatch(argv, {
          cwd: row.cwd?.(sandbox) ?? sandbox,
          env: row.env?.(sandbox, fixtures),
          interrupt: row.interrupt ? { signal: row.interrupt.signal, when: () => row.interrupt!.when(sandbox) } : undefined,
        });
        const context = `cipherpatch ${argv.join(' ')}\n--- exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        expect(result.code, context).toBe(row.code);
        expect(result.stderr, context).not.toMatch(STACK_TRACE);
        if (row.stderr) expect(result.stderr, context).toMatch(row.stderr);
        if (row.notStderr) expect(result.stderr, context).not.toMatch(row.notStderr);
        if (row.stdout === '') expect(result.stdout, context).toBe('');
        else if (row.stdout) expect(result.stdout, context).toMatch(row.stdout);
        if (row.changes !== 'any') {
          const diff = diffTrees(before, snapshotTree(sandbox));
          expectChanges('added', diff.added, row.changes?.added);
          expectChanges('removed', diff.removed, row.changes?.removed);
          expectChanges('modified', diff.modified, row.changes?.modified);
        }
        await row.check?.(sandbox, result, fixtures);
      });
    }
  });
}

// ---------------------------------------------------------------------------
// Shared fixtures and setup helpers.

export interface TinyFixtures {
  /** A ConvMixer-8/1, kernel 3, patch 4 (safetensors). */
  readonly model: string;
  /** A System A key for block 4, 3 channels. */
  readonly key: string;
  /** A CIFAR-10 directory holding the committed first 1,000 test images as test_batch.bin. */
  readonly cifar: string;
}

/** The cheap model, key and data most rows need, written once into `dir` through the library. */
export async function tinyFixtures(dir: string): Promise<TinyFixtures> {
  const { randomConvMixerWeights } = await import('../../model/convmixer.ts');
  const { writeConvMixerFile } = await import('../../io/modelFile.ts');
  const { generateKey } = await import('../../core/keygen.ts');
  const { serializeKey } = await import('../../core/keyJson.ts');
  const model = join(dir, 'model.safetensors');
  const key = join(dir, 'key.json');
  const cifar = join(dir, 'cifar');
  writeConvMixerFile(model, randomConvMixerWeights({ dim: 8, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 }, 'bad-inputs'), { 'cipherpatch.model': 'ConvMixer' });
  writeFileSync(key, serializeKey(generateKey({ blockSize: 4, channels: 3, seed: 'bad-inputs' }), { kind: 'seed', seed: 'bad-inputs' }));
  mkdirSync(cifar);
  copyFileSync(CIFAR_SAMPLE, join(cifar, 'test_batch.bin'));
  return { model, key, cifar };
}

/** Writes files (relative path → contents) under `base`, creating directories; a path ending in "/" is an empty directory. */
export function writeTree(base: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, contents] of Object.entries(files)) {
    const path = join(base, rel);
    if (rel.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, contents);
  }
}
