/**
 * The optional attack capabilities of the built-ins (contract.ts:
 * KeyNeighbourhood, SignedPermutationView), built from a few steps on a
 * signed-permutation key:
 *   swap           exchange two permutation entries (disjoint transpositions)
 *   flip exchange  unflip one flipped position and flip one unflipped one
 *                  (the number of flips stays fixed, as Eq. 5 requires)
 * and the nearest valid key to a guessed signed permutation.
 */
import { fail } from '../../core/errors.ts';
import { type RandomSource, randomPermutation } from '../../core/keygen.ts';

function checkDistance(distance: number, max: number, what: string): void {
  if (!Number.isInteger(distance) || distance < 0 || distance > max) fail('attack.distance', `${what} distance must be an integer in 0..${max}, got ${distance}`);
}

/** The permutation with `s` disjoint transpositions at random positions (2s entries change). */
export function swapSteps(permutation: ArrayLike<number>, s: number, random: RandomSource): Int32Array {
  const n = permutation.length;
  checkDistance(s, Math.floor(n / 2), 'swap');
  const order = randomPermutation(n, random);
  const out = Int32Array.from(permutation);
  for (let t = 0; t < s; t++) {
    const a = order[2 * t];
    const b = order[2 * t + 1];
    [out[a], out[b]] = [out[b], out[a]];
  }
  return out;
}

/** Largest flip-exchange distance: min(ones, zeros). */
export function maxFlipExchanges(flip: ArrayLike<number>): number {
  let ones = 0;
  for (let k = 0; k < flip.length; k++) ones += flip[k];
  return Math.min(ones, flip.length - ones);
}

/** The flip vector with `s` flipped and `s` unflipped positions exchanged (2s bits change, the count stays). */
export function flipExchanges(flip: ArrayLike<number>, s: number, random: RandomSource): Uint8Array {
  checkDistance(s, maxFlipExchanges(flip), 'flip-exchange');
  const order = Array.from(randomPermutation(flip.length, random));
  const ones = order.filter((k) => flip[k] === 1).slice(0, s);
  const zeros = order.filter((k) => flip[k] === 0).slice(0, s);
  const out = Uint8Array.from(flip);
  for (const k of ones) out[k] = 0;
  for (const k of zeros) out[k] = 1;
  return out;
}

/** `d` steps, each a swap or a flip exchange (fair coin), disjoint within each kind. */
export function mixedSteps(key: { permutation: ArrayLike<number>; flip: ArrayLike<number> }, d: number, random: RandomSource): { permutation: Int32Array; flip: Uint8Array } {
  const maxSwaps = Math.floor(key.permutation.length / 2);
  const maxFlips = maxFlipExchanges(key.flip);
  checkDistance(d, maxSwaps + maxFlips, 'swap/flip-exchange');
  let swaps = 0;
  for (let t = 0; t < d; t++) swaps += random.int(2) === 0 ? 1 : 0;
  swaps = Math.min(Math.max(swaps, d - maxFlips), maxSwaps);
  return { permutation: swapSteps(key.permutation, swaps, random), flip: flipExchanges(key.flip, d - swaps, random) };
}

/**
 * The permutation of 0..n−1 agreeing with a guess at most positions: valid,
 * first-seen entries are kept, the others get the unused sources in order.
 */
export function nearestPermutation(guess: ArrayLike<number>, n: number): Int32Array {
  if (guess.length !== n) fail('attack.key-length', `guessed permutation has ${guess.length} entries, expected ${n}`);
  const used = new Uint8Array(n);
  const out = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const v = guess[k];
    if (Number.isInteger(v) && v >= 0 && v < n && !used[v]) {
      out[k] = v;
      used[v] = 1;
    }
  }
  let next = 0;
  for (let k = 0; k < n; k++) {
    if (out[k] >= 0) continue;
    while (used[next]) next++;
    out[k] = next;
    used[next] = 1;
  }
  return out;
}

/** The 0/1 vector with exactly `ones` ones agreeing with a guess at most positions (extra ones dropped, missing ones added, first positions first). */
export function nearestBinary(guess: ArrayLike<number>, ones: number): Uint8Array {
  const out = Uint8Array.from(guess, (v) => (v === 1 ? 1 : 0));
  let count = out.reduce((a, b) => a + b, 0);
  for (let k = out.length - 1; k >= 0 && count > ones; k--) if (out[k]) { out[k] = 0; count--; }
  for (let k = 0; k < out.length && count < ones; k++) if (!out[k]) { out[k] = 1; count++; }
  return out;
}

/** Positions where a candidate signed permutation agrees with a guess (entry and flip bit). */
export function agreement(candidate: { permutation: ArrayLike<number>; flip: ArrayLike<number> }, guess: { permutation: ArrayLike<number>; flip: ArrayLike<number> }): number {
  let right = 0;
  for (let k = 0; k < candidate.permutation.length; k++) if (candidate.permutation[k] === guess.permutation[k] && candidate.flip[k] === guess.flip[k]) right++;
  return right;
}

/** The candidate agreeing most with the guess (the first among ties). */
export function bestCandidate<K>(candidates: Iterable<K>, view: (key: K) => { permutation: ArrayLike<number>; flip: ArrayLike<number> }, guess: { permutation: ArrayLike<number>; flip: ArrayLike<number> }): K {
  let best: K | undefined;
  let bestScore = -1;
  for (const c of candidates) {
    const s = agreement(view(c), guess);
    if (s > bestScore) {
      best = c;
      bestScore = s;
    }
  }
  if (best === undefined) fail('attack.key-space', 'no candidate keys');
  return best;
}
