/**
 * Block-transform throughput against a plain memory copy of the same bytes:
 * 10,000 CIFAR-sized 8-bit images (30.7 MB), System A encryption in both
 * layouts, best of 5.
 *
 *   npx tsx bench/blockTransform.ts [--images N]
 */
import { encryptUint8 } from '../src/core/blockTransform.ts';
import { type Layout, imageBatch } from '../src/core/images.ts';
import { generateKey } from '../src/core/keygen.ts';

const arg = process.argv.indexOf('--images');
const count = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;
const bytes = count * 32 * 32 * 3;
const data = Uint8Array.from({ length: bytes }, (_, i) => (i * 2654435761) >>> 24);
const key = generateKey({ blockSize: 4, channels: 3, seed: 'bench' });

function best(f: () => void, repeats = 5): number {
  let min = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min / 1000;
}

const copySeconds = best(() => {
  const out = new Uint8Array(bytes);
  out.set(data);
});
const rows: string[] = [];
const gbps = (s: number) => (bytes / s / 1e9).toFixed(2);
rows.push(`| memory copy (new Uint8Array + set) | ${(copySeconds * 1000).toFixed(1)} | ${gbps(copySeconds)} | 1.00 |`);
for (const layout of ['NCHW', 'NHWC'] as Layout[]) {
  const batch = imageBatch(data, { count, height: 32, width: 32, channels: 3 }, layout);
  const s = best(() => encryptUint8(batch, key));
  rows.push(`| encryptUint8, ${layout} (Eqs. 4–5) | ${(s * 1000).toFixed(1)} | ${gbps(s)} | ${(copySeconds / s).toFixed(2)} |`);
}
console.log(`${count} images × 3072 bytes = ${(bytes / 1e6).toFixed(1)} MB, best of 5, Node ${process.version}\n`);
console.log('| operation | ms | GB/s | × memcpy |\n|---|---|---|---|');
for (const r of rows) console.log(r);
