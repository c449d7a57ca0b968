/**
 * Every rejection of bad input is a CipherpatchError whose `check` names the
 * check that failed (e.g. "key.not-permutation"), so tests and callers can
 * tell failures apart without parsing messages.
 */
export class CipherpatchError extends Error {
  constructor(
    readonly check: string,
    message: string,
  ) {
    super(message);
    this.name = 'CipherpatchError';
  }
}

export function fail(check: string, message: string): never {
  throw new CipherpatchError(check, message);
}
