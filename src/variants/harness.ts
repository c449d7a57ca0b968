/**
 * The fuzz harness: a fixed battery of fast-check properties and brute-force
 * counts that turns a variant (src/variants/contract.ts) into a verdict
 * table. Every check ends pass, fail or n/a; every fast-check failure comes
 * with its shrunk counterexample and the line that replays it,
 *   cipherpatch fuzz <variant> --only <check> --seed S --path P
 *
 * Checks (ids):
 *   contract         the plug-in satisfies the contract (validate.ts)
 *   shape, domain    encrypt/decrypt keep the batch shape and their domains
 *   storable         8-bit pixels encrypt to 8-bit pixels (a PNG can hold them)
 *   invertible       decrypt(encrypt(x)) = x
 *   deterministic    same key, same output; same seed, same key; secure keys differ
 *   serialization    parseKey(serializeKey(k)) encrypts exactly as k
 *   key-sensitivity  different keys encrypt a generic image differently
 *   known-answer     the variant's known-answer vectors (an independent implementation's outputs) match exactly
 *   equivalent-keys  brute force at tiny sizes: no two keys are one function
 *   key-space        the claimed count = distinct encryption functions (tiny sizes)
 *   adapter          the variant's adapter: embedding(enc(x), adapt(E)) = embedding(x, E)
 *   adaptable        whether ANY exact adapter exists (patch P = block M): the
 *                    encryption must be affine per patch, local to the patch and
 *                    the same in every patch; then least squares finds it
 *   norm:<n>         the adapter search under 0.5/0.5, CIFAR mean/std and no normalization
 *   blocks:M=…:P=…   the adapter search for other block and patch sizes
 */
import fc from 'fast-check';
import { fail } from '../core/errors.ts';
import { seededRandom } from '../core/keygen.ts';
import { log2BigInt } from '../core/keySpace.ts';
import { type AdapterShape, type AffineFit, adapterShape, fitAffine } from './affine.ts';
import { type Images, describeValue, embed, fromBlocks, modelInput, toBlocks } from './blocks.ts';
import {
  type BlockBatch,
  type Domain,
  type DomainPair,
  NORMALIZATION_NAMES,
  type NormalizationName,
  type PatchEmbedding,
  type Variant,
  type VariantParams,
  blockLength,
  describeParams,
  domainPair,
  fromByte,
  inDomain,
  isByteValue,
  normalization,
} from './contract.ts';
import { VARIANT_TOLERANCE as TOL, withinTolerance as close } from './tolerance.ts';
import { type ContractProblem, batchProblems, describeError, validateVariant } from './validate.ts';

export type Verdict = 'pass' | 'fail' | 'n/a';

export interface Replay {
  readonly seed: number;
  readonly path: string;
  readonly command: string;
}

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** The shrunk counterexample (fast-check) or the brute-force witness. */
  readonly counterexample?: string;
  readonly replay?: Replay;
}

export interface NormalizationFinding {
  readonly name: NormalizationName;
  readonly exact: boolean;
  readonly residual: number;
  readonly form?: AdapterShape['form'];
  readonly biasCorrection?: number;
  /** Whether the variant's own adapter is exact here (null: it has none). */
  readonly variantAdapterExact: boolean | null;
}

export interface PairFinding {
  readonly blockSize: number;
  readonly patchSize: number;
  /** null: unsupported block size. */
  readonly adaptable: boolean | null;
}

export interface TinyCount {
  readonly params: VariantParams;
  readonly claimed: string;
  readonly enumerated: number;
  readonly distinct: number;
}

export interface FuzzReport {
  readonly variant: { readonly name: string; readonly title: string; readonly params: VariantParams; readonly domain: DomainPair; readonly gridBound: boolean; readonly adapter: boolean };
  readonly source: string;
  readonly seed: number;
  readonly runs: number;
  readonly contract: readonly ContractProblem[];
  readonly checks: readonly CheckResult[];
  readonly summary: {
    readonly normalizations: readonly NormalizationFinding[];
    readonly blockVsPatch: { readonly rule: string; readonly pairs: readonly PairFinding[] };
    readonly keySpace: { readonly formula?: string; readonly paper?: string; readonly log2Paper?: number; readonly tiny: readonly TinyCount[] };
  };
  readonly seconds: number;
}

export interface FuzzOptions {
  /** Runs per property (default 100); secondary properties use a quarter. */
  readonly runs?: number;
  readonly seed?: number;
  /** Replays one counterexample (with `only` naming its check). */
  readonly path?: string;
  /** Check ids or id prefixes to run (default: all). */
  readonly only?: readonly string[];
  /** Block sizes M and patch sizes P of the sweep (default 1, 2, 4, 8 each). */
  readonly blockSizes?: readonly number[];
  readonly patchSizes?: readonly number[];
  /** Largest claimed key count to brute-force (default 20000). */
  readonly enumerationLimit?: number;
  /** How the variant was named on the command line (for replay lines). */
  readonly invocation?: string;
  /** Where it came from (builtin or a file), for the report. */
  readonly source?: string;
}

export const DEFAULT_SEED = 20220723;
const SIZES = [1, 2, 4, 8] as const;

/** A property violation, with a readable message (anything else thrown is the variant crashing). */
class Finding extends Error {}

function finding(message: string): never {
  throw new Finding(message);
}

interface Ctx {
  readonly v: Variant<unknown>;
  readonly dom: DomainPair;
  readonly seed: number;
  readonly runs: number;
  readonly path?: string;
  readonly invocation: string;
  readonly limit: number;
  readonly keys: Map<string, unknown>;
}

interface Outcome {
  readonly ok: boolean;
  readonly message?: string;
  readonly counterexample?: string;
  readonly replay?: Replay;
}

// ------------------------------------------------------------------ helpers

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

function keyFor(ctx: Ctx, params: VariantParams, seed: string): unknown {
  const id = `${describeParams(params)}|${seed}`;
  let k = ctx.keys.get(id);
  if (k === undefined) {
    k = ctx.v.generateKey(params, seed);
    if (ctx.keys.size > 512) ctx.keys.clear();
    ctx.keys.set(id, k);
  }
  return k;
}

function randomBytes(seed: string, n: number): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => r.int(256));
}

/** 8-bit pixels as the plain input of the variant: uint8 v, unit v/255, real n(v/255) (it encrypts after normalization). */
function plainFromBytes(bytes: Images, domain: Domain, norm: NormalizationName): Images {
  if (domain === 'uint8') return bytes;
  const unit = { ...bytes, data: bytes.data.map((v) => v / 255) };
  return domain === 'unit' ? unit : modelInput(unit, 'unit', normalization(norm, bytes.channels));
}

