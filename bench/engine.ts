/**
 * Inference throughput of ConvMixer-256/8 (d 256, depth 8, k 9, P 4,
 * 32×32×3, 10 classes, random weights), engine × batch size, with PyTorch
 * CPU measured in the same run (bench/torch_bench.py) when python3 has torch.
 *
 *   npx tsx bench/engine.ts [--engines onnx,tfjs,torch] [--batch 32,128] [--threads 1,2]
 *                           [--onnx-graph dense,conv] [--gelu op,erf] [--spinning off,on] [--backend wasm]
 *                           [--workers 1,2] [--images N] [--tfjs-images N] [--repeat R]
 *                           [--python PATH] [--tuning refresh|auto] [--ghz G]
 *
 * Defaults: every engine; batch sizes 32 and 128; onnx with 1 and 2 intra-op
 * threads, on the dense graph (what the engine picks for 32×32) and the conv
 * graph (the network as written, as an export from PyTorch would be); tfjs
 * on the wasm backend (and tfjs-node's "tensorflow" backend when installed;
 * `--backend cpu` adds the pure-JS one) with 1 and 2 workers; PyTorch with 1
 * and 2 threads, in inference_mode and after one autograd-enabled forward
 * pass (see bench/torch_bench.py; the first of `python3`, /usr/bin/python3
 * that can import torch, or --python). 512 images per pass (tfjs: 128).
 *
 * Timing: --repeat (3) rounds; each round runs every configuration once
 * (engine made afresh, one untimed warm-up batch, one timed pass; start-up is
 * not timed) and then one round of the PyTorch script; each row keeps its
 * best pass. Interleaving spreads bursts of load from other processes over
 * all engines alike.
 *
 * The "evaluate" engine is onnx as `cipherpatch evaluate` runs it with no
 * flags: every core, and the batch size and thread spinning its calibration
 * picks (src/engine/tuning.ts); the bench calibrates afresh (--tuning refresh,
 * the default; the result is cached as evaluate would) or takes the cached
 * calibration (--tuning auto). It is in the default --engines.
 *
 * "% peak" is the GFLOP/s over the machine's FP32 peak from the CPU's flags
 * and clock (bench/cpuPeak.ts, printed with its inputs; --ghz overrides the
 * clock).
 *
 * GFLOP/s counts 2 × multiply-adds of the convolutions and the head
 * (flopsPerImage: 89.9 MFLOP per image, the same for every engine whatever it
 * computes inside). "cores busy" is the process's CPU time (all threads) over
 * the wall time of the best pass: below the thread count means another
 * process held a core. The machine's load average is printed before and
 * after: on a shared machine compare rows of one run, not runs.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import seedrandom from 'seedrandom';
import { CipherpatchError } from '../src/core/errors.ts';
import type { ImageBatch } from '../src/core/images.ts';
import type { Engine, TfjsBackendRequest } from '../src/engine/engine.ts';
import { createEngine } from '../src/engine/factory.ts';
import { createOnnxEngine, loadOnnxRuntime } from '../src/engine/onnx.ts';
import { selectTfjsBackend } from '../src/engine/tfjs.ts';
import { type ConvMixerConfig, flopsPerImage, randomConvMixerWeights } from '../src/model/convmixer.ts';
import { type CalibrationResult, candidateName } from '../src/engine/calibrate.ts';
import { type TuningChoice, chooseOnnxTuning } from '../src/engine/tuning.ts';
import { defaultCalibrationFile, fileCalibrationStore } from '../src/io/calibrationCache.ts';
import { cpuPeak, describePeak } from './cpuPeak.ts';

const CONFIG: ConvMixerConfig = { dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 };
const SIZE = 32;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function list<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const values = raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
  for (const v of values) if (!allowed.includes(v as T)) throw new Error(`--${name}: "${v}" is not one of ${allowed.join(', ')}`);
  return values as T[];
}

const { values } = parseArgs({
  options: {
    engines: { type: 'string', default: 'evaluate,onnx,tfjs,torch' },
    batch: { type: 'string', default: '32,128' },
    threads: { type: 'string', default: '1,2' },
    'onnx-graph': { type: 'string', default: 'dense,conv' },
    gelu: { type: 'string', default: 'op' },
    spinning: { type: 'string', default: 'off' },
    backend: { type: 'string', default: 'wasm,tensorflow' },
    workers: { type: 'string', default: '1,2' },
    images: { type: 'string' },
    'tfjs-images': { type: 'string' },
    repeat: { type: 'string' },
    python: { type: 'string' },
    tuning: { type: 'string', default: 'refresh' },
    ghz: { type: 'string' },
  },
});
const engines = list('engines', values.engines!, ['evaluate', 'onnx', 'tfjs', 'torch'] as const);
const tuningMode = list('tuning', values.tuning!, ['refresh', 'auto'] as const)[0];
const ghz = values.ghz === undefined ? undefined : Number(values.ghz);
if (ghz !== undefined && !(ghz > 0)) throw new Error(`--ghz must be a positive number, got "${values.ghz}"`);
const peak = cpuPeak(ghz);
const batches = values.batch!.split(',').map((b) => positiveInt('batch', b.trim(), 32));
const threadCounts = values.threads!.split(',').map((t) => positiveInt('threads', t.trim(), 1));
const graphs = list('onnx-graph', values['onnx-graph']!, ['dense', 'conv'] as const);
const gelus = list('gelu', values.gelu!, ['op', 'erf'] as const);
const spinnings = list('spinning', values.spinning!, ['off', 'on'] as const);
const backends = list('backend', values.backend!, ['wasm', 'tensorflow', 'cpu'] as const);
const workerCounts = values.workers!.split(',').map((w) => positiveInt('workers', w.trim(), 1));
const images = positiveInt('images', values.images, 512);
const tfjsImages = positiveInt('tfjs-images', values['tfjs-images'], 128);
const repeat = positiveInt('repeat', values.repeat, 3);
const cores = os.availableParallelism();
for (const t of threadCounts) if (t > cores) throw new Error(`--threads ${t}: this machine has ${cores} cores`);

const weights = randomConvMixerWeights(CONFIG, 'bench');
const flops = flopsPerImage(CONFIG, SIZE, SIZE);

function randomImages(count: number): ImageBatch<Uint8Array> {
  const rng = seedrandom('bench-images');
  const data = new Uint8Array(count * SIZE * SIZE * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, shape: { count, height: SIZE, width: SIZE, channels: 3 }, layout: 'NHWC' };
}

interface Row {
  readonly engine: string;
  readonly detail: string;
  readonly threads: number;
  readonly batch: number;
  readonly images: number;
  seconds: number;
  busy: number | undefined;
  version: string;
}

/** One engine configuration at one batch size: made afresh each round (start-up and a warm-up batch untimed), then one timed pass. */
interface NodeCase {
  readonly make: () => Promise<Engine>;
  readonly images: ImageBatch<Uint8Array>;
  readonly engine: string;
  readonly detail: (e: Engine) => string;
  readonly batch: number;
}

