/**
 * Shared pieces of the attacks (issue 13): the result every attack returns,
 * key comparison, images ↔ blocks, and a small least-squares solver.
 */
import { fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import type { ImageBatch } from '../core/images.ts';
import { toLayout } from '../core/images.ts';
import type { BlockBatch } from '../variants/contract.ts';
import { toBlocks } from '../variants/blocks.ts';

/** What every attack reports. */
export interface AttackResult {
  readonly attack: string;
  /** Whether the attacker ends up with the exact key (or an exact equivalent); null when the attack does not aim at the key. */
  readonly keyRecovered: boolean | null;
  /** Fraction of key positions recovered correctly (permutation entry and flip bit both right), when the true key is known to the harness. */
  readonly fractionCorrect: number | null;
  /** Attacker effort, in the units that apply. */
  readonly effort: { readonly pairs?: number; readonly blocks?: number; readonly images?: number; readonly queries?: number; readonly keys?: number };
  readonly seconds: number;
}

/** The engine an attack ran on, in one line: "name (backend, N threads, version)". */
export function engineLabel(e: { readonly name: string; readonly backend: string; readonly threads: number; readonly version: string }): string {
  return `${e.name} (${e.backend}, ${e.threads} thread${e.threads === 1 ? '' : 's'}, ${e.version})`;
}

export function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

/** An attack result as JSON text (report.json, `attack --json`): typed arrays become plain arrays. */
export function attackJsonText(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), 2)}\n`;
}

/** Fraction of positions k where both permutation[k] and flip[k] agree. */
export function keyFractionCorrect(guess: { permutation: ArrayLike<number>; flip: ArrayLike<number> }, truth: BlockKey): number {
  const pb = truth.permutation.length;
  if (guess.permutation.length !== pb || guess.flip.length !== pb) fail('attack.key-length', `guessed key has ${guess.permutation.length} entries, the true key ${pb}`);
  let right = 0;
  for (let k = 0; k < pb; k++) if (guess.permutation[k] === truth.permutation[k] && guess.flip[k] === truth.flip[k]) right++;
  return right / pb;
}

/** 8-bit images (either layout) as blocks in the variant contract's order, values 0..255. */
export function uint8ImagesToBlocks(images: ImageBatch<Uint8Array>, blockSize: number): BlockBatch {
  const nchw = toLayout(images, 'NCHW');
  const { count, channels, height, width } = nchw.shape;
  return toBlocks({ data: Float64Array.from(nchw.data), count, channels, height, width }, blockSize);
}

/** Mean log-softmax of the true label per image: a smoother score than accuracy for a key search. */
export function meanLogLikelihood(logits: Float32Array, labels: Uint8Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c] - max);
    total += logits[i * classes + labels[i]] - max - Math.log(sum);
  }
  return total / labels.length;
}

/** The number of blocks in a batch. */
export function blockCount(batch: BlockBatch): number {
  return batch.images * batch.rows * batch.cols;
}

/**
 * Least squares: A (p × q) minimising ‖X A − Y‖ for X (n × p) and Y (n × q),
 * row-major, by the normal equations and a Cholesky factorisation. Returns
 * undefined when XᵀX is (numerically) singular: fewer than p independent rows.
 */
export function leastSquares(X: Float64Array, Y: Float64Array, n: number, p: number, q: number): Float64Array | undefined {
  const G = new Float64Array(p * p);
  const B = new Float64Array(p * q);
  for (let r = 0; r < n; r++) {
    const xr = r * p;
    const yr = r * q;
    for (let i = 0; i < p; i++) {
      const xi = X[xr + i];
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) G[i * p + j] += xi * X[xr + j];
      for (let j = 0; j < q; j++) B[i * q + j] += xi * Y[yr + j];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) G[j * p + i] = G[i * p + j];
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, G[i * p + i]);
  // Cholesky G = L Lᵀ (L in the lower triangle of G).
  for (let j = 0; j < p; j++) {
    let d = G[j * p + j];
    for (let k = 0; k < j; k++) d -= G[j * p + k] ** 2;
    if (!(d > 1e-10 * Math.max(maxDiag, 1e-300))) return undefined;
    const l = Math.sqrt(d);
    G[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let s = G[i * p + j];
      for (let k = 0; k < j; k++) s -= G[i * p + k] * G[j * p + k];
      G[i * p + j] = s / l;
    }
  }
  // Solve L Z = B, then Lᵀ A = Z, column by column of B.
  const A = new Float64Array(p * q);
  for (let c = 0; c < q; c++) {
    const z = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = B[i * q + c];
      for (let k = 0; k < i; k++) s -= G[i * p + k] * z[k];
      z[i] = s / G[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < p; k++) s -= G[k * p + i] * A[k * q + c];
      A[i * q + c] = s / G[i * p + i];
    }
  }
  return A;
}
