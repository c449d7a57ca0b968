/**
 * Mutant: a stateful System A encryption: a call counter leaks into the key
 * (every second call uses the flip vector rotated by one position), as a
 * cached nonce or a reused buffer would. Each call is a valid encryption.
 */
import type { BlockKey } from '../../src/core/key.ts';
import { systemA } from '../../src/variants/builtin/systemA.ts';
import { defineMutant } from './common.ts';

let calls = 0;

function rotatedFlip(key: BlockKey): BlockKey {
  const n = key.flip.length;
  return { ...key, flip: Uint8Array.from({ length: n }, (_, k) => key.flip[(k + 1) % n]) };
}

export default defineMutant<BlockKey>({
  base: 'system-a',
  bug: 'non-deterministic encrypt (state carried between calls)',
  caughtBy: ['deterministic'],
  // Every property that encrypts twice sees the counter too (the adapter and affinity searches included).
  alsoMay: ['known-answer', 'invertible', 'serialization', 'key-sensitivity', 'equivalent-keys', 'key-space', 'adapter', 'adaptable', 'norm:0.5/0.5', 'norm:cifar', 'norm:none'],
  variant: {
    ...systemA,
    name: 'mutant-non-deterministic',
    title: 'BROKEN system-a: encrypt depends on a call counter',
    encrypt: (batch, key) => systemA.encrypt(batch, calls++ % 2 === 0 ? key : rotatedFlip(key)),
  },
});
