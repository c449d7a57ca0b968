/**
 * The ConvMixer as an ONNX model (ModelProto bytes), built directly from the
 * weights — no Python, no exported file. The protobuf encoding is onnx-proto's
 * (protobufjs static classes generated from onnx.proto of ONNX 1.10); the
 * fields used here (graph, nodes, attributes, tensors, value infos, opset
 * imports) are unchanged in later ONNX versions, so the model declares a newer
 * IR version and opset than that schema's release (IR 9, opset 20: Gelu).
 *
 * Two graphs compute the same function (input `images` [N, C, H, W], the
 * normalized float32 images, N dynamic; output `logits` [N, classes]):
 *
 * 'conv' — the network as written, NCHW, any image size:
 *   stem:   Conv(kernel P, stride P, bias) → Gelu → BatchNormalization
 *   layer:  y = BN(Gelu(Conv_k(z, group d, pads ⌊(k−1)/2⌋ before, the rest after) + bias)) + z
 *           z = BN(Gelu(Conv1×1(y) + bias))
 *   head:   GlobalAveragePool → Flatten → Gemm(W [classes, d], transB)
 *   onnxruntime's NCHWc layout transform turns each BatchNormalization into a
 *   1×1 depthwise convolution (fused with the residual Add); that measured
 *   faster than BatchNorm as Mul/Add, which forces layout reorders.
 *
 * 'dense' — the same network for ONE image size H×W, rearranged for speed.
 *   Activations are channel-major, [d, h·w, N] (h = H/P, w = W/P; the
 *   image index innermost), and
 *   (a) the depthwise convolution, a linear map of each channel's h·w plane,
 *       is a batched MatMul with one dense (h·w)×(h·w) matrix per channel,
 *       M_c[p, q] = weight of the tap that carries input position p to
 *       output q (zero where the k×k window, padded PyTorch's "same" way,
 *       does not reach): exact, zero padding included. The constant M_cᵀ is
 *       the left factor, M_cᵀ·Z_c with Z_c [h·w, N]: the product then packs
 *       only the activation panel (h·w × N) per call, not the h·w × h·w
 *       matrix, which measured 29 % less MatMul time than the activation on
 *       the left ([d, N, h·w]·M_c; ConvMixer-256/8, batch 32, one thread);
 *   (b) the pointwise convolution is one Gemm, W [d, d] × Y [d, h·w·N];
 *   (c) every BatchNorm is folded into the linear operation after it. With
 *       z = s⊙g + t (g the Gelu output, s = γ/√(σ²+ε), t = β − μ·s, both in
 *       float64): the depthwise matrices become s_c·M_c with the bias map
 *       b_c + t_c·Σ_p M_c[p, q] (position-dependent near the borders); the
 *       residual sum y = s₂⊙g₂ + t₂ + s⊙g + t enters the pointwise Gemm as
 *       (W·diag(s))·(g + (s₂/s)⊙g₂) + (b + W·(t + t₂)) when no s_c is 0 and
 *       |s₂/s| ≤ 2³² (else as W·(s₂⊙g₂ + s⊙g) + …); the last one folds into the head,
 *       mean(s⊙g + t) = s⊙mean(g) + t.
 *   The stem is a Gemm on the image's patches (a Reshape/Transpose of the
 *   input). Per layer: 2 matrix products, 4 elementwise passes (bias, Gelu,
 *   scale, residual; plus the second Gelu) instead of a 9×9 depthwise
 *   convolution that computes mostly padding on an 8×8 map. It pays off while
 *   h·w is small next to k² (the matrix costs h·w multiply-adds per output,
 *   the convolution k²): see denseGraphSuits.
 *
 * GELU is exact (x·Φ(x)): the Gelu op, approximate "none" (default), or with
 * `gelu: 'erf'` spelled x·0.5·(1 + erf(x/√2)) — the form to compare against.
 */
import onnxProto from 'onnx-proto';
import { fail } from '../core/errors.ts';
import { type ConvMixerConfig, type ConvMixerWeights, validateConvMixerConfig } from '../model/convmixer.ts';
import { BATCH_NORM_EPS, type BatchNormWeights } from '../model/stateDict.ts';
import { type ResNetWeights, validateResNetConfig } from '../model/resnet.ts';

