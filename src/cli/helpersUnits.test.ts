/**
 * The command line's pure helpers, in-process (issue 25's mutation runs; the
 * CLI tests that spawn `node bin/cipherpatch.mjs` cannot kill mutants, which
 * Stryker only places in this process): option parsers, --shard and
 * --shard-out, reading shard files for merge, --tuning, the exit codes of
 * main. Every expected message is written out by hand.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { type Io, commandLine, nonEmpty, nonNegativeInteger, positiveInteger, processIo, withOutputs } from './io.ts';
import { main } from './main.ts';
import { DEFAULT_EVALUATE_SHARD_FILE, DEFAULT_FUZZ_SHARD_FILE, SHARD_INDEX_HELP, shardFile, shardOf } from './shard.ts';
import { readShardFiles } from './shardFiles.ts';
import { UNTUNED_BATCH_SIZE, defaultTuningMode, engineTuning, tuningMode } from './tuning.ts';
import { VERSION } from './version.ts';

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-cli-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The InvalidArgumentError message a parser throws. */
function invalid(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e.message;
    throw e;
  }
  throw new Error('expected an InvalidArgumentError');
}

const capture = () => {
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = { out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) };
  return { io, lines };
};

describe('io.ts', () => {
  it('positiveInteger: digits only, at least 1, at most 2^53 − 1', () => {
    // kills io.ts:17-19: the regex anchors (^, $, \d+), Number(value) < 1 (→ <= 1), the too-large check, both messages
    const p = positiveInteger('--n');
    expect(p('1')).toBe(1);
    expect(p('007')).toBe(7);
    expect(p('9007199254740991')).toBe(9007199254740991);
    for (const bad of ['0', '00', '-1', '1.5', ' 1', '1 ', 'x1', '1x', '', '+1']) expect(invalid(() => p(bad))).toBe(`--n must be a positive integer, got "${bad}"`);
    expect(invalid(() => p('9007199254740992'))).toBe('--n is too large: 9007199254740992 (at most 9007199254740991)');
  });

  it('nonNegativeInteger: digits only (0 allowed), at most 2^53 − 1', () => {
    // kills io.ts:25-27: the regex, the too-large check, both messages
    const p = nonNegativeInteger('--m');
    expect(p('0')).toBe(0);
    expect(p('12')).toBe(12);
    for (const bad of ['-1', '1.0', 'a', '', ' 2', '2 ']) expect(invalid(() => p(bad))).toBe(`--m must be a non-negative integer, got "${bad}"`);
    expect(invalid(() => p('99999999999999999999'))).toBe('--m is too large: 99999999999999999999 (at most 9007199254740991)');
  });

  it('nonEmpty: the value, or why an empty one is refused', () => {
    // kills io.ts:45-47
    expect(nonEmpty('--data', 'x')(' ')).toBe(' ');
    expect(invalid(() => nonEmpty('--data', 'it would read the current folder')(''))).toBe('--data must not be empty: it would read the current folder');
  });

  it('commandLine: "cipherpatch" and the arguments after the script', () => {
    // kills io.ts:53 (slice(2), the join, the literal)
    const saved = process.argv;
    try {
      process.argv = ['node', 'bin/cipherpatch.mjs', 'evaluate', '--shard', '0/2'];
      expect(commandLine()).toBe('cipherpatch evaluate --shard 0/2');
    } finally {
      process.argv = saved;
    }
  });

  it('processIo writes one line to stdout and one to stderr', () => {
    // kills io.ts:11-12 (the newline, out/err swapped)
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    processIo.out('a');
    processIo.err('b');
    expect(out.mock.calls).toEqual([['a\n']]);
    expect(err.mock.calls).toEqual([['b\n']]);
  });

  it('withOutputs checks the declared outputs before the action (an existing file stops it), skipping undefined ones', async () => {
    // kills io.ts:36-39 (the hook, the filter of undefined outputs, the opts handed over)
    const existing = join(dir, 'exists.json');
    writeFileSync(existing, '{}');
    const ran: string[] = [];
    const program = () => {
      const p = new Command('t').exitOverride();
      withOutputs(
        p.command('w').option('--out <file>').option('--force', '', false).argument('[extra]'),
        (o: { out?: string; force: boolean }, args: unknown[]) => [undefined, o.out === undefined ? undefined : { path: o.out, kind: 'file', force: o.force }, args[0] === undefined ? undefined : { path: String(args[0]), kind: 'file', force: false }],
      ).action((_extra: unknown, o: { out?: string }) => void ran.push(o.out ?? 'none'));
      return p;
    };
    await program().parseAsync(['node', 't', 'w']);
    await program().parseAsync(['node', 't', 'w', '--out', join(dir, 'new.json')]);
    const e = await program()
      .parseAsync(['node', 't', 'w', '--out', existing])
      .then(
        () => undefined,
        (x: unknown) => x as Error,
      );
    expect(e?.message).toBe(`${existing} already exists (use --force to overwrite it)`);
    await program().parseAsync(['node', 't', 'w', '--out', existing, '--force']);
    const f = await program()
      .parseAsync(['node', 't', 'w', existing])
      .then(
        () => undefined,
        (x: unknown) => x as Error,
      );
    expect(f?.message).toBe(`${existing} already exists (use --force to overwrite it)`);
    expect(ran).toEqual(['none', join(dir, 'new.json'), existing]);
  });
});

