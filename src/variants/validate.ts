/**
 * The runtime check of the plug-in contract: a module that does not satisfy
 * it (missing functions, wrong types, throwing on valid input, wrong output
 * shapes) gets a list of problems, each naming what is wrong — never a stack
 * trace. Static checks come first; the behavioural smoke test (one key, one
 * small batch) only runs when they pass.
 */
import { type BlockBatch, type Domain, DOMAINS, type DomainPair, NORMALIZATION_NAMES, type PatchEmbedding, type Variant, type VariantParams, blockLength, describeParams, domainPair, fromByte, normalization } from './contract.ts';

export interface ContractProblem {
  /** contract.not-object, contract.name, contract.params, contract.domain, contract.missing-function, contract.adapter, contract.key-space, contract.throws, contract.wrong-type, contract.wrong-shape, contract.mutates-input, contract.unsupported-params */
  readonly check: string;
  readonly message: string;
}

export interface ContractReport {
  readonly ok: boolean;
  readonly problems: readonly ContractProblem[];
}

const REQUIRED_FUNCTIONS = ['generateKey', 'serializeKey', 'parseKey', 'encrypt', 'decrypt'] as const;

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  return String(e);
}

function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}

const positiveInteger = (x: unknown) => Number.isInteger(x) && (x as number) >= 1;

/** Small valid params for the smoke test: the variant's own, with a 2×2 grid when grid-bound. */
export function smokeParams(v: Variant<unknown>): VariantParams {
  return v.gridBound ? { ...v.params, rows: Math.min(v.params.rows ?? 2, 2), cols: Math.min(v.params.cols ?? 2, 2) } : v.params;
}

/** A batch of 1 image of 2×2 blocks (or the params' grid), 8-bit values of the domain. */
export function smokeBatch(params: VariantParams, domain: Domain): BlockBatch {
  const rows = params.rows ?? 2;
  const cols = params.cols ?? 2;
  const n = rows * cols * blockLength(params);
  return { data: Float64Array.from({ length: n }, (_, i) => fromByte((i * 37 + 11) % 256, domain)), images: 1, rows, cols, blockSize: params.blockSize, channels: params.channels };
}

/** Problems with a returned batch (type and shape), relative to the batch it came from. */
export function batchProblems(out: unknown, like: BlockBatch, what: string): ContractProblem[] {
  if (typeof out !== 'object' || out === null) return [{ check: 'contract.wrong-type', message: `${what} returned ${typeName(out)}, expected a block batch { data, images, rows, cols, blockSize, channels }` }];
  const o = out as Record<string, unknown>;
  if (!(o.data instanceof Float64Array)) return [{ check: 'contract.wrong-type', message: `${what} returned data as ${typeName(o.data)}, expected a Float64Array` }];
  const problems: ContractProblem[] = [];
  for (const f of ['images', 'rows', 'cols', 'blockSize', 'channels'] as const) {
    if (o[f] !== like[f]) problems.push({ check: 'contract.wrong-shape', message: `${what} returned ${f} = ${String(o[f])}, the input had ${like[f]}` });
  }
  if (o.data.length !== like.data.length) problems.push({ check: 'contract.wrong-shape', message: `${what} returned ${o.data.length} values for an input of ${like.data.length} (${like.images}×${like.rows}×${like.cols} blocks of ${blockLength(like)})` });
  return problems;
}

