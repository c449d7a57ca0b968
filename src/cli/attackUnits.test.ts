/**
 * Issue 25: `cipherpatch attack <name>` and `cipherpatch attack-report`
 * (src/cli/attack.ts, src/cli/attack/*.ts, src/cli/attackReport.ts)
 * in-process through main(argv, io), so Stryker's mutants are reached: a
 * 12-image CIFAR-10 file, a tiny ConvMixer (patch 4, 3 channels, p_b = 48)
 * and its key written to a temporary folder, and the engine factory stood in
 * by an engine that predicts class 0 for every image (the report's PNG
 * rendering by a stub). The labels alternate
 * 0, 1, so every accuracy is 50 % whatever the key: the printed numbers are
 * worked by hand from that. Mutant names: FILE:LINE mutator.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../engine/engine.ts';
import { serializeKey } from '../core/keyJson.ts';
import { generateKey } from '../core/keygen.ts';
import { imageBatch } from '../core/images.ts';
import { encodeCifarRecords } from '../io/cifar10.ts';
import { writeConvMixerFile } from '../io/modelFile.ts';
import { type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import { encryptModel } from '../model/encryptModel.ts';
import { shuffle, systemA } from '../variants/builtin/systemA.ts';
import { buildProgram, main } from './main.ts';

/** Logits that put every image in class 0. */
const classZero = vi.hoisted(() => (count: number, classes: number) => {
  const out = new Float32Array(count * classes);
  for (let n = 0; n < count; n++) out[n * classes] = 1;
  return out;
});
const engines = vi.hoisted(() => ({ made: [] as { threads?: number; engine?: string }[], disposed: 0, batches: [] as { data: number[]; layout: string }[] }));
vi.mock('../engine/factory.ts', () => ({
  createEngine: async (weights: ConvMixerWeights, _config: unknown, options: { engine?: string; threads?: number }) => {
    engines.made.push({ ...options });
    const engine: Engine = {
      name: 'stand-in',
      backend: 'none',
      threads: options.threads ?? 1,
      version: 'test',
      config: weights.config,
      logits: async (batch) => (engines.batches.push({ data: Array.from(batch.data), layout: batch.layout }), classZero(batch.shape.count, weights.config.classes)),
      logitsNormalized: async (batch) => classZero(batch.shape.count, weights.config.classes),
      dispose: () => void engines.disposed++,
    };
    return engine;
  },
}));

// The report's PNGs are drawn by resvg (src/plots/render.test.ts tests that); here a stand-in keeps the report fast.
vi.mock('../plots/render.ts', async (importOriginal) => ({ ...(await importOriginal<typeof import('../plots/render.ts')>()), svgToPng: () => Uint8Array.of(137, 80, 78, 71) }));

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-attack-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  engines.made = [];
  engines.disposed = 0;
  engines.batches = [];
});

// 12 CIFAR-10 records: labels 0, 1, 0, 1, …; pixel i of image n = (37n + 7i² + 5i) mod 251.
const COUNT = 12;
const data = join(dir, 'test.bin');
const pixels = Uint8Array.from({ length: COUNT * 3072 }, (_, j) => {
  const n = Math.floor(j / 3072);
  const i = j % 3072;
  return (37 * n + 7 * i * i + 5 * i) % 251;
});
writeFileSync(data, encodeCifarRecords(Uint8Array.from({ length: COUNT }, (_, n) => n % 2), imageBatch(pixels, { count: COUNT, height: 32, width: 32, channels: 3 }, 'NCHW')));
const config = { dim: 8, depth: 1, kernel: 3, patch: 4, channels: 3, classes: 10 };
const weights = randomConvMixerWeights(config, 'attack-units');
const model = join(dir, 'model.safetensors');
writeConvMixerFile(model, weights, {});
const key = generateKey({ blockSize: 4, channels: 3, seed: 'attack-units' });
const keyFile = join(dir, 'key.json');
writeFileSync(keyFile, serializeKey(key));
const encryptedModel = join(dir, 'encrypted.safetensors');
writeConvMixerFile(encryptedModel, encryptModel(weights, key), {});

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'cipherpatch', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

const SECONDS = /^\d+\.\d+$/;
/** The lines printed, with the temporary folder written <dir> and every "<number> s" written "<t> s". */
const shown = (lines: string[]) => lines.map((l) => l.split(dir).join('<dir>').replace(/\d+\.\d+ s\b/g, '<t> s'));
const error = (check: string, message: string) => [`cipherpatch: error [${check}]: ${message}`];
const json = (name: string) => join(dir, name);
const readJson = (name: string) => JSON.parse(readFileSync(json(name), 'utf8'));
const keyEntries = { permutation: Array.from(key.permutation), flip: Array.from(key.flip) };

