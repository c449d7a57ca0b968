/**
 * The ResNet as a spec model (spec/resnet.ts), from a state dict read in
 * float64 or from validated float32 weights (values widened exactly).
 */
import type { SpecBatchNorm } from '../spec/convmixer.ts';
import type { SpecResNet } from '../spec/resnet.ts';
import { type ResNetConfig, type ResNetWeights, resnetFromStateDict, resnetWeightsToTensors } from '../src/model/resnet.ts';
import { BATCH_NORM_EPS } from '../src/model/stateDict.ts';

/** A spec ResNet whose tensors come from `get(state-dict name)`. */
export function specResNetFrom(config: ResNetConfig, get: (name: string) => Float64Array, eps = BATCH_NORM_EPS): SpecResNet {
  const bn = (p: string): SpecBatchNorm => ({ weight: get(`${p}.weight`), bias: get(`${p}.bias`), runningMean: get(`${p}.running_mean`), runningVar: get(`${p}.running_var`), eps });
  const { stages, ...rest } = resnetFromStateDict(config, get, bn);
  return { width: config.width, channels: config.channels, classes: config.classes, ...rest, blocks: stages.flat() };
}

/** The same float32 weights as a spec model. */
export function specResNet(w: ResNetWeights): SpecResNet {
  const tensors = resnetWeightsToTensors(w);
  return specResNetFrom(w.config, (name) => Float64Array.from(tensors.get(name)!.data));
}
