/**
 * The ConvMixer's ONNX graphs (onnxGraph.ts), fast, for mutation runs (issue
 * 25): tiny ConvMixers (d ≤ 4, depth 0–2) on 4×4 … 6×8 images, each graph
 * built and run by onnxruntime directly, its logits against the literal spec
 * ConvMixer (spec/convmixer.ts via properties/engineBridge.ts) — never
 * against src. Every form ('conv', 'dense') and GELU spelling ('op', 'erf'),
 * odd and even kernels (asymmetric "same" padding), non-square maps, the
 * dense graph's unfolded residual (a BatchNorm γ of 0, or a ratio s₂/s past
 * 2³²), a partial batch; nothing here depends on the dense graph's node list.
 * Then denseGraphSuits at its boundaries, the model's header, and every
 * refusal with its whole message.
 */
import onnxProto from 'onnx-proto';
import { describe, expect, it, vi } from 'vitest';
import { expectLogitsMatch, specLogits, specLogitsWith, specModel } from '../../properties/engineBridge.ts';
import { specResNet } from '../../properties/resnetBridge.ts';
import { resnetForward } from '../../spec/resnet.ts';
import { refusal } from '../../properties/rejection.ts';
import { type ImageBatch, normalizeImages } from '../core/images.ts';
import { type ConvMixerConfig, type ConvMixerWeights, randomConvMixerWeights } from '../model/convmixer.ts';
import { randomResNetWeights } from '../model/resnet.ts';
import { loadOnnxRuntime } from './onnx.ts';
import { DENSE_MAX_BYTES, ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, ONNX_OUTPUT, type OnnxGraphOptions, buildConvMixerOnnx, buildResNetOnnx, denseGraphSuits } from './onnxGraph.ts';

// Fast imports for mutation runs (Stryker reloads them for every mutant): the spec's erf without mathjs
// (properties/fastErf.ts, accurate to 1e-14), and no tfjs behind properties/engineBridge.ts.
vi.mock('mathjs', async () => ({ erf: (await import('../../properties/fastErf.ts')).erf }));
vi.mock('./tfjs.ts', () => ({ selectTfjsBackend: () => Promise.reject(new Error('no tfjs in this test')) }));

const { ort } = await loadOnnxRuntime();

/** `count` 8-bit NHWC images with values spread over 0…255. */
function imagesFor(config: ConvMixerConfig, count: number, height: number, width: number, salt = 0): ImageBatch<Uint8Array> {
  const data = Uint8Array.from({ length: count * height * width * config.channels }, (_, i) => (i * 97 + 13 + salt * 41) % 256);
  return { data, shape: { count, height, width, channels: config.channels }, layout: 'NHWC' };
}

