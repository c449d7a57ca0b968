/**
 * System B's model input through the lookup table read off the variant
 * (src/evaluate/systemB.ts, what evaluate runs) ≡ the variant run block by
 * block, bit for bit: for random key sets of every transform, random block
 * sizes and channel counts, random 8-bit images in either layout.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { toLayout } from '../src/core/images.ts';
import { systemBModelInput, systemBModelInputDirect } from '../src/evaluate/systemB.ts';
import { SYSTEM_B_TRANSFORMS, generateSystemBKey } from '../src/variants/systemBKey.ts';
import { layoutArb } from './arbitraries.ts';

const caseArb = fc
  .record({
    transform: fc.constantFrom(...SYSTEM_B_TRANSFORMS),
    blockSize: fc.constantFrom(1, 2, 4),
    channels: fc.constantFrom(1, 3),
    seed: fc.string({ maxLength: 8 }),
    count: fc.integer({ min: 1, max: 2 }),
    rows: fc.integer({ min: 1, max: 3 }),
    cols: fc.integer({ min: 1, max: 3 }),
    layout: layoutArb,
  })
  .filter((c) => c.blockSize * c.blockSize * c.channels >= 3) // the authors' binary key needs p_b/2 − 1 ≥ 1 ones
  .chain((c) => {
    const length = c.count * c.rows * c.blockSize * c.cols * c.blockSize * c.channels;
    return fc.uint8Array({ minLength: length, maxLength: length }).map((pixels) => ({ ...c, pixels }));
  });

test.prop([caseArb], { numRuns: 60 })('table ≡ variant, bit for bit', (c) => {
  const key = generateSystemBKey(c.transform, c, c.seed);
  const shape = { count: c.count, height: c.rows * c.blockSize, width: c.cols * c.blockSize, channels: c.channels };
  const nchw = { data: c.pixels, shape, layout: 'NCHW' as const };
  const images = c.layout === 'NCHW' ? nchw : toLayout(nchw, 'NHWC');
  const fast = systemBModelInput(images, key).data;
  const direct = systemBModelInputDirect(images, key).data;
  expect(Buffer.from(fast.buffer).equals(Buffer.from(direct.buffer)), `${c.transform} M=${c.blockSize} C=${c.channels}`).toBe(true);
});
