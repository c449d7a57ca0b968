/** The fuzz report as text (the verdict table) and as JSON. */
import { describeParams } from './contract.ts';
import type { CheckResult, FuzzReport } from './harness.ts';

const MARK = { pass: 'pass', fail: 'FAIL', 'n/a': 'n/a' } as const;

function wrap(text: string, width: number): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line.length === 0 ? w : `${line} ${w}`;
  }
  if (line.length > 0) lines.push(line);
  return lines.length === 0 ? [''] : lines;
}

function row(c: CheckResult, idWidth: number): string[] {
  const detail = wrap(c.detail, 100);
  return detail.map((d, i) => (i === 0 ? `  ${c.id.padEnd(idWidth)}  ${MARK[c.verdict].padEnd(4)}  ${d}` : `  ${''.padEnd(idWidth)}        ${d}`));
}

/** The blocks:M=…:P=… checks as a grid: ✓ adaptable, ✗ not, – unsupported. */
function grid(report: FuzzReport): string[] {
  const pairs = report.summary.blockVsPatch.pairs;
  if (pairs.length === 0) return [];
  const Ms = [...new Set(pairs.map((p) => p.blockSize))];
  const Ps = [...new Set(pairs.map((p) => p.patchSize))];
  const cell = (m: number, p: number) => {
    const f = pairs.find((x) => x.blockSize === m && x.patchSize === p);
    return f === undefined ? ' ' : f.adaptable === null ? '–' : f.adaptable ? '✓' : '✗';
  };
  return [
    `block size vs patch size (✓ an exact adapter exists, ✗ none, – unsupported): ${report.summary.blockVsPatch.rule}`,
    `         ${Ps.map((p) => `P=${p}`.padEnd(5)).join('')}`,
    ...Ms.map((m) => `    M=${String(m).padEnd(3)}  ${Ps.map((p) => cell(m, p).padEnd(5)).join('')}`),
  ];
}

export function formatReport(report: FuzzReport): string {
  const v = report.variant;
  const lines: string[] = [];
  lines.push(`cipherpatch fuzz: ${v.name} — ${v.title}`);
  if (report.contract.length > 0) {
    lines.push('', 'the module does not satisfy the variant contract (src/variants/contract.ts):');
    for (const p of report.contract) lines.push(`  [${p.check}] ${p.message}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`params ${describeParams(v.params)}; domain ${v.domain.input} → ${v.domain.output}; ${v.adapter ? 'with' : 'no'} adapter; ${report.runs} runs per property, seed ${report.seed}; ${report.seconds.toFixed(1)} s`);
  lines.push('');
  const main = report.checks.filter((c) => !c.id.startsWith('blocks:'));
  const idWidth = Math.max(...main.map((c) => c.id.length), 5);
  lines.push(`  ${'check'.padEnd(idWidth)}  verdict / detail`);
  for (const c of main) lines.push(...row(c, idWidth));
  const g = grid(report);
  if (g.length > 0) lines.push('', ...g);
  const withCounterexample = report.checks.filter((c) => c.verdict === 'fail' && (c.counterexample !== undefined || c.replay !== undefined));
  // A ✗ cell of the block-size grid is a finding about the variant (no exact adapter for that M and P), not a failed check.
  const failures = withCounterexample.filter((c) => !c.id.startsWith('blocks:'));
  const cells = withCounterexample.filter((c) => c.id.startsWith('blocks:'));
  counterexamples(lines, 'counterexamples of the failed checks:', failures);
  counterexamples(lines, 'why each ✗ cell of the block size vs patch size grid has no exact adapter (findings, not failures):', cells);
  return `${lines.join('\n')}\n`;
}

/** Appends `title` and each check's detail, counterexample and replay line to `lines` (nothing when `checks` is empty). */
export function counterexamples(lines: string[], title: string, checks: readonly CheckResult[]): void {
  if (checks.length === 0) return;
  lines.push('', title);
  for (const c of checks) {
    lines.push(`  ${c.id}: ${c.detail}`);
    if (c.counterexample !== undefined) lines.push(`    counterexample: ${c.counterexample}`);
    if (c.replay !== undefined) lines.push(`    replay: { seed: ${c.replay.seed}, path: "${c.replay.path}" }  →  ${c.replay.command}`);
  }
}

export function reportToJson(report: FuzzReport): string {
  return `${JSON.stringify(report, (_k, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
}
