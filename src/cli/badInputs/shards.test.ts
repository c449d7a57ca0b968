/**
 * Bad inputs of `evaluate --shard`, `fuzz --shard` and `cipherpatch merge`
 * (see table.ts): refused before any work, and merge writes nothing unless
 * it is given every shard of one job. The shard files are made through the
 * library from a made-up result (no engine runs).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageBatch } from '../../core/images.ts';
import { generateKey } from '../../core/keygen.ts';
import { shardRange } from '../../core/shards.ts';
import { evaluateJob, evaluateShardDocument } from '../../evaluate/shard.ts';
import { fuzzShardDocument } from '../../variants/fuzzShard.ts';
import type { FuzzReport } from '../../variants/harness.ts';
import { type Row, type TinyFixtures, badInputSuite, tinyFixtures, writeTree } from './table.ts';

interface Fixtures extends TinyFixtures {
  /** Shards 0, 1, 2 of one System A job with 5 wrong keys. */
  readonly shards: string[];
  /** Shard 2 of the same job with 6 wrong keys. */
  readonly otherJob: string;
  /** A fuzz shard (0 of 1). */
  readonly fuzz: string;
}

/** Three evaluate shards of a made-up System A result on 2 images, another job's shard, and a fuzz shard. */
async function fixtures(dir: string): Promise<Fixtures> {
  const tiny = await tinyFixtures(dir);
  const key = generateKey({ blockSize: 4, channels: 3, seed: 'right' });
  const images = imageBatch(Uint8Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => (i * 7) % 256), { count: 2, height: 32, width: 32, channels: 3 }, 'NHWC');
  const labels = Uint8Array.of(3, 5);
  const scored = { accuracy: 0.5, correct: 1, predictions: Uint8Array.of(3, 4) };
  const write = (name: string, wrongKeys: number, index: number) => {
    const shard = { index, count: 3 };
    const { start, end } = shardRange(wrongKeys, shard);
    const job = evaluateJob('A', { cipherpatch: 'test', weightsSha256: 'w', key, images, labels, wrongKeys, wrongKeySeed: 's', engine: { engine: 'auto', executionProvider: 'cpu', backend: 'auto' } });
    const result = {
      images: 2,
      plainModelPlainImages: scored,
      encryptedModelPlainImages: scored,
      encryptedModelEncryptedImages: scored,
      predictionMismatches: 0,
      maxLogitDifference: 1e-6,
      wrongKeys: Array.from({ length: end - start }, (_, i) => ({ index: start + i, seed: `s:${start + i}`, key: generateKey({ blockSize: 4, channels: 3, seed: `s:${start + i}` }), accuracy: (start + i) / 10 })),
      wrongKeySummary: null,
      engine: { name: 'onnx', backend: 'cpu', threads: 1, version: 'test' },
      seconds: { total: 1, perPass: 0.25, imagesPerSecond: 8 },
    };
    const doc = evaluateShardDocument({ job, shard, command: 'test', result, report: { weightsPath: 'm.safetensors', keyPath: 'key.json', key, data: 'made up', sampleImages: images, sampleLabels: labels } });
    writeFileSync(join(dir, name), JSON.stringify(doc));
    return join(dir, name);
  };
  const fuzzReport: FuzzReport = {
    variant: { name: 'toy', title: 'a toy', params: { blockSize: 2, channels: 1 }, domain: { input: 'uint8', output: 'uint8' }, gridBound: false, adapter: false },
    source: 'builtin',
    seed: 1,
    runs: 1,
    contract: [],
    checks: [{ id: 'invertible', title: 'invertible', verdict: 'pass', detail: 'exactly' }],
    summary: { normalizations: [], blockVsPatch: { rule: 'not run', pairs: [] }, keySpace: { tiny: [] } },
    seconds: 1,
  };
  const fuzz = join(dir, 'fuzz-shard-0-of-1.json');
  writeFileSync(fuzz, JSON.stringify(fuzzShardDocument({ job: { cipherpatch: 'test', variant: 'toy', sourceSha256: null, seed: 1, runs: 1, only: null, limit: 1 }, shard: { index: 0, count: 1 }, command: 'test', report: fuzzReport })));
  return { ...tiny, shards: [0, 1, 2].map((i) => write(`shard-${i}.json`, 5, i)), otherJob: write('other-job-2.json', 6, 2), fuzz };
}

const evaluate = (fx: TinyFixtures, ...rest: string[]) => ['evaluate', '--weights', fx.model, '--key', fx.key, '--data', fx.cifar, '--limit', '20', '--wrong-keys', '3', ...rest];
/** The line evaluate prints once it has loaded its inputs, i.e. started the work. */
const STARTED = /^evaluate: /m;

