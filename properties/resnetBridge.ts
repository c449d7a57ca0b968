/**
 * The ResNet as a spec model (spec/resnet.ts), from a state dict read in
 * float64 or from validated float32 weights (values widened exactly).
 *
 * The layout is written here from the CIFAR ResNet the authors trained
 * (He et al. 2016, Sec. 3.3 and 4.2; the PyTorch code of
 * golden/generate/resnet.py): stage s = 1…4 has width w·2^(s−1); its first
 * block has stride 2 except in stage 1; a block's shortcut is a 1×1
 * convolution with BatchNorm exactly when its stride is not 1 or its width
 * changes. Nothing of it comes from src/model/resnet.ts, so a wrong stride or
 * shortcut there is a difference the properties see (properties/ORACLES.md).
 */
import type { SpecBatchNorm } from '../spec/convmixer.ts';
import type { SpecBasicBlock, SpecResNet } from '../spec/resnet.ts';
import { type ResNetConfig, type ResNetWeights, resnetWeightsToTensors } from '../src/model/resnet.ts';
import { PYTORCH_BATCH_NORM_EPS } from './engineBridge.ts';

/** A spec ResNet whose tensors come from `get(state-dict name)`. */
export function specResNetFrom(config: ResNetConfig, get: (name: string) => Float64Array, eps = PYTORCH_BATCH_NORM_EPS): SpecResNet {
  const bn = (p: string): SpecBatchNorm => ({ weight: get(`${p}.weight`), bias: get(`${p}.bias`), runningMean: get(`${p}.running_mean`), runningVar: get(`${p}.running_var`), eps });
  const blocks: SpecBasicBlock[] = [];
  let inChannels = config.width;
  config.blocks.forEach((count, s) => {
    const outChannels = config.width * 2 ** s;
    for (let b = 0; b < count; b++) {
      const name = `layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      const shortcut = stride !== 1 || inChannels !== outChannels ? { conv: get(`${name}.shortcut.0.weight`), bn: bn(`${name}.shortcut.1`) } : undefined;
      blocks.push({ inChannels, outChannels, stride, conv1: get(`${name}.conv1.weight`), bn1: bn(`${name}.bn1`), conv2: get(`${name}.conv2.weight`), bn2: bn(`${name}.bn2`), ...(shortcut ? { shortcut } : {}) });
      inChannels = outChannels;
    }
  });
  return { width: config.width, channels: config.channels, classes: config.classes, conv1: get('conv1.weight'), bn1: bn('bn1'), blocks, linearWeight: get('linear.weight'), linearBias: get('linear.bias') };
}

/** The same float32 weights as a spec model (read by their state-dict names). */
export function specResNet(w: ResNetWeights): SpecResNet {
  const tensors = resnetWeightsToTensors(w);
  return specResNetFrom(w.config, (name) => {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`the weights have no tensor ${name}`);
    return Float64Array.from(t.data);
  });
}
