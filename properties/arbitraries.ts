/**
 * fast-check arbitraries for the property suite. Images are built from a
 * shape plus values (typed arrays would otherwise shrink by length, which is
 * meaningless for a fixed shape).
 */
import fc from 'fast-check';
import type { BatchShape, Layout } from '../src/core/images.ts';
import type { BlockKey } from '../src/core/key.ts';

export const BLOCK_SIZES = [1, 2, 4, 8] as const;
export const CHANNELS = [1, 2, 3, 4] as const;

export interface BlockConfig {
  readonly blockSize: number;
  readonly channels: number;
}

/** M ∈ {1,2,4,8}, C ∈ {1,2,3,4}, with p_b = M²C even (bit flipping needs p_b/2 ones). */
export const blockConfigArb: fc.Arbitrary<BlockConfig> = fc
  .record({ blockSize: fc.constantFrom(...BLOCK_SIZES), channels: fc.constantFrom(...CHANNELS) })
  .filter(({ blockSize, channels }) => (blockSize * blockSize * channels) % 2 === 0);

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A uniformly shrinkable key: any permutation, any flip vector with exactly p_b/2 ones. */
export function blockKeyArb(blockSize: number, channels: number): fc.Arbitrary<BlockKey> {
  const pb = blockSize * blockSize * channels;
  return fc
    .tuple(
      fc.shuffledSubarray(range(pb), { minLength: pb, maxLength: pb }),
      fc.shuffledSubarray(range(pb), { minLength: pb / 2, maxLength: pb / 2 }),
    )
    .map(([permutation, ones]) => {
      const flip = new Uint8Array(pb);
      for (const k of ones) flip[k] = 1;
      return { blockSize, channels, permutation: Int32Array.from(permutation), flip };
    });
}

/** Two keys for the same configuration that differ. */
export function distinctKeysArb(blockSize: number, channels: number): fc.Arbitrary<[BlockKey, BlockKey]> {
  return fc
    .tuple(blockKeyArb(blockSize, channels), blockKeyArb(blockSize, channels))
    .filter(([a, b]) => a.permutation.some((v, k) => v !== b.permutation[k]) || a.flip.some((r, k) => r !== b.flip[k]));
}

export const layoutArb: fc.Arbitrary<Layout> = fc.constantFrom('NHWC', 'NCHW');

export interface ShapeCase extends BlockConfig {
  readonly shape: BatchShape;
  readonly layout: Layout;
}

/** A batch shape whose H and W are multiples of the block size (1–3 blocks per side, 1–2 images). */
export const shapeCaseArb: fc.Arbitrary<ShapeCase> = blockConfigArb.chain(({ blockSize, channels }) =>
  fc
    .record({
      blockRows: fc.integer({ min: 1, max: 3 }),
      blockCols: fc.integer({ min: 1, max: 3 }),
      count: fc.integer({ min: 1, max: 2 }),
      layout: layoutArb,
    })
    .map(({ blockRows, blockCols, count, layout }) => ({
      blockSize,
      channels,
      layout,
      shape: { count, height: blockRows * blockSize, width: blockCols * blockSize, channels },
    })),
);

export function shapeLength(shape: BatchShape): number {
  return shape.count * shape.height * shape.width * shape.channels;
}

export interface Uint8Case extends ShapeCase {
  readonly key: BlockKey;
  readonly pixels: Uint8Array;
}

export const uint8CaseArb: fc.Arbitrary<Uint8Case> = shapeCaseArb.chain((sc) =>
  fc
    .record({
      key: blockKeyArb(sc.blockSize, sc.channels),
      pixels: fc.uint8Array({ minLength: shapeLength(sc.shape), maxLength: shapeLength(sc.shape) }),
    })
    .map(({ key, pixels }) => ({ ...sc, key, pixels })),
);

/** A double in [lo, hi] (no NaN, no infinities, no −0). */
export function unitDouble(lo = 0, hi = 1): fc.Arbitrary<number> {
  return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
}

export interface FloatCase extends ShapeCase {
  readonly key: BlockKey;
  readonly values: number[];
}

export function floatCaseArb(lo: number, hi: number): fc.Arbitrary<FloatCase> {
  return shapeCaseArb.chain((sc) =>
    fc
      .record({
        key: blockKeyArb(sc.blockSize, sc.channels),
        values: fc.array(unitDouble(lo, hi), { minLength: shapeLength(sc.shape), maxLength: shapeLength(sc.shape) }),
      })
      .map(({ key, values }) => ({ ...sc, key, values })),
  );
}