const { onnx } = onnxProto;

/** ONNX opset of the default domain (20: the first with Gelu). */
export const ONNX_OPSET = 20;
/** IR version 9 goes with opset 20 (ONNX 1.15). */
export const ONNX_IR_VERSION = 9;

export const ONNX_INPUT = 'images';
export const ONNX_OUTPUT = 'logits';

export type OnnxGraphForm = 'conv' | 'dense';

export interface OnnxGraphOptions {
  /** 'conv' (default): any image size; 'dense': one image size, faster on small feature maps (see the file comment). */
  readonly form?: OnnxGraphForm;
  /** Image height and width; required for 'dense' (must be multiples of the patch size), ignored by 'conv'. */
  readonly height?: number;
  readonly width?: number;
  /** Exact GELU as the Gelu op (default) or spelled out with Erf. */
  readonly gelu?: 'op' | 'erf';
}

/** Largest dense depthwise matrices (all layers together, bytes) the 'dense' form builds. */
export const DENSE_MAX_BYTES = 256 * 2 ** 20;

/**
 * Whether the 'dense' form suits a model and image size: the feature map has
 * at most 2k² positions (then the dense matrix costs at most twice the
 * convolution's multiply-adds, and runs at several times its speed) and the
 * matrices take at most DENSE_MAX_BYTES. ConvMixer-256/8 on 32×32 (8×8 map,
 * k = 9): 64 ≤ 162, 32 MiB — dense.
 */
export function denseGraphSuits(config: ConvMixerConfig, height: number, width: number): boolean {
  const { dim: d, depth, kernel: k, patch: P } = config;
  if (height % P !== 0 || width % P !== 0) return false;
  const positions = (height / P) * (width / P);
  return positions <= 2 * k * k && depth * d * positions * positions * 4 <= DENSE_MAX_BYTES;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const ATTR = onnx.AttributeProto.AttributeType;

type Attribute = onnxProto.onnx.IAttributeProto;

function ints(name: string, values: readonly number[]): Attribute {
  return { name, type: ATTR.INTS, ints: [...values] };
}

function int(name: string, value: number): Attribute {
  return { name, type: ATTR.INT, i: value };
}

function str(name: string, value: string): Attribute {
  return { name, type: ATTR.STRING, s: new TextEncoder().encode(value) };
}

/** Values as little-endian float32 bytes (ONNX raw_data is little-endian on every platform). */
function rawFloat32(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function rawInt64(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

/** Collects nodes and initializers under unique names. */
class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(private readonly geluForm: 'op' | 'erf') {}

  private unique(name: string): string {
    if (this.names.has(name)) fail('engine.onnx-graph', `internal error: two ONNX tensors named "${name}"`);
    this.names.add(name);
    return name;
  }

  constant(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) fail('engine.onnx-graph', `internal error: constant "${name}" has ${values.length} values, dims [${dims.join(', ')}] need ${size}`);
    this.initializers.push({ name: this.unique(name), dims: [...dims], dataType: FLOAT, rawData: rawFloat32(values) });
    return name;
  }

  int64(name: string, values: readonly number[]): string {
    this.initializers.push({ name: this.unique(name), dims: [values.length], dataType: INT64, rawData: rawInt64(values) });
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: Attribute[] = [], output = `${opType.toLowerCase()}_${this.counter}`): string {
    this.counter++;
    this.nodes.push({ opType, name: this.unique(output), input: [...inputs], output: [output], attribute: attributes });
    return output;
  }

  private geluConstants = false;

  /** Exact GELU. */
  gelu(x: string): string {
    if (this.geluForm === 'op') return this.node('Gelu', [x], [str('approximate', 'none')]);
    if (!this.geluConstants) {
      this.constant('gelu_inv_sqrt2', [], [Math.SQRT1_2]);
      this.constant('gelu_one', [], [1]);
      this.constant('gelu_half', [], [0.5]);
      this.geluConstants = true;
    }
    const onePlusErf = this.node('Add', [this.node('Erf', [this.node('Mul', [x, 'gelu_inv_sqrt2'])]), 'gelu_one']);
    return this.node('Mul', [this.node('Mul', [x, 'gelu_half']), onePlusErf]);
  }
}

/** BatchNorm (inference) as z = scale⊙x + shift, computed in float64. */
interface Affine {
  readonly scale: Float64Array;
  readonly shift: Float64Array;
}

function affine(bn: BatchNormWeights): Affine {
  const d = bn.weight.length;
  const scale = new Float64Array(d);
  const shift = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    scale[c] = bn.weight[c] / Math.sqrt(bn.runningVar[c] + BATCH_NORM_EPS);
    shift[c] = bn.bias[c] - bn.runningMean[c] * scale[c];
  }
  return { scale, shift };
}

