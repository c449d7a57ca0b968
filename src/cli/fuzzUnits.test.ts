/**
 * `cipherpatch fuzz` (and its shards, merged by `cipherpatch merge`)
 * in-process through main(argv, io) (issue 25's mutation runs): the built-in
 * flip variant with one check and one or a few runs (milliseconds), the
 * broken plug-ins of src/variants/fixtures, and --model with a stand-in
 * engine that predicts class 0. The harness's own table is the harness's
 * business (src/variants/*); here: the flags, the refusals, the files and
 * the lines the command itself writes, each written out by hand.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeConvMixerFile } from '../io/modelFile.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { helpText, runInProcess } from '../../properties/cliInProcess.ts';
import { VERSION } from './version.ts';

/** The options of every createEngine call (the stand-in below). */
const made: unknown[] = [];
vi.mock('../engine/factory.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../engine/factory.ts')>();
  const { classZeroEngine } = await import('../../properties/classZeroEngine.ts');
  return {
    ...real,
    createEngine: vi.fn(async (w: { config: { classes: number } }, _unused: unknown, options: unknown) => {
      made.push(options);
      return classZeroEngine(w.config, { name: 'stand-in', backend: 'none', threads: 1, version: 'v0' });
    }),
  };
});

const SAMPLE = new URL('../../golden/data/test_batch_first1000.bin', import.meta.url).pathname;
const FIXTURES = new URL('../variants/fixtures/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-fuzz-units-'));
const cifar = join(dir, 'cifar');
const model = join(dir, 'model.safetensors');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  mkdirSync(cifar);
  copyFileSync(SAMPLE, join(cifar, 'test_batch.bin'));
  writeConvMixerFile(model, randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 }, 'fuzz-units'), { 'cipherpatch.model': 'ConvMixer' });
});

const run = runInProcess;

/** The verdict table's second line: "params …; <runs> runs per property, seed <seed>; <t> s". */
const runsAndSeed = (out: string[]) => /(\d+) runs per property, seed (-?\d+)/.exec(out[0])?.slice(1);

describe('fuzz --help', () => {
  it('names the variants, every option and the examples', async () => {
    // kills fuzz.ts:62-81 (StringLiteral: the description, argument, options and their defaults, examples)
    const h = await helpText('fuzz');
    for (const text of [
      'fuzz a keyed block transform: shape, domain, 8-bit storability, invertibility, keys, key space, and whether a plain-trained model can be adapted exactly (verdict table with counterexamples)',
      'variant a built-in variant (shuffle, flip, system-a, negpos, ffx, ff1, orthogonal, channel-shuffle, block-rotation, block-scramble, per-block-keys) or a module path exporting one (e.g. ./examples/my-variant.ts)',
      '--runs <N> runs per property (secondary properties use a quarter) (default: 100)',
      '--seed <S> fast-check seed (integer; default fixed)',
      '--json <file> also write the whole report as JSON',
      '--force overwrite --json if it exists (default: false)',
      '--only <checks> run only these checks (comma-separated ids or prefixes, e.g. adaptable,norm,blocks)',
      '--path <P> replay one counterexample: the path of its replay line (with --seed and --only)',
      '--limit <N> largest claimed key count to brute-force at tiny sizes (default: 20000)',
      '--model <file> also measure accuracy on this plain-trained ConvMixer (safetensors): plain, right key, wrong keys (the variant needs an adapter, or an exact least-squares one; its block size must equal the patch size)',
      '--data <dir> with --model: CIFAR-10 binary directory (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)',
      '--images <N> with --model: use the first N test images (default 1000)',
      '--wrong-keys <N> with --model: number of wrong keys (default 10)',
      '--key-seed <S> with --model: the right key is generateKey(params, S), wrong key i comes from "S/wrong/i" (default "fuzz")',
      '--shard-out <file> with --shard: the shard file to write; {i} and {n} become the index and count (default: fuzz-shard-{i}-of-{n}.json)',
      'Examples: cipherpatch fuzz system-a cipherpatch fuzz system-a --model golden/runs/cpu/model.safetensors --data <cifar-dir> --images 200 --wrong-keys 5',
      'cipherpatch fuzz ffx --runs 30000 --shard 2/3 # then: cipherpatch merge fuzz-shard-*-of-3.json --json ffx.json The plug-in contract: src/variants/contract.ts (README, "Fuzzing transform variants").',
    ])
      expect(h).toContain(text);
    expect(h).toContain('run shard i of n (i from 0 to n − 1; auto/n: i from $JOB_COMPLETION_INDEX');
  });
});

