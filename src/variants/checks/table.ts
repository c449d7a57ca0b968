/**
 * The verdict table of the fuzz battery (src/variants/harness.ts): every check
 * it can run, in report order, with its id, its title and what decides its
 * verdict. Every check ends pass, fail or n/a; the module named in each row
 * decides which.
 */
import { NORMALIZATION_NAMES, type NormalizationName } from '../contract.ts';

/** The checks with one id each, in report order: id → title. */
export const TITLES = {
  /** validate.ts: the plug-in satisfies the contract (all functions present, types and shapes right on a smoke run) */
  contract: 'plug-in contract',
  /** shape.ts: encrypt/decrypt keep the batch shape */
  shape: 'shape preserved',
  /** domain.ts: encrypt/decrypt keep their declared domains */
  domain: 'domain preserved',
  /** storable.ts: 8-bit pixels encrypt to 8-bit pixels (a PNG can hold them) */
  storable: '8-bit storable',
  /** invertible.ts: decrypt(encrypt(x)) = x */
  invertible: 'decrypt ∘ encrypt = id',
  /** deterministic.ts: same key, same output; same seed, same key; secure keys differ */
  deterministic: 'deterministic',
  /** serialization.ts: parseKey(serializeKey(k)) encrypts exactly as k */
  serialization: 'key (de)serialization',
  /** keySensitivity.ts: different keys encrypt a generic image differently */
  'key-sensitivity': 'different keys, different ciphertexts',
  /** knownAnswer.ts: the variant's known-answer vectors (an independent implementation's outputs) match exactly; n/a without them */
  'known-answer': 'known answers match',
  /** keySpace.ts: brute force at tiny sizes: no two keys are one function; n/a without an enumerator */
  'equivalent-keys': 'no equivalent keys (tiny sizes)',
  /** keySpace.ts: the claimed count = distinct encryption functions (tiny sizes); n/a without a claim */
  'key-space': 'claimed key space = brute force',
  /** adapter.ts: the variant's adapter: embedding(enc(x), adapt(E)) = embedding(x, E); n/a without one */
  adapter: "variant's adapter exact",
  /**
   * adaptable.ts: whether ANY exact adapter exists (patch P = block M): the
   * encryption must be affine per patch, local to the patch and the same in
   * every patch (affinity.ts); then least squares finds it (leastSquares.ts)
   */
  adaptable: 'an exact adapter exists (P = M)',
} as const;

/** normalization.ts: the adapter search under 0.5/0.5, CIFAR mean/std and no normalization. */
export const normId = (n: NormalizationName) => `norm:${n}`;
export const normTitle = (n: NormalizationName) => `exact under normalization ${n}`;

/** blocks.ts: the adapter search for other block sizes M and patch sizes P; n/a where the variant does not support M. */
export const blocksId = (blockSize: number, patchSize: number) => `blocks:M=${blockSize}:P=${patchSize}`;
export const blocksTitle = (blockSize: number, patchSize: number) => `adaptable with block M=${blockSize}, patch P=${patchSize}`;

/** The default block and patch sizes of the blocks sweep. */
export const SIZES = [1, 2, 4, 8] as const;

/** Every check id the battery can produce (for --only). */
export function checkIds(options: { readonly blockSizes?: readonly number[]; readonly patchSizes?: readonly number[] } = {}): string[] {
  return [
    ...Object.keys(TITLES),
    ...NORMALIZATION_NAMES.map(normId),
    ...(options.blockSizes ?? SIZES).flatMap((m) => (options.patchSizes ?? SIZES).map((p) => blocksId(m, p))),
  ];
}