describe('shard.ts', () => {
  it('the default shard file names and the index help', () => {
    // kills shard.ts:5-9 (StringLiteral)
    expect(DEFAULT_EVALUATE_SHARD_FILE).toBe('evaluate-shard-{i}-of-{n}.json');
    expect(DEFAULT_FUZZ_SHARD_FILE).toBe('fuzz-shard-{i}-of-{n}.json');
    expect(SHARD_INDEX_HELP).toBe('i from 0 to n − 1; auto/n: i from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or $SLURM_ARRAY_TASK_ID − $SLURM_ARRAY_TASK_MIN; env:VAR/n: from $VAR');
  });

  it('shardOf reads the index from the process environment', () => {
    // kills shard.ts:13 (process.env passed on)
    vi.stubEnv('CIPHERPATCH_UNITS_INDEX', '2');
    expect(shardOf('env:CIPHERPATCH_UNITS_INDEX/5')).toEqual({ index: 2, count: 5 });
    expect(shardOf('1/3')).toEqual({ index: 1, count: 3 });
  });

  it('shardFile: --shard-out, else the template, {i} and {n} filled in; the shard from --shard unless given', () => {
    // kills shard.ts:17-18 (?? → &&, the default shard from o.shard ?? '')
    expect(shardFile({ shard: '1/4' }, 'e-{i}-of-{n}.json')).toBe('e-1-of-4.json');
    expect(shardFile({ shard: '1/4', shardOut: 'out/{n}-{i}.json' }, 'e-{i}.json')).toBe('out/4-1.json');
    expect(shardFile({}, 'e-{i}-{n}', { index: 0, count: 2 })).toBe('e-0-2');
    expect(rejection(() => shardFile({}, 'e-{i}')).message).toBe('--shard must be i/n (i from 0 to n − 1), auto/n or env:VAR/n, got ""');
  });
});

