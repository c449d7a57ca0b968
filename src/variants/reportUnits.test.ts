/**
 * The fuzz report as text and JSON (report.ts) from a hand-made FuzzReport:
 * every line written out by hand (table, wrapped details, the block-size grid,
 * counterexamples and replay lines). Each test names the Stryker mutants it
 * was seen to kill.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult, FuzzReport } from './harness.ts';
import { counterexamples, formatReport, reportToJson } from './report.ts';

const replay = { seed: 7, path: '3:1', command: 'cipherpatch fuzz x --only shape --seed 7 --path "3:1"' };

function report(checks: CheckResult[], pairs: FuzzReport['summary']['blockVsPatch']['pairs'] = []): FuzzReport {
  return {
    variant: { name: 'x', title: 'a test', params: { blockSize: 2, channels: 3 }, domain: { input: 'uint8', output: 'unit' }, gridBound: false, adapter: true },
    source: 'x',
    seed: 7,
    runs: 12,
    contract: [],
    checks,
    summary: { normalizations: [], blockVsPatch: { rule: 'M = P', pairs }, keySpace: { tiny: [], paper: '10' } },
    seconds: 1.26,
  };
}

describe('formatReport', () => {
  it('the header, the table with ids padded to the longest (at least 5), no grid, no counterexamples', () => {
    const text = formatReport(report([
      { id: 'shape', title: 't', verdict: 'pass', detail: 'fine' },
      { id: 'adapter', title: 't', verdict: 'n/a', detail: 'none' },
      { id: 'key', title: 't', verdict: 'fail', detail: 'bad' },
    ]));
    expect(text).toBe(
      [
        'cipherpatch fuzz: x — a test',
        'params M=2,C=3; domain uint8 → unit; with adapter; 12 runs per property, seed 7; 1.3 s',
        '',
        '  check    verdict / detail',
        '  shape    pass  fine',
        '  adapter  n/a   none',
        '  key      FAIL  bad',
        '',
      ].join('\n'),
    );
    const short = formatReport({ ...report([{ id: 'ab', title: 't', verdict: 'pass', detail: '' }]), variant: { ...report([]).variant, adapter: false } });
    expect(short.split('\n').slice(1, 5)).toEqual(['params M=2,C=3; domain uint8 → unit; no adapter; 12 runs per property, seed 7; 1.3 s', '', '  check  verdict / detail', '  ab     pass  ']);
  });

  it('details wrap at 100 characters, later lines indented under the detail', () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${String(i).padStart(2, '0')}`);
    // 6 characters + 1 space each: 14 words make 97 characters, a 15th would make 104.
    const text = formatReport(report([{ id: 'shape', title: 't', verdict: 'pass', detail: words.join(' ') }]));
    expect(text.split('\n').slice(4, 7)).toEqual([`  shape  pass  ${words.slice(0, 14).join(' ')}`, `               ${words.slice(14, 28).join(' ')}`, `               ${words.slice(28).join(' ')}`]);
    const exact = `${'a'.repeat(49)} ${'b'.repeat(50)}`;
    expect(formatReport(report([{ id: 'shape', title: 't', verdict: 'pass', detail: exact }])).split('\n')[4]).toBe(`  shape  pass  ${exact}`);
    const over = `${exact}c`;
    expect(formatReport(report([{ id: 'shape', title: 't', verdict: 'pass', detail: over }])).split('\n').slice(4, 6)).toEqual([`  shape  pass  ${'a'.repeat(49)}`, `               ${'b'.repeat(50)}c`]);
  });

  it('the block-size grid (✓ ✗ – and a blank for a missing pair), then failures and ✗ cells apart', () => {
    const checks: CheckResult[] = [
      { id: 'shape', title: 't', verdict: 'fail', detail: 'short', counterexample: '[1]', replay },
      { id: 'domain', title: 't', verdict: 'fail', detail: 'no witness' },
      { id: 'storable', title: 't', verdict: 'pass', detail: 'ok', counterexample: 'ignored' },
      { id: 'key-space', title: 't', verdict: 'fail', detail: 'dup', counterexample: 'k ≡ k′' },
      { id: 'invertible', title: 't', verdict: 'fail', detail: 'replay only', replay },
      { id: 'blocks:M=1:P=2', title: 't', verdict: 'fail', detail: 'not local', counterexample: '{}' },
      { id: 'blocks:M=1:P=1', title: 't', verdict: 'pass', detail: 'E′ = E' },
    ];
    const pairs = [
      { blockSize: 1, patchSize: 1, adaptable: true },
      { blockSize: 1, patchSize: 2, adaptable: false },
      { blockSize: 16, patchSize: 1, adaptable: null },
    ];
    const lines = formatReport(report(checks, pairs)).split('\n');
    expect(lines.slice(3, 9)).toEqual(['  check       verdict / detail', '  shape       FAIL  short', '  domain      FAIL  no witness', '  storable    pass  ok', '  key-space   FAIL  dup', '  invertible  FAIL  replay only']);
    expect(lines.slice(9)).toEqual([
      '',
      'block size vs patch size (✓ an exact adapter exists, ✗ none, – unsupported): M = P',
      '         P=1  P=2  ',
      '    M=1    ✓    ✗    ',
      '    M=16   –         ',
      '',
      'counterexamples of the failed checks:',
      '  shape: short',
      '    counterexample: [1]',
      '    replay: { seed: 7, path: "3:1" }  →  cipherpatch fuzz x --only shape --seed 7 --path "3:1"',
      '  key-space: dup',
      '    counterexample: k ≡ k′',
      '  invertible: replay only',
      '    replay: { seed: 7, path: "3:1" }  →  cipherpatch fuzz x --only shape --seed 7 --path "3:1"',
      '',
      'why each ✗ cell of the block size vs patch size grid has no exact adapter (findings, not failures):',
      '  blocks:M=1:P=2: not local',
      '    counterexample: {}',
      '',
    ]);
  });

  it('a broken contract: its problems only', () => {
    const r = { ...report([]), contract: [{ check: 'contract.name', message: 'bad name' }, { check: 'contract.domain', message: 'bad domain' }] };
    expect(formatReport(r)).toBe('cipherpatch fuzz: x — a test\n\nthe module does not satisfy the variant contract (src/variants/contract.ts):\n  [contract.name] bad name\n  [contract.domain] bad domain\n');
  });
});

describe('counterexamples and JSON', () => {
  it('counterexamples: nothing for no checks', () => {
    const lines: string[] = ['a'];
    counterexamples(lines, 'title', []);
    expect(lines).toEqual(['a']);
  });
  it('JSON: indented by 2, bigints as strings, a final newline', () => {
    const text = reportToJson({ ...report([]), summary: { ...report([]).summary, keySpace: { tiny: [], paper: 10n as unknown as string } } });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "variant": {\n    "name": "x",');
    expect(JSON.parse(text).summary.keySpace.paper).toBe('10');
  });
});
