/**
 * The verdict of every built-in variant (and of the example plug-in), as the
 * fuzz harness decides it: each expected verdict is asserted, so a
 * regression in a variant or in the harness fails here. The same table is in
 * the README ("Fuzzing transform variants").
 *
 * Runs per property: FC_RUNS/5 (20 by default, 400 under `npm run fuzz`);
 * seed: FC_SEED. A failing verdict prints the harness's detail and its replay
 * line (`cipherpatch fuzz <variant> --only <check> --seed S --path P`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import myVariant from '../examples/my-variant.ts';
import { ff1Variant } from '../src/variants/builtin/ff1.ts';
import { type Ff1Factory, loadFf1Factory } from '../src/variants/builtin/ff1Cipher.ts';
import { type FuzzReport, type Verdict, fuzzVariant } from '../src/variants/harness.ts';
import { loadBuiltin } from '../src/variants/registry.ts';
import { formatReport } from '../src/variants/report.ts';
import { FC_RUNS, FC_SEED } from './setup.ts';

const RUNS = Math.max(10, Math.round(FC_RUNS / 5));
const LIMIT = FC_RUNS > 100 ? 20000 : 2000;

type Row = Record<string, Verdict> & { rule: string };

const P = 'pass' as const;
const F = 'fail' as const;
const NA = 'n/a' as const;

/** check id → verdict, plus the block-vs-patch rule the harness discovers. */
function row(v: {
  storable?: Verdict;
  invertible?: Verdict;
  sensitivity?: Verdict;
  knownAnswer?: Verdict;
  equivalent?: Verdict;
  keySpace?: Verdict;
  adapter?: Verdict;
  adaptable?: Verdict;
  norms?: [Verdict, Verdict, Verdict];
  rule: string;
}): Row {
  const [n05, cifar, none] = v.norms ?? [P, P, P];
  return {
    contract: P,
    shape: P,
    domain: P,
    storable: v.storable ?? P,
    invertible: v.invertible ?? P,
    deterministic: P,
    serialization: P,
    'key-sensitivity': v.sensitivity ?? P,
    'known-answer': v.knownAnswer ?? NA,
    'equivalent-keys': v.equivalent ?? P,
    'key-space': v.keySpace ?? P,
    adapter: v.adapter ?? P,
    adaptable: v.adaptable ?? P,
    'norm:0.5/0.5': n05,
    'norm:cifar': cifar,
    'norm:none': none,
    rule: v.rule,
  } as Row;
}

const NOT_ADAPTABLE = { adaptable: F, norms: [F, F, F] as [Verdict, Verdict, Verdict] };

export const EXPECTED: Record<string, Row> = {
  shuffle: row({ rule: 'M divides P' }),
  flip: row({ knownAnswer: P, rule: 'M divides P' }),
  'system-a': row({ knownAnswer: P, rule: 'M divides P' }),
  negpos: row({ adapter: NA, rule: 'M divides P' }),
  ffx: row({ storable: F, knownAnswer: P, equivalent: NA, keySpace: NA, adapter: NA, ...NOT_ADAPTABLE, rule: 'never' }),
  ff1: row({ knownAnswer: P, equivalent: NA, keySpace: NA, adapter: NA, ...NOT_ADAPTABLE, rule: 'never' }),
  orthogonal: row({ storable: F, equivalent: NA, keySpace: NA, rule: 'M divides P' }),
  'channel-shuffle': row({ rule: 'any M, P' }),
  'block-rotation': row({ sensitivity: F, equivalent: F, keySpace: F, rule: 'M divides P' }),
  'block-scramble': row({ adapter: NA, ...NOT_ADAPTABLE, rule: 'never' }),
  'per-block-keys': row({ adapter: NA, ...NOT_ADAPTABLE, rule: 'never' }),
  'my-variant': row({ rule: 'M divides P' }),
};

/** Domain and log2 of the claimed key space at the paper's size (README table, last columns). */
export const DOMAIN_AND_LOG2: Record<string, [string, string]> = {
  shuffle: ['uint8 → uint8', '202.9'],
  flip: ['uint8 → uint8', '44.9'],
  'system-a': ['uint8 → uint8', '247.8'],
  negpos: ['unit → unit', '44.8'],
  ffx: ['uint8 → unit', '172.8'],
  ff1: ['uint8 → uint8', '172.8'],
  orthogonal: ['real → real', '–'],
  'channel-shuffle': ['uint8 → uint8', '2.6'],
  'block-rotation': ['uint8 → uint8', '4.0'],
  'block-scramble': ['uint8 → uint8', '296.0'],
  'per-block-keys': ['uint8 → uint8', '15860.7'],
  'my-variant': ['unit → unit', '92.3'],
};

function verdicts(report: FuzzReport): Row {
  const out: Record<string, string> = {};
  for (const c of report.checks) if (!c.id.startsWith('blocks:')) out[c.id] = c.verdict;
  out.rule = report.summary.blockVsPatch.rule;
  return out as Row;
}