function encryptImages(ctx: Ctx, img: Images, blockSize: number, key: unknown): Images {
  const batch = toBlocks(img, blockSize);
  const out = ctx.v.encrypt(batch, key);
  const bad = batchProblems(out, batch, 'encrypt');
  if (bad.length > 0) finding(bad[0].message);
  return fromBlocks(out);
}

function formatValue(x: unknown): string {
  const s = JSON.stringify(x, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) v = Array.from(v as unknown as ArrayLike<number>);
    if (Array.isArray(v) && v.length > 16) return [...v.slice(0, 16), `…(+${v.length - 16})`];
    return v;
  });
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

function runProperty<T>(ctx: Ctx, id: string, arb: fc.Arbitrary<T>, body: (t: T) => void, runs = ctx.runs): Outcome {
  const details = fc.check(
    fc.property(arb, (t) => {
      body(t);
    }),
    { seed: ctx.seed, numRuns: runs, path: ctx.path, endOnFailure: ctx.path !== undefined },
  );
  if (!details.failed) return { ok: true };
  if (details.counterexample === null) return { ok: false, message: details.interrupted ? 'interrupted' : `too many runs skipped (${details.numSkips}): no valid input found` };
  const err = details.errorInstance;
  const message = err instanceof Finding ? err.message : `the variant threw on valid input: ${describeError(err)}`;
  return {
    ok: false,
    message,
    counterexample: formatValue(details.counterexample[0]),
    replay: { seed: details.seed, path: details.counterexamplePath, command: `cipherpatch fuzz ${ctx.invocation} --only ${id} --seed ${details.seed} --path "${details.counterexamplePath}"` },
  };
}

function result(id: string, title: string, verdict: Verdict, detail: string, o?: Outcome): CheckResult {
  return { id, title, verdict, detail, ...(o?.counterexample !== undefined ? { counterexample: o.counterexample } : {}), ...(o?.replay !== undefined ? { replay: o.replay } : {}) };
}

const keySeedArb = fc.string({ maxLength: 6 });

/** Params for value-array properties: grid-bound variants get a 2×2 grid. */
function workParams(v: Variant<unknown>): VariantParams {
  return v.gridBound ? { ...v.params, rows: 2, cols: 2 } : v.params;
}

interface BatchCase {
  readonly keySeed: string;
  readonly images: number;
  readonly rows: number;
  readonly cols: number;
  readonly values: number[];
}

function valueArb(domain: Domain, bytes: boolean): fc.Arbitrary<number> {
  if (bytes || domain === 'uint8') return fc.integer({ min: 0, max: 255 }).map((v) => fromByte(v, domain));
  const [min, max] = domain === 'unit' ? [0, 1] : [-3, 3];
  return fc.double({ min, max, noNaN: true }).map((x) => (x === 0 ? 0 : x));
}

function batchCaseArb(ctx: Ctx, params: VariantParams, bytes: boolean): fc.Arbitrary<BatchCase> {
  const grid = ctx.v.gridBound
    ? fc.record({ images: fc.integer({ min: 1, max: 2 }), rows: fc.constant(params.rows as number), cols: fc.constant(params.cols as number) })
    : fc.record({ images: fc.integer({ min: 1, max: 2 }), rows: fc.integer({ min: 1, max: 2 }), cols: fc.integer({ min: 1, max: 2 }) });
  const pb = blockLength(params);
  return fc
    .tuple(keySeedArb, grid)
    .chain(([keySeed, g]) => {
      const n = g.images * g.rows * g.cols * pb;
      return fc.array(valueArb(ctx.dom.input, bytes), { minLength: n, maxLength: n }).map((values) => ({ keySeed, ...g, values }));
    });
}

function batchOf(params: VariantParams, c: Omit<BatchCase, 'keySeed' | 'values'>, values: ArrayLike<number>): BlockBatch {
  return { data: Float64Array.from(values), images: c.images, rows: c.rows, cols: c.cols, blockSize: params.blockSize, channels: params.channels };
}

function where(b: BlockBatch, i: number): string {
  const pb = blockLength(b);
  return `block ${Math.floor(i / pb)}, k=${i % pb}`;
}

function sameData(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

// ------------------------------------------------------------------ basic checks

function checkShape(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const o = runProperty(ctx, 'shape', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const e = ctx.v.encrypt(b, key);
    const bad = batchProblems(e, b, 'encrypt');
    if (bad.length > 0) finding(bad[0].message);
    const d = ctx.v.decrypt(e, key);
    const bad2 = batchProblems(d, b, 'decrypt');
    if (bad2.length > 0) finding(bad2[0].message);
  });
  return o.ok ? result('shape', 'shape preserved', 'pass', 'encrypt and decrypt return batches of the input shape') : result('shape', 'shape preserved', 'fail', o.message!, o);
}

function checkDomain(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const { input, output } = ctx.dom;
  const o = runProperty(ctx, 'domain', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const e = ctx.v.encrypt(b, key);
    const i = e.data.findIndex((x) => !inDomain(x, output));
    if (i >= 0) finding(`encrypted value ${e.data[i]} (${where(b, i)}) is outside the declared output domain "${output}"`);
    const d = ctx.v.decrypt(e, key);
    const j = d.data.findIndex((x) => !inDomain(x, input));
    if (j >= 0) finding(`decrypted value ${d.data[j]} (${where(b, j)}) is outside the declared input domain "${input}"`);
  });
  return o.ok ? result('domain', 'domain preserved', 'pass', `${input} in, ${output} out`) : result('domain', 'domain preserved', 'fail', o.message!, o);
}

function checkStorable(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const { input, output } = ctx.dom;
  const grid = output === 'uint8' ? 'integers 0..255' : output === 'unit' ? 'multiples of 1/255' : '(2v − 255)/255, 8-bit values after 0.5/0.5';
  const o = runProperty(ctx, 'storable', batchCaseArb(ctx, params, true), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const e = ctx.v.encrypt(b, key);
    const i = e.data.findIndex((x) => !isByteValue(x, output));
    if (i >= 0) finding(`encrypted value ${e.data[i]} (${where(b, i)}) is not an 8-bit value of the ${output} domain (${grid}): the encrypted image cannot be stored as an 8-bit image without losing information`);
  });
  return o.ok
    ? result('storable', '8-bit storable', 'pass', `8-bit pixels encrypt to 8-bit pixels (${input} → ${output}, ${grid})`)
    : result('storable', '8-bit storable', 'fail', o.message!, o);
}