// First in the file: Stryker stops at a mutant's first failing test, and every command's text is built by each test.
describe('attack commands: help', () => {
  // Every attack command and option says what it does, and an option whose help names its default
  // ("(default 300)", "(default 1,2,4)") has that default. Kills the description and help-text StringLiterals of
  // attack.ts, attack/*.ts and attackReport.ts, and defaults that disagree with their help.
  it('every command and option is described; the defaults named are the defaults', () => {
    const program = buildProgram({ out: () => {}, err: () => {} });
    const attack = program.commands.find((c) => c.name() === 'attack')!;
    const report = program.commands.find((c) => c.name() === 'attack-report')!;
    const commands = [attack, report, ...attack.commands];
    expect(attack.commands.map((c) => c.name()).sort()).toEqual(['ciphertext-only', 'greedy', 'known-plaintext', 'leaked-model', 'partial-key', 'random-key']);
    let named = 0;
    for (const c of commands) {
      expect(c.description().length, c.name()).toBeGreaterThan(20);
      for (const o of c.options) {
        expect(o.description.length, `${c.name()} ${o.flags}`).toBeGreaterThan(5);
        const d = /\(default:? ([\d,]+)\)/.exec(o.description);
        if (d && o.defaultValue !== undefined) {
          named++;
          expect(String(o.defaultValue), `${c.name()} ${o.flags}`).toBe(d[1]);
        }
      }
    }
    expect(named).toBeGreaterThan(20);
    // The text after the options: where each attack's options are, and which test images the report uses.
    const helpOf = (c: typeof attack) => {
      const lines: string[] = [];
      c.configureOutput({ writeOut: (t) => lines.push(t) });
      c.outputHelp();
      return lines.join('');
    };
    expect(helpOf(attack)).toContain('cipherpatch attack <name> --help');
    expect(helpOf(report)).toMatch(/evaluation set[\s\S]*--reference[\s\S]*--greedy-images/);
  });
});

describe('attack known-plaintext', () => {
  // One 32×32 pair holds (32/4)² = 64 blocks of 4×4; the exact attack recovers the key. Kills attack/knownPlaintext.ts
  // (the lines printed, the default method for a uint8 variant, --pairs, the JSON) and attack/output.ts (writeJson).
  it('recovers System A\'s key from one pair, prints and writes it', async () => {
    const r = await run('attack', 'known-plaintext', '--data', data, '--key', keyFile, '--json', json('kp.json'));
    expect(r.code).toBe(0);
    expect(shown(r.out).slice(0, 2)).toEqual(['known-plaintext on system-a: 1 image pair from <dir>/test.bin (64 blocks), method signed-permutation', '  key recovered: yes, fraction correct 1.000']);
    expect(shown(r.out)[2]).toMatch(/^  blocks needed for the exact key: \d+; ambiguous positions 0, inconsistent 0; <t> s$/);
    expect(shown(r.out).slice(3)).toEqual(['wrote <dir>/kp.json']);
    const j = readJson('kp.json');
    expect([j.variant, j.data, j.keyRecovered, j.fractionCorrect, j.permutation, j.flip]).toEqual(['system-a', data, true, 1, keyEntries.permutation, keyEntries.flip]);
    expect(r.out[2]).toContain(`exact key: ${j.blocksNeeded};`);
    // Two pairs: 128 blocks, "pairs"; the key from --key-seed when no --key is given (the variant's own generateKey).
    const two = await run('attack', 'known-plaintext', '--data', data, '--pairs', '2', '--key-seed', 'k2');
    expect(shown(two.out)[0]).toBe('known-plaintext on system-a: 2 image pairs from <dir>/test.bin (128 blocks), method signed-permutation');
    expect(two.out[1]).toBe('  key recovered: yes, fraction correct 1.000');
  });

  // System C (real values): least squares by default; p_b = 48 unknowns per row need 48 blocks. Kills the linear
  // branch (lines, --blocks, the offset only for non-real domains, the truth only for orthogonal, JSON).
  it('fits System C by least squares, and says when the blocks do not determine it', async () => {
    const r = await run('attack', 'known-plaintext', '--data', data, '--variant', 'orthogonal', '--pairs', '2', '--json', json('kpc.json'));
    expect(r.code).toBe(0);
    expect(shown(r.out).slice(0, 2)).toEqual(['known-plaintext on orthogonal: 2 image pairs from <dir>/test.bin (128 blocks), method linear', '  map recovered: yes (needs 48 independent blocks, used 128)']);
    expect(r.out[2]).toMatch(/^  residual \d\.\d+e-\d+, held-out residual n\/a, max \|Q̂ − Q\| \d\.\d+e-\d+; \d+\.\d{3} s$/);
    const j = readJson('kpc.json');
    // No offset is fitted on real values (System C is linear): the offset stays exactly 0.
    expect([j.variant, j.keyRecovered, j.blocksNeeded, j.matrix.length, j.offset.length, j.offset.every((x: number) => x === 0)]).toEqual(['orthogonal', true, 48, 48 * 48, 48, true]);
    expect(j.keyError).toBeLessThan(1e-9);
    const few = await run('attack', 'known-plaintext', '--data', data, '--variant', 'orthogonal', '--blocks', '47');
    expect(shown(few.out).slice(1)).toEqual(['  map recovered: no (needs 48 independent blocks, used 47)', '  residual n/a (under-determined), held-out residual n/a; <t> s']);
  });

  // System A by least squares (--method linear): an affine map (the flips are 255 − x), so the offset is fitted:
  // p_b + 1 = 49 unknowns per row; no truth to compare a matrix with. Kills attack/knownPlaintext.ts:46–47.
  // Without --key and --key-seed the key is the variant's generateKey(seed "attack") (:16).
  it('fits System A\'s affine map by least squares; the default key seed', async () => {
    const r = await run('attack', 'known-plaintext', '--data', data, '--method', 'linear', '--pairs', '2');
    expect(shown(r.out).slice(0, 2)).toEqual(['known-plaintext on system-a: 2 image pairs from <dir>/test.bin (128 blocks), method linear', '  map recovered: yes (needs 49 independent blocks, used 128)']);
    expect(r.out[2]).toMatch(/^  residual [\d.e+-]+, held-out residual n\/a; \d+\.\d{3} s$/);
    const d = await run('attack', 'known-plaintext', '--data', data, '--json', json('kpd.json'));
    expect(d.code).toBe(0);
    expect(readJson('kpd.json').permutation).toEqual(Array.from(systemA.generateKey(systemA.params, 'attack').permutation));
  });

  // Kills the method checks and their messages.
  it('refuses an unknown method, and the exact method on real values', async () => {
    expect((await run('attack', 'known-plaintext', '--data', data, '--method', 'guess')).err).toEqual(error('attack.method', 'unknown method "guess": use signed-permutation or linear'));
    const r = await run('attack', 'known-plaintext', '--data', data, '--variant', 'orthogonal', '--method', 'signed-permutation');
    expect([r.code, r.err]).toEqual([1, error('attack.method', 'signed-permutation needs a uint8 variant; orthogonal works on "real" values (use --method linear)')]);
  });
});

