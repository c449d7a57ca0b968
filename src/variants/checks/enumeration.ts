/**
 * Brute force over a key space at a tiny size: each key's encryption function
 * as a fingerprint on two probes, so that keys that are one function show
 * (key-sensitivity and key-space).
 */
import { type BlockBatch, type VariantParams, blockLength, describeParams, fromByte } from '../contract.ts';
import { randomBytes } from './batches.ts';
import type { Ctx } from './check.ts';

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

export interface TinyCount {
  readonly params: VariantParams;
  readonly claimed: string;
  readonly enumerated: number;
  readonly distinct: number;
}

export interface Enumeration {
  readonly count: TinyCount;
  /** Two keys with different serializations and one function. */
  readonly equivalent?: [string, string];
  /** A key the enumerator yields twice. */
  readonly duplicate?: string;
}

export function enumerateFunctions(ctx: Ctx, params: VariantParams, claimed: bigint): Enumeration {
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

export function oneLine(text: string): string {
  const compact = text.replace(/\s+/g, ' ').trim();
  return compact.length > 200 ? `${compact.slice(0, 200)}…` : compact;
}
