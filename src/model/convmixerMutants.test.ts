/**
 * Kill tests for src/model/convmixer.ts (issue 25): the whole text of each
 * refusal, the parameter count and FLOPs of a configuration worked out by
 * hand, the size limit of a random model, and the random model redrawn here
 * from seedrandom by the recipe its comment documents. Each test names the
 * mutants it kills (line and mutator, from the Stryker run of 2026-12-03).
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../properties/rejection.ts';
import {
  type ConvMixerConfig,
  MAX_RANDOM_PARAMETERS,
  convMixerParameterCount,
  convMixerWeightsFromTensors,
  convMixerWeightsToTensors,
  flopsPerImage,
  inferConvMixerConfig,
  randomConvMixerWeights,
  validateConvMixerConfig,
} from './convmixer.ts';
import type { TensorLike } from './stateDict.ts';

const config: ConvMixerConfig = { dim: 4, depth: 2, kernel: 3, patch: 2, channels: 3, classes: 5 };

/** A fresh, mutable state dict of `config`. */
function stateDict(): Map<string, TensorLike> {
  return new Map([...convMixerWeightsToTensors(randomConvMixerWeights(config, 'mutants'))].map(([name, t]) => [name, { shape: [...t.shape], data: t.data.slice() }]));
}

describe('convmixer.ts: the refusals, word for word', () => {
  // Kills :82 (`typeof config !== 'object' || config === null` → false, &&, false || …, … || false; both strings).
  it('a config that is no object', () => {
    for (const bad of [null, 5, 'x']) {
      expect(refusal(() => validateConvMixerConfig(bad as unknown as ConvMixerConfig))).toEqual({ check: 'model.config', message: 'ConvMixer config must be an object' });
    }
  });

  // Kills :94 (the message → ``).
  it('a field out of range names it, its minimum and the value', () => {
    expect(refusal(() => validateConvMixerConfig({ ...config, dim: 0 }))).toEqual({ check: 'model.config', message: 'ConvMixer config dim must be an integer ≥ 1, got 0' });
    expect(refusal(() => validateConvMixerConfig({ ...config, depth: -1 }))).toEqual({ check: 'model.config', message: 'ConvMixer config depth must be an integer ≥ 0, got -1' });
    expect(validateConvMixerConfig({ ...config, depth: 0 }).depth).toBe(0);
  });

  // Kills :131 (both strings of the stem's inferShape), :132 (the message, `[dim, channels, patch, patch2]` → []),
  // :138 (both strings of the depthwise inferShape), :139 (`k !== k2` → false; both strings), :142 (both strings of the head's).
  it('what the configuration cannot be inferred from', () => {
    const infer = (change: (t: Map<string, TensorLike>) => void) => {
      const t = stateDict();
      change(t);
      return refusal(() => inferConvMixerConfig(t));
    };
    const msg = (text: string) => ({ check: 'model.infer', message: `cannot infer the ConvMixer configuration: ${text}` });
    expect(infer((t) => t.delete('0.weight'))).toEqual(msg('tensor "0.weight" (patch-embedding weight (d, C, P, P)) is missing'));
    expect(infer((t) => t.set('0.weight', { shape: [4, 3, 2, 3], data: new Float32Array(72) }))).toEqual(msg('patch-embedding weight "0.weight" has a non-square kernel (4, 3, 2, 3)'));
    expect(infer((t) => t.set('3.0.fn.0.weight', { shape: [4, 1, 3, 5], data: new Float32Array(60) }))).toEqual(msg('depthwise weight "3.0.fn.0.weight" has a non-square kernel (4, 1, 3, 5)'));
    expect(infer((t) => t.set('3.0.fn.0.weight', { shape: [4, 3, 3], data: new Float32Array(36) }))).toEqual(msg('tensor "3.0.fn.0.weight" (depthwise weight (d, 1, k, k)) must have 4 positive dimensions, got (4, 3, 3)'));
    expect(infer((t) => t.delete('7.weight'))).toEqual(msg('tensor "7.weight" (linear head weight (classes, d) after 2 layer(s)) is missing'));
  });

  // Kills :158 (the model's description → ``) and :160 ('ConvMixer' → "").
  it('tensor refusals name the model', () => {
    const t = stateDict();
    t.delete('4.0.fn.2.running_var');
    expect(refusal(() => convMixerWeightsFromTensors(t, config))).toEqual({ check: 'model.missing-tensor', message: 'tensor "4.0.fn.2.running_var" (4) is missing (ConvMixer d=4 depth=2 k=3 P=2 C=3 classes=5)' });
    const u = stateDict();
    u.set('2.bias', { shape: [4], data: new Int32Array(4) });
    expect(refusal(() => convMixerWeightsFromTensors(u, config))).toEqual({ check: 'model.tensor-dtype', message: 'tensor "2.bias" holds Int32Array data; ConvMixer weights must be floating point (float32 or float64)' });
  });

  // Kills :201 (`arrays.length !== specs.length` → false; both strings).
  it('weights whose layers do not fit their config', () => {
    const w = randomConvMixerWeights(config, 'layers');
    expect(refusal(() => convMixerWeightsToTensors({ ...w, config: { ...config, depth: 1 } }))).toEqual({ check: 'model.config', message: 'weights hold 2 layers but the config says depth 1' });
    expect(refusal(() => convMixerWeightsToTensors({ ...w, config: { ...config, depth: 3 } }))).toEqual({ check: 'model.config', message: 'weights hold 2 layers but the config says depth 3' });
  });
});

