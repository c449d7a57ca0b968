/**
 * `cipherpatch evaluate` and `cipherpatch merge` of its shards, in-process
 * through main(argv, io) with a stand-in engine (issue 25's mutation runs; the
 * spawned-CLI tests run real engines in another process, where Stryker's
 * mutants are not). The stand-in predicts class 0 for every image, so every
 * accuracy is the share of label 0 among the images, read here from the
 * committed CIFAR-10 sample's bytes (label = first byte of each 3,073-byte
 * record). Every printed line is written out by hand.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { keyToJson, serializeKey } from '../core/keyJson.ts';
import { generateKey } from '../core/keygen.ts';
import { writeConvMixerFile } from '../io/modelFile.ts';
import { writeSafetensorsFile } from '../io/safetensors.ts';
import { type ResNetConfig, resnetTensorSpecs } from '../model/resnet.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { helpText, runInProcess } from '../../properties/cliInProcess.ts';
import { engineTuning } from './tuning.ts';

/** What each createEngine call was asked for. */
const made: { engine?: string; options: Record<string, unknown> }[] = [];
let fallback: string | undefined;

vi.mock('../engine/factory.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../engine/factory.ts')>();
  const { classZeroEngine } = await import('../../properties/classZeroEngine.ts');
  const standIn = (config: { classes: number }) => classZeroEngine(config, { name: 'stand-in', backend: 'none', threads: 3, version: 'v9', ...(fallback === undefined ? {} : { fallback }) });
  return {
    ...real,
    createEngine: vi.fn(async (w: { config: { classes: number } }, _unused: unknown, options: Record<string, unknown>) => {
      made.push({ options });
      return standIn(w.config);
    }),
    createResNetEngine: vi.fn(async (w: { config: { classes: number } }, options: Record<string, unknown>) => {
      made.push({ engine: 'resnet', options });
      return standIn(w.config);
    }),
  };
});

// The reports' PNG rasterizer (seconds per plot) is replaced by a stand-in: the CLI never looks at the pixels.
vi.mock('../plots/render.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../plots/render.ts')>()),
  svgToPng: () => new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
}));

// engineTuning, spied on (the real one runs): what evaluate hands it
vi.mock('./tuning.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./tuning.ts')>();
  return { ...real, engineTuning: vi.fn(real.engineTuning) };
});

// The official sums, as a copy this file may change: a test makes the committed sample's md5 the "official" one.
vi.mock('../io/cifarFetch.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../io/cifarFetch.ts')>();
  return { ...real, CIFAR10_SUMS: { ...real.CIFAR10_SUMS, files: { ...real.CIFAR10_SUMS.files } } };
});

const SAMPLE = new URL('../../golden/data/test_batch_first1000.bin', import.meta.url).pathname;
const C_MATRICES = new URL('../../golden/runs/cpu-20ep/system-c-matrices.safetensors', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-evaluate-units-'));
const cifar = join(dir, 'cifar');
const model = join(dir, 'model.safetensors');
const key = join(dir, 'key.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  mkdirSync(cifar);
  copyFileSync(SAMPLE, join(cifar, 'test_batch.bin'));
  writeConvMixerFile(model, randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 }, 'evaluate-units'), { 'cipherpatch.model': 'ConvMixer' });
  writeFileSync(key, serializeKey(generateKey({ blockSize: 4, channels: 3, seed: 'evaluate-units' }), { kind: 'seed', seed: 'evaluate-units' }));
});
beforeEach(() => {
  made.length = 0;
  fallback = undefined;
});

const run = runInProcess;

/** The share of label 0 among the first n sample images, as evaluate prints it ("25.00 %"). */
function labelZeroPercent(n: number): string {
  const bytes = readFileSync(SAMPLE);
  let zeros = 0;
  for (let i = 0; i < n; i++) if (bytes[i * 3073] === 0) zeros++;
  return `${((100 * zeros) / n).toFixed(2)} %`;
}

const workers = Math.max(1, availableParallelism());
const base = (report: string, ...rest: string[]) => ['evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', report, ...rest];

