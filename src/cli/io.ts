/** What every command shares: where text goes, and option parsers with clear errors. */
import { InvalidArgumentError } from 'commander';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function positiveInteger(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
    if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${flag} is too large: ${value} (at most ${Number.MAX_SAFE_INTEGER})`);
    return Number(value);
  };
}

export function nonNegativeInteger(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got "${value}"`);
    if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${flag} is too large: ${value} (at most ${Number.MAX_SAFE_INTEGER})`);
    return Number(value);
  };
}

/** A string option that must not be empty; `why` says what an empty one would do. */
export function nonEmpty(flag: string, why: string): (value: string) => string {
  return (value) => {
    if (value === '') throw new InvalidArgumentError(`${flag} must not be empty: ${why}`);
    return value;
  };
}