/** The model's logits for the images, run by onnxruntime itself (one thread, the graph as built), NCHW. */
async function run(model: Uint8Array, images: ImageBatch<Uint8Array>, classes: number): Promise<Float32Array> {
  // No graph optimization: the graph runs as built (and a session starts in a third of the time).
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    const { count, channels, height, width } = images.shape;
    const input = new ort.Tensor('float32', normalizeImages(images, 0, count, 'NCHW'), [count, channels, height, width]);
    const out = (await session.run({ [ONNX_INPUT]: input }))[ONNX_OUTPUT];
    expect(out.dims).toEqual([count, classes]);
    return out.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Builds the graph, runs it, and compares every logit and the top-1 class with the spec ConvMixer. */
async function expectSpec(weights: ConvMixerWeights, options: OnnxGraphOptions, images: ImageBatch<Uint8Array>, context: string): Promise<void> {
  const logits = await run(buildConvMixerOnnx(weights, options), images, weights.config.classes);
  expectLogitsMatch(logits, specLogits(specModel(weights), images), weights.config.classes, context, TINY_TOLERANCE);
}

/**
 * float32 against the float64 spec on models this small (d ≤ 4, depth ≤ 2, |logit| < 3) agrees to about 1e-6
 * (measured: every |Δ| here is under 1e-6); TOLERANCE.engineLogits (1e-4) is for the full-size models and
 * would let a wrong tap worth 2e-5 of a logit through (onnxGraph.ts:285 `y <= rows`).
 */
const TINY_TOLERANCE = { atol: 2e-6, rtol: 2e-6 };

const decode = (model: Uint8Array) => onnxProto.onnx.ModelProto.decode(model);
const opTypes = (model: Uint8Array) => new Set(decode(model).graph?.node?.map((n) => n.opType));

describe('buildConvMixerOnnx ≡ spec ConvMixer (onnxGraph.ts mutation kills)', () => {
  // kills onnxGraph.ts: the conv graph (stem, pads ⌊(k−1)/2⌋ before / the rest after, group, residual,
  // BatchNorm, head) and the dense graph (patch columns, the depthwise matrices and their border
  // sums, the folded BatchNorms, ReduceMean over positions, transA/transB), each arithmetic / loop /
  // condition mutant there changes some logit on at least one of these cases.
  const cases: { config: ConvMixerConfig; sizes: [number, number][] }[] = [
    { config: { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 }, sizes: [[4, 4], [4, 6]] },
    { config: { dim: 3, depth: 2, kernel: 2, patch: 2, channels: 2, classes: 4 }, sizes: [[6, 8]] }, // even kernel: 0 before, 1 after
    { config: { dim: 2, depth: 1, kernel: 4, patch: 1, channels: 1, classes: 2 }, sizes: [[3, 5]] }, // 1 before, 2 after; P = 1
    { config: { dim: 3, depth: 0, kernel: 3, patch: 2, channels: 3, classes: 2 }, sizes: [[4, 4]] }, // no layer: stem → head
  ];
  for (const { config, sizes } of cases) {
    for (const [height, width] of sizes) {
      const label = `d${config.dim} depth${config.depth} k${config.kernel} P${config.patch} C${config.channels}, ${height}×${width}`;
      it(`conv and dense, GELU op and erf: ${label}, 3 images`, async () => {
        const weights = randomConvMixerWeights(config, `graph ${label}`);
        const images = imagesFor(config, 3, height, width);
        for (const form of ['conv', 'dense'] as const) {
          for (const gelu of ['op', 'erf'] as const) await expectSpec(weights, { form, gelu, height, width }, images, `${form}/${gelu} ${label}`);
        }
      });
    }
  }

  it('the dense graph with a BatchNorm γ of 0 (unfolded residual) and with s₂/s past 2³² (unfolded too)', async () => {
    // kills onnxGraph.ts:311 (the fold condition: every s ≠ 0) and :316-326 (the
    // unfolded residual s₂⊙g₂ + s⊙z and the unscaled weight): with γ = 0 the folded form divides by 0.
    const config: ConvMixerConfig = { dim: 3, depth: 2, kernel: 3, patch: 2, channels: 3, classes: 3 };
    const images = imagesFor(config, 2, 4, 6, 1);
    for (const [name, gamma] of [
      ['γ = 0 in the stem', 0],
      ['γ = 1e-12 in the stem (s₂/s ≈ 1e12)', 1e-12],
    ] as const) {
      const weights = randomConvMixerWeights(config, 'zero gamma');
      weights.embedNorm.weight[1] = gamma;
      weights.layers[0].pointwiseNorm.weight[2] = gamma; // the second layer's s
      await expectSpec(weights, { form: 'dense', height: 4, width: 6 }, images, `dense, ${name}`);
      await expectSpec(weights, { form: 'dense', height: 4, width: 6, gelu: 'erf' }, images, `dense erf, ${name}`);
      await expectSpec(weights, { form: 'conv' }, images, `conv, ${name}`);
    }
  });

  it('the dense graph on a map of more than 2 rows (k = 3, d = 2): each channel\'s matrix stays its own', async () => {
    // kills onnxGraph.ts:285 EqualityOperator `y <= rows` (the extra row writes taps into the next channel's
    // matrix at positions its own window does not reach; needs ≥ 3 rows and ≥ 2 channels)
    const config: ConvMixerConfig = { dim: 2, depth: 1, kernel: 3, patch: 1, channels: 1, classes: 2 };
    const weights = randomConvMixerWeights(config, 'rows');
    const images = imagesFor(config, 2, 4, 4, 2);
    await expectSpec(weights, { form: 'dense', height: 4, width: 4 }, images, 'dense 4×4 map');
  });

  it('BatchNorm ε = 1e-5 counts: running variances of 1e-5 … 1e-6', async () => {
    // kills onnxGraph.ts:190 ArithmeticOperator `σ² − ε` (the dense graph's and the ResNet's folded BatchNorms);
    // with σ² = 1e-5, √(σ² + ε) is √2·√σ², with σ² − ε it is 0. The spec's ε is PyTorch's 1e-5.
    const config: ConvMixerConfig = { dim: 3, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 };
    const weights = randomConvMixerWeights(config, 'epsilon');
    for (const bn of [weights.embedNorm, weights.layers[0].depthwiseNorm, weights.layers[0].pointwiseNorm]) {
      bn.runningVar.set([1e-5, 1e-6, 3e-6]);
      bn.weight.set([1e-3, 2e-3, 5e-4]); // keeps the scaled activations O(1)
    }
    const images = imagesFor(config, 2, 4, 4, 3);
    for (const form of ['conv', 'dense'] as const) await expectSpec(weights, { form, height: 4, width: 4 }, images, `${form}, small variances`);
  });

  it('the dense graph does not fold a BatchNorm whose scale is denormal in float32 (s₂/s overflows)', async () => {
    // kills onnxGraph.ts:311 (the fold's guard |s₂/s| ≤ 2³²: → true, `ratio.some`, `> 2³²`): γ = 1e-40 makes
    // s₂/s ≈ 1e40, Infinity in float32, and the folded form NaN; every channel, then one
    const config: ConvMixerConfig = { dim: 2, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 };
    const images = imagesFor(config, 2, 4, 4, 4);
    for (const channels of [[0, 1], [1]]) {
      const weights = randomConvMixerWeights(config, 'denormal');
      for (const c of channels) weights.embedNorm.weight[c] = 1e-40;
      await expectSpec(weights, { form: 'dense', height: 4, width: 4 }, images, `dense, γ = 1e-40 in channels ${channels.join(',')}`);
    }
  });

  it('the conv graph runs every image size with one model; the batch dimension is free; the dense one is fixed', async () => {
    // kills onnxGraph.ts:386-397 (the input dims: N, C, H, W dynamic for conv, numbers for dense) and :350-368 encodeModel's header
    const config: ConvMixerConfig = { dim: 4, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 3 };
    const weights = randomConvMixerWeights(config, 'sizes');
    const conv = buildConvMixerOnnx(weights);
    for (const [count, height, width] of [
      [1, 2, 2],
      [2, 4, 6],
      [5, 8, 4],
    ]) {
      const images = imagesFor(config, count, height, width, count);
      expectLogitsMatch(await run(conv, images, 3), specLogits(specModel(weights), images), 3, `conv ${height}×${width}`, TINY_TOLERANCE);
    }
    const typeDims = (value: onnxProto.onnx.IValueInfoProto | undefined) => value?.type?.tensorType?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
    const header = (model: Uint8Array) => {
      const m = decode(model);
      const g = m.graph;
      return {
        ir: Number(m.irVersion),
        producer: m.producerName,
        opset: m.opsetImport?.map((o) => [o.domain, Number(o.version)]),
        name: g?.name,
        inputs: g?.input?.map((i) => [i.name, i.type?.tensorType?.elemType, typeDims(i)]),
        outputs: g?.output?.map((o) => [o.name, o.type?.tensorType?.elemType, typeDims(o)]),
      };
    };
    // ONNX's TensorProto.DataType FLOAT is 1; IR 9 with opset 20 (ONNX 1.15, the first opset with Gelu).
    expect([ONNX_IR_VERSION, ONNX_OPSET, ONNX_INPUT, ONNX_OUTPUT]).toEqual([9, 20, 'images', 'logits']);
    expect(header(conv)).toEqual({ ir: 9, producer: 'cipherpatch', opset: [['', 20]], name: 'convmixer_d4_depth1_k3_p2_conv', inputs: [['images', 1, ['N', 3, 'H', 'W']]], outputs: [['logits', 1, ['N', 3]]] });
    expect(header(buildConvMixerOnnx(weights, { form: 'dense', height: 4, width: 6 }))).toEqual({
      ir: 9,
      producer: 'cipherpatch',
      opset: [['', 20]],
      name: 'convmixer_d4_depth1_k3_p2_dense',
      inputs: [['images', 1, ['N', 3, 4, 6]]],
      outputs: [['logits', 1, ['N', 3]]],
    });
    // 'conv' is the default form and ignores height / width; the dense model refuses another size.
    expect(buildConvMixerOnnx(weights, { height: 4, width: 6 })).toEqual(conv);
    expect(buildConvMixerOnnx(weights, { form: 'conv', gelu: 'op' })).toEqual(conv);
    const dense = buildConvMixerOnnx(weights, { form: 'dense', height: 4, width: 6 });
    await expect(run(dense, imagesFor(config, 1, 6, 4), 3)).rejects.toThrow();
  });

  it("the conv graph's weights carry PyTorch's state-dict names (nn.Sequential indices of the ConvMixer)", () => {
    // kills onnxGraph.ts:238 StringLiteral '2', :242 ArithmeticOperator `3 − l`, :253 `5 − depth`: the names are the
    // ConvMixer's own (Trockman & Kolter's nn.Sequential: 0 stem conv, 1 GELU, 2 BN, 3 … 2+depth the layers —
    // each Residual(0: fn = [0 conv, 1 GELU, 2 BN]), 1 conv1×1, 2 GELU, 3 BN — then pool, flatten, 5+depth the linear)
    const weights = randomConvMixerWeights({ dim: 2, depth: 2, kernel: 3, patch: 2, channels: 1, classes: 2 }, 'names');
    const names = decode(buildConvMixerOnnx(weights)).graph?.initializer?.map((t) => t.name);
    const norm = (prefix: string) => ['weight', 'bias', 'running_mean', 'running_var'].map((f) => `${prefix}.${f}`);
    const layer = (i: number) => [`${i}.0.fn.0.weight`, `${i}.0.fn.0.bias`, ...norm(`${i}.0.fn.2`), `${i}.1.weight`, `${i}.1.bias`, ...norm(`${i}.3`)];
    expect([...(names ?? [])].sort()).toEqual(['0.weight', '0.bias', ...norm('2'), ...layer(3), ...layer(4), '7.weight', '7.bias'].sort());
  });

  it("the ResNet graph's weights are named by stage and block (layer1 … layer4, as torchvision's ResNet)", () => {
    // kills onnxGraph.ts:427 ArithmeticOperator `s − 1` (layer names counted from 1)
    const resnet = randomResNetWeights({ width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 4 }, 'names');
    const names = new Set(decode(buildResNetOnnx(resnet)).graph?.initializer?.map((t) => t.name));
    for (const name of ['conv1.weight', 'layer1.0.conv1.weight', 'layer1.0.conv2.bias', 'layer2.0.shortcut.weight', 'layer4.0.conv2.weight', 'linear.weight', 'linear.bias']) expect(names.has(name), name).toBe(true);
    expect([...names].some((n) => n?.startsWith('layer0') || n?.startsWith('layer5'))).toBe(false);
  });

  it("GELU: the Gelu op with approximate 'none' by default, Erf (and no Gelu op) when asked", () => {
    // kills onnxGraph.ts:380 (the default 'op') and :166-175 (the Gelu op's attribute, the Erf spelling and its constants)
    const weights = randomConvMixerWeights({ dim: 2, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 }, 'gelu');
    for (const form of ['conv', 'dense'] as const) {
      const op = decode(buildConvMixerOnnx(weights, { form, height: 4, width: 4 }));
      const gelus = op.graph?.node?.filter((n) => n.opType === 'Gelu') ?? [];
      expect(gelus.length).toBe(3); // stem, depthwise, pointwise: one per σ of Eqs. (1)–(2)
      for (const n of gelus) expect(n.attribute?.map((a) => [a.name, new TextDecoder().decode(a.s ?? new Uint8Array())])).toEqual([['approximate', 'none']]);
      const erf = buildConvMixerOnnx(weights, { form, height: 4, width: 4, gelu: 'erf' });
      expect(opTypes(erf).has('Gelu')).toBe(false);
      expect(decode(erf).graph?.node?.filter((n) => n.opType === 'Erf').length).toBe(3);
    }
  });
});

describe('buildResNetOnnx ≡ spec ResNet', () => {
  it('a tiny ResNet (width 2, one block per stage, strided shortcuts) on 4×4 and 6×6 images, one model', async () => {
    // kills onnxGraph.ts:412-438: BatchNorm folded into each conv (w·s, shift as bias), pads (k−1)/2, strides, the shortcut
    // conv or identity, Relu after the sum, the head over 8·width features; logits against spec/resnet.ts
    const resnet = randomResNetWeights({ width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 4 }, 'graph');
    const model = buildResNetOnnx(resnet);
    const m = decode(model);
    expect([m.graph?.name, m.graph?.input?.[0].type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))]).toEqual(['resnet_w2_b1111', ['N', 3, 'H', 'W']]);
    for (const size of [4, 6]) {
      const images: ImageBatch<Uint8Array> = { data: Uint8Array.from({ length: 2 * size * size * 3 }, (_, i) => (i * 61 + 3) % 256), shape: { count: 2, height: size, width: size, channels: 3 }, layout: 'NHWC' };
      const expected = specLogitsWith(images, (image) => resnetForward(image, specResNet(resnet)));
      expectLogitsMatch(await run(model, images, 4), expected, 4, `ResNet ${size}×${size}`, { atol: 1e-4, rtol: 1e-4 });
    }
  });
});