describe('attack leaked-model', () => {
  // Kills attack/leakedModel.ts: the option checks, --from with --key, --encrypted without a key, the lines and
  // the recovered key file (a valid System A key: p_b distinct entries, p_b/2 flips).
  it('recovers the key from the encrypted model, with or without the truth', async () => {
    const r = await run('attack', 'leaked-model', '--plain', model, '--from', model, '--key', keyFile, '--json', json('lm.json'));
    expect(r.code).toBe(0);
    expect(shown(r.out)).toEqual([
      'leaked-model: plain <dir>/model.safetensors, encrypted <dir>/model.safetensors under <dir>/key.json',
      expect.stringMatching(/^  key recovered: yes, fraction correct 1\.000; smallest matched \|cosine\| 1\.0000; <t> s$/),
      'wrote <dir>/lm.json',
    ]);
    const j = readJson('lm.json');
    expect(j.recoveredKeyFile).toEqual(JSON.parse(serializeKey(key)));
    const e = await run('attack', 'leaked-model', '--plain', model, '--encrypted', encryptedModel);
    expect(shown(e.out)).toEqual([
      'leaked-model: plain <dir>/model.safetensors, encrypted <dir>/encrypted.safetensors',
      expect.stringMatching(/^  key recovered: not checked \(no --key to compare with\); every encrypted column matched a plain one exactly; smallest matched \|cosine\| 1\.0000; <t> s$/),
    ]);
    // Another model of the same shape: no exact match, and no key file when the matching is not a valid key.
    const other = join(dir, 'other.safetensors');
    writeConvMixerFile(other, randomConvMixerWeights(config, 'another model'), {});
    const o = await run('attack', 'leaked-model', '--plain', other, '--encrypted', encryptedModel, '--key', keyFile, '--json', json('lm2.json'));
    expect(o.out[1]).toMatch(/^  key recovered: no, fraction correct 0\.\d{3}; smallest matched \|cosine\| 0\.\d{4}; \d+\.\d{3} s$/);
    // A plain model whose embedding is all zero matches no column: no key file.
    const zero = join(dir, 'zero.safetensors');
    writeConvMixerFile(zero, { ...weights, embedWeight: new Float32Array(weights.embedWeight.length) }, {});
    expect((await run('attack', 'leaked-model', '--plain', zero, '--encrypted', encryptedModel, '--json', json('lm0.json'))).code).toBe(0);
    expect(readJson('lm0.json').recoveredKeyFile).toBeNull();
    const j2 = readJson('lm2.json');
    const valid = new Set(j2.permutation).size === 48 && j2.permutation.every((v: number) => v >= 0) && j2.flip.reduce((a: number, b: number) => a + b, 0) === 24;
    expect(j2.recoveredKeyFile === null).toBe(!valid);
  });

  it('needs exactly one of --encrypted and --from, and --key with --from', async () => {
    const both = await run('attack', 'leaked-model', '--plain', model, '--from', model, '--encrypted', encryptedModel, '--key', keyFile);
    expect([both.code, both.err]).toEqual([1, error('attack.options', 'give exactly one of --encrypted <file> and --from <file> --key <file>')]);
    expect((await run('attack', 'leaked-model', '--plain', model)).err).toEqual(error('attack.options', 'give exactly one of --encrypted <file> and --from <file> --key <file>'));
    expect((await run('attack', 'leaked-model', '--plain', model, '--from', model)).err).toEqual(error('attack.options', '--from needs --key <file> to encrypt the model with'));
  });
});

