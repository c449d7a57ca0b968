/** The claim checks themselves: each one fails on metrics that contradict it (paperClaims.ts). */
import { describe, expect, it } from 'vitest';
import { loadGoldenRun } from './goldenRun.ts';
import { type Claim, PAPER, median, paperClaims } from './paperClaims.ts';

const metrics = loadGoldenRun('cpu-20ep').metrics;
const claim = (m: typeof metrics, id: string): Claim => {
  const c = paperClaims(m).find((x) => x.id === id);
  if (c === undefined) throw new Error(`no claim ${id}`);
  return c;
};
const edit = (f: (m: any) => void) => {
  const m = structuredClone(metrics) as any;
  f(m);
  return m as typeof metrics;
};

describe("the papers' claims", () => {
  it('median: the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('every claim has a unique id', () => {
    const ids = paperClaims(metrics).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(8);
  });

  it('Table 1: one prediction fewer with the right key breaks the equality claim', () => {
    expect(claim(metrics, 'A.table1.right-key-equals-plain').holds).toBe(true);
    const m = edit((x) => (x.results.systemA.encryptedModelEncryptedImages.ciSubset -= 0.001));
    expect(claim(m, 'A.table1.right-key-equals-plain').holds).toBe(false);
  });

  it('Table 1: an encrypted model that still classifies plain images (30 %) breaks the near-chance claim', () => {
    const m = edit((x) => (x.results.systemA.encryptedModelPlainImages.full = 0.3));
    expect(claim(m, 'A.table1.encrypted-model-plain-images-near-chance')).toMatchObject({ holds: false, measured: 0.3 });
  });

  it('Fig. 5: one wrong key above 20 % breaks "every wrong key"; the median claim needs half of them above', () => {
    const one = edit((x) => (x.results.systemA.wrongKeys.accuracy = [0.12, 0.15, 0.25]));
    expect(claim(one, 'A.fig5.every-wrong-key')).toMatchObject({ holds: false, measured: 0.25 });
    expect(claim(one, 'A.fig5.median-near-chance').holds).toBe(true);
    const half = edit((x) => (x.results.systemA.wrongKeys.accuracy = [0.12, 0.21, 0.25]));
    expect(claim(half, 'A.fig5.median-near-chance')).toMatchObject({ holds: false, measured: 0.21 });
    const edge = edit((x) => (x.results.systemA.wrongKeys.accuracy = [PAPER.wrongKeyMax]));
    expect(claim(edge, 'A.fig5.every-wrong-key').holds).toBe(true);
  });

  it('System C: the right matrix may differ by a near-tie (0.1 point), not more', () => {
    const c = metrics.results.systemC;
    expect(claim(edit((x) => (x.results.systemC.encryptedModelEncryptedImages.full = c.plainModelPlainImages.full - 0.0009)), 'C.right-matrix-equals-plain').holds).toBe(true);
    expect(claim(edit((x) => (x.results.systemC.encryptedModelEncryptedImages.full = c.plainModelPlainImages.full - 0.002)), 'C.right-matrix-equals-plain').holds).toBe(false);
    expect(claim(edit((x) => (x.results.systemC.wrongKeys.accuracy = [0.5])), 'C.fig5.every-wrong-key').holds).toBe(false);
    expect(claim(edit((x) => (x.results.systemC.encryptedModelPlainImages.full = 0.21)), 'C.encrypted-model-plain-images-near-chance').holds).toBe(false);
  });
});
