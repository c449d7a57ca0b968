/**
 * Greedy key estimation (issue 13, attack 3), as in the System B authors'
 * code: start from a random key and propose small changes — a swap of two
 * permutation entries, or the exchange of a flipped and an unflipped
 * position — keeping a change when the score (accuracy of the encrypted
 * model on the attacker's small labelled set, encrypted with the guess)
 * does not drop. Queries are counted in images sent to the model.
 */
import { fail } from '../core/errors.ts';
import type { BlockKey } from '../core/key.ts';
import { generateKey, seededRandom } from '../core/keygen.ts';
import type { Variant } from '../variants/contract.ts';
import { type AttackResult, elapsed, keyFractionCorrect } from './common.ts';
import { neighboursOf, variantKeyFraction } from './variants.ts';

export interface GreedyOptions {
  /** Template: block size and channels; also the truth for reporting fractionCorrect (never used by the search). */
  readonly truth: BlockKey;
  /** Score of a guess (higher is better), e.g. keyScorer(...).score on the labelled set. */
  readonly score: (guess: BlockKey) => Promise<number>;
  /** Images per score call, for counting queries. */
  readonly imagesPerQuery: number;
  readonly steps: number;
  /** Record a trace point every this many steps (default steps/20). */
  readonly traceEvery?: number;
  readonly seed?: string;
  /** Score on held-out data (optional): of the final guess, and of the current key at every trace point (not counted as queries). */
  readonly heldOut?: (guess: BlockKey) => Promise<number>;
}

export interface GreedyTracePoint {
  readonly step: number;
  readonly queries: number;
  readonly score: number;
  readonly keyFraction: number;
  /** Score of the current key on held-out data (when heldOut is given). */
  readonly heldOut?: number;
}

export interface GreedyResult extends AttackResult {
  readonly attack: 'greedy';
  readonly key: BlockKey;
  readonly startScore: number;
  readonly finalScore: number;
  readonly heldOutScore: number | null;
  readonly accepted: number;
  readonly trace: readonly GreedyTracePoint[];
}

/** The search itself, for any key type: start, propose a neighbour, keep it when the score does not drop. */
interface Climb<K> {
  readonly start: K;
  propose(key: K): K;
  fraction(guess: K): number | null;
  score(guess: K): Promise<number>;
  heldOut?(guess: K): Promise<number>;
  readonly imagesPerQuery: number;
  readonly steps: number;
  readonly traceEvery?: number;
}

function checkClimb(steps: number, imagesPerQuery: number): void {
  if (!Number.isInteger(steps) || steps < 0) fail('attack.steps', `steps must be a non-negative integer, got ${steps}`);
  if (!Number.isInteger(imagesPerQuery) || imagesPerQuery < 1) fail('attack.images', `images per query must be a positive integer, got ${imagesPerQuery}`);
}

async function climb<K>(c: Climb<K>, started: number): Promise<Omit<GreedyResult, 'key' | 'attack'> & { key: K }> {
  const { steps, imagesPerQuery } = c;
  const every = c.traceEvery ?? Math.max(1, Math.floor(steps / 20));
  let key = c.start;
  let current = await c.score(key);
  const startScore = current;
  let queries = imagesPerQuery;
  let accepted = 0;
  const point = async (step: number): Promise<GreedyTracePoint> => ({
    step,
    queries,
    score: current,
    keyFraction: c.fraction(key) ?? Number.NaN,
    ...(c.heldOut ? { heldOut: await c.heldOut(key) } : {}),
  });
  const trace: GreedyTracePoint[] = [await point(0)];
  for (let step = 1; step <= steps; step++) {
    const guess = c.propose(key);
    const s = await c.score(guess);
    queries += imagesPerQuery;
    if (s >= current) {
      if (s > current) accepted++;
      key = guess;
      current = s;
    }
    if (step % every === 0 || step === steps) trace.push(await point(step));
  }
  const fraction = c.fraction(key);
  const heldOutScore = c.heldOut ? await c.heldOut(key) : null;
  return {
    keyRecovered: fraction === null ? null : fraction === 1,
    fractionCorrect: fraction,
    effort: { queries, images: imagesPerQuery },
    seconds: elapsed(started),
    key,
    startScore,
    finalScore: current,
    heldOutScore,
    accepted,
    trace,
  };
}

export async function greedyKeySearch(options: GreedyOptions): Promise<GreedyResult> {
  const started = performance.now();
  const { truth, steps, imagesPerQuery } = options;
  checkClimb(steps, imagesPerQuery);
  const seed = options.seed ?? 'greedy';
  const random = seededRandom(`${seed}/moves`);
  const start = generateKey({ blockSize: truth.blockSize, channels: truth.channels, seed: `${seed}/start` });
  const pb = start.permutation.length;
  const propose = (key: BlockKey): BlockKey => {
    const permutation = Int32Array.from(key.permutation);
    const flip = Uint8Array.from(key.flip);
    if (random.int(2) === 0) {
      const a = random.int(pb);
      let b = random.int(pb - 1);
      if (b >= a) b++;
      [permutation[a], permutation[b]] = [permutation[b], permutation[a]];
    } else {
      const ones: number[] = [];
      const zeros: number[] = [];
      for (let k = 0; k < pb; k++) (flip[k] ? ones : zeros).push(k);
      flip[ones[random.int(ones.length)]] = 0;
      flip[zeros[random.int(zeros.length)]] = 1;
    }
    return { ...key, permutation, flip };
  };
  const r = await climb({ ...options, start, propose, fraction: (g) => keyFractionCorrect(g, truth) }, started);
  return { attack: 'greedy', ...r };
}

export interface VariantGreedyOptions<K> extends Omit<GreedyOptions, 'truth' | 'score' | 'heldOut'> {
  readonly variant: Variant<K>;
  /** The true key: only for reporting the fraction recovered (never used by the search). */
  readonly truth: K;
  readonly score: (guess: K) => Promise<number>;
  readonly heldOut?: (guess: K) => Promise<number>;
}

export interface VariantGreedyResult<K> extends Omit<GreedyResult, 'key'> {
  readonly variant: string;
  readonly step: string;
  readonly key: K;
}

/**
 * The greedy search on any variant with `neighbours`: from the variant's
 * seeded random key, one step (distance 1) per proposal.
 */
export async function variantGreedyKeySearch<K>(options: VariantGreedyOptions<K>): Promise<VariantGreedyResult<K>> {
  const started = performance.now();
  const { variant, truth, steps, imagesPerQuery } = options;
  const neighbours = neighboursOf(variant, 'greedy');
  checkClimb(steps, imagesPerQuery);
  const seed = options.seed ?? 'greedy';
  const random = seededRandom(`${seed}/moves`);
  const start = variant.generateKey(variant.params, `${seed}/start`);
  const r = await climb<K>(
    { ...options, start, propose: (key) => neighbours.atDistance(key, 1, random), fraction: (g) => variantKeyFraction(variant, g, truth) ?? (variant.serializeKey(g) === variant.serializeKey(truth) ? 1 : 0) },
    started,
  );
  return { attack: 'greedy', variant: variant.name, step: neighbours.step, ...r };
}
