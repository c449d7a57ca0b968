/**
 * The security report (issue 13, `cipherpatch attack-report`): every attack
 * of src/attacks/ on one System A model, key and test set, with bounded
 * effort, each next to what the paper claims. runAttackReport does the work
 * and returns plain data; src/report/securityReport.ts presents it
 * (report.json, report.md and one plot per attack).
 *
 * The test images are split, in order, into the evaluation set (the first
 * `images`: scored by every model-based attack, and the victim's images the
 * ciphertext-only attacker sees), the attacker's plain reference images
 * (`reference`, ciphertext-only statistics) and the attacker's labelled set
 * (`greedyImages`, greedy search).
 */
import { encryptUint8, decryptUint8 } from '../core/blockTransform.ts';
import { fail } from '../core/errors.ts';
import { type Uint8Batch, sliceImages } from '../core/images.ts';
import { type BlockKey, expectKeyFor } from '../core/key.ts';
import { seededRandom } from '../core/keygen.ts';
import { keySpace } from '../core/keySpace.ts';
import type { Engine } from '../engine/engine.ts';
import { argmaxRows, score } from '../metrics/scoring.ts';
import { type Progress, silentProgress } from '../io/progress.ts';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { systemA } from '../variants/builtin/systemA.ts';
import { orthogonal } from '../variants/builtin/systemC.ts';
import { fromByte } from '../variants/contract.ts';
import { ciphertextOnlyAttack } from './ciphertextOnly.ts';
import { uint8ImagesToBlocks } from './common.ts';
import { greedyKeySearch } from './greedy.ts';
import { recoverLinearMap, recoverSignedPermutation } from './knownPlaintext.ts';
import { type EmbeddingWeight, perturbedEmbedding, recoverKeyFromLeakedModel, recoverPermutationByGramMatching } from './leakedModel.ts';
import { keyScorer, partialKeyAttack } from './partialKey.ts';
import { randomKeyAttack } from './randomKey.ts';
import { plural } from '../core/words.ts';

/** Attacker effort; every default is small enough for a few minutes on 2 cores. */
export interface AttackEffort {
  /** Evaluation images scored by the model-based attacks (default 500). */
  readonly images: number;
  /** Random keys (default 20). */
  readonly randomKeys: number;
  /** Partial-key: distances and guesses per distance (default 1, 2, 4, 8, 16, 24; 2). */
  readonly distances: readonly number[];
  readonly trials: number;
  /** Greedy: labelled images, proposals, objective (default 100, 300, log-likelihood). */
  readonly greedyImages: number;
  readonly greedySteps: number;
  readonly greedyObjective: 'accuracy' | 'log-likelihood';
  /** Known plaintext: image pairs attacked one at a time (default 100). */
  readonly knownPlaintextImages: number;
  /** Leaked model: noise levels (× the weights' RMS) and draws per level (default 0, 1, 2, 4, 8; 3). */
  readonly noise: readonly number[];
  readonly noiseTrials: number;
  /** Ciphertext-only: encrypted images seen, plain reference images, restarts (default 1, 3, 10, 30, 100, 300; 500; 100). */
  readonly ciphertextImages: readonly number[];
  readonly reference: number;
  readonly restarts: number;
}

export const DEFAULT_EFFORT: AttackEffort = {
  images: 500,
  randomKeys: 20,
  distances: [1, 2, 4, 8, 16, 24],
  trials: 2,
  greedyImages: 100,
  greedySteps: 300,
  greedyObjective: 'log-likelihood',
  knownPlaintextImages: 100,
  noise: [0, 1, 2, 4, 8],
  noiseTrials: 3,
  ciphertextImages: [1, 3, 10, 30, 100, 300],
  reference: 500,
  restarts: 100,
};

/** What the papers claim, quoted next to each attack (Iijima & Kiya 2022; /work/shared/docs/paper-notes.md). */
export const PAPER_CLAIMS = {
  randomKey: 'Fig. 5: 100 random wrong keys give 12–20 % accuracy on CIFAR-10 (plain model 90.46 %); key space 48!·C(48,24) ≈ 2^247.8, "too large to guess".',
  partialKey: 'Not reported. The paper\'s claim is that a wrong key makes the model useless (12–20 %, Fig. 5).',
  greedy: 'Not reported for System A. The System B authors\' code runs a greedy key-swap estimation; the papers claim robustness because the key space is large.',
  knownPlaintext: 'Not considered. The key space (2^247.8) is the security argument.',
  leakedModel: 'Not considered: the encrypted model is meant to be shareable; only the key is secret.',
  ciphertextOnly: 'Not considered. Encrypted images are claimed visually protected, the key space too large to guess.',
} as const;
export const PAPER_WRONG_KEY_RANGE = [0.12, 0.2] as const;