describe('shardFiles.ts', () => {
  const file = (name: string, json: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };
  const evaluateDoc = { format: 'cipherpatch-evaluate-shard', version: 1, job: { system: 'A' }, shard: { index: 0, count: 1 }, report: { sampleImages: {} }, key: {}, result: { wrongKeys: [], base: {}, seconds: {} } };
  const fuzzDoc = { format: 'cipherpatch-fuzz-shard', version: 1, job: {}, shard: { index: 0, count: 1 }, report: { checks: [], contract: [], summary: {} } };

  it('evaluate shards: kind evaluate, each file with its parsed document, in order', () => {
    // kills shardFiles.ts:34-39 (the format test, isEvaluate[0] === true, the mapping)
    const a = file('ev-a.json', evaluateDoc);
    const b = file('ev-b.json', { ...evaluateDoc, shard: { index: 1, count: 2 } });
    const read = readShardFiles([a, b]);
    expect(read.kind).toBe('evaluate');
    expect(read.shards).toEqual([
      { file: a, doc: evaluateDoc },
      { file: b, doc: { ...evaluateDoc, shard: { index: 1, count: 2 } } },
    ]);
  });

  it('fuzz shards (or anything not an evaluate shard) go to the fuzz reader', () => {
    // kills shardFiles.ts:38-40 (the other kind, parseFuzzShard's messages)
    const f = file('fz.json', fuzzDoc);
    expect(readShardFiles([f])).toEqual({ kind: 'fuzz', shards: [{ file: f, doc: fuzzDoc }] });
    const nul = file('null.json', 'null');
    expect(rejection(() => readShardFiles([nul])).message).toBe(`${nul} is not a fuzz shard file (format undefined)`);
    const other = file('other.json', { format: 'x' });
    expect(rejection(() => readShardFiles([other])).message).toBe(`${other} is not a fuzz shard file (format "x")`);
    const brokenEval = file('broken-ev.json', { format: 'cipherpatch-evaluate-shard', version: 2 });
    expect(rejection(() => readShardFiles([brokenEval])).message).toBe(`${brokenEval} is an evaluate shard file of version 2; this cipherpatch reads version 1`);
  });

  it('mixed: names the first file that is not an evaluate shard and the first that is', () => {
    // kills shardFiles.ts:35-37 (includes(true) && includes(false) → ||, the indexOf(false) / indexOf(true) files, the message)
    const f1 = file('mix-f1.json', fuzzDoc);
    const e1 = file('mix-e1.json', evaluateDoc);
    const f2 = file('mix-f2.json', fuzzDoc);
    const e2 = file('mix-e2.json', evaluateDoc);
    for (const [files, other, evaluate] of [
      [[e1, f1, e2, f2], f1, e1],
      [[f2, e2, f1, e1], f2, e2],
    ] as const) {
      const e = rejection(() => readShardFiles(files));
      expect([e.check, e.message]).toEqual(['merge.mixed', `${other} is not an evaluate shard like ${evaluate}: merge the shard files of one job at a time`]);
    }
  });

  it('a missing file or one that is not JSON: merge.unreadable, saying which and why', () => {
    // kills shardFiles.ts:17-27 (both messages)
    const missing = join(dir, 'missing.json');
    const e = rejection(() => readShardFiles([missing]));
    expect(e.check).toBe('merge.unreadable');
    expect(e.message).toBe(`cannot read the shard file ${missing}: ENOENT: no such file or directory, open '${missing}'`);
    const cut = file('cut.json', '{"format": "cipherpatch-evaluate-sh');
    let parseMessage = '';
    try {
      JSON.parse('{"format": "cipherpatch-evaluate-sh');
    } catch (x) {
      parseMessage = (x as Error).message;
    }
    const c = rejection(() => readShardFiles([cut]));
    expect([c.check, c.message]).toEqual(['merge.unreadable', `${cut} is not JSON (a shard file cut short?): ${parseMessage}`]);
  });
});

describe('cli/tuning.ts', () => {
  it('tuningMode: off, auto, refresh; anything else names them', () => {
    // kills tuning.ts:20-21 (the check and its message)
    expect(UNTUNED_BATCH_SIZE).toBe(64);
    for (const m of ['off', 'auto', 'refresh']) expect(tuningMode(m)).toBe(m);
    expect(invalid(() => tuningMode('fast'))).toBe('--tuning must be one of auto, off, refresh, got "fast"');
    expect(invalid(() => tuningMode(''))).toBe('--tuning must be one of auto, off, refresh, got ""');
  });

  it('defaultTuningMode: $CIPHERPATCH_TUNING when set and not empty, else auto', () => {
    // kills tuning.ts:26-28 (the conditions, 'auto', process.env as default)
    expect(defaultTuningMode({})).toBe('auto');
    expect(defaultTuningMode({ CIPHERPATCH_TUNING: '' })).toBe('auto');
    expect(defaultTuningMode({ CIPHERPATCH_TUNING: 'off' })).toBe('off');
    expect(invalid(() => defaultTuningMode({ CIPHERPATCH_TUNING: 'x' }))).toBe('--tuning must be one of auto, off, refresh, got "x"');
    vi.stubEnv('CIPHERPATCH_TUNING', 'refresh');
    expect(defaultTuningMode()).toBe('refresh');
  });

  it('engineTuning: a given batch size wins; tfjs and CUDA keep 64; off prints the defaults; a cached calibration is used and its file named', async () => {
    // kills tuning.ts:40-60 (each early return, the store, the threads, the printed line and its file suffix)
    const calibration = join(dir, 'calibration.json');
    vi.stubEnv('CIPHERPATCH_CALIBRATION_FILE', calibration);
    const weights = randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 5 }, 'cli-tuning');
    const model = { weights, height: 4, width: 4, plannedImages: 10 };
    const flags = { engine: 'onnx', executionProvider: 'cpu', threads: 1, tuning: 'auto' as const };
    const { io, lines } = capture();
    expect(await engineTuning({ ...flags, batchSize: 5 }, io, model)).toEqual({ batchSize: 5 });
    expect(await engineTuning({ ...flags, engine: 'tfjs' }, io, model)).toEqual({ batchSize: 64 });
    expect(await engineTuning({ ...flags, executionProvider: 'cuda' }, io, model)).toEqual({ batchSize: 64 });
    expect(lines.err).toEqual([]);
    expect(await engineTuning({ ...flags, tuning: 'off' }, io, model)).toEqual({ batchSize: 64, spinning: false });
    expect(lines.err).toEqual(['onnx tuning: batch 64, sleeping idle threads — default (tuning off)']);
    // a cached calibration for this model on 4×4 images with 1 thread (written as the store writes it)
    const { fileCalibrationStore } = await import('../io/calibrationCache.ts');
    const { calibrationKey } = await import('../engine/calibrate.ts');
    const { loadOnnxRuntime } = await import('../engine/onnx.ts');
    const runtime = await loadOnnxRuntime();
    fileCalibrationStore(calibration).set(calibrationKey({ runtime: `${runtime.module} ${runtime.version}`, threads: 1, config: weights.config, height: 4, width: 4 }), { batchSize: 32, spinning: true, measured: {}, at: 'T' });
    lines.err.length = 0;
    expect(await engineTuning(flags, io, model)).toEqual({ batchSize: 32, spinning: true });
    expect(lines.err).toEqual([`onnx tuning: batch 32, spinning idle threads — cached (calibrated T) (${calibration})`]);
    // threads are checked against the machine
    await expect(engineTuning({ ...flags, threads: 0 }, io, model)).rejects.toThrow('threads must be a positive integer, got 0');
  });
});

