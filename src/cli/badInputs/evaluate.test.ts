/** Bad inputs of `cipherpatch evaluate` (see table.ts): what --force may replace, outputs checked first, the wrong-key list, progress off a terminal. */
import { readFileSync, readdirSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { keyToJson } from '../../core/keyJson.ts';
import { generateKey } from '../../core/keygen.ts';
import { orthogonal } from '../../variants/builtin/systemC.ts';
import { REPORT_MARKER, reportMarkerText } from '../../io/outputPaths.ts';
import { availableParallelism } from 'node:os';
import { calibrationKey } from '../../engine/calibrate.ts';
import { loadOnnxRuntime } from '../../engine/onnx.ts';
import { readConvMixerFile } from '../../io/modelFile.ts';
import { type Row, type TinyFixtures, badInputSuite, tinyFixtures, writeTree } from './table.ts';

const evaluate = (fx: TinyFixtures, report: string, ...rest: string[]) => ['evaluate', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--limit', '50', '--wrong-keys', '2', '--report', report, ...rest];

/** A previous report, as evaluate writes it (contents shortened). */
const previousReport = (dir: string) => ({
  [`${dir}/report.json`]: '{}',
  [`${dir}/report.md`]: '# old',
  [`${dir}/examples.png`]: 'png',
  [`${dir}/${REPORT_MARKER}`]: reportMarkerText(['report.json', 'report.md', 'examples.png']),
});

const keyList = (n: number) => JSON.stringify({ format: 'cipherpatch-block-key-list', version: 1, keys: Array.from({ length: n }, (_, i) => keyToJson(generateKey({ blockSize: 4, channels: 3, seed: `list-${i}` }))) });

/** The progress line printed when stderr is not a terminal. */
const PROGRESS_LINE = /^plain model, plain images: \d+\/50 images \(\d+ %\)/m;
/** The line evaluate prints once it has loaded its inputs, i.e. started the work. */
const STARTED = /^evaluate: /m;

const rows: Row<TinyFixtures>[] = [
  // 21.1: --force replaces a previous report, nothing else.
  {
    id: '21.1 evaluate --force on a directory holding a foreign file',
    setup: (s) => writeTree(s, { 'p/a.txt': 'keep' }),
    argv: (s, fx) => evaluate(fx, join(s, 'p'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*\/p exists.*a\.txt/,
    notStderr: STARTED,
  },
  {
    id: '21.1 evaluate --report . --force (the working directory)',
    setup: (s) => writeTree(s, { 'w/a.txt': 'keep' }),
    cwd: (s) => join(s, 'w'),
    argv: (_s, fx) => evaluate(fx, '.', '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it is the working directory/,
    notStderr: STARTED,
  },
  {
    id: '21.1 evaluate --report . --force in an empty working directory',
    setup: (s) => writeTree(s, { 'w/': '' }),
    cwd: (s) => join(s, 'w'),
    argv: (_s, fx) => evaluate(fx, '.', '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it is the working directory/,
  },
  {
    id: '21.1 evaluate --force on an ancestor of the working directory',
    setup: (s) => writeTree(s, { 'a/b/': '' }),
    cwd: (s) => join(s, 'a', 'b'),
    argv: (s, fx) => evaluate(fx, join(s, 'a'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it holds the working directory/,
  },
  {
    id: '21.1 evaluate --force on the home directory',
    setup: (s) => writeTree(s, { 'home/': '' }),
    env: (s) => ({ HOME: join(s, 'home') }),
    argv: (s, fx) => evaluate(fx, join(s, 'home'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it is the home directory/,
  },
  {
    id: '21.1 evaluate --report / --force',
    argv: (_s, fx) => evaluate(fx, '/', '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it is the root directory/,
    notStderr: STARTED,
  },
  {
    id: '21.1 evaluate --force on a previous report holding a file it did not write',
    setup: (s) => writeTree(s, { ...previousReport('p'), 'p/notes.txt': 'mine' }),
    argv: (s, fx) => evaluate(fx, join(s, 'p'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*notes\.txt, which its \.cipherpatch-report marker does not list/,
    notStderr: STARTED,
  },
  {
    id: '21.1 evaluate --force on a report directory without a marker',
    setup: (s) => writeTree(s, { 'p/report.json': '{}', 'p/report.md': '# old' }),
    argv: (s, fx) => evaluate(fx, join(s, 'p'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*no \.cipherpatch-report marker/,
  },
  {
    id: '21.1 evaluate --force on a file',
    setup: (s) => writeTree(s, { p: 'a file' }),
    argv: (s, fx) => evaluate(fx, join(s, 'p'), '--force'),
    code: 1,
    stderr: /\[output\.not-replaceable\].*it is a file/,
  },
  {
    id: '21.1 evaluate --force replaces a previous report',
    setup: (s) => writeTree(s, previousReport('p')),
    argv: (s, fx) => evaluate(fx, join(s, 'p'), '--force', '--no-progress'),
    code: 0,
    stdout: /report: .*\/p\//,
    changes: { added: ['p/wrong-keys.svg', 'p/wrong-keys.png'], modified: ['p/report.json', 'p/report.md', 'p/examples.png', `p/${REPORT_MARKER}`] },
    check: (s) => {
      expect(JSON.parse(readFileSync(join(s, 'p', 'report.json'), 'utf8')).images).toBe(50);
      expect(JSON.parse(readFileSync(join(s, 'p', REPORT_MARKER), 'utf8')).files).toEqual(['examples.png', 'report.json', 'report.md', 'wrong-keys.png', 'wrong-keys.svg']);
    },
  },
  {
    id: '21.1 evaluate --force fills an empty directory',
    setup: (s) => writeTree(s, { 'p/': '' }),
    argv: (s, fx) => evaluate(fx, join(s, 'p'), '--force', '--no-progress'),
    code: 0,
    changes: { added: [/^p\/[^/]+$/] },
  },
  // 21.8: no picture listed that was not drawn.
  {
    id: '21.8 evaluate --wrong-keys 0: report.md lists no wrong-key plot',
    argv: (s, fx) => ['evaluate', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--limit', '50', '--wrong-keys', '0', '--report', join(s, 'r'), '--no-progress'],
    code: 0,
    changes: { added: ['r/', /^r\/[^/]+$/] },
    check: (s) => {
      expect(readdirSync(join(s, 'r')).sort()).toEqual([REPORT_MARKER, 'examples.png', 'report.json', 'report.md']);
      const md = readFileSync(join(s, 'r', 'report.md'), 'utf8');
      expect(md).not.toMatch(/wrong-keys\.(svg|png)/);
      expect(md).toMatch(/examples\.png/);
    },
  },
  // 21.9: outputs checked before the work.
  {
    id: '21.9 evaluate --report EXISTING is refused before the work',
    setup: (s) => writeTree(s, previousReport('p')),
    argv: (s, fx) => evaluate(fx, join(s, 'p')),
    code: 1,
    stderr: /\[output\.exists\].*\/p already exists.*--force/,
    notStderr: STARTED,
  },
  {
    id: '21.9 evaluate --report EXISTING is refused before the weights are read',
    setup: (s) => writeTree(s, previousReport('p')),
    argv: (s, fx) => ['evaluate', '--weights', join(s, 'no-such.safetensors'), '--key', fx.key, '--data', fx.cifar, '--report', join(s, 'p')],
    code: 1,
    stderr: /\[output\.exists\]/,
  },
  {
    id: '21.9 evaluate --report missing/sub is refused before the work',
    argv: (s, fx) => evaluate(fx, join(s, 'missing', 'sub')),
    code: 1,
    stderr: /\[output\.unwritable\].*cannot write .*missing\/sub.*does not exist/,
    notStderr: STARTED,
  },
  // 21.11: a wrong-key list alone sets the count.
  {
    id: '21.11 evaluate --wrong-keys-file with 2 keys and no --wrong-keys',
    setup: (s) => writeTree(s, { 'wrong.json': keyList(2) }),
    argv: (s, fx) => ['evaluate', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--limit', '50', '--wrong-keys-file', join(s, 'wrong.json'), '--report', join(s, 'r'), '--no-progress'],
    code: 0,
    stderr: /evaluate: 50 test images, 2 wrong keys/,
    stdout: /2 wrong keys: +median/,
    changes: { added: ['r/', /^r\/[^/]+$/] },
    check: (s) => expect(JSON.parse(readFileSync(join(s, 'r', 'report.json'), 'utf8')).results.wrongKeys).toHaveLength(2),
  },
  {
    id: '21.11 evaluate --wrong-keys 3 with a list of 2 is still refused',
    setup: (s) => writeTree(s, { 'wrong.json': keyList(2) }),
    argv: (s, fx) => ['evaluate', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--limit', '50', '--wrong-keys', '3', '--wrong-keys-file', join(s, 'wrong.json'), '--report', join(s, 'r')],
    code: 1,
    stderr: /\[evaluate\.wrong-keys\]: 3 wrong keys asked for, but the list holds 2/,
  },
  // 21.12: progress lines when stderr is not a terminal.
  {
    id: '21.12 evaluate prints progress lines when stderr is not a terminal',
    argv: (s, fx) => evaluate(fx, join(s, 'r')),
    code: 0,
    stderr: PROGRESS_LINE,
    changes: { added: ['r/', /^r\/[^/]+$/] },
  },
  {
    id: '21.12 evaluate --no-progress prints none',
    argv: (s, fx) => evaluate(fx, join(s, 'r'), '--no-progress'),
    code: 0,
    notStderr: /images \(\d+ %\)/,
    changes: { added: ['r/', /^r\/[^/]+$/] },
  },
  // Issue 24: the onnx settings evaluate picks without --batch-size.
  {
    id: '24 evaluate --tuning with an unknown mode is refused before the work',
    argv: (s, fx) => evaluate(fx, join(s, 'r'), '--tuning', 'fast'),
    code: 2,
    stderr: /--tuning must be one of auto, off, refresh, got "fast"/,
    notStderr: STARTED,
  },
  {
    id: '24 evaluate without --batch-size runs a cached calibration of this machine and model shape, and says so',
    setup: async (s, fx) => {
      const runtime = await loadOnnxRuntime();
      const { weights } = readConvMixerFile(fx.model);
      const key = calibrationKey({ runtime: `${runtime.module} ${runtime.version}`, threads: availableParallelism(), config: weights.config, height: 32, width: 32 });
      const entry = { batchSize: 7, spinning: false, measured: { 'batch 7': 1 }, at: '2026-12-03T00:00:00.000Z' };
      writeTree(s, { 'calibration.json': JSON.stringify({ format: 'cipherpatch-onnx-calibration', version: 1, entries: { [key]: entry } }) });
    },
    env: (s) => ({ CIPHERPATCH_TUNING: 'auto', CIPHERPATCH_CALIBRATION_FILE: join(s, 'calibration.json') }),
    argv: (s, fx) => evaluate(fx, join(s, 'r'), '--no-progress'),
    code: 0,
    stderr: /^onnx tuning: batch 7, sleeping idle threads — cached \(calibrated 2026-12-03T00:00:00\.000Z\)/m,
    changes: { added: ['r/', /^r\/[^/]+$/] },
  },
  {
    id: '24 evaluate --tuning off keeps batch 64 with sleeping threads, and never reads the calibration file',
    setup: (s) => writeTree(s, { 'calibration.json': '{ not json' }),
    env: (s) => ({ CIPHERPATCH_TUNING: 'auto', CIPHERPATCH_CALIBRATION_FILE: join(s, 'calibration.json') }),
    argv: (s, fx) => evaluate(fx, join(s, 'r'), '--no-progress', '--tuning', 'off'),
    code: 0,
    stderr: /^onnx tuning: batch 64, sleeping idle threads — default \(tuning off\)$/m,
    notStderr: /not readable JSON/,
    changes: { added: ['r/', /^r\/[^/]+$/] },
  },
  {
    id: '24 evaluate --batch-size is the user\'s: no tuning, no calibration file read or written',
    setup: (s) => writeTree(s, { 'calibration.json': '{ not json' }),
    env: (s) => ({ CIPHERPATCH_TUNING: 'refresh', CIPHERPATCH_CALIBRATION_FILE: join(s, 'calibration.json') }),
    argv: (s, fx) => evaluate(fx, join(s, 'r'), '--no-progress', '--batch-size', '16'),
    code: 0,
    notStderr: /onnx tuning/,
    changes: { added: ['r/', /^r\/[^/]+$/] },
  },
];

badInputSuite('evaluate: bad inputs', rows, { fixtures: tinyFixtures });
/** Bad inputs of `cipherpatch evaluate` (see table.ts). */

// --- issue 21, part B (item 21.13) ----------------------------------------------------------------

export const ROWS_21B: Row<TinyFixtures>[] = [
  {
    id: '21.13 evaluate: report folder mode, "report: rep/" once, "1 wrong key", Fig. 5 axis in percent (success row)',
    argv: (s, f) => ['evaluate', '--weights', f.model, '--key', f.key, '--data', f.cifar, '--limit', '8', '--wrong-keys', '1', '--workers', '1', '--no-progress', '--report', `${join(s, 'rep')}//`],
    code: 0,
    stdout: /encrypted model, 1 wrong key: +median[\s\S]*report: .*\/rep\/ \(/,
    changes: { added: [/^rep\//] },
    timeoutMs: 180_000,
    check: (s, r) => {
      expect(r.stdout).not.toMatch(/rep\/\//);
      // The report folder has the mode any new folder gets here (umask), not mkdtemp's 0700.
      mkdirSync(join(s, 'probe'));
      const usual = statSync(join(s, 'probe')).mode & 0o777;
      rmdirSync(join(s, 'probe'));
      expect((statSync(join(s, 'rep')).mode & 0o777).toString(8)).toBe(usual.toString(8));
      const svg = readFileSync(join(s, 'rep', 'wrong-keys.svg'), 'utf8');
      expect(svg).toMatch(/>25 %<\/text>/);
      expect(svg).toMatch(/n = 1, median \d+\.\d\d %</);
      expect(svg).toMatch(/>1 wrong key<\/text>/);
      expect(svg).not.toMatch(/>0\.250</);
    },
  },
  {
    id: '21.13 evaluate, System C (an orthogonal key): the same rows and messages as System A, with "matrix" for "key" (success row)',
    setup: (s) => writeTree(s, { 'q.json': orthogonal.serializeKey(orthogonal.generateKey({ blockSize: 4, channels: 3 }, 'q')) }),
    argv: (s, f) => ['evaluate', '--weights', f.model, '--key', join(s, 'q.json'), '--data', f.cifar, '--limit', '8', '--wrong-keys', '1', '--workers', '1', '--no-progress', '--report', `${join(s, 'rep')}//`],
    code: 0,
    stderr: /^evaluate \(System C\): 8 test images, 1 wrong matrix, engine /m,
    stdout: /^System C, plain model, plain images: +\d+\.\d\d %\n[\s\S]*^System C, encrypted model, right matrix: +\d+\.\d\d % \(\d+ predictions differ from plain\)\nSystem C, encrypted model, 1 wrong matrix: +median[\s\S]*^report: .*\/rep\/ \(/m,
    changes: { added: [/^rep\//] },
    timeoutMs: 180_000,
    check: (_s, r) => expect(r.stdout).not.toMatch(/rep\/\//),
  },
];

badInputSuite('evaluate: bad inputs (issue 21, part B)', ROWS_21B, { fixtures: tinyFixtures });