function run(candidate: unknown): FuzzReport {
  return fuzzVariant(candidate, { runs: RUNS, seed: FC_SEED, enumerationLimit: LIMIT });
}

/** `differs`: cells where this report must differ from the README row (the ff1 stand-in is not FF1). */
function expectRow(report: FuzzReport, name: string, differs: Partial<Row> = {}): void {
  expect(verdicts(report), formatReport(report)).toEqual({ ...EXPECTED[name], ...differs });
  const log2 = report.summary.keySpace.log2Paper;
  expect([`${report.variant.domain.input} → ${report.variant.domain.output}`, log2 === undefined ? '–' : log2.toFixed(1)]).toEqual(DOMAIN_AND_LOG2[name]);
}

const reports = new Map<string, FuzzReport>();

describe('verdicts of the built-in variants', () => {
  for (const name of Object.keys(EXPECTED).filter((n) => n !== 'ff1' && n !== 'my-variant')) {
    it(`${name}`, async () => {
      const report = run(await loadBuiltin(name));
      reports.set(name, report);
      expectRow(report, name);
    });
  }

  it('my-variant (examples/my-variant.ts, the README example)', () => {
    expectRow(run(myVariant), 'my-variant');
  });
});

describe('what the verdicts mean (details the harness derives)', () => {
  const get = async (name: string) => reports.get(name) ?? run(await loadBuiltin(name));

  it("system-a: the paper's adapter (bias unchanged) is exact only with 0.5/0.5; other normalizations need a bias correction, CIFAR also rescaled rows", async () => {
    const r = await get('system-a');
    const n = Object.fromEntries(r.summary.normalizations.map((x) => [x.name, x]));
    expect(n['0.5/0.5']).toMatchObject({ exact: true, form: 'signed permutation', biasCorrection: expect.any(Number), variantAdapterExact: true });
    expect(n['0.5/0.5'].biasCorrection).toBeLessThan(1e-8);
    expect(n.none).toMatchObject({ exact: true, form: 'signed permutation', variantAdapterExact: false });
    expect(n.none.biasCorrection).toBeCloseTo(1, 6); // x ↦ 1 − x on [0, 1]
    expect(n.cifar).toMatchObject({ exact: true, form: 'scaled permutation', variantAdapterExact: false });
    expect(r.summary.keySpace.log2Paper).toBeCloseTo(247.82, 2);
  });

  it('orthogonal: exact under every normalization with the bias unchanged, a dense adapter', async () => {
    const r = await get('orthogonal');
    for (const n of r.summary.normalizations) expect(n, n.name).toMatchObject({ exact: true, form: 'dense', variantAdapterExact: true });
    for (const n of r.summary.normalizations) expect(n.biasCorrection).toBeLessThan(1e-8);
  });

  it('the M-vs-P discovery for a shared-key permutation: adaptable exactly when M divides P (M > P never)', async () => {
    const r = await get('shuffle');
    for (const p of r.summary.blockVsPatch.pairs) expect(p.adaptable, `M=${p.blockSize} P=${p.patchSize}`).toBe(p.patchSize % p.blockSize === 0);
    expect(r.summary.blockVsPatch.pairs.length).toBe(16);
    // Why M > P fails: a block spans several patches, so values move between patches.
    for (const c of r.checks.filter((x) => x.id.startsWith('blocks:') && x.verdict === 'fail')) expect(c.detail, c.id).toMatch(/^not local: /);
  });

  it('per-block keys fail because patches differ; System B negative/positive with M > P too (each patch its own flips)', async () => {
    expect((await get('per-block-keys')).checks.find((x) => x.id === 'adaptable')!.detail).toMatch(/^(not the same in every patch|patches \d+ and \d+ hold the same plain values)/);
    const np = await get('negpos');
    for (const c of np.checks.filter((x) => x.id.startsWith('blocks:') && x.verdict === 'fail')) expect(c.detail, c.id).toMatch(/^(not the same in every patch|patches \d+ and \d+ hold the same plain values)/);
  });

  it('block-scramble: the counterexample says an encrypted patch depends on plain values outside it, with a replay line', async () => {
    const r = await get('block-scramble');
    const c = r.checks.find((x) => x.id === 'adaptable')!;
    expect(c.detail).toMatch(/^not local: /);
    expect(c.replay?.command).toMatch(/^cipherpatch fuzz block-scramble --only adaptable --seed -?\d+ --path "[\d:]+"$/);
  });

  it('ffx: not affine, with a shrunk counterexample; not storable (table values / max are not k/255)', async () => {
    const r = await get('ffx');
    expect(r.checks.find((x) => x.id === 'adaptable')!.detail).toMatch(/^not affine: /);
    expect(r.checks.find((x) => x.id === 'storable')!.counterexample).toBeDefined();
  });

  it('block-rotation: 16 claimed keys, 8 distinct functions (the dihedral group), an equivalent pair named', async () => {
    const r = await get('block-rotation');
    const tiny = r.summary.keySpace.tiny.find((t) => t.params.blockSize === 2)!;
    expect(tiny).toMatchObject({ claimed: '16', enumerated: 16, distinct: 8 });
    expect(r.checks.find((x) => x.id === 'equivalent-keys')!.counterexample).toMatch(/≡/);
  });

  it('channel-shuffle: a key space of only C! = 6 at the paper size', async () => {
    const r = await get('channel-shuffle');
    expect(r.summary.keySpace.paper).toBe('6');
  });
});

