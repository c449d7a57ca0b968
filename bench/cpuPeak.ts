/**
 * The machine's FP32 peak, from the CPU's flags and clock (Linux
 * /proc/cpuinfo; elsewhere Node's os.cpus()):
 *
 *   peak = physical cores × FMA units per core × FP32 lanes per unit × 2 (an FMA is 2 FLOPs) × GHz
 *
 * Lanes: 16 with AVX-512F on a full-width datapath, 8 with AVX2+FMA (and on
 * AMD Zen 4, family 0x19 with AVX-512, which runs 512-bit operations on
 * 256-bit units), 4 with SSE only. Two FMA units per core, as on every x86
 * core with FMA since Haswell and Zen 1 (Zen 1 splits 256-bit FMAs in two:
 * family 0x17 model < 0x30 counts 4 lanes). The clock is the one the kernel
 * reports ("cpu MHz", under a hypervisor usually the nominal TSC clock; turbo
 * can exceed it) unless --ghz says otherwise. An estimate to compare engines
 * against, printed with every input so that a reader can redo it.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface CpuPeak {
  readonly model: string;
  readonly cores: number;
  readonly lanes: number;
  readonly fmaUnits: number;
  readonly ghz: number;
  readonly gflops: number;
  /** The flags the lane count came from, e.g. "avx2 fma". */
  readonly basis: string;
}

interface CpuInfo {
  readonly model: string;
  readonly flags: ReadonlySet<string>;
  readonly family: number | undefined;
  readonly modelNumber: number | undefined;
  readonly vendor: string;
  readonly mhz: number | undefined;
  readonly physicalCores: number;
}

/** Parses the first processor block of /proc/cpuinfo text, and counts physical cores. */
export function parseCpuInfo(text: string, logicalCpus: number): CpuInfo {
  const blocks = text.split(/\n\s*\n/).filter((b) => b.includes(':'));
  const field = (block: string, name: string) => block.split('\n').find((l) => l.split(':')[0].trim() === name)?.split(':').slice(1).join(':').trim();
  const first = blocks[0] ?? '';
  const cores = new Set(blocks.map((b) => `${field(b, 'physical id') ?? 0}:${field(b, 'core id') ?? b}`));
  const num = (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : Number(raw));
  return {
    model: field(first, 'model name') ?? 'unknown',
    flags: new Set((field(first, 'flags') ?? '').split(/\s+/)),
    family: num(field(first, 'cpu family')),
    modelNumber: num(field(first, 'model')),
    vendor: field(first, 'vendor_id') ?? '',
    mhz: num(field(first, 'cpu MHz')),
    physicalCores: Math.min(logicalCpus, cores.size > 0 ? cores.size : logicalCpus),
  };
}

/** FP32 lanes per FMA unit and which flags say so. */
export function fmaLanes(info: Pick<CpuInfo, 'flags' | 'family' | 'modelNumber' | 'vendor'>): { lanes: number; basis: string } {
  const amd = info.vendor === 'AuthenticAMD' || info.vendor === '';
  if (info.flags.has('avx512f')) {
    if (amd && info.family === 0x19) return { lanes: 8, basis: 'avx512f on Zen 4 (256-bit units)' };
    return { lanes: 16, basis: 'avx512f' };
  }
  if (info.flags.has('avx2') && info.flags.has('fma')) {
    if (amd && info.family === 0x17 && (info.modelNumber ?? 0) < 0x30) return { lanes: 4, basis: 'avx2 fma on Zen 1 (128-bit units)' };
    return { lanes: 8, basis: 'avx2 fma' };
  }
  return { lanes: 4, basis: 'sse (no fma: counted as fused)' };
}

export function cpuPeak(ghzOverride?: number): CpuPeak {
  const logical = os.availableParallelism();
  let info: CpuInfo;
  try {
    info = parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'), logical);
  } catch {
    const cpu = os.cpus()[0];
    info = { model: cpu?.model ?? 'unknown', flags: new Set(), family: undefined, modelNumber: undefined, vendor: '', mhz: cpu?.speed, physicalCores: logical };
  }
  const { lanes, basis } = fmaLanes(info);
  const ghz = ghzOverride ?? (info.mhz ?? 0) / 1000;
  const fmaUnits = 2;
  return { model: info.model, cores: info.physicalCores, lanes, fmaUnits, ghz, gflops: info.physicalCores * fmaUnits * lanes * 2 * ghz, basis };
}

export function describePeak(p: CpuPeak): string {
  return `FP32 peak ≈ ${p.gflops.toFixed(1)} GFLOP/s = ${p.cores} cores × ${p.fmaUnits} FMA units × ${p.lanes} lanes (${p.basis}) × 2 × ${p.ghz.toFixed(3)} GHz (${p.model})`;
}
