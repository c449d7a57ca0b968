/**
 * `cipherpatch attack <name>`: the attacks of src/attacks/ on real data.
 *
 *   random-key       accuracy of the encrypted model under N random keys (Fig. 5)
 *   known-plaintext  recover the key from (plain, encrypted) image pairs
 *   leaked-model     recover the key from a plain and an encrypted patch embedding
 *   partial-key      accuracy of the encrypted model under partly right keys
 *   greedy           greedy key search with a small labelled set
 *   ciphertext-only  estimate the key from encrypted images alone
 *
 * Every subcommand prints a summary and writes the whole result with --json.
 * partial-key, greedy and ciphertext-only take --variant to attack another
 * transform variant through the plug-in contract (src/attacks/variants.ts).
 * The attack modules load only when their command runs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { attackJsonText, uint8ImagesToBlocks } from '../attacks/common.ts';
import { fail } from '../core/errors.ts';
import type { Uint8Batch } from '../core/images.ts';
import type { BlockKey } from '../core/key.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { plural } from '../core/words.ts';
import type { Engine } from '../engine/engine.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { type Io, positiveInteger, withOutputs } from './io.ts';

interface Common {
  json?: string;
  force: boolean;
}

interface EngineCommon {
  weights: string;
  key?: string;
  variant?: string;
  keySeed: string;
  data?: string;
  threads?: number;
  seed: string;
}

function writeJson(io: Io, opts: Common, result: unknown): void {
  if (opts.json === undefined) return;
  writeFileAtomic(opts.json, attackJsonText(result), { overwrite: opts.force });
  io.out(`wrote ${opts.json}`);
}

/** The engine every attack runs on: the fastest available backend, --threads passed through. */
export function autoEngine(threads: number | undefined): (weights: ConvMixerWeights) => Promise<Engine> {
  return async (weights) => {
    const { createEngine } = await import('../engine/factory.ts');
    return createEngine(weights, undefined, { engine: 'auto', ...(threads !== undefined ? { threads } : {}) });
  };
}

export function integerList(flag: string): (value: string) => number[] {
  return (value) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError(`${flag} must be a comma-separated list of non-negative integers, got "${value}"`);
    return parts.map(Number);
  };
}

/** --data: a CIFAR-10 binary directory (test split) or one CIFAR-10 binary file. */
export async function loadImages(data: string | undefined, count: number, first = 0): Promise<{ images: Uint8Batch; labels: Uint8Array; source: string }> {
  const { parseCifarRecords, readCifarSplitAll, resolveCifarDir } = await import('../io/cifar10.ts');
  const { sliceImages } = await import('../core/images.ts');
  let all: { images: Uint8Batch; labels: Uint8Array };
  let source: string;
  if (data !== undefined && !existsSync(data) && /\.bin$/i.test(data)) fail('cifar.missing-file', `--data ${data}: no such file (give one CIFAR-10 .bin file, or a CIFAR-10 binary directory)`);
  if (data !== undefined && existsSync(data) && statSync(data).isFile()) {
    all = parseCifarRecords(readFileSync(data), data);
    source = data;
  } else {
    const location = resolveCifarDir(data);
    all = await readCifarSplitAll(location, 'test', { limit: first + count });
    source = location.dir;
  }
  const available = all.labels.length;
  if (first + count > available) fail('attack.images', `asked for ${first + count} images, ${source} holds ${available}`);
  return { images: sliceImages(all.images, first, count), labels: all.labels.subarray(first, first + count), source };
}

export async function loadModel(path: string): Promise<ConvMixerWeights> {
  const { readConvMixerFile } = await import('../io/modelFile.ts');
  return readConvMixerFile(path).weights;
}

export async function loadKey(path: string): Promise<BlockKey> {
  const { readKeyFile } = await import('../io/keyFile.ts');
  return readKeyFile(path);
}

