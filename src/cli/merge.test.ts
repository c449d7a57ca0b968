/**
 * `evaluate --shard i/n`, `fuzz --shard i/n` and `cipherpatch merge`, run as a
 * user runs them, on the 20-epoch golden model and the committed CIFAR-10
 * sample: the shards merged give the report of one unsharded run, byte for
 * byte except the time and the command line (Systems B and C: in the library,
 * src/evaluate/shard.test.ts); merge refuses what is not one whole job and
 * writes nothing then.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cipherpatch } from '../../properties/cliRunner.ts';
import { rejection } from '../../properties/rejection.ts';
import { expectSameReport } from '../../properties/sameReport.ts';
import { DEFAULT_SEED } from '../variants/harness.ts';
import { runCipherpatch } from './badInputs/table.ts';
import { shardRun } from './evaluateShard.ts';
import { fuzzShardRun } from './fuzzShard.ts';

const GOLDEN = new URL('../../golden/', import.meta.url).pathname;
const MODEL = join(GOLDEN, 'runs/cpu-20ep/model.safetensors');
const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-merge-'));
const cifar = join(dir, 'cifar');
const at = (name: string) => join(dir, name);

beforeAll(() => {
  mkdirSync(cifar);
  copyFileSync(join(GOLDEN, 'data/test_batch_first1000.bin'), join(cifar, 'test_batch.bin'));
});

function ok(r: CliResult): CliResult {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

const systemA = ['evaluate', '--weights', MODEL, '--key', join(GOLDEN, 'system-a/key.json'), '--data', cifar, '--limit', '40', '--wrong-keys', '6', '--no-progress'];

describe('evaluate --shard i/n, then cipherpatch merge', () => {
  it('System A: 3 shards of 6 seeded wrong keys merged (files in any order) are the report of one run', async () => {
    const [one, ...shards] = await Promise.all([
      cipherpatch(...systemA, '--report', at('a-one')),
      ...[0, 2].map((i) => cipherpatch(...systemA, '--shard', `${i}/3`, '--shard-out', at('a-{i}-of-{n}.json'))),
      // as a Kubernetes Indexed Job runs it: the index from the environment
      runCipherpatch([...systemA, '--shard', 'auto/3', '--shard-out', at('a-{i}-of-{n}.json')], { env: { JOB_COMPLETION_INDEX: '1' } }),
    ]);
    ok(one);
    shards.forEach(ok);
    expect(shards[2].stdout).toMatch(/shard 1 of 3 \(the base passes, wrong keys 2 … 3 of 6\): .*a-1-of-3\.json/);
    expect(shards[2].stdout).toMatch(/encrypted model, 2 wrong keys: /);
    const m = ok(await cipherpatch('merge', at('a-2-of-3.json'), at('a-0-of-3.json'), at('a-1-of-3.json'), '--report', at('a-merged')));
    expect(m.stdout).toMatch(/merged 3 shards of a System A job: 40 test images, 6 wrong keys\nreport: .*a-merged\/ \(report\.json, report\.md, wrong-keys\.svg, wrong-keys\.png, examples\.png\)/);
    expectSameReport(at('a-one'), at('a-merged'));
    // The report really holds the wrong keys, in order (not an empty list on both sides).
    expect(JSON.parse(readFileSync(at('a-merged/report.json'), 'utf8')).results.wrongKeys.map((w: { seed: string }) => w.seed)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `wrong-key:${i}`));
  });

  it('--shard-out names a shard file only with --shard; the shard’s range and file', () => {
    const flags = { weights: MODEL, wrongKeySeed: 'wrong-key', force: false, engine: 'auto', executionProvider: 'cpu', backend: 'auto' };
    const alone = rejection(() => shardRun({ ...flags, shardOut: 'x.json' }, 6));
    expect(alone.check).toBe('evaluate.shard-out');
    expect(alone.message).toBe('--shard-out names the file of a shard: give --shard i/n too');
    expect(shardRun({ ...flags, shard: '2/3' }, 7)).toEqual({ shard: { index: 2, count: 3 }, range: { start: 4, end: 7 }, file: 'evaluate-shard-2-of-3.json' });
  });
});

describe('fuzz --shard i/n, then cipherpatch merge', () => {
  const ffx = ['fuzz', 'ffx', '--runs', '6', '--limit', '200', '--only', 'storable,adaptable,invertible'];

  it('3 shards of 6 runs: seeds S, S+1, S+2, 2 runs each; a check fails when a shard failed it; every counterexample keeps its replay line, which a plain fuzz command replays', async () => {
    const shards = await Promise.all([0, 1, 2].map((i) => cipherpatch(...ffx, '--seed', '20220723', '--shard', `${i}/3`, '--shard-out', at('f-{i}-of-{n}.json'))));
    shards.forEach(ok);
    expect(shards[2].stdout).toMatch(/wrote .*f-2-of-3\.json \(shard 2 of 3: seed 20220725, 2 of 6 runs\)/);
    const m = ok(await cipherpatch('merge', ...[2, 0, 1].map((i) => at(`f-${i}-of-3.json`)), '--json', at('fuzz.json')));
    expect(m.stdout).toMatch(/6 runs per property, seed 20220723/);
    expect(m.stdout).toMatch(/storable\s+FAIL/);
    expect(m.stdout).toMatch(/invertible\s+pass/);
    expect(m.stdout).toMatch(/merged from 3 shards \(6 runs per property in all\):\n {2}shard 0: seed 20220723, 2 runs, .*\n {2}shard 1: seed 20220724, 2 runs/);
    const json = JSON.parse(readFileSync(at('fuzz.json'), 'utf8'));
    expect(json.checks.map((c: { id: string; verdict: string }) => `${c.id}=${c.verdict}`)).toEqual(['contract=pass', 'storable=fail', 'invertible=pass', 'adaptable=fail']);
    expect(json.shards.map((s: { seed: number; runs: number }) => [s.seed, s.runs])).toEqual([[20220723, 2], [20220724, 2], [20220725, 2]]);
    const adaptable = json.counterexamples.filter((c: { id: string }) => c.id === 'adaptable');
    expect(adaptable.map((c: { shard: number; replay: { seed: number } }) => [c.shard, c.replay.seed])).toEqual([[0, 20220723], [1, 20220724], [2, 20220725]]);
    // Shard 2's counterexample, replayed by the plain command its replay line names.
    const line = adaptable[2].replay.command as string;
    expect(m.stdout).toContain(`→  ${line}`);
    const [, seed, path] = /--seed (-?\d+) --path "([\d:]+)"/.exec(line)!;
    const again = ok(await cipherpatch('fuzz', 'ffx', '--only', 'adaptable', '--seed', seed, '--path', path));
    expect(again.stdout).toContain(adaptable[2].detail.slice(0, 80));
  });

  it('shard 0 of 1 is the plain run; shards of another variant do not merge', async () => {
    const flip = ['fuzz', 'flip', '--runs', '4', '--only', 'invertible,serialization,key-sensitivity'];
    const [plain, shard] = await Promise.all([cipherpatch(...flip, '--json', at('flip-plain.json')), cipherpatch(...flip, '--shard', '0/1', '--shard-out', at('flip-{i}.json'))]);
    ok(plain);
    ok(shard);
    ok(await cipherpatch('merge', at('flip-0.json'), '--json', at('flip-merged.json')));
    const { seconds: _a, ...one } = JSON.parse(readFileSync(at('flip-plain.json'), 'utf8'));
    const { seconds: _b, shards, counterexamples, ...merged } = JSON.parse(readFileSync(at('flip-merged.json'), 'utf8'));
    expect(merged).toEqual(one);
    expect(shards).toHaveLength(1);
    expect(counterexamples).toEqual([]);
    const mixed = await cipherpatch('merge', at('flip-0.json'), at('f-1-of-3.json'));
    expect(mixed.stderr).toMatch(/\[merge\.different-job\]: .*variant is "ffx", not "flip"/);
  });
});

describe('fuzz --shard: the plan and what a shard refuses', () => {
  const flags = { runs: 10, limit: 20000, force: false };

  it('shard i of n: seed S + i (32-bit), runs ⌊i·R/n⌋ … ⌊(i+1)·R/n⌋ − 1 of R; the default seed without --seed', () => {
    expect([0, 1, 2].map((i) => fuzzShardRun({ ...flags, seed: 7, shard: `${i}/3`, shardOut: 'f-{i}.json' }))).toEqual([
      { shard: { index: 0, count: 3 }, seed: 7, runs: 3, file: 'f-0.json' },
      { shard: { index: 1, count: 3 }, seed: 8, runs: 3, file: 'f-1.json' },
      { shard: { index: 2, count: 3 }, seed: 9, runs: 4, file: 'f-2.json' },
    ]);
    expect(fuzzShardRun({ ...flags, seed: 2 ** 31 - 1, shard: '1/2' })).toMatchObject({ seed: -(2 ** 31), file: 'fuzz-shard-1-of-2.json' });
    expect(fuzzShardRun({ ...flags, shard: '2/3' })?.seed).toBe(DEFAULT_SEED + 2);
    expect(fuzzShardRun(flags)).toBeUndefined();
  });

  it('refused: --json, --path, --model, --shard-out alone, fewer runs than shards', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ shard: '0/2', json: 'x.json' }, 'fuzz.shard-json', /cipherpatch merge --json writes the merged report/],
      [{ shard: '0/2', path: '0:1' }, 'fuzz.shard-replay', /plain fuzz command/],
      [{ shard: '0/2', model: 'm.safetensors' }, 'fuzz.shard-model', /--model measures accuracy once: run it without --shard/],
      [{ shardOut: 'x.json' }, 'fuzz.shard-out', /give --shard i\/n too/],
      [{ shard: '0/11' }, 'fuzz.shard-runs', /^--runs 10 cannot be split over 11 shards: each shard needs at least one run/],
    ];
    for (const [more, check, message] of cases) {
      const e = rejection(() => fuzzShardRun({ ...flags, ...more }));
      expect(e.check, check).toBe(check);
      expect(e.message, check).toMatch(message);
    }
  });
});