export interface SecondModel {
  /** What it is, e.g. "golden/runs/cpu-seed2 (seed 2, 1 epoch)". */
  readonly label: string;
  readonly weights: ConvMixerWeights;
}

export interface AttackReportOptions {
  readonly weights: ConvMixerWeights;
  readonly key: BlockKey;
  /** Test images and labels: at least imagesNeeded(effort) of them, split as the module comment says. */
  readonly images: Uint8Batch;
  readonly labels: Uint8Array;
  readonly createEngine: (weights: ConvMixerWeights) => Promise<Engine>;
  readonly effort?: Partial<AttackEffort>;
  /** A plain model trained independently on the same data, for the leaked-model attack. */
  readonly secondModel?: SecondModel;
  readonly seed?: string;
  readonly progress?: Progress;
}

/** How many test images a report needs. */
export function imagesNeeded(effort: Partial<AttackEffort> = {}): number {
  const e = { ...DEFAULT_EFFORT, ...effort };
  return Math.max(e.images, ...e.ciphertextImages, e.knownPlaintextImages) + e.reference + e.greedyImages;
}

function checkEffort(e: AttackEffort): void {
  const pos = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) fail('attack-report.effort', `${name} must be a positive integer, got ${v}`);
  };
  pos(e.images, 'images');
  pos(e.randomKeys, 'randomKeys');
  pos(e.trials, 'trials');
  pos(e.greedyImages, 'greedyImages');
  if (!Number.isInteger(e.greedySteps) || e.greedySteps < 0) fail('attack-report.effort', `greedySteps must be a non-negative integer, got ${e.greedySteps}`);
  pos(e.knownPlaintextImages, 'knownPlaintextImages');
  pos(e.noiseTrials, 'noiseTrials');
  pos(e.reference, 'reference');
  pos(e.restarts, 'restarts');
  if (e.ciphertextImages.length === 0) fail('attack-report.effort', 'ciphertextImages must list at least one count');
  e.ciphertextImages.forEach((n) => pos(n, 'ciphertextImages'));
  if (e.noise.some((x) => !(x >= 0 && Number.isFinite(x)))) fail('attack-report.effort', `noise levels must be finite and ≥ 0, got ${e.noise.join(', ')}`);
  if (e.greedyObjective !== 'accuracy' && e.greedyObjective !== 'log-likelihood') fail('attack.objective', `unknown objective "${String(e.greedyObjective)}": use accuracy or log-likelihood`);
}

const embeddingOf = (w: ConvMixerWeights): EmbeddingWeight => ({ data: w.embedWeight, dim: w.config.dim, blockLength: w.config.channels * w.config.patch ** 2 });

/** The evaluation accuracy of the plain model on images (one engine). */
async function plainAccuracy(options: AttackReportOptions, images: Uint8Batch, labels: Uint8Array, weights = options.weights): Promise<number> {
  const engine = await options.createEngine(weights);
  try {
    return score(argmaxRows(await engine.logits(images), weights.config.classes), labels).accuracy;
  } finally {
    engine.dispose();
  }
}