/** --variant V with --key (the variant's own key file) or --key-seed. */
async function loadVariantAndKey(name: string, keyPath: string | undefined, keySeed: string): Promise<{ variant: import('../variants/contract.ts').Variant<unknown>; key: unknown; keyText: string }> {
  const { loadVariant } = await import('../variants/registry.ts');
  const { validateVariant } = await import('../variants/validate.ts');
  const loaded = await loadVariant(name);
  if (loaded.problem) fail(loaded.problem.check, loaded.problem.message);
  const report = validateVariant(loaded.candidate);
  if (!report.ok) fail('attack.variant', `${name} breaks the plug-in contract: ${report.problems.map((p) => `[${p.check}] ${p.message}`).join('; ')}`);
  const variant = loaded.candidate as import('../variants/contract.ts').Variant<unknown>;
  return { variant, key: await variantKey(variant, keyPath, keySeed), keyText: keyPath ?? `generateKey(seed "${keySeed}")` };
}

/** The variant's key: parsed from --key (its own key file) or generated from --key-seed. */
async function variantKey(variant: import('../variants/contract.ts').Variant<unknown>, keyPath: string | undefined, keySeed: string): Promise<unknown> {
  if (keyPath === undefined) return variant.generateKey(variant.params, keySeed);
  const { readVariantKeyFile } = await import('../io/keyFile.ts');
  return readVariantKeyFile(keyPath, (text) => variant.parseKey(text));
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function registerAttack(program: Command, io: Io): void {
  const attack = withOutputs(program
    .command('attack')
    .description('attacks on the encryption: random-key, known-plaintext, leaked-model, partial-key, greedy and ciphertext-only key recovery (issue 13); `cipherpatch attack-report` runs them all')
    .addHelpText('after', '\nRun `cipherpatch attack <name> --help` for each attack\'s options.'),
  // every attack's --json, checked before the attack runs
  (o: Common) => [o.json === undefined ? undefined : { path: o.json, kind: 'file', force: o.force }]);

  attack
    .command('known-plaintext')
    .description('recover the key from known (plain, encrypted) image pairs: System A exactly (signed permutation), any affine variant (System C) by least squares')
    .option('--variant <name>', 'built-in variant that encrypts the pairs (system-a, shuffle, flip, orthogonal, …)', 'system-a')
    .option('--key <file>', 'the secret key to encrypt with (a System A key file, or the variant\'s own key format); without it --key-seed')
    .option('--key-seed <S>', 'generate the secret key from this seed', 'attack')
    .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file (default: $CIFAR10_DIR, else ~/.cache/cipherpatch/cifar-10-batches-bin)')
    .option('--pairs <N>', 'known image pairs (default 1)', positiveInteger('--pairs'), 1)
    .option('--method <m>', 'signed-permutation (exact, uint8 variants) or linear (least squares; default for other domains)')
    .option('--blocks <N>', 'linear: use only the first N block pairs (the rest check the fit)', positiveInteger('--blocks'))
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .action(async (opts: Common & { variant: string; key?: string; keySeed: string; data?: string; pairs: number; method?: string; blocks?: number }) => {
      const { loadBuiltin } = await import('../variants/registry.ts');
      const { domainPair, fromByte } = await import('../variants/contract.ts');
      const { recoverLinearMap, recoverSignedPermutation } = await import('../attacks/knownPlaintext.ts');
      const variant = await loadBuiltin(opts.variant);
      const domain = domainPair(variant.domain).input;
      const method = opts.method ?? (domain === 'uint8' ? 'signed-permutation' : 'linear');
      if (method !== 'signed-permutation' && method !== 'linear') fail('attack.method', `unknown method "${method}": use signed-permutation or linear`);
      if (method === 'signed-permutation' && domain !== 'uint8') fail('attack.method', `signed-permutation needs a uint8 variant; ${variant.name} works on "${domain}" values (use --method linear)`);
      const params = variant.params;
      const key = await variantKey(variant, opts.key, opts.keySeed);
      const { images, source } = await loadImages(opts.data, opts.pairs);
      const bytes = uint8ImagesToBlocks(images, params.blockSize);
      const plain = { ...bytes, data: bytes.data.map((v) => fromByte(v, domain)) };
      const encrypted = variant.encrypt(plain, key);
      io.out(`known-plaintext on ${variant.name}: ${opts.pairs} image pair${opts.pairs === 1 ? '' : 's'} from ${source} (${bytes.images * bytes.rows * bytes.cols} blocks), method ${method}`);
      if (method === 'signed-permutation') {
        const truth = key as BlockKey;
        const r = recoverSignedPermutation(plain, encrypted, { truth: 'permutation' in (key as object) ? truth : undefined });
        io.out(`  key recovered: ${r.keyRecovered ? 'yes' : 'no'}${r.fractionCorrect !== null ? `, fraction correct ${r.fractionCorrect.toFixed(3)}` : ''}`);
        io.out(`  blocks needed for the exact key: ${r.blocksNeeded ?? 'not reached'}; ambiguous positions ${r.ambiguousPositions}, inconsistent ${r.inconsistentPositions}; ${r.seconds.toFixed(3)} s`);
        writeJson(io, opts, { variant: variant.name, data: source, ...r });
      } else {
        const truth = variant.name === 'orthogonal' ? (key as { blockSize: number; channels: number; matrix: Float64Array }) : undefined;
        const r = recoverLinearMap(plain, encrypted, { use: opts.blocks, withOffset: domain !== 'real', truth });
        io.out(`  map recovered: ${r.keyRecovered ? 'yes' : 'no'} (needs ${r.blocksNeeded} independent blocks, used ${r.effort.blocks})`);
        io.out(`  residual ${r.residual ?? 'n/a (under-determined)'}, held-out residual ${r.heldOutResidual ?? 'n/a'}${r.keyError !== null ? `, max |Q̂ − Q| ${r.keyError}` : ''}; ${r.seconds.toFixed(3)} s`);
        const { matrix, offset, ...rest } = r;
        writeJson(io, opts, { variant: variant.name, data: source, ...rest, matrix, offset });
      }
    });

  attack
    .command('leaked-model')
    .description('recover the System A key from a plain model and a leaked encrypted model by matching signed patch-embedding columns')
    .requiredOption('--plain <file>', 'the attacker\'s plain ConvMixer (safetensors): the same model, or another of the same architecture')
    .option('--encrypted <file>', 'the leaked encrypted ConvMixer (safetensors)')
    .option('--from <file>', 'instead of --encrypted: encrypt this plain model with --key to make the leaked one (an experiment)')
    .option('--key <file>', 'the true key: with --from it makes the encrypted model; always used to score the recovered key')
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .action(async (opts: Common & { plain: string; encrypted?: string; from?: string; key?: string }) => {
      if ((opts.encrypted === undefined) === (opts.from === undefined)) fail('attack.options', 'give exactly one of --encrypted <file> and --from <file> --key <file>');
      if (opts.from !== undefined && opts.key === undefined) fail('attack.options', '--from needs --key <file> to encrypt the model with');
      const { recoverKeyFromLeakedModel } = await import('../attacks/leakedModel.ts');
      const { encryptModel } = await import('../model/encryptModel.ts');
      const plain = await loadModel(opts.plain);
      const key = opts.key !== undefined ? await loadKey(opts.key) : undefined;
      const encrypted = opts.encrypted !== undefined ? await loadModel(opts.encrypted) : encryptModel(await loadModel(opts.from as string), key as BlockKey);
      const { dim, channels, patch } = plain.config;
      const pb = channels * patch * patch;
      const r = recoverKeyFromLeakedModel({ data: plain.embedWeight, dim, blockLength: pb }, { data: encrypted.embedWeight, dim: encrypted.config.dim, blockLength: encrypted.config.channels * encrypted.config.patch ** 2 }, { truth: key });
      io.out(`leaked-model: plain ${opts.plain}, encrypted ${opts.encrypted ?? `${opts.from} under ${opts.key}`}`);
      const verdict = key !== undefined ? `key recovered: ${r.keyRecovered ? 'yes' : 'no'}, fraction correct ${r.fractionCorrect?.toFixed(3)}` : `key recovered: not checked (no --key to compare with); ${r.keyRecovered ? 'every encrypted column matched a plain one exactly' : 'some encrypted columns have no exact match'}`;
      io.out(`  ${verdict}; smallest matched |cosine| ${r.minScore.toFixed(4)}; ${r.seconds.toFixed(3)} s`);
      const { serializeKey } = await import('../core/keyJson.ts');
      const recovered = r.permutation.every((v) => v >= 0) && new Set(r.permutation).size === pb && r.flip.reduce((a, b) => a + b, 0) === pb / 2;
      writeJson(io, opts, { ...r, recoveredKeyFile: recovered ? JSON.parse(serializeKey({ blockSize: patch, channels, permutation: r.permutation, flip: r.flip })) : null });
    });

  attack
    .command('ciphertext-only')
    .description('estimate the System A key from encrypted images alone (flips from anti-correlation, shuffle by matching block covariances to plain reference images)')
    .option('--key <file>', 'the secret key that encrypts the images (System A key file, or with --variant the variant\'s); used only to encrypt and to score the estimate. Required without --variant')
    .option('--variant <name|module>', 'attack another transform variant through the plug-in contract (needs its "signedPermutation" capability)')
    .option('--key-seed <S>', 'with --variant and no --key: generate the secret key from this seed', 'attack')
    .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file')
    .option('--images <N>', 'encrypted images the attacker sees (default 300)', positiveInteger('--images'), 300)
    .option('--reference <N>', 'further plain images for the attacker\'s statistics (default 500)', positiveInteger('--reference'), 500)
    .option('--restarts <N>', 'local-search restarts (default 100)', positiveInteger('--restarts'), 100)
    .option('--weights <file>', 'also report the accuracy of this plain ConvMixer on the attacker\'s decrypted images')
    .option('--threads <N>', 'onnx intra-op threads (default: all cores)', positiveInteger('--threads'))
    .option('--seed <S>', 'seed of the search', 'ciphertext-only')
    .option('--json <file>', 'write the whole result as JSON')
    .option('--force', 'overwrite --json if it exists', false)
    .action(async (opts: Common & { key?: string; variant?: string; keySeed: string; data?: string; images: number; reference: number; restarts: number; weights?: string; threads?: number; seed: string }) => {
      const { ciphertextOnlyAttack } = await import('../attacks/ciphertextOnly.ts');
      if (opts.variant !== undefined) {
        await variantCiphertextOnly(io, { ...opts, variant: opts.variant });
        return;
      }
      if (opts.key === undefined) fail('attack.options', 'ciphertext-only needs --key <file> (the System A key) or --variant <name>');
      const { decryptUint8, encryptUint8 } = await import('../core/blockTransform.ts');
      const { sliceImages } = await import('../core/images.ts');
      const key = await loadKey(opts.key);
      const { images, labels, source } = await loadImages(opts.data, opts.images + opts.reference);
      const seen = sliceImages(images, 0, opts.images);
      const encrypted = encryptUint8(seen, key);
      const reference = uint8ImagesToBlocks(sliceImages(images, opts.images, opts.reference), key.blockSize);
      const r = ciphertextOnlyAttack(uint8ImagesToBlocks(encrypted, key.blockSize), reference, { truth: key, restarts: opts.restarts, seed: opts.seed });
      io.out(`ciphertext-only: ${opts.images} encrypted + ${opts.reference} plain reference images from ${source}, ${r.seconds.toFixed(2)} s`);
      io.out(`  key recovered: ${r.keyRecovered ? 'yes' : 'no'}; flip bits right ${r.flipFraction?.toFixed(3)}, permutation entries right ${r.permutationFraction?.toFixed(3)}, key fraction ${r.fractionCorrect?.toFixed(3)}`);
      const accuracy = opts.weights !== undefined ? await attackerDecryptedAccuracy(io, opts.weights, opts.threads, labels.subarray(0, opts.images), seen, decryptUint8(encrypted, r.key)) : undefined;
      writeJson(io, opts, { keyFile: opts.key, data: source, ...r, accuracy: accuracy ?? null });
    });

  /** --key is required unless --variant names another variant. */
  const systemAKey = (opts: EngineCommon, attack: string, alternative?: string): string => {
    if (opts.variant !== undefined) fail('attack.options', `${attack} runs on System A only${alternative ? `; ${alternative}` : ''}`);
    if (opts.key === undefined) fail('attack.options', `${attack} needs --key <file> (the System A key)`);
    return opts.key;
  };

  const engineOpts = (c: Command) =>
    c
      .requiredOption('--weights <file>', 'the plain ConvMixer (safetensors); the attack queries its encrypted version')
      .option('--key <file>', 'the true key (System A key file; with --variant the variant\'s key file). Required without --variant')
      .option('--variant <name|module>', 'attack another transform variant (a built-in or a plug-in module) through the plug-in contract: needs its "neighbours" capability and an adapter')
      .option('--key-seed <S>', 'with --variant and no --key: generate the true key from this seed', 'attack')
      .option('--data <dir|file>', 'CIFAR-10 binary directory (test split) or one CIFAR-10 .bin file')
      .option('--threads <N>', 'onnx intra-op threads (default: all cores)', positiveInteger('--threads'))
      .option('--seed <S>', 'seed of the attack\'s random choices', 'attack')
      .option('--json <file>', 'write the whole result as JSON')
      .option('--force', 'overwrite --json if it exists', false);

  engineOpts(
    attack
      .command('random-key')
      .description('the random-key attack (Fig. 5): accuracy of the encrypted model under N seeded random keys, with the best an attacker keeping the best key reaches')
      .option('--images <N>', 'test images (default 1000)', positiveInteger('--images'), 1000)
      .option('--keys <N>', 'random keys to try (default 100)', positiveInteger('--keys'), 100),
  ).action(async (opts: Common & EngineCommon & { images: number; keys: number }) => {
    const keyPath = systemAKey(opts, 'random-key', 'for another variant, `cipherpatch fuzz <variant> --model W --wrong-keys N` measures random (wrong) keys');
    const { randomKeyAttack } = await import('../attacks/randomKey.ts');
    const { progressFor } = await import('../io/progress.ts');
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

  engineOpts(
    attack
      .command('partial-key')
      .description('accuracy of the encrypted model under partly right keys: right shuffle/wrong flip, wrong shuffle/right flip, random keys, and keys at swap and flip distance s')
      .option('--images <N>', 'test images (default 500)', positiveInteger('--images'), 500)
      .option('--distances <list>', 'swap/flip distances (default 1,2,4,8,16; with --variant: 1,2,4,… up to the variant\'s largest distance)', integerList('--distances'))
      .option('--trials <N>', 'random guesses per setting (default 3)', positiveInteger('--trials'), 3),
  ).action(async (opts: Common & EngineCommon & { images: number; distances?: number[]; trials: number }) => {
    const { partialKeyAttack, variantPartialKeyAttack } = await import('../attacks/partialKey.ts');
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
    const { keyScorer } = await import('../attacks/partialKey.ts');
    const { greedyKeySearch, variantGreedyKeySearch } = await import('../attacks/greedy.ts');
    const { sliceImages } = await import('../core/images.ts');
    const weights = await loadModel(opts.weights);
    const make = autoEngine(opts.threads);
    if (opts.variant !== undefined) {
      const { variantKeyScorer, neighboursOf } = await import('../attacks/variants.ts');
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

/** ciphertext-only --weights: the plain model's accuracy on the plain images and on the attacker's decryption of them, printed. */
async function attackerDecryptedAccuracy(io: Io, weightsPath: string, threads: number | undefined, labels: Uint8Array, plain: Uint8Batch, decrypted: Uint8Batch): Promise<{ plainImages: number; attackerDecrypted: number }> {
  const { argmaxRows, score } = await import('../metrics/scoring.ts');
  const weights = await loadModel(weightsPath);
  const engine = await autoEngine(threads)(weights);
  let accuracy: { plainImages: number; attackerDecrypted: number };
  try {
    const acc = async (x: Uint8Batch) => score(argmaxRows(await engine.logits(x), weights.config.classes), labels).accuracy;
    accuracy = { plainImages: await acc(plain), attackerDecrypted: await acc(decrypted) };
  } finally {
    engine.dispose();
  }
  io.out(`  plain model: ${pct(accuracy.attackerDecrypted)} on the attacker's decrypted images (${pct(accuracy.plainImages)} on the plain images)`);
  return accuracy;
}

/** ciphertext-only --variant: the estimate in the variant's signed-permutation view; the plain model scores the attacker's decryption. */
async function variantCiphertextOnly(io: Io, opts: Common & { key?: string; variant: string; keySeed: string; data?: string; images: number; reference: number; restarts: number; weights?: string; threads?: number; seed: string }): Promise<void> {
  const { variantCiphertextOnlyAttack } = await import('../attacks/ciphertextOnly.ts');
  const { signedPermutationOf, flipTarget } = await import('../attacks/variants.ts');
  const { sliceImages } = await import('../core/images.ts');
  const { fromBlocks } = await import('../variants/blocks.ts');
  const { domainPair, fromByte } = await import('../variants/contract.ts');
  const { variant, key, keyText } = await loadVariantAndKey(opts.variant, opts.key, opts.keySeed);
  signedPermutationOf(variant, 'ciphertext-only');
  const top = flipTarget(variant, 'ciphertext-only');
  const domain = domainPair(variant.domain).input;
  const { images, labels, source } = await loadImages(opts.data, opts.images + opts.reference);
  const blocksOf = (x: Uint8Batch) => {
    const bytes = uint8ImagesToBlocks(x, variant.params.blockSize);
    return { ...bytes, data: bytes.data.map((v) => fromByte(v, domain)) };
  };
  const seen = sliceImages(images, 0, opts.images);
  const encrypted = variant.encrypt(blocksOf(seen), key);
  const r = variantCiphertextOnlyAttack(variant, encrypted, blocksOf(sliceImages(images, opts.images, opts.reference)), { truth: key, restarts: opts.restarts, seed: opts.seed });
  io.out(`ciphertext-only on ${variant.name} (key ${keyText}): ${opts.images} encrypted + ${opts.reference} plain reference images from ${source}, search ${r.search}, ${r.seconds.toFixed(2)} s`);
  io.out(`  key recovered: ${r.keyRecovered ? 'yes' : 'no'}; flip bits right ${r.flipFraction?.toFixed(3)}, permutation entries right ${r.permutationFraction?.toFixed(3)}, key fraction ${r.fractionCorrect?.toFixed(3)}`);
  let accuracy: { plainImages: number; attackerDecrypted: number } | undefined;
  if (opts.weights !== undefined) {
    const decrypted = fromBlocks(variant.decrypt(encrypted, r.key));
    const bytes = Uint8Array.from(decrypted.data, (v) => Math.min(255, Math.max(0, Math.round(top === 255 ? v : v * 255))));
    const shape = { count: decrypted.count, channels: decrypted.channels, height: decrypted.height, width: decrypted.width };
    accuracy = await attackerDecryptedAccuracy(io, opts.weights, opts.threads, labels.subarray(0, opts.images), seen, { data: bytes, shape, layout: 'NCHW' });
  }
  writeJson(io, opts, { variantKey: keyText, data: source, ...r, key: variant.serializeKey(r.key), accuracy: accuracy ?? null });
}
