/** Bad inputs of `cipherpatch attack …` (see table.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Row, badInputSuite } from './table.ts';

// --- issue 21, part B (item 21.6) -----------------------------------------------------------------

interface AttackFixture {
  /** A ConvMixer-8/0 with patch 4 (safetensors). */
  readonly model: string;
  /** A System A key for block 4, 3 channels. */
  readonly key: string;
}

async function attackFixture(dir: string): Promise<AttackFixture> {
  const { randomConvMixerWeights } = await import('../../model/convmixer.ts');
  const { writeConvMixerFile } = await import('../../io/modelFile.ts');
  const { generateKey } = await import('../../core/keygen.ts');
  const { serializeKey } = await import('../../core/keyJson.ts');
  const model = join(dir, 'model.safetensors');
  const key = join(dir, 'key.json');
  writeConvMixerFile(model, randomConvMixerWeights({ dim: 8, depth: 0, kernel: 3, patch: 4, channels: 3, classes: 10 }, 'bad-inputs-21b'), {});
  writeFileSync(key, serializeKey(generateKey({ blockSize: 4, channels: 3, seed: 'bad-inputs-21b' })));
  return { model, key };
}

export const ROWS_21B: Row<AttackFixture>[] = [
  {
    id: '21.6 attack known-plaintext: --data /no/such.bin is a missing file, not a directory to fetch into',
    argv: () => ['attack', 'known-plaintext', '--data', '/no/such.bin'],
    code: 1,
    stderr: /\[cifar\.missing-file\]: --data \/no\/such\.bin: no such file/,
    notStderr: /data fetch|directory \/no\/such\.bin/,
  },
  {
    id: '21.6 attack known-plaintext: a bad --key names the file',
    setup: (s, f) => {
      const json = JSON.parse(readFileSync(f.key, 'utf8')) as { flip: number[] };
      json.flip[json.flip.indexOf(0)] = 1;
      writeFileSync(join(s, 'flip_25ones.json'), JSON.stringify(json));
    },
    argv: (s) => ['attack', 'known-plaintext', '--key', join(s, 'flip_25ones.json')],
    code: 1,
    stderr: /\[key\.flip-count\]: key file .*flip_25ones\.json: flip vector has 25 ones/,
  },
  {
    id: '21.6 attack leaked-model without --key does not claim the key is recovered',
    argv: (_s, f) => ['attack', 'leaked-model', '--plain', f.model, '--encrypted', f.model],
    code: 0,
    stdout: /key recovered: not checked \(no --key to compare with\); every encrypted column matched a plain one exactly/,
  },
];

badInputSuite('attack: bad inputs (issue 21, part B)', ROWS_21B, { fixtures: attackFixture });