function checkInvertible(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const exact = ctx.dom.input === 'uint8';
  let worst = 0;
  const o = runProperty(ctx, 'invertible', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const b = batchOf(params, c, c.values);
    const d = ctx.v.decrypt(ctx.v.encrypt(b, key), key);
    for (let i = 0; i < b.data.length; i++) {
      const ok = exact ? d.data[i] === b.data[i] : close(d.data[i], b.data[i], TOL.roundTrip);
      if (!ok) finding(`decrypt(encrypt(x)) ≠ x: value ${i} (${where(b, i)}) was ${b.data[i]}, came back as ${d.data[i]}`);
      worst = Math.max(worst, Math.abs(d.data[i] - b.data[i]));
    }
  });
  const detail = exact ? 'exactly' : worst === 0 ? 'exactly (float64)' : `within float rounding (max |error| ${worst.toExponential(1)})`;
  return o.ok ? result('invertible', 'decrypt ∘ encrypt = id', 'pass', detail) : result('invertible', 'decrypt ∘ encrypt = id', 'fail', o.message!, o);
}

function checkDeterministic(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const o = runProperty(ctx, 'deterministic', batchCaseArb(ctx, params, false), (c) => {
    const k1 = ctx.v.generateKey(params, c.keySeed);
    const k2 = ctx.v.generateKey(params, c.keySeed);
    if (ctx.v.serializeKey(k1) !== ctx.v.serializeKey(k2)) finding(`generateKey with seed ${JSON.stringify(c.keySeed)} gave two different keys`);
    const b = batchOf(params, c, c.values);
    const before = Float64Array.from(b.data);
    const e1 = ctx.v.encrypt(b, k1);
    if (sameData(b.data, before) >= 0) finding(`encrypt modified its input batch (value ${sameData(b.data, before)})`);
    const e2 = ctx.v.encrypt(b, k1);
    const e3 = ctx.v.encrypt(b, k2);
    const i = sameData(e1.data, e2.data);
    if (i >= 0) finding(`encrypting the same batch twice with the same key differs at value ${i}: ${e1.data[i]} vs ${e2.data[i]}`);
    const j = sameData(e1.data, e3.data);
    if (j >= 0) finding(`two keys from the same seed encrypt differently at value ${j}`);
  });
  if (!o.ok) return result('deterministic', 'deterministic', 'fail', o.message!, o);
  // Secure keys: fresh ones must differ (unless the claimed key space is tiny).
  const claimed = ctx.v.keySpace?.size(params);
  if (claimed === undefined || claimed >= 2n ** 32n) {
    const texts = Array.from({ length: 4 }, () => ctx.v.serializeKey(ctx.v.generateKey(params)));
    if (new Set(texts).size < texts.length) return result('deterministic', 'deterministic', 'fail', 'generateKey without a seed returned the same key twice in 4 calls: keys are not drawn from a secure source', { ok: false, counterexample: texts[0].slice(0, 300) });
    return result('deterministic', 'deterministic', 'pass', 'same key → same output, same seed → same key; 4 secure keys all differ');
  }
  return result('deterministic', 'deterministic', 'pass', `same key → same output, same seed → same key (secure keys not compared: only ${claimed} keys)`);
}

function checkSerialization(ctx: Ctx): CheckResult {
  const params = workParams(ctx.v);
  const o = runProperty(ctx, 'serialization', batchCaseArb(ctx, params, false), (c) => {
    const key = keyFor(ctx, params, c.keySeed);
    const text = ctx.v.serializeKey(key);
    if (typeof text !== 'string') finding(`serializeKey returned ${typeof text}, expected a string`);
    const back = ctx.v.parseKey(text);
    const again = ctx.v.serializeKey(back);
    if (again !== text) finding(`serializeKey(parseKey(text)) ≠ text: ${JSON.stringify(text.slice(0, 80))}… came back as ${JSON.stringify(again.slice(0, 80))}…`);
    const b = batchOf(params, c, c.values);
    const i = sameData(ctx.v.encrypt(b, key).data, ctx.v.encrypt(b, back).data);
    if (i >= 0) finding(`the parsed key encrypts differently from the original at value ${i}`);
  });
  if (!o.ok) return result('serialization', 'key (de)serialization', 'fail', o.message!, o);
  let garbage: string | undefined;
  try {
    ctx.v.parseKey('{"not": "a key"}');
    garbage = 'parseKey accepted {"not": "a key"}: bad key text must be rejected';
  } catch {
    // rejected, as it should be
  }
  return garbage === undefined ? result('serialization', 'key (de)serialization', 'pass', 'parseKey ∘ serializeKey keeps the key; bad text is rejected') : result('serialization', 'key (de)serialization', 'fail', garbage);
}

// ------------------------------------------------------------------ known answers

/**
 * The variant's known answers (contract.ts, KnownAnswers): every vector's
 * ciphertext exactly (Object.is apart from ±0: these are an independent
 * implementation's outputs, so even one ulp is a different cipher), decrypt
 * back to the plain values (exact for uint8, else within the round-trip
 * tolerance), and the primitive's own samples. n/a without known answers.
 */
function checkKnownAnswer(ctx: Ctx): CheckResult {
  const id = 'known-answer';
  const title = 'known answers match';
  const ka = ctx.v.knownAnswers;
  if (ka === undefined) return result(id, title, 'n/a', 'no known-answer vectors declared');
  if (typeof ka !== 'object' || ka === null || typeof ka.source !== 'string') return result(id, title, 'fail', '"knownAnswers" must be an object { source, vectors?, primitive? }');
  if (ka.vectors === undefined && ka.primitive === undefined) return result(id, title, 'fail', `knownAnswers (${ka.source}) declares neither vectors() nor primitive()`);
  const vectors = ka.vectors?.() ?? [];
  let values = 0;
  for (const kv of vectors) {
    const want = kv.encrypted;
    const got = ctx.v.encrypt(kv.plain, kv.key);
    const bad = batchProblems(got, kv.plain, 'encrypt');
    if (bad.length > 0) return result(id, title, 'fail', `${kv.id}: ${bad[0].message}`);
    if (want.length !== got.data.length) return result(id, title, 'fail', `${kv.id}: the vector has ${want.length} encrypted values, the batch ${got.data.length}`);
    for (let i = 0; i < want.length; i++) {
      if (got.data[i] !== want[i]) return result(id, title, 'fail', `${kv.id} (${ka.source}): value ${i} (${where(kv.plain, i)}) = ${kv.plain.data[i]} encrypts to ${got.data[i]}, the known answer is ${want[i]}`);
    }
    const back = ctx.v.decrypt({ ...kv.plain, data: Float64Array.from(want) }, kv.key);
    for (let i = 0; i < want.length; i++) {
      const ok = ctx.dom.input === 'uint8' ? back.data[i] === kv.plain.data[i] : close(back.data[i], kv.plain.data[i], TOL.roundTrip);
      if (!ok) return result(id, title, 'fail', `${kv.id} (${ka.source}): the known ciphertext value ${i} = ${want[i]} decrypts to ${back.data[i]}, the plain value is ${kv.plain.data[i]}`);
    }
    values += want.length;
  }
  const prim = ka.primitive?.();
  if (vectors.length === 0 && prim === undefined) return result(id, title, 'n/a', `${ka.source}: no vectors for this variant`);
  if (prim !== undefined && prim.mismatches.length > 0) return result(id, title, 'fail', `${ka.source}: ${prim.mismatches.length} of ${prim.checked} samples of the cipher inside differ; first: ${prim.mismatches[0]}`);
  const parts = [
    ...(vectors.length > 0 ? [`${vectors.length} vector${vectors.length === 1 ? '' : 's'} (${values} values) encrypt and decrypt exactly as recorded`] : []),
    ...(prim !== undefined ? [`${prim.checked} samples of the cipher inside match`] : []),
  ];
  return result(id, title, 'pass', `${parts.join('; ')} (${ka.source})`);
}

