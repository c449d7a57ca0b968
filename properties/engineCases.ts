/**
 * The set-up the engine properties share (engineTfjs, engineOnnx,
 * engineResNet): random ConvMixer configurations and images, the tfjs
 * backends this machine has, and one engine run checked against the spec's
 * logits.
 */
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { BatchShape, ImageBatch, Layout } from '../src/core/images.ts';
import type { Engine, TfjsBackendRequest } from '../src/engine/engine.ts';
import type { ConvMixerConfig } from '../src/model/convmixer.ts';
import { layoutArb } from './arbitraries.ts';
import { expectLogitsMatch, tfjsBackendAvailable } from './engineBridge.ts';
import type { Tolerance } from './tolerance.ts';

/** Random 8-bit images of a case. */
export interface ImageCase {
  readonly shape: BatchShape;
  readonly layout: Layout;
  readonly pixels: Uint8Array;
}

/** d ≤ 16, depth ≤ 3, the given kernels, P ∈ {1,2,4}, C ∈ {1,3}, 1–10 classes. */
export function convMixerConfigArb(kernel: fc.Arbitrary<number>): fc.Arbitrary<ConvMixerConfig> {
  return fc.record({
    dim: fc.integer({ min: 1, max: 16 }),
    depth: fc.integer({ min: 0, max: 3 }),
    kernel,
    patch: fc.constantFrom(1, 2, 4),
    channels: fc.constantFrom(1, 3),
    classes: fc.integer({ min: 1, max: 10 }),
  });
}

/** The image grid of a ConvMixer case: 1–3 images of 1–5 patches per side, either layout (spread into the case's record). */
export const PATCH_GRID = {
  count: fc.integer({ min: 1, max: 3 }),
  rows: fc.integer({ min: 1, max: 5 }),
  cols: fc.integer({ min: 1, max: 5 }),
  layout: layoutArb,
};

/** Random pixels for the images of a patch grid drawn from PATCH_GRID. */
export function patchImagesArb(config: ConvMixerConfig, grid: { count: number; rows: number; cols: number; layout: Layout }): fc.Arbitrary<ImageCase> {
  const shape = { count: grid.count, height: grid.rows * config.patch, width: grid.cols * config.patch, channels: config.channels };
  const length = grid.count * shape.height * shape.width * shape.channels;
  return fc.array(fc.integer({ min: 0, max: 255 }), { minLength: length, maxLength: length }).map((values) => ({ shape, layout: grid.layout, pixels: Uint8Array.from(values) }));
}

export function imagesOf(c: ImageCase): ImageBatch<Uint8Array> {
  return { data: c.pixels, shape: c.shape, layout: c.layout };
}

/** A ConvMixer config and images as failure messages name them. */
export function describeConvMixer(config: ConvMixerConfig): string {
  const { dim, depth, kernel, patch, channels, classes } = config;
  return `d=${dim} depth=${depth} k=${kernel} P=${patch} C=${channels} classes=${classes}`;
}

export function describeImages(c: ImageCase): string {
  return `${c.shape.count}×${c.shape.height}×${c.shape.width} ${c.layout}`;
}

/** Which of these tfjs backends run here. */
export async function availableTfjsBackends(backends: readonly TfjsBackendRequest[]): Promise<Map<string, boolean>> {
  const available = new Map<string, boolean>();
  for (const backend of backends) available.set(backend, await tfjsBackendAvailable(backend));
  return available;
}

/**
 * Runs `engine` on the case's images and disposes it: the engine is the one
 * asked for (`is`: its name or backend), gives N × classes logits (the case
 * model's classes), and they match the spec's `expected` logits
 * (expectLogitsMatch, within `tol`).
 */
export async function expectEngineMatchesSpec(
  engine: Engine<unknown>,
  c: ImageCase & { readonly config: { readonly classes: number } },
  expected: readonly number[][],
  context: string,
  options: { readonly is?: { readonly name?: string; readonly backend?: string }; readonly tol?: Tolerance } = {},
): Promise<void> {
  try {
    if (options.is?.name !== undefined) expect(engine.name).toBe(options.is.name);
    if (options.is?.backend !== undefined) expect(engine.backend).toBe(options.is.backend);
    const classes = c.config.classes;
    const logits = await engine.logits(imagesOf(c));
    expect(logits.length).toBe(c.shape.count * classes);
    expectLogitsMatch(logits, expected, classes, context, options.tol);
  } finally {
    engine.dispose();
  }
}