/** Checks that the weight arrays have the sizes the config implies (check `engine.onnx-graph`). */
function checkWeights(weights: ConvMixerWeights): ConvMixerConfig {
  if (typeof weights !== 'object' || weights === null) fail('engine.onnx-graph', 'cannot build the ONNX graph: weights must be ConvMixerWeights');
  const config = validateConvMixerConfig(weights.config);
  const { dim: d, depth, kernel: k, patch: P, channels: C, classes } = config;
  const expect = (what: string, array: Float32Array | undefined, size: number) => {
    if (!(array instanceof Float32Array) || array.length !== size) {
      fail('engine.onnx-graph', `cannot build the ONNX graph: ${what} must be a Float32Array of ${size} values, got ${array instanceof Float32Array ? `${array.length} values` : String(array)}`);
    }
  };
  const expectNorm = (what: string, bn: BatchNormWeights | undefined) => {
    for (const field of ['weight', 'bias', 'runningMean', 'runningVar'] as const) expect(`${what}.${field}`, bn?.[field], d);
  };
  expect('embedWeight', weights.embedWeight, d * C * P * P);
  expect('embedBias', weights.embedBias, d);
  expectNorm('embedNorm', weights.embedNorm);
  if (!Array.isArray(weights.layers) || weights.layers.length !== depth) {
    fail('engine.onnx-graph', `cannot build the ONNX graph: the config says depth ${depth} but the weights hold ${Array.isArray(weights.layers) ? weights.layers.length : 'no'} layers`);
  }
  weights.layers.forEach((layer, l) => {
    expect(`layers[${l}].depthwiseWeight`, layer.depthwiseWeight, d * k * k);
    expect(`layers[${l}].depthwiseBias`, layer.depthwiseBias, d);
    expectNorm(`layers[${l}].depthwiseNorm`, layer.depthwiseNorm);
    expect(`layers[${l}].pointwiseWeight`, layer.pointwiseWeight, d * d);
    expect(`layers[${l}].pointwiseBias`, layer.pointwiseBias, d);
    expectNorm(`layers[${l}].pointwiseNorm`, layer.pointwiseNorm);
  });
  expect('headWeight', weights.headWeight, classes * d);
  expect('headBias', weights.headBias, classes);
  return config;
}

/** The 'conv' graph: the network as written (see the file comment). */
function buildConvGraph(g: GraphBuilder, weights: ConvMixerWeights): void {
  const { dim: d, kernel: k, patch: P, channels: C, classes } = weights.config;
  const batchNorm = (x: string, bn: BatchNormWeights, prefix: string) =>
    g.node(
      'BatchNormalization',
      [x, g.constant(`${prefix}.weight`, [d], bn.weight), g.constant(`${prefix}.bias`, [d], bn.bias), g.constant(`${prefix}.running_mean`, [d], bn.runningMean), g.constant(`${prefix}.running_var`, [d], bn.runningVar)],
      [{ name: 'epsilon', type: ATTR.FLOAT, f: BATCH_NORM_EPS }],
    );
  const stem = g.node('Conv', [ONNX_INPUT, g.constant('0.weight', [d, C, P, P], weights.embedWeight), g.constant('0.bias', [d], weights.embedBias)], [ints('kernel_shape', [P, P]), ints('strides', [P, P])]);
  let z = batchNorm(g.gelu(stem), weights.embedNorm, '2');
  const before = Math.floor((k - 1) / 2);
  const after = k - 1 - before;
  weights.layers.forEach((layer, l) => {
    const i = 3 + l;
    const mixed = g.node('Conv', [z, g.constant(`${i}.0.fn.0.weight`, [d, 1, k, k], layer.depthwiseWeight), g.constant(`${i}.0.fn.0.bias`, [d], layer.depthwiseBias)], [
      ints('kernel_shape', [k, k]),
      int('group', d),
      ints('pads', [before, before, after, after]), // [y_begin, x_begin, y_end, x_end]
    ]);
    const residual = g.node('Add', [batchNorm(g.gelu(mixed), layer.depthwiseNorm, `${i}.0.fn.2`), z]);
    const pointwise = g.node('Conv', [residual, g.constant(`${i}.1.weight`, [d, d, 1, 1], layer.pointwiseWeight), g.constant(`${i}.1.bias`, [d], layer.pointwiseBias)], [ints('kernel_shape', [1, 1])]);
    z = batchNorm(g.gelu(pointwise), layer.pointwiseNorm, `${i}.3`);
  });
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [z])], [int('axis', 1)]);
  const h = 5 + weights.layers.length;
  g.node('Gemm', [flat, g.constant(`${h}.weight`, [classes, d], weights.headWeight), g.constant(`${h}.bias`, [classes], weights.headBias)], [int('transB', 1)], ONNX_OUTPUT);
}

