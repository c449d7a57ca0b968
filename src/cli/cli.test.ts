/** The cipherpatch command, run as a user runs it: `node bin/cipherpatch.mjs …`. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cipherpatch } from '../../properties/cliRunner.ts';
import { parseKey } from '../core/keyJson.ts';

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-cli-'));

describe('cipherpatch keygen', () => {
  it('writes a valid key, deterministic with --seed', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect((await cipherpatch('keygen', '--block', '4', '--channels', '3', '--seed', 's1', '--out', a)).code).toBe(0);
    expect((await cipherpatch('keygen', '--block', '4', '--channels', '3', '--seed', 's1', '--out', b)).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const key = parseKey(readFileSync(a, 'utf8'), { blockSize: 4, channels: 3 });
    expect(key.permutation.length).toBe(48);
  });

  it('secure by default: two keys differ, and the file says so', async () => {
    const a = join(dir, 'sa.json');
    const b = join(dir, 'sb.json');
    await cipherpatch('keygen', '--block', '2', '--channels', '3', '--out', a);
    await cipherpatch('keygen', '--block', '2', '--channels', '3', '--out', b);
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(b, 'utf8'));
    expect(JSON.parse(readFileSync(a, 'utf8')).source).toEqual({ kind: 'secure' });
  });

  it('never overwrites an existing file unless --force', async () => {
    const out = join(dir, 'exists.json');
    writeFileSync(out, 'precious');
    const r = await cipherpatch('keygen', '--block', '4', '--channels', '3', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect((await cipherpatch('keygen', '--block', '4', '--channels', '3', '--out', out, '--force')).code).toBe(0);
    expect(() => parseKey(readFileSync(out, 'utf8'))).not.toThrow();
  });

  it('bad parameters: a clear error, exit code non-zero, no file and no temporary left behind', async () => {
    const sub = mkdtempSync(join(dir, 'bad-'));
    const odd = await cipherpatch('keygen', '--block', '3', '--channels', '1', '--out', join(sub, 'k.json'));
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/key\.odd-block-length.*9 is odd/);
    const notNumber = await cipherpatch('keygen', '--block', 'four', '--channels', '3', '--out', join(sub, 'k.json'));
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/--block must be a positive integer/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('a missing output directory is an error naming the path', async () => {
    const r = await cipherpatch('keygen', '--block', '4', '--channels', '3', '--out', join(dir, 'no', 'such', 'k.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write .*no\/such\/k\.json/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});

describe('cipherpatch keyspace', () => {
  it('prints O_p, O_f and O exactly for M = 4, C = 3 (p_b = 48), and log2 O', async () => {
    const r = await cipherpatch('keyspace', '--block', '4', '--channels', '3');
    expect(r.code).toBe(0);
    // 48! and C(48, 24), as published in integer tables.
    expect(r.stdout).toContain('12413915592536072670862289047373375038521486354677760000000000');
    expect(r.stdout).toContain('32247603683100');
    expect(r.stdout).toMatch(/2\^247\.8/);
    const json = JSON.parse((await cipherpatch('keyspace', '--block', '4', '--channels', '3', '--json')).stdout) as { total: string };
    expect(BigInt(json.total)).toBe(12413915592536072670862289047373375038521486354677760000000000n * 32247603683100n);
  });
});

describe('help', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await cipherpatch('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/keygen/);
    expect(r.stdout).toMatch(/keyspace/);
  });

  it('an unknown command exits 2 with a usage hint', async () => {
    const r = await cipherpatch('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });
});