// ------------------------------------------------------------------ keys

/** Encryption fingerprints of a key on two probes (distinct values; random values). */
function probes(ctx: Ctx, params: VariantParams): BlockBatch[] {
  const rows = params.rows ?? 1;
  const cols = params.cols ?? 2;
  const n = rows * cols * blockLength(params);
  const distinct = Float64Array.from({ length: n }, (_, i) => fromByte(1 + (i % 126), ctx.dom.input));
  const random = randomBytes(`probe/${describeParams(params)}`, n).map((v) => fromByte(v, ctx.dom.input));
  return [distinct, random].map((data) => ({ data, images: 1, rows, cols, blockSize: params.blockSize, channels: params.channels }));
}

function fingerprint(ctx: Ctx, batches: BlockBatch[], key: unknown): string {
  return batches.map((b) => ctx.v.encrypt(b, key).data.join(',')).join('|');
}

interface Enumeration {
  readonly count: TinyCount;
  /** Two keys with different serializations and one function. */
  readonly equivalent?: [string, string];
  /** A key the enumerator yields twice. */
  readonly duplicate?: string;
}

function enumerateFunctions(ctx: Ctx, params: VariantParams, claimed: bigint): Enumeration {
  const batches = probes(ctx, params);
  const byFunction = new Map<string, string>();
  const texts = new Set<string>();
  let enumerated = 0;
  let equivalent: [string, string] | undefined;
  let duplicate: string | undefined;
  for (const key of ctx.v.keySpace!.enumerate!(params)) {
    enumerated++;
    if (enumerated > Number(claimed) + 1) break;
    const text = ctx.v.serializeKey(key);
    if (texts.has(text)) duplicate ??= text;
    texts.add(text);
    const f = fingerprint(ctx, batches, key);
    const other = byFunction.get(f);
    if (other === undefined) byFunction.set(f, text);
    else if (other !== text) equivalent ??= [other, text];
  }
  return { count: { params, claimed: claimed.toString(), enumerated, distinct: byFunction.size }, ...(equivalent ? { equivalent } : {}), ...(duplicate ? { duplicate } : {}) };
}

function tinyParams(ctx: Ctx): VariantParams[] {
  const ks = ctx.v.keySpace!;
  const candidates: VariantParams[] =
    ks.tinyParams !== undefined
      ? [...ks.tinyParams]
      : [1, 2].flatMap((blockSize) =>
          [1, 2, 3, 4].flatMap((channels) =>
            ctx.v.gridBound
              ? [
                  [1, 2],
                  [2, 2],
                ].map(([rows, cols]) => ({ blockSize, channels, rows, cols }))
              : [{ blockSize, channels }],
          ),
        );
  return candidates.filter((p) => ctx.v.supports?.(p) === undefined && ks.size(p) >= 1n && ks.size(p) <= BigInt(ctx.limit));
}

function oneLine(text: string): string {
  const compact = text.replace(/\s+/g, ' ').trim();
  return compact.length > 200 ? `${compact.slice(0, 200)}…` : compact;
}

function checkKeySensitivity(ctx: Ctx): CheckResult {
  const title = 'different keys, different ciphertexts';
  const params = workParams(ctx.v);
  const ks = ctx.v.keySpace;
  if (ks?.enumerate !== undefined && ks.size(params) <= 4096n) {
    // Small key space: every pair of keys at this size, exhaustively.
    const e = enumerateFunctions(ctx, params, ks.size(params));
    if (e.equivalent !== undefined) {
      return result('key-sensitivity', title, 'fail', `exhaustive over all ${e.count.enumerated} keys at ${describeParams(params)}: two different keys encrypt every probe identically (${e.count.distinct} distinct functions)`, {
        ok: false,
        counterexample: `${oneLine(e.equivalent[0])} ≡ ${oneLine(e.equivalent[1])}`,
      });
    }
    return result('key-sensitivity', title, 'pass', `exhaustive: all ${e.count.enumerated} keys at ${describeParams(params)} give different ciphertexts`);
  }
  const arb = fc.record({ a: keySeedArb, b: keySeedArb, image: fc.integer() });
  const o = runProperty(ctx, 'key-sensitivity', arb, ({ a, b, image }) => {
    fc.pre(a !== b);
    const ka = keyFor(ctx, params, a);
    const kb = keyFor(ctx, params, b);
    fc.pre(ctx.v.serializeKey(ka) !== ctx.v.serializeKey(kb));
    const rows = params.rows ?? 2;
    const cols = params.cols ?? 2;
    const data = randomBytes(`generic/${image}`, rows * cols * blockLength(params)).map((v) => fromByte(v, ctx.dom.input));
    const batch: BlockBatch = { data, images: 1, rows, cols, blockSize: params.blockSize, channels: params.channels };
    if (sameData(ctx.v.encrypt(batch, ka).data, ctx.v.encrypt(batch, kb).data) < 0) finding(`keys from seeds ${JSON.stringify(a)} and ${JSON.stringify(b)} differ but encrypt a generic image identically: equivalent keys`);
  });
  return o.ok ? result('key-sensitivity', title, 'pass', `${ctx.runs} random key pairs: all encrypt a generic image differently`) : result('key-sensitivity', title, 'fail', o.message!, o);
}

