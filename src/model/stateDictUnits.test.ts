/**
 * stateDict.ts: the shared state-dict checks, each message written out by
 * hand. Mutation kills (issue 25, area io) named per test as stateDict.ts:<line> <mutator>.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_EPS, batchNormSpecs, checkTensor, checkTensorNames, inferShape, readBatchNorm, shapeText } from './stateDict.ts';
import { refusal } from '../../properties/rejection.ts';


describe('state dict helpers', () => {
  // Kills stateDict.ts:12 (PyTorch's default ε), :34–44 (the BatchNorm names, the shape text).
  it('ε, the shape text and the BatchNorm tensor names', () => {
    expect(BATCH_NORM_EPS).toBe(1e-5);
    expect(shapeText([4, 3, 2])).toBe('(4, 3, 2)');
    expect(shapeText([])).toBe('()');
    expect(batchNormSpecs('3.0.fn.2', 7)).toEqual([
      { name: '3.0.fn.2.weight', shape: [7] },
      { name: '3.0.fn.2.bias', shape: [7] },
      { name: '3.0.fn.2.running_mean', shape: [7] },
      { name: '3.0.fn.2.running_var', shape: [7] },
    ]);
  });

  // Kills stateDict.ts:48–53 (missing or null tensor, each shape condition, both messages).
  it('inferShape: present, of the rank, positive safe integers', () => {
    const t = new Map<string, { shape: number[] }>([['w', { shape: [4, 3] }], ['z', { shape: [4, 0] }], ['f', { shape: [4, 1.5] }], ['u', { shape: [2 ** 53, 1] }], ['n', null as unknown as { shape: number[] }], ['s', { shape: 'x' as unknown as number[] }]]);
    expect(inferShape(t, 'w', 2, 'the stem', 'ConvMixer')).toEqual([4, 3]);
    const why = (name: string, got: string) => ({ check: 'model.infer', message: `cannot infer the ConvMixer configuration: tensor "${name}" (the stem) must have 2 positive dimensions, got ${got}` });
    expect(refusal(() => inferShape(t, 'missing', 2, 'the stem', 'ConvMixer'))).toEqual({ check: 'model.infer', message: 'cannot infer the ConvMixer configuration: tensor "missing" (the stem) is missing' });
    expect(refusal(() => inferShape(t, 'n', 2, 'the stem', 'ConvMixer'))).toEqual({ check: 'model.infer', message: 'cannot infer the ConvMixer configuration: tensor "n" (the stem) is missing' });
    expect(refusal(() => inferShape(t, 'w', 3, 'the stem', 'ConvMixer'))).toEqual({ check: 'model.infer', message: 'cannot infer the ConvMixer configuration: tensor "w" (the stem) must have 3 positive dimensions, got (4, 3)' });
    expect(refusal(() => inferShape(t, 'z', 2, 'the stem', 'ConvMixer'))).toEqual(why('z', '(4, 0)'));
    expect(refusal(() => inferShape(t, 'f', 2, 'the stem', 'ConvMixer'))).toEqual(why('f', '(4, 1.5)'));
    expect(refusal(() => inferShape(t, 'u', 2, 'the stem', 'ConvMixer'))).toEqual(why('u', `(${2 ** 53}, 1)`));
    expect(refusal(() => inferShape(t, 's', 2, 'the stem', 'ConvMixer'))).toEqual(why('s', 'x'));
    expect(inferShape(new Map([['one', { shape: [1] }]]), 'one', 1, 'x', 'M')).toEqual([1]);
  });

  // Kills stateDict.ts:58–66 (every spec present, nothing else, num_batches_tracked only beside a BatchNorm).
  it('checkTensorNames: every spec present, nothing else but num_batches_tracked beside a BatchNorm', () => {
    const specs = [{ name: 'a.weight', shape: [2, 3] }, ...batchNormSpecs('bn', 2)];
    const names = (extra: string[] = [], drop = '') => new Map([...specs.map((s) => s.name), ...extra].filter((n) => n !== drop).map((n) => [n, {}]));
    expect(() => checkTensorNames(names(['bn.num_batches_tracked']), specs, 'M d=2')).not.toThrow();
    expect(refusal(() => checkTensorNames(names([], 'a.weight'), specs, 'M d=2'))).toEqual({ check: 'model.missing-tensor', message: 'tensor "a.weight" (2, 3) is missing (M d=2)' });
    expect(refusal(() => checkTensorNames(names([], 'bn.running_var'), specs, 'M d=2'))).toEqual({ check: 'model.missing-tensor', message: 'tensor "bn.running_var" (2) is missing (M d=2)' });
    for (const extra of ['a.num_batches_tracked', 'x.num_batches_tracked', 'bn.extra', 'num_batches_tracked', 'bn.num_batches_trackedX']) {
      expect(refusal(() => checkTensorNames(names([extra]), specs, 'M d=2'))).toEqual({ check: 'model.unexpected-tensor', message: `unexpected tensor "${extra}": not part of M d=2` });
    }
  });

  // Kills stateDict.ts:76–93 (each check of checkTensor and its message; float32 kept, float64 converted; the dtype's name).
  it('checkTensor: an object of the shape, float data of the length, finite', () => {
    const f32 = Float32Array.of(1, 2, 3, 4, 5, 6);
    expect(checkTensor('w', { shape: [2, 3], data: f32 }, [2, 3], 'M')).toBe(f32);
    const f64 = checkTensor('w', { shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 0.1) }, [2, 3], 'M');
    expect(f64).toBeInstanceOf(Float32Array);
    expect(Array.from(f64)).toEqual([1, 2, 3, 4, 5, Math.fround(0.1)]);
    expect(refusal(() => checkTensor('w', null as unknown as { shape: number[]; data: unknown }, [1], 'M'))).toEqual({ check: 'model.tensor', message: 'tensor "w" is not an object with shape and data' });
    expect(refusal(() => checkTensor('w', 'x' as unknown as { shape: number[]; data: unknown }, [1], 'M')).check).toBe('model.tensor');
    const shape = (got: string) => ({ check: 'model.tensor-shape', message: `tensor "w" has shape ${got}, expected (2, 3)` });
    expect(refusal(() => checkTensor('w', { shape: [3, 2], data: f32 }, [2, 3], 'M'))).toEqual(shape('(3, 2)'));
    expect(refusal(() => checkTensor('w', { shape: [2, 3, 1], data: f32 }, [2, 3], 'M'))).toEqual(shape('(2, 3, 1)'));
    expect(refusal(() => checkTensor('w', { shape: [2], data: f32 }, [2, 3], 'M'))).toEqual(shape('(2)'));
    expect(refusal(() => checkTensor('w', { shape: 'big' as unknown as number[], data: f32 }, [2, 3], 'M'))).toEqual(shape('big'));
    const dtype = (kind: string) => ({ check: 'model.tensor-dtype', message: `tensor "w" holds ${kind} data; M weights must be floating point (float32 or float64)` });
    expect(refusal(() => checkTensor('w', { shape: [1], data: Int32Array.of(1), dtype: 'I32' }, [1], 'M'))).toEqual(dtype('I32'));
    expect(refusal(() => checkTensor('w', { shape: [1], data: Int32Array.of(1) }, [1], 'M'))).toEqual(dtype('Int32Array'));
    expect(refusal(() => checkTensor('w', { shape: [1], data: [1] }, [1], 'M'))).toEqual(dtype('Array'));
    expect(refusal(() => checkTensor('w', { shape: [1], data: null }, [1], 'M'))).toEqual(dtype('object'));
    expect(refusal(() => checkTensor('w', { shape: [1], data: 'abc' }, [1], 'M'))).toEqual(dtype('string'));
    expect(refusal(() => checkTensor('w', { shape: [2, 3], data: new Float32Array(5) }, [2, 3], 'M'))).toEqual({ check: 'model.tensor-length', message: 'tensor "w" has 5 values, shape (2, 3) needs 6' });
    expect(refusal(() => checkTensor('w', { shape: [2, 3], data: new Float32Array(7) }, [2, 3], 'M')).check).toBe('model.tensor-length');
    const finite = (what: string, i: number, suffix = '') => ({ check: 'model.tensor-not-finite', message: `tensor "w" holds ${what} at flat index ${i}${suffix}` });
    expect(refusal(() => checkTensor('w', { shape: [3], data: Float32Array.of(0, Number.NaN, 1) }, [3], 'M'))).toEqual(finite('NaN', 1));
    expect(refusal(() => checkTensor('w', { shape: [3], data: Float32Array.of(0, 1, Infinity) }, [3], 'M'))).toEqual(finite('Infinity', 2));
    expect(refusal(() => checkTensor('w', { shape: [3], data: Float32Array.of(-Infinity, 1, 2) }, [3], 'M'))).toEqual(finite('-Infinity', 0));
    expect(refusal(() => checkTensor('w', { shape: [2], data: Float64Array.of(1, -1e39) }, [2], 'M'))).toEqual(finite('-Infinity', 1, ' (out of float32 range)'));
    expect(refusal(() => checkTensor('w', { shape: [2], data: Float64Array.of(1e39, 1) }, [2], 'M'))).toEqual(finite('Infinity', 0, ' (out of float32 range)'));
    expect(refusal(() => checkTensor('w', { shape: [2], data: Float64Array.of(1, Infinity) }, [2], 'M'))).toEqual(finite('Infinity', 1));
    expect(checkTensor('s', { shape: [], data: Float32Array.of(7) }, [], 'M')[0]).toBe(7);
  });

  // Kills stateDict.ts:98–101 (a negative variance found at its index, zero allowed, the fields from their names).
  it('readBatchNorm: non-negative variances; each field from its tensor', () => {
    const arrays: Record<string, Float32Array> = { 'bn.weight': Float32Array.of(1), 'bn.bias': Float32Array.of(2), 'bn.running_mean': Float32Array.of(3), 'bn.running_var': Float32Array.of(0) };
    const bn = readBatchNorm((n) => arrays[n], 'bn');
    expect([bn.weight[0], bn.bias[0], bn.runningMean[0], bn.runningVar[0]]).toEqual([1, 2, 3, 0]);
    arrays['bn.running_var'] = Float32Array.of(0.5, 0, -0.25, -1);
    expect(refusal(() => readBatchNorm((n) => arrays[n], 'bn'))).toEqual({ check: 'model.negative-variance', message: 'tensor "bn.running_var" holds the negative variance -0.25 at index 2' });
    arrays['bn.running_var'] = Float32Array.of(-2);
    expect(refusal(() => readBatchNorm((n) => arrays[n], 'bn')).message).toBe('tensor "bn.running_var" holds the negative variance -2 at index 0');
  });
});