describe('evaluate --help', () => {
  it('names every option and the examples', async () => {
    // kills evaluate.ts:63-94 (StringLiteral: the descriptions, the defaults named in words, the examples)
    const h = await helpText('evaluate');
    for (const text of [
      "run System A's experiment on the CIFAR-10 test set: plain model, encrypted model, right and wrong keys (Table 1, Figs. 4–5); the same for System C with a random orthogonal matrix for a key; for a System B ResNet: right key set, plain images, wrong key sets",
      '--weights <file> plain-trained ConvMixer (System A), or a ResNet trained on transformed images (System B); safetensors, PyTorch state-dict names (required)',
      '--wrong-keys <n> number of random wrong keys (default: 100, or every key of --wrong-keys-file)',
      '--wrong-key-seed <s> wrong key i is derived from "<s>:<i>" (default: "wrong-key")',
      '--limit <n> use only the first n test images (quick runs)',
      '--data <dir> CIFAR-10 binary directory (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)',
      '--report <dir> directory to write the report into (created; must not exist unless --force) (default: "cipherpatch-report")',
      '--force replace a previous report in --report (see README: what --force may replace) (default: false)',
      '--engine <name> inference engine: auto = onnx if onnxruntime-node loads, else tfjs (choices: "auto", "onnx", "tfjs", default: "auto")',
      '--threads <n> onnx: intra-op threads (default: every core)',
      '--execution-provider <name> onnx: onnxruntime execution provider (choices: "cpu", "cuda", default: "cpu")',
      '--backend <name> tfjs backend: auto = tfjs-node-gpu/tfjs-node if installed, else wasm, else cpu (choices: "auto", "wasm", "cpu", "tensorflow", default: "auto")',
      `--workers <n> tfjs: worker threads (each runs its own engine) (default: ${workers})`,
      '--batch-size <n> images per forward pass (default: onnx on the CPU calibrates it for this machine, see --tuning; else 64)',
      '--no-progress never show progress',
      'cipherpatch merge /results/evaluate-shard-*.json --report report/',
      'System B models (a ResNet, recognised by its tensor names) run on onnx or tfjs like ConvMixers (tfjs: one worker, --workers is ignored);',
    ])
      expect(h).toContain(text);
  });

  it('the whole help, as the user reads it (white space runs made one space)', async () => {
    // kills evaluate.ts:66-99 (every StringLiteral of the descriptions and examples); written out from the README's
    // and the options' wording, the worker default being this machine's core count
    expect(await helpText('evaluate')).toBe(
      `Usage: cipherpatch evaluate [options] run System A's experiment on the CIFAR-10 test set: plain model, encrypted model, right and wrong keys (Table 1, Figs. 4–5); the same for System C with a random orthogonal matrix for a key; for a System B ResNet: right key set, plain images, wrong key sets Options: --weights <file> plain-trained ConvMixer (System A), or a ResNet trained on transformed images (System B); safetensors, PyTorch state-dict names (required) --key <file> the secret key JSON (cipherpatch keygen); for System C a random orthogonal matrix (an orthogonal variant key, or a .safetensors holding it as the F64 tensor "right", e.g. golden/runs/cpu-20ep/system-c-matrices.safetensors); for a System B model its key set (a shuffle, negpos or ffx variant key, e.g. golden/system-b/ffx.json), which selects the transform (required) --wrong-keys <n> number of random wrong keys (default: 100, or every key of --wrong-keys-file) --wrong-key-seed <s> wrong key i is derived from "<s>:<i>" (default: "wrong-key") --wrong-keys-file <file> use these explicit wrong keys (a key list JSON, e.g. golden/system-a/wrong-keys.json; System C: a .safetensors with the F64 tensor "wrong", n × p_b × p_b) instead of seeded ones --limit <n> use only the first n test images (quick runs) --data <dir> CIFAR-10 binary directory (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin) --report <dir> directory to write the report into (created; must not exist unless --force) (default: "cipherpatch-report") --force replace a previous report in --report (see README: what --force may replace) (default: false) --engine <name> inference engine: auto = onnx if onnxruntime-node loads, else tfjs (choices: "auto", "onnx", "tfjs", default: "auto") --threads <n> onnx: intra-op threads (default: every core) --execution-provider <name> onnx: onnxruntime execution provider (choices: "cpu", "cuda", default: "cpu") --backend <name> tfjs backend: auto = tfjs-node-gpu/tfjs-node if installed, else wasm, else cpu (choices: "auto", "wasm", "cpu", "tensorflow", default: "auto") --workers <n> tfjs: worker threads (each runs its own engine) (default: ${workers}) --batch-size <n> images per forward pass (default: onnx on the CPU calibrates it for this machine, see --tuning; else 64) --tuning <mode> onnx on the CPU without --batch-size: auto = a cached calibration of batch size and thread spinning, measured on first use when the run is long enough; refresh = measure again; off = batch 64, sleeping threads (default: $CIPHERPATCH_TUNING, else auto) --progress show progress on stderr (the default: bars on a terminal, a line every few seconds otherwise) --no-progress never show progress --shard <i/n> run shard i of n (i from 0 to n − 1; auto/n: i from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or $SLURM_ARRAY_TASK_ID − $SLURM_ARRAY_TASK_MIN; env:VAR/n: from $VAR): the base passes and wrong keys ⌊i·K/n⌋ … ⌊(i+1)·K/n⌋ − 1 of K, into a shard file for cipherpatch merge instead of a report --shard-out <file> with --shard: the shard file to write; {i} and {n} become the index and count (default: evaluate-shard-{i}-of-{n}.json) -h, --help display help for command Examples: cipherpatch evaluate --weights convmixer.safetensors --key key.json --wrong-keys 100 --report report/ cipherpatch evaluate --weights golden/runs/cpu-20ep/model.safetensors --key golden/runs/cpu-20ep/system-c-matrices.safetensors \\ --wrong-keys-file golden/runs/cpu-20ep/system-c-matrices.safetensors --report report-c/ # System C cipherpatch evaluate --weights golden/runs/system-b-cpu/ffx/model.safetensors --key golden/system-b/ffx.json --wrong-keys 10 --report report-b/ System B models (a ResNet, recognised by its tensor names) run on onnx or tfjs like ConvMixers (tfjs: one worker, --workers is ignored); wrong key sets come from the key set's variant, seeded by --wrong-key-seed, or from --wrong-keys-file (golden/system-b/wrong-keys-*.json). Sharding (README, "Sharding"): run shards 0 … n−1 anywhere, then merge their files into the report one run writes: cipherpatch evaluate --weights m.safetensors --key key.json --wrong-keys 1000 --shard 3/10 # writes evaluate-shard-3-of-10.json cipherpatch evaluate … --shard auto/10 --shard-out /results/evaluate-shard-{i}-of-{n}.json # Kubernetes Indexed Job, Slurm array cipherpatch merge /results/evaluate-shard-*.json --report report/`,
    );
  });

  it('the numeric options name themselves when refused', async () => {
    // kills evaluate.ts:78, :81, :82 (positiveInteger('--threads' / '--workers' / '--batch-size'))
    for (const flag of ['--threads', '--workers', '--batch-size']) {
      const r = await run('evaluate', '--weights', model, '--key', key, flag, '0');
      expect([r.code, r.err[0]]).toEqual([2, `error: option '${flag} <n>' argument '0' is invalid. ${flag} must be a positive integer, got "0"`]);
    }
  });

  it('a bad --engine or --limit is a usage error', async () => {
    // kills evaluate.ts:72, :80 (the choices, the parsers' flag names)
    const e = await run(...base(join(dir, 'u'), '--engine', 'gpu'));
    expect([e.code, e.err[0]]).toEqual([2, "error: option '--engine <name>' argument 'gpu' is invalid. Allowed choices are auto, onnx, tfjs."]);
    const l = await run('evaluate', '--weights', model, '--key', key, '--limit', '0');
    expect([l.code, l.err[0]]).toEqual([2, 'error: option \'--limit <n>\' argument \'0\' is invalid. --limit must be a positive integer, got "0"']);
    const w = await run('evaluate', '--weights', model, '--key', key, '--wrong-keys', '-1');
    expect([w.code, w.err[0]]).toEqual([2, 'error: option \'--wrong-keys <n>\' argument \'-1\' is invalid. --wrong-keys must be a non-negative integer, got "-1"']);
  });
});

