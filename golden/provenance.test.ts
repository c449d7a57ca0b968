/**
 * The golden provenance schemas (System A: goldenRun.ts, System B:
 * systemBRun.ts) accept the committed runs and name each field they miss.
 */
import { readFileSync } from 'node:fs';
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
