/**
 * System B's ResNet description (src/model/resnet.ts) without an engine: the
 * configuration checks and their messages, the block geometry and the
 * state-dict names of hand-worked small configurations, inference of the
 * configuration, the tensor-map round trip, and the random model's
 * distributions (drawn again here from seedrandom by the documented recipe).
 * Expected values are written out by hand from the module's header table and
 * kuangliu's CIFAR ResNet, not read off the code.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../properties/rejection.ts';
import {
  RESNET18_BLOCKS,
  type ResNetConfig,
  inferResNetConfig,
  looksLikeResNet,
  randomResNetWeights,
  resnet18Config,
  resnetBlockShapes,
  resnetTensorSpecs,
  resnetWeightsFromTensors,
  resnetWeightsToTensors,
  validateResNetConfig,
} from './resnet.ts';
import type { TensorLike } from './stateDict.ts';

/** The smallest ResNet: width 1, one block per stage, 2 channels, 3 classes. */
const tiny: ResNetConfig = { width: 1, blocks: [1, 1, 1, 1], channels: 2, classes: 3 };
const bn = (prefix: string, d: number) => ['weight', 'bias', 'running_mean', 'running_var'].map((s) => [`${prefix}.${s}`, [d]] as const);

describe('resnet18Config and validateResNetConfig', () => {
  it('ResNet-18: width 64, [2, 2, 2, 2] blocks, 3 channels, 10 classes by default', () => {
    expect(RESNET18_BLOCKS).toEqual([2, 2, 2, 2]);
    expect(resnet18Config()).toEqual({ width: 64, blocks: [2, 2, 2, 2], channels: 3, classes: 10 });
    expect(resnet18Config(8, 5, 1)).toEqual({ width: 8, blocks: [2, 2, 2, 2], channels: 1, classes: 5 });
  });

  it('returns a plain copy (blocks copied, other fields dropped)', () => {
    const blocks = [1, 2, 3, 4];
    const copy = validateResNetConfig({ width: 1, blocks, channels: 1, classes: 1, extra: 5 } as ResNetConfig);
    expect(copy).toEqual({ width: 1, blocks: [1, 2, 3, 4], channels: 1, classes: 1 });
    expect(copy.blocks).not.toBe(blocks);
  });

  it('refuses each bad field with its message', () => {
    const bad = (c: unknown) => refusal(() => validateResNetConfig(c as ResNetConfig));
    expect(bad(null)).toEqual({ check: 'model.config', message: 'ResNet config must be an object' });
    expect(bad(5)).toEqual({ check: 'model.config', message: 'ResNet config must be an object' });
    expect(bad({ ...tiny, width: 0 })).toEqual({ check: 'model.config', message: 'ResNet config width must be a positive integer, got 0' });
    expect(bad({ ...tiny, width: 1.5 })).toEqual({ check: 'model.config', message: 'ResNet config width must be a positive integer, got 1.5' });
    expect(bad({ ...tiny, channels: 0 })).toEqual({ check: 'model.config', message: 'ResNet config channels must be a positive integer, got 0' });
    expect(bad({ ...tiny, classes: -1 })).toEqual({ check: 'model.config', message: 'ResNet config classes must be a positive integer, got -1' });
    expect(bad({ ...tiny, classes: '3' })).toEqual({ check: 'model.config', message: 'ResNet config classes must be a positive integer, got 3' });
    const blocksMessage = (json: string) => ({ check: 'model.config', message: `ResNet config blocks must be 4 positive integers (blocks per stage), got ${json}` });
    expect(bad({ ...tiny, blocks: [1, 1, 1] })).toEqual(blocksMessage('[1,1,1]'));
    expect(bad({ ...tiny, blocks: [1, 1, 1, 1, 1] })).toEqual(blocksMessage('[1,1,1,1,1]'));
    expect(bad({ ...tiny, blocks: [1, 1, 1, 0] })).toEqual(blocksMessage('[1,1,1,0]'));
    expect(bad({ ...tiny, blocks: [1, 1.5, 1, 1] })).toEqual(blocksMessage('[1,1.5,1,1]'));
    expect(bad({ ...tiny, blocks: '1111' })).toEqual(blocksMessage('"1111"'));
    // The smallest valid values pass.
    expect(validateResNetConfig(tiny)).toEqual(tiny);
  });
});