function staticProblems(v: unknown): ContractProblem[] {
  if (typeof v !== 'object' || v === null) return [{ check: 'contract.not-object', message: `a variant must be an object, got ${typeName(v)}` }];
  const o = v as Record<string, unknown>;
  const problems: ContractProblem[] = [];
  const add = (check: string, message: string) => problems.push({ check, message });
  if (typeof o.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(o.name)) add('contract.name', `"name" must be a string of lower-case letters, digits and dashes, got ${JSON.stringify(o.name) ?? 'undefined'}`);
  if (typeof o.title !== 'string' || o.title.length === 0) add('contract.title', '"title" must be a non-empty string (one line: what the variant is)');
  const p = o.params as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) add('contract.params', `"params" must be an object { blockSize, channels }, got ${typeName(p)}`);
  else {
    for (const f of ['blockSize', 'channels']) if (!positiveInteger(p[f])) add('contract.params', `params.${f} must be a positive integer, got ${JSON.stringify(p[f]) ?? 'undefined'}`);
    if (o.gridBound === true) for (const f of ['rows', 'cols']) if (!positiveInteger(p[f])) add('contract.params', `a grid-bound variant needs params.${f} (blocks per ${f === 'rows' ? 'column' : 'row'}), got ${JSON.stringify(p[f]) ?? 'undefined'}`);
  }
  if (o.gridBound !== undefined && typeof o.gridBound !== 'boolean') add('contract.params', `"gridBound" must be true or false, got ${typeName(o.gridBound)}`);
  const d = o.domain;
  const okDomain = (x: unknown) => DOMAINS.includes(x as Domain);
  if (!(okDomain(d) || (typeof d === 'object' && d !== null && okDomain((d as DomainPair).input) && okDomain((d as DomainPair).output)))) {
    add('contract.domain', `"domain" must be one of ${DOMAINS.join(', ')} or { input, output } of them, got ${JSON.stringify(d) ?? 'undefined'}`);
  }
  const missing = REQUIRED_FUNCTIONS.filter((f) => typeof o[f] !== 'function');
  for (const f of missing) add('contract.missing-function', o[f] === undefined ? `${f} is missing: a variant must define ${f}()` : `${f} must be a function, got ${typeName(o[f])}`);
  if (o.supports !== undefined && typeof o.supports !== 'function') add('contract.missing-function', `supports must be a function (params) => reason | undefined, got ${typeName(o.supports)}`);
  if (o.adapter !== undefined) {
    const a = o.adapter as Record<string, unknown>;
    if (typeof a !== 'object' || a === null) add('contract.adapter', `"adapter" must be an object { normalizations, adapt }, got ${typeName(a)}`);
    else {
      if (typeof a.adapt !== 'function') add('contract.adapter', 'adapter.adapt must be a function (embedding, key, normalization) => embedding');
      const n = a.normalizations;
      if (!(n === 'any' || (Array.isArray(n) && n.length > 0 && n.every((x) => NORMALIZATION_NAMES.includes(x))))) {
        add('contract.adapter', `adapter.normalizations must be 'any' or a non-empty list of ${NORMALIZATION_NAMES.join(', ')}, got ${JSON.stringify(n) ?? 'undefined'}`);
      }
    }
  }
  if (o.keySpace !== undefined) {
    const k = o.keySpace as Record<string, unknown>;
    if (typeof k !== 'object' || k === null) add('contract.key-space', `"keySpace" must be an object { formula, size, enumerate? }, got ${typeName(k)}`);
    else {
      if (typeof k.formula !== 'string') add('contract.key-space', 'keySpace.formula must be a string (the formula in words)');
      if (typeof k.size !== 'function') add('contract.key-space', 'keySpace.size must be a function (params) => bigint');
      if (k.enumerate !== undefined && typeof k.enumerate !== 'function') add('contract.key-space', 'keySpace.enumerate must be a function (params) => iterable of keys');
      if (k.tinyParams !== undefined && !(Array.isArray(k.tinyParams) && k.tinyParams.every((t) => typeof t === 'object' && t !== null && positiveInteger(t.blockSize) && positiveInteger(t.channels)))) {
        add('contract.key-space', 'keySpace.tinyParams must be a list of { blockSize, channels, rows?, cols? }');
      }
    }
  }
  return problems;
}

const THREW = Symbol('threw');

/** Calls f; a throw becomes a contract.throws problem naming the call and the input (and THREW is returned). */
function attempt<T>(problems: ContractProblem[], call: string, f: () => T): T | typeof THREW {
  try {
    return f();
  } catch (e) {
    problems.push({ check: 'contract.throws', message: `${call} threw on valid input: ${describeError(e)}` });
    return THREW;
  }
}

