/**
 * The size of System A's key space (Sec. 4.3), exactly:
 *   O_p = p_b!  ·  O_f = C(p_b, p_b/2)  ·  O = O_p·O_f,  p_b = M²C.
 * Distinct keys give distinct encryption functions (signed permutations), so
 * O is also the number of distinct encryptions.
 *
 * The exact integers grow fast (p_b = 65,536 gives O with about 600,000
 * digits, computed in a second or two); `keySpace` computes them up to
 * EXACT_KEY_SPACE_MAX_BLOCK_LENGTH and refuses beyond. `keySpaceLog2` gives
 * log2 and the digit counts for any p_b up to KEY_SPACE_MAX_BLOCK_LENGTH:
 * from the exact integers where `keySpace` computes them, from Stirling's
 * series above.
 */
import { checkBlockLengthAtMost } from './key.ts';

/** The largest p_b whose key space is computed exactly (about 1–2 s; p_b = 102,400 takes 10 s). */
export const EXACT_KEY_SPACE_MAX_BLOCK_LENGTH = 65_536;
/** The largest p_b for which log2 O is given at all: beyond, a double cannot hold log2 O to two decimals. */
export const KEY_SPACE_MAX_BLOCK_LENGTH = 2 ** 32;

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

/** p_b after checking M and C (positive integers, p_b even) and that p_b is at most `limit`. */
const checkedBlockLength = (blockSize: number, channels: number, limit: number, what: string): number =>
  checkBlockLengthAtMost(blockSize, channels, limit, 'keyspace.too-large', `the largest p_b ${what}`);

export function keySpace(blockSize: number, channels: number): KeySpace {
  const pb = checkedBlockLength(blockSize, channels, EXACT_KEY_SPACE_MAX_BLOCK_LENGTH, 'whose key space is computed exactly (keySpaceLog2 gives log2 and digit counts beyond)');
  const half = pb / 2;
  const shuffleKeys = fallingFactorial(pb, pb);
  // C(p_b, p_b/2) = p_b·(p_b−1)···(p_b/2+1) / (p_b/2)!
  const flipKeys = fallingFactorial(pb, half) / fallingFactorial(half, half);
  const total = shuffleKeys * flipKeys;
  return { blockSize, channels, blockLength: pb, shuffleKeys, flipKeys, total, log2Total: log2BigInt(total), decimal: decimalForm(total) };
}

/** A key-space size given by its logarithm: log2, and the number of decimal digits. */
export interface LogSize {
  readonly log2: number;
  /** Decimal digits of the integer, floor(log10) + 1. */
  readonly digits: number;
  /** False only where log10 lies so close to an integer that the approximation cannot tell `digits` from `digits` − 1. */
  readonly digitsExact: boolean;
}

export interface KeySpaceLog2 {
  readonly blockSize: number;
  readonly channels: number;
  readonly blockLength: number;
  /** True when p_b ≤ EXACT_KEY_SPACE_MAX_BLOCK_LENGTH: the numbers come from the exact integers. */
  readonly exact: boolean;
  readonly shuffleKeys: LogSize;
  readonly flipKeys: LogSize;
  readonly total: LogSize;
  /** O as mantissa × 10^exponent, mantissa in [1, 10) (to about 8 significant digits when not exact). */
  readonly decimal: { readonly mantissa: number; readonly exponent: number };
}

/** ln(n!) by Stirling's series; for n ≥ 1000 the terms left out are below 1e−25. */
export function lnFactorial(n: number): number {
  return n * (Math.log(n) - 1) + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3) + 1 / (1260 * n ** 5);
}

/** ln C(2m, m) by its asymptotic series (no cancellation between two factorials); for m ≥ 1000 the terms left out are below 1e−20. */
export function lnCentralBinomial(m: number): number {
  return 2 * m * Math.LN2 - 0.5 * Math.log(Math.PI * m) - 1 / (8 * m) + 1 / (192 * m ** 3);
}

function exactLogSize(x: bigint): LogSize {
  return { log2: log2BigInt(x), digits: x.toString().length, digitsExact: true };
}

/** From ln x with absolute error at most `error`. */
function approximateLogSize(ln: number, error: number): LogSize {
  const log10 = ln / Math.LN10;
  const digits = Math.floor(log10) + 1;
  const fraction = log10 - Math.floor(log10);
  return { log2: ln / Math.LN2, digits, digitsExact: fraction > error && 1 - fraction > error };
}

/**
 * log2 and digit counts of O_p, O_f and O for any p_b up to
 * KEY_SPACE_MAX_BLOCK_LENGTH: exactly from `keySpace` up to
 * EXACT_KEY_SPACE_MAX_BLOCK_LENGTH, from Stirling's series above it.
 */
export function keySpaceLog2(blockSize: number, channels: number): KeySpaceLog2 {
  const pb = checkedBlockLength(blockSize, channels, KEY_SPACE_MAX_BLOCK_LENGTH, 'whose key space size is computed');
  if (pb <= EXACT_KEY_SPACE_MAX_BLOCK_LENGTH) {
    const ks = keySpace(blockSize, channels);
    return { blockSize, channels, blockLength: pb, exact: true, shuffleKeys: exactLogSize(ks.shuffleKeys), flipKeys: exactLogSize(ks.flipKeys), total: exactLogSize(ks.total), decimal: ks.decimal };
  }
  const lnShuffle = lnFactorial(pb);
  const lnFlip = lnCentralBinomial(pb / 2);
  const lnTotal = lnShuffle + lnFlip;
  // Each value is a few floating-point operations on terms below |lnTotal|: its error is a few ulps of lnTotal.
  const error = 16 * Number.EPSILON * lnTotal;
  const log10 = lnTotal / Math.LN10;
  const exponent = Math.floor(log10);
  return {
    blockSize,
    channels,
    blockLength: pb,
    exact: false,
    shuffleKeys: approximateLogSize(lnShuffle, error),
    flipKeys: approximateLogSize(lnFlip, error),
    total: approximateLogSize(lnTotal, error),
    decimal: { mantissa: 10 ** (log10 - exponent), exponent },
  };
}