describe('evaluate, System A', () => {
  it('prints the run, the engine, Table 1\'s rows and the wrong keys, and writes the report', async () => {
    // kills evaluate.ts:118-150 (the first line, the passes, engine options, the rows, their padding, the summary line, the report line)
    const report = join(dir, 'report-a');
    const r = await run(...base(report, '--wrong-keys', '2'));
    const p = labelZeroPercent(8);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err).toEqual([`evaluate: 8 test images, 2 wrong keys, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`]);
    expect(r.out[0]).toMatch(/^engine: stand-in \(none, 3 thread\(s\), v9\); \d+\.\d images\/s$/);
    // rows padded to the longest text ("encrypted model, plain images:", 30) + 5
    expect(r.out.slice(1)).toEqual([
      `plain model, plain images:         ${p}`,
      `encrypted model, plain images:     ${p}`,
      `encrypted model, right key:        ${p} (0 predictions differ from plain)`,
      `encrypted model, 2 wrong keys:   median ${p} [min ${p}, max ${p}]`,
      `report: ${report}/ (report.json, report.md, wrong-keys.svg, wrong-keys.png, examples.png)`,
    ]);
    expect(readdirSync(report).sort()).toEqual(['.cipherpatch-report', 'examples.png', 'report.json', 'report.md', 'wrong-keys.png', 'wrong-keys.svg']);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect([json.weights, json.keyFile, json.images]).toEqual([model, key, 8]);
    // describeData: the sample's test_batch.bin is not the official file (its md5, computed here, is named)
    const { createHash } = await import('node:crypto');
    const md5 = createHash('md5').update(readFileSync(SAMPLE)).digest('hex');
    expect(json.data).toBe(`CIFAR-10-format test data in ${cifar} (test_batch.bin md5 ${md5} is not the official one)`);
    expect(json.command).toMatch(/^cipherpatch( |$)/);
    // 3 base passes + 2 wrong keys, each engine asked for exactly what the flags say (tfjs: the untuned batch of 64)
    expect(made.length).toBeGreaterThan(0);
    for (const m of made) expect(m.options).toEqual({ engine: 'tfjs', backend: 'auto', workers, threads: undefined, executionProvider: 'cpu', batchSize: 64 });
  });

  it('one wrong key, --batch-size, --threads, --workers, a fallback note', async () => {
    // kills evaluate.ts:118 (plural), :120-121 (tuned batch size handed on), the fallback note
    const report = join(dir, 'report-a1');
    fallback = 'onnxruntime-node did not load (stand-in)';
    const r = await run(...base(report, '--wrong-keys', '1', '--batch-size', '5', '--threads', '2', '--workers', '1', '--backend', 'cpu'));
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err).toEqual(['evaluate: 8 test images, 1 wrong key, engine tfjs (onnx: cpu, 2 thread(s); tfjs: backend cpu, 1 worker(s))']);
    expect(r.out[0]).toMatch(/^engine: stand-in \(none, 3 thread\(s\), v9\); \d+\.\d images\/s; onnxruntime-node did not load \(stand-in\)$/);
    expect(r.out[4]).toBe(`encrypted model, 1 wrong key:   median ${labelZeroPercent(8)} [min ${labelZeroPercent(8)}, max ${labelZeroPercent(8)}]`);
    for (const m of made) expect(m.options).toEqual({ engine: 'tfjs', backend: 'cpu', workers: 1, threads: 2, executionProvider: 'cpu', batchSize: 5 });
  });

  it('the data is named the official test set when test_batch.bin has the official md5', async () => {
    // kills evaluate.ts:55-56 (describeData: the md5 comparison and the official wording)
    const { CIFAR10_SUMS } = await import('../io/cifarFetch.ts');
    const { createHash } = await import('node:crypto');
    const files = CIFAR10_SUMS.files as Record<string, string>;
    const official = files['test_batch.bin'];
    files['test_batch.bin'] = createHash('md5').update(readFileSync(SAMPLE)).digest('hex');
    try {
      const report = join(dir, 'report-official');
      expect((await run(...base(report, '--wrong-keys', '0'))).code).toBe(0);
      expect(JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')).data).toBe('CIFAR-10 test set (official binary batches, md5-verified)');
    } finally {
      files['test_batch.bin'] = official;
    }
  });

  it('progress goes to stderr unless --no-progress', async () => {
    // kills evaluate.ts:217 (o.progress === false ? silentProgress : progressFor())
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const quiet = base(join(dir, 'report-quiet'), '--wrong-keys', '0');
      expect((await run(...quiet)).code).toBe(0);
      expect(writes).toEqual([]);
      const shown = quiet.filter((a) => a !== '--no-progress').map((a) => (a.endsWith('report-quiet') ? join(dir, 'report-shown') : a));
      expect((await run(...shown)).code).toBe(0);
      expect(writes.length).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('--wrong-keys 0: no summary line, no box plot', async () => {
    // kills evaluate.ts:143 (if (result.wrongKeySummary))
    const report = join(dir, 'report-a0');
    const r = await run(...base(report, '--wrong-keys', '0'));
    expect(r.code).toBe(0);
    expect(r.err[0]).toBe(`evaluate: 8 test images, 0 wrong keys, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`);
    expect(r.out).toHaveLength(5);
    expect(r.out[4]).toBe(`report: ${report}/ (report.json, report.md, examples.png)`);
  });

  it('an explicit wrong-key list (--wrong-keys-file): its length is the count unless --wrong-keys says fewer', async () => {
    // kills evaluate.ts:100-101 (the list read for the model's block size and channels), wrongKeyCount's list length
    const list = join(dir, 'wrong-list.json');
    const keys = [1, 2, 3].map((i) => keyToJson(generateKey({ blockSize: 4, channels: 3, seed: `list-${i}` })));
    writeFileSync(list, JSON.stringify({ format: 'cipherpatch-block-key-list', version: 1, keys }));
    const r = await run(...base(join(dir, 'report-list'), '--wrong-keys-file', list));
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err[0]).toBe(`evaluate: 8 test images, 3 wrong keys, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`);
    const r2 = await run(...base(join(dir, 'report-list2'), '--wrong-keys-file', list, '--wrong-keys', '2'));
    expect(r2.err[0]).toBe(`evaluate: 8 test images, 2 wrong keys, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`);
    const json = JSON.parse(readFileSync(join(dir, 'report-list2', 'report.json'), 'utf8'));
    expect(json.results.wrongKeys.map((w: { permutation: number[] }) => w.permutation)).toEqual(keys.slice(0, 2).map((k) => k.permutation));
    // a list of block-2 keys does not fit the patch-4 model
    const bad = join(dir, 'wrong-list2.json');
    writeFileSync(bad, JSON.stringify({ format: 'cipherpatch-block-key-list', version: 1, keys: [keyToJson(generateKey({ blockSize: 2, channels: 3, seed: 'b' }))] }));
    const b = await run(...base(join(dir, 'never-list'), '--wrong-keys-file', bad));
    expect(b.code).toBe(1);
    expect(b.err[0]).toMatch(/^cipherpatch: error \[key\.wrong-block-size\]/);
  });

  it('an existing --report is kept without --force and replaced with it', async () => {
    // kills evaluate.ts:96 (the report directory declared with its force flag), :126 (overwrite: o.force)
    const report = join(dir, 'report-exists');
    expect((await run(...base(report, '--wrong-keys', '0'))).code).toBe(0);
    writeFileSync(join(report, 'report.md'), 'old');
    made.length = 0;
    const r = await run(...base(report, '--wrong-keys', '0'));
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`cipherpatch: error [output.exists]: ${report} already exists (use --force to replace it)`]);
    expect(made).toEqual([]);
    expect(readFileSync(join(report, 'report.md'), 'utf8')).toBe('old');
    const f = await run(...base(report, '--wrong-keys', '0', '--force'));
    expect(f.code, f.err.join('\n')).toBe(0);
    expect(readFileSync(join(report, 'report.md'), 'utf8')).not.toBe('old');
  });

  it('--report naming an existing file: refused as no report directory', async () => {
    // kills evaluate.ts:101 (kind: 'directory' for the report)
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await run(...base(file, '--wrong-keys', '0'));
    expect([r.code, r.err]).toEqual([1, [`cipherpatch: error [output.not-replaceable]: ${file} exists and cipherpatch will not replace it: it is a file, not a directory cipherpatch wrote. Choose another output directory`]]);
  });

  it('the planned work handed to the tuning: (3 + wrong keys run) passes × images, on 32×32 images', async () => {
    // kills evaluate.ts:138-139 (passes = 3 + wrong keys, or the shard's share; plannedImages; the model's size)
    vi.mocked(engineTuning).mockClear();
    expect((await run(...base(join(dir, 'report-plan'), '--wrong-keys', '2'))).code).toBe(0);
    expect(vi.mocked(engineTuning).mock.calls[0][2]).toEqual({ weights: expect.anything(), height: 32, width: 32, plannedImages: (3 + 2) * 8 });
    vi.mocked(engineTuning).mockClear();
    const shard = await run('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--wrong-keys', '5', '--shard', '1/2', '--shard-out', join(dir, 'plan-{i}.json'));
    expect(shard.code, shard.err.join('\n')).toBe(0);
    // shard 1 of 2 runs wrong keys ⌊5/2⌋ = 2 … 4: 3 of them
    expect(vi.mocked(engineTuning).mock.calls[0][2].plannedImages).toBe((3 + 3) * 8);
  });

  it('a key of another block size is refused before any engine', async () => {
    // kills evaluate.ts:99 (params: the model's patch and channels)
    const k2 = join(dir, 'k2.json');
    writeFileSync(k2, serializeKey(generateKey({ blockSize: 2, channels: 3, seed: 'x' })));
    const r = await run('evaluate', '--weights', model, '--key', k2, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', join(dir, 'never'));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^cipherpatch: error \[key\.wrong-block-size\]/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(made).toEqual([]);
  });
});

