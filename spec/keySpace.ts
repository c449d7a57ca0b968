/**
 * Key space of System A (Sec. 4.3), exactly, with BigInt:
 *   O_p = p_b!            (pixel-shuffling keys)
 *   O_f = C(p_b, p_b/2)   (bit-flipping keys with exactly p_b/2 ones)
 *   O   = O_p · O_f
 */

export function factorial(n: number): bigint {
  let f = 1n;
  for (let i = 2n; i <= BigInt(n); i++) f *= i;
  return f;
}

export function binomial(n: number, k: number): bigint {
  return factorial(n) / (factorial(k) * factorial(n - k));
}

export function shuffleKeySpace(pb: number): bigint {
  return factorial(pb);
}

export function flipKeySpace(pb: number): bigint {
  if (pb % 2 !== 0) throw new Error(`flipKeySpace: p_b = ${pb} is odd`);
  return binomial(pb, pb / 2);
}

export function keySpace(pb: number): bigint {
  return shuffleKeySpace(pb) * flipKeySpace(pb);
}

/** log2 O = Σ_{i≤p_b} log2 i + (Σ_{i≤p_b} log2 i − 2 Σ_{i≤p_b/2} log2 i). */
export function keySpaceLog2(pb: number): number {
  let logFact = 0;
  let logHalf = 0;
  for (let i = 2; i <= pb; i++) logFact += Math.log2(i);
  for (let i = 2; i <= pb / 2; i++) logHalf += Math.log2(i);
  return logFact + (logFact - 2 * logHalf);
}
