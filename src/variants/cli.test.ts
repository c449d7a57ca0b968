/** `cipherpatch fuzz`, run as a user runs it: built-ins, the example plug-in, broken modules, JSON, replay. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cipherpatch } from '../../properties/cliRunner.ts';

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-fuzz-'));
const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'src/variants/fixtures', `${name}.ts`);
const QUICK = ['--runs', '5', '--limit', '200'];

describe('cipherpatch fuzz', () => {
  it('a built-in: the verdict table, a counterexample with its replay line, and that line replays it', async () => {
    const r = await cipherpatch('fuzz', 'ffx', ...QUICK, '--only', 'storable,adaptable,norm:none,blocks:M=4:P=4');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cipherpatch fuzz: ffx — System B FFX/);
    expect(r.stdout).toMatch(/storable\s+FAIL\s+encrypted value/);
    expect(r.stdout).toMatch(/adaptable\s+FAIL\s+not affine/);
    expect(r.stdout).toMatch(/norm:none\s+FAIL/);
    expect(r.stdout).toMatch(/block size vs patch size .*: never/);
    const replay = /replay: \{ seed: (-?\d+), path: "([\d:]+)" \}\s+→\s+(cipherpatch fuzz ffx --only adaptable .*)/.exec(r.stdout);
    expect(replay, r.stdout).not.toBeNull();
    const again = await cipherpatch('fuzz', 'ffx', '--only', 'adaptable', '--seed', replay![1], '--path', replay![2]);
    expect(again.code, again.stderr).toBe(0);
    const first = /adaptable\s+FAIL\s+(not affine: [^\n]*)/.exec(r.stdout)![1];
    expect(again.stdout).toContain(first);
  });

  it('the example plug-in passes, and --json writes the report (never over a file without --force)', async () => {
    const out = join(dir, 'report.json');
    const r = await cipherpatch('fuzz', join(root, 'examples/my-variant.ts'), ...QUICK, '--only', 'contract,invertible,adapter,norm,key-space', '--json', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/adapter\s+pass\s+exact under 0\.5\/0\.5, cifar, none/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.variant).toMatchObject({ name: 'my-variant', domain: { input: 'unit', output: 'unit' }, adapter: true });
    expect(json.checks.map((c: { id: string; verdict: string }) => `${c.id}=${c.verdict}`)).toEqual(['contract=pass', 'invertible=pass', 'key-space=pass', 'adapter=pass', 'norm:0.5/0.5=pass', 'norm:cifar=pass', 'norm:none=pass']);
    const again = await cipherpatch('fuzz', join(root, 'examples/my-variant.ts'), '--only', 'contract', '--json', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--force/);
  });

  it('broken plug-ins: a clear report naming what is wrong, exit 1, no stack trace', async () => {
    const cases: [string, RegExp][] = [
      ['missing-decrypt', /\[contract\.missing-function\] decrypt is missing/],
      ['throws-on-encrypt', /\[contract\.throws\] encrypt\(a batch of 1 image of 2×2 blocks.*threw on valid input: TypeError: Cannot read properties of undefined/],
      ['wrong-shape', /\[contract\.wrong-shape\] encrypt returned 8 values for an input of 16/],
      ['wrong-types', /\[contract\.params\] params\.blockSize must be a positive integer, got "4"/],
      ['no-export', /\[contract\.no-export\] the module exports no variant/],
    ];
    for (const [name, message] of cases) {
      const r = await cipherpatch('fuzz', fixture(name), ...QUICK);
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stdout, name).toMatch(message);
      expect(r.stderr, name).toMatch(/^cipherpatch: error \[fuzz\.contract\]: .* does not satisfy the variant contract/);
      expect(`${r.stdout}${r.stderr}`, name).not.toMatch(/\n\s+at /);
    }
    const load = await cipherpatch('fuzz', fixture('crashes-on-load'));
    expect(load.code).toBe(1);
    expect(load.stderr).toMatch(/error \[fuzz\.module-load\]: cannot load .*crashes-on-load\.ts: config\.blockSize is missing/);
    const unknown = await cipherpatch('fuzz', 'sytem-a');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error \[fuzz\.unknown-variant\]: "sytem-a" is neither a built-in variant/);
  });

  it('usage errors: --path without one --only; an unknown check; bad --runs', async () => {
    const r = await cipherpatch('fuzz', 'flip', '--path', '0:1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[fuzz\.replay\]: --path replays one counterexample: name its check with --only/);
    const only = await cipherpatch('fuzz', 'flip', '--only', 'adaptible');
    expect(only.code).toBe(1);
    expect(only.stderr).toMatch(/\[fuzz\.unknown-check\]: no check "adaptible": use contract, shape, .*adaptable/);
    const runs = await cipherpatch('fuzz', 'flip', '--runs', '0');
    expect(runs.code).toBe(2);
    expect(runs.stderr).toMatch(/--runs must be a positive integer/);
  });

  it('ff1 without @noble/ciphers installed says so (and runs when it is)', async () => {
    const installed = existsSync(join(root, 'node_modules/@noble/ciphers'));
    const r = await cipherpatch('fuzz', 'ff1', ...QUICK, '--only', 'contract,storable');
    if (installed) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/storable\s+pass/);
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error \[variant\.dependency\]: the ff1 variant needs @noble\/ciphers, which is not installed \(npm install @noble\/ciphers\)/);
    }
  });

  it('a user module given by a relative path (plain .mjs) works', async () => {
    const file = join(dir, 'identity-variant.mjs');
    writeFileSync(
      file,
      `export default {
  name: 'identity', title: 'does nothing', params: { blockSize: 2, channels: 1 }, domain: 'uint8',
  generateKey: (params, seed) => ({ seed: seed ?? String(Math.random()) }), serializeKey: (k) => JSON.stringify(k),
  parseKey: (t) => { const k = JSON.parse(t); if (typeof k.seed !== 'string') throw new Error('bad key'); return k; },
  encrypt: (b) => ({ ...b, data: Float64Array.from(b.data) }), decrypt: (b) => ({ ...b, data: Float64Array.from(b.data) }),
};\n`,
    );
    const r = await cipherpatch('fuzz', relative(process.cwd(), file), ...QUICK, '--only', 'invertible,key-sensitivity,adaptable');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/key-sensitivity\s+FAIL\s+keys from seeds .* encrypt a generic image identically/);
    expect(r.stdout).toMatch(/adaptable\s+pass\s+under 0\.5\/0\.5: E′ = E, b′ = b/);
  });
});
