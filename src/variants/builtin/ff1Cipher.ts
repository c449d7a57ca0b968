/**
 * The FF1 cipher (NIST SP 800-38G) that the ff1 variant (ff1.ts) is built on:
 * its type, and loading it from @noble/ciphers on first use.
 */
import { fail } from '../../core/errors.ts';

export type Ff1Factory = (radix: number, key: Uint8Array, tweak?: Uint8Array) => { encrypt(x: number[]): number[]; decrypt(x: number[]): number[] };

export const FF1_MODULE = '@noble/ciphers/ff1.js';

/** Loads FF1 from @noble/ciphers, or fails with a clear message. */
export async function loadFf1Factory(): Promise<Ff1Factory> {
  const specifier: string = FF1_MODULE;
  try {
    const mod = (await import(specifier)) as { FF1?: unknown };
    if (typeof mod.FF1 !== 'function') fail('variant.dependency', `${FF1_MODULE} does not export FF1`);
    return mod.FF1 as Ff1Factory;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') fail('variant.dependency', `the ff1 variant needs @noble/ciphers, which is not installed (npm install @noble/ciphers)`);
    throw e;
  }
}