describe('fuzz', () => {
  it('runs the battery with --runs and --seed (default seed 20220723), prints the table, exit 0', async () => {
    // kills fuzz.ts:64-65 (--runs default and parser, the integer --seed), :95-102 (runs, seed, only handed to the harness)
    // (the default of 100 runs is pinned by the help test: a whole default run takes seconds)
    const d = await run('fuzz', 'flip', '--only', 'invertible', '--runs', '2');
    expect(d.code).toBe(0);
    expect(d.out[0]).toMatch(/^cipherpatch fuzz: flip — /);
    expect(runsAndSeed(d.out)).toEqual(['2', '20220723']);
    expect(d.out[0]).toMatch(/\n {2}invertible +pass/);
    expect(d.out[0]).not.toMatch(/\n {2}(shape|domain|storable) /); // --only: only invertible (and the contract)
    const s = await run('fuzz', 'flip', '--only', 'invertible', '--runs', '3', '--seed', '-7');
    expect(runsAndSeed(s.out)).toEqual(['3', '-7']);
    expect(s.out).toHaveLength(1);
    expect(s.err).toEqual([]);
    // kills fuzz.ts:111 (trimEnd: the table is one entry without trailing blank lines)
    expect(s.out[0]).toBe(s.out[0].trim());
    expect(s.out[0].endsWith('invertible  pass  exactly')).toBe(true);
  });

  it('--seed must be an integer; --runs positive', async () => {
    // kills fuzz.ts:54-57 (integer(): the anchors, the sign, the safe-integer check, the message)
    // kills fuzz.ts:53 (the ^ and $ anchors and \d+: Number() alone would take " 1", "1 ", "0x10")
    expect(runsAndSeed((await run('fuzz', 'flip', '--only', 'invertible', '--runs', '1', '--seed', '-17')).out)).toEqual(['1', '-17']);
    for (const bad of ['1.5', 'x', '1x', 'x1', '--', '', '99999999999999999999', ' 1', '1 ', '0x10']) {
      const r = await run('fuzz', 'flip', '--seed', bad);
      expect([r.code, r.err[0]], bad).toEqual([2, `error: option '--seed <S>' argument '${bad}' is invalid. --seed must be an integer, got "${bad}"`]);
    }
    const r = await run('fuzz', 'flip', '--runs', '0');
    expect(r.err[0]).toBe('error: option \'--runs <N>\' argument \'0\' is invalid. --runs must be a positive integer, got "0"');
    // kills fuzz.ts:72-73 (the flag names of --images and --wrong-keys)
    expect((await run('fuzz', 'flip', '--images', '0')).err[0]).toBe('error: option \'--images <N>\' argument \'0\' is invalid. --images must be a positive integer, got "0"');
    expect((await run('fuzz', 'flip', '--wrong-keys', '-1')).err[0]).toBe('error: option \'--wrong-keys <N>\' argument \'-1\' is invalid. --wrong-keys must be a non-negative integer, got "-1"');
    const l = await run('fuzz', 'flip', '--limit', '0');
    expect(l.err[0]).toBe('error: option \'--limit <N>\' argument \'0\' is invalid. --limit must be a positive integer, got "0"');
  });

  it('--only: comma-separated, blanks trimmed and empty entries dropped; --path needs exactly one check', async () => {
    // kills fuzz.ts:68 (split, trim, filter), :90 (the replay check: undefined or not one check, its message)
    const two = await run('fuzz', 'flip', '--runs', '1', '--only', ' invertible , deterministic ,,');
    expect(two.code).toBe(0);
    expect(two.out[0]).toMatch(/\n {2}invertible +pass/);
    expect(two.out[0]).toMatch(/\n {2}deterministic +pass/);
    const message = 'cipherpatch: error [fuzz.replay]: --path replays one counterexample: name its check with --only (as the replay line does)';
    expect((await run('fuzz', 'flip', '--path', '0:0')).err).toEqual([message]);
    expect((await run('fuzz', 'flip', '--path', '0:0', '--only', 'invertible,deterministic')).err).toEqual([message]);
    const one = await run('fuzz', 'flip', '--runs', '1', '--only', 'invertible,', '--path', '0');
    expect(one.err).toEqual([]);
    expect(one.code).toBe(0);
  });

  it('--data, --images, --wrong-keys, --key-seed need --model: named, in the singular or plural', async () => {
    // kills fuzz.ts:95-99 (the stray flags, their --kebab-case names, applies/apply)
    const one = await run('fuzz', 'flip', '--images', '5');
    expect([one.code, one.err]).toEqual([1, ['cipherpatch: error [fuzz.model-options]: --images only applies with --model <file>']]);
    const two = await run('fuzz', 'flip', '--data', cifar, '--wrong-keys', '2', '--key-seed', 's');
    expect(two.err).toEqual(['cipherpatch: error [fuzz.model-options]: --data, --wrong-keys, --key-seed only apply with --model <file>']);
  });

  it('a module that is no variant: the problem on stdout, exit 1', async () => {
    // kills fuzz.ts:100-103 (loaded.problem, the printed problem, the error)
    const spec = join(FIXTURES, 'no-export.ts');
    const r = await run('fuzz', spec);
    expect(r.code).toBe(1);
    expect(r.out).toEqual(['the module does not satisfy the variant contract (src/variants/contract.ts):\n  [contract.no-export] the module exports no variant: export default defineVariant({ ... }) (it exports answer, helper)']);
    expect(r.err).toEqual([`cipherpatch: error [fuzz.contract]: ${spec} does not satisfy the variant contract (see above)`]);
  });

  it('a variant that breaks the contract on a run: the table, then exit 1 naming 1 problem; --json still written', async () => {
    // kills fuzz.ts:133 (report.contract.length > 0, "problem" singular), :127-131 (--json written before the verdict)
    const spec = join(FIXTURES, 'wrong-shape.ts');
    const json = join(dir, 'wrong-shape.json');
    const r = await run('fuzz', spec, '--runs', '1', '--only', 'shape', '--json', json);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^cipherpatch fuzz: wrong-shape — /);
    expect(r.out[1]).toBe(`wrote ${json}`);
    expect(r.err).toEqual([`cipherpatch: error [fuzz.contract]: ${spec} does not satisfy the variant contract: 1 problem (see above)`]);
    expect(JSON.parse(readFileSync(json, 'utf8')).contract).toHaveLength(1);
  });

  it('--json: the whole report, never over an existing file without --force', async () => {
    // kills fuzz.ts:84 (the --json output declared, with its force), :127-130 (the file, overwrite: opts.force, the line)
    const json = join(dir, 'flip.json');
    const r = await run('fuzz', 'flip', '--runs', '2', '--only', 'invertible', '--json', json);
    expect(r.code).toBe(0);
    expect(r.out[1]).toBe(`wrote ${json}`);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.variant.name).toBe('flip');
    expect(doc.runs).toBe(2);
    expect(doc.accuracy).toBeUndefined();
    writeFileSync(json, 'keep');
    const again = await run('fuzz', 'flip', '--runs', '2', '--only', 'invertible', '--json', json);
    expect([again.code, again.out, again.err]).toEqual([1, [], [`cipherpatch: error [output.exists]: ${json} already exists (use --force to overwrite it)`]]);
    expect(readFileSync(json, 'utf8')).toBe('keep');
    expect((await run('fuzz', 'flip', '--runs', '2', '--only', 'invertible', '--json', json, '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8')).variant.name).toBe('flip');
  });
});

