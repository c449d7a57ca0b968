/**
 * `cipherpatch attack <name>`: the attacks of src/attacks/ on real data.
 *
 *   random-key       accuracy of the encrypted model under N random keys (Fig. 5)
 *   known-plaintext  recover the key from (plain, encrypted) image pairs
 *   leaked-model     recover the key from a plain and an encrypted patch embedding
 *   partial-key      accuracy of the encrypted model under partly right keys
 *   greedy           greedy key search with a small labelled set
 *   ciphertext-only  estimate the key from encrypted images alone
 *
 * Every subcommand prints a summary and writes the whole result with --json.
 * partial-key, greedy and ciphertext-only take --variant to attack another
 * transform variant through the plug-in contract (src/attacks/variants.ts).
 * The attack modules load only when their command runs. Each subcommand is
 * one file under src/cli/attack/, with the loaders and options they share.
 */
import type { Command } from 'commander';
import { type Io, withOutputs } from './io.ts';
import { registerCiphertextOnly } from './attack/ciphertextOnly.ts';
import { registerGreedy } from './attack/greedy.ts';
import { registerKnownPlaintext } from './attack/knownPlaintext.ts';
import { registerLeakedModel } from './attack/leakedModel.ts';
import type { Common } from './attack/output.ts';
import { registerPartialKey } from './attack/partialKey.ts';
import { registerRandomKey } from './attack/randomKey.ts';

export function registerAttack(program: Command, io: Io): void {
  const attack = withOutputs(program
    .command('attack')
    .description('attacks on the encryption: random-key, known-plaintext, leaked-model, partial-key, greedy and ciphertext-only key recovery (issue 13); `cipherpatch attack-report` runs them all')
    .addHelpText('after', '\nRun `cipherpatch attack <name> --help` for each attack\'s options.'),
  // every attack's --json, checked before the attack runs
  (o: Common) => [o.json === undefined ? undefined : { path: o.json, kind: 'file', force: o.force }]);

  registerKnownPlaintext(attack, io);
  registerLeakedModel(attack, io);
  registerCiphertextOnly(attack, io);
  registerRandomKey(attack, io);
  registerPartialKey(attack, io);
  registerGreedy(attack, io);
}
