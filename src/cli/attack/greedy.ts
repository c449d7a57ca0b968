/** `cipherpatch attack greedy`: greedy key search with a small labelled set (src/attacks/greedy.ts). */
import type { Command } from 'commander';
import { fail } from '../../core/errors.ts';
import { type Io, positiveInteger } from '../io.ts';
import { autoEngine, loadImages, loadKey, loadModel, loadVariantAndKey } from './load.ts';
import { type EngineCommon, engineOpts, systemAKey } from './options.ts';
import { type Common, pct, writeJson } from './output.ts';

export function registerGreedy(attack: Command, io: Io): void {
  engineOpts(
    attack
      .command('greedy')
      .description('greedy key search: start from a random key, keep swaps/flip exchanges that do not lower accuracy on a small labelled set')
      .option('--images <N>', 'the attacker\'s labelled images (default 100)', positiveInteger('--images'), 100)
      .option('--held-out <N>', 'further images to score the final key on (default 500)', positiveInteger('--held-out'), 500)
      .option('--steps <N>', 'proposals, each one query of --images images (default 500)', positiveInteger('--steps'), 500)
      .option('--objective <o>', 'what the search maximises on the labelled set: accuracy or log-likelihood (mean log-probability of the true label)', 'accuracy'),
  ).action(async (opts: Common & EngineCommon & { images: number; heldOut: number; steps: number; objective: string }) => {
    if (opts.objective !== 'accuracy' && opts.objective !== 'log-likelihood') fail('attack.objective', `unknown --objective "${opts.objective}": use accuracy or log-likelihood`);
    const { keyScorer } = await import('../../attacks/partialKey.ts');
    const { greedyKeySearch, variantGreedyKeySearch } = await import('../../attacks/greedy.ts');
    const { sliceImages } = await import('../../core/images.ts');
    const weights = await loadModel(opts.weights);
    const make = autoEngine(opts.threads);
    if (opts.variant !== undefined) {
      const { variantKeyScorer, neighboursOf } = await import('../../attacks/variants.ts');
      const { variant, key, keyText } = await loadVariantAndKey(opts.variant, opts.key, opts.keySeed);
      neighboursOf(variant, 'greedy');
      const { images, labels, source } = await loadImages(opts.data, opts.images + opts.heldOut);
      const objective = opts.objective as 'accuracy' | 'log-likelihood';
      const train = await variantKeyScorer({ variant, weights, key, images: sliceImages(images, 0, opts.images), labels: labels.subarray(0, opts.images), createEngine: make, objective, attack: 'greedy' });
      try {
        const held = await variantKeyScorer({ variant, weights, key, images: sliceImages(images, opts.images, opts.heldOut), labels: labels.subarray(opts.images), createEngine: make, attack: 'greedy' });
        try {
          const r = await variantGreedyKeySearch({ variant, truth: key, score: train.score, heldOut: held.score, imagesPerQuery: opts.images, steps: opts.steps, seed: opts.seed });
          const right = await held.score(key);
          io.out(`greedy on ${variant.name} (key ${keyText}, step: ${r.step}): ${opts.images} labelled + ${opts.heldOut} held-out images from ${source}, ${opts.steps} steps, ${r.effort.queries} queries, ${r.seconds.toFixed(1)} s`);
          io.out('  queries   score (labelled)   held-out accuracy   key fraction');
          for (const p of r.trace) io.out(`  ${String(p.queries).padStart(7)}   ${p.score.toFixed(4).padStart(16)}   ${pct(p.heldOut ?? 0).padStart(17)}   ${p.keyFraction.toFixed(3).padStart(12)}`);
          io.out(`  held-out accuracy with the found key ${pct(r.heldOutScore ?? 0)} (right key ${pct(right)}); key recovered: ${r.keyRecovered ? 'yes' : 'no'}`);
          writeJson(io, opts, { weights: opts.weights, variantKey: keyText, data: source, rightKeyHeldOut: right, ...r, key: variant.serializeKey(r.key) });
        } finally {
          held.dispose();
        }
      } finally {
        train.dispose();
      }
      return;
    }
    const key = await loadKey(systemAKey(opts, 'greedy'));
    const { images, labels, source } = await loadImages(opts.data, opts.images + opts.heldOut);
    const train = await keyScorer({ weights, key, images: sliceImages(images, 0, opts.images), labels: labels.subarray(0, opts.images), createEngine: make, objective: opts.objective });
    const held = await keyScorer({ weights, key, images: sliceImages(images, opts.images, opts.heldOut), labels: labels.subarray(opts.images), createEngine: make });
    try {
      const r = await greedyKeySearch({ truth: key, score: train.score, heldOut: held.score, imagesPerQuery: opts.images, steps: opts.steps, seed: opts.seed });
      const right = await held.score(key);
      io.out(`greedy: ${opts.images} labelled + ${opts.heldOut} held-out images from ${source}, ${opts.steps} steps, ${r.effort.queries} queries, ${r.seconds.toFixed(1)} s`);
      const accuracy = opts.objective === 'accuracy';
      io.out(`  queries   ${accuracy ? 'accuracy (labelled set)' : 'log-likelihood (labelled)'}   held-out accuracy   key fraction`);
      for (const p of r.trace) io.out(`  ${String(p.queries).padStart(7)}   ${(accuracy ? pct(p.score) : p.score.toFixed(4)).padStart(23)}   ${pct(p.heldOut ?? 0).padStart(17)}   ${p.keyFraction.toFixed(3).padStart(12)}`);
      io.out(`  held-out accuracy with the found key ${pct(r.heldOutScore ?? 0)} (right key ${pct(right)}); key fraction ${r.fractionCorrect?.toFixed(3)}`);
      writeJson(io, opts, { weights: opts.weights, keyFile: opts.key, data: source, rightKeyHeldOut: right, ...r });
    } finally {
      train.dispose();
      held.dispose();
    }
  });
}
