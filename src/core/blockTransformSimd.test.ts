/**
 * The WebAssembly SIMD block kernel itself: the committed binary is what the
 * .wat compiles to, and the kernel touches exactly the memory it should (its
 * results are checked against the spec in properties/blockTransform.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODULE_PATH, blockKernelModuleText, compileBlockKernel } from '../../scripts/build-wasm.ts';
import { encryptUint8With } from './blockTransform.ts';
import { blockKernelBytes, kernelMasks, simdKernelAvailable } from './blockTransformSimd.ts';
import { type Layout, imageBatch } from './images.ts';
import { generateKey } from './keygen.ts';

describe('committed kernel binary', () => {
  it('src/core/blockTransformSimd.wasm.ts is exactly what `npm run wasm:build` makes from the .wat', async () => {
    const bytes = await compileBlockKernel();
    expect(blockKernelBytes()).toEqual(bytes);
    expect(readFileSync(MODULE_PATH, 'utf8')).toBe(blockKernelModuleText(bytes));
  });

  it('validates as WebAssembly with SIMD on this runtime', () => {
    expect(simdKernelAvailable()).toBe(true);
  });
});

type Kernel = {
  memory: { buffer: ArrayBuffer };
  nhwc_m4c3: (src: number, dst: number, masks: number, blockRows: number, stride: number) => void;
  nchw_m4c3: (src: number, dst: number, masks: number, images: number, height: number, width: number) => void;
};
declare const WebAssembly: { Instance: new (m: object, i: object) => { exports: unknown }; Module: new (b: Uint8Array) => object };

/** A fresh instance (one 64 KiB page) of the committed kernel. */
function freshKernel(): Kernel {
  return new WebAssembly.Instance(new WebAssembly.Module(blockKernelBytes()), {}).exports as Kernel;
}

describe('memory the kernel touches (one fresh 64 KiB page, everything else a sentinel)', () => {
  const key = generateKey({ blockSize: 4, channels: 3, seed: 'edges' });
  const shape = { count: 2, height: 8, width: 12, channels: 3 };
  const L = 8 * 12 * 3;
  const SENTINEL = 0xa5;
  const OUT = 4096;

  /** Runs the kernel with the input's last byte `gap` bytes before the end of memory. */
  function run(layout: Layout, gap: number): { memory: Uint8Array; input: Uint8Array; inOffset: number } {
    const kernel = freshKernel();
    const memory = new Uint8Array(kernel.memory.buffer);
    memory.fill(SENTINEL);
    const masks = kernelMasks(layout, key.permutation, key.flip);
    memory.set(masks, 0);
    const input = Uint8Array.from({ length: 2 * L }, (_, i) => (i * 37 + 11) & 255);
    const inOffset = memory.length - gap - input.length;
    memory.set(input, inOffset);
    if (layout === 'NHWC') kernel.nhwc_m4c3(inOffset, OUT, 0, (2 * 8) / 4, 12 * 3);
    else kernel.nchw_m4c3(inOffset, OUT, 0, 2, 8, 12);
    return { memory, input, inOffset };
  }

  for (const layout of ['NHWC', 'NCHW'] as Layout[]) {
    it(`${layout}: writes exactly the output region, leaves masks and input as they were, and gets the js result`, () => {
      const { memory, input, inOffset } = run(layout, 16);
      const expected = encryptUint8With('js', imageBatch(input, shape, layout), key).data;
      expect(Array.from(memory.subarray(OUT, OUT + input.length))).toEqual(Array.from(expected));
      expect(memory.subarray(0, 512)).toEqual(kernelMasks(layout, key.permutation, key.flip));
      expect(memory.subarray(inOffset, inOffset + input.length)).toEqual(input);
      const untouched = (from: number, to: number) => memory.subarray(from, to).every((b) => b === SENTINEL);
      expect(untouched(512, OUT)).toBe(true);
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
