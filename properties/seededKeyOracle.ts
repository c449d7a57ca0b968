/**
 * The seeded key as README and src/core/keygen.ts document the algorithm,
 * written from that description with seedrandom directly and nothing from
 * src/: the oracle for every test that checks which keys a seed gives
 * (the wrong keys `${seed}:${i}` of `cipherpatch evaluate`).
 *
 *   permutation v: Fisher–Yates on [0..p_b−1], i from p_b−1 down to 1,
 *                  j = floor(u·(i+1)) with u = seedrandom(seed).double();
 *   flip r: a second Fisher–Yates on [0..p_b−1] with the same generator;
 *           r[order[k]] = 1 for its first p_b/2 entries, 0 elsewhere.
 */
import seedrandom from 'seedrandom';

export interface OracleKey {
  readonly permutation: number[];
  readonly flip: number[];
}

export function oracleSeededKey(blockSize: number, channels: number, seed: string): OracleKey {
  const prng = seedrandom(seed);
  const pb = blockSize * blockSize * channels;
  const fisherYates = (): number[] => {
    const p = Array.from({ length: pb }, (_, i) => i);
    for (let i = pb - 1; i >= 1; i--) {
      const j = Math.floor(prng.double() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  const permutation = fisherYates();
  const order = fisherYates();
  const flip = new Array<number>(pb).fill(0);
  for (const k of order.slice(0, pb / 2)) flip[k] = 1;
  return { permutation, flip };
}

/** The same key, as arrays (for comparing a src key with an oracle key). */
export function asOracleKey(key: { readonly permutation: ArrayLike<number>; readonly flip: ArrayLike<number> }): OracleKey {
  return { permutation: Array.from(key.permutation), flip: Array.from(key.flip) };
}