describe('convmixer.ts: sizes', () => {
  // Kills :209–:210 (the parameter count's block, its reducers, + → −, * → /).
  it('the parameter count of ConvMixer d=4 depth=2 k=3 P=2 C=3 classes=5', () => {
    // Stem 4·3·2·2 + 4 = 52, its BatchNorm 4·4 = 16; per layer: depthwise 4·9 + 4, BatchNorm 16, pointwise 4·4 + 4,
    // BatchNorm 16 = 92, twice; head 5·4 + 5 = 25. 52 + 16 + 184 + 25 = 277.
    expect(convMixerParameterCount(config)).toBe(277);
    // ConvMixer-256/8 (k 9, P 4, 10 classes): stem 256·3·16 + 256 = 12,544, BatchNorm 1,024; per layer 256·81 + 256 + 1,024
    // + 256·256 + 256 + 1,024 = 88,832; head 2,570. 13,568 + 8·88,832 + 2,570 = 726,794.
    expect(convMixerParameterCount({ dim: 256, depth: 8, kernel: 9, patch: 4, channels: 3, classes: 10 })).toBe(726_794);
  });

  // Kills :223 (`count > MAX_RANDOM_PARAMETERS` → false), :223 BlockStatement and every mutant of :224's message (NoCoverage).
  it('a random model above 2^28 parameters is refused, naming its size', () => {
    expect(MAX_RANDOM_PARAMETERS).toBe(268_435_456);
    // d = 1, depth 0, k 1, P 1, C 1: 1 + 1 + 4 + classes·(1 + 1) parameters; 134,217,726 classes make 2^28 + 2
    // (the counts with thousands separators, the class count as plural() writes it).
    expect(refusal(() => randomConvMixerWeights({ dim: 1, depth: 0, kernel: 1, patch: 1, channels: 1, classes: 134_217_726 }, 0))).toEqual({
      check: 'model.too-large',
      message: 'ConvMixer-1/0 (kernel 1, patch 1, 1 channel, 134217726 classes) has 268,435,458 parameters; a random model has at most 268,435,456 (2^28, 1 GiB as float32)',
    });
    // d = 1, C = 2, P = 11,586, 1 class: 2·11,586² + 1 + 4 + 2 = 268,470,799.
    expect(refusal(() => randomConvMixerWeights({ dim: 1, depth: 0, kernel: 1, patch: 11_586, channels: 2, classes: 1 }, 0)).message).toBe(
      'ConvMixer-1/0 (kernel 1, patch 11586, 2 channels, 1 class) has 268,470,799 parameters; a random model has at most 268,435,456 (2^28, 1 GiB as float32)',
    );
  });

  // Kills :284 (`width / P` → `width * P`, `height < P` → false and <=, `width < P` → false and <=) and :285 (the message).
  it('flopsPerImage: an image of exactly one patch, and the sizes it refuses', () => {
    // 2×2 with P = 2: one position. Stem 4·3·2·2 = 48, per layer 4·9 + 4·4 = 52, head 4·5 = 20: 2·(48 + 2·52 + 20) = 344.
    expect(flopsPerImage(config, 2, 2)).toBe(344);
    const refused = (h: number, w: number) => refusal(() => flopsPerImage(config, h, w));
    expect(refused(4, 5)).toEqual({ check: 'model.image-size', message: 'image 5×4 is not a positive multiple of the patch size 2' });
    expect(refused(0, 4)).toEqual({ check: 'model.image-size', message: 'image 4×0 is not a positive multiple of the patch size 2' });
    expect(refused(4, 0)).toEqual({ check: 'model.image-size', message: 'image 0×4 is not a positive multiple of the patch size 2' });
  });
});

