import { describe, expect, it } from 'vitest';
import { generateKey } from '../core/keygen.ts';
import { keyFractionCorrect } from './common.ts';
import { greedyKeySearch } from './greedy.ts';

describe('greedy key search', () => {
  const truth = generateKey({ blockSize: 2, channels: 3, seed: 'greedy-truth' });

  it('climbs to the exact key when the score rises with every right position (an ideal oracle)', async () => {
    const r = await greedyKeySearch({ truth, score: async (g) => keyFractionCorrect(g, truth), heldOut: async (g) => keyFractionCorrect(g, truth), imagesPerQuery: 10, steps: 3000, seed: 'ideal' });
    expect(r.trace.at(-1)!.heldOut).toBe(1);
    expect(r.heldOutScore).toBe(1);
    expect(r.keyRecovered).toBe(true);
    expect(r.fractionCorrect).toBe(1);
    expect(r.effort.queries).toBe(10 * 3001);
    for (let i = 1; i < r.trace.length; i++) expect(r.trace[i].score).toBeGreaterThanOrEqual(r.trace[i - 1].score);
  });

  it('gets nowhere when the score carries no information (a flat oracle)', async () => {
    const r = await greedyKeySearch({ truth, score: async () => 0.1, imagesPerQuery: 1, steps: 300, seed: 'flat' });
    expect(r.accepted).toBe(0);
    expect(r.finalScore).toBe(0.1);
    expect(r.fractionCorrect!).toBeLessThan(0.5);
  });

  it('rejects a negative step count', async () => {
    await expect(greedyKeySearch({ truth, score: async () => 0, imagesPerQuery: 1, steps: -1 })).rejects.toThrow(/steps/);
  });
});
