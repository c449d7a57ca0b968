/**
 * Whole images for the adaptability checks (adapter, adaptable, norm, blocks):
 * seeded random 8-bit images of a size that holds whole blocks and patches,
 * as the variant's plain input, and their encryption.
 */
import fc from 'fast-check';
import { type Images, fromBlocks, modelInput, toBlocks } from '../blocks.ts';
import { type Domain, type NormalizationName, type Variant, type VariantParams, normalization } from '../contract.ts';
import { batchProblems } from '../validate.ts';
import { randomBytes } from './batches.ts';
import { type Ctx, finding } from './check.ts';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** 8-bit pixels as the plain input of the variant: uint8 v, unit v/255, real n(v/255) (it encrypts after normalization). */
export function plainFromBytes(bytes: Images, domain: Domain, norm: NormalizationName): Images {
  if (domain === 'uint8') return bytes;
  const unit = { ...bytes, data: bytes.data.map((v) => v / 255) };
  return domain === 'unit' ? unit : modelInput(unit, 'unit', normalization(norm, bytes.channels));
}

export function encryptImages(ctx: Ctx, img: Images, blockSize: number, key: unknown): Images {
  const batch = toBlocks(img, blockSize);
  const out = ctx.v.encrypt(batch, key);
  const bad = batchProblems(out, batch, 'encrypt');
  if (bad.length > 0) finding(bad[0].message);
  return fromBlocks(out);
}

/** Image side lengths for block size M and patch size P (at least 2 patches). */
export function imageSides(v: Variant<unknown>, params: VariantParams, patch: number, a: number, b: number): [number, number] {
  if (v.gridBound) return [(params.rows as number) * params.blockSize, (params.cols as number) * params.blockSize];
  const L = lcm(params.blockSize, patch);
  return [a * L, b * L];
}

export const sidesArb = fc.constantFrom<[number, number]>([1, 2], [2, 1], [2, 2]);

/** Params for block size M with patch size P: grid-bound variants get a grid of 2·lcm(M, P) pixels a side. */
export function paramsFor(v: Variant<unknown>, blockSize: number, patch: number): VariantParams {
  const base = { ...v.params, blockSize };
  if (!v.gridBound) return { blockSize, channels: v.params.channels };
  const side = 2 * lcm(blockSize, patch);
  return { ...base, rows: side / blockSize, cols: side / blockSize };
}

export function bytesImage(seed: string, count: number, channels: number, height: number, width: number): Images {
  return { data: randomBytes(seed, count * channels * height * width), count, channels, height, width };
}
