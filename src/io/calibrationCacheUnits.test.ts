/**
 * calibrationCache.ts without an engine: the default path, which entries
 * count as results, the exact problems reported, the exact file written, and
 * the single lazy read. Expected texts are written by hand. Mutation kills
 * (issue 25, area io) named per test as calibrationCache.ts:<line> <mutator>.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_FORMAT, defaultCalibrationFile, fileCalibrationStore, readCalibrationFile } from './calibrationCache.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'cipherpatch-calibration-'));
const result = { batchSize: 8, spinning: true, measured: { 'batch 8, spinning': 12.5 }, at: '2026-12-03T00:00:00.000Z' };

describe('calibration file units', () => {
  // Kills calibrationCache.ts:14 StringLiteral, :18 StringLiteral/LogicalOperator (the env variable, the default path).
  it('the format name, and the file: $CIPHERPATCH_CALIBRATION_FILE, else ~/.cache/cipherpatch/onnx-calibration.json', () => {
    expect(CALIBRATION_FORMAT).toBe('cipherpatch-onnx-calibration');
    expect(defaultCalibrationFile({}, '/home/u')).toBe('/home/u/.cache/cipherpatch/onnx-calibration.json');
    expect(defaultCalibrationFile({ CIPHERPATCH_CALIBRATION_FILE: '/x/c.json' }, '/home/u')).toBe('/x/c.json');
    expect(defaultCalibrationFile({ CIPHERPATCH_CALIBRATION_FILE: '' }, '/home/u')).toBe('');
    expect(defaultCalibrationFile(undefined, '/h').startsWith('/')).toBe(true);
  });

  // Kills calibrationCache.ts:21–24 (each conjunct of isResult, each boundary).
  it('keeps exactly the well-formed results', () => {
    const file = join(scratch(), 'c.json');
    const entries = {
      good: result,
      one: { ...result, batchSize: 1 },
      zero: { ...result, batchSize: 0 },
      negative: { ...result, batchSize: -4 },
      fraction: { ...result, batchSize: 2.5 },
      huge: { ...result, batchSize: 2 ** 53 },
      text: { ...result, batchSize: '8' },
      spinString: { ...result, spinning: 'true' },
      atNumber: { ...result, at: 5 },
      measuredNull: { ...result, measured: null },
      measuredText: { ...result, measured: 'fast' },
      nothing: null,
      number: 3,
    };
    writeFileSync(file, JSON.stringify({ format: CALIBRATION_FORMAT, version: 1, entries }));
    const read = readCalibrationFile(file);
    expect([...read.entries.keys()]).toEqual(['good', 'one']);
    expect(read.problem).toBeUndefined();
    expect(read.entries.get('good')).toEqual(result);
  });

  // Kills calibrationCache.ts:30 (a missing file has no problem), :35 StringLiteral, :38–39 each conjunct and the message.
  it('says exactly why a file is ignored', () => {
    const dir = scratch();
    expect(readCalibrationFile(join(dir, 'none.json'))).toEqual({ entries: new Map() });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{');
    let parseMessage = '';
    try {
      JSON.parse('{');
    } catch (e) {
      parseMessage = (e as Error).message;
    }
    expect(readCalibrationFile(bad)).toEqual({ entries: new Map(), problem: `${bad} is not readable JSON (${parseMessage}); it will be rewritten` });
    for (const doc of [null, 7, '"text"', { entries: { k: result } }, { format: CALIBRATION_FORMAT }, { format: CALIBRATION_FORMAT, entries: null }, { format: CALIBRATION_FORMAT, entries: 'k' }]) {
      const file = join(dir, 'foreign.json');
      writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
      expect(readCalibrationFile(file)).toEqual({ entries: new Map(), problem: `${file} is not a cipherpatch calibration file; it will be rewritten` });
    }
  });

  // Kills calibrationCache.ts:54–57 (read once, the warning), :63–66 (the folder made, the exact text written, overwrite).
  it('reads the file once, warns once, writes the whole document with a trailing newline into a new folder', () => {
    const dir = scratch();
    const file = join(dir, 'a', 'b', 'c.json');
    const store = fileCalibrationStore(file);
    expect(store.get('k')).toBeUndefined();
    store.set('k', result);
    const text = `{\n  "format": "cipherpatch-onnx-calibration",\n  "version": 1,\n  "entries": {\n    "k": {\n      "batchSize": 8,\n      "spinning": true,\n      "measured": {\n        "batch 8, spinning": 12.5\n      },\n      "at": "2026-12-03T00:00:00.000Z"\n    }\n  }\n}\n`;
    expect(readFileSync(file, 'utf8')).toBe(text);
    const seen: string[] = [];
    expect(fileCalibrationStore(file, (m) => seen.push(m)).get('k')).toEqual(result);
    expect(seen).toEqual([]); // a good file warns nothing
    store.set('k2', { ...result, batchSize: 4 });
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries)).toEqual(['k', 'k2']);

    // Read on first use only, and only once: a change on disk afterwards is not seen.
    const warnings: string[] = [];
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, 'nope');
    const lazy = fileCalibrationStore(broken, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(lazy.get('k')).toBeUndefined();
    writeFileSync(broken, JSON.stringify({ format: CALIBRATION_FORMAT, entries: { k: result } }));
    expect(lazy.get('k')).toBeUndefined();
    expect(warnings.length).toBe(1);
    expect(warnings[0].startsWith(`${broken} is not readable JSON (`)).toBe(true);
    // The default warn does nothing (and does not throw).
    writeFileSync(broken, 'nope');
    expect(fileCalibrationStore(broken).get('k')).toBeUndefined();
  });
});