const rows: Row<Fixtures>[] = [
  {
    id: '24.1 evaluate --shard with --report: a shard writes a shard file',
    argv: (s, fx) => evaluate(fx, '--shard', '0/3', '--report', join(s, 'r')),
    code: 1,
    stderr: /\[evaluate\.shard-report\]: a shard writes its shard file \(--shard-out\), not a report: cipherpatch merge writes the report/,
    notStderr: STARTED,
  },
  {
    id: '24.1 evaluate --shard auto/3 where no scheduler set an index',
    env: () => ({ JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '' }),
    argv: (_s, fx) => evaluate(fx, '--shard', 'auto/3'),
    code: 1,
    stderr: /\[shard\.index-env\]: --shard auto\/n takes the shard index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, and neither is set/,
    notStderr: STARTED,
  },
  {
    id: '24.1 evaluate --shard 3/3: the index out of range',
    argv: (_s, fx) => evaluate(fx, '--shard', '3/3'),
    code: 1,
    stderr: /\[shard\.out-of-range\]: shard index 3 is out of range for 3 shards: indices run from 0 to 2/,
    notStderr: STARTED,
  },
  {
    id: '24.1 evaluate --shard-out EXISTING is refused before the work',
    setup: (s) => writeTree(s, { 'shard-1-of-3.json': 'precious' }),
    argv: (s, fx) => evaluate(fx, '--shard', '1/3', '--shard-out', join(s, 'shard-{i}-of-{n}.json')),
    code: 1,
    stderr: /\[output\.exists\].*shard-1-of-3\.json already exists/,
    notStderr: STARTED,
  },
  {
    id: '24.1 evaluate --shard writes its shard file, nothing else (success row)',
    argv: (s, fx) => evaluate(fx, '--shard', '2/3', '--shard-out', join(s, 'e-{i}-of-{n}.json'), '--no-progress'),
    code: 0,
    stdout: /shard 2 of 3 \(the base passes, wrong keys 2 … 2 of 3\): .*e-2-of-3\.json/,
    changes: { added: ['e-2-of-3.json'] },
  },
  {
    id: '24.2 fuzz --shard with --json',
    argv: (s) => ['fuzz', 'flip', '--shard', '0/2', '--json', join(s, 'f.json')],
    code: 1,
    stderr: /\[fuzz\.shard-json\]/,
    stdout: '',
  },
  {
    id: '24.2 fuzz --shard with --path (refused before --only is asked for)',
    argv: () => ['fuzz', 'flip', '--shard', '0/2', '--path', '0:1'],
    code: 1,
    stderr: /\[fuzz\.shard-replay\]: --path replays one counterexample with a plain fuzz command/,
    stdout: '',
  },
  {
    id: '24.2 fuzz --runs 4 --shard 0/5: fewer runs than shards',
    argv: () => ['fuzz', 'flip', '--runs', '4', '--shard', '0/5'],
    code: 1,
    stderr: /\[fuzz\.shard-runs\]: --runs 4 cannot be split over 5 shards/,
    stdout: '',
  },
  {
    id: '24.3 merge: a shard missing',
    argv: (s, fx) => ['merge', fx.shards[0], fx.shards[2], '--report', join(s, 'r')],
    code: 1,
    stderr: /\[merge\.missing-shard\]: shard 1 of 3 is missing: merge needs all 3 shard files of the job/,
    stdout: '',
  },
  {
    id: '24.3 merge: a shard given twice',
    argv: (s, fx) => ['merge', ...fx.shards, fx.shards[1], '--report', join(s, 'r')],
    code: 1,
    stderr: /\[merge\.duplicate-shard\]: shard 1 of 3 is given twice/,
  },
  {
    id: '24.3 merge: a shard of another job',
    argv: (s, fx) => ['merge', fx.shards[0], fx.shards[1], fx.otherJob, '--report', join(s, 'r')],
    code: 1,
    stderr: /\[merge\.different-job\]: .*other-job-2\.json is a shard of another job than .*shard-0\.json: wrongKeys is 6, not 5/,
  },
  {
    id: '24.3 merge: evaluate and fuzz shards together',
    argv: (s, fx) => ['merge', ...fx.shards, fx.fuzz, '--report', join(s, 'r')],
    code: 1,
    stderr: /\[merge\.mixed\]: .*fuzz-shard-0-of-1\.json is not an evaluate shard like .*shard-0\.json/,
  },
  {
    id: '24.3 merge: a shard file cut short',
    setup: (s) => writeTree(s, { 'cut.json': '{"format":"cipherpatch-evaluate-shard","ver' }),
    argv: (s, fx) => ['merge', fx.shards[0], fx.shards[1], join(s, 'cut.json'), '--report', join(s, 'r')],
    code: 1,
    stderr: /\[merge\.unreadable\]: .*cut\.json is not JSON \(a shard file cut short\?\)/,
  },
  {
    id: '24.3 merge: evaluate shards with --json',
    argv: (s, fx) => ['merge', ...fx.shards, '--json', join(s, 'm.json')],
    code: 1,
    stderr: /\[merge\.output\]: evaluate shards merge into a report directory: use --report <dir>, not --json/,
  },
  {
    id: '24.3 merge: fuzz shards with --report',
    argv: (s, fx) => ['merge', fx.fuzz, '--report', join(s, 'r')],
    code: 1,
    stderr: /\[merge\.output\]: fuzz shards merge into a verdict table \(and --json <file>\), not a report directory/,
  },
  {
    id: '24.3 merge --report EXISTING is refused before the shards are read',
    setup: (s) => writeTree(s, { 'r/notes.txt': 'mine' }),
    argv: (s, fx) => ['merge', ...fx.shards, '--report', join(s, 'r')],
    code: 1,
    stderr: /\[output\.not-replaceable\]: .*\/r exists and cipherpatch will not replace it: it holds notes\.txt/,
  },
  {
    id: '24.3 merge writes the report of every shard (success row)',
    argv: (s, fx) => ['merge', fx.shards[2], fx.shards[0], fx.shards[1], '--report', join(s, 'r')],
    code: 0,
    stdout: /merged 3 shards of a System A job: 2 test images, 5 wrong keys\nreport: .*\/r\/ \(report\.json, report\.md, wrong-keys\.svg, wrong-keys\.png, examples\.png\)/,
    changes: { added: ['r/', 'r/.cipherpatch-report', 'r/report.json', 'r/report.md', 'r/wrong-keys.svg', 'r/wrong-keys.png', 'r/examples.png'] },
  },
];

badInputSuite('evaluate --shard, fuzz --shard, merge: bad inputs (issue 24)', rows, { fixtures });