describe('fuzz --path', () => {
  it('replays the counterexample at the given path (its replay line names that path, not the shrunk one)', async () => {
    // kills fuzz.ts:105 (the path handed to the harness: dropped by false, ===, {})
    const spec = join(FIXTURES, 'bad-decrypt.ts');
    const replayLine = (out: string[]) => out.join('\n').split('\n').find((l) => l.startsWith('    replay: '));
    const plain = await run('fuzz', spec, '--runs', '5', '--only', 'invertible');
    expect(plain.code).toBe(0);
    expect(replayLine(plain.out)).not.toContain('path: "4" }');
    const replayed = await run('fuzz', spec, '--runs', '5', '--only', 'invertible', '--path', '4');
    expect(replayLine(replayed.out)).toBe(`    replay: { seed: 20220723, path: "4" }  →  cipherpatch fuzz ${spec} --only invertible --seed 20220723 --path "4"`);
  });
});

describe('fuzz: several contract problems', () => {
  it('"6 problems" in the plural', async () => {
    // kills fuzz.ts:136 (problem / problems)
    const spec = join(FIXTURES, 'wrong-types.ts');
    const r = await run('fuzz', spec, '--runs', '1');
    expect([r.code, r.err]).toEqual([1, [`cipherpatch: error [fuzz.contract]: ${spec} does not satisfy the variant contract: 6 problems (see above)`]]);
    expect(r.out[0].split('\n').filter((l) => l.startsWith('  [contract.'))).toHaveLength(6);
  });
});