function checkKeySpace(ctx: Ctx): { space: CheckResult; equivalent: CheckResult; tiny: TinyCount[]; log2Paper?: number; paper?: string } {
  const ks = ctx.v.keySpace;
  const eqTitle = 'no equivalent keys (tiny sizes)';
  const ksTitle = 'claimed key space = brute force';
  if (ks === undefined) {
    const na = 'no claimed key space (keySpace absent)';
    return { space: result('key-space', ksTitle, 'n/a', na), equivalent: result('equivalent-keys', eqTitle, 'n/a', na), tiny: [] };
  }
  const paper = ks.size(ctx.v.params);
  const log2Paper = log2BigInt(paper);
  const at = `log2 = ${log2Paper.toFixed(1)} at ${describeParams(ctx.v.params)} (claimed ${ks.formula})`;
  if (ks.enumerate === undefined) {
    return { space: result('key-space', ksTitle, 'n/a', `${at}; no enumerator, nothing to brute-force`), equivalent: result('equivalent-keys', eqTitle, 'n/a', 'no key enumerator'), tiny: [], log2Paper, paper: paper.toString() };
  }
  const sizes = tinyParams(ctx);
  if (sizes.length === 0) {
    const na = `no tiny size with at most ${ctx.limit} keys`;
    return { space: result('key-space', ksTitle, 'n/a', `${at}; ${na}`), equivalent: result('equivalent-keys', eqTitle, 'n/a', na), tiny: [], log2Paper, paper: paper.toString() };
  }
  const runs = sizes.map((p) => enumerateFunctions(ctx, p, ks.size(p)));
  const tiny = runs.map((r) => r.count);
  const counts = tiny.map((t) => `${describeParams(t.params)}: ${t.distinct}${t.distinct === Number(t.claimed) && t.enumerated === Number(t.claimed) ? '' : ` of ${t.claimed} claimed (${t.enumerated} enumerated)`}`).join('; ');
  const wrong = runs.find((r) => r.count.distinct !== Number(r.count.claimed) || r.count.enumerated !== Number(r.count.claimed) || r.duplicate !== undefined);
  let space: CheckResult;
  if (wrong === undefined) space = result('key-space', ksTitle, 'pass', `${at}; distinct encryption functions = claimed at ${tiny.length} tiny sizes (${counts})`);
  else {
    const t = wrong.count;
    const why =
      wrong.duplicate !== undefined
        ? 'the enumerator yields a key twice'
        : t.enumerated !== Number(t.claimed)
          ? `the enumerator yields ${t.enumerated > Number(t.claimed) ? 'more' : t.enumerated} keys, the formula claims ${t.claimed}`
          : `only ${t.distinct} distinct encryption functions of ${t.claimed} claimed (effective log2 ${Math.log2(t.distinct).toFixed(2)} vs ${Math.log2(Number(t.claimed)).toFixed(2)})`;
    space = result('key-space', ksTitle, 'fail', `${at}; at ${describeParams(t.params)}: ${why}`, { ok: false, counterexample: wrong.duplicate !== undefined ? oneLine(wrong.duplicate) : wrong.equivalent ? `${oneLine(wrong.equivalent[0])} ≡ ${oneLine(wrong.equivalent[1])}` : undefined });
  }
  const eq = runs.find((r) => r.equivalent !== undefined);
  const equivalent = eq
    ? result('equivalent-keys', eqTitle, 'fail', `at ${describeParams(eq.count.params)}: different keys, one encryption function (${eq.count.distinct} functions from ${eq.count.enumerated} keys)`, {
        ok: false,
        counterexample: `${oneLine(eq.equivalent![0])} ≡ ${oneLine(eq.equivalent![1])}`,
      })
    : result('equivalent-keys', eqTitle, 'pass', `every key a different function at ${tiny.length} tiny sizes (${tiny.reduce((s, t) => s + t.enumerated, 0)} keys)`);
  return { space, equivalent, tiny, log2Paper, paper: paper.toString() };
}

// ------------------------------------------------------------------ adaptability

function adapterNormalizations(v: Variant<unknown>): readonly NormalizationName[] {
  const n = v.adapter?.normalizations;
  return n === undefined || n === 'any' ? NORMALIZATION_NAMES : n;
}

/** The normalization the model is assumed trained with: the adapter's first claimed one, else 0.5/0.5. */
function baseNormalization(v: Variant<unknown>): NormalizationName {
  return adapterNormalizations(v)[0];
}

/** Image side lengths for block size M and patch size P (at least 2 patches). */
function imageSides(v: Variant<unknown>, params: VariantParams, patch: number, a: number, b: number): [number, number] {
  if (v.gridBound) return [(params.rows as number) * params.blockSize, (params.cols as number) * params.blockSize];
  const L = lcm(params.blockSize, patch);
  return [a * L, b * L];
}

const sidesArb = fc.constantFrom<[number, number]>([1, 2], [2, 1], [2, 2]);

/** Params for block size M with patch size P: grid-bound variants get a grid of 2·lcm(M, P) pixels a side. */
function paramsFor(v: Variant<unknown>, blockSize: number, patch: number): VariantParams {
  const base = { ...v.params, blockSize };
  if (!v.gridBound) return { blockSize, channels: v.params.channels };
  const side = 2 * lcm(blockSize, patch);
  return { ...base, rows: side / blockSize, cols: side / blockSize };
}

function bytesImage(seed: string, count: number, channels: number, height: number, width: number): Images {
  return { data: randomBytes(seed, count * channels * height * width), count, channels, height, width };
}

/**
 * Whether the encryption (block size M) can be undone by one linear patch
 * embedding of patch size P: it must be (1) local to each patch, (2) affine,
 * (3) the same linear map in every patch and (4) with the same offset.
 * Each is probed with single-value changes of δ on the 8-bit grid.
 */