const rows = new Map<string, Row>();
const notes: string[] = [];
const cases: NodeCase[] = [];

/** Keeps the best (fastest) pass of a row over the rounds. */
function record(key: string, row: Row): void {
  const old = rows.get(key);
  if (old === undefined) rows.set(key, row);
  else if (row.seconds < old.seconds) Object.assign(old, { seconds: row.seconds, busy: row.busy, version: row.version });
}

async function runNodeCase(c: NodeCase): Promise<void> {
  const engine = await c.make();
  try {
    const warm = Math.min(c.batch, c.images.shape.count);
    await engine.logits({ ...c.images, data: c.images.data.subarray(0, warm * SIZE * SIZE * 3), shape: { ...c.images.shape, count: warm } });
    const cpu = process.cpuUsage(); // worker threads and onnxruntime's threads are in this process
    const t = performance.now();
    await engine.logits(c.images);
    const wall = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const detail = c.detail(engine);
    record(`${c.engine}|${detail}|${engine.threads}|${c.batch}`, {
      engine: engine.name,
      detail,
      threads: engine.threads,
      batch: c.batch,
      images: c.images.shape.count,
      seconds: wall,
      busy: (used.user + used.system) / 1e6 / wall,
      version: engine.version,
    });
    process.stderr.write(`  ${engine.name} ${detail} threads ${engine.threads} batch ${c.batch}: ${(c.images.shape.count / wall).toFixed(1)} images/s\n`);
  } finally {
    engine.dispose();
  }
}

