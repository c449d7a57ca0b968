// Issue 25, item 4: README's mutation table covers every module of src/.
// Each module (non-test .ts file under src/) has exactly one row, with either a
// measured score (and the score before, when there was one) or a reason it was not measured; a score below 90 % names why.
// The table is hand-maintained from Stryker runs, so this test cannot check the
// numbers themselves, only that no module is missing, stale or unexplained.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const HEADING = '### Every module of src/';

/** Non-test TypeScript files under `dir`, as repository-relative paths. */
function sourceModules(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceModules(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

/** `src/a/{b,c}.ts` → `src/a/b.ts`, `src/a/c.ts` (one brace group at most). */
export function expandModules(cell: string): string[] {
  const names = cell.replace(/`/g, '').split(/,\s*(?![^{]*\})/).map((s) => s.trim()).filter((s) => s !== '');
  return names.flatMap((name) => {
    const m = /^(.*)\{([^}]*)\}(.*)$/.exec(name);
    return m === null ? [name] : m[2]!.split(',').map((part) => `${m[1]}${part.trim()}${m[3]}`);
  });
}

export interface TableRow {
  readonly modules: string[];
  readonly mutants: string;
  readonly before: string;
  readonly score: string;
  readonly run: string;
  readonly why: string;
}

/** The rows of the table under HEADING in `markdown` (up to the next heading). */
export function tableRows(markdown: string): TableRow[] {
  const start = markdown.indexOf(HEADING);
  if (start < 0) throw new Error(`README has no section "${HEADING}"`);
  const rest = markdown.slice(start + HEADING.length);
  const end = rest.search(/\n#{1,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| module') && !line.startsWith('|---'))
    .map((line) => {
      const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
      if (cells.length !== 6) throw new Error(`a row of "${HEADING}" must have 6 cells: ${line}`);
      return { modules: expandModules(cells[0]!), mutants: cells[1]!, before: cells[2]!, score: cells[3]!, run: cells[4]!, why: cells[5]! };
    });
}

const scoreOf = (cell: string): number | null => {
  const m = /^\**(\d+(?:\.\d+)?) %/.exec(cell);
  return m === null ? null : Number(m[1]);
};

describe("README's mutation table", () => {
  const rows = tableRows(readFileSync('README.md', 'utf8'));
  const listed = rows.flatMap((r) => r.modules);

  it('lists every module of src/ exactly once, and nothing else', () => {
    const modules = sourceModules('src');
    expect(modules.length).toBeGreaterThan(100);
    expect(modules.filter((m) => !listed.includes(m)), 'modules missing from the table').toEqual([]);
    expect(listed.filter((m) => !modules.includes(m)), 'rows naming no module of src/').toEqual([]);
    expect(listed.filter((m, i) => listed.indexOf(m) !== i), 'modules listed twice').toEqual([]);
  });

  it('gives each row a score with its run, or a reason it has none', () => {
    for (const row of rows) {
      const score = scoreOf(row.score);
      const label = row.modules.join(', ');
      if (score === null) {
        expect(row.score, label).toMatch(/^(not measured|excluded|no mutants)$/);
        expect(row.why, `${label}: why it has no score`).not.toBe('');
      } else {
        expect(score, label).toBeLessThanOrEqual(100);
        expect(row.mutants, `${label}: mutant count`).toMatch(/^\d[\d, ]*$/);
        expect(row.run, `${label}: when it was measured`).toMatch(/\d\d:\d\d/);
        if (score < 90) expect(row.why, `${label}: below 90 % without a reason`).not.toBe('');
        expect(row.before, `${label}: the score before (or – when first measured with its tests)`).toMatch(/^(–|\d+(\.\d+)? %)$/);
      }
    }
  });
});

describe('the table parser', () => {
  it('expands one brace group and splits modules on commas outside braces', () => {
    expect(expandModules('`src/a/{b,c}.ts`, src/d.ts')).toEqual(['src/a/b.ts', 'src/a/c.ts', 'src/d.ts']);
  });

  it('refuses a row with a missing cell', () => {
    expect(() => tableRows(`${HEADING}\n\n| module | a | b | c | d | e |\n|---|---|---|---|---|---|\n| src/x.ts | 1 | 50 % | 10:00 | |\n`)).toThrow(/6 cells/);
  });
});
