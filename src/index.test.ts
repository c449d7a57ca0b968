/** The library entry point exports what the README's example uses, and it works as shown. */
import { describe, expect, it } from 'vitest';
import * as cipherpatch from './index.ts';

describe('library entry point', () => {
  it('runs the README example', () => {
    const { generateKey, imageBatch, encryptUint8, decryptUint8, transformPatchEmbedding, keySpace } = cipherpatch;
    const key = generateKey({ blockSize: 4, channels: 3, seed: 'experiment-1' });
    const pixels = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 7) % 256);
    const images = imageBatch(pixels, { count: 1, height: 32, width: 32, channels: 3 }, 'NHWC');
    const encrypted = encryptUint8(images, key);
    expect(Array.from(decryptUint8(encrypted, key).data)).toEqual(Array.from(pixels));
    const weight = { data: new Float32Array(256 * 48).map((_, i) => i), shape: [256, 3, 4, 4] as const };
    expect(transformPatchEmbedding(weight, key).data).toHaveLength(256 * 48);
    expect(keySpace(4, 3).total).toBe(12413915592536072670862289047373375038521486354677760000000000n * 32247603683100n);
  });

  it('exports the engine, model, I/O and evaluate APIs', () => {
    for (const name of ['createEngine', 'evaluate', 'readSafetensors', 'readCifarSplit', 'fetchCifar10', 'randomConvMixerWeights', 'encryptOrthogonal', 'parseKey', 'serializeKey', 'parseShard', 'shardRange', 'evaluateShardDocument', 'mergeEvaluateShards', 'readShardFiles']) {
      expect(typeof (cipherpatch as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