async function addOnnxCases(): Promise<void> {
  try {
    await loadOnnxRuntime();
  } catch (error) {
    if (!(error instanceof CipherpatchError)) throw error;
    notes.push(`onnx skipped: ${error.message}`);
    return;
  }
  const all = randomImages(images);
  for (const graph of graphs)
    for (const gelu of gelus)
      for (const threads of threadCounts)
        for (const spin of threads > 1 ? spinnings : (['off'] as const))
          for (const batch of batches) {
            cases.push({
              make: () => createOnnxEngine(weights, { graph, gelu, threads, batchSize: batch, spinning: spin === 'on' }),
              images: all,
              engine: 'onnx',
              detail: () => `${graph} graph${gelu === 'erf' ? ', GELU via Erf' : ''}${spin === 'on' ? ', spinning' : ''}`,
              batch,
            });
          }
}

/** onnx as `cipherpatch evaluate` runs it with no flags: every core, the calibrated batch size and spinning. */
async function addEvaluateCase(): Promise<TuningChoice | undefined> {
  let runtime;
  try {
    runtime = await loadOnnxRuntime();
  } catch (error) {
    if (!(error instanceof CipherpatchError)) throw error;
    notes.push(`evaluate's engine skipped: ${error.message}`);
    return undefined;
  }
  const file = defaultCalibrationFile();
  const threads = cores;
  const inner = fileCalibrationStore(file, (m) => notes.push(m));
  let seen: CalibrationResult | undefined; // the calibration used, cached or new, for the printout
  const store = { get: (k: string) => (seen = inner.get(k)), set: (k: string, r: CalibrationResult) => inner.set(k, (seen = r)) };
  const choice = await chooseOnnxTuning({ runtime, weights, height: SIZE, width: SIZE, threads, plannedImages: Number.MAX_SAFE_INTEGER, mode: tuningMode, store });
  console.log(`evaluate's onnx settings: ${candidateName(choice)} — ${choice.source} (${file})`);
  if (seen !== undefined) console.log(`  calibration, images/s: ${Object.entries(seen.measured).map(([c, r]) => `${c}: ${r}`).join('; ')}`);
  cases.push({
    make: () => createOnnxEngine(weights, { threads, batchSize: choice.batchSize, spinning: choice.spinning }),
    images: randomImages(images),
    engine: 'onnx',
    detail: () => `as evaluate runs it (${candidateName(choice)}, calibrated)`,
    batch: choice.batchSize,
  });
  return choice;
}

async function addTfjsCases(): Promise<void> {
  for (const backend of backends) {
    try {
      await selectTfjsBackend(backend);
    } catch (error) {
      if (!(error instanceof CipherpatchError && error.check === 'engine.backend-unavailable')) throw error;
      if (backend !== 'tensorflow' || values.backend !== 'wasm,tensorflow') notes.push(`tfjs ${backend} skipped: ${error.message}`);
      continue;
    }
    const all = randomImages(backend === 'cpu' ? Math.min(tfjsImages, 64) : tfjsImages);
    for (const workers of workerCounts)
      for (const batch of batches) {
        cases.push({
          make: () => createEngine(weights, CONFIG, { engine: 'tfjs', backend: backend as TfjsBackendRequest, batchSize: batch, workers }),
          images: all,
          engine: 'tfjs',
          detail: (e) => `${e.backend}, ${workers} worker${workers === 1 ? '' : 's'}`,
          batch,
        });
      }
  }
}

/** The interpreter that imports torch, or undefined (with a note on how to get it). */
function findTorch(): { python: string; version: string } | undefined {
  const candidates = values.python !== undefined ? [values.python] : ['python3', '/usr/bin/python3'];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const p = spawnSync(candidate, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (p.status === 0) return { python: candidate, version: p.stdout.trim() };
    failures.push(`${candidate}: ${p.error !== undefined ? p.error.message : (p.stderr.trim().split('\n').pop() ?? `exit ${p.status}`)}`);
  }
  notes.push(
    `PyTorch column skipped: \`python3 -c "import torch"\` failed (${failures.join('; ')}). To add it: on Debian/Ubuntu \`apt-get install python3-torch python3-numpy\`; elsewhere \`pip install torch\` (CPU wheels: --index-url https://download.pytorch.org/whl/cpu), or point --python at an interpreter that has torch.`,
  );
  return undefined;
}

