/**
 * `npm run test:package`: the npm package as a user gets it (3–4 minutes on 2 busy cores).
 *
 *  1. `npm pack` (prepack builds dist/): at most 2 MB; no source, test, golden,
 *     benchmark or mutation file in it; the compiled library, its .d.ts and
 *     source maps, every run-time asset of src/ (srcAssets.mjs), the bin.
 *  2. A blank project installs the tarball from a folder, everything else from
 *     the registry, with onnxruntime-node's download skipped (.npmrc) as a
 *     consumer behind a firewall does. There: a plain-Node import (JavaScript),
 *     a TypeScript consumer type-checked by tsc against the shipped .d.ts (and
 *     a wrong one that tsc must reject), `cipherpatch --version`, `keyspace`,
 *     `evaluate --limit 20` on onnx (the golden model and CIFAR-10 subset of
 *     this checkout, by path), and a TypeScript plug-in through `fuzz`.
 *  3. A second blank project installs without that setting while
 *     onnxruntime-node's download cannot succeed (its proxy points at a closed
 *     local port): the install must still pass, without onnxruntime-node. With
 *     tsx hidden too, the compiled CLI evaluates on tfjs (two worker threads)
 *     and says why onnx did not run.
 *
 * KEEP=1 keeps the temporary folder (printed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { srcAssets } from './srcAssets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'cipherpatch-package-'));
const started = performance.now();
const MAX_TARBALL_BYTES = 2_000_000;

// What the consumer projects use from this checkout, by path (none of it is in the package).
const MODEL = join(root, 'golden/runs/cpu-20ep/model.safetensors');
const KEY = join(root, 'golden/system-a/key.json');
const CIFAR_SAMPLE = join(root, 'golden/data/test_batch_first1000.bin');
const PLUGIN = join(root, 'examples/my-variant.ts');

let passed = 0;
function ok(what) {
  passed++;
  process.stdout.write(`  ✓ ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

/**
 * The environment of every command: this one without what `npm run` adds
 * (npm_config_* from this checkout's .npmrc would reach the consumers'
 * installs) and without a setting of onnxruntime-node's download.
 */
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_|^ONNXRUNTIME_NODE_INSTALL/i.test(name)));

