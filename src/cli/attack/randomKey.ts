/** `cipherpatch attack random-key`: accuracy of the encrypted model under N random keys, Fig. 5 (src/attacks/randomKey.ts). */
import type { Command } from 'commander';
import { plural } from '../../core/words.ts';
import { type Io, positiveInteger } from '../io.ts';
import { autoEngine, loadImages, loadKey, loadModel } from './load.ts';
import { type EngineCommon, engineOpts, systemAKey } from './options.ts';
import { type Common, pct, writeJson } from './output.ts';

export function registerRandomKey(attack: Command, io: Io): void {
  engineOpts(
    attack
      .command('random-key')
      .description('the random-key attack (Fig. 5): accuracy of the encrypted model under N seeded random keys, with the best an attacker keeping the best key reaches')
      .option('--images <N>', 'test images (default 1000)', positiveInteger('--images'), 1000)
      .option('--keys <N>', 'random keys to try (default 100)', positiveInteger('--keys'), 100),
  ).action(async (opts: Common & EngineCommon & { images: number; keys: number }) => {
    const keyPath = systemAKey(opts, 'random-key', 'for another variant, `cipherpatch fuzz <variant> --model W --wrong-keys N` measures random (wrong) keys');
    const { randomKeyAttack } = await import('../../attacks/randomKey.ts');
    const { progressFor } = await import('../../io/progress.ts');
    const weights = await loadModel(opts.weights);
    const key = await loadKey(keyPath);
    const { images, labels, source } = await loadImages(opts.data, opts.images);
    const r = await randomKeyAttack({
      weights, key, images, labels, keys: opts.keys, seed: opts.seed, progress: progressFor(),
      createEngine: autoEngine(opts.threads),
    });
    const s = r.summary;
    io.out(`random-key: ${r.images} images from ${source}, ${plural(opts.keys, 'random key')} (seed "${r.seed}"), ${r.effort.queries} queries, ${r.seconds.toFixed(1)} s, engine ${r.engine}`);
    io.out(`  plain model ${pct(r.plainAccuracy)}; encrypted model: right key ${pct(r.rightKey)}, plain images ${pct(r.encryptedModelPlainImages)}; most frequent label ${pct(r.chance)}`);
    io.out(`  random keys: min ${pct(s.min)}, q1 ${pct(s.q1)}, median ${pct(s.median)}, q3 ${pct(s.q3)}, max ${pct(s.max)} (mean ${pct(s.mean)})`);
    io.out(`  best random key: ${pct(r.bestSoFar.at(-1) as number)}; most key positions right in any random key: ${r.fractionCorrect?.toFixed(3)}; key recovered: ${r.keyRecovered ? 'yes' : 'no'}`);
    writeJson(io, opts, { weights: opts.weights, keyFile: opts.key, data: source, ...r });
  });
}
