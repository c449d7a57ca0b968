/** What every command shares: where text goes, option parsers with clear errors, the output pre-flight check. */
import { type Command, InvalidArgumentError } from 'commander';
import { type OutputPath, checkOutputs } from '../io/outputPaths.ts';

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

/**
 * Declares a command's output paths: they are checked (src/io/outputPaths.ts)
 * before its action runs, so a bad --out fails at once, not after the work.
 */
// (commander hands the options and arguments over untyped)
export function withOutputs<C extends Command>(command: C, outputs: (opts: any, args: any[]) => (OutputPath | undefined)[]): C {
  command.hook('preAction', (_self, action) => {
    checkOutputs(outputs(action.opts(), action.processedArgs).filter((o): o is OutputPath => o !== undefined));
  });
  return command;
}

/** A string option that must not be empty; `why` says what an empty one would do. */
export function nonEmpty(flag: string, why: string): (value: string) => string {
  return (value) => {
    if (value === '') throw new InvalidArgumentError(`${flag} must not be empty: ${why}`);
    return value;
  };
}

/** The command line as a report or a shard file records it. */
export function commandLine(): string {
  return ['cipherpatch', ...process.argv.slice(2)].join(' ');
}
