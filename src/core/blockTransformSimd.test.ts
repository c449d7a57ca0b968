/**
 * The WebAssembly SIMD block kernel itself: the committed binary is what the
 * .wat compiles to, and the kernel touches exactly the memory it should (its
 * results are checked against the spec in properties/blockTransform.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODULE_PATH, blockKernelModuleText, compileBlockKernel } from '../../scripts/build-wasm.ts';
import { encryptUint8With } from './blockTransform.ts';
import { type WasmMemory, blockKernelBytes, instantiateKernel, kernelConstants, placeholderOffsets, simdKernelAvailable, specializeKernel } from './blockTransformSimd.ts';
import { type Layout, imageBatch } from './images.ts';
import { generateKey } from './keygen.ts';

describe('committed kernel binary', () => {
  it('src/core/blockTransformSimd.wasm.ts is exactly what `npm run wasm:build` makes from the .wat', async () => {
    const bytes = await compileBlockKernel();
    expect(blockKernelBytes()).toEqual(bytes);
    const text = readFileSync(MODULE_PATH, 'utf8');
    // Stryker's sandbox prefixes every TypeScript file with `// @ts-nocheck` (vitest.mutation.config.ts sets CIPHERPATCH_MUTATION).
    expect(process.env.CIPHERPATCH_MUTATION ? text.replace(/^\/\/ @ts-nocheck\n/, '') : text).toBe(blockKernelModuleText(bytes));
  });

  it('validates as WebAssembly with SIMD on this runtime', () => {
    expect(simdKernelAvailable()).toBe(true);
  });
});

declare const WebAssembly: { Memory: new (d: { initial: number }) => WasmMemory };

describe('template placeholders', () => {
  it('each of the 24 constant placeholders (2 layouts × 12 slots) occurs exactly once, 16 bytes apart at least', () => {
    const at = placeholderOffsets();
    expect(at).toHaveLength(24);
    const sorted = [...at].sort((a, b) => a - b);
    sorted.slice(1).forEach((x, i) => expect(x - sorted[i]).toBeGreaterThanOrEqual(16));
  });

  it('a specialized kernel has the constants at the placeholders and differs from the template nowhere else', () => {
    const key = generateKey({ blockSize: 4, channels: 3, seed: 'specialize' });
    const constants = { NHWC: kernelConstants('NHWC', key.permutation, key.flip), NCHW: kernelConstants('NCHW', key.permutation, key.flip) };
    const bytes = specializeKernel(constants);
    const template = blockKernelBytes();
    const at = placeholderOffsets();
    const patched = new Set<number>();
    (['NHWC', 'NCHW'] as Layout[]).forEach((layout, l) => {
      for (let slot = 0; slot < 12; slot++) {
        expect(bytes.subarray(at[l * 12 + slot], at[l * 12 + slot] + 16)).toEqual(constants[layout].subarray(slot * 16, slot * 16 + 16));
        for (let b = 0; b < 16; b++) patched.add(at[l * 12 + slot] + b);
      }
    });
    expect(bytes.length).toBe(template.length);
    for (let i = 0; i < bytes.length; i++) if (!patched.has(i)) expect(bytes[i], `byte ${i}`).toBe(template[i]);
  });
});

describe('memory the kernel touches (one fresh 64 KiB page, everything else a sentinel)', () => {
  const key = generateKey({ blockSize: 4, channels: 3, seed: 'edges' });
  const shape = { count: 2, height: 8, width: 12, channels: 3 };
  const L = 8 * 12 * 3;
  const SENTINEL = 0xa5;
  const OUT = 1000;

  /** Runs a kernel specialized to `key` with the input's last byte `gap` bytes before the end of memory. */
  function run(layout: Layout, gap: number): { memory: Uint8Array; input: Uint8Array; inOffset: number } {
    const wasm = new WebAssembly.Memory({ initial: 1 });
    const constants = { NHWC: kernelConstants('NHWC', key.permutation, key.flip), NCHW: kernelConstants('NCHW', key.permutation, key.flip) };
    const kernel = instantiateKernel(specializeKernel(constants), wasm);
    const memory = new Uint8Array(wasm.buffer);
    memory.fill(SENTINEL);
    const input = Uint8Array.from({ length: 2 * L }, (_, i) => (i * 37 + 11) & 255);
    const inOffset = memory.length - gap - input.length;
    memory.set(input, inOffset);
    if (layout === 'NHWC') kernel.nhwc_m4c3(inOffset, OUT, (2 * 8) / 4, 12 * 3);
    else kernel.nchw_m4c3(inOffset, OUT, 2, 8, 12);
    return { memory, input, inOffset };
  }

  for (const layout of ['NHWC', 'NCHW'] as Layout[]) {
    it(`${layout}: writes exactly the output region, leaves the input as it was, and gets the js result`, () => {
      const { memory, input, inOffset } = run(layout, 16);
      const expected = encryptUint8With('js', imageBatch(input, shape, layout), key).data;
      expect(Array.from(memory.subarray(OUT, OUT + input.length))).toEqual(Array.from(expected));
      expect(memory.subarray(inOffset, inOffset + input.length)).toEqual(input);
      const untouched = (from: number, to: number) => memory.subarray(from, to).every((b) => b === SENTINEL);
      expect(untouched(0, OUT)).toBe(true);
      expect(untouched(OUT + input.length, inOffset)).toBe(true);
      expect(untouched(inOffset + input.length, memory.length)).toBe(true);
    });
  }

  for (const layout of ['NHWC', 'NCHW'] as Layout[]) {
    it(`${layout} reads nothing past the last block: an input flush against the end of memory works`, () => {
      const { memory, input } = run(layout, 0);
      expect(Array.from(memory.subarray(OUT, OUT + input.length))).toEqual(Array.from(encryptUint8With('js', imageBatch(input, shape, layout), key).data));
    });
  }
});
