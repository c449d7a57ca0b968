/**
 * Scoring a classifier's outputs, the numbers every experiment reports:
 * predictions from logits (N × classes, row-major), accuracy against labels,
 * and how two runs over the same images differ.
 */

export interface Scored {
  readonly accuracy: number;
  readonly correct: number;
  readonly predictions: Uint8Array;
}

/** The predicted class of each row: the index of its largest logit (the first one on a tie). */
export function argmaxRows(logits: Float32Array, classes: number): Uint8Array {
  const n = logits.length / classes;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

export function score(predictions: Uint8Array, labels: Uint8Array): Scored {
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return { accuracy: correct / predictions.length, correct, predictions };
}

/** How many of the images get a different prediction in `a` and `b`. */
export function predictionMismatches(a: Uint8Array, b: Uint8Array): number {
  let mismatches = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
  return mismatches;
}

/** The largest |a[i] − b[i]| (0 for empty arrays), e.g. between two runs' logits. */
export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
