/**
 * The size of System A's key space (Sec. 4.3), exactly:
 *   O_p = p_b!  ·  O_f = C(p_b, p_b/2)  ·  O = O_p·O_f,  p_b = M²C.
 * Distinct keys give distinct encryption functions (signed permutations), so
 * O is also the number of distinct encryptions.
 */
import { blockLength, checkBlockParameters } from './key.ts';

export interface KeySpace {
  readonly blockSize: number;
  readonly channels: number;
  readonly blockLength: number; // p_b
  readonly shuffleKeys: bigint; // O_p
  readonly flipKeys: bigint; // O_f
  readonly total: bigint; // O
  readonly log2Total: number;
  /** O as mantissa × 10^exponent, mantissa in [1, 10). */
  readonly decimal: { readonly mantissa: number; readonly exponent: number };
}

function fallingFactorial(from: number, count: number): bigint {
  let f = 1n;
  for (let i = 0; i < count; i++) f *= BigInt(from - i);
  return f;
}

/** log2 of a positive bigint, accurate to double precision. */
export function log2BigInt(x: bigint): number {
  const bits = x.toString(2).length;
  if (bits <= 53) return Math.log2(Number(x));
  return Math.log2(Number(x >> BigInt(bits - 53))) + (bits - 53);
}

export function decimalForm(x: bigint): { mantissa: number; exponent: number } {
  const digits = x.toString();
  return { mantissa: Number(`${digits[0]}.${digits.slice(1, 17)}`), exponent: digits.length - 1 };
}

export function keySpace(blockSize: number, channels: number): KeySpace {
  checkBlockParameters(blockSize, channels);
  const pb = blockLength(blockSize, channels);
  const half = pb / 2;
  const shuffleKeys = fallingFactorial(pb, pb);
  // C(p_b, p_b/2) = p_b·(p_b−1)···(p_b/2+1) / (p_b/2)!
  const flipKeys = fallingFactorial(pb, half) / fallingFactorial(half, half);
  const total = shuffleKeys * flipKeys;
  return { blockSize, channels, blockLength: pb, shuffleKeys, flipKeys, total, log2Total: log2BigInt(total), decimal: decimalForm(total) };
}