describe('attack random-key', () => {
  // Class 0 everywhere and labels 0, 1, 0, 1: every accuracy is 2/4 = 50.0 %. 2 keys: queries = 4 images × (right
  // key + plain images + 2 keys) = 16? The attack counts its own queries; the line shows them. Kills
  // attack/randomKey.ts's lines, --threads passed to the engine factory (load.ts autoEngine), the JSON.
  it('prints the distribution of the random keys\' accuracy', async () => {
    const r = await run('attack', 'random-key', '--weights', model, '--key', keyFile, '--data', data, '--images', '4', '--keys', '2', '--threads', '3', '--json', json('rk.json'));
    expect(r.code).toBe(0);
    const j = readJson('rk.json');
    expect(shown(r.out)).toEqual([
      `random-key: 4 images from <dir>/test.bin, 2 random keys (seed "attack"), ${j.effort.queries} queries, <t> s, engine stand-in (none, 3 threads, test)`,
      '  plain model 50.0 %; encrypted model: right key 50.0 %, plain images 50.0 %; most frequent label 50.0 %',
      '  random keys: min 50.0 %, q1 50.0 %, median 50.0 %, q3 50.0 %, max 50.0 % (mean 50.0 %)',
      `  best random key: 50.0 %; most key positions right in any random key: ${j.fractionCorrect.toFixed(3)}; key recovered: no`,
      'wrote <dir>/rk.json',
    ]);
    expect(engines.made.every((m) => m.engine === 'auto' && m.threads === 3)).toBe(true);
    expect(engines.made.length).toBeGreaterThan(0);
    expect([j.weights, j.keyFile, j.data, j.seed, j.images]).toEqual([model, keyFile, data, 'attack', 4]);
    // One key: "1 random key"; no --threads: the factory gets none (all cores).
    const one = await run('attack', 'random-key', '--weights', model, '--key', keyFile, '--data', data, '--images', '2', '--keys', '1', '--seed', 'x');
    expect(shown(one.out)[0]).toMatch(/^random-key: 2 images from <dir>\/test\.bin, 1 random key \(seed "x"\), \d+ queries, <t> s, engine stand-in \(none, 1 thread, test\)$/);
    expect(Object.keys(engines.made.slice(-1)[0])).toEqual(['engine']);
  });

  // Kills attack/options.ts systemAKey (both messages, the alternative named).
  it('runs on System A only and needs --key', async () => {
    const v = await run('attack', 'random-key', '--weights', model, '--variant', 'shuffle', '--data', data);
    expect(v.err).toEqual(error('attack.options', 'random-key runs on System A only; for another variant, `cipherpatch fuzz <variant> --model W --wrong-keys N` measures random (wrong) keys'));
    const k = await run('attack', 'random-key', '--weights', model, '--data', data);
    expect(k.err).toEqual(error('attack.options', 'random-key needs --key <file> (the System A key)'));
    expect((await run('attack', 'partial-key', '--weights', model, '--data', data)).err).toEqual(error('attack.options', 'partial-key needs --key <file> (the System A key)'));
  });
});

describe('attack partial-key', () => {
  // Every accuracy 50.0 %; one row per distance (default 1, 2, 4, 8, 16 for System A). Kills attack/partialKey.ts.
  it('System A: the rows per distance, "guess" or "guesses"', async () => {
    const r = await run('attack', 'partial-key', '--weights', model, '--key', keyFile, '--data', data, '--images', '4', '--trials', '1', '--distances', '1, 2', '--json', json('pk.json'));
    const j = readJson('pk.json');
    expect(shown(r.out)).toEqual([
      `partial-key: 4 images from <dir>/test.bin, 1 guess per setting, ${j.effort.queries} queries, <t> s`,
      '  right key 50.0 %; most frequent label 50.0 %',
      '  right shuffle, wrong flip 50.0 %; wrong shuffle, right flip 50.0 %; random keys 50.0 %',
      '  distance s   swap (2s entries wrong)   flip (2s bits wrong)',
      '           1                    50.0 %                 50.0 %',
      '           2                    50.0 %                 50.0 %',
      'wrote <dir>/pk.json',
    ]);
    // 1 + trials·(3 + 2·distances) keys of 4 images: 1 + 1·(3 + 4) = 8 → 32 queries.
    expect(j.effort.queries).toBe(32);
    expect([j.weights, j.keyFile, j.data]).toEqual([model, keyFile, data]);
    const d = await run('attack', 'partial-key', '--weights', model, '--key', keyFile, '--data', data, '--images', '2', '--trials', '2');
    expect(d.out[0]).toMatch(/, 2 guesses per setting, /);
    expect(d.out.slice(4).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '4', '8', '16']);
  });

  // shuffle (p_b = 48): a key at swap distance d has 48 − 2d entries right: 46/48 = 0.958, 44/48 = 0.917.
  it('a variant: distance rows with the key fraction', async () => {
    const r = await run('attack', 'partial-key', '--weights', model, '--variant', 'shuffle', '--data', data, '--images', '4', '--trials', '1', '--distances', '1,2', '--json', json('pkv.json'));
    const j = readJson('pkv.json');
    expect(shown(r.out)).toEqual([
      `partial-key on shuffle (key generateKey(seed "attack"), adapter: ${j.adapter}): 4 images from <dir>/test.bin, 1 guess per setting, ${j.effort.queries} queries, <t> s`,
      '  right key 50.0 %; random keys 50.0 %; most frequent label 50.0 %',
      `  distance d (d steps: ${j.step})   accuracy   key fraction`,
      '           1     50.0 %   0.958',
      '           2     50.0 %   0.917',
      'wrote <dir>/pkv.json',
    ]);
    expect([j.variantKey, j.weights, j.data]).toEqual(['generateKey(seed "attack")', model, data]);
    expect((await run('attack', 'partial-key', '--weights', model, '--variant', 'shuffle', '--data', data, '--images', '2', '--trials', '2', '--distances', '1')).out[0]).toMatch(/, 2 guesses per setting, /);
    expect((await run('attack', 'partial-key', '--weights', model, '--data', data, '--distances', '1,x')).err.join('\n')).toContain('--distances must be a comma-separated list of non-negative integers, got "1,x"');
  });
});

