/**
 * Block segmentation and integration (Sec. 3.2 of the ConvMixer paper).
 *
 * An image of C×H×W values is cut into non-overlapping M×M blocks, taken in
 * raster order (block row by, then block column bx). Each block is flattened
 * to a vector of p_b = M·M·C values in (channel, row, column) order:
 *
 *     k = (c·M + i)·M + j      for channel c, row i, column j inside the block.
 *
 * This is the order of a PyTorch conv weight (d, C, P, P) reshaped to
 * (d, C·P·P), so the same k indexes a row of the patch-embedding matrix E (Eq. 3).
 */
import { type SpecImage, pixelAt, setPixel, specImage } from './image.ts';

/** p_b, the number of values in one block. */
export function blockLength(blockSize: number, channels: number): number {
  return blockSize * blockSize * channels;
}

/** Position (c, i, j) inside a block of the flattened index k. */
export function blockCoordinates(k: number, blockSize: number): { c: number; i: number; j: number } {
  const j = k % blockSize;
  const i = Math.floor(k / blockSize) % blockSize;
  const c = Math.floor(k / (blockSize * blockSize));
  return { c, i, j };
}

/** Segment: C×H×W image → list of (H/M)·(W/M) flattened blocks, raster order. */
export function segmentBlocks(img: SpecImage, blockSize: number): number[][] {
  const M = blockSize;
  if (img.height % M !== 0 || img.width % M !== 0) {
    throw new Error(`segmentBlocks: ${img.height}×${img.width} is not divisible by block size ${M}`);
  }
  const blocks: number[][] = [];
  for (let by = 0; by < img.height / M; by++) {
    for (let bx = 0; bx < img.width / M; bx++) {
      const block: number[] = [];
      for (let c = 0; c < img.channels; c++) {
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < M; j++) {
            block.push(pixelAt(img, c, by * M + i, bx * M + j));
          }
        }
      }
      blocks.push(block);
    }
  }
  return blocks;
}

/** Integrate: the inverse of segmentBlocks. */
export function integrateBlocks(
  blocks: number[][],
  channels: number,
  height: number,
  width: number,
  blockSize: number,
): SpecImage {
  const M = blockSize;
  const img = specImage(channels, height, width);
  const blocksPerRow = width / M;
  if (blocks.length !== (height / M) * blocksPerRow) {
    throw new Error(`integrateBlocks: expected ${(height / M) * blocksPerRow} blocks, got ${blocks.length}`);
  }
  blocks.forEach((block, b) => {
    const by = Math.floor(b / blocksPerRow);
    const bx = b % blocksPerRow;
    block.forEach((value, k) => {
      const { c, i, j } = blockCoordinates(k, M);
      setPixel(img, c, by * M + i, bx * M + j, value);
    });
  });
  return img;
}