function smokeProblems(v: Variant<unknown>): ContractProblem[] {
  const problems: ContractProblem[] = [];
  const params = smokeParams(v);
  const ps = describeParams(params);
  if (v.supports !== undefined) {
    const reason = attempt(problems, `supports(${ps})`, () => v.supports!(params));
    if (problems.length > 0) return problems;
    if (reason !== THREW && reason !== undefined && reason !== null && reason !== '') return [{ check: 'contract.unsupported-params', message: `the variant does not support its own params (${ps}): ${String(reason)}` }];
  }
  const key = attempt(problems, `generateKey(${ps}, "contract-check")`, () => v.generateKey(params, 'contract-check'));
  if (problems.length > 0) return problems;
  if (key === undefined || key === null) return [{ check: 'contract.wrong-type', message: `generateKey(${ps}, seed) returned ${String(key)}, expected a key` }];
  attempt(problems, `generateKey(${ps}) (secure, no seed)`, () => v.generateKey(params));
  const text = attempt(problems, 'serializeKey(key)', () => v.serializeKey(key));
  if (text !== THREW && typeof text !== 'string') problems.push({ check: 'contract.wrong-type', message: `serializeKey returned ${typeName(text)}, expected a string` });
  else if (text !== THREW) attempt(problems, 'parseKey(serializeKey(key))', () => v.parseKey(text));
  const { input, output } = domainPair(v.domain);
  const batch = smokeBatch(params, input);
  const before = Float64Array.from(batch.data);
  const desc = `a batch of ${batch.images} image of ${batch.rows}×${batch.cols} blocks (${ps}, ${input} values)`;
  const enc = attempt(problems, `encrypt(${desc}, key)`, () => v.encrypt(batch, key));
  if (enc !== THREW) {
    const bad = batchProblems(enc, batch, 'encrypt');
    problems.push(...bad);
    if (!batch.data.every((x, i) => Object.is(x, before[i]))) problems.push({ check: 'contract.mutates-input', message: 'encrypt modified its input batch: it must return a new batch and leave the input as it was' });
    if (bad.length === 0) {
      const dec = attempt(problems, `decrypt(encrypt(${desc}), key) (${output} values)`, () => v.decrypt(enc, key));
      if (dec !== THREW) problems.push(...batchProblems(dec, batch, 'decrypt'));
    }
  }
  if (v.keySpace !== undefined) {
    const size = attempt(problems, `keySpace.size(${describeParams(v.params)})`, () => v.keySpace!.size(v.params));
    if (size !== THREW && (typeof size !== 'bigint' || size < 1n)) problems.push({ check: 'contract.wrong-type', message: `keySpace.size returned ${typeof size === 'bigint' ? size.toString() : typeName(size)}, expected a positive bigint (e.g. 720n)` });
  }
  if (v.adapter !== undefined) {
    const M = params.blockSize;
    const C = params.channels;
    const p = M * M * C;
    const e: PatchEmbedding = { dim: 2, channels: C, patch: M, weight: Float64Array.from({ length: 2 * p }, (_, i) => ((i * 7) % 5) - 2), bias: Float64Array.of(0.5, -0.5) };
    const names = v.adapter.normalizations === 'any' ? NORMALIZATION_NAMES : v.adapter.normalizations;
    const out = attempt(problems, `adapter.adapt(embedding d=2 P=${M} C=${C}, key, ${names[0]})`, () => v.adapter!.adapt(e, key, normalization(names[0], C)));
    if (out !== THREW) {
      if (typeof out !== 'object' || out === null) problems.push({ check: 'contract.wrong-type', message: `adapter.adapt returned ${typeName(out)}, expected { dim, channels, patch, weight, bias }` });
      else {
        if (!(out.weight instanceof Float64Array) || out.weight.length !== 2 * p) problems.push({ check: 'contract.wrong-shape', message: `adapter.adapt returned a weight of ${out.weight instanceof Float64Array ? `${out.weight.length} values` : typeName(out.weight)}, expected a Float64Array of d·C·P·P = ${2 * p}` });
        if (!(out.bias instanceof Float64Array) || out.bias.length !== 2) problems.push({ check: 'contract.wrong-shape', message: `adapter.adapt returned a bias of ${out.bias instanceof Float64Array ? `${out.bias.length} values` : typeName(out.bias)}, expected a Float64Array of d = 2` });
      }
    }
  }
  return problems;
}

/** Validates a candidate plug-in: static shape first, then one smoke run. */
export function validateVariant(candidate: unknown): ContractReport {
  const problems = staticProblems(candidate);
  if (problems.length > 0) return { ok: false, problems };
  const smoke = smokeProblems(candidate as Variant<unknown>);
  return { ok: smoke.length === 0, problems: smoke };
}

/** Picks the variant object out of a loaded module: `default`, `variant`, or the only export that looks like one. */
export function variantFromModule(mod: Record<string, unknown>): { candidate: unknown; problem?: ContractProblem } {
  if (mod.default !== undefined) return { candidate: mod.default };
  if (mod.variant !== undefined) return { candidate: mod.variant };
  const looks = Object.entries(mod).filter(([, x]) => typeof x === 'object' && x !== null && 'encrypt' in x);
  if (looks.length === 1) return { candidate: looks[0][1] };
  const names = Object.keys(mod);
  return {
    candidate: undefined,
    problem: {
      check: 'contract.no-export',
      message: looks.length > 1 ? `the module exports several variant-like objects (${looks.map(([n]) => n).join(', ')}): export the one to fuzz as default` : `the module exports no variant: export default defineVariant({ ... }) (it exports ${names.length === 0 ? 'nothing' : names.join(', ')})`,
    },
  };
}