/** Runs a command; returns its output, or throws with it when the exit status is not `status`. */
function run(command, args, { cwd, env = {}, status = 0 } = {}) {
  const r = spawnSync(command, args, { cwd, env: { ...CLEAN_ENV, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== status) throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited ${r.status ?? r.signal}, expected ${status}:\n${output}`);
  return { stdout: r.stdout, output };
}

// ---------------------------------------------------------------- 1. the tarball

function forbidden(path) {
  return /^(src|spec|properties|golden|bench|mutation|scripts|examples|reports|\.ci|\.github)\//.test(path) || /\.test\.[cm]?[jt]s$/.test(path) || /(^|\/)fixtures\//.test(path) || /\.(safetensors|bin|wat)$/.test(path);
}

function pack() {
  const { stdout } = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
  const [info] = JSON.parse(stdout);
  const files = info.files.map((f) => f.path);
  console.log(`tarball ${info.filename}: ${info.size} bytes, ${info.entryCount} files (${info.unpackedSize} unpacked)`);
  assert.ok(info.size <= MAX_TARBALL_BYTES, `the tarball is ${info.size} bytes, more than ${MAX_TARBALL_BYTES}`);
  ok(`tarball ≤ 2 MB (${(info.size / 1e6).toFixed(2)} MB, ${info.entryCount} files)`);
  assert.deepEqual(files.filter(forbidden), [], 'files the package must not ship');
  ok('no source, test, golden, benchmark or mutation file in it');
  const needed = ['package.json', 'README.md', 'LICENSE', 'bin/cipherpatch.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/cli/main.js', 'dist/engine/worker.js'];
  const assets = srcAssets(root).map((rel) => `dist/${rel}`);
  assert.deepEqual([...needed, ...assets].filter((f) => !files.includes(f)), [], 'files the package must ship');
  ok(`library, .d.ts, maps, bin, README, LICENSE and ${assets.length} src/ asset(s) in it`);
  return join(work, info.filename);
}

// ---------------------------------------------------------------- 2. a consumer project

function blankProject(name, npmrc) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2));
  if (npmrc !== undefined) writeFileSync(join(dir, '.npmrc'), npmrc);
  return dir;
}

/** 48!·C(48, 24), the number of keys for M = 4, C = 3 (README), computed here independently of the package. */
function expectedKeySpace() {
  const factorial = (n) => (n <= 1n ? 1n : n * factorial(n - 1n));
  return factorial(48n) * (factorial(48n) / (factorial(24n) * factorial(24n)));
}

const USE_MJS = `import { keySpace, generateKey, imageBatch, encryptUint8, decryptUint8 } from 'cipherpatch';
const key = generateKey({ blockSize: 4, channels: 3, seed: 'package-test' });
const pixels = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37) % 256);
const images = imageBatch(pixels, { count: 1, height: 8, width: 8, channels: 3 }, 'NHWC');
const encrypted = encryptUint8(images, key);
const back = decryptUint8(encrypted, key);
console.log(JSON.stringify({
  total: keySpace(4, 3).total.toString(),
  changed: encrypted.data.some((v, i) => v !== pixels[i]),
  restored: back.data.every((v, i) => v === pixels[i]),
}));
`;

const CONSUMER_TS = `import { type BlockKey, type KeySpace, type Engine, generateKey, keySpace, createEngine } from 'cipherpatch';
const space: KeySpace = keySpace(4, 3);
const total: bigint = space.total;
const key: BlockKey = generateKey({ blockSize: 4, channels: 3, seed: 'typed' });
const make: (typeof createEngine) extends (...args: never[]) => Promise<Engine> ? true : false = true;
export { total, key, make };
`;

const TSCONFIG = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] } };

function typeCheck(dir) {
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, files: ['consumer.ts'] }, null, 2));
  run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: dir });
  // The types must be real ones, not `any`: a wrong use is an error.
  writeFileSync(join(dir, 'wrong.ts'), `import { keySpace } from 'cipherpatch';\nexport const total: string = keySpace(4, 3).total;\n`);
  writeFileSync(join(dir, 'tsconfig.wrong.json'), JSON.stringify({ ...TSCONFIG, files: ['wrong.ts'] }, null, 2));
  const { output } = run('npx', ['tsc', '-p', 'tsconfig.wrong.json'], { cwd: dir, status: 2 });
  assert.match(output, /wrong\.ts\(2,14\): error TS2322: Type 'bigint' is not assignable to type 'string'/);
}

function importFromNode(dir) {
  writeFileSync(join(dir, 'use.mjs'), USE_MJS);
  const result = JSON.parse(run('node', ['use.mjs'], { cwd: dir }).stdout);
  assert.deepEqual(result, { total: expectedKeySpace().toString(), changed: true, restored: true });
}

/** `evaluate --limit 20` with System A's golden key; returns its stdout and report.json. */
function evaluate(dir, extra) {
  const cifar = join(dir, 'cifar');
  mkdirSync(cifar, { recursive: true });
  copyFileSync(CIFAR_SAMPLE, join(cifar, 'test_batch.bin'));
  const args = ['cipherpatch', 'evaluate', '--weights', MODEL, '--key', KEY, '--data', cifar, '--limit', '20', '--wrong-keys', '2', '--report', 'report', '--no-progress', ...extra];
  const { stdout } = run('npx', args, { cwd: dir });
  const report = JSON.parse(readFileSync(join(dir, 'report/report.json'), 'utf8'));
  assert.equal(report.images, 20);
  // The encrypted model on encrypted images predicts exactly what the plain model does on plain images.
  assert.equal(report.results.rightKeyPredictionMismatches, 0);
  assert.equal(report.results.encryptedModelEncryptedImages.correct, report.results.plainModelPlainImages.correct);
  return { stdout, report, markdown: readFileSync(join(dir, 'report/report.md'), 'utf8') };
}

function withOnnx(tarball) {
  const dir = blankProject('with-onnx', 'onnxruntime-node-install=skip\n');
  const dev = pkg.devDependencies;
  run('npm', ['install', '--no-audit', '--no-fund', tarball, `typescript@${dev.typescript}`, `@types/node@${dev['@types/node']}`], { cwd: dir });
  assert.ok(!existsSync(join(dir, 'node_modules/cipherpatch/src')), 'the installed package has no src/');
  assert.ok(existsSync(join(dir, 'node_modules/onnxruntime-node/package.json')), 'onnxruntime-node is installed');
  ok('installed into a blank project (onnxruntime-node-install=skip)');
  importFromNode(dir);
  ok('plain Node imports it: key space 48!·C(48,24), encrypt/decrypt round trip');
  typeCheck(dir);
  ok('tsc type-checks a TypeScript consumer against the shipped .d.ts, and rejects a wrong one');
  assert.equal(run('npx', ['cipherpatch', '--version'], { cwd: dir }).stdout.trim(), pkg.version);
  assert.match(run('npx', ['cipherpatch', 'keyspace', '--block', '4', '--channels', '3'], { cwd: dir }).stdout, new RegExp(`O   = O_p · O_f       = ${expectedKeySpace()}\\n`));
  ok('npx cipherpatch --version, keyspace --block 4 --channels 3');
  const { stdout, report } = evaluate(dir, ['--threads', '1']);
  assert.match(stdout, /^engine: onnx \(cpu, 1 thread\(s\), onnxruntime-node [\d.]+/m);
  assert.equal(report.engine.name, 'onnx');
  assert.equal(report.engine.fallback, undefined);
  ok('npx cipherpatch evaluate --limit 20 runs on onnx');
  copyFileSync(PLUGIN, join(dir, 'my-variant.ts'));
  const fuzz = run('npx', ['cipherpatch', 'fuzz', './my-variant.ts', '--runs', '5', '--only', 'contract,invertible'], { cwd: dir }).stdout;
  assert.match(fuzz, /^ {2}contract +pass/m);
  assert.match(fuzz, /^ {2}invertible +pass/m);
  ok('npx cipherpatch fuzz loads a TypeScript plug-in (tsx, on demand)');
}

// ---------------------------------------------------------------- 3. onnxruntime-node's download fails

function withoutOnnx(tarball) {
  const dir = blankProject('without-onnx');
  // onnxruntime-node's install script fetches its CUDA provider through this proxy (global-agent); npm itself does not use it.
  // ONNXRUNTIME_NODE_INSTALL=cuda12 asks for the download on every platform (by default only linux/x64 has one).
  const env = { GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', ONNXRUNTIME_NODE_INSTALL: 'cuda12' };
  run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: dir, env });
  assert.ok(!existsSync(join(dir, 'node_modules/onnxruntime-node')), "npm removes onnxruntime-node when its download fails");
  ok("the install passes although onnxruntime-node's download fails; onnxruntime-node left out");
  renameSync(join(dir, 'node_modules/tsx'), join(dir, 'node_modules/.tsx-hidden'));
  importFromNode(dir);
  const { stdout, report, markdown } = evaluate(dir, ['--workers', '2']);
  const why = /--engine auto fell back to tfjs: onnxruntime is not available \(import "onnxruntime-node" failed: Cannot find package 'onnxruntime-node'/;
  assert.match(stdout, /^engine: tfjs-parallel \(/m);
  assert.match(stdout, why);
  assert.equal(report.engine.name, 'tfjs-parallel');
  assert.match(report.engine.fallback, why);
  assert.match(markdown, new RegExp(`^- Engine: tfjs-parallel, .*; ${why.source}`, 'm'));
  ok('without onnxruntime-node and tsx: import works, evaluate --limit 20 falls back to tfjs (2 workers) and says why');
}

try {
  console.log(`test:package in ${work}`);
  const tarball = pack();
  withOnnx(tarball);
  withoutOnnx(tarball);
  console.log(`test:package: all ${passed} checks passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(`test:package: FAILED after ${passed} checks:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  if (process.env.KEEP === '1') console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
