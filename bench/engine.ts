/**
 * Inference throughput of ConvMixer-256/8 (d 256, depth 8, k 9, P 4, 32×32×3,
 * 10 classes, random weights) per tfjs backend and worker count.
 *
 *   npx tsx bench/engine.ts [--backend all|auto|wasm|cpu|tensorflow] [--images N]
 *                           [--batch B] [--workers 1,2] [--repeat R]
 *
 * Defaults: every available backend; 512 images (64 on the pure-JS cpu
 * backend unless --images is given); batch 32; workers 1 and 2; best of 3
 * timed passes after one untimed warm-up batch. Engine start-up (worker
 * threads, weight upload) is reported separately and not in the throughput.
 * GFLOP/s counts 2 × multiply-adds of the convolutions and the head
 * (flopsPerImage). "cores busy" is this process's CPU time (all threads)
 * over the wall time of the best pass: near 1 with 2 workers means another
 * process held the second core.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import seedrandom from 'seedrandom';
import { CipherpatchError } from '../src/core/errors.ts';
import type { ImageBatch } from '../src/core/images.ts';
import { type Engine, type TfjsBackendRequest, createEngine } from '../src/engine/engine.ts';
import { selectTfjsBackend } from '../src/engine/tfjs.ts';
import { type ConvMixerConfig, flopsPerImage, randomConvMixerWeights } from '../src/model/convmixer.ts';

const CONFIG: ConvMixerConfig = { dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 };
const SIZE = 32;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'all' },
    images: { type: 'string' },
    batch: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    repeat: { type: 'string' },
  },
});
const batch = positiveInt('batch', values.batch, 32);
const repeat = positiveInt('repeat', values.repeat, 3);
const workerCounts = (values.workers ?? '1,2').split(',').map((w) => positiveInt('workers', w.trim(), 1));
const requested = values.backend ?? 'all';
const known = ['all', 'auto', 'wasm', 'cpu', 'tensorflow'];
if (!known.includes(requested)) throw new Error(`--backend must be one of ${known.join(', ')}, got "${requested}"`);

async function backendsToRun(): Promise<TfjsBackendRequest[]> {
  if (requested !== 'all') return [requested as TfjsBackendRequest];
  const found: TfjsBackendRequest[] = [];
  for (const b of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      await selectTfjsBackend(b);
      found.push(b);
    } catch (error) {
      if (!(error instanceof CipherpatchError && error.check === 'engine.backend-unavailable')) throw error;
      console.log(`skip ${b}: ${error.message}`);
    }
  }
  return found;
}

function randomImages(count: number): ImageBatch<Uint8Array> {
  const rng = seedrandom('bench-images');
  const data = new Uint8Array(count * SIZE * SIZE * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, shape: { count, height: SIZE, width: SIZE, channels: 3 }, layout: 'NHWC' };
}

const weights = randomConvMixerWeights(CONFIG, 'bench');
const flops = flopsPerImage(CONFIG, SIZE, SIZE);
console.log(`ConvMixer-${CONFIG.dim}/${CONFIG.depth} (k ${CONFIG.kernel}, P ${CONFIG.patch}), ${SIZE}×${SIZE}×3, ${(flops / 1e6).toFixed(1)} MFLOP/image`);
console.log(`Node ${process.version}, ${os.cpus().length} logical CPUs (${os.cpus()[0]?.model ?? 'unknown'}), batch ${batch}, best of ${repeat}`);
const backends = await backendsToRun();
console.log('');
console.log('| backend | workers | threads | images | start-up s | best s | images/s | GFLOP/s | cores busy | version |');
console.log('|---|---|---|---|---|---|---|---|---|---|');

for (const backend of backends) {
  const count = positiveInt('images', values.images, backend === 'cpu' ? 64 : 512);
  const images = randomImages(count);
  const warmup: ImageBatch<Uint8Array> = { ...images, data: images.data.subarray(0, Math.min(batch, count) * SIZE * SIZE * 3), shape: { ...images.shape, count: Math.min(batch, count) } };
  for (const workers of workerCounts) {
    const t0 = performance.now();
    const engine: Engine = await createEngine(weights, CONFIG, { engine: 'tfjs', backend, batchSize: batch, workers });
    const startup = (performance.now() - t0) / 1000;
    try {
      await engine.logits(warmup);
      let best = Number.POSITIVE_INFINITY;
      let busy = 0;
      for (let r = 0; r < repeat; r++) {
        const t = performance.now();
        const cpu = process.cpuUsage(); // worker threads are in this process: their CPU time counts too
        await engine.logits(images);
        const wall = (performance.now() - t) / 1000;
        const used = process.cpuUsage(cpu);
        if (wall < best) {
          best = wall;
          busy = (used.user + used.system) / 1e6 / wall;
        }
      }
      const rate = count / best;
      console.log(
        `| ${engine.backend} | ${workers} | ${engine.threads} | ${count} | ${startup.toFixed(2)} | ${best.toFixed(2)} | ${rate.toFixed(1)} | ${((rate * flops) / 1e9).toFixed(2)} | ${busy.toFixed(2)} | ${engine.version} |`,
      );
    } finally {
      engine.dispose();
    }
  }
}
