/**
 * Issue 25: mutation kills for src/attacks/greedy.ts, with scripted score
 * functions (no model). What is checked comes from the search's definition
 * (module comment): a proposal is one swap of two permutation entries or one
 * exchange of a flipped and an unflipped position; a guess is kept when the
 * score does not drop, counted as accepted when it rises; queries count the
 * images sent (one call per step plus the start). Mutant names: greedy.ts:LINE mutator.
 */
import { describe, expect, it } from 'vitest';
import { asyncRejection } from '../../properties/rejection.ts';
import type { BlockKey } from '../core/key.ts';
import { generateKey } from '../core/keygen.ts';
import { systemA } from '../variants/builtin/systemA.ts';
import { greedyKeySearch, variantGreedyKeySearch } from './greedy.ts';

const truth = generateKey({ blockSize: 2, channels: 1, seed: 'greedy-units' }); // p_b = 4

/** The guesses a search sends to `score`, in order (the start first). */
function recorder(scores: (i: number) => number) {
  const guesses: BlockKey[] = [];
  return {
    guesses,
    score: async (g: BlockKey) => {
      guesses.push({ ...g, permutation: Int32Array.from(g.permutation), flip: Uint8Array.from(g.flip) });
      return scores(guesses.length - 1);
    },
  };
}

/** 'swap' (two permutation entries exchanged, flips equal), 'flip' (one 1 → 0 and one 0 → 1), else 'other'. */
function move(from: BlockKey, to: BlockKey): { kind: string; at: number[] } {
  const pd = [...from.permutation.keys()].filter((k) => from.permutation[k] !== to.permutation[k]);
  const fd = [...from.flip.keys()].filter((k) => from.flip[k] !== to.flip[k]);
  if (pd.length === 2 && fd.length === 0 && to.permutation[pd[0]] === from.permutation[pd[1]] && to.permutation[pd[1]] === from.permutation[pd[0]]) return { kind: 'swap', at: pd };
  if (fd.length === 2 && pd.length === 0 && from.flip[fd[0]] !== from.flip[fd[1]]) return { kind: 'flip', at: fd };
  return { kind: 'other', at: [...pd, ...fd] };
}


describe('greedyKeySearch: proposals', () => {
  // Kills greedy.ts:133–143 (the move: the coin, b ≥ a → b++, pb − 1, ones/zeros, the two flip writes):
  // with a flat score every guess is kept, so each guess is one move from the one before, and both kinds occur.
  it('each proposal is one swap or one flip exchange of the current key, both kinds drawn', async () => {
    const rec = recorder(() => 0.5);
    await greedyKeySearch({ truth, score: rec.score, imagesPerQuery: 1, steps: 200, seed: 'moves' });
    expect(rec.guesses.length).toBe(201);
    const kinds = new Set<string>();
    for (let i = 1; i < rec.guesses.length; i++) {
      const m = move(rec.guesses[i - 1], rec.guesses[i]);
      expect(m.kind).not.toBe('other');
      kinds.add(m.kind);
    }
    expect([...kinds].sort()).toEqual(['flip', 'swap']);
  });

  // Kills greedy.ts:127 StringLiteral (`${seed}/start`) and the default seed "greedy" (greedy.ts:126):
  // the start is the seeded key `${seed}/start`, and no seed means seed "greedy".
  it('starts from the seeded key "<seed>/start"; the default seed is "greedy"', async () => {
    const a = recorder(() => 0);
    await greedyKeySearch({ truth, score: a.score, imagesPerQuery: 1, steps: 0, seed: 'x' });
    const start = generateKey({ blockSize: 2, channels: 1, seed: 'x/start' });
    expect(Array.from(a.guesses[0].permutation)).toEqual(Array.from(start.permutation));
    expect(Array.from(a.guesses[0].flip)).toEqual(Array.from(start.flip));
    const d = recorder(() => 0);
    const g = recorder(() => 0);
    await greedyKeySearch({ truth, score: d.score, imagesPerQuery: 1, steps: 30 });
    await greedyKeySearch({ truth, score: g.score, imagesPerQuery: 1, steps: 30, seed: 'greedy' });
    expect(d.guesses.map((k) => Array.from(k.permutation).join() + Array.from(k.flip).join())).toEqual(g.guesses.map((k) => Array.from(k.permutation).join() + Array.from(k.flip).join()));
  });

  // Kills greedy.ts:126 StringLiteral (`${seed}/moves` → ""): two seeds draw different moves.
  it('the moves depend on the seed', async () => {
    const moves = async (seed: string) => {
      const rec = recorder(() => 0.5);
      await greedyKeySearch({ truth, score: rec.score, imagesPerQuery: 1, steps: 40, seed });
      return rec.guesses.slice(1).map((g, i) => JSON.stringify(move(rec.guesses[i], g)));
    };
    expect(await moves('a')).not.toEqual(await moves('b'));
  });
});