describe('denseGraphSuits', () => {
  // kills onnxGraph.ts:92-94: the divisibility test, the 2k² bound and the byte bound, each at equality.
  // Hand-computed: positions = (H/P)(W/P); bytes = depth·d·positions²·4 (float32).
  const k2: ConvMixerConfig = { dim: 1, depth: 1, kernel: 2, patch: 1, channels: 1, classes: 1 };
  it('at most 2k² positions', () => {
    expect(denseGraphSuits(k2, 2, 4)).toBe(true); // 8 = 2·2²
    expect(denseGraphSuits(k2, 3, 3)).toBe(false); // 9 > 8
    expect(denseGraphSuits(k2, 1, 1)).toBe(true);
    expect(denseGraphSuits({ ...k2, kernel: 3 }, 3, 6)).toBe(true); // 18 = 2·3²
    expect(denseGraphSuits({ ...k2, kernel: 3 }, 1, 19)).toBe(false);
    // P = 2: positions are counted on the patch grid, (6/2)·(4/2) = 6 ≤ 18 (kills :93 ArithmeticOperator height * P, width * P: 24 > 18).
    expect(denseGraphSuits({ ...k2, kernel: 3, patch: 2 }, 6, 4)).toBe(true);
  });
  it('the image must be a multiple of the patch size, in each direction', () => {
    const p2 = { ...k2, kernel: 9, patch: 2 };
    expect(denseGraphSuits(p2, 4, 4)).toBe(true);
    expect(denseGraphSuits(p2, 5, 4)).toBe(false);
    expect(denseGraphSuits(p2, 4, 5)).toBe(false);
  });
  it(`the matrices of all layers at most DENSE_MAX_BYTES = 256 MiB`, () => {
    expect(DENSE_MAX_BYTES).toBe(268_435_456);
    // 64 positions (8×8, P = 1, k = 9: 64 ≤ 162): d·64²·4 = 16,384·d bytes, 256 MiB at d·depth = 16,384.
    const c = { dim: 8192, depth: 2, kernel: 9, patch: 1, channels: 3, classes: 10 };
    expect(denseGraphSuits(c, 8, 8)).toBe(true);
    expect(denseGraphSuits({ ...c, dim: 8193 }, 8, 8)).toBe(false);
    expect(denseGraphSuits({ ...c, depth: 3 }, 8, 8)).toBe(false);
  });
});