export async function runAttackReport(options: AttackReportOptions) {
  const started = performance.now();
  const effort: AttackEffort = { ...DEFAULT_EFFORT, ...options.effort };
  checkEffort(effort);
  const { weights, key, labels } = options;
  expectKeyFor(key, weights.config.patch, weights.config.channels, `the model (patch size ${weights.config.patch}, ${plural(weights.config.channels, 'channel')})`);
  const total = options.images.shape.count;
  if (labels.length !== total) fail('attack-report.labels', `${labels.length} labels for ${total} images`);
  const need = imagesNeeded(effort);
  if (total < need) fail('attack-report.images', `the report needs ${need} test images with this effort (evaluation ${Math.max(effort.images, ...effort.ciphertextImages, effort.knownPlaintextImages)}, reference ${effort.reference}, labelled ${effort.greedyImages}); the data holds ${total}`);
  if (options.secondModel && (options.secondModel.weights.config.dim !== weights.config.dim || options.secondModel.weights.config.patch !== weights.config.patch || options.secondModel.weights.config.channels !== weights.config.channels)) {
    fail('attack-report.second-model', `the second model (${options.secondModel.label}) has another patch embedding shape than the attacked model`);
  }
  const seed = options.seed ?? 'attack-report';
  const progress = options.progress ?? silentProgress;
  const evalCount = Math.max(effort.images, ...effort.ciphertextImages, effort.knownPlaintextImages);
  const evalImages = sliceImages(options.images, 0, effort.images);
  const evalLabels = labels.subarray(0, effort.images);
  const reference = sliceImages(options.images, evalCount, effort.reference);
  const labelled = sliceImages(options.images, evalCount + effort.reference, effort.greedyImages);
  const labelledLabels = labels.subarray(evalCount + effort.reference, evalCount + effort.reference + effort.greedyImages);
  const pb = key.permutation.length;
  const common = { weights, key, images: evalImages, labels: evalLabels, createEngine: options.createEngine };

  // 1. Random keys (Fig. 5).
  const randomKey = await randomKeyAttack({ ...common, keys: effort.randomKeys, seed: `${seed}/random-key`, progress });

  // 2. Partial keys.
  const partialKey = await partialKeyAttack({ ...common, distances: effort.distances, trials: effort.trials, seed: `${seed}/partial-key`, progress });

  // 3. Greedy search: labelled set for the search, the evaluation set held out.
  const train = await keyScorer({ ...common, images: labelled, labels: labelledLabels, objective: effort.greedyObjective });
  const held = await keyScorer(common);
  let greedy;
  try {
    progress.start('greedy search', effort.greedySteps, 'steps');
    let steps = 0;
    greedy = await greedyKeySearch({
      truth: key,
      score: async (g) => {
        const s = await train.score(g);
        progress.update(Math.min(steps++, effort.greedySteps));
        return s;
      },
      heldOut: held.score,
      imagesPerQuery: effort.greedyImages,
      steps: effort.greedySteps,
      traceEvery: Math.max(1, Math.floor(effort.greedySteps / 15)),
      seed: `${seed}/greedy`,
    });
    progress.stop();
  } finally {
    train.dispose();
    held.dispose();
  }

  // 4. Known plaintext: System A one image pair at a time; key fraction after b blocks. System C by least squares.
  progress.start('known plaintext', effort.knownPlaintextImages, 'pairs');
  const M = key.blockSize;
  const blockSteps = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64].filter((b) => b <= (32 / M) * (32 / M) || b === 1);
  const fractionSum = new Float64Array(blockSteps.length);
  const blocksNeeded: (number | null)[] = [];
  for (let i = 0; i < effort.knownPlaintextImages; i++) {
    const one = sliceImages(options.images, i, 1);
    const plain = uint8ImagesToBlocks(one, M);
    const enc = uint8ImagesToBlocks(encryptUint8(one, key), M);
    const perImage = plain.rows * plain.cols;
    blockSteps.forEach((b, s) => {
      const n = Math.min(b, perImage);
      const cut = (x: typeof plain) => ({ ...x, rows: 1, cols: n, data: x.data.subarray(0, n * pb) });
      fractionSum[s] += recoverSignedPermutation(cut(plain), cut(enc), { truth: key }).fractionCorrect as number;
    });
    blocksNeeded.push(recoverSignedPermutation(plain, enc, { truth: key }).blocksNeeded);
    progress.update(i + 1);
  }
  progress.stop();
  const exact = blocksNeeded.filter((b): b is number => b !== null).sort((a, b) => a - b);
  const cKey = orthogonal.generateKey({ blockSize: M, channels: key.channels }, `${seed}/system-c`);
  const cImages = sliceImages(options.images, 0, 3);
  const cPlainBytes = uint8ImagesToBlocks(cImages, M);
  const cPlain = { ...cPlainBytes, data: cPlainBytes.data.map((v) => fromByte(v, 'real')) };
  const cEnc = orthogonal.encrypt(cPlain, cKey);
  const cSteps = [8, 16, 32, pb - 1, pb, pb + 16, 2 * pb].filter((b) => b < cPlain.images * cPlain.rows * cPlain.cols);
  const systemC = cSteps.map((b) => {
    const r = recoverLinearMap(cPlain, cEnc, { use: b, truth: cKey });
    return { blocks: b, recovered: r.keyRecovered === true, keyError: r.keyError, residual: r.residual, heldOutResidual: r.heldOutResidual };
  });
  const knownPlaintext = {
    attack: 'known-plaintext' as const,
    images: effort.knownPlaintextImages,
    exactFromOnePair: exact.length,
    blocksNeeded: exact.length > 0 ? { median: exact[Math.floor((exact.length - 1) / 2)], p90: exact[Math.min(exact.length - 1, Math.ceil(0.9 * exact.length) - 1)], max: exact[exact.length - 1] } : null,
    fractionAfterBlocks: blockSteps.map((b, s) => ({ blocks: b, meanFraction: fractionSum[s] / effort.knownPlaintextImages })),
    systemC,
    systemCBlocksNeeded: pb,
  };

  // 5. Leaked model: the same plain model with noise, and an independently trained one.
  const encryptedEmbedding = embeddingOf({ ...weights, embedWeight: Float32Array.from(systemA.adapter!.adapt({ dim: weights.config.dim, channels: weights.config.channels, patch: M, weight: Float64Array.from(weights.embedWeight), bias: Float64Array.from(weights.embedBias) }, key, { name: '0.5/0.5', mean: [], std: [] }).weight) });
  const random = seededRandom(`${seed}/leaked-model`);
  const noise = effort.noise.map((level) => {
    const fractions: number[] = [];
    for (let t = 0; t < (level === 0 ? 1 : effort.noiseTrials); t++) {
      const attacker = level === 0 ? embeddingOf(weights) : perturbedEmbedding(embeddingOf(weights), level, () => (random.int(2 ** 30) + 0.5) / 2 ** 30);
      fractions.push(recoverKeyFromLeakedModel(attacker, encryptedEmbedding, { truth: key }).fractionCorrect as number);
    }
    return { noise: level, fractions, meanFraction: fractions.reduce((a, b) => a + b, 0) / fractions.length };
  });
  let second = null;
  if (options.secondModel) {
    const r = recoverKeyFromLeakedModel(embeddingOf(options.secondModel.weights), encryptedEmbedding, { truth: key });
    const recovered = systemA.signedPermutation!.nearestKey({ blockSize: M, channels: key.channels }, r);
    const scorer = await keyScorer(common);
    let accuracy: number;
    try {
      accuracy = await scorer.score(recovered);
    } finally {
      scorer.dispose();
    }
    second = {
      label: options.secondModel.label,
      fractionCorrect: r.fractionCorrect as number,
      permutationFraction: r.permutation.filter((v, k) => v === key.permutation[k]).length / pb,
      flipFraction: r.flip.filter((v, k) => v === key.flip[k]).length / pb,
      minScore: r.minScore,
      meanScore: r.matchScores.reduce((a, b) => a + b, 0) / pb,
      accuracyWithRecoveredKey: accuracy,
      gramPermutationFraction: recoverPermutationByGramMatching(embeddingOf(options.secondModel.weights), encryptedEmbedding, { truth: key, seed: `${seed}/gram` }).permutationFraction as number,
      secondModelPlainAccuracy: await plainAccuracy(options, evalImages, evalLabels, options.secondModel.weights),
    };
  }
  const leakedModel = { attack: 'leaked-model' as const, noise, secondModel: second, chance: 1 / pb };

  // 6. Ciphertext only, against the number of encrypted images seen.
  progress.start('ciphertext only', effort.ciphertextImages.length, 'runs');
  const refBlocks = uint8ImagesToBlocks(reference, M);
  const plainEngine = await options.createEngine(weights);
  const ciphertextOnly: { images: number; flipFraction: number; permutationFraction: number; keyFraction: number; keyRecovered: boolean; plainModelAccuracy: number; seconds: number }[] = [];
  let plainModelPlainImages: number;
  try {
    const acc = async (x: Uint8Batch) => score(argmaxRows(await plainEngine.logits(x), weights.config.classes), evalLabels).accuracy;
    plainModelPlainImages = await acc(evalImages);
    const encryptedEval = encryptUint8(evalImages, key);
    for (const [i, n] of effort.ciphertextImages.entries()) {
      const seen = encryptUint8(sliceImages(options.images, 0, n), key);
      const r = ciphertextOnlyAttack(uint8ImagesToBlocks(seen, M), refBlocks, { truth: key, restarts: effort.restarts, seed: `${seed}/ciphertext-only` });
      ciphertextOnly.push({
        images: n,
        flipFraction: r.flipFraction as number,
        permutationFraction: r.permutationFraction as number,
        keyFraction: r.fractionCorrect as number,
        keyRecovered: r.keyRecovered === true,
        plainModelAccuracy: await acc(decryptUint8(encryptedEval, r.key)),
        seconds: r.seconds,
      });
      progress.update(i + 1);
    }
  } finally {
    plainEngine.dispose();
    progress.stop();
  }

  return {
    format: 'cipherpatch-attack-report' as const,
    version: 1 as const,
    model: { dim: weights.config.dim, depth: weights.config.depth, patch: weights.config.patch, kernel: weights.config.kernel, classes: weights.config.classes },
    blockSize: M,
    channels: key.channels,
    keySpaceLog2: keySpace(M, key.channels).log2Total,
    effort,
    seed,
    split: { evaluation: [0, effort.images], victimImagesSeen: [0, Math.max(...effort.ciphertextImages)], knownPlaintextPairs: [0, effort.knownPlaintextImages], reference: [evalCount, evalCount + effort.reference], labelled: [evalCount + effort.reference, evalCount + effort.reference + effort.greedyImages] },
    baseline: { plainModelPlainImages, rightKey: randomKey.rightKey, encryptedModelPlainImages: randomKey.encryptedModelPlainImages, chance: randomKey.chance },
    paperClaims: PAPER_CLAIMS,
    attacks: { randomKey, partialKey, greedy, knownPlaintext, leakedModel, ciphertextOnly: { attack: 'ciphertext-only' as const, reference: effort.reference, points: ciphertextOnly } },
    seconds: (performance.now() - started) / 1000,
  };
}

export type AttackReport = Awaited<ReturnType<typeof runAttackReport>>;
