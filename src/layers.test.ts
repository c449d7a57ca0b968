/**
 * The layers of src/ (README, "Layout"; the order is LAYERS in
 * .dependency-cruiser.mjs): no import circle, no import of a higher layer,
 * and nothing in the library that reads golden/ (the test fixtures are not
 * shipped with it). The rules are also run on a small tree with one upward
 * import and one circle, which they must report.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ICruiseOptions, type ICruiseResult, cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

/** Each violation as one line: the rule, the files, and for a circle the whole cycle. */
function violations(result: ICruiseResult): string[] {
  return result.summary.violations.map((v) => {
    const path = v.cycle !== undefined && v.cycle.length > 0 ? [v.from, ...v.cycle.map((step) => step.name)].join(' → ') : `${v.from} → ${v.to}`;
    return `${v.rule.name}: ${path}`;
  });
}

async function cruiseFrom(baseDir: string, options: ICruiseOptions): Promise<ICruiseResult> {
  const { output } = await cruise(['src'], { ...options, baseDir, validate: true, outputType: 'json' });
  return (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
}

let options: ICruiseOptions;
beforeAll(async () => {
  options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.mjs'));
});

describe('layers of src/', () => {
  it('no import circle, no upward import', async () => {
    const result = await cruiseFrom(ROOT, options);
    expect(result.summary.totalCruised, 'modules cruised').toBeGreaterThan(50);
    expect(violations(result)).toEqual([]);
  });

  it('nothing in the library reads golden/', () => {
    const library = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? library(join(dir, e.name)) : /\.(ts|mjs|js)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
    const testSupport = ['cli/badInputs/table.ts'];
    const readers = library(SRC)
      .filter((file) => !testSupport.includes(relative(SRC, file)))
      .filter((file) => /(\.\.\/)+golden\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(readers).toEqual([]);
  });
});

describe('the layer rules catch', () => {
  let tree: string;
  beforeAll(() => {
    // core/key.ts imports cli/ (upward); evaluate/a.ts and evaluate/b.ts import each other.
    tree = mkdtempSync(join(tmpdir(), 'cipherpatch-layers-'));
    const files: Record<string, string> = {
      'src/cli/main.ts': "export const main = 'cli';\n",
      'src/core/key.ts': "import { main } from '../cli/main.ts';\nexport const key = main;\n",
      'src/evaluate/a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'src/evaluate/b.ts': "import { a } from './a.ts';\nexport const b = (): number => a() - 1;\n",
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, name)), { recursive: true });
      writeFileSync(join(tree, name), text);
    }
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it('an upward import and an import circle, naming the files', async () => {
    const { tsConfig: _, ...rules } = options;
    const found = violations(await cruiseFrom(tree, rules));
    expect(found).toContain('layer-core: src/core/key.ts → src/cli/main.ts');
    expect(found.some((v) => /^no-circular: src\/evaluate\/(a|b)\.ts → src\/evaluate\/(a|b)\.ts → src\/evaluate\/(a|b)\.ts$/.test(v)), found.join('\n')).toBe(true);
  });
});