/** The 'dense' graph for H×W images (see the file comment). */
function buildDenseGraph(g: GraphBuilder, weights: ConvMixerWeights, height: number, width: number): void {
  const { dim: d, kernel: k, patch: P, channels: C, classes } = weights.config;
  const rows = height / P;
  const cols = width / P;
  const hw = rows * cols;
  const cpp = C * P * P;

  // Stem: the patches as columns, [C·P·P, h·w·N] (row c·P² + i·P + j matches 0.weight's (d, C, P, P)
  // flattening; column q·N + n is patch q of image n), then one Gemm.
  const split = g.node('Reshape', [ONNX_INPUT, g.int64('stem.split', [0, C, rows, P, cols, P])]);
  const patches = g.node('Reshape', [g.node('Transpose', [split], [ints('perm', [1, 3, 5, 2, 4, 0])]), g.int64('stem.columns', [cpp, -1])]);
  const stem = g.node('Gemm', [g.constant('0.weight', [d, cpp], weights.embedWeight), patches, g.constant('0.bias', [d, 1], weights.embedBias)]);
  let activation = g.gelu(stem); // g, [d, h·w·N]
  let norm = affine(weights.embedNorm); // z = scale⊙g + shift
  const planes = g.int64('shape.planes', [d, hw, -1]);
  const flatShape = weights.layers.length > 0 ? g.int64('shape.flat', [d, -1]) : '';

  const before = Math.floor((k - 1) / 2);
  weights.layers.forEach((layer, l) => {
    const i = 3 + l;
    const { scale: s, shift: t } = norm;
    // Depthwise: out[c, q, n] = Σ_p M_c[p, q]·z[c, p, n] + b_c, with z = s⊙g + t folded in;
    // stored transposed, matrices[c][q][p] = M_c[p, q], as the left factor of the MatMul.
    const matrices = new Float32Array(d * hw * hw);
    const biasMap = new Float32Array(d * hw);
    for (let c = 0; c < d; c++) {
      const colSums = new Float64Array(hw);
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < cols; x++) {
          const q = y * cols + x;
          for (let a = 0; a < k; a++) {
            const yy = y + a - before;
            if (yy < 0 || yy >= rows) continue;
            for (let b = 0; b < k; b++) {
              const xx = x + b - before;
              if (xx < 0 || xx >= cols) continue;
              const tap = layer.depthwiseWeight[(c * k + a) * k + b];
              matrices[(c * hw + q) * hw + yy * cols + xx] = s[c] * tap;
              colSums[q] += tap;
            }
          }
        }
      for (let q = 0; q < hw; q++) biasMap[c * hw + q] = layer.depthwiseBias[c] + t[c] * colSums[q];
    }
    const planesIn = g.node('Reshape', [activation, planes]);
    const mixed = g.node('Add', [g.node('MatMul', [g.constant(`${i}.dense.matrices`, [d, hw, hw], matrices), planesIn]), g.constant(`${i}.dense.bias`, [d, hw, 1], biasMap)]);
    const g2 = g.gelu(mixed);
    const { scale: s2, shift: t2 } = affine(layer.depthwiseNorm);

    // Residual y = s₂⊙g₂ + s⊙g + (t + t₂) into the pointwise Gemm, W·y + b.
    const W = layer.pointwiseWeight;
    // Folded when every s_c ≠ 0 and the ratios stay far from float32 overflow (trained models: s ~ 0.1…10).
    const ratio = Float32Array.from(s2, (v, c) => v / s[c]);
    const folded = s.every((v) => v !== 0) && ratio.every((v) => Math.abs(v) <= 2 ** 32);
    const weight = new Float32Array(d * d);
    const bias = new Float32Array(d);
    for (let o = 0; o < d; o++) {
      let sum = layer.pointwiseBias[o];
      for (let c = 0; c < d; c++) {
        sum += W[o * d + c] * (t[c] + t2[c]);
        weight[o * d + c] = folded ? W[o * d + c] * s[c] : W[o * d + c];
      }
      bias[o] = sum;
    }
    let residual: string;
    if (folded) {
      residual = g.node('Add', [g.node('Mul', [g2, g.constant(`${i}.dense.ratio`, [d, 1, 1], ratio)]), planesIn]);
    } else {
      residual = g.node('Add', [g.node('Mul', [g2, g.constant(`${i}.dense.scale2`, [d, 1, 1], s2)]), g.node('Mul', [planesIn, g.constant(`${i}.dense.scale`, [d, 1, 1], s)])]);
    }
    const pointwise = g.node('Gemm', [g.constant(`${i}.dense.weight`, [d, d], weight), g.node('Reshape', [residual, flatShape]), g.constant(`${i}.dense.bias1`, [d, 1], bias)]);
    activation = g.gelu(pointwise);
    norm = affine(layer.pointwiseNorm);
  });

  // Head: logits = H·(s⊙mean(g) + t) + b = (H·diag(s))·mean(g) + (b + H·t).
  const H = weights.headWeight;
  const headWeight = new Float32Array(classes * d);
  const headBias = new Float32Array(classes);
  for (let o = 0; o < classes; o++) {
    let sum = weights.headBias[o];
    for (let c = 0; c < d; c++) {
      headWeight[o * d + c] = H[o * d + c] * norm.scale[c];
      sum += H[o * d + c] * norm.shift[c];
    }
    headBias[o] = sum;
  }
  const pooled = g.node('ReduceMean', [g.node('Reshape', [activation, planes]), g.int64('head.axes', [1])], [int('keepdims', 0)]); // [d, N]
  g.node('Gemm', [pooled, g.constant('head.weight', [classes, d], headWeight), g.constant('head.bias', [classes], headBias)], [int('transA', 1), int('transB', 1)], ONNX_OUTPUT);
}

