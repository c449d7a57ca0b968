import { describe, expect, it } from 'vitest';
import { CipherpatchError } from '../core/errors.ts';
import { type ConvMixerConfig, convMixerTensorSpecs, convMixerWeightsFromTensors, convMixerWeightsToTensors, flopsPerImage, inferConvMixerConfig, randomConvMixerWeights } from './convmixer.ts';
import { type TensorLike } from './stateDict.ts';

const config: ConvMixerConfig = { dim: 4, depth: 2, kernel: 3, patch: 2, channels: 3, classes: 5 };

/** A valid state dict for `config`, as a mutable map of fresh copies. */
function stateDict(c: ConvMixerConfig = config): Map<string, TensorLike> {
  const tensors = convMixerWeightsToTensors(randomConvMixerWeights(c, 'test'));
  return new Map([...tensors].map(([name, t]) => [name, { shape: [...t.shape], data: t.data.slice() }]));
}

function rejection(f: () => unknown): CipherpatchError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(CipherpatchError);
    return error as CipherpatchError;
  }
  throw new Error('expected a CipherpatchError, nothing was thrown');
}

describe('ConvMixer tensor names (PyTorch state dict of locuslab/convmixer)', () => {
  it('lists every tensor with its shape', () => {
    const specs = convMixerTensorSpecs(config);
    expect(specs.length).toBe(2 + 4 + config.depth * (2 + 4 + 2 + 4) + 2);
    const byName = new Map(specs.map((s) => [s.name, s.shape]));
    expect(byName.get('0.weight')).toEqual([4, 3, 2, 2]);
    expect(byName.get('2.running_var')).toEqual([4]);
    expect(byName.get('3.0.fn.0.weight')).toEqual([4, 1, 3, 3]);
    expect(byName.get('3.0.fn.2.running_mean')).toEqual([4]);
    expect(byName.get('4.1.weight')).toEqual([4, 4, 1, 1]);
    expect(byName.get('4.3.bias')).toEqual([4]);
    expect(byName.get('7.weight')).toEqual([5, 4]);
    expect(byName.get('7.bias')).toEqual([5]);
    expect(byName.has('5.0.fn.0.weight')).toBe(false);
  });

  it('infers the configuration from the shapes', () => {
    expect(inferConvMixerConfig(stateDict())).toEqual(config);
    const big = { dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 };
    expect(inferConvMixerConfig(new Map(convMixerTensorSpecs(big).map((s) => [s.name, { shape: s.shape }])))).toEqual(big);
    const shallow = { ...config, depth: 0 };
    expect(inferConvMixerConfig(stateDict(shallow))).toEqual({ ...shallow, kernel: 1 });
  });

  it('round-trips weights through a tensor map', () => {
    const weights = randomConvMixerWeights(config, 7);
    const back = convMixerWeightsFromTensors(convMixerWeightsToTensors(weights));
    expect(back).toEqual(weights);
  });

  it('accepts and ignores num_batches_tracked (int64), converts float64 to float32', () => {
    const tensors = stateDict();
    tensors.set('2.num_batches_tracked', { dtype: 'I64', shape: [], data: new BigInt64Array([100n]) });
    tensors.set('3.0.fn.2.num_batches_tracked', { shape: [], data: new BigInt64Array([100n]) });
    const head = tensors.get('7.bias')!;
    tensors.set('7.bias', { shape: head.shape, data: Float64Array.from(head.data as Float32Array) });
    const weights = convMixerWeightsFromTensors(tensors, config);
    expect(weights.headBias).toBeInstanceOf(Float32Array);
    expect(weights.headBias).toEqual(head.data);
  });
});

