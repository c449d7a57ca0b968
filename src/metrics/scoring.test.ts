/** Scoring, with every expected value worked out by hand in the comments. */
import { describe, expect, it } from 'vitest';
import { argmaxRows, maxAbsDifference, predictionMismatches, score } from './scoring.ts';

describe('scoring', () => {
  it('argmaxRows: the largest logit of each row; on a tie the first; negative logits too', () => {
    // Rows of 3: [0.1, 0.7, 0.2] → 1; [5, 5, 1] → 0 (tie: first); [-3, -1, -2] → 1; [0, 0, 9] → 2.
    expect(Array.from(argmaxRows(Float32Array.from([0.1, 0.7, 0.2, 5, 5, 1, -3, -1, -2, 0, 0, 9]), 3))).toEqual([1, 0, 1, 2]);
  });

  it('score: correct / count, and the predictions kept', () => {
    const predictions = Uint8Array.from([1, 0, 1, 2]);
    const s = score(predictions, Uint8Array.from([1, 1, 1, 0])); // images 0 and 2 right: 2 of 4
    expect([s.correct, s.accuracy]).toEqual([2, 0.5]);
    expect(s.predictions).toBe(predictions);
  });

  it('predictionMismatches counts the differing positions; maxAbsDifference the largest |a − b| (0 when empty)', () => {
    // 2 of 5 positions differ (not 3: the count of differing, not of equal, positions).
    expect(predictionMismatches(Uint8Array.from([1, 2, 3, 4, 5]), Uint8Array.from([1, 0, 3, 0, 5]))).toBe(2);
    // |1 − 1.5| = 0.5, |−2 − 1| = 3, |0.25 − 0.25| = 0 → 3 (the largest is a negative difference).
    expect(maxAbsDifference(Float32Array.from([1, -2, 0.25]), Float32Array.from([1.5, 1, 0.25]))).toBe(3);
    expect(maxAbsDifference(new Float32Array(0), new Float32Array(0))).toBe(0);
  });
});