describe('attack greedy', () => {
  // Start + 2 steps, 2 labelled images per query: 6 queries, a trace point per step. Kills attack/greedy.ts.
  it('System A: the trace, accuracy or log-likelihood', async () => {
    const r = await run('attack', 'greedy', '--weights', model, '--key', keyFile, '--data', data, '--images', '2', '--held-out', '2', '--steps', '2', '--json', json('g.json'));
    const j = readJson('g.json');
    const f = j.trace.map((p: { keyFraction: number }) => p.keyFraction.toFixed(3).padStart(12));
    expect(shown(r.out)).toEqual([
      'greedy: 2 labelled + 2 held-out images from <dir>/test.bin, 2 steps, 6 queries, <t> s',
      '  queries   accuracy (labelled set)   held-out accuracy   key fraction',
      `        2                    50.0 %              50.0 %   ${f[0]}`,
      `        4                    50.0 %              50.0 %   ${f[1]}`,
      `        6                    50.0 %              50.0 %   ${f[2]}`,
      `  held-out accuracy with the found key 50.0 % (right key 50.0 %); key fraction ${j.fractionCorrect.toFixed(3)}`,
      'wrote <dir>/g.json',
    ]);
    expect([j.weights, j.keyFile, j.data, j.rightKeyHeldOut]).toEqual([model, keyFile, data, 0.5]);
    expect([engines.made.length, engines.disposed]).toEqual([2, 2]);
    // log-likelihood of logits (1, 0, …, 0) for label 0: −log(1 + 9/e) ... printed with 4 decimals, one value for every key.
    const ll = await run('attack', 'greedy', '--weights', model, '--key', keyFile, '--data', data, '--images', '2', '--held-out', '2', '--steps', '2', '--objective', 'log-likelihood');
    expect(ll.out[1]).toBe('  queries   log-likelihood (labelled)   held-out accuracy   key fraction');
    // mean over labels 0 and 1 of log p(label): p(0) = e/(e + 9), p(1) = 1/(e + 9).
    const mean = ((1 - Math.log(Math.E + 9)) + (0 - Math.log(Math.E + 9))) / 2;
    expect(ll.out[2].trim().split(/\s+/).slice(0, 2)).toEqual(['2', mean.toFixed(4)]);
    expect((await run('attack', 'greedy', '--weights', model, '--key', keyFile, '--data', data, '--objective', 'loss')).err).toEqual(error('attack.objective', 'unknown --objective "loss": use accuracy or log-likelihood'));
  });

  // shuffle: the variant's steps, its score with 4 decimals, the key serialized by the variant.
  it('a variant: the variant\'s step and key', async () => {
    const r = await run('attack', 'greedy', '--weights', model, '--variant', 'shuffle', '--data', data, '--images', '2', '--held-out', '2', '--steps', '2', '--json', json('gv.json'));
    const j = readJson('gv.json');
    const f = j.trace.map((p: { keyFraction: number }) => p.keyFraction.toFixed(3).padStart(12));
    expect(shown(r.out)).toEqual([
      `greedy on shuffle (key generateKey(seed "attack"), step: ${j.step}): 2 labelled + 2 held-out images from <dir>/test.bin, 2 steps, 6 queries, <t> s`,
      '  queries   score (labelled)   held-out accuracy   key fraction',
      `        2             0.5000              50.0 %   ${f[0]}`,
      `        4             0.5000              50.0 %   ${f[1]}`,
      `        6             0.5000              50.0 %   ${f[2]}`,
      '  held-out accuracy with the found key 50.0 % (right key 50.0 %); key recovered: no',
      'wrote <dir>/gv.json',
    ]);
    expect([j.variantKey, j.weights, j.data, j.rightKeyHeldOut, typeof j.key]).toEqual(['generateKey(seed "attack")', model, data, 0.5, 'string']);
    expect(engines.disposed).toBe(engines.made.length);
  });
});

