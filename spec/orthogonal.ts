/**
 * System C (Aso, Chuman & Kiya 2023): every normalized block vector x_p ∈ R^{p_b}
 * (flattened in (channel, row, column) order, see blocks.ts) is multiplied by
 * a secret orthogonal matrix Q (Q Qᵀ = I), and the patch embedding becomes
 * E′ = Qᵀ E, bias unchanged, so that x′_p E′ = x_p Q Qᵀ E = x_p E.
 */
import { integrateBlocks, segmentBlocks } from './blocks.ts';
import type { SpecImage } from './image.ts';
import { matMul, transpose } from './modelTransform.ts';

/** x′ = x Q for one block (a row vector times Q). */
export function orthogonalBlock(block: readonly number[], Q: readonly (readonly number[])[]): number[] {
  return matMul([block], Q)[0];
}

/** Encrypt a normalized image: every block times the same Q. */
export function encryptImageOrthogonal(img: SpecImage, blockSize: number, Q: readonly (readonly number[])[]): SpecImage {
  const blocks = segmentBlocks(img, blockSize).map((b) => orthogonalBlock(b, Q));
  return integrateBlocks(blocks, img.channels, img.height, img.width, blockSize);
}

/** Decrypt: x = x′ Qᵀ. */
export function decryptImageOrthogonal(img: SpecImage, blockSize: number, Q: readonly (readonly number[])[]): SpecImage {
  return encryptImageOrthogonal(img, blockSize, transpose(Q));
}

/** The model transformation: E′ = Qᵀ E. */
export function transformEmbeddingOrthogonal(E: readonly (readonly number[])[], Q: readonly (readonly number[])[]): number[][] {
  return matMul(transpose(Q), E);
}