function affinityProperty(ctx: Ctx, id: string, params: VariantParams, patch: number, runs: number, keyPool: boolean): Outcome {
  const P = patch;
  const C = params.channels;
  const arb = fc.record({
    key: keyPool ? fc.integer({ min: 0, max: 7 }).map((i) => `pool-${i}`) : keySeedArb,
    sides: sidesArb,
    x: fc.integer(),
    z: fc.integer(),
    t: fc.nat(),
    delta: fc.integer({ min: 1, max: 255 }),
    q: fc.nat(),
  });
  return runProperty(
    ctx,
    id,
    arb,
    (c) => {
      const key = keyFor(ctx, params, c.key);
      const [H, W] = imageSides(ctx.v, params, P, c.sides[0], c.sides[1]);
      const shape = { count: 1, channels: C, height: H, width: W };
      const bx = bytesImage(`x/${c.x}`, 1, C, H, W);
      const bz = bytesImage(`z/${c.z}`, 1, C, H, W);
      const n = C * H * W;
      const t = c.t % n;
      const ty = Math.floor(t / W) % H;
      const tx = t % W;
      const tc = Math.floor(t / (H * W));
      const patchesAcross = W / P;
      const patchCount = (H / P) * patchesAcross;
      const pIndex = Math.floor(ty / P) * patchesAcross + Math.floor(tx / P);
      const qIndex = patchCount < 2 ? pIndex : (pIndex + 1 + (c.q % (patchCount - 1))) % patchCount;
      const patchOf = (i: number) => Math.floor((Math.floor(i / W) % H) / P) * patchesAcross + Math.floor((i % W) / P);
      const index = (ch: number, y: number, x: number) => (ch * H + y) * W + x;
      const origin = (pi: number) => [Math.floor(pi / patchesAcross) * P, (pi % patchesAcross) * P] as const;
      const [qy, qx] = origin(qIndex);
      const [py, px] = origin(pIndex);
      const t2 = index(tc, qy + (ty - py), qx + (tx - px));
      const room = 256 - c.delta;
      const enc = (bytes: Images) => encryptImages(ctx, plainFromBytes(bytes, ctx.dom.input, '0.5/0.5'), params.blockSize, key);
      const bump = (bytes: Images, at: number, by: number) => {
        const d = Float64Array.from(bytes.data);
        d[at] = (d[at] % room) + by;
        return { ...bytes, data: d };
      };
      const x0 = bump(bx, t, 0);
      const x1 = bump(bx, t, c.delta);
      const z0 = bump(bz, t, 0);
      const z1 = bump(bz, t, c.delta);
      const [ex0, ex1, ez0, ez1] = [x0, x1, z0, z1].map(enc);
      const desc = (i: number) => describeValue(shape, i);
      const tol = (a: number, b: number) => close(a, b, TOL.affinity);
      // (1) locality: encrypted patch p must not change when only plain values outside it change.
      if (patchCount >= 2) {
        const outside = Float64Array.from(bz.data);
        for (let ch = 0; ch < C; ch++) for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) outside[index(ch, py + i, px + j)] = x0.data[index(ch, py + i, px + j)];
        const eo = enc({ ...x0, data: outside });
        for (let ch = 0; ch < C; ch++)
          for (let i = 0; i < P; i++)
            for (let j = 0; j < P; j++) {
              const at = index(ch, py + i, px + j);
              if (!tol(eo.data[at], ex0.data[at])) {
                finding(`not local: encrypted patch ${pIndex} changes (at ${desc(at)}: ${ex0.data[at]} → ${eo.data[at]}) when only plain values outside it change; an encrypted patch depends on plain values outside it, so no patch embedding (patch ${P}, block ${params.blockSize}) can undo the encryption`);
              }
            }
      }
      // (2) affinity, and no effect outside the patch.
      for (let i = 0; i < n; i++) {
        const dx = ex1.data[i] - ex0.data[i];
        if (patchOf(i) !== pIndex && !tol(dx, 0)) {
          finding(`not local: adding ${c.delta} to the plain value at ${desc(t)} (patch ${pIndex}) changes the encrypted value at ${desc(i)} in patch ${patchOf(i)} by ${dx}; an encrypted patch depends on plain values outside it, so no patch embedding (patch ${P}, block ${params.blockSize}) can undo the encryption`);
        }
        const dz = ez1.data[i] - ez0.data[i];
        if (!tol(dz, dx)) {
          finding(`not affine: adding ${c.delta} to the plain value at ${desc(t)} changes the encrypted value at ${desc(i)} by ${dx} in one image but by ${dz} in another (plain ${x0.data[t]} vs ${z0.data[t]} there); no linear patch embedding can undo it`);
        }
      }
      if (patchCount < 2) return;
      // (3) the same change in another patch acts the same way.
      const y0 = bump(bx, t2, 0);
      const y1 = bump(bx, t2, c.delta);
      const [ey0, ey1] = [y0, y1].map(enc);
      for (let ch = 0; ch < C; ch++)
        for (let i = 0; i < P; i++)
          for (let j = 0; j < P; j++) {
            const a = index(ch, py + i, px + j);
            const b = index(ch, qy + i, qx + j);
            const dp = ex1.data[a] - ex0.data[a];
            const dq = ey1.data[b] - ey0.data[b];
            if (!tol(dq, dp)) {
              finding(`not the same in every patch: adding ${c.delta} at in-patch position (c=${tc}, i=${ty - py}, j=${tx - px}) changes encrypted in-patch value (c=${ch}, i=${i}, j=${j}) by ${dp} in patch ${pIndex} but by ${dq} in patch ${qIndex}; the patches would need different adapters, and a conv patch embedding shares one`);
            }
          }
      // (4) equal plain patches encrypt to equal patches (one bias for all).
      const w = Float64Array.from(x0.data);
      for (let ch = 0; ch < C; ch++) for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) w[index(ch, qy + i, qx + j)] = w[index(ch, py + i, px + j)];
      const ew = enc({ ...x0, data: w });
      for (let ch = 0; ch < C; ch++)
        for (let i = 0; i < P; i++)
          for (let j = 0; j < P; j++) {
            const a = ew.data[index(ch, py + i, px + j)];
            const b = ew.data[index(ch, qy + i, qx + j)];
            if (!tol(b, a)) finding(`patches ${pIndex} and ${qIndex} hold the same plain values but encrypt differently at in-patch (c=${ch}, i=${i}, j=${j}): ${a} vs ${b}; each patch would need its own bias`);
          }
    },
    runs,
  );
}

interface Fit {
  readonly fit: AffineFit;
  readonly shape: AdapterShape;
  readonly exact: boolean;
}

/** Least squares: the plain model-input patch as an affine function of the encrypted one, on seeded random images. */
function leastSquares(ctx: Ctx, params: VariantParams, patch: number, norm: NormalizationName): Fit {
  const P = patch;
  const C = params.channels;
  const p = P * P * C;
  const key = keyFor(ctx, params, `least-squares/${ctx.seed}`);
  const [H, W] = imageSides(ctx.v, params, P, 2, 2);
  const perImage = (H / P) * (W / P);
  const count = Math.ceil((p + 1 + 32) / perImage);
  const bytes = bytesImage(`least-squares/${ctx.seed}/${params.blockSize}/${P}`, count, C, H, W);
  const n = normalization(norm, C);
  const plain = plainFromBytes(bytes, ctx.dom.input, norm);
  const cipher = encryptImages(ctx, plain, params.blockSize, key);
  const x = toBlocks(modelInput(plain, ctx.dom.input, n), P).data;
  const y = toBlocks(modelInput(cipher, ctx.dom.output, n), P).data;
  const fit = fitAffine(y, x, x.length / p, p, p);
  return { fit, shape: adapterShape(fit), exact: fit.residual <= TOL.adapterResidual.atol };
}

