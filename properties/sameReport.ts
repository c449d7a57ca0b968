/** For tests of sharded runs: a merged report directory is the one run's. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * `merged` holds the files `one` holds; report.json is the same but for
 * createdAt, command (merge's own) and timing; report.md but for its Time
 * line; the pictures and the marker are the same byte for byte.
 */
export function expectSameReport(one: string, merged: string): void {
  expect(readdirSync(merged).sort()).toEqual(readdirSync(one).sort());
  const json = (d: string) => {
    const { createdAt, command, timing, ...rest } = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
    expect(typeof createdAt).toBe('string');
    expect(typeof command).toBe('string');
    expect(typeof timing.total).toBe('number');
    return rest;
  };
  expect(json(merged)).toEqual(json(one));
  expect(JSON.parse(readFileSync(join(merged, 'report.json'), 'utf8')).command).toMatch(/^cipherpatch merge /);
  const md = (d: string) => readFileSync(join(d, 'report.md'), 'utf8').replace(/^- Time: .*$/m, '- Time: (left out)');
  expect(md(one)).toContain('- Time: (left out)');
  expect(md(merged)).toBe(md(one));
  for (const f of readdirSync(one).filter((f) => !f.startsWith('report.'))) expect(readFileSync(join(merged, f)).equals(readFileSync(join(one, f))), f).toBe(true);
}
