/**
 * Comparing our logits with a PyTorch golden run's, shared by the golden
 * suites (golden/golden.test.ts, golden/systemB.test.ts): logits within
 * TOLERANCE.goldenLogits, predicted classes equal except on near-ties.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { argmaxRows } from '../src/metrics/scoring.ts';
import type { Tensor } from '../src/io/safetensors.ts';
import { TOLERANCE, firstMismatch } from '../properties/tolerance.ts';
import { GOLDEN_DIR } from './goldenRun.ts';

/** A tensor of the run's ci-outputs.safetensors; throws naming the run when it is missing. */
export function ciTensor(run: { readonly name: string; readonly ciOutputs: ReadonlyMap<string, Tensor> }, name: string): Float32Array | Uint8Array {
  const t = run.ciOutputs.get(name);
  if (t === undefined) throw new Error(`${run.name}: ci-outputs.safetensors has no ${name}`);
  return t.data as Float32Array | Uint8Array;
}

/** Images whose golden top-2 logit margin (≤ 2·(atol + 20·rtol) of TOLERANCE.goldenLogits) is too small for the predicted class to be a fair test. */
export function nearTies(logits: Float32Array, classes: number): Set<number> {
  const margin = 2 * (TOLERANCE.goldenLogits.atol + TOLERANCE.goldenLogits.rtol * 20);
  const ties = new Set<number>();
  for (let i = 0; i < logits.length / classes; i++) {
    const row = Array.from(logits.subarray(i * classes, (i + 1) * classes)).sort((a, b) => b - a);
    if (row[0] - row[1] <= margin) ties.add(i);
  }
  return ties;
}

/**
 * Expects logits within TOLERANCE.goldenLogits of the golden ones and the
 * golden predicted classes except on near-ties (`label` names the comparison
 * in failures); returns our predictions and the near-ties.
 */
export function expectGoldenLogits(actual: Float32Array, golden: Float32Array, goldenPredictions: Uint8Array, classes: number, label: string): { ours: Uint8Array; ties: Set<number> } {
  const tol = TOLERANCE.goldenLogits;
  const i = firstMismatch(actual, golden, tol);
  expect(i, i < 0 ? '' : `${label}: image ${Math.floor(i / classes)} logit ${i % classes}: TypeScript ${actual[i]} vs PyTorch ${golden[i]}`).toBe(-1);
  const ties = nearTies(golden, classes);
  const ours = argmaxRows(actual, classes);
  for (let n = 0; n < ours.length; n++) if (!ties.has(n)) expect(ours[n], `${label}: image ${n} predicted class`).toBe(goldenPredictions[n]);
  return { ours, ties };
}

/** What a golden generator (golden/generate/<script>) prints on stderr when started under CI=true. */
export function generatorStderrUnderCi(script: string): string {
  try {
    execFileSync('python3', [join(GOLDEN_DIR, 'generate', script), '--out', '/nonexistent'], { env: { ...process.env, CI: 'true' }, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
  return '';
}