describe('resnetBlockShapes: w·2^(s−1) channels, stride 2 on the first block of stages 2–4, a projection where the shape changes', () => {
  it('width 2, blocks [2, 1, 1, 3]', () => {
    const b = (name: string, inChannels: number, outChannels: number, stride: number, projection: boolean) => ({ name, inChannels, outChannels, stride, projection });
    expect(resnetBlockShapes({ width: 2, blocks: [2, 1, 1, 3], channels: 3, classes: 10 })).toEqual([
      [b('layer1.0', 2, 2, 1, false), b('layer1.1', 2, 2, 1, false)],
      [b('layer2.0', 2, 4, 2, true)],
      [b('layer3.0', 4, 8, 2, true)],
      [b('layer4.0', 8, 16, 2, true), b('layer4.1', 16, 16, 1, false), b('layer4.2', 16, 16, 1, false)],
    ]);
  });
});

/** The state dict of `tiny`, written out from the header table. */
const TINY_SPECS: [string, readonly number[]][] = [
  ['conv1.weight', [1, 2, 3, 3]],
  ...bn('bn1', 1),
  ['layer1.0.conv1.weight', [1, 1, 3, 3]],
  ...bn('layer1.0.bn1', 1),
  ['layer1.0.conv2.weight', [1, 1, 3, 3]],
  ...bn('layer1.0.bn2', 1),
  ['layer2.0.conv1.weight', [2, 1, 3, 3]],
  ...bn('layer2.0.bn1', 2),
  ['layer2.0.conv2.weight', [2, 2, 3, 3]],
  ...bn('layer2.0.bn2', 2),
  ['layer2.0.shortcut.0.weight', [2, 1, 1, 1]],
  ...bn('layer2.0.shortcut.1', 2),
  ['layer3.0.conv1.weight', [4, 2, 3, 3]],
  ...bn('layer3.0.bn1', 4),
  ['layer3.0.conv2.weight', [4, 4, 3, 3]],
  ...bn('layer3.0.bn2', 4),
  ['layer3.0.shortcut.0.weight', [4, 2, 1, 1]],
  ...bn('layer3.0.shortcut.1', 4),
  ['layer4.0.conv1.weight', [8, 4, 3, 3]],
  ...bn('layer4.0.bn1', 8),
  ['layer4.0.conv2.weight', [8, 8, 3, 3]],
  ...bn('layer4.0.bn2', 8),
  ['layer4.0.shortcut.0.weight', [8, 4, 1, 1]],
  ...bn('layer4.0.shortcut.1', 8),
  ['linear.weight', [3, 8]],
  ['linear.bias', [3]],
].map(([name, shape]) => [name as string, shape as readonly number[]]);

/** A fresh, mutable state dict of `tiny` (values from the random model). */
function tinyTensors(): Map<string, TensorLike> {
  return new Map([...resnetWeightsToTensors(randomResNetWeights(tiny, 'tiny'))].map(([name, t]) => [name, { shape: [...t.shape], data: t.data.slice() }]));
}

describe('resnetTensorSpecs, looksLikeResNet, inferResNetConfig', () => {
  it('every tensor of the tiny ResNet, in state-dict order', () => {
    expect(resnetTensorSpecs(tiny).map((s) => [s.name, s.shape])).toEqual(TINY_SPECS);
  });

  it('looksLikeResNet needs both conv1.weight and layer1.0.conv1.weight', () => {
    const t = tinyTensors();
    expect(looksLikeResNet(t)).toBe(true);
    expect(looksLikeResNet(new Map([['conv1.weight', 0]]))).toBe(false);
    expect(looksLikeResNet(new Map([['layer1.0.conv1.weight', 0]]))).toBe(false);
    expect(looksLikeResNet(new Map([['0.weight', 0]]))).toBe(false);
  });

  it('infers width, channels, blocks per stage and classes from the shapes', () => {
    const config = { width: 2, blocks: [2, 1, 1, 3], channels: 3, classes: 7 };
    expect(inferResNetConfig(new Map(resnetTensorSpecs(config).map((s) => [s.name, { shape: s.shape }])))).toEqual(config);
    expect(inferResNetConfig(tinyTensors())).toEqual(tiny);
  });

  it('names what it cannot infer from', () => {
    const without = (name: string) => {
      const t = tinyTensors();
      t.delete(name);
      return refusal(() => inferResNetConfig(t));
    };
    expect(without('layer3.0.conv1.weight')).toEqual({ check: 'model.infer', message: 'cannot infer the ResNet configuration: stage 3 has no block (tensor "layer3.0.conv1.weight" is missing)' });
    expect(without('layer1.0.conv1.weight')).toEqual({ check: 'model.infer', message: 'cannot infer the ResNet configuration: stage 1 has no block (tensor "layer1.0.conv1.weight" is missing)' });
    expect(without('conv1.weight')).toEqual({ check: 'model.infer', message: 'cannot infer the ResNet configuration: tensor "conv1.weight" (stem conv (w, C, 3, 3)) is missing' });
    expect(without('linear.weight')).toEqual({ check: 'model.infer', message: 'cannot infer the ResNet configuration: tensor "linear.weight" (linear head (classes, 8w)) is missing' });
  });
});