describe('main.ts', () => {
  it('exit codes: 0 for --version and --help, 2 for a usage error, 1 with one line for a CipherpatchError', async () => {
    // kills main.ts:62-71 (each exit code, the error line)
    const v = capture();
    expect(await main(['node', 'cipherpatch', '--version'], v.io)).toBe(0);
    expect(v.lines.out).toEqual([VERSION]);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const h = capture();
    expect(await main(['node', 'cipherpatch', 'keygen', '--help'], h.io)).toBe(0);
    expect(h.lines.out.join('\n')).toMatch(/^Usage: cipherpatch keygen/);
    const top = capture();
    expect(await main(['node', 'cipherpatch'], top.io)).toBe(0);
    const u = capture();
    expect(await main(['node', 'cipherpatch', 'no-such-command'], u.io)).toBe(2);
    expect(u.lines.err.join('\n')).toMatch(/unknown command 'no-such-command'[\s\S]*\(run with --help for usage\)/);
    const o = capture();
    expect(await main(['node', 'cipherpatch', 'keygen', '--block', 'x'], o.io)).toBe(2);
    const c = capture();
    expect(await main(['node', 'cipherpatch', 'merge', join(dir, 'none.json')], c.io)).toBe(1);
    expect(c.lines.err).toEqual([`cipherpatch: error [merge.unreadable]: cannot read the shard file ${join(dir, 'none.json')}: ENOENT: no such file or directory, open '${join(dir, 'none.json')}'`]);
  });

  it('help marks required options and leaves out commander\'s default where the description names its own', async () => {
    // kills main.ts:29-33 (optionDescription)
    const h = capture();
    await main(['node', 'cipherpatch', 'keygen', '--help'], h.io);
    const help = h.lines.out.join('\n').replace(/\s+/g, ' ');
    expect(help).toContain("--block <M> block size M (= the model's patch size) (required)");
    expect(help).toContain('--seed <S> derive the key deterministically from this seed string, not empty (default: node:crypto, secure) --out');
    expect(help).toContain('--force overwrite --out if it exists (default: false) -h');
    const e = capture();
    await main(['node', 'cipherpatch', 'evaluate', '--help'], e.io);
    const evaluateHelp = e.lines.out.join('\n').replace(/\s+/g, ' ');
    const wrongKeys = evaluateHelp.slice(evaluateHelp.indexOf('--wrong-keys <n>'), evaluateHelp.indexOf('--wrong-key-seed'));
    expect(wrongKeys.split('(default').length - 1).toBe(1); // its own "(default: 100, …", not commander's as well
  });
});