describe('fuzz --model', () => {
  it('accuracy with the right and wrong keys on the stand-in; the line before, the --json accuracy; engine auto', async () => {
    // kills fuzz.ts:106-125 (withModel, loadModelAndData, the printed line, wrongKeys and keySeed handed on, accuracy in --json)
    const json = join(dir, 'flip-model.json');
    const r = await run('fuzz', 'flip', '--runs', '1', '--only', 'invertible', '--model', model, '--data', cifar, '--images', '4', '--wrong-keys', '1', '--key-seed', 'ks', '--json', json);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err).toEqual([`fuzz: accuracy of flip on ${model}: 4 test images from ${cifar}, 1 wrong key`]);
    expect(r.out).toHaveLength(3);
    expect(r.out[1].startsWith('\n')).toBe(true);
    expect(r.out[2]).toBe(`wrote ${json}`);
    expect(made.length).toBeGreaterThan(0);
    for (const m of made) expect(m).toEqual({ engine: 'auto' });
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.accuracy.model).toBe(model);
    expect(doc.accuracy.data).toBe(cifar);
    expect([doc.accuracy.images, doc.accuracy.keySeed, doc.accuracy.wrongKeys.count, doc.accuracy.wrongKeys.seeds]).toEqual([4, 'ks', 1, ['ks/wrong/0']]);
    // 4 images; class 0 wins, so every accuracy is the share of label 0 among them
    const bytes = readFileSync(SAMPLE);
    const zeros = [0, 1, 2, 3].filter((n) => bytes[n * 3073] === 0).length;
    expect(doc.accuracy.plain.accuracy).toBe(zeros / 4);
    // defaults: 10 wrong keys, "fuzz"
    const d = await run('fuzz', 'flip', '--runs', '1', '--only', 'invertible', '--model', model, '--data', cifar, '--images', '2', '--json', join(dir, 'flip-default.json'));
    expect(d.err).toEqual([`fuzz: accuracy of flip on ${model}: 2 test images from ${cifar}, 10 wrong keys`]);
    const dd = JSON.parse(readFileSync(join(dir, 'flip-default.json'), 'utf8')).accuracy;
    expect([dd.images, dd.keySeed, dd.wrongKeys.count]).toEqual([2, 'fuzz', 10]);
  });

  it('a variant whose block size is not the patch size is refused before the battery', async () => {
    // kills fuzz.ts:42-48 (checkVariantFitsModel on the weights, before the battery)
    const p2 = join(dir, 'p2.safetensors');
    writeConvMixerFile(p2, randomConvMixerWeights({ dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 }, 'p2'), {});
    const r = await run('fuzz', 'flip', '--runs', '1', '--only', 'invertible', '--model', p2, '--data', cifar, '--images', '2');
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toMatch(/^cipherpatch: error \[/);
  });

  it('a broken plug-in with --model: no model is loaded (the contract fails first)', async () => {
    // kills fuzz.ts:106 (validateVariant(...).ok && …)
    const spec = join(FIXTURES, 'wrong-shape.ts');
    made.length = 0;
    const r = await run('fuzz', spec, '--runs', '1', '--only', 'shape', '--model', join(dir, 'missing.safetensors'), '--data', cifar);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`cipherpatch: error [fuzz.contract]: ${spec} does not satisfy the variant contract: 1 problem (see above)`]);
    expect(made).toEqual([]);
  });
});