describe('the README shows exactly the asserted table', () => {
  it('every row of "Fuzzing transform variants" matches EXPECTED and DOMAIN_AND_LOG2', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Fuzzing transform variants'), readme.indexOf('## Layout'));
    const lines = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| variant'));
    const symbol = { pass: '✓', fail: '✗', 'n/a': '–' } as const;
    const shown = Object.fromEntries(
      lines.map((l) => {
        const cells = l.split('|').slice(1, -1).map((c) => c.trim());
        return [cells[0].replace(/^examples\//, '').replace(/\.ts$/, '').split(' ')[0], cells.slice(1)];
      }),
    );
    const basic = ['contract', 'shape', 'domain', 'deterministic', 'serialization'];
    const columns = ['known-answer', 'storable', 'invertible', 'key-sensitivity', 'equivalent-keys', 'key-space', 'adapter', 'adaptable', 'norm:0.5/0.5', 'norm:cifar', 'norm:none'];
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([name, r]) => [
        name,
        [DOMAIN_AND_LOG2[name][0], basic.every((c) => r[c] === 'pass') ? '✓' : '✗', ...columns.map((c) => symbol[r[c]]), r.rule, DOMAIN_AND_LOG2[name][1]],
      ]),
    );
    expect(shown).toEqual(expected);
  });
});

// ------------------------------------------------------------------ FF1

let noble: Ff1Factory | undefined;
try {
  noble = await loadFf1Factory();
} catch {
  noble = undefined;
}

describe('ff1 (NIST SP 800-38G via @noble/ciphers)', () => {
  it.skipIf(noble === undefined)('NIST FF1 samples 1–3 (AES-128) through @noble/ciphers', () => {
    const key = Uint8Array.from(Buffer.from('2B7E151628AED2A6ABF7158809CF4F3C', 'hex'));
    const digits = (s: string) => [...s].map((ch) => parseInt(ch, 36));
    expect(noble!(10, key).encrypt(digits('0123456789'))).toEqual(digits('2433477484'));
    expect(noble!(10, key, Uint8Array.from(Buffer.from('39383736353433323130', 'hex'))).encrypt(digits('0123456789'))).toEqual(digits('6124200773'));
    expect(noble!(36, key, Uint8Array.from(Buffer.from('3737373770717273373737', 'hex'))).encrypt(digits('0123456789abcdefghi'))).toEqual(digits('a9tv40mll9kdu509eum'));
  });

  it.skipIf(noble === undefined)('verdicts with @noble/ciphers', () => {
    expectRow(run(ff1Variant(noble!)), 'ff1');
  });

  it('the ff1 plug-in wiring, on a stand-in keyed permutation of 0..255 (same verdicts as any 8-bit FPE table; the NIST known answers catch that it is not FF1)', () => {
    // Not FF1: a keyed affine-free permutation of the 256 values, to test the wrapper without @noble/ciphers.
    const radices = new Set<number>();
    const standIn: Ff1Factory = (radix, key) => {
      radices.add(radix);
      const table = Array.from({ length: 256 }, (_, v) => v);
      let s = key.reduce((a, b) => (a * 31 + b) >>> 0, 7);
      for (let i = 255; i > 0; i--) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const j = s % (i + 1);
        [table[i], table[j]] = [table[j], table[i]];
      }
      const inverse = new Array<number>(256);
      table.forEach((t, v) => (inverse[t] = v));
      return { encrypt: ([hi, lo]) => [table[hi * 16 + lo] >> 4, table[hi * 16 + lo] & 15], decrypt: ([hi, lo]) => [inverse[hi * 16 + lo] >> 4, inverse[hi * 16 + lo] & 15] };
    };
    const report = run(ff1Variant(standIn));
    expectRow(report, 'ff1', { 'known-answer': F });
    expect(report.checks.find((c) => c.id === 'known-answer')!.detail).toMatch(/^NIST SP 800-38G FF1-AES128 samples 1–3: 3 of 3 samples of the cipher inside differ; first: sample 1 \(radix 10\)/);
    // The pixel table is radix 16 (2 numerals); radix 10 and 36 only for the NIST samples.
    expect([...radices].sort((a, b) => a - b)).toEqual([10, 16, 36]);
  });
});