describe('weight validation errors name the tensor', () => {
  it('missing tensor', () => {
    const tensors = stateDict();
    tensors.delete('4.0.fn.2.running_var');
    const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.missing-tensor');
    expect(e.message).toContain('"4.0.fn.2.running_var"');
  });

  it('unexpected extra tensor (also num_batches_tracked outside a BatchNorm)', () => {
    const tensors = stateDict();
    tensors.set('3.0.fn.1.weight', { shape: [4], data: new Float32Array(4) });
    let e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.unexpected-tensor');
    expect(e.message).toContain('"3.0.fn.1.weight"');
    tensors.delete('3.0.fn.1.weight');
    tensors.set('0.num_batches_tracked', { shape: [], data: new BigInt64Array(1) });
    e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.unexpected-tensor');
    expect(e.message).toContain('"0.num_batches_tracked"');
  });

  it('a config that does not fit the tensors: missing or extra layers', () => {
    expect(rejection(() => convMixerWeightsFromTensors(stateDict(), { ...config, depth: 3 })).check).toBe('model.missing-tensor');
    const e = rejection(() => convMixerWeightsFromTensors(stateDict(), { ...config, depth: 1 }));
    expect(e.check).toBe('model.missing-tensor');
    expect(e.message).toContain('"6.weight"');
  });

  it('wrong shape', () => {
    const tensors = stateDict();
    tensors.set('3.0.fn.0.weight', { shape: [4, 1, 5, 5], data: new Float32Array(100) });
    const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.tensor-shape');
    expect(e.message).toBe('tensor "3.0.fn.0.weight" has shape (4, 1, 5, 5), expected (4, 1, 3, 3)');
  });

  it('data length that does not match the shape', () => {
    const tensors = stateDict();
    tensors.set('0.bias', { shape: [4], data: new Float32Array(3) });
    const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.tensor-length');
    expect(e.message).toContain('"0.bias"');
  });

  it('non-float data', () => {
    for (const data of [new Int32Array(4), new Uint8Array(4), [0, 0, 0, 0], new BigInt64Array(4)]) {
      const tensors = stateDict();
      tensors.set('2.bias', { shape: [4], data });
      const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
      expect(e.check).toBe('model.tensor-dtype');
      expect(e.message).toContain('"2.bias"');
      expect(e.message).toContain(data.constructor.name);
    }
    const tensors = stateDict();
    tensors.set('2.bias', { dtype: 'I32', shape: [4], data: new Int32Array(4) });
    expect(rejection(() => convMixerWeightsFromTensors(tensors, config)).message).toContain('I32');
  });

  it('NaN and ±Infinity, with the index', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const tensors = stateDict();
      (tensors.get('4.1.weight')!.data as Float32Array)[5] = bad;
      const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
      expect(e.check).toBe('model.tensor-not-finite');
      expect(e.message).toBe(`tensor "4.1.weight" holds ${bad} at flat index 5`);
    }
    const tensors = stateDict();
    tensors.set('0.bias', { shape: [4], data: new Float64Array([0, 1e300, 0, 0]) });
    const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.tensor-not-finite');
    expect(e.message).toContain('out of float32 range');
  });

  it('negative running variance', () => {
    const tensors = stateDict();
    (tensors.get('3.3.running_var')!.data as Float32Array)[2] = -0.5;
    const e = rejection(() => convMixerWeightsFromTensors(tensors, config));
    expect(e.check).toBe('model.negative-variance');
    expect(e.message).toContain('"3.3.running_var"');
  });

  it('bad config, or shapes nothing can be inferred from', () => {
    expect(rejection(() => convMixerWeightsFromTensors(stateDict(), { ...config, kernel: 0 })).check).toBe('model.config');
    expect(rejection(() => convMixerWeightsFromTensors(stateDict(), { ...config, dim: 2.5 })).check).toBe('model.config');
    const noStem = stateDict();
    noStem.delete('0.weight');
    let e = rejection(() => convMixerWeightsFromTensors(noStem));
    expect(e.check).toBe('model.infer');
    expect(e.message).toContain('"0.weight"');
    const noHead = stateDict();
    noHead.delete('7.weight');
    e = rejection(() => inferConvMixerConfig(noHead));
    expect(e.check).toBe('model.infer');
    expect(e.message).toContain('"7.weight"');
    const rect = stateDict();
    rect.set('0.weight', { shape: [4, 3, 2, 3], data: new Float32Array(72) });
    expect(rejection(() => inferConvMixerConfig(rect)).check).toBe('model.infer');
  });
});

describe('randomConvMixerWeights', () => {
  it('is deterministic, seed-dependent, valid, with positive variances', () => {
    const a = randomConvMixerWeights(config, 'x');
    expect(randomConvMixerWeights(config, 'x')).toEqual(a);
    expect(randomConvMixerWeights(config, 'y').embedWeight).not.toEqual(a.embedWeight);
    expect(convMixerWeightsFromTensors(convMixerWeightsToTensors(a), config)).toEqual(a);
    for (const bn of [a.embedNorm, ...a.layers.flatMap((l) => [l.depthwiseNorm, l.pointwiseNorm])]) {
      expect(bn.runningVar.every((v) => v >= 0.5 && v <= 2)).toBe(true);
      expect(bn.runningMean.some((v) => v !== 0)).toBe(true);
    }
  });

  it('has He-like scales', () => {
    const w = randomConvMixerWeights({ dim: 256, depth: 1, kernel: 9, patch: 4, channels: 3, classes: 10 }, 1);
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std(w.embedWeight)).toBeCloseTo(Math.sqrt(2 / 48), 2);
    expect(std(w.layers[0].pointwiseWeight)).toBeCloseTo(Math.sqrt(2 / 256), 2);
    expect(std(w.layers[0].depthwiseWeight)).toBeCloseTo(Math.sqrt(2 / 81), 2);
  });
});

describe('flopsPerImage', () => {
  it('counts 2 × multiply-adds of ConvMixer-256/8 on 32×32', () => {
    // stem 64·256·48, per layer 64·256·81 (depthwise) + 64·256·256 (pointwise), head 256·10
    const macs = 64 * 256 * 48 + 8 * (64 * 256 * 81 + 64 * 256 * 256) + 256 * 10;
    expect(flopsPerImage({ dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 }, 32, 32)).toBe(2 * macs);
    expect(2 * macs).toBe(89_920_512);
  });

  it('rejects an image size that is not a multiple of the patch', () => {
    expect(rejection(() => flopsPerImage(config, 5, 4)).check).toBe('model.image-size');
  });
});