describe('fuzz --shard, then merge', () => {
  it('two shards of 4 runs: seeds S and S + 1, 2 runs each, their files; merge prints one table and writes --json', async () => {
    // kills fuzzShard.ts:39-68 (the shard, its seed and runs, the file, the job, the line); fuzz.ts:84 (shard output), :95, :104;
    // merge.ts:54-61 (the fuzz branch)
    const shards = join(dir, 'fz');
    mkdirSync(shards);
    const out = join(shards, 'f-{i}-of-{n}.json');
    const s0 = await run('fuzz', 'flip', '--runs', '4', '--only', 'invertible', '--shard', '0/2', '--shard-out', out);
    expect(s0.code, s0.err.join('\n')).toBe(0);
    expect(runsAndSeed(s0.out)).toEqual(['2', '20220723']);
    expect(s0.out[1]).toBe(`wrote ${join(shards, 'f-0-of-2.json')} (shard 0 of 2: seed 20220723, 2 of 4 runs); cipherpatch merge turns the shard files into one report`);
    const s1 = await run('fuzz', 'flip', '--runs', '4', '--only', 'invertible', '--shard', '1/2', '--shard-out', out);
    expect(s1.out[1]).toBe(`wrote ${join(shards, 'f-1-of-2.json')} (shard 1 of 2: seed 20220724, 2 of 4 runs); cipherpatch merge turns the shard files into one report`);
    const doc = JSON.parse(readFileSync(join(shards, 'f-1-of-2.json'), 'utf8'));
    expect(doc.job).toEqual({ cipherpatch: VERSION, variant: 'flip', sourceSha256: null, seed: 20220723, runs: 4, only: ['invertible'], limit: 20000 });
    expect(doc.shard).toMatchObject({ index: 1, count: 2 });
    // a shard file is never overwritten without --force
    // kills fuzz.ts:104 (the shard's own seed handed to the harness: its table says S + 1)
    expect(runsAndSeed(s1.out)).toEqual(['2', '20220724']);
    const again = await run('fuzz', 'flip', '--runs', '4', '--only', 'invertible', '--shard', '1/2', '--shard-out', out);
    // kills fuzz.ts:84 (the shard file is an output checked before the battery runs: nothing printed)
    expect(again.out).toEqual([]);
    expect(again.err).toEqual([`cipherpatch: error [output.exists]: ${join(shards, 'f-1-of-2.json')} already exists (use --force to overwrite it)`]);
    expect((await run('fuzz', 'flip', '--runs', '4', '--only', 'invertible', '--shard', '1/2', '--shard-out', out, '--force')).code).toBe(0);
    // merge
    const json = join(dir, 'merged.json');
    const m = await run('merge', join(shards, 'f-1-of-2.json'), join(shards, 'f-0-of-2.json'), '--json', json);
    expect(m.code, m.err.join('\n')).toBe(0);
    expect(m.out).toHaveLength(2);
    expect(m.out[0]).toMatch(/\nmerged from 2 shards \(4 runs per property in all\):\n {2}shard 0: seed 20220723, 2 runs, /);
    expect(m.out[1]).toBe(`wrote ${json}`);
    // kills merge.ts:57 (trimEnd: no trailing blank lines)
    expect(m.out[0]).toBe(m.out[0].trim());
    expect(JSON.parse(readFileSync(json, 'utf8')).runs).toBe(4);
    const kept = await run('merge', join(shards, 'f-1-of-2.json'), join(shards, 'f-0-of-2.json'), '--json', json);
    expect(kept.err).toEqual([`cipherpatch: error [output.exists]: ${json} already exists (use --force to overwrite it)`]);
    expect((await run('merge', join(shards, 'f-1-of-2.json'), join(shards, 'f-0-of-2.json'), '--json', json, '--force')).code).toBe(0);
    const noJson = await run('merge', join(shards, 'f-1-of-2.json'), join(shards, 'f-0-of-2.json'));
    expect([noJson.code, noJson.out.length]).toEqual([0, 1]);
    const report = await run('merge', join(shards, 'f-1-of-2.json'), join(shards, 'f-0-of-2.json'), '--report', join(dir, 'never'));
    expect(report.err).toEqual(['cipherpatch: error [merge.output]: fuzz shards merge into a verdict table (and --json <file>), not a report directory']);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('a plug-in shard records the module\'s sha256; a contract failure in the shards fails the merge', async () => {
    // kills fuzzShard.ts:55 (sourceSha256 of a module), merge.ts:62 (the contract verdict and its message)
    const spec = join(FIXTURES, 'wrong-shape.ts');
    const out = join(dir, 'ws-{i}.json');
    const s = await run('fuzz', spec, '--runs', '1', '--only', 'shape', '--shard', '0/1', '--shard-out', out, '--seed', '5');
    expect(s.code).toBe(1);
    const doc = JSON.parse(readFileSync(join(dir, 'ws-0.json'), 'utf8'));
    expect(doc.job.sourceSha256).toBe(createHash('sha256').update(readFileSync(spec)).digest('hex'));
    expect(doc.job.seed).toBe(5);
    expect(doc.job.only).toEqual(['shape']);
    const m = await run('merge', join(dir, 'ws-0.json'));
    expect(m.code).toBe(1);
    expect(m.err).toEqual(['cipherpatch: error [fuzz.contract]: wrong-shape does not satisfy the variant contract (see above)']);
    // without --only the job records null
    const all = await run('fuzz', spec, '--runs', '1', '--shard', '0/1', '--shard-out', join(dir, 'all-{i}.json'));
    expect(all.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'all-0.json'), 'utf8')).job.only).toBeNull();
  });

  it('refused with --shard: --json, --path, --model; --shard-out alone', async () => {
    // kills fuzzShard.ts:39-46 (each refusal and its message)
    const shard = ['fuzz', 'flip', '--runs', '2', '--shard', '0/2', '--shard-out', join(dir, 'r-{i}.json')];
    expect((await run(...shard, '--json', join(dir, 'j.json'))).err).toEqual(['cipherpatch: error [fuzz.shard-json]: a shard writes its shard file (--shard-out), not --json: cipherpatch merge --json writes the merged report']);
    expect((await run(...shard, '--path', '0', '--only', 'invertible')).err).toEqual(['cipherpatch: error [fuzz.shard-replay]: --path replays one counterexample with a plain fuzz command (its replay line), not in a shard']);
    expect((await run(...shard, '--model', model)).err).toEqual(['cipherpatch: error [fuzz.shard-model]: --model measures accuracy once: run it without --shard']);
    expect((await run('fuzz', 'flip', '--shard-out', join(dir, 'r-{i}.json'))).err).toEqual(['cipherpatch: error [fuzz.shard-out]: --shard-out names the file of a shard: give --shard i/n too']);
    expect(existsSync(join(dir, 'r-0.json'))).toBe(false);
  });
});
