/**
 * The cipherpatch command line: one file per command, each a thin call into
 * the library. Errors from the library (CipherpatchError) become one line on
 * stderr and exit code 1; usage errors exit with 2.
 */
import { Command, CommanderError, Help, type Option } from 'commander';
import { CipherpatchError } from '../core/errors.ts';
import { registerAttack } from './attack.ts';
import { registerAttackReport } from './attackReport.ts';
import { registerData } from './data.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerFuzz } from './fuzz.ts';
import { registerImage } from './image.ts';
import { type Io, processIo } from './io.ts';
import { registerKeygen } from './keygen.ts';
import { registerKeyspace } from './keyspace.ts';
import { registerMerge } from './merge.ts';
import { registerModel } from './model.ts';
import { VERSION } from './version.ts';

export { VERSION } from './version.ts';

/**
 * Option help as commander writes it, except: required options say so, and
 * commander's "(default: …)" is left out where the description already names
 * the default in its own words.
 */
function optionDescription(this: Help, option: Option): string {
  const ownDefault = /\(default[ :]/.test(option.description ?? '');
  const shown = ownDefault ? Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, { defaultValue: undefined }) : option;
  const text = Help.prototype.optionDescription.call(this, shown);
  return option.mandatory ? `${text} (required)` : text;
}

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('cipherpatch')
    .description('Key-based block-wise encryption of images and image-classification models (ConvMixer, Iijima & Kiya 2022), with its executable specification.')
    .version(VERSION, '-V, --version', 'print the version (package.json) and exit')
    .configureHelp({ optionDescription })
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');
  registerKeygen(program, io);
  registerKeyspace(program, io);
  registerImage(program, io);
  registerModel(program, io);
  registerEvaluate(program, io);
  registerData(program, io);
  registerFuzz(program, io);
  registerMerge(program, io);
  registerAttack(program, io);
  registerAttackReport(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CipherpatchError) {
      io.err(`cipherpatch: error [${e.check}]: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
