/** The CipherpatchError a call throws, for tests of bad input (fails the test if it throws nothing or something else). */
import { CipherpatchError } from '../src/core/errors.ts';

export function rejection(f: () => unknown): CipherpatchError {
  try {
    f();
  } catch (e) {
    if (e instanceof CipherpatchError) return e;
    throw e;
  }
  throw new Error('expected a CipherpatchError, nothing was thrown');
}

/** The CipherpatchError a promise rejects with. */
export async function asyncRejection(p: Promise<unknown>): Promise<CipherpatchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CipherpatchError) return e;
    throw e;
  }
  throw new Error('expected a CipherpatchError, nothing was thrown');
}

/** The check and message of the CipherpatchError a call throws, to compare a whole refusal with toEqual. */
export function refusal(f: () => unknown): { check: string; message: string } {
  const e = rejection(f);
  return { check: e.check, message: e.message };
}