/** The built graph as a serialized ONNX model: input `images` of `inputDims` (a string is a dynamic dim), output `logits` [N, classes]. */
function encodeModel(g: GraphBuilder, name: string, inputDims: (number | string)[], classes: number): Uint8Array {
  const tensorType = (dims: (number | string)[]): onnxProto.onnx.ITypeProto => ({
    tensorType: { elemType: FLOAT, shape: { dim: dims.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })) } },
  });
  const model: onnxProto.onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'cipherpatch',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name,
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: ONNX_INPUT, type: tensorType(inputDims) }],
      output: [{ name: ONNX_OUTPUT, type: tensorType(['N', classes]) }],
    },
  };
  const error = onnx.ModelProto.verify(model);
  if (error !== null) fail('engine.onnx-graph', `internal error: the ONNX model does not encode: ${error}`);
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The ConvMixer's ONNX model as protobuf bytes: input `images` [N, C, H, W]
 * (normalized float32), output `logits` [N, classes]. Checks `model.config`,
 * `engine.onnx-graph` (weight arrays of the wrong size, unknown options) and
 * `engine.image-size` (a 'dense' image size that is not a positive multiple
 * of the patch size).
 */
export function buildConvMixerOnnx(weights: ConvMixerWeights, options: OnnxGraphOptions = {}): Uint8Array {
  const form = options.form ?? 'conv';
  const geluForm = options.gelu ?? 'op';
  if (form !== 'conv' && form !== 'dense') fail('engine.onnx-graph', `unknown ONNX graph form "${String(form)}": use "conv" or "dense"`);
  if (geluForm !== 'op' && geluForm !== 'erf') fail('engine.onnx-graph', `unknown GELU form "${String(geluForm)}": use "op" or "erf"`);
  const config = checkWeights(weights);
  const { dim: d, depth, kernel: k, patch: P, channels: C, classes } = config;
  const g = new GraphBuilder(geluForm);
  let inputDims: (number | string)[] = ['N', C, 'H', 'W'];
  if (form === 'dense') {
    const { height, width } = options;
    for (const [name, value] of [['height', height], ['width', width]] as const) {
      if (!Number.isSafeInteger(value) || (value as number) < P || (value as number) % P !== 0) {
        fail('engine.image-size', `the dense ONNX graph needs the image ${name} as a positive multiple of the patch size ${P}, got ${String(value)}`);
      }
    }
    buildDenseGraph(g, weights, height as number, width as number);
    inputDims = ['N', C, height as number, width as number];
  } else {
    buildConvGraph(g, weights);
  }
  return encodeModel(g, `convmixer_d${d}_depth${depth}_k${k}_p${P}_${form}`, inputDims, classes);
}

