/**
 * Block-transform throughput against a plain memory copy of the same bytes:
 * 10,000 CIFAR-sized 8-bit images (30.7 MB), System A encryption and
 * decryption (Eqs. 4–5) in both layouts, with each 8-bit kernel (the
 * WebAssembly SIMD one and the JS index-map gather) and with the kernel
 * encryptUint8/decryptUint8 pick. Best of N; the memory copy is timed in the
 * same rounds, interleaved with the transforms, so "× memcpy" compares like
 * with like on a shared machine. Wall time and this process's CPU time
 * (process.cpuUsage: user + system, all threads) are both reported: on a
 * loaded machine the CPU time leaves out the time the process waited for a
 * core.
 *
 *   npx tsx bench/blockTransform.ts [--images N] [--repeats N] [--chunk-images N]
 */
import { cpus, loadavg } from 'node:os';
import {
  type Uint8Kernel,
  UINT8_KERNELS,
  decryptUint8,
  decryptUint8With,
  encryptUint8,
  encryptUint8With,
  uint8KernelFor,
  uint8KernelSupports,
} from '../src/core/blockTransform.ts';
import { DEFAULT_CHUNK_BYTES } from '../src/core/blockTransformSimd.ts';
import { type Layout, type Uint8Batch, imageBatch } from '../src/core/images.ts';
import { generateKey } from '../src/core/keygen.ts';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const count = option('--images', 10_000);
const repeats = option('--repeats', 7);
const chunkArg = option('--chunk-images', 0);
const chunkImages = chunkArg > 0 ? chunkArg : undefined;
const shape = { count, height: 32, width: 32, channels: 3 };
const bytes = count * 32 * 32 * 3;
const data = Uint8Array.from({ length: bytes }, (_, i) => (i * 2654435761) >>> 24);
const key = generateKey({ blockSize: 4, channels: 3, seed: 'bench' });

interface Row {
  readonly name: string;
  readonly run: () => void;
  best: number; // wall seconds
  bestCpu: number; // CPU seconds
}
const rows: Row[] = [
  {
    name: 'memory copy (new Uint8Array + set)',
    run: () => {
      const out = new Uint8Array(bytes);
      out.set(data);
    },
    best: Infinity,
    bestCpu: Infinity,
  },
];
const batches: Record<Layout, Uint8Batch> = {
  NCHW: imageBatch(data, shape, 'NCHW'),
  NHWC: imageBatch(data, shape, 'NHWC'),
};
const auto = uint8KernelFor(shape, key);
for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
  const batch = batches[layout];
  for (const kernel of UINT8_KERNELS as Uint8Kernel[]) {
    if (!uint8KernelSupports(kernel, shape, key)) continue;
    rows.push({ name: `encryptUint8With('${kernel}'), ${layout}`, run: () => encryptUint8With(kernel, batch, key, { chunkImages }), best: Infinity, bestCpu: Infinity });
    rows.push({ name: `decryptUint8With('${kernel}'), ${layout}`, run: () => decryptUint8With(kernel, batch, key, { chunkImages }), best: Infinity, bestCpu: Infinity });
  }
  rows.push({ name: `encryptUint8 → ${auto}, ${layout}`, run: () => encryptUint8(batch, key), best: Infinity, bestCpu: Infinity });
  rows.push({ name: `decryptUint8 → ${auto}, ${layout}`, run: () => decryptUint8(batch, key), best: Infinity, bestCpu: Infinity });
}

const loadBefore = loadavg()[0];
// Rounds: every row once per round (warm-up round untimed), best time kept.
for (let round = 0; round <= repeats; round++) {
  for (const row of rows) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    row.run();
    const s = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    if (round > 0) {
      row.best = Math.min(row.best, s);
      row.bestCpu = Math.min(row.bestCpu, (used.user + used.system) / 1e6);
    }
  }
}

const copy = rows[0].best;
const copyCpu = rows[0].bestCpu;
const gbps = (s: number) => (bytes / s / 1e9).toFixed(2);
const missing = UINT8_KERNELS.filter((k) => !uint8KernelSupports(k, shape, key));
console.log(
  `${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}\n` +
  `${count} images × 3072 bytes = ${(bytes / 1e6).toFixed(1)} MB, M = 4, C = 3, best of ${repeats} (+1 warm-up), Node ${process.version}; ` +
    `encryptUint8/decryptUint8 use the ${auto} kernel here; wasm-simd chunk: ${chunkImages ?? Math.floor(DEFAULT_CHUNK_BYTES / 3072)} images` +
    (missing.length > 0 ? `; not available here: ${missing.join(', ')}` : '') +
    '\n',
);
console.log('| operation | wall ms | GB/s | × memcpy (wall) | CPU ms | × memcpy (CPU) |\n|---|---|---|---|---|---|');
for (const row of rows) {
  const cells = [row.name, (row.best * 1000).toFixed(1), gbps(row.best), (copy / row.best).toFixed(2), (row.bestCpu * 1000).toFixed(1), (copyCpu / row.bestCpu).toFixed(2)];
  console.log(`| ${cells.join(' | ')} |`);
}
