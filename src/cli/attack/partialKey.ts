/** `cipherpatch attack partial-key`: accuracy of the encrypted model under partly right keys (src/attacks/partialKey.ts). */
import type { Command } from 'commander';
import { type Io, positiveInteger } from '../io.ts';
import { autoEngine, loadImages, loadKey, loadModel, loadVariantAndKey } from './load.ts';
import { type EngineCommon, engineOpts, integerList, systemAKey } from './options.ts';
import { type Common, pct, writeJson } from './output.ts';

export function registerPartialKey(attack: Command, io: Io): void {
  engineOpts(
    attack
      .command('partial-key')
      .description('accuracy of the encrypted model under partly right keys: right shuffle/wrong flip, wrong shuffle/right flip, random keys, and keys at swap and flip distance s')
      .option('--images <N>', 'test images (default 500)', positiveInteger('--images'), 500)
      .option('--distances <list>', 'swap/flip distances (default 1,2,4,8,16; with --variant: 1,2,4,… up to the variant\'s largest distance)', integerList('--distances'))
      .option('--trials <N>', 'random guesses per setting (default 3)', positiveInteger('--trials'), 3),
  ).action(async (opts: Common & EngineCommon & { images: number; distances?: number[]; trials: number }) => {
    const { partialKeyAttack, variantPartialKeyAttack } = await import('../../attacks/partialKey.ts');
    const weights = await loadModel(opts.weights);
    const make = autoEngine(opts.threads);
    if (opts.variant !== undefined) {
      const { variant, key, keyText } = await loadVariantAndKey(opts.variant, opts.key, opts.keySeed);
      const { images, labels, source } = await loadImages(opts.data, opts.images);
      const distances = opts.distances;
      const r = await variantPartialKeyAttack({ variant, weights, key, images, labels, createEngine: make, trials: opts.trials, seed: opts.seed, ...(distances ? { distances } : {}) });
      io.out(`partial-key on ${variant.name} (key ${keyText}, adapter: ${r.adapter}): ${r.images} images from ${source}, ${opts.trials} guess${opts.trials === 1 ? '' : 'es'} per setting, ${r.effort.queries} queries, ${r.seconds.toFixed(1)} s`);
      io.out(`  right key ${pct(r.rightKey)}; random keys ${pct(r.randomKeys.mean)}; most frequent label ${pct(r.chance)}`);
      io.out(`  distance d (d steps: ${r.step})   accuracy   key fraction`);
      for (const p of r.distance) io.out(`  ${String(p.distance).padStart(10)}   ${pct(p.mean).padStart(8)}   ${Number.isNaN(p.keyFraction) ? 'n/a' : p.keyFraction.toFixed(3)}`);
      writeJson(io, opts, { weights: opts.weights, variantKey: keyText, data: source, ...r });
      return;
    }
    const key = await loadKey(systemAKey(opts, 'partial-key'));
    const { images, labels, source } = await loadImages(opts.data, opts.images);
    const r = await partialKeyAttack({
      weights, key, images, labels, distances: opts.distances ?? [1, 2, 4, 8, 16], trials: opts.trials, seed: opts.seed, createEngine: make,
    });
    io.out(`partial-key: ${r.images} images from ${source}, ${opts.trials} guess${opts.trials === 1 ? '' : 'es'} per setting, ${r.effort.queries} queries, ${r.seconds.toFixed(1)} s`);
    io.out(`  right key ${pct(r.rightKey)}; most frequent label ${pct(r.chance)}`);
    io.out(`  right shuffle, wrong flip ${pct(r.rightShuffleWrongFlip.mean)}; wrong shuffle, right flip ${pct(r.wrongShuffleRightFlip.mean)}; random keys ${pct(r.randomKeys.mean)}`);
    io.out('  distance s   swap (2s entries wrong)   flip (2s bits wrong)');
    r.swapDistance.forEach((p, i) => io.out(`  ${String(p.distance).padStart(10)}   ${pct(p.mean).padStart(23)}   ${pct(r.flipDistance[i].mean).padStart(20)}`));
    writeJson(io, opts, { weights: opts.weights, keyFile: opts.key, data: source, ...r });
  });
}