function describeFit(f: Fit): string {
  if (!f.exact) return `best affine fit leaves residual ${f.fit.residual.toExponential(2)} (${f.fit.samples} patches)`;
  const bias = f.shape.biasUnchanged ? "b′ = b" : `b′ = b + c·E (max |c| = ${f.shape.biasCorrection.toPrecision(3)})`;
  const s = f.shape;
  const what = [s.permuted ? 'permuted' : '', s.negated ? 'negated' : '', s.rescaled ? 'rescaled' : ''].filter((x) => x !== '');
  const rows = s.form === 'dense' ? 'E′ = A·E, A dense' : what.length === 0 ? 'E′ = E' : `E′ = rows of E ${what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`}`;
  return `${rows}, ${bias} (residual ${f.fit.residual.toExponential(1)})`;
}

function adapterProperty(ctx: Ctx, norm: NormalizationName, runs: number): Outcome {
  const v = ctx.v;
  const params = v.params;
  const M = params.blockSize;
  const C = params.channels;
  const p = M * M * C;
  const arb = fc.record({ key: keySeedArb, sides: sidesArb, image: fc.integer(), dim: fc.integer({ min: 1, max: 3 }), weights: fc.integer() });
  return runProperty(
    ctx,
    'adapter',
    arb,
    (c) => {
      const key = keyFor(ctx, params, c.key);
      const [H, W] = imageSides(v, params, M, c.sides[0], c.sides[1]);
      const n = normalization(norm, C);
      const plain = plainFromBytes(bytesImage(`image/${c.image}`, 1, C, H, W), ctx.dom.input, norm);
      const cipher = encryptImages(ctx, plain, M, key);
      const r = seededRandom(`weights/${c.weights}`);
      const uniform = () => r.int(2 ** 20) / 2 ** 19 - 1;
      const e: PatchEmbedding = { dim: c.dim, channels: C, patch: M, weight: Float64Array.from({ length: c.dim * p }, uniform), bias: Float64Array.from({ length: c.dim }, uniform) };
      const adapted = v.adapter!.adapt({ ...e, weight: Float64Array.from(e.weight), bias: Float64Array.from(e.bias) }, key, n);
      if (!(adapted?.weight instanceof Float64Array) || adapted.weight.length !== e.weight.length) finding(`adapter.adapt returned a weight of ${adapted?.weight?.length} values, expected ${e.weight.length}`);
      if (!(adapted.bias instanceof Float64Array) || adapted.bias.length !== c.dim) finding(`adapter.adapt returned a bias of ${adapted.bias?.length} values, expected ${c.dim}`);
      const z = embed(modelInput(plain, ctx.dom.input, n), e);
      const z2 = embed(modelInput(cipher, ctx.dom.output, n), { ...e, weight: adapted.weight, bias: adapted.bias });
      for (let i = 0; i < z.length; i++) {
        if (!close(z2[i], z[i], TOL.embedding)) finding(`under normalization ${norm}: patch ${Math.floor(i / c.dim)}, output ${i % c.dim}: plain model ${z[i]}, adapted model on the encrypted image ${z2[i]}`);
      }
    },
    runs,
  );
}

// ------------------------------------------------------------------ the battery

function selected(options: FuzzOptions, id: string): boolean {
  const only = options.only;
  if (only === undefined || only.length === 0) return true;
  return only.some((o) => id === o || id.startsWith(`${o}:`));
}

/** Whether any selected check lies under this prefix (e.g. "norm" when only "norm:none" runs). */
function wants(options: FuzzOptions, prefix: string): boolean {
  const only = options.only;
  if (only === undefined || only.length === 0) return true;
  return only.some((o) => o === prefix || o.startsWith(`${prefix}:`) || prefix.startsWith(`${o}:`));
}

function ruleOf(pairs: readonly PairFinding[]): string {
  const known = pairs.filter((p) => p.adaptable !== null);
  if (known.length === 0) return 'no supported block size';
  const is = (f: (p: PairFinding) => boolean) => known.every((p) => p.adaptable === f(p));
  if (is(() => true)) return 'any M, P';
  if (is(() => false)) return 'never';
  if (is((p) => p.patchSize % p.blockSize === 0)) return 'M divides P';
  if (is((p) => p.patchSize === p.blockSize)) return 'M = P';
  return `only (M, P) ∈ {${known.filter((p) => p.adaptable).map((p) => `(${p.blockSize}, ${p.patchSize})`).join(', ')}}`;
}

/** Every check id the battery can produce (for --only). */
export function checkIds(options: Pick<FuzzOptions, 'blockSizes' | 'patchSizes'> = {}): string[] {
  return [
    'contract',
    'shape',
    'domain',
    'storable',
    'invertible',
    'deterministic',
    'serialization',
    'key-sensitivity',
    'known-answer',
    'equivalent-keys',
    'key-space',
    'adapter',
    'adaptable',
    ...NORMALIZATION_NAMES.map((n) => `norm:${n}`),
    ...(options.blockSizes ?? SIZES).flatMap((m) => (options.patchSizes ?? SIZES).map((p) => `blocks:M=${m}:P=${p}`)),
  ];
}

function checkOnly(options: FuzzOptions): void {
  const ids = checkIds(options);
  for (const o of options.only ?? []) {
    if (!ids.some((id) => id === o || id.startsWith(`${o}:`))) fail('fuzz.unknown-check', `no check "${o}": use ${ids.filter((id) => !id.startsWith('blocks:')).join(', ')}, blocks, blocks:M=<M>, blocks:M=<M>:P=<P>, norm`);
  }
}

/** Runs the battery on a candidate plug-in (validated first). */
export function fuzzVariant(candidate: unknown, options: FuzzOptions = {}): FuzzReport {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const runs = options.runs ?? 100;
  const contract = validateVariant(candidate);
  const named = typeof candidate === 'object' && candidate !== null ? (candidate as Record<string, unknown>) : {};
  const v = candidate as Variant<unknown>;
  const dom = contract.ok ? domainPair(v.domain) : { input: 'uint8' as Domain, output: 'uint8' as Domain };
  const header = {
    name: typeof named.name === 'string' ? named.name : '(unnamed)',
    title: typeof named.title === 'string' ? named.title : '',
    params: (contract.ok ? v.params : { blockSize: 0, channels: 0 }) as VariantParams,
    domain: dom,
    gridBound: named.gridBound === true,
    adapter: named.adapter !== undefined,
  };
  const source = options.source ?? header.name;
  const checks: CheckResult[] = [];
  const emptySummary = { normalizations: [], blockVsPatch: { rule: 'not run', pairs: [] }, keySpace: { tiny: [] } };
  if (!contract.ok) {
    checks.push(result('contract', 'plug-in contract', 'fail', contract.problems.map((p) => `[${p.check}] ${p.message}`).join('; ')));
    return { variant: header, source, seed, runs, contract: contract.problems, checks, summary: emptySummary, seconds: (Date.now() - started) / 1000 };
  }
  checks.push(result('contract', 'plug-in contract', 'pass', 'all functions present, types and shapes right on a smoke run'));
  checkOnly(options);
  const ctx: Ctx = { v, dom, seed, runs, ...(options.path !== undefined ? { path: options.path } : {}), invocation: options.invocation ?? v.name, limit: options.enumerationLimit ?? 20000, keys: new Map() };
  const secondary = Math.max(5, Math.ceil(runs / 4));
  const guard = (id: string, title: string, f: () => CheckResult): CheckResult => {
    try {
      return f();
    } catch (e) {
      return result(id, title, 'fail', e instanceof Finding ? e.message : `the variant threw: ${describeError(e)}`);
    }
  };
  const basic: [string, string, (c: Ctx) => CheckResult][] = [
    ['shape', 'shape preserved', checkShape],
    ['domain', 'domain preserved', checkDomain],
    ['storable', '8-bit storable', checkStorable],
    ['invertible', 'decrypt ∘ encrypt = id', checkInvertible],
    ['deterministic', 'deterministic', checkDeterministic],
    ['serialization', 'key (de)serialization', checkSerialization],
    ['key-sensitivity', 'different keys, different ciphertexts', checkKeySensitivity],
    ['known-answer', 'known answers match', checkKnownAnswer],
  ];
  for (const [id, title, f] of basic) if (selected(options, id)) checks.push(guard(id, title, () => f(ctx)));

  let keySummary: FuzzReport['summary']['keySpace'] = { tiny: [] };
  if (selected(options, 'equivalent-keys') || selected(options, 'key-space')) {
    try {
      const k = checkKeySpace(ctx);
      if (selected(options, 'equivalent-keys')) checks.push(k.equivalent);
      if (selected(options, 'key-space')) checks.push(k.space);
      keySummary = { ...(v.keySpace ? { formula: v.keySpace.formula } : {}), ...(k.paper !== undefined ? { paper: k.paper, log2Paper: k.log2Paper } : {}), tiny: k.tiny };
    } catch (e) {
      checks.push(result('key-space', 'claimed key space = brute force', 'fail', `the variant threw: ${describeError(e)}`));
    }
  }

  // The variant's own adapter, under every normalization (claimed ones decide the verdict).
  const claimedNorms = adapterNormalizations(v);
  const adapterExact = new Map<NormalizationName, Outcome>();
  if (v.adapter !== undefined && (selected(options, 'adapter') || wants(options, 'norm'))) {
    for (const n of NORMALIZATION_NAMES) {
      try {
        adapterExact.set(n, adapterProperty(ctx, n, claimedNorms.includes(n) ? runs : secondary));
      } catch (e) {
        adapterExact.set(n, { ok: false, message: `the variant threw: ${describeError(e)}` });
      }
    }
  }
  if (selected(options, 'adapter')) {
    if (v.adapter === undefined) checks.push(result('adapter', "variant's adapter exact", 'n/a', 'no adapter: see "adaptable" for whether one exists'));
    else {
      const failed = claimedNorms.find((n) => !adapterExact.get(n)!.ok);
      const also = NORMALIZATION_NAMES.filter((n) => !claimedNorms.includes(n));
      const extra = also.length === 0 ? '' : `; not claimed: ${also.map((n) => `${n} ${adapterExact.get(n)!.ok ? 'exact' : 'not exact'}`).join(', ')}`;
      checks.push(
        failed === undefined
          ? result('adapter', "variant's adapter exact", 'pass', `exact under ${claimedNorms.join(', ')} (claimed)${extra}`)
          : result('adapter', "variant's adapter exact", 'fail', adapterExact.get(failed)!.message!, adapterExact.get(failed)),
      );
    }
  }

  // Does an exact adapter exist at the variant's own size (P = M)?
  const M = v.params.blockSize;
  const base = baseNormalization(v);
  let affinity: Outcome | undefined;
  if (selected(options, 'adaptable') || wants(options, 'norm')) {
    try {
      affinity = affinityProperty(ctx, 'adaptable', v.params, M, selected(options, 'adaptable') ? runs : secondary, false);
    } catch (e) {
      affinity = { ok: false, message: `the variant threw: ${describeError(e)}` };
    }
  }
  if (selected(options, 'adaptable')) {
    checks.push(
      guard('adaptable', 'an exact adapter exists (P = M)', () => {
        const f = leastSquares(ctx, v.params, M, base);
        const title = `an exact adapter exists (P = M = ${M})`;
        if (!affinity!.ok) return result('adaptable', title, 'fail', `${affinity!.message} [${describeFit(f)}]`, affinity);
        if (!f.exact) return result('adaptable', title, 'fail', `no counterexample in ${runs} runs, but the ${describeFit(f)}`);
        return result('adaptable', title, 'pass', `under ${base}: ${describeFit(f)}`);
      }),
    );
  }

  const normalizations: NormalizationFinding[] = [];
  for (const n of NORMALIZATION_NAMES) {
    const id = `norm:${n}`;
    if (!selected(options, id)) continue;
    checks.push(
      guard(id, `exact under normalization ${n}`, () => {
        const f = leastSquares(ctx, v.params, M, n);
        const own = v.adapter === undefined ? null : adapterExact.get(n)!.ok;
        const exact = f.exact && (affinity?.ok ?? true);
        normalizations.push({ name: n, exact, residual: f.fit.residual, ...(f.exact ? { form: f.shape.form, biasCorrection: f.shape.biasCorrection } : {}), variantAdapterExact: own });
        const ownText = own === null ? '' : own ? "; the variant's adapter is exact here" : "; the variant's adapter is NOT exact here";
        if (!exact) return result(id, `exact under normalization ${n}`, 'fail', `no exact adapter: ${f.exact ? affinity!.message : describeFit(f)}${ownText}`);
        return result(id, `exact under normalization ${n}`, 'pass', `${describeFit(f)}${ownText}`);
      }),
    );
  }

  // Block size versus patch size.
  const pairs: PairFinding[] = [];
  for (const bm of options.blockSizes ?? SIZES)
    for (const pp of options.patchSizes ?? SIZES) {
      const id = `blocks:M=${bm}:P=${pp}`;
      if (!selected(options, id)) continue;
      const title = `adaptable with block M=${bm}, patch P=${pp}`;
      const params = paramsFor(v, bm, pp);
      let reason: string | undefined;
      try {
        reason = v.supports?.(params) ?? undefined;
      } catch (e) {
        reason = `supports() threw: ${describeError(e)}`;
      }
      if (reason !== undefined) {
        pairs.push({ blockSize: bm, patchSize: pp, adaptable: null });
        checks.push(result(id, title, 'n/a', `unsupported: ${reason}`));
        continue;
      }
      const check = guard(id, title, () => {
        const o = affinityProperty(ctx, id, params, pp, secondary, true);
        if (!o.ok) return result(id, title, 'fail', o.message!, o);
        const f = leastSquares(ctx, params, pp, '0.5/0.5');
        if (!f.exact) return result(id, title, 'fail', `no counterexample in ${secondary} runs, but the ${describeFit(f)}`);
        return result(id, title, 'pass', describeFit(f));
      });
      pairs.push({ blockSize: bm, patchSize: pp, adaptable: check.verdict === 'pass' });
      checks.push(check);
    }

  return {
    variant: header,
    source,
    seed,
    runs,
    contract: [],
    checks,
    summary: { normalizations, blockVsPatch: { rule: pairs.length > 0 ? ruleOf(pairs) : 'not run', pairs }, keySpace: keySummary },
    seconds: (Date.now() - started) / 1000,
  };
}

export function verdictOf(report: FuzzReport, id: string): Verdict | undefined {
  return report.checks.find((c) => c.id === id)?.verdict;
}
