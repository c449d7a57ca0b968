import { describe, expect, it } from 'vitest';
import { fmaLanes, parseCpuInfo } from './cpuPeak.ts';

// Two processor blocks as Linux prints them (trimmed), one physical core each.
const milan = (flags: string, family = 25, model = 1) =>
  [0, 1]
    .map((id) => `processor\t: ${id}\nvendor_id\t: AuthenticAMD\ncpu family\t: ${family}\nmodel\t\t: ${model}\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2445.406\nphysical id\t: 0\ncore id\t\t: ${id}\nflags\t\t: ${flags}\n`)
    .join('\n');

describe('the FP32 peak from /proc/cpuinfo', () => {
  it('AVX2 Zen 3, 2 cores at 2.445 GHz: 2 × 2 FMA × 8 lanes × 2 × 2.445 = 156.5 GFLOP/s', () => {
    const info = parseCpuInfo(milan('fpu sse sse2 avx fma avx2'), 2);
    expect(info.physicalCores).toBe(2);
    expect(info.mhz).toBeCloseTo(2445.406, 3);
    const { lanes } = fmaLanes(info);
    expect(lanes).toBe(8);
    expect(info.physicalCores * 2 * lanes * 2 * (info.mhz! / 1000)).toBeCloseTo(156.5, 1);
  });

  it('lanes: 16 with AVX-512 (Zen 5, Intel), 8 on Zen 4 AVX-512 and AVX2, 4 on Zen 1 and without FMA', () => {
    expect(fmaLanes(parseCpuInfo(milan('avx2 fma avx512f'), 2)).lanes).toBe(8); // family 25: Zen 4's 256-bit units
    expect(fmaLanes(parseCpuInfo(milan('avx2 fma avx512f', 26, 2), 2)).lanes).toBe(16); // Zen 5
    expect(fmaLanes({ flags: new Set(['avx2', 'fma', 'avx512f']), family: 6, modelNumber: 143, vendor: 'GenuineIntel' }).lanes).toBe(16);
    expect(fmaLanes(parseCpuInfo(milan('avx2 fma', 23, 1), 2)).lanes).toBe(4); // Zen 1
    expect(fmaLanes(parseCpuInfo(milan('avx2 fma', 23, 49), 2)).lanes).toBe(8); // Zen 2
    expect(fmaLanes(parseCpuInfo(milan('sse sse2 avx'), 2)).lanes).toBe(4);
  });

  it('SMT siblings share a core: 4 logical CPUs on 2 core ids count 2 cores', () => {
    const text = [0, 1, 2, 3].map((id) => `processor\t: ${id}\nphysical id\t: 0\ncore id\t\t: ${id % 2}\nflags\t\t: avx2 fma\n`).join('\n');
    expect(parseCpuInfo(text, 4).physicalCores).toBe(2);
  });
});