describe('resnetWeightsFromTensors and resnetWeightsToTensors', () => {
  it('arranges the tensors by stage and block, shortcuts only where the shape changes, arrays not copied', () => {
    const t = tinyTensors();
    const w = resnetWeightsFromTensors(t);
    const data = (name: string) => t.get(name)!.data;
    expect(w.kind).toBe('resnet');
    expect(w.config).toEqual(tiny);
    expect(w.conv1).toBe(data('conv1.weight'));
    expect(w.bn1).toEqual({ weight: data('bn1.weight'), bias: data('bn1.bias'), runningMean: data('bn1.running_mean'), runningVar: data('bn1.running_var') });
    expect(w.stages.map((s) => s.length)).toEqual([1, 1, 1, 1]);
    const b1 = w.stages[0][0];
    expect([b1.inChannels, b1.outChannels, b1.stride]).toEqual([1, 1, 1]);
    expect('shortcut' in b1).toBe(false);
    const b4 = w.stages[3][0];
    expect([b4.inChannels, b4.outChannels, b4.stride]).toEqual([4, 8, 2]);
    expect(b4.conv1).toBe(data('layer4.0.conv1.weight'));
    expect(b4.conv2).toBe(data('layer4.0.conv2.weight'));
    expect(b4.bn1.runningMean).toBe(data('layer4.0.bn1.running_mean'));
    expect(b4.bn2.weight).toBe(data('layer4.0.bn2.weight'));
    expect(b4.shortcut?.conv).toBe(data('layer4.0.shortcut.0.weight'));
    expect(b4.shortcut?.bn.runningVar).toBe(data('layer4.0.shortcut.1.running_var'));
    expect(w.linearWeight).toBe(data('linear.weight'));
    expect(w.linearBias).toBe(data('linear.bias'));
    // And back: the same names in state-dict order, the same arrays.
    const back = resnetWeightsToTensors(w);
    expect([...back.keys()]).toEqual(TINY_SPECS.map(([name]) => name));
    for (const [name, shape] of TINY_SPECS) {
      expect(back.get(name)?.shape, name).toEqual(shape);
      expect(back.get(name)?.data, name).toBe(data(name));
    }
  });

  it('names the model in its refusals', () => {
    const t = tinyTensors();
    t.delete('layer2.0.shortcut.1.running_var');
    expect(refusal(() => resnetWeightsFromTensors(t))).toEqual({
      check: 'model.missing-tensor',
      message: 'tensor "layer2.0.shortcut.1.running_var" (2) is missing (ResNet w=1 blocks=1/1/1/1 C=2 classes=3)',
    });
    const u = tinyTensors();
    u.set('linear.bias', { shape: [3], data: new Int32Array(3) });
    expect(refusal(() => resnetWeightsFromTensors(u, tiny))).toEqual({ check: 'model.tensor-dtype', message: 'tensor "linear.bias" holds Int32Array data; ResNet weights must be floating point (float32 or float64)' });
    const v = tinyTensors();
    (v.get('layer3.0.bn2.running_var')!.data as Float32Array)[1] = -2;
    expect(refusal(() => resnetWeightsFromTensors(v))).toEqual({ check: 'model.negative-variance', message: 'tensor "layer3.0.bn2.running_var" holds the negative variance -2 at index 1' });
  });

  it('weights that do not fit their config are refused', () => {
    const w = randomResNetWeights(tiny, 'x');
    expect(refusal(() => resnetWeightsToTensors({ ...w, config: { ...tiny, blocks: [1, 1, 1, 2] } }))).toEqual({ check: 'model.config', message: 'ResNet weights do not match their config' });
  });
});