/**
 * The random model drawn again from its documented recipe: seedrandom("convmixer:" + seed), tensors in
 * state-dict order; a normal tensor of n values from ⌈n/2⌉ Box–Muller pairs (u = 1 − double, v = double,
 * r = √(−2 ln u): values r·cos 2πv, then r·sin 2πv while there is room), times √(2/fan-in); uniforms
 * lo + (hi − lo)·double; BatchNorm γ U(0.5, 1.5), β U(−0.2, 0.2), mean U(−0.5, 0.5), var U(0.5, 2).
 */
function redraw(c: ConvMixerConfig, seed: string): Float32Array[] {
  const prng = seedrandom(`convmixer:${seed}`);
  const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * prng.double());
  const normal = (n: number, fanIn: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - prng.double()));
      const angle = 2 * Math.PI * prng.double();
      out[i] = Math.sqrt(2 / fanIn) * r * Math.cos(angle);
      if (i + 1 < n) out[i + 1] = Math.sqrt(2 / fanIn) * r * Math.sin(angle);
    }
    return out;
  };
  const { dim: d, kernel: k, patch: P, channels: C, classes } = c;
  const bn = () => [uniform(d, 0.5, 1.5), uniform(d, -0.2, 0.2), uniform(d, -0.5, 0.5), uniform(d, 0.5, 2)];
  const out = [normal(d * C * P * P, C * P * P), uniform(d, -0.1, 0.1), ...bn()];
  for (let l = 0; l < c.depth; l++) out.push(normal(d * k * k, k * k), uniform(d, -0.1, 0.1), ...bn(), normal(d * d, d), uniform(d, -0.1, 0.1), ...bn());
  out.push(normal(classes * d, d), uniform(classes, -0.1, 0.1));
  return out;
}

describe('randomConvMixerWeights: the documented recipe, value for value', () => {
  // Kills :229 (uniform: `i < n` → <=, one extra draw), :234 (normal: `i < n` → <=, an extra pair for even n),
  // :239 (`2π·v` → `2π/v` in the cosine), :240 (`out[i + 1]` → `out[i − 1]`, `2π·v` → `2π/v` in the sine),
  // :247, :248, :252, :258, :261, :272 (−0.2, −0.5, −0.1 → +…), :271 (`√(2/d)` → `√(2·d)`).
  for (const [name, c] of [
    ['odd sizes (d 3, k 3, P 1, C 1, 3 classes)', { dim: 3, depth: 1, kernel: 3, patch: 1, channels: 1, classes: 3 }],
    ['even sizes (d 2, k 3, P 1, C 1, 3 classes)', { dim: 2, depth: 2, kernel: 3, patch: 1, channels: 1, classes: 3 }],
    ['config of the model tests (d 4, depth 2, k 3, P 2, C 3, 5 classes)', config],
  ] as const) {
    it(name, () => {
      const tensors = [...convMixerWeightsToTensors(randomConvMixerWeights(c, 's1')).values()].map((t) => t.data);
      const expected = redraw(c, 's1');
      expect(tensors.length).toBe(expected.length);
      tensors.forEach((t, i) => expect(Array.from(t), `tensor ${i}`).toEqual(Array.from(expected[i])));
    });
  }
});