describe('buildConvMixerOnnx refusals', () => {
  // kills onnxGraph.ts:197-226 (each weight check and its message) and :381-392 (the options' checks and messages)
  const config: ConvMixerConfig = { dim: 2, depth: 1, kernel: 3, patch: 2, channels: 1, classes: 2 };
  const weights = randomConvMixerWeights(config, 'refusals');
  const build = (w: unknown, options?: OnnxGraphOptions) => refusal(() => buildConvMixerOnnx(w as ConvMixerWeights, options));
  const graph = (message: string) => ({ check: 'engine.onnx-graph', message });

  it('unknown options', () => {
    expect(build(weights, { form: 'winograd' as 'conv' })).toEqual(graph('unknown ONNX graph form "winograd": use "conv" or "dense"'));
    expect(build(weights, { gelu: 'tanh' as 'op' })).toEqual(graph('unknown GELU form "tanh": use "op" or "erf"'));
  });

  it('a dense image size that is not a positive multiple of the patch size', () => {
    const size = (name: string, value: unknown) => ({ check: 'engine.image-size', message: `the dense ONNX graph needs the image ${name} as a positive multiple of the patch size 2, got ${String(value)}` });
    expect(build(weights, { form: 'dense', width: 4 })).toEqual(size('height', undefined));
    expect(build(weights, { form: 'dense', height: 4 })).toEqual(size('width', undefined));
    expect(build(weights, { form: 'dense', height: 3, width: 4 })).toEqual(size('height', 3));
    expect(build(weights, { form: 'dense', height: 4, width: 6.5 })).toEqual(size('width', 6.5));
    expect(build(weights, { form: 'dense', height: 0, width: 4 })).toEqual(size('height', 0));
    expect(build(weights, { form: 'dense', height: -2, width: 4 })).toEqual(size('height', -2));
    expect(build(weights, { form: 'dense', height: 4, width: 1 })).toEqual(size('width', 1)); // < P (and not a multiple)
    expect(() => buildConvMixerOnnx(weights, { form: 'dense', height: 2, width: 2 })).not.toThrow(); // = P
  });

  it('weights that are not ConvMixerWeights, or arrays of the wrong size', () => {
    expect(build(null)).toEqual(graph('cannot build the ONNX graph: weights must be ConvMixerWeights'));
    expect(build('weights')).toEqual(graph('cannot build the ONNX graph: weights must be ConvMixerWeights'));
    expect(build({ ...weights, config: { ...config, dim: 0 } }).check).toBe('model.config');
    const arr = (what: string, size: number, got: string) => graph(`cannot build the ONNX graph: ${what} must be a Float32Array of ${size} values, got ${got}`);
    expect(build({ ...weights, embedWeight: new Float32Array(7) })).toEqual(arr('embedWeight', 8, '7 values')); // d·C·P² = 2·1·4
    expect(build({ ...weights, embedWeight: Array.from(weights.embedWeight) })).toEqual(arr('embedWeight', 8, Array.from(weights.embedWeight).join(',')));
    expect(build({ ...weights, embedBias: new Float32Array(3) })).toEqual(arr('embedBias', 2, '3 values'));
    for (const field of ['weight', 'bias', 'runningMean', 'runningVar'] as const) {
      expect(build({ ...weights, embedNorm: { ...weights.embedNorm, [field]: new Float32Array(1) } })).toEqual(arr(`embedNorm.${field}`, 2, '1 values'));
    }
    expect(build({ ...weights, embedNorm: undefined })).toEqual(arr('embedNorm.weight', 2, 'undefined'));
    const layer = weights.layers[0];
    const withLayer = (patch: object) => build({ ...weights, layers: [{ ...layer, ...patch }] });
    expect(withLayer({ depthwiseWeight: new Float32Array(17) })).toEqual(arr('layers[0].depthwiseWeight', 18, '17 values')); // d·k² = 2·9
    expect(withLayer({ depthwiseBias: new Float32Array(1) })).toEqual(arr('layers[0].depthwiseBias', 2, '1 values'));
    expect(withLayer({ depthwiseNorm: { ...layer.depthwiseNorm, runningVar: new Float32Array(3) } })).toEqual(arr('layers[0].depthwiseNorm.runningVar', 2, '3 values'));
    expect(withLayer({ pointwiseWeight: new Float32Array(5) })).toEqual(arr('layers[0].pointwiseWeight', 4, '5 values')); // d²
    expect(withLayer({ pointwiseBias: new Float32Array(0) })).toEqual(arr('layers[0].pointwiseBias', 2, '0 values'));
    expect(withLayer({ pointwiseNorm: { ...layer.pointwiseNorm, bias: new Float32Array(1) } })).toEqual(arr('layers[0].pointwiseNorm.bias', 2, '1 values'));
    expect(build({ ...weights, headWeight: new Float32Array(3) })).toEqual(arr('headWeight', 4, '3 values')); // classes·d
    expect(build({ ...weights, headBias: new Float32Array(3) })).toEqual(arr('headBias', 2, '3 values'));
    expect(build({ ...weights, layers: [] })).toEqual(graph('cannot build the ONNX graph: the config says depth 1 but the weights hold 0 layers'));
    expect(build({ ...weights, layers: [layer, layer] })).toEqual(graph('cannot build the ONNX graph: the config says depth 1 but the weights hold 2 layers'));
    expect(build({ ...weights, layers: undefined })).toEqual(graph('cannot build the ONNX graph: the config says depth 1 but the weights hold no layers'));
  });

  it('buildResNetOnnx: a conv weight of the wrong size', () => {
    // kills onnxGraph.ts:419 (the check and its message): conv1 is [width, C, 3, 3] = 2·3·9 = 54 values
    const resnet = randomResNetWeights({ width: 2, blocks: [1, 1, 1, 1], channels: 3, classes: 4 }, 'refusal');
    expect(refusal(() => buildResNetOnnx({ ...resnet, conv1: new Float32Array(53) }))).toEqual(graph('cannot build the ONNX graph: conv1 has 53 values, expected 54'));
  });
});
