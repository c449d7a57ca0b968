/**
 * The command line run in this process (main(argv, io) with an in-memory io),
 * for the CLI's mutation-kill tests (src/cli/*Units.test.ts): Stryker's
 * mutants live in this process, not in a spawned `node bin/cipherpatch.mjs`.
 */
import type { Io } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';

export interface InProcessResult {
  readonly code: number;
  /** Every line written to stdout / stderr, in order. */
  readonly out: string[];
  readonly err: string[];
}

/** Runs `cipherpatch …args` in-process: the exit code and every line written. */
export async function runInProcess(...args: string[]): Promise<InProcessResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(['node', 'cipherpatch', ...args], io);
  return { code, out, err };
}

/** A command's --help with every run of white space made one space (commander wraps at the terminal width). */
export async function helpText(...command: string[]): Promise<string> {
  const r = await runInProcess(...command, '--help');
  if (r.code !== 0) throw new Error(`cipherpatch ${command.join(' ')} --help exited ${r.code}: ${r.err.join('\n')}`);
  return r.out.join('\n').replace(/\s+/g, ' ');
}