/**
 * System B's ResNet (src/model/resnet.ts) as an ONNX model: input `images`
 * [N, C, H, W] (normalized float32, N, H, W dynamic), output `logits`
 * [N, classes]. Every bias-free conv has its inference-mode BatchNorm folded
 * in (float64: w′ = w·γ/√(σ² + ε), b′ = β − μ·γ/√(σ² + ε)); 3×3 convs pad 1 on
 * every side as PyTorch does, whatever the stride:
 *   stem:   Relu(Conv3×3)
 *   block:  Relu(Conv3×3(Relu(Conv3×3_σ(z))) + S(z)), S = z or Conv1×1_σ(z)
 *   head:   GlobalAveragePool → Flatten → Gemm(W [classes, 8w], transB)
 */
export function buildResNetOnnx(weights: ResNetWeights): Uint8Array {
  const config = validateResNetConfig(weights.config);
  const g = new GraphBuilder('op');
  const conv = (x: string, w: Float32Array, bn: BatchNormWeights, out: number, inp: number, k: number, stride: number, name: string) => {
    const { scale, shift } = affine(bn);
    const folded = new Float32Array(w.length);
    const per = inp * k * k;
    if (w.length !== out * per) fail('engine.onnx-graph', `cannot build the ONNX graph: ${name} has ${w.length} values, expected ${out * per}`);
    for (let o = 0; o < out; o++) for (let i = 0; i < per; i++) folded[o * per + i] = w[o * per + i] * scale[o];
    const pad = (k - 1) / 2;
    return g.node('Conv', [x, g.constant(`${name}.weight`, [out, inp, k, k], folded), g.constant(`${name}.bias`, [out], shift)], [ints('kernel_shape', [k, k]), ints('strides', [stride, stride]), ints('pads', [pad, pad, pad, pad])]);
  };
  let z = g.node('Relu', [conv(ONNX_INPUT, weights.conv1, weights.bn1, config.width, config.channels, 3, 1, 'conv1')]);
  weights.stages.forEach((stage, s) =>
    stage.forEach((b, i) => {
      const name = `layer${s + 1}.${i}`;
      const h = g.node('Relu', [conv(z, b.conv1, b.bn1, b.outChannels, b.inChannels, 3, b.stride, `${name}.conv1`)]);
      const f = conv(h, b.conv2, b.bn2, b.outChannels, b.outChannels, 3, 1, `${name}.conv2`);
      const short = b.shortcut === undefined ? z : conv(z, b.shortcut.conv, b.shortcut.bn, b.outChannels, b.inChannels, 1, b.stride, `${name}.shortcut`);
      z = g.node('Relu', [g.node('Add', [f, short])]);
    }),
  );
  const features = config.width * 8;
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [z])], [int('axis', 1)]);
  g.node('Gemm', [flat, g.constant('linear.weight', [config.classes, features], weights.linearWeight), g.constant('linear.bias', [config.classes], weights.linearBias)], [int('transB', 1)], ONNX_OUTPUT);
  return encodeModel(g, `resnet_w${config.width}_b${config.blocks.join('')}`, ['N', config.channels, 'H', 'W'], config.classes);
}
