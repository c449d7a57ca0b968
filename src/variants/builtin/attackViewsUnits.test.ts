/**
 * The built-ins' attack views (attackViews.ts) on scripted random sources,
 * so every step is worked out by hand: `last` draws bound − 1 (then
 * randomPermutation swaps nothing: the identity order), `zero` draws 0 (then
 * randomPermutation(4) is 0123 → 3120 → 2130 → 1230). Each test names the
 * Stryker mutants it was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from '../../../properties/rejection.ts';
import { agreement, bestCandidate, flipExchanges, maxFlipExchanges, mixedSteps, nearestBinary, nearestPermutation, swapSteps } from './attackViews.ts';

const last = { int: (bound: number) => bound - 1 };
const zero = { int: () => 0 };

describe('neighbourhood steps', () => {
  // attackViews.ts:13–29 (the distance check and its message; disjoint swaps at order[2t], order[2t + 1]).
  it('swapSteps: s disjoint transpositions in the random order', () => {
    const p = Int32Array.of(0, 1, 2, 3);
    expect(Array.from(swapSteps(p, 1, last))).toEqual([1, 0, 2, 3]);
    expect(Array.from(swapSteps(p, 2, last))).toEqual([1, 0, 3, 2]);
    // Order 1 2 3 0: swap positions 1, 2, then 3, 0.
    expect(Array.from(swapSteps(p, 1, zero))).toEqual([0, 2, 1, 3]);
    expect(Array.from(swapSteps(p, 2, zero))).toEqual([3, 2, 1, 0]);
    const same = swapSteps(p, 0, zero);
    expect(Array.from(same)).toEqual([0, 1, 2, 3]);
    expect(same).not.toBe(p);
    expect(Array.from(p)).toEqual([0, 1, 2, 3]);
    expect(refusal(() => swapSteps(p, 3, last))).toEqual({ check: 'attack.distance', message: 'swap distance must be an integer in 0..2, got 3' });
    expect(refusal(() => swapSteps(p, -1, last))).toEqual({ check: 'attack.distance', message: 'swap distance must be an integer in 0..2, got -1' });
    expect(refusal(() => swapSteps(p, 0.5, last))).toEqual({ check: 'attack.distance', message: 'swap distance must be an integer in 0..2, got 0.5' });
    // Odd n: ⌊5/2⌋ = 2.
    expect(refusal(() => swapSteps([0, 1, 2, 3, 4], 3, last)).message).toBe('swap distance must be an integer in 0..2, got 3');
  });

  // attackViews.ts:32–48 (min(ones, zeros); the first s ones and zeros in the random order exchanged).
  it('flipExchanges: s ones and s zeros exchanged, the count kept', () => {
    expect([[1, 0, 0, 0], [1, 1, 0], [1, 1, 1, 0, 0], [], [0, 0]].map(maxFlipExchanges)).toEqual([1, 1, 2, 0, 0]);
    const r = Uint8Array.of(1, 1, 0, 0);
    expect(Array.from(flipExchanges(r, 1, last))).toEqual([0, 1, 1, 0]);
    expect(Array.from(flipExchanges(r, 2, last))).toEqual([0, 0, 1, 1]);
    // Order 1 2 3 0: the first one is position 1, the first zero position 2.
    expect(Array.from(flipExchanges(r, 1, zero))).toEqual([1, 0, 1, 0]);
    expect(Array.from(flipExchanges(r, 0, zero))).toEqual([1, 1, 0, 0]);
    expect(Array.from(r)).toEqual([1, 1, 0, 0]);
    expect(refusal(() => flipExchanges(r, 3, last))).toEqual({ check: 'attack.distance', message: 'flip-exchange distance must be an integer in 0..2, got 3' });
    expect(refusal(() => flipExchanges([1, 0, 0], 2, last)).message).toBe('flip-exchange distance must be an integer in 0..1, got 2');
  });

  // attackViews.ts:51–59 (a fair coin per step, swaps clamped to [d − max flips, max swaps]).
  it('mixedSteps: d steps split by coin, within what each kind allows', () => {
    const key = { permutation: Int32Array.of(0, 1, 2, 3), flip: Uint8Array.of(1, 1, 0, 0) };
    const show = (s: { permutation: Int32Array; flip: Uint8Array }) => [Array.from(s.permutation), Array.from(s.flip)];
    // `last`: every coin is 1 (no swap): d = 2 → two flip exchanges.
    expect(show(mixedSteps(key, 2, last))).toEqual([[0, 1, 2, 3], [0, 0, 1, 1]]);
    // d = 3 but only 2 flip exchanges exist: one swap.
    expect(show(mixedSteps(key, 3, last))).toEqual([[1, 0, 2, 3], [0, 0, 1, 1]]);
    // `zero`: every coin is 0 (swap): d = 2 → two swaps in order 1 2 3 0.
    expect(show(mixedSteps(key, 2, zero))).toEqual([[3, 2, 1, 0], [1, 1, 0, 0]]);
    // d = 3: three coins say swap, but only 2 swaps exist: 2 swaps, 1 flip exchange.
    expect(show(mixedSteps(key, 3, zero))).toEqual([[3, 2, 1, 0], [1, 0, 1, 0]]);
    expect(show(mixedSteps(key, 4, zero))).toEqual([[3, 2, 1, 0], [0, 0, 1, 1]]);
    expect(show(mixedSteps(key, 0, zero))).toEqual([[0, 1, 2, 3], [1, 1, 0, 0]]);
    expect(refusal(() => mixedSteps(key, 5, zero))).toEqual({ check: 'attack.distance', message: 'swap/flip-exchange distance must be an integer in 0..4, got 5' });
  });
});

describe('nearest keys and agreement', () => {
  // attackViews.ts:65–84 (valid first-seen entries kept, the rest get the unused values in order; the length message).
  it('nearestPermutation: keeps what it can, fills the rest in order', () => {
    expect(Array.from(nearestPermutation([2, 2, 9, -1], 4))).toEqual([2, 0, 1, 3]);
    expect(Array.from(nearestPermutation([1.5, 0, 1, 2], 4))).toEqual([3, 0, 1, 2]);
    expect(Array.from(nearestPermutation([3, 2, 1, 0], 4))).toEqual([3, 2, 1, 0]);
    expect(Array.from(nearestPermutation([4, 4, 4, 4], 4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(nearestPermutation([0, 0, 0, 3], 4))).toEqual([0, 1, 2, 3]);
    expect(refusal(() => nearestPermutation([0, 1], 3))).toEqual({ check: 'attack.key-length', message: 'guessed permutation has 2 entries, expected 3' });
  });

  // attackViews.ts:87–93 (only exact 1s count; extra ones dropped from the end, missing ones added from the start).
  it('nearestBinary: exactly `ones` ones, closest to the guess', () => {
    expect(Array.from(nearestBinary([1, 1, 1, 0], 1))).toEqual([1, 0, 0, 0]);
    expect(Array.from(nearestBinary([0, 2, 0, 0], 2))).toEqual([1, 1, 0, 0]);
    expect(Array.from(nearestBinary([0, 0, 1, 0], 2))).toEqual([1, 0, 1, 0]);
    expect(Array.from(nearestBinary([0, 1, 0], 1))).toEqual([0, 1, 0]);
    expect(Array.from(nearestBinary([1, 1], 2))).toEqual([1, 1]);
    expect(Array.from(nearestBinary([1, 1], 0))).toEqual([0, 0]);
    // attackViews.ts:91 (only unset positions are set: `if (!out[k])` → `if (true)` would "set" position 0 again and stop).
    expect(Array.from(nearestBinary([1, 0, 0], 2))).toEqual([1, 1, 0]);
  });

  // attackViews.ts:96–115 (both entry and bit must agree; the first best; no candidates).
  it('agreement and bestCandidate', () => {
    const c = { permutation: [0, 1, 2], flip: [0, 1, 0] };
    expect(agreement(c, { permutation: [0, 2, 2], flip: [0, 1, 1] })).toBe(1);
    expect(agreement(c, c)).toBe(3);
    expect(agreement(c, { permutation: [1, 0, 2], flip: [1, 0, 1] })).toBe(0);
    const view = (k: number[]) => ({ permutation: k, flip: [0, 0, 0] });
    const guess = { permutation: [0, 1, 2], flip: [0, 0, 0] };
    const a = [2, 1, 0];
    const b = [0, 1, 0];
    const d = [0, 1, 1];
    expect(bestCandidate([a, b, d], view, guess)).toBe(b);
    // All score 0: the first.
    expect(bestCandidate([a, [1, 2, 0]], view, guess)).toBe(a);
    expect(refusal(() => bestCandidate([], view, guess))).toEqual({ check: 'attack.key-space', message: 'no candidate keys' });
  });
});
