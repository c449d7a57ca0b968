/**
 * The golden provenance schemas (System A: goldenRun.ts, System B:
 * systemBRun.ts) accept the committed runs and name each field they miss.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNS_DIR, validateProvenance } from './goldenRun.ts';
import { validateSystemBProvenance } from './systemBRun.ts';

const read = (run: string) => JSON.parse(readFileSync(join(RUNS_DIR, run, 'provenance.json'), 'utf8')) as Record<string, unknown>;
const without = (o: Record<string, unknown>, field: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== field));
const COMMON = ['device', 'torch', 'seed', 'wallSeconds', 'date', 'cifar10Md5'];

describe('golden provenance schemas', () => {
  it('System A (runs/cpu): accepted as committed; each missing field is named', () => {
    const o = read('cpu');
    expect(() => validateProvenance(o)).not.toThrow();
    for (const field of [...COMMON, 'recipe', 'key', 'wrongKeys']) {
      expect(() => validateProvenance(without(o, field)), field).toThrow(`golden provenance: ${field} is missing or malformed`);
    }
    expect(() => validateProvenance({ ...o, device: 'cuda', gpu: undefined })).toThrow('golden provenance: gpu is missing or malformed');
    expect(() => validateProvenance({ ...o, cifar10Md5: null })).toThrow('cifar10Md5 is missing or malformed');
  });

  it('System B (runs/system-b-cpu/ffx): accepted as committed; each missing field is named', () => {
    const o = read('system-b-cpu/ffx');
    expect(() => validateSystemBProvenance(o, 'ffx')).not.toThrow();
    for (const field of [...COMMON, 'command', 'recipe', 'trainSeconds', 'key', 'wrongKeys']) {
      expect(() => validateSystemBProvenance(without(o, field), 'ffx'), field).toThrow(`System B golden provenance: ${field} is missing or malformed`);
    }
    expect(() => validateSystemBProvenance({ ...o, device: 'cuda', gpu: undefined }, 'ffx')).toThrow('System B golden provenance: gpu is missing or malformed');
  });
});

/**
 * A run made outside the repository is committed with the generator's
 * SHA256SUMS: every file byte for byte as written, except provenance.json,
 * whose `amended.fields` (added when the run was committed) are the only
 * difference. Removing them must give back the generator's bytes exactly.
 */
describe('golden runs committed with SHA256SUMS', () => {
  const runs = readdirSync(RUNS_DIR).filter((n) => existsSync(join(RUNS_DIR, n, 'SHA256SUMS')));
  const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const sums = (run: string) => new Map(readFileSync(join(RUNS_DIR, run, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.split(/\s+\*?/).reverse() as [string, string]));
  /** The generator's provenance.json bytes: the amended fields removed, serialized as json.dumps(…, indent=2) + "\n" (JSON.stringify gives the same bytes for these files). */
  const unamended = (o: Record<string, any>) => {
    const copy = structuredClone(o);
    for (const path of o.amended.fields as string[]) {
      const parts = path.split('.');
      const parent = parts.slice(0, -1).reduce((x, k) => x?.[k], copy);
      expect(parent?.[parts.at(-1)!], `amended field ${path}`).toBeDefined();
      delete parent[parts.at(-1)!];
    }
    return `${JSON.stringify(copy, null, 2)}\n`;
  };

  it('there is at least one (runs/cpu-20ep)', () => expect(runs).toContain('cpu-20ep'));

  for (const run of runs) {
    it(`${run}: every file matches SHA256SUMS; provenance.json differs only by its listed amendments`, () => {
      const expected = sums(run);
      expect(expected.size).toBeGreaterThanOrEqual(6);
      for (const [file, hash] of expected) {
        const bytes = readFileSync(join(RUNS_DIR, run, file));
        const o = file === 'provenance.json' ? (JSON.parse(bytes.toString('utf8')) as Record<string, any>) : undefined;
        if (o?.amended === undefined) {
          expect(sha256(bytes), `${run}/${file}`).toBe(hash);
        } else {
          expect(o.amended.originalSha256, `${run}/provenance.json amended.originalSha256`).toBe(hash);
          expect(sha256(unamended(o)), `${run}/provenance.json without its amendments`).toBe(hash);
        }
      }
    });
  }

  it('a change outside the listed amendments is caught', () => {
    const o = read('cpu-20ep');
    (o.recipe as Record<string, unknown>).epochs = 21;
    expect(sha256(unamended(o))).not.toBe(sums('cpu-20ep').get('provenance.json'));
  });
});