describe('attack ciphertext-only', () => {
  // Kills attack/ciphertextOnly.ts (System A): the lines, --weights' accuracy line, the JSON (accuracy null without).
  it('System A: the estimate, and the plain model on the attacker\'s decryption', async () => {
    const r = await run('attack', 'ciphertext-only', '--key', keyFile, '--data', data, '--images', '2', '--reference', '2', '--restarts', '1', '--weights', model, '--json', json('co.json'));
    const j = readJson('co.json');
    expect(shown(r.out)).toEqual([
      'ciphertext-only: 2 encrypted + 2 plain reference images from <dir>/test.bin, <t> s',
      `  key recovered: no; flip bits right ${j.flipFraction.toFixed(3)}, permutation entries right ${j.permutationFraction.toFixed(3)}, key fraction ${j.fractionCorrect.toFixed(3)}`,
      '  plain model: 50.0 % on the attacker\'s decrypted images (50.0 % on the plain images)',
      'wrote <dir>/co.json',
    ]);
    expect([j.keyFile, j.data, j.accuracy, j.effort]).toEqual([keyFile, data, { plainImages: 0.5, attackerDecrypted: 0.5 }, { images: 2, blocks: 128 }]);
    expect(engines.disposed).toBe(1);
    const no = await run('attack', 'ciphertext-only', '--key', keyFile, '--data', data, '--images', '1', '--reference', '1', '--restarts', '1', '--json', json('co2.json'), '--force');
    expect(no.out).toHaveLength(3);
    expect(readJson('co2.json').accuracy).toBeNull();
    expect((await run('attack', 'ciphertext-only', '--data', data)).err).toEqual(error('attack.options', 'ciphertext-only needs --key <file> (the System A key) or --variant <name>'));
  });

  // flip: no position search; the flips of the key generated from --key-seed.
  it('a variant: the search named, the key serialized', async () => {
    const r = await run('attack', 'ciphertext-only', '--variant', 'flip', '--data', data, '--images', '2', '--reference', '2', '--weights', model, '--json', json('cov.json'));
    const j = readJson('cov.json');
    expect(shown(r.out)).toEqual([
      'ciphertext-only on flip (key generateKey(seed "attack")): 2 encrypted + 2 plain reference images from <dir>/test.bin, search none, <t> s',
      `  key recovered: ${j.keyRecovered ? 'yes' : 'no'}; flip bits right ${j.flipFraction.toFixed(3)}, permutation entries right 1.000, key fraction ${j.fractionCorrect.toFixed(3)}`,
      '  plain model: 50.0 % on the attacker\'s decrypted images (50.0 % on the plain images)',
      'wrote <dir>/cov.json',
    ]);
    expect([j.variantKey, j.data, j.search, typeof j.key, j.accuracy]).toEqual(['generateKey(seed "attack")', data, 'none', 'string', { plainImages: 0.5, attackerDecrypted: 0.5 }]);
    // The model saw the plain images, then the attacker's decryption of them as bytes (NCHW): flips only, so each
    // image's multiset of min(x, 255 − x) is the plain image's (a flip maps x to 255 − x).
    expect(engines.batches.map((b) => [b.layout, b.data.length])).toEqual([['NCHW', 2 * 3072], ['NCHW', 2 * 3072]]);
    const folded = (d: number[], n: number) => d.slice(n * 3072, (n + 1) * 3072).map((x) => Math.min(x, 255 - x)).sort((a, b) => a - b);
    for (const n of [0, 1]) expect(folded(engines.batches[1].data, n)).toEqual(folded(engines.batches[0].data, n));
    expect(engines.batches[1].data.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)).toBe(true);
    // negpos works on [0, 1] values (x ↦ 1 − x): the decryption is scaled back to bytes, x ↦ 255 − x as before.
    engines.batches = [];
    expect((await run('attack', 'ciphertext-only', '--variant', 'negpos', '--data', data, '--images', '2', '--reference', '2', '--weights', model)).code).toBe(0);
    for (const n of [0, 1]) expect(folded(engines.batches[1].data, n)).toEqual(folded(engines.batches[0].data, n));
    // Without --weights: no model, accuracy null.
    engines.made = [];
    const no = await run('attack', 'ciphertext-only', '--variant', 'flip', '--data', data, '--images', '1', '--reference', '1', '--json', json('cov2.json'));
    expect([no.out.length, readJson('cov2.json').accuracy, engines.made.length]).toEqual([3, null, 0]);
  });
});