describe('evaluate, System C', () => {
  it('the orthogonal matrices: "System C, " heads every row, matrices are named', async () => {
    // kills evaluate.ts:97-98 (isOrthogonalKeyFile, the list read), :104 (System C's label), :131-139 (head, padding with the label)
    const report = join(dir, 'report-c');
    const r = await run('evaluate', '--weights', model, '--key', C_MATRICES, '--wrong-keys-file', C_MATRICES, '--wrong-keys', '2', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', report);
    const p = labelZeroPercent(8);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err).toEqual([`evaluate (System C): 8 test images, 2 wrong matrices, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`]);
    // "System C, " (10) + "encrypted model, plain images:" (30) + 5 = 45
    expect(r.out.slice(1)).toEqual([
      `System C, plain model, plain images:         ${p}`,
      `System C, encrypted model, plain images:     ${p}`,
      `System C, encrypted model, right matrix:     ${p} (0 predictions differ from plain)`,
      `System C, encrypted model, 2 wrong matrices:   median ${p} [min ${p}, max ${p}]`,
      `report: ${report}/ (report.json, report.md, wrong-keys.svg, wrong-keys.png, examples.png)`,
    ]);
  });
});

describe('evaluate, System C: where the wrong matrices come from', () => {
  it('--wrong-keys-file: the first n matrices of its "wrong" tensor (their sha256 in the report); without it seeded ones; a shard says C', async () => {
    // kills evaluate.ts:112 (the orthogonal list read only when --wrong-keys-file is given), :113 (id 'C')
    const { readSafetensorsFile } = await import('../io/safetensors.ts');
    const { createHash } = await import('node:crypto');
    const wrong = readSafetensorsFile(C_MATRICES).tensors.get('wrong')!.data as Float64Array;
    // matrix i: 48 × 48 float64 values from i · 2304; its sha256 over the little-endian bytes
    const sha = (i: number) => createHash('sha256').update(new Uint8Array(wrong.buffer, wrong.byteOffset + i * 2304 * 8, 2304 * 8)).digest('hex');
    const report = join(dir, 'report-c-list');
    expect((await run('evaluate', '--weights', model, '--key', C_MATRICES, '--wrong-keys-file', C_MATRICES, '--wrong-keys', '2', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', report)).code).toBe(0);
    const listed = JSON.stringify(JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')).results.wrongKeys);
    expect(listed).toContain(sha(0));
    expect(listed).toContain(sha(1));
    expect(listed).not.toContain(sha(2));
    const seeded = join(dir, 'report-c-seeded');
    const r = await run('evaluate', '--weights', model, '--key', C_MATRICES, '--wrong-keys', '1', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', seeded);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err[0]).toBe(`evaluate (System C): 8 test images, 1 wrong matrix, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`);
    expect(JSON.stringify(JSON.parse(readFileSync(join(seeded, 'report.json'), 'utf8')).results.wrongKeys)).not.toContain(sha(0));
    const s = await run('evaluate', '--weights', model, '--key', C_MATRICES, '--wrong-keys', '1', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--shard', '0/1', '--shard-out', join(dir, 'c-{i}.json'));
    expect(s.code, s.err.join('\n')).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'c-0.json'), 'utf8')).job.system).toBe('C');
  });
});

describe('merge --help', () => {
  it('the whole help, as the user reads it', async () => {
    // kills merge.ts:27-39 (StringLiteral: description, argument, options, examples)
    expect(await helpText('merge')).toBe(
      `Usage: cipherpatch merge [options] <files...> merge the shard files of one evaluate --shard job into its report (the same report.json, report.md and plots as one run), or of one fuzz --shard campaign into one verdict table Arguments: files every shard file of the job, in any order (evaluate-shard-*-of-N.json or fuzz-shard-*-of-N.json) Options: --report <dir> evaluate shards: the report directory to write (created; must not exist unless --force) --json <file> fuzz shards: also write the merged report as JSON --force replace a previous report in --report, or overwrite --json (default: false) -h, --help display help for command Examples: cipherpatch merge evaluate-shard-*-of-10.json --report report/ cipherpatch merge fuzz-shard-0-of-3.json fuzz-shard-1-of-3.json fuzz-shard-2-of-3.json --json ffx.json Merge refuses shards of different jobs, a missing or repeated shard, and shard files of different shard counts. The report's time is the shards' times added up; its command is this merge command.`,
    );
  });
});

describe('evaluate --shard, then merge', () => {
  it('two shards of 3 wrong keys: each names its keys and file; merge writes the report of one run', async () => {
    // kills evaluate.ts:96 (the shard file as output), :117-128 (shardRun, the passes of a shard, writeEvaluateShard), shardNote;
    // evaluateShard.ts:33-67; merge.ts:43-52 (the evaluate branch and its lines)
    const shards = join(dir, 'shards');
    mkdirSync(shards);
    const out = join(shards, 'ev-{i}-of-{n}.json');
    const s0 = await run(...base('unused', '--wrong-keys', '3', '--shard', '0/2', '--shard-out', out).filter((a, i, all) => a !== '--report' && all[i - 1] !== '--report'));
    expect(s0.code, s0.err.join('\n')).toBe(0);
    expect(s0.err).toEqual([`evaluate: 8 test images, 3 wrong keys (shard 0 of 2: 1 of them), engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, ${workers} worker(s))`]);
    // shard 0 of 2 runs keys ⌊0·3/2⌋ = 0 … ⌊1·3/2⌋ − 1 = 0; shard 1 runs 1 … 2
    expect(s0.out[5]).toBe(`shard 0 of 2 (the base passes, wrong keys 0 … 0 of 3): ${join(shards, 'ev-0-of-2.json')}; cipherpatch merge turns the 2 shard files into the report`);
    const s1 = await run('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--wrong-keys', '3', '--shard', '1/2', '--shard-out', out);
    expect(s1.out[5]).toBe(`shard 1 of 2 (the base passes, wrong keys 1 … 2 of 3): ${join(shards, 'ev-1-of-2.json')}; cipherpatch merge turns the 2 shard files into the report`);
    const doc = JSON.parse(readFileSync(join(shards, 'ev-1-of-2.json'), 'utf8'));
    expect(doc.shard).toEqual({ index: 1, count: 2, wrongKeys: { start: 1, end: 3 } });
    const { createHash } = await import('node:crypto');
    expect(doc.job.weightsSha256).toBe(createHash('sha256').update(readFileSync(model)).digest('hex'));
    expect(doc.job.wrongKeySeed).toBe('wrong-key');
    expect(doc.job.engine).toEqual({ engine: 'tfjs', executionProvider: 'cpu', backend: 'auto' });
    // an existing shard file is kept without --force
    const again = await run('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--wrong-keys', '3', '--shard', '1/2', '--shard-out', out);
    expect(again.err).toEqual([`cipherpatch: error [output.exists]: ${join(shards, 'ev-1-of-2.json')} already exists (use --force to overwrite it)`]);
    // kills evaluateShard.ts:64 (overwrite: o.force)
    const forced = await run('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--wrong-keys', '3', '--shard', '1/2', '--shard-out', out, '--force');
    expect(forced.code, forced.err.join('\n')).toBe(0);
    // merge
    const report = join(dir, 'merged');
    const m = await run('merge', join(shards, 'ev-1-of-2.json'), join(shards, 'ev-0-of-2.json'), '--report', report);
    expect(m.code, m.err.join('\n')).toBe(0);
    expect(m.out).toEqual([`merged 2 shards of a System A job: 8 test images, 3 wrong keys`, `report: ${report}/ (report.json, report.md, wrong-keys.svg, wrong-keys.png, examples.png)`]);
    const merged = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(merged.results.wrongKeys.map((w: { index: number }) => w.index)).toEqual([0, 1, 2]);
    // kills merge.ts:49 (each disagreement as a warning on stderr): shard 1's first base pass edited by hand
    const edited = join(shards, 'ev-1-edited.json');
    const doc1 = JSON.parse(readFileSync(join(shards, 'ev-1-of-2.json'), 'utf8'));
    const firstPass = Object.keys(doc1.result.base)[0];
    doc1.result.base[firstPass] = { ...doc1.result.base[firstPass], accuracy: 0.999 };
    writeFileSync(edited, JSON.stringify(doc1));
    const w = await run('merge', join(shards, 'ev-0-of-2.json'), edited, '--report', join(dir, 'merged-warned'));
    expect(w.code, w.err.join('\n')).toBe(0);
    expect(w.err).toEqual([`merge: warning: ${edited}: shard 1's base passes differ from shard 0's in ${firstPass} (the report shows shard 0's)`]);
    // evaluate shards: --json refused, --report required; an existing --report kept
    const j = await run('merge', join(shards, 'ev-0-of-2.json'), join(shards, 'ev-1-of-2.json'), '--json', join(dir, 'x.json'));
    expect(j.err).toEqual(['cipherpatch: error [merge.output]: evaluate shards merge into a report directory: use --report <dir>, not --json']);
    const n = await run('merge', join(shards, 'ev-0-of-2.json'), join(shards, 'ev-1-of-2.json'));
    expect(n.err).toEqual(['cipherpatch: error [merge.output]: evaluate shards merge into a report: name its directory with --report <dir>']);
    const e = await run('merge', join(shards, 'ev-0-of-2.json'), join(shards, 'ev-1-of-2.json'), '--report', report);
    expect(e.err).toEqual([`cipherpatch: error [output.exists]: ${report} already exists (use --force to replace it)`]);
    expect((await run('merge', join(shards, 'ev-0-of-2.json'), join(shards, 'ev-1-of-2.json'), '--report', report, '--force')).code).toBe(0);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });

  it('merge of one shard of one wrong key: singular nouns; outputs checked before the shard files are read', async () => {
    // kills merge.ts:51 (plural: "1 shard", "1 wrong key"), merge.ts:40-42 (the declared --report and --json outputs)
    const file = join(dir, 'single-{i}.json');
    const s0 = await run('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--wrong-keys', '1', '--shard', '0/1', '--shard-out', file);
    expect(s0.code, s0.err.join('\n')).toBe(0);
    const report = join(dir, 'merged-single');
    const m = await run('merge', join(dir, 'single-0.json'), '--report', report);
    expect(m.out[0]).toBe('merged 1 shard of a System A job: 8 test images, 1 wrong key');
    // an existing --report or --json is named before a missing shard file is
    const missing = join(dir, 'no-such-shard.json');
    const r = await run('merge', missing, '--report', report);
    expect(r.err).toEqual([`cipherpatch: error [output.exists]: ${report} already exists (use --force to replace it)`]);
    const json = join(dir, 'existing.json');
    writeFileSync(json, '{}');
    const j = await run('merge', missing, '--json', json);
    expect(j.err).toEqual([`cipherpatch: error [output.exists]: ${json} already exists (use --force to overwrite it)`]);
  });

  it('one shard of one wrong key runs none in shard 0 of 2; --report with --shard and --shard-out alone are refused', async () => {
    // kills evaluateShard.ts:65 (end > start: "none of the"), :34-37 (--shard-out without --shard), evaluate.ts:97 (shard + --report)
    const shards = join(dir, 'shards1');
    mkdirSync(shards);
    const out = join(shards, 's-{i}.json');
    const s0 = await run('evaluate', '--weights', model, '--key', key, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--wrong-keys', '1', '--shard', '0/2', '--shard-out', out);
    expect(s0.code, s0.err.join('\n')).toBe(0);
    expect(s0.out[4]).toBe(`shard 0 of 2 (the base passes, none of the 1 wrong keys): ${join(shards, 's-0.json')}; cipherpatch merge turns the 2 shard files into the report`);
    const withReport = await run(...base(join(dir, 'r'), '--shard', '1/2', '--shard-out', out));
    expect(withReport.err).toEqual(['cipherpatch: error [evaluate.shard-report]: a shard writes its shard file (--shard-out), not a report: cipherpatch merge writes the report from all the shard files']);
    const alone = await run(...base(join(dir, 'r2'), '--shard-out', out));
    expect(alone.err).toEqual(['cipherpatch: error [evaluate.shard-out]: --shard-out names the file of a shard: give --shard i/n too']);
    expect(existsSync(join(dir, 'r2'))).toBe(false);
  });
});

/** A ResNet safetensors file of `config`, every value 0.5 (the stand-in engine never reads them). */
function writeResNet(path: string, config: ResNetConfig): void {
  const tensors = new Map(resnetTensorSpecs(config).map((spec) => [spec.name, { dtype: 'F32' as const, shape: spec.shape, data: new Float32Array(spec.shape.reduce((a, b) => a * b, 1)).fill(0.5) }]));
  writeSafetensorsFile(path, tensors);
}

describe('evaluate, System B', () => {
  const B_KEY = new URL('../../golden/system-b/ffx.json', import.meta.url).pathname;
  const resnet = join(dir, 'resnet.safetensors');
  beforeAll(() => writeResNet(resnet, { width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 10 }));

  it('a ResNet and its key set: the first line names transform, model and engine; rows; the report', async () => {
    // kills evaluate.ts:101-103 (looksLikeResNet), evaluateSystemBCommand (:166-210: the key set, the model line, the
    // engine options, each printed row, the wrong key sets' line, the report line)
    const report = join(dir, 'report-b');
    const r = await run('evaluate', '--weights', resnet, '--key', B_KEY, '--wrong-keys', '2', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', report);
    const p = labelZeroPercent(8);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err).toEqual(['evaluate (System B, ffx): 8 test images, 2 wrong key sets, ResNet (CIFAR variant) width 2, blocks 1/1/1/1, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, 1 worker)']);
    expect(r.out[0]).toMatch(/^engine: stand-in \(none, 3 thread\(s\), v9\); \d+\.\d images\/s$/);
    expect(r.out.slice(1)).toEqual([
      `System B (ffx), right key set:   ${p}`,
      `System B (ffx), plain images:    ${p}`,
      `System B (ffx), 2 wrong key sets: median ${p} [min ${p}, max ${p}]`,
      `report: ${report}/ (report.json, report.md, wrong-keys.svg, wrong-keys.png, examples.png)`,
    ]);
    expect(made.length).toBeGreaterThan(0);
    for (const m of made) expect(m).toEqual({ engine: 'resnet', options: { engine: 'tfjs', backend: 'auto', batchSize: 64, threads: undefined, executionProvider: 'cpu' } });
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect([json.weights, json.keyFile]).toEqual([resnet, B_KEY]);
    expect(JSON.stringify(json)).toContain('ResNet (CIFAR variant) width 2, blocks 1/1/1/1');
  });

  it('ResNet-18\'s blocks are named; one wrong key set; --batch-size and --threads handed on; no summary without wrong keys', async () => {
    // kills evaluate.ts:178 (the "(ResNet-18)" test), :195 (o.batchSize ?? 64), :205 (the summary only with wrong key sets), plural
    const resnet18 = join(dir, 'resnet18.safetensors');
    writeResNet(resnet18, { width: 1, blocks: [2, 2, 2, 2], channels: 3, classes: 10 });
    const r = await run('evaluate', '--weights', resnet18, '--key', B_KEY, '--wrong-keys', '1', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', join(dir, 'report-b18'), '--batch-size', '3', '--threads', '2');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err[0]).toBe('evaluate (System B, ffx): 8 test images, 1 wrong key set, ResNet (CIFAR variant) width 1, blocks 2/2/2/2 (ResNet-18), engine tfjs (onnx: cpu, 2 thread(s); tfjs: backend auto, 1 worker)');
    expect(r.out[3]).toBe(`System B (ffx), 1 wrong key set: median ${labelZeroPercent(8)} [min ${labelZeroPercent(8)}, max ${labelZeroPercent(8)}]`);
    for (const m of made) expect(m).toEqual({ engine: 'resnet', options: { engine: 'tfjs', backend: 'auto', batchSize: 3, threads: 2, executionProvider: 'cpu' } });
    const z = await run('evaluate', '--weights', resnet18, '--key', B_KEY, '--wrong-keys', '0', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', join(dir, 'report-b0'));
    expect(z.out).toHaveLength(4);
    expect(z.out[3]).toBe(`report: ${join(dir, 'report-b0')}/ (report.json, report.md, examples.png)`);
  });

  it('--wrong-keys-file: the listed key sets (their passwords in the report); a key set for 1 channel is refused at the file', async () => {
    // kills evaluate.ts:183 (readSystemBKeyFile with the model's channels), :184 (the list read, for the key's block size and channels)
    const list = new URL('../../golden/system-b/wrong-keys-ffx.json', import.meta.url).pathname;
    const passwords = (JSON.parse(readFileSync(list, 'utf8')) as { keys: { password: string }[] }).keys.map((k) => k.password);
    const report = join(dir, 'report-b-list');
    const r = await run('evaluate', '--weights', resnet, '--key', B_KEY, '--wrong-keys-file', list, '--wrong-keys', '2', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', report);
    expect(r.code, r.err.join('\n')).toBe(0);
    const listed = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')).results.wrongKeys.map((w: { key: { password: string } }) => w.key.password);
    expect(listed).toEqual(passwords.slice(0, 2));
    // a valid key set for 1 channel (p_b = 16) does not fit the 3-channel ResNet
    const oneChannelFlip = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // 7 ones: the count the ffx key parser asks for at p_b = 16 (its key.flip-count message says so)
    const one = join(dir, 'b-key-1ch.json');
    const k = JSON.parse(readFileSync(B_KEY, 'utf8'));
    writeFileSync(one, JSON.stringify({ ...k, channels: 1, flip: oneChannelFlip }));
    const c = await run('evaluate', '--weights', resnet, '--key', one, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', join(dir, 'never-b1'));
    expect(c.code).toBe(1);
    expect(c.err[0]).toMatch(new RegExp(`^cipherpatch: error \\[key\\.wrong-channels\\]: key set ${one}: `));
    // a list of key sets for 1 channel does not fit either
    const oneList = join(dir, 'b-list-1ch.json');
    const l = JSON.parse(readFileSync(list, 'utf8'));
    writeFileSync(oneList, JSON.stringify({ ...l, keys: l.keys.slice(0, 1).map((x: object) => ({ ...x, channels: 1, flip: oneChannelFlip })) }));
    const cl = await run('evaluate', '--weights', resnet, '--key', B_KEY, '--wrong-keys-file', oneList, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', join(dir, 'never-b2'));
    expect(cl.code).toBe(1);
    expect(cl.err[0]).toMatch(new RegExp(`^cipherpatch: error \\[key\\.wrong-channels\\]: key set list ${oneList}, key set 0: `));
    expect(existsSync(join(dir, 'never-b2'))).toBe(false);
  });

  it('an existing System B report is replaced with --force', async () => {
    // kills evaluate.ts:201 (overwrite: o.force for writeSystemBReport)
    const report = join(dir, 'report-b-force');
    const args = ['evaluate', '--weights', resnet, '--key', B_KEY, '--wrong-keys', '0', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', report];
    expect((await run(...args)).code).toBe(0);
    const again = await run(...args, '--force');
    expect(again.code, again.err.join('\n')).toBe(0);
  });

  it('a shard of a System B job names wrong key sets; a broken ResNet names the file', async () => {
    // kills evaluate.ts:199-201 (writeEvaluateShard for 'B' with "wrong key sets"), :168-170 (the weights path put before the error)
    const r = await run('evaluate', '--weights', resnet, '--key', B_KEY, '--wrong-keys', '3', '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--shard', '1/2', '--shard-out', join(dir, 'b-{i}.json'));
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err[0]).toBe('evaluate (System B, ffx): 8 test images, 3 wrong key sets (shard 1 of 2: 2 of them), ResNet (CIFAR variant) width 2, blocks 1/1/1/1, engine tfjs (onnx: cpu, all thread(s); tfjs: backend auto, 1 worker)');
    expect(r.out[4]).toBe(`shard 1 of 2 (the base passes, wrong key sets 1 … 2 of 3): ${join(dir, 'b-1.json')}; cipherpatch merge turns the 2 shard files into the report`);
    expect(JSON.parse(readFileSync(join(dir, 'b-1.json'), 'utf8')).job.system).toBe('B');
    // a ResNet whose stem has the wrong number of input channels
    const broken = join(dir, 'broken-resnet.safetensors');
    const tensors = new Map(resnetTensorSpecs({ width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 10 }).map((spec) => [spec.name, { dtype: 'F32' as const, shape: spec.name === 'linear.bias' ? [7] : spec.shape, data: new Float32Array(spec.name === 'linear.bias' ? 7 : spec.shape.reduce((a, b) => a * b, 1)) }]));
    writeSafetensorsFile(broken, tensors);
    const b = await run('evaluate', '--weights', broken, '--key', B_KEY, '--data', cifar, '--limit', '8', '--engine', 'tfjs', '--no-progress', '--report', join(dir, 'never-b'));
    expect(b.code).toBe(1);
    expect(b.err[0]).toMatch(new RegExp(`^cipherpatch: error \\[[a-z.-]+\\]: ${broken}: `));
    expect(existsSync(join(dir, 'never-b'))).toBe(false);
  });
});
