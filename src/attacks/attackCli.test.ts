import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const data = join(root, 'golden/data/test_batch_first1000.bin');
const model = join(root, 'golden/runs/cpu/model.safetensors');
const key = join(root, 'golden/system-a/key.json');
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-attack-'));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'cipherpatch', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('cipherpatch attack', () => {
  it('--help lists the attacks', async () => {
    const r = await run('attack', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/known-plaintext[\s\S]*leaked-model[\s\S]*partial-key[\s\S]*greedy/);
  });

  it('known-plaintext recovers the golden key from one CIFAR-10 pair and writes JSON', async () => {
    const json = join(dir, 'kp.json');
    const r = await run('attack', 'known-plaintext', '--data', data, '--key', key, '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/key recovered: yes, fraction correct 1\.000/);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.keyRecovered).toBe(true);
    expect(j.permutation).toEqual(JSON.parse(readFileSync(key, 'utf8')).permutation);
  });

  it('known-plaintext on System C: least squares needs p_b blocks', async () => {
    expect((await run('attack', 'known-plaintext', '--data', data, '--variant', 'orthogonal', '--pairs', '2')).stdout).toMatch(/map recovered: yes/);
    expect((await run('attack', 'known-plaintext', '--data', data, '--variant', 'orthogonal', '--blocks', '47')).stdout).toMatch(/map recovered: no/);
  });

  it('leaked-model recovers the key from the golden model', async () => {
    const r = await run('attack', 'leaked-model', '--plain', model, '--from', model, '--key', key);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/key recovered: yes, fraction correct 1\.000/);
  });

  it('clear errors: wrong option combinations, bad lists, unknown variants', async () => {
    const a = await run('attack', 'leaked-model', '--plain', model);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/attack\.options/);
    const b = await run('attack', 'partial-key', '--weights', model, '--key', key, '--distances', '1,x');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--distances must be/);
    const c = await run('attack', 'known-plaintext', '--data', data, '--variant', 'nope');
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/fuzz\.unknown-variant/);
    const d = await run('attack', 'known-plaintext', '--data', data, '--variant', 'orthogonal', '--method', 'signed-permutation');
    expect(d.stderr).toMatch(/attack\.method/);
    const e = await run('attack', 'greedy', '--weights', model, '--key', key, '--objective', 'loss');
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/attack\.objective/);
  });

  it('partial-key runs on a few golden images', async () => {
    const json = join(dir, 'pk.json');
    const r = await run('attack', 'partial-key', '--weights', model, '--key', key, '--data', data, '--images', '50', '--trials', '1', '--distances', '1', '--threads', '2', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/right key/);
    expect(JSON.parse(readFileSync(json, 'utf8')).effort.queries).toBe(50 * 6);
  }, 30_000);

  it('ciphertext-only recovers the flips from encrypted images and scores the plain model on them', async () => {
    const json = join(dir, 'co.json');
    const r = await run('attack', 'ciphertext-only', '--key', key, '--data', data, '--images', '300', '--weights', model, '--threads', '2', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/flip bits right 1\.000/);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.accuracy.attackerDecrypted).toBeGreaterThan(0.45);
  }, 30_000);

  it('greedy runs a few steps and counts queries', async () => {
    const json = join(dir, 'greedy.json');
    const r = await run('attack', 'greedy', '--weights', model, '--key', key, '--data', data, '--images', '20', '--held-out', '20', '--steps', '5', '--threads', '2', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/held-out accuracy/);
    expect(JSON.parse(readFileSync(json, 'utf8')).effort.queries).toBe(20 * 6);
  }, 30_000);

  it('--variant: ciphertext-only and partial-key on other variants, and clear errors where a capability is missing', async () => {
    const co = await run('attack', 'ciphertext-only', '--variant', 'channel-shuffle', '--data', data, '--images', '10', '--reference', '200');
    expect(co.code).toBe(0);
    expect(co.stdout).toMatch(/search exhaustive/);
    expect(co.stdout).toMatch(/key recovered: yes/);
    const pk = await run('attack', 'partial-key', '--variant', 'channel-shuffle', '--weights', model, '--data', data, '--images', '30', '--trials', '1', '--distances', '0,1', '--threads', '2');
    expect(pk.code).toBe(0);
    expect(pk.stdout).toMatch(/swap two channels/);
    const ffx = await run('attack', 'partial-key', '--variant', 'ffx', '--weights', model, '--data', data, '--images', '30');
    expect(ffx.code).toBe(1);
    expect(ffx.stderr).toMatch(/attack\.capability.*"neighbours".*ffx/);
    const orth = await run('attack', 'ciphertext-only', '--variant', 'orthogonal', '--data', data, '--images', '10');
    expect(orth.stderr).toMatch(/attack\.capability.*"signedPermutation"/);
    const rk = await run('attack', 'random-key', '--variant', 'negpos', '--weights', model, '--data', data);
    expect(rk.stderr).toMatch(/attack\.options.*System A only/);
    const noKey = await run('attack', 'greedy', '--weights', model, '--data', data);
    expect(noKey.stderr).toMatch(/attack\.options.*--key/);
  }, 60_000);
});
