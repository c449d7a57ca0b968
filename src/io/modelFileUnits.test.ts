/**
 * modelFile.ts: ConvMixer weight files written and read back in a temp
 * directory. The tensor names and shapes are those of the PyTorch state dict
 * of locuslab/convmixer for d = 2, depth 1, k = 1, P = 1, C = 1, 2 classes,
 * written out by hand. Mutation kills (issue 25, area io) named per test.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { readConvMixerFile, writeConvMixerFile } from './modelFile.ts';
import { readSafetensorsFile, writeSafetensors } from './safetensors.ts';

const dir = mkdtempSync(join(tmpdir(), 'cipherpatch-modelfile-'));
const config = { dim: 2, depth: 1, kernel: 1, patch: 1, channels: 1, classes: 2 };
const weights = randomConvMixerWeights(config, 'model-file');

describe('ConvMixer weight files', () => {
  // Kills modelFile.ts:17 ObjectLiteral/StringLiteral (dtype F32), :18 (metadata, options passed on), :9 (weights and metadata returned).
  it('writes every tensor as F32 under its state-dict name, with the metadata, and reads it back', () => {
    const path = join(dir, 'm.safetensors');
    writeConvMixerFile(path, weights, { origin: 'test' });
    const file = readSafetensorsFile(path);
    expect(file.metadata).toEqual({ origin: 'test' });
    const shapes = Object.fromEntries([...file.tensors].map(([name, t]) => [name, [t.dtype, ...t.shape]]));
    const bn = (p: string) => Object.fromEntries(['weight', 'bias', 'running_mean', 'running_var'].map((s) => [`${p}.${s}`, ['F32', 2]]));
    expect(shapes).toEqual({
      '0.weight': ['F32', 2, 1, 1, 1],
      '0.bias': ['F32', 2],
      ...bn('2'),
      '3.0.fn.0.weight': ['F32', 2, 1, 1, 1],
      '3.0.fn.0.bias': ['F32', 2],
      ...bn('3.0.fn.2'),
      '3.1.weight': ['F32', 2, 2, 1, 1],
      '3.1.bias': ['F32', 2],
      ...bn('3.3'),
      '6.weight': ['F32', 2, 2],
      '6.bias': ['F32', 2],
    });
    expect(Array.from(file.tensors.get('6.weight')!.data as Float32Array)).toEqual(Array.from(weights.headWeight));
    const back = readConvMixerFile(path);
    expect(back.metadata).toEqual({ origin: 'test' });
    expect(back.weights.config).toEqual(config);
    expect(Array.from(back.weights.layers[0].pointwiseWeight)).toEqual(Array.from(weights.layers[0].pointwiseWeight));
    expect(Array.from(back.weights.embedNorm.runningVar)).toEqual(Array.from(weights.embedNorm.runningVar));
  });

  // Kills modelFile.ts:16 ObjectLiteral (options default) and :18 (options dropped): an existing file is kept unless overwrite.
  it('refuses to overwrite unless asked', () => {
    const path = join(dir, 'o.safetensors');
    writeFileSync(path, 'old');
    expect(() => writeConvMixerFile(path, weights, {})).toThrow(expect.objectContaining({ check: 'output.exists' }));
    expect(readFileSync(path, 'utf8')).toBe('old');
    writeConvMixerFile(path, weights, {}, { overwrite: true });
    expect(readConvMixerFile(path).weights.config).toEqual(config);
  });

  // Kills modelFile.ts:11 ConditionalExpression/StringLiteral (the path prefix, the check kept).
  it('a state dict that is not a ConvMixer names the file', () => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, writeSafetensors(new Map([['x', { dtype: 'F32', shape: [1], data: new Float32Array(1) }]]), {}));
    let error: unknown;
    try {
      readConvMixerFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CipherpatchError);
    expect((error as CipherpatchError).message.startsWith(`${path}: `)).toBe(true);
    expect((error as CipherpatchError).message.length).toBeGreaterThan(path.length + 2);
    expect((error as CipherpatchError).check.startsWith('model.')).toBe(true);
  });
});