/** One round of bench/torch_bench.py: every mode × threads × batch, one timed pass each. */
function runTorchRound(torch: { python: string; version: string }): void {
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const args = [script, '--batch', batches.join(','), '--threads', threadCounts.join(','), '--images', String(images), '--repeat', '1'];
  const run = spawnSync(torch.python, args, { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (run.status !== 0) {
    notes.push(`PyTorch round failed: ${torch.python} bench/torch_bench.py exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return;
  }
  for (const line of run.stdout.split('\n').filter((l) => l.trim() !== '')) {
    const r = JSON.parse(line) as { torch?: string; mode?: string; threads: number; batch: number; images: number; seconds: number; cpu_seconds?: number };
    if (r.mode === undefined) continue;
    record(`pytorch|${r.mode}|${r.threads}|${r.batch}`, {
      engine: 'pytorch',
      detail: r.mode,
      threads: r.threads,
      batch: r.batch,
      images: r.images,
      seconds: r.seconds,
      busy: r.cpu_seconds !== undefined ? r.cpu_seconds / r.seconds : undefined,
      version: `torch ${torch.version} (CPU, ${torch.python})`,
    });
    process.stderr.write(`  pytorch ${r.mode} threads ${r.threads} batch ${r.batch}: ${(r.images / r.seconds).toFixed(1)} images/s\n`);
  }
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const started = new Date();
console.log(`ConvMixer-${CONFIG.dim}/${CONFIG.depth} (k ${CONFIG.kernel}, P ${CONFIG.patch}), ${SIZE}×${SIZE}×3, ${(flops / 1e6).toFixed(1)} MFLOP/image`);
console.log(`Node ${process.version}, ${cores} logical CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; best of ${repeat} rounds`);
console.log(`${started.toISOString()}; load average before: ${load()}`);
console.log(describePeak(peak));
const evaluateChoice = engines.includes('evaluate') ? await addEvaluateCase() : undefined;
if (engines.includes('onnx')) await addOnnxCases();
if (engines.includes('tfjs')) await addTfjsCases();
const torch = engines.includes('torch') ? findTorch() : undefined;
// Rounds: every configuration once per round, PyTorch in the same rounds, best pass kept, so that a
// burst of load from another process hits all engines alike rather than whichever ran at the time.
for (let round = 1; round <= repeat; round++) {
  process.stderr.write(`round ${round}/${repeat}\n`);
  for (const c of cases) await runNodeCase(c);
  if (torch !== undefined) runTorchRound(torch);
}
console.log(`load average after: ${load()} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
console.log('');

const rate = (r: Row) => r.images / r.seconds;
const table = [...rows.values()];
const torchBest = table.filter((r) => r.engine === 'pytorch').reduce((best, r) => Math.max(best, rate(r)), 0);
console.log('| engine | configuration | threads | batch | images | best s | images/s | GFLOP/s | % peak | cores busy | × PyTorch best |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of table) {
  const vsTorch = torchBest > 0 ? `${(rate(r) / torchBest).toFixed(2)}` : '—';
  const busy = r.busy === undefined ? '—' : r.busy.toFixed(2);
  console.log(`| ${r.engine} | ${r.detail} | ${r.threads} | ${r.batch} | ${r.images} | ${r.seconds.toFixed(3)} | ${rate(r).toFixed(1)} | ${((rate(r) * flops) / 1e9).toFixed(1)} | ${peak.gflops > 0 ? ((100 * rate(r) * flops) / 1e9 / peak.gflops).toFixed(0) : '—'} | ${busy} | ${vsTorch} |`);
}
console.log('');
console.log('Versions:');
for (const v of [...new Set(table.map((r) => `${r.engine}: ${r.version}`))]) console.log(`- ${v}`);
for (const note of notes) console.log(`- ${note}`);
if (torchBest > 0) {
  const best = (engine: string) => table.filter((r) => r.engine === engine).reduce<Row | undefined>((b, r) => (b === undefined || rate(r) > rate(b) ? r : b), undefined);
  const asEvaluate = table.find((r) => r.detail.startsWith('as evaluate runs it'));
  if (asEvaluate !== undefined) console.log(`- onnx as evaluate runs it (${asEvaluate.detail}) / best PyTorch: ${(rate(asEvaluate) / torchBest).toFixed(2)}×`);
  for (const engine of ['onnx', 'tfjs', 'tfjs-parallel']) {
    const b = best(engine);
    if (b !== undefined) console.log(`- best ${engine} (${b.detail}, ${b.threads} thread(s), batch ${b.batch}) / best PyTorch: ${(rate(b) / torchBest).toFixed(2)}×`);
  }
}
