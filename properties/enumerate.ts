/** Exhaustive enumeration of tiny key spaces, for brute-force checks. */

/** Every permutation of 0..n−1 (Heap's algorithm); the callback must not keep the array. */
export function forEachPermutation(n: number, visit: (p: Int32Array) => void): void {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const c = new Int32Array(n);
  visit(p);
  let i = 1;
  while (i < n) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      const t = p[j];
      p[j] = p[i];
      p[i] = t;
      visit(p);
      c[i]++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

/** Every 0/1 vector of length n with exactly `ones` ones. */
export function allFlipVectors(n: number, ones: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = new Uint8Array(n);
  const place = (start: number, left: number) => {
    if (left === 0) {
      out.push(Uint8Array.from(r));
      return;
    }
    for (let k = start; k <= n - left; k++) {
      r[k] = 1;
      place(k + 1, left - 1);
      r[k] = 0;
    }
  };
  place(0, ones);
  return out;
}

/** Number of distinct values in a list of codes. */
export function countDistinct(codes: Float64Array): number {
  const sorted = Float64Array.from(codes).sort();
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}
