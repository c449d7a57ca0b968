/**
 * Block batches for the value properties (shape, domain, storable, invertible,
 * deterministic, serialization): the fast-check arbitrary of a key seed and a
 * small batch of values in the variant's input domain, and helpers over them.
 */
import fc from 'fast-check';
import { seededRandom } from '../../core/keygen.ts';
import { type BlockBatch, type Domain, type Variant, type VariantParams, blockLength, fromByte } from '../contract.ts';
import { type Ctx, keySeedArb } from './check.ts';

export function randomBytes(seed: string, n: number): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => r.int(256));
}

/** Params for value-array properties: grid-bound variants get a 2×2 grid. */
export function workParams(v: Variant<unknown>): VariantParams {
  return v.gridBound ? { ...v.params, rows: 2, cols: 2 } : v.params;
}

export interface BatchCase {
  readonly keySeed: string;
  readonly images: number;
  readonly rows: number;
  readonly cols: number;
  readonly values: number[];
}

function valueArb(domain: Domain, bytes: boolean): fc.Arbitrary<number> {
  if (bytes || domain === 'uint8') return fc.integer({ min: 0, max: 255 }).map((v) => fromByte(v, domain));
  const [min, max] = domain === 'unit' ? [0, 1] : [-3, 3];
  return fc.double({ min, max, noNaN: true }).map((x) => (x === 0 ? 0 : x));
}

export function batchCaseArb(ctx: Ctx, params: VariantParams, bytes: boolean): fc.Arbitrary<BatchCase> {
  const grid = ctx.v.gridBound
    ? fc.record({ images: fc.integer({ min: 1, max: 2 }), rows: fc.constant(params.rows as number), cols: fc.constant(params.cols as number) })
    : fc.record({ images: fc.integer({ min: 1, max: 2 }), rows: fc.integer({ min: 1, max: 2 }), cols: fc.integer({ min: 1, max: 2 }) });
  const pb = blockLength(params);
  return fc
    .tuple(keySeedArb, grid)
    .chain(([keySeed, g]) => {
      const n = g.images * g.rows * g.cols * pb;
      return fc.array(valueArb(ctx.dom.input, bytes), { minLength: n, maxLength: n }).map((values) => ({ keySeed, ...g, values }));
    });
}

export function batchOf(params: VariantParams, c: Omit<BatchCase, 'keySeed' | 'values'>, values: ArrayLike<number>): BlockBatch {
  return { data: Float64Array.from(values), images: c.images, rows: c.rows, cols: c.cols, blockSize: params.blockSize, channels: params.channels };
}

export function where(b: BlockBatch, i: number): string {
  const pb = blockLength(b);
  return `block ${Math.floor(i / pb)}, k=${i % pb}`;
}

export function sameData(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