describe('attack: shared', () => {
  // Kills attack.ts's --json pre-flight (an existing file without --force, before any work) and load.ts's checks.
  it('checks --json before the attack, and the data it is given', async () => {
    writeFileSync(json('taken.json'), '{}');
    const r = await run('attack', 'leaked-model', '--plain', model, '--from', model, '--key', keyFile, '--json', json('taken.json'));
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(readFileSync(json('taken.json'), 'utf8')).toBe('{}');
    // With --force the file is replaced.
    const f = await run('attack', 'leaked-model', '--plain', model, '--from', model, '--key', keyFile, '--json', json('taken.json'), '--force');
    expect(f.code).toBe(0);
    expect(readJson('taken.json').keyRecovered).toBe(true);
    expect((await run('attack', 'known-plaintext', '--data', data, '--pairs', '12')).code).toBe(0); // all 12 is not too many
    const many = await run('attack', 'known-plaintext', '--data', data, '--pairs', '13');
    expect(shown(many.err)).toEqual(error('attack.images', 'asked for 13 images, <dir>/test.bin holds 12'));
    const missing = await run('attack', 'known-plaintext', '--data', join(dir, 'none.bin'));
    expect(shown(missing.err)).toEqual(error('cifar.missing-file', '--data <dir>/none.bin: no such file (give one CIFAR-10 .bin file, or a CIFAR-10 binary directory)'));
  });

  // --data as a CIFAR-10 directory (its test_batch.bin), or from $CIFAR10_DIR without --data; a missing path
  // named like a .bin file (any case) is a missing file, a missing path named otherwise a missing directory.
  // Kills load.ts:24–33 (the .bin rule's regex and conditions, the directory branch and its limit, the source).
  it('reads --data as a file or a directory, else $CIFAR10_DIR', async () => {
    const cifar = join(dir, 'cifar');
    mkdirSync(cifar, { recursive: true });
    copyFileSync(data, join(cifar, 'test_batch.bin'));
    const d = await run('attack', 'known-plaintext', '--data', cifar, '--pairs', '2');
    expect(shown(d.out)[0]).toBe('known-plaintext on system-a: 2 image pairs from <dir>/cifar (128 blocks), method signed-permutation');
    vi.stubEnv('CIFAR10_DIR', cifar);
    try {
      expect(shown((await run('attack', 'known-plaintext')).out)[0]).toBe('known-plaintext on system-a: 1 image pair from <dir>/cifar (64 blocks), method signed-permutation');
    } finally {
      vi.unstubAllEnvs();
    }
    expect(shown((await run('attack', 'known-plaintext', '--data', cifar, '--pairs', '13')).err)).toEqual(error('attack.images', 'asked for 13 images, <dir>/cifar holds 12'));
    expect(shown((await run('attack', 'known-plaintext', '--data', join(dir, 'NONE.BIN'))).err)).toEqual(error('cifar.missing-file', '--data <dir>/NONE.BIN: no such file (give one CIFAR-10 .bin file, or a CIFAR-10 binary directory)'));
    for (const other of ['none.bin.d', 'nonebin']) {
      const r = await run('attack', 'known-plaintext', '--data', join(dir, other));
      expect(r.code).toBe(1);
      expect(r.err[0]).not.toContain('[cifar.missing-file]');
    }
  });

  // --variant with the variant's own key file; an unknown variant is refused by name. Kills load.ts:53–65.
  it('reads a variant\'s own key file, and refuses an unknown variant', async () => {
    const params = { blockSize: 4, channels: 3 };
    const vkey = join(dir, 'shuffle-key.json');
    const k = shuffle.generateKey(params, 'own key');
    writeFileSync(vkey, shuffle.serializeKey(k));
    const r = await run('attack', 'partial-key', '--weights', model, '--variant', 'shuffle', '--key', vkey, '--data', data, '--images', '2', '--trials', '1', '--distances', '1', '--json', json('pko.json'));
    expect(shown(r.out)[0]).toMatch(/^partial-key on shuffle \(key <dir>\/shuffle-key\.json, adapter: /);
    expect(readJson('pko.json').variantKey).toBe(vkey);
    const u = await run('attack', 'partial-key', '--weights', model, '--variant', 'no-such-variant', '--data', data);
    expect(u.code).toBe(1);
    expect(u.err[0]).toContain('no-such-variant');
  });

  // Each integer option's parser names its own flag; the integer lists take digits only. Kills the flag names
  // passed to positiveInteger / integerList (attack/*.ts, attackReport.ts) and options.ts:19 (the list's regex).
  it('names the flag of a bad number', async () => {
    const cases: [string[], string][] = [
      [['attack', 'ciphertext-only'], '--images'], [['attack', 'ciphertext-only'], '--reference'], [['attack', 'ciphertext-only'], '--restarts'], [['attack', 'ciphertext-only'], '--threads'],
      [['attack', 'greedy', '--weights', model], '--images'], [['attack', 'greedy', '--weights', model], '--held-out'], [['attack', 'greedy', '--weights', model], '--steps'], [['attack', 'greedy', '--weights', model], '--threads'],
      [['attack', 'known-plaintext'], '--pairs'], [['attack', 'known-plaintext'], '--blocks'],
      [['attack', 'partial-key', '--weights', model], '--images'], [['attack', 'partial-key', '--weights', model], '--trials'],
      [['attack', 'random-key', '--weights', model], '--images'], [['attack', 'random-key', '--weights', model], '--keys'],
      ...['--images', '--random-keys', '--trials', '--greedy-images', '--greedy-steps', '--known-plaintext-images', '--reference', '--restarts', '--threads'].map((f): [string[], string] => [['attack-report', '--weights', model, '--key', keyFile], f]),
    ];
    for (const [args, flag] of cases) {
      const r = await run(...args, flag, 'x');
      expect([r.code, r.err.join('\n')], `${args[1]} ${flag}`).toEqual([2, expect.stringContaining(`${flag} must be a positive integer, got "x"`)]);
    }
    for (const bad of ['x1', '1x', '1,', '1.5']) expect((await run('attack', 'partial-key', '--weights', model, '--distances', bad)).err.join('\n')).toContain(`--distances must be a comma-separated list of non-negative integers, got "${bad}"`);
    for (const [flag, bad] of [['--distances', '1,y'], ['--ciphertext-images', 'z']]) expect((await run('attack-report', '--weights', model, '--key', keyFile, flag, bad)).err.join('\n')).toContain(`${flag} must be a comma-separated list of non-negative integers, got "${bad}"`);
    // Two-digit distances are digits too: 12 swaps of p_b = 48.
    const ok = await run('attack', 'partial-key', '--weights', model, '--key', keyFile, '--data', data, '--images', '2', '--trials', '1', '--distances', '12');
    expect(ok.out[4].trim().split(/\s+/)[0]).toBe('12');
  });

  // --json must not exist (nor be a folder) unless --force, for every attack; attack-report's --out likewise.
  // Kills the --force defaults (false) and attack.ts:33 (the output kind).
  it('refuses an existing --json without --force, for every attack', async () => {
    writeFileSync(json('exists.json'), '{}');
    mkdirSync(json('folder.json'), { recursive: true });
    const attacks = [
      ['known-plaintext', '--data', data],
      ['leaked-model', '--plain', model, '--encrypted', encryptedModel],
      ['ciphertext-only', '--key', keyFile, '--data', data],
      ['random-key', '--weights', model, '--key', keyFile, '--data', data],
      ['partial-key', '--weights', model, '--key', keyFile, '--data', data],
      ['greedy', '--weights', model, '--key', keyFile, '--data', data],
    ];
    for (const a of attacks)
      for (const target of ['exists.json', 'folder.json']) {
        const r = await run('attack', ...a, '--json', json(target));
        expect([r.code, r.out], `${a[0]} ${target}`).toEqual([1, []]);
      }
    expect(engines.made).toEqual([]);
    writeFileSync(json('report-file'), 'x');
    const r = await run('attack-report', '--weights', model, '--key', keyFile, '--data', data, '--out', json('report-file'));
    expect([r.code, r.out]).toEqual([1, []]);
  });

  // The attacks name themselves in their option and capability messages. Kills the attack names passed to
  // systemAKey, neighboursOf, signedPermutationOf and flipTarget (attack/greedy.ts, attack/ciphertextOnly.ts).
  it('names the attack in its messages', async () => {
    expect((await run('attack', 'greedy', '--weights', model, '--data', data)).err).toEqual(error('attack.options', 'greedy needs --key <file> (the System A key)'));
    expect((await run('attack', 'greedy', '--weights', model, '--variant', 'orthogonal', '--data', data)).err[0]).toMatch(/the greedy attack needs/);
    expect((await run('attack', 'ciphertext-only', '--variant', 'orthogonal', '--data', data)).err[0]).toMatch(/the ciphertext-only attack needs/);
  });

  it('attack --help names every attack', async () => {
    const r = await run('attack', '--help');
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    for (const name of ['known-plaintext', 'leaked-model', 'ciphertext-only', 'random-key', 'partial-key', 'greedy']) expect(text).toContain(name);
    expect(existsSync(dir)).toBe(true);
  });
});

describe('attack-report', () => {
  // A model of 2×2 patches (p_b = 12) and its key: the report's attacks run in about a second.
  const model2 = join(dir, 'model2.safetensors');
  writeConvMixerFile(model2, randomConvMixerWeights({ ...config, patch: 2 }, 'attack-units-2'), {});
  const key2 = join(dir, 'key2.json');
  writeFileSync(key2, serializeKey(generateKey({ blockSize: 2, channels: 3, seed: 'attack-units-2' })));
  const tiny = ['--images', '2', '--random-keys', '1', '--distances', '1', '--trials', '1', '--greedy-images', '1', '--greedy-steps', '1', '--known-plaintext-images', '1', '--noise', '0, 0.25,10', '--ciphertext-images', '1', '--reference', '1', '--restarts', '1', '--no-progress'];

  // Kills attackReport.ts: the effort from the options, the files, the recorded command (each argument as a
  // shell word: quoted when it holds anything but [\w@%+=:,./-], a ' written '\''), the engine's label, the
  // second model and its label, the lines printed (the report's headlines, one per attack).
  it('runs every attack with the effort given and writes the report', async () => {
    const out = join(dir, 'report');
    const args = ['attack-report', '--weights', model2, '--key', key2, '--data', data, '--out', out, ...tiny, '--objective', 'accuracy', '--second-model', model2, '--second-model-label', "it's a b", '--seed', 's/1'];
    const argv = process.argv;
    process.argv = ['node', 'cipherpatch', ...args];
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run(...args);
    } finally {
      process.argv = argv;
    }
    expect([r.code, r.err]).toEqual([0, []]);
    const j = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(j.command).toBe(`cipherpatch ${args.slice(0, -6).map((a) => (a === '0, 0.25,10' ? "'0, 0.25,10'" : a)).join(' ')} --second-model ${model2} --second-model-label 'it'\\''s a b' --seed s/1`);
    expect([j.weights, j.keyFile, j.data, j.engine, j.seed]).toEqual([model2, key2, data, 'stand-in (none, 1 thread, test)', 's/1']);
    expect(j.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(j.effort).toEqual({ images: 2, randomKeys: 1, distances: [1], trials: 1, greedyImages: 1, greedySteps: 1, greedyObjective: 'accuracy', knownPlaintextImages: 1, noise: [0, 0.25, 10], noiseTrials: 3, ciphertextImages: [1], reference: 1, restarts: 1 });
    expect(j.attacks.leakedModel.secondModel.label).toBe("it's a b");
    const headlines = Object.entries(j.headlines as Record<string, string>).map(([name, line]) => `  ${name}: ${line}`);
    const plots = ['random-key', 'partial-key', 'greedy', 'known-plaintext', 'leaked-model', 'ciphertext-only'].flatMap((a) => [`${a}.svg`, `${a}.png`]);
    expect(r.out[0]).toBe(`attack-report: ${j.seconds.toFixed(0)} s, wrote ${out}/ (${['report.json', 'report.md', ...plots].join(', ')})`);
    expect(r.out.slice(1)).toEqual(headlines);
    expect(headlines.length).toBeGreaterThan(0);
    expect(engines.disposed).toBe(engines.made.length);
    // The report's folder exists now: refused before any work without --force, replaced with it. Without a label
    // the second model is named by its path; the defaults of --objective and --seed.
    engines.made = [];
    const again = await run('attack-report', '--weights', model2, '--key', key2, '--data', data, '--out', out, ...tiny);
    expect([again.code, again.out, engines.made.length]).toEqual([1, [], 0]);
    const d = await run('attack-report', '--weights', model2, '--key', key2, '--data', data, '--out', out, ...tiny, '--second-model', model2, '--force');
    expect(d.code).toBe(0);
    const j2 = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect([j2.attacks.leakedModel.secondModel.label, j2.effort.greedyObjective, j2.seed]).toEqual([model2, 'log-likelihood', 'attack-report']);
  });

  // Kills the option parsers and checks: --noise numbers (integers or decimals, nothing else), --objective.
  it('refuses bad noise levels and an unknown objective', async () => {
    const base = ['attack-report', '--weights', model2, '--key', key2, '--data', data, '--out', join(dir, 'bad')];
    for (const bad of ['1,x', '-1', '1.', '.5', '1e3', ' ']) {
      const r = await run(...base, '--noise', bad);
      expect(r.code).toBe(2);
      expect(r.err.join('\n')).toContain(`--noise must be a comma-separated list of non-negative numbers, got "${bad}"`);
    }
    const o = await run(...base, ...tiny, '--objective', 'loss');
    expect([o.code, o.err]).toEqual([1, error('attack.objective', 'unknown --objective "loss": use accuracy or log-likelihood')]);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
