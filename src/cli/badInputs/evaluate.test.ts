/** Bad inputs of `cipherpatch evaluate` (see table.ts). */
import { mkdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type Row, type TinyFixtures, badInputSuite, tinyFixtures } from './table.ts';

// --- issue 21, part B (item 21.13) ----------------------------------------------------------------

export const ROWS_21B: Row<TinyFixtures>[] = [
  {
    id: '21.13 evaluate: report folder mode, "report: rep/" once, "1 wrong key", Fig. 5 axis in percent (success row)',
    argv: (s, f) => ['evaluate', '--weights', f.model, '--key', f.key, '--data', f.cifar, '--limit', '8', '--wrong-keys', '1', '--workers', '1', '--no-progress', '--report', `${join(s, 'rep')}//`],
    code: 0,
    stdout: /encrypted model, 1 wrong key: +median[\s\S]*report: .*\/rep\/ \(/,
    changes: { added: [/^rep\//] },
    timeoutMs: 180_000,
    check: (s, r) => {
      expect(r.stdout).not.toMatch(/rep\/\//);
      // The report folder has the mode any new folder gets here (umask), not mkdtemp's 0700.
      mkdirSync(join(s, 'probe'));
      const usual = statSync(join(s, 'probe')).mode & 0o777;
      rmdirSync(join(s, 'probe'));
      expect((statSync(join(s, 'rep')).mode & 0o777).toString(8)).toBe(usual.toString(8));
      const svg = readFileSync(join(s, 'rep', 'wrong-keys.svg'), 'utf8');
      expect(svg).toMatch(/>25 %<\/text>/);
      expect(svg).toMatch(/n = 1, median \d+\.\d\d %</);
      expect(svg).toMatch(/>1 wrong key<\/text>/);
      expect(svg).not.toMatch(/>0\.250</);
    },
  },
];

badInputSuite('evaluate: bad inputs (issue 21, part B)', ROWS_21B, { fixtures: tinyFixtures });
