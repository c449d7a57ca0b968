/**
 * Mutant: System A with an off-by-one block index: encrypted block n of an
 * image lands at position n + 1 (cyclically, within the image). Decryption
 * undoes it, so the round trip holds; but a patch of the encrypted image no
 * longer comes from the same patch of the plain one.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { systemA } from '../../src/variants/builtin/systemA.ts';
import { withData } from '../../src/variants/builtin/common.ts';
import { type BlockBatch, blockLength } from '../../src/variants/contract.ts';
import { defineMutant } from './common.ts';

/** Block n of each image moves to position n + by (mod blocks per image). */
function shiftBlocks(batch: BlockBatch, by: number): BlockBatch {
  const pb = blockLength(batch);
  const perImage = batch.rows * batch.cols;
  const out = new Float64Array(batch.data.length);
  for (let img = 0; img < batch.images; img++)
    for (let n = 0; n < perImage; n++) {
      const to = (n + by + perImage) % perImage;
      out.set(batch.data.subarray((img * perImage + n) * pb, (img * perImage + n + 1) * pb), (img * perImage + to) * pb);
    }
  return withData(batch, out);
}

export default defineMutant<BlockKey>({
  base: 'system-a',
  bug: 'off-by-one block index (encrypted blocks shifted by one position)',
  caughtBy: ['known-answer', 'adapter', 'adaptable', 'norm:0.5/0.5', 'norm:cifar', 'norm:none'],
  variant: {
    ...systemA,
    name: 'mutant-block-off-by-one',
    title: 'BROKEN system-a: blocks shifted by one position',
    encrypt: (batch, key) => shiftBlocks(systemA.encrypt(batch, key), 1),
    decrypt: (batch, key) => systemA.decrypt(shiftBlocks(batch, -1), key),
  },
});
