/**
 * Block-wise image encryption of System A (Sec. 3.2), one equation per
 * function, applied to one flattened block (see blocks.ts for the order).
 *
 * Key K₁ is a permutation v of {0..p_b−1}; key K₂ is a binary vector r of
 * length p_b with exactly p_b/2 ones.
 */
import { integrateBlocks, segmentBlocks } from './blocks.ts';
import type { SpecImage } from './image.ts';

/** Eq. (4) pixel shuffling: x′(k) = x(v_k). */
export function pixelShuffle(block: readonly number[], v: readonly number[]): number[] {
  return v.map((vk) => block[vk]);
}

/** Inverse of Eq. (4): x(v_k) = x′(k). */
export function pixelUnshuffle(shuffled: readonly number[], v: readonly number[]): number[] {
  const block = new Array<number>(shuffled.length);
  v.forEach((vk, k) => {
    block[vk] = shuffled[k];
  });
  return block;
}

/** Eq. (5) bit flipping of L-bit integers: x″(k) = x′(k) ⊕ (2^L − 1) where r_k = 1. */
export function bitFlip(block: readonly number[], r: readonly number[], bits = 8): number[] {
  const allOnes = 2 ** bits - 1;
  return block.map((x, k) => {
    if (!Number.isInteger(x) || x < 0 || x > allOnes) throw new Error(`bitFlip: ${x} is not a ${bits}-bit integer`);
    return r[k] === 1 ? x ^ allOnes : x;
  });
}

/** Eq. (6) negative/positive transform of values in [0, 1]: x″(k) = 1 − x′(k) where r_k = 1. */
export function negativePositive(block: readonly number[], r: readonly number[]): number[] {
  return block.map((x, k) => (r[k] === 1 ? 1 - x : x));
}

/** Eq. (7) normalization of a value in [0, 1] to [−1, 1]: x̂ = (x − 0.5)/0.5. */
export function normalize(x: number): number {
  return (x - 0.5) / 0.5;
}

/**
 * Eq. (7) for an 8-bit value x (the image value x/255), written as the single
 * rational (2x − 255)/255: the numerator is an exact integer, so the result is
 * the correctly rounded value of Eq. (7) and flipping x ↦ 255 − x changes only
 * its sign, exactly. (The literal ((x/255) − 0.5)/0.5 rounds twice and breaks
 * the exact sign symmetry for 104 of the 256 values.)
 */
export function normalize8bit(x: number): number {
  return (2 * x - 255) / 255;
}

/** Encrypt an 8-bit image: segment, Eq. (4) then Eq. (5) on every block with the same key, integrate. */
export function encryptImage8bit(img: SpecImage, blockSize: number, v: readonly number[], r: readonly number[]): SpecImage {
  const blocks = segmentBlocks(img, blockSize).map((b) => bitFlip(pixelShuffle(b, v), r));
  return integrateBlocks(blocks, img.channels, img.height, img.width, blockSize);
}

/** Decrypt an 8-bit image: Eq. (5) is its own inverse, then undo Eq. (4). */
export function decryptImage8bit(img: SpecImage, blockSize: number, v: readonly number[], r: readonly number[]): SpecImage {
  const blocks = segmentBlocks(img, blockSize).map((b) => pixelUnshuffle(bitFlip(b, r), v));
  return integrateBlocks(blocks, img.channels, img.height, img.width, blockSize);
}

/** Encrypt an image with values in [0, 1]: Eq. (4) then Eq. (6). */
export function encryptImageUnit(img: SpecImage, blockSize: number, v: readonly number[], r: readonly number[]): SpecImage {
  const blocks = segmentBlocks(img, blockSize).map((b) => negativePositive(pixelShuffle(b, v), r));
  return integrateBlocks(blocks, img.channels, img.height, img.width, blockSize);
}

/** Decrypt an image with values in [0, 1]: Eq. (6) is its own inverse, then undo Eq. (4). */
export function decryptImageUnit(img: SpecImage, blockSize: number, v: readonly number[], r: readonly number[]): SpecImage {
  const blocks = segmentBlocks(img, blockSize).map((b) => pixelUnshuffle(negativePositive(b, r), v));
  return integrateBlocks(blocks, img.channels, img.height, img.width, blockSize);
}

/** Encrypt an already normalized image (values in [−1, 1]): Eq. (4), then the sign change that Eq. (6) becomes after Eq. (7). */
export function encryptImageNormalized(img: SpecImage, blockSize: number, v: readonly number[], r: readonly number[]): SpecImage {
  const blocks = segmentBlocks(img, blockSize).map((b) => pixelShuffle(b, v).map((x, k) => (r[k] === 1 ? -x : x)));
  return integrateBlocks(blocks, img.channels, img.height, img.width, blockSize);
}
