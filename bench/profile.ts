/**
 * Per-operator profile of the onnx engine's default ConvMixer graph
 * (ConvMixer-256/8, 32×32, the dense graph the engine picks), from
 * onnxruntime's own profiler: the session runs with `enableProfiling`, the
 * trace's kernel events ("Node" category, `<node>_kernel_time`) are summed by
 * operator type.
 *
 *   npx tsx bench/profile.ts [--threads 2] [--batch 32] [--images 1024] [--graph dense|conv] [--spinning off|on] [--keep trace.json]
 *
 * Prints a markdown table: operator, nodes, calls, total ms, share of the
 * kernel time, and the share of the wall time the kernels account for (the
 * rest is onnxruntime's own overhead between kernels and the JS side:
 * tensor creation, copying logits out).
 */
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import seedrandom from 'seedrandom';
import { loadOnnxRuntime, onnxSessionOptions } from '../src/engine/onnx.ts';
import { ONNX_INPUT, buildConvMixerOnnx } from '../src/engine/onnxGraph.ts';
import { type ConvMixerConfig, randomConvMixerWeights } from '../src/model/convmixer.ts';

const CONFIG: ConvMixerConfig = { dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 };
const SIZE = 32;

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(os.availableParallelism()) },
    batch: { type: 'string', default: '64' },
    images: { type: 'string', default: '1024' },
    graph: { type: 'string', default: 'dense' },
    spinning: { type: 'string', default: 'off' },
    keep: { type: 'string' },
  },
});
const int = (name: string, raw: string) => {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
};
const threads = int('threads', values.threads!);
const batch = int('batch', values.batch!);
const images = int('images', values.images!);
const graph = values.graph as 'dense' | 'conv';
if (graph !== 'dense' && graph !== 'conv') throw new Error(`--graph must be dense or conv, got "${values.graph}"`);
if (values.spinning !== 'on' && values.spinning !== 'off') throw new Error(`--spinning must be on or off, got "${values.spinning}"`);

interface TraceEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly dur?: number;
  readonly args?: { readonly op_name?: string };
}

const runtime = await loadOnnxRuntime();
const model = buildConvMixerOnnx(randomConvMixerWeights(CONFIG, 'bench'), { form: graph, height: SIZE, width: SIZE });
const dir = mkdtempSync(join(os.tmpdir(), 'cipherpatch-profile-'));
try {
  const options = { ...onnxSessionOptions({ provider: 'cpu', threads, spinning: values.spinning === 'on' }), enableProfiling: true, profileFilePrefix: join(dir, 'ort') };
  const session = (await runtime.ort.InferenceSession.create(model, options)) as Awaited<ReturnType<typeof runtime.ort.InferenceSession.create>> & { endProfiling(): void };
  const rng = seedrandom('profile-images');
  const input = Float32Array.from({ length: batch * 3 * SIZE * SIZE }, () => rng() * 2 - 1);
  const tensor = new runtime.ort.Tensor('float32', input, [batch, 3, SIZE, SIZE]);
  await session.run({ [ONNX_INPUT]: tensor }); // warm-up (in the trace too; dropped below by count)
  const passes = Math.ceil(images / batch);
  const started = performance.now();
  for (let i = 0; i < passes; i++) await session.run({ [ONNX_INPUT]: tensor });
  const wallMs = performance.now() - started;
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith('ort') && f.endsWith('.json'));
  if (file === undefined) throw new Error(`onnxruntime wrote no profile into ${dir}`);
  const trace = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceEvent[];
  if (values.keep !== undefined) renameSync(join(dir, file), values.keep);

  const kernels = trace.filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time') && e.args?.op_name !== undefined);
  // The first run's events are the warm-up: keep the last `passes` runs' worth.
  const perRun = kernels.length / (passes + 1);
  const timed = kernels.slice(kernels.length - Math.round(perRun * passes));
  const byOp = new Map<string, { nodes: Set<string>; calls: number; us: number }>();
  for (const e of timed) {
    const op = e.args!.op_name!;
    const entry = byOp.get(op) ?? { nodes: new Set<string>(), calls: 0, us: 0 };
    entry.nodes.add(e.name!);
    entry.calls++;
    entry.us += e.dur ?? 0;
    byOp.set(op, entry);
  }
  const kernelUs = [...byOp.values()].reduce((a, b) => a + b.us, 0);
  console.log(`onnxruntime-node ${runtime.version}, ${graph} graph, ${threads} intra-op thread(s), spinning ${values.spinning}, batch ${batch}, ${passes} timed runs (${passes * batch} images)`);
  console.log(`${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} logical CPUs; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`wall ${wallMs.toFixed(0)} ms (${((passes * batch) / (wallMs / 1000)).toFixed(1)} images/s); kernels ${(kernelUs / 1000).toFixed(0)} ms = ${((100 * kernelUs) / 1000 / wallMs).toFixed(1)} % of the wall time`);
  console.log('');
  console.log('| operator | nodes | calls | total ms | share of kernel time |');
  console.log('|---|---|---|---|---|');
  for (const [op, e] of [...byOp.entries()].sort((a, b) => b[1].us - a[1].us)) {
    console.log(`| ${op} | ${e.nodes.size} | ${e.calls} | ${(e.us / 1000).toFixed(1)} | ${((100 * e.us) / kernelUs).toFixed(1)} % |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
