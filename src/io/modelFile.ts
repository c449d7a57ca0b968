/** ConvMixer weight files (safetensors, PyTorch state-dict names) at the edge. */
import { CipherpatchError } from '../core/errors.ts';
import { type ConvMixerWeights, convMixerWeightsFromTensors, convMixerWeightsToTensors } from '../model/convmixer.ts';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors.ts';

export function readConvMixerFile(path: string): { weights: ConvMixerWeights; metadata: Record<string, string> } {
  const file = readSafetensorsFile(path);
  try {
    return { weights: convMixerWeightsFromTensors(file.tensors), metadata: file.metadata };
  } catch (e) {
    if (e instanceof CipherpatchError) throw new CipherpatchError(e.check, `${path}: ${e.message}`);
    throw e;
  }
}

export function writeConvMixerFile(path: string, weights: ConvMixerWeights, metadata: Record<string, string>, options: { overwrite?: boolean } = {}): void {
  const tensors = new Map([...convMixerWeightsToTensors(weights)].map(([name, t]) => [name, { dtype: 'F32' as const, shape: t.shape, data: t.data }]));
  writeSafetensorsFile(path, tensors, metadata, options);
}