describe('randomResNetWeights', () => {
  it('draws from seedrandom("resnet:" + seed) in state-dict order: Box–Muller normals, then the BatchNorm uniforms', () => {
    // conv1.weight (1, 2, 3, 3): fan-in 18, std √(2/18) = 1/3; value i from doubles 2i, 2i + 1.
    // bn1.weight: U(0.5, 1.5) from double 36.
    const prng = seedrandom('resnet:7');
    const doubles = Array.from({ length: 40 }, () => prng.double());
    const normal = (i: number) => (1 / 3) * Math.sqrt(-2 * Math.log(1 - doubles[2 * i])) * Math.cos(2 * Math.PI * doubles[2 * i + 1]);
    const w = randomResNetWeights(tiny, 7);
    for (let i = 0; i < 18; i++) expect(w.conv1[i]).toBe(Math.fround(normal(i)));
    expect(w.bn1.weight[0]).toBe(Math.fround(0.5 + doubles[36]));
    expect(w.bn1.bias[0]).toBe(Math.fround(-0.2 + 0.4 * doubles[37]));
    expect(w.bn1.runningMean[0]).toBe(Math.fround(-0.5 + doubles[38]));
    expect(w.bn1.runningVar[0]).toBe(Math.fround(0.5 + 1.5 * doubles[39]));
    expect(randomResNetWeights(tiny, 7)).toEqual(w);
    expect(randomResNetWeights(tiny, 8).conv1).not.toEqual(w.conv1);
  });

  it('BatchNorm and bias values fill their ranges; conv and linear weights have std √(2/fan-in) and mean 0', () => {
    const config = { width: 16, blocks: [1, 1, 1, 1], channels: 3, classes: 10 };
    const w = randomResNetWeights(config, 'scales');
    const t = resnetWeightsToTensors(w);
    const ranges: Record<string, [number, number]> = { weight: [0.5, 1.5], bias: [-0.2, 0.2], running_mean: [-0.5, 0.5], running_var: [0.5, 2] };
    // Every BatchNorm: the stem's, each block's two, the shortcuts'; 128 values at layer 4.
    for (const prefix of ['bn1', 'layer1.0.bn1', 'layer2.0.bn2', 'layer3.0.shortcut.1', 'layer4.0.bn1', 'layer4.0.bn2', 'layer4.0.shortcut.1']) {
      for (const [suffix, [lo, hi]] of Object.entries(ranges)) {
        const x = Array.from(t.get(`${prefix}.${suffix}`)!.data);
        const spread = (hi - lo) * (x.length >= 64 ? 0.1 : 0.45);
        expect(Math.min(...x), `${prefix}.${suffix}`).toBeGreaterThanOrEqual(lo);
        expect(Math.max(...x), `${prefix}.${suffix}`).toBeLessThanOrEqual(hi);
        expect(Math.min(...x), `${prefix}.${suffix}`).toBeLessThan(lo + spread);
        expect(Math.max(...x), `${prefix}.${suffix}`).toBeGreaterThan(hi - spread);
      }
    }
    const bias = Array.from(w.linearBias);
    expect(Math.min(...bias)).toBeGreaterThanOrEqual(-0.1);
    expect(Math.max(...bias)).toBeLessThanOrEqual(0.1);
    expect(bias.some((b) => b < 0) && bias.some((b) => b > 0)).toBe(true);
    // Standard deviation √(2/fan-in), fan-in = in·k·k (conv) or 8w (linear); 4 % tolerance on ≥ 9,000 values.
    const moments = (a: Float32Array) => {
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      return { mean, rms: Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length) };
    };
    for (const [name, fanIn] of [
      ['layer4.0.conv2.weight', 128 * 9],
      ['layer4.0.conv1.weight', 64 * 9],
      ['layer3.0.conv2.weight', 64 * 9],
      ['layer4.0.shortcut.0.weight', 64],
    ] as const) {
      const { mean, rms } = moments(t.get(name)!.data);
      expect(rms / Math.sqrt(2 / fanIn), name).toBeCloseTo(1, 1);
      expect(Math.abs(rms / Math.sqrt(2 / fanIn) - 1), name).toBeLessThan(0.04);
      expect(Math.abs(mean) / rms, name).toBeLessThan(0.05);
    }
    const head = moments(w.linearWeight); // 10 × 128 values, fan-in 128
    expect(Math.abs(head.rms / Math.sqrt(2 / 128) - 1)).toBeLessThan(0.1);
  });

  it('refuses a bad config before drawing', () => {
    expect(refusal(() => randomResNetWeights({ ...tiny, width: 0 }, 1)).check).toBe('model.config');
  });
});