describe('greedyKeySearch: keeping, counting, tracing', () => {
  // Scores by call: start 0.5; steps 1..5 score 0.4 (dropped), 0.5 (kept, equal), 0.6 (kept, rises),
  // 0.6 (kept, equal), 0.7 (kept, rises): 2 accepted, final 0.7, and step 2 proposes from the start
  // (step 1 was dropped). Kills greedy.ts:82–86 (>= / >, accepted++, key = guess, current = s).
  it('keeps a guess when the score does not drop, counts it when it rises', async () => {
    const script = [0.5, 0.4, 0.5, 0.6, 0.6, 0.7];
    const rec = recorder((i) => script[i]);
    const r = await greedyKeySearch({ truth, score: rec.score, imagesPerQuery: 3, steps: 5, traceEvery: 1, seed: 'keep' });
    expect(r.startScore).toBe(0.5);
    expect(r.finalScore).toBe(0.7);
    expect(r.accepted).toBe(2);
    expect(move(rec.guesses[0], rec.guesses[2]).kind).not.toBe('other');
    expect(Array.from(r.key.permutation)).toEqual(Array.from(rec.guesses[5].permutation));
    expect(Array.from(r.key.flip)).toEqual(Array.from(rec.guesses[5].flip));
    // Trace: the current score after each step, queries = 3 × (step + 1).
    expect(r.trace.map((p) => [p.step, p.queries, p.score])).toEqual([
      [0, 3, 0.5],
      [1, 6, 0.5],
      [2, 9, 0.5],
      [3, 12, 0.6],
      [4, 15, 0.6],
      [5, 18, 0.7],
    ]);
    expect(r.effort).toEqual({ queries: 18, images: 3 });
    expect(r.attack).toBe('greedy');
  });

  // A dropped guess is not kept: a score that falls after the start keeps the start (kills greedy.ts:82 ConditionalExpression → true).
  it('a falling score keeps the start key', async () => {
    let n = 0;
    const rec = recorder(() => 1 - 0.1 * n++);
    const r = await greedyKeySearch({ truth, score: rec.score, imagesPerQuery: 1, steps: 10, seed: 'fall' });
    expect(Array.from(r.key.permutation)).toEqual(Array.from(rec.guesses[0].permutation));
    expect(Array.from(r.key.flip)).toEqual(Array.from(rec.guesses[0].flip));
    expect(r.finalScore).toBe(1);
    expect(r.accepted).toBe(0);
  });

  // Default trace spacing max(1, ⌊steps/20⌋) plus the last step: steps 45 → every 2 → 0, 2, …, 44, 45 (24 points);
  // steps 10 → every 1 (11 points); traceEvery 7 of 20 → 0, 7, 14, 20. Kills greedy.ts:73 and :88.
  it('traces every ⌊steps/20⌋ steps (at least 1) and the last step', async () => {
    const steps = async (s: number, traceEvery?: number) =>
      (await greedyKeySearch({ truth, score: async () => 0, imagesPerQuery: 1, steps: s, ...(traceEvery ? { traceEvery } : {}) })).trace.map((p) => p.step);
    expect(await steps(45)).toEqual([...Array.from({ length: 23 }, (_, i) => 2 * i), 45]);
    expect(await steps(10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await steps(20, 7)).toEqual([0, 7, 14, 20]);
    expect(await steps(0)).toEqual([0]);
  });

  // Kills greedy.ts:80 (queries +=), :96–110 (keyRecovered, fractionCorrect, heldOut): the truth is the start key and
  // every move is dropped, so the final key is the truth; held-out scores come from the held-out function.
  it('reports the fraction of the truth, the held-out scores and keyRecovered', async () => {
    const first = recorder(() => 0);
    await greedyKeySearch({ truth, score: first.score, imagesPerQuery: 1, steps: 0, seed: 'rec' });
    const start = first.guesses[0];
    let n = 0;
    let h = 0;
    const r = await greedyKeySearch({ truth: start, score: async () => 1 - 0.1 * n++, heldOut: async () => 0.25 + h++, imagesPerQuery: 2, steps: 4, traceEvery: 2, seed: 'rec' });
    expect(r.keyRecovered).toBe(true);
    expect(r.fractionCorrect).toBe(1);
    expect(r.trace.map((p) => [p.keyFraction, p.heldOut])).toEqual([
      [1, 0.25],
      [1, 1.25],
      [1, 2.25],
    ]);
    expect(r.heldOutScore).toBe(3.25);
    const other = await greedyKeySearch({ truth, score: async () => 0, imagesPerQuery: 1, steps: 0, seed: 'rec' });
    expect(other.heldOutScore).toBeNull();
    expect('heldOut' in other.trace[0]).toBe(false);
    expect(other.keyRecovered).toBe(other.fractionCorrect === 1);
    expect(other.seconds).toBeGreaterThanOrEqual(0);
    expect(other.seconds).toBeLessThan(60);
  });

  // Kills greedy.ts:66–67 (checkClimb: conditions, checks and messages).
  it('rejects steps and images per query that are not (non-negative / positive) integers, by name', async () => {
    const run = (steps: number, imagesPerQuery: number) => asyncRejection(greedyKeySearch({ truth, score: async () => 0, imagesPerQuery, steps }));
    for (const s of [-1, 1.5]) {
      const e = await run(s, 1);
      expect([e.check, e.message]).toEqual(['attack.steps', `steps must be a non-negative integer, got ${s}`]);
    }
    for (const q of [0, 2.5]) {
      const e = await run(1, q);
      expect([e.check, e.message]).toEqual(['attack.images', `images per query must be a positive integer, got ${q}`]);
    }
    await expect(greedyKeySearch({ truth, score: async () => 0, imagesPerQuery: 1, steps: 0 })).resolves.toBeDefined();
  });
});

describe('variantGreedyKeySearch', () => {
  const params = { blockSize: 2, channels: 1 };
  const tiny = { ...systemA, params }; // System A with p_b = 4
  const vtruth = systemA.generateKey(params, 'vg-truth');
  // Kills greedy.ts:160–168: the start is the variant's seeded key `${seed}/start`, each proposal one
  // neighbour step (distance 1) away, the result names the variant and its step, the fraction is counted.
  it('starts from the variant key "<seed>/start", steps one neighbour at a time, names the variant', async () => {
    const seen: string[] = [];
    const r = await variantGreedyKeySearch({ variant: tiny, truth: vtruth, score: async (g) => (seen.push(systemA.serializeKey(g)), 0.5), imagesPerQuery: 2, steps: 5, seed: 'vg' });
    expect(seen[0]).toBe(systemA.serializeKey(systemA.generateKey(params, 'vg/start')));
    expect(seen.length).toBe(6);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
    expect(r.variant).toBe('system-a');
    expect(r.step).toBe(systemA.neighbours!.step);
    expect(r.attack).toBe('greedy');
    expect(r.effort).toEqual({ queries: 12, images: 2 });
    expect(r.trace.length).toBe(6);
    const exact = await variantGreedyKeySearch({ variant: tiny, truth: systemA.generateKey(params, 'vg/start'), score: async () => 0, imagesPerQuery: 1, steps: 0, seed: 'vg' });
    expect(exact.fractionCorrect).toBe(1);
    expect(exact.keyRecovered).toBe(true);
    await expect(variantGreedyKeySearch({ variant: tiny, truth: vtruth, score: async () => 0, imagesPerQuery: 0, steps: 1 })).rejects.toThrow('images per query must be a positive integer, got 0');
  });

  // Kills greedy.ts:162 (the default seed "greedy", NoCoverage before), :163 (`${seed}/moves` → ""), :160 (the
  // attack named in the capability error).
  it('defaults to seed "greedy", draws its moves from the seed, names itself when neighbours are missing', async () => {
    const run = async (seed?: string) => {
      const seen: BlockKey[] = [];
      await variantGreedyKeySearch({ variant: tiny, truth: vtruth, score: async (g) => (seen.push(g), 0.5), imagesPerQuery: 1, steps: 40, ...(seed === undefined ? {} : { seed }) });
      return seen;
    };
    const text = (ks: BlockKey[]) => ks.map((g) => systemA.serializeKey(g));
    expect(text(await run())).toEqual(text(await run('greedy')));
    const kinds = (ks: BlockKey[]) => ks.slice(1).map((g, i) => move(ks[i], g).kind);
    expect(kinds(await run('a'))).not.toEqual(kinds(await run('b')));
    const none = { ...tiny, neighbours: undefined };
    await expect(variantGreedyKeySearch({ variant: none, truth: vtruth, score: async () => 0, imagesPerQuery: 1, steps: 1 })).rejects.toThrow(/^the greedy attack needs "neighbours"/);
  });

  // The fraction right is counted in the signed-permutation view (a start one swap from the truth: 2 of 4 positions
  // wrong → 1/2), and without a view it is 1 for the exact key, else 0. Kills :166 (?? → &&, the fallback, NoCoverage before).
  it('counts the fraction right in the view, or exact / not without one', async () => {
    const start = systemA.generateKey(params, 'f/start');
    const swapped = { ...start, permutation: Int32Array.from(start.permutation) };
    [swapped.permutation[0], swapped.permutation[1]] = [swapped.permutation[1], swapped.permutation[0]];
    const half = await variantGreedyKeySearch({ variant: tiny, truth: swapped, score: async () => 0, imagesPerQuery: 1, steps: 0, seed: 'f' });
    expect([half.fractionCorrect, half.keyRecovered]).toEqual([0.5, false]);
    const blind = { ...tiny, signedPermutation: undefined };
    const same = await variantGreedyKeySearch({ variant: blind, truth: start, score: async () => 0, imagesPerQuery: 1, steps: 0, seed: 'f' });
    expect([same.fractionCorrect, same.keyRecovered]).toEqual([1, true]);
    const other = await variantGreedyKeySearch({ variant: blind, truth: swapped, score: async () => 0, imagesPerQuery: 1, steps: 0, seed: 'f' });
    expect([other.fractionCorrect, other.keyRecovered]).toEqual([0, false]);
  });
});
