/**
 * The fuzz harness, tested from the other side: deliberately broken variants
 * (properties/mutants/*.ts, each a real built-in with one bug) must be
 * flagged by the verdict table, and by the RIGHT check. For each mutant the
 * checks that turn from pass (on the built-in it breaks) to FAIL are exactly
 * the ones named in its `caughtBy` (plus, at most, its `alsoMay`).
 *
 * A 9-round FFX is a keyed permutation like the real one, so no property of
 * the harness can see it; only the harness's known-answer check (the authors'
 * pyffx outputs, golden/vectors/pyffx.json) flags it, as asserted here.
 *
 * Few runs per property (the bugs are gross); the block-size sweep is left
 * out (blocks:M=…:P=… only re-runs the adaptable search at other sizes).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FfxKey } from '../src/variants/builtin/ffx.ts';
import type { Variant } from '../src/variants/contract.ts';
import { type FuzzReport, fuzzVariant } from '../src/variants/harness.ts';
import { loadBuiltin } from '../src/variants/registry.ts';
import { formatReport } from '../src/variants/report.ts';
import adapterNoSignFlip from './mutants/adapterNoSignFlip.ts';
import blockOffByOne from './mutants/blockOffByOne.ts';
import type { Mutant } from './mutants/common.ts';
import decryptNotInverse from './mutants/decryptNotInverse.ts';
import ffx9Rounds from './mutants/ffx9Rounds.ts';
import flipOnesMinusOne from './mutants/flipOnesMinusOne.ts';
import invertedPermutation from './mutants/invertedPermutation.ts';
import keyIgnoresChannels from './mutants/keyIgnoresChannels.ts';
import nonDeterministic from './mutants/nonDeterministic.ts';
import { FC_SEED } from './setup.ts';

const MUTANTS: readonly Mutant[] = [flipOnesMinusOne, invertedPermutation, adapterNoSignFlip, blockOffByOne, keyIgnoresChannels, ffx9Rounds, decryptNotInverse, nonDeterministic];

const OPTIONS = { runs: 10, seed: FC_SEED, enumerationLimit: 2000, blockSizes: [], patchSizes: [] } as const;

function failing(report: FuzzReport): string[] {
  return report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id);
}

const baselines = new Map<string, Promise<FuzzReport>>();
function baseline(name: string): Promise<FuzzReport> {
  let r = baselines.get(name);
  if (r === undefined) {
    r = loadBuiltin(name).then((v) => fuzzVariant(v, OPTIONS));
    baselines.set(name, r);
  }
  return r;
}

// ------------------------------------------------------------------ known answers (FFX)

interface PyffxVectors {
  tests: { tcId: number; password: string; pixel_table_0_255: number[]; pixel_table_max: number }[];
}
const pyffx = JSON.parse(readFileSync(new URL('../golden/vectors/pyffx.json', import.meta.url), 'utf8')) as PyffxVectors;

/** The ffx plug-in's encryption of every pixel value 0..255 (one 1×1×1 block each, flagged) against the authors' table; the first mismatch, or undefined. */
function pyffxMismatch(v: Variant<FfxKey>): string | undefined {
  for (const t of pyffx.tests) {
    const key: FfxKey = { blockSize: 1, channels: 1, password: t.password, flip: Uint8Array.of(1) };
    const batch = { data: Float64Array.from({ length: 256 }, (_, i) => i), images: 1, rows: 16, cols: 16, blockSize: 1, channels: 1 };
    const out = v.encrypt(batch, key).data;
    for (let x = 0; x < 256; x++) {
      const want = t.pixel_table_0_255[x] / t.pixel_table_max;
      if (out[x] !== want) return `tcId ${t.tcId}: pixel ${x} encrypts to ${out[x]}, pyffx gives ${want}`;
    }
  }
  return undefined;
}

describe('broken variants: the harness flags each one, with the check that catches it', () => {
  for (const m of MUTANTS) {
    it(`${m.variant.name}: ${m.bug} → caught by ${m.caughtBy.join(', ')}`, async () => {
      const base = await baseline(m.base);
      const report = fuzzVariant(m.variant, OPTIONS);
      const before = new Set(failing(base));
      const newly = failing(report).filter((id) => !before.has(id));
      const text = formatReport(report);
      // Every check that must catch it does, on a check the built-in passes.
      for (const id of m.caughtBy) {
        expect(base.checks.find((c) => c.id === id)?.verdict, `${m.base} must pass ${id}`).toBe('pass');
        expect(report.checks.find((c) => c.id === id)?.verdict, `${id} on ${m.variant.name}\n${text}`).toBe('fail');
      }
      // Nothing else breaks, apart from the listed consequences: the table points at the bug.
      const allowed = new Set([...m.caughtBy, ...(m.alsoMay ?? [])]);
      expect(newly.filter((id) => !allowed.has(id)), text).toEqual([]);
    });
  }

  it(`${ffx9Rounds.variant.name}: ${ffx9Rounds.bug} → invisible to every property (same verdicts as ffx but known-answer), caught by the pyffx known answers`, async () => {
    const base = await baseline('ffx');
    const report = fuzzVariant(ffx9Rounds.variant, OPTIONS);
    const verdicts = (r: FuzzReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.verdict]));
    expect(verdicts(report)).toEqual({ ...verdicts(base), 'known-answer': 'fail' });
    expect(report.checks.find((c) => c.id === 'known-answer')!.detail).toMatch(/^pyffx\.json tcId \d+ .*: value \d+ .* encrypts to .*, the known answer is /);
    const ffx = (await loadBuiltin('ffx')) as Variant<FfxKey>;
    expect(pyffxMismatch(ffx)).toBeUndefined();
    expect(pyffxMismatch(ffx9Rounds.variant as Variant<FfxKey>)).toMatch(/^tcId \d+: pixel \d+ encrypts to /);
  });

  it('every mutant is a working plug-in: the contract check passes (the bugs are semantic)', () => {
    for (const m of MUTANTS) expect(fuzzVariant(m.variant, { ...OPTIONS, only: ['contract'] }).checks[0].verdict, m.variant.name).toBe('pass');
  });
});
