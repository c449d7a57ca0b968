/**
 * The CIFAR ResNet-18 of System B (src/model/resnet.ts) on TensorFlow.js,
 * NHWC inside, behind the project's Engine interface (Engine<ResNetConfig>).
 *
 *   stem:   ReLU(BN(Conv3×3, stride 1, pad 1))
 *   block:  ReLU(BN₂(Conv3×3(ReLU(BN₁(Conv3×3_σ(z)))) + S(z)),  S = id or BN(Conv1×1_σ)
 *   head:   global average pooling → linear
 *
 * Inference-mode BatchNorm is folded into the conv before it, in float64:
 * w′ = w·γ/√(σ² + ε) per output channel, bias β − μ·γ/√(σ² + ε) (the convs
 * have no bias of their own). PyTorch pads a stride-2 3×3 conv by 1 on every
 * side; tfjs's 'same' would pad 0 before and 1 after, so stride-2 convs pad
 * explicitly (tf.pad) and convolve 'valid'. Stride-1 3×3 'same' is PyTorch's
 * padding 1.
 *
 * 8-bit images are normalized as every engine does (Eq. 7, (2x − 255)/255);
 * System B's transformed images come in already normalized (logitsNormalized).
 */
import * as tf from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import { type ImageBatch, imageBatch } from '../core/images.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import { BATCH_NORM_EPS, type BatchNormWeights } from '../model/stateDict.ts';
import { type Engine, type TfjsBackendRequest, checkBatchSize } from './engine.ts';
import { type TfjsBackendInfo, TfjsEngineBase, selectTfjsBackend } from './tfjs.ts';
import { plural } from '../core/words.ts';

/**
 * Checks a batch against a ResNet: the model's channel count and an 8-bit
 * (or, for normalized input, float32) array. Any height and width ≥ 1.
 * Checks `engine.images`, `engine.channels` (plus image.*).
 */
export function checkImagesForResNet<A extends Uint8Array | Float32Array>(images: ImageBatch<A>, config: ResNetConfig, kind: 'uint8' | 'float32'): ImageBatch<A> {
  if (typeof images !== 'object' || images === null || typeof images.shape !== 'object' || images.shape === null) {
    fail('engine.images', 'images must be an image batch { data, shape, layout }');
  }
  const want = kind === 'uint8' ? Uint8Array : Float32Array;
  if (!(images.data instanceof want)) {
    fail('engine.images', `${kind === 'uint8' ? 'logits takes 8-bit images (Uint8Array)' : 'logitsNormalized takes normalized float32 images (Float32Array)'}, got ${(images.data as object)?.constructor?.name ?? typeof images.data}`);
  }
  const batch = imageBatch(images.data, images.shape, images.layout);
  if (batch.shape.channels !== config.channels) fail('engine.channels', `images have ${plural(batch.shape.channels, 'channel')}, the model expects ${config.channels}`);
  return batch;
}

interface FoldedConv {
  readonly filter: tf.Tensor4D; // [k, k, in, out]
  readonly bias: tf.Tensor1D;
  readonly stride: number;
  readonly k: number;
}

interface BlockTensors {
  readonly conv1: FoldedConv;
  readonly conv2: FoldedConv;
  readonly shortcut?: FoldedConv;
}

class TfjsResNet {
  private readonly tensors: tf.Tensor[] = [];
  private readonly stem: FoldedConv;
  private readonly blocks: BlockTensors[];
  private readonly linearWeight: tf.Tensor2D; // [features, classes]
  private readonly linearBias: tf.Tensor1D;

  constructor(w: ResNetWeights) {
    this.stem = this.fold(w.conv1, w.bn1, w.config.width, w.config.channels, 3, 1);
    this.blocks = w.stages.flat().map((b) => ({
      conv1: this.fold(b.conv1, b.bn1, b.outChannels, b.inChannels, 3, b.stride),
      conv2: this.fold(b.conv2, b.bn2, b.outChannels, b.outChannels, 3, 1),
      ...(b.shortcut ? { shortcut: this.fold(b.shortcut.conv, b.shortcut.bn, b.outChannels, b.inChannels, 1, b.stride) } : {}),
    }));
    const features = w.config.width * 8;
    const classes = w.config.classes;
    // (classes, features) → [features, classes]
    const head = new Float32Array(features * classes);
    for (let o = 0; o < classes; o++) for (let c = 0; c < features; c++) head[c * classes + o] = w.linearWeight[o * features + c];
    this.linearWeight = this.keep(tf.tensor2d(head, [features, classes]));
    this.linearBias = this.keep(tf.tensor1d(w.linearBias.slice()));
  }

  private keep<T extends tf.Tensor>(t: T): T {
    this.tensors.push(t);
    return t;
  }

  /** A bias-free conv (out, in, k, k) with its BatchNorm folded in, as a tfjs filter [k, k, in, out] and a bias. */
  private fold(weight: Float32Array, bn: BatchNormWeights, out: number, inp: number, k: number, stride: number): FoldedConv {
    const filter = new Float32Array(k * k * inp * out);
    const bias = new Float32Array(out);
    for (let o = 0; o < out; o++) {
      const scale = bn.weight[o] / Math.sqrt(bn.runningVar[o] + BATCH_NORM_EPS);
      bias[o] = bn.bias[o] - bn.runningMean[o] * scale;
      for (let c = 0; c < inp; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) filter[((i * k + j) * inp + c) * out + o] = weight[((o * inp + c) * k + i) * k + j] * scale;
    }
    return { filter: this.keep(tf.tensor4d(filter, [k, k, inp, out])), bias: this.keep(tf.tensor1d(bias)), stride, k };
  }

  private static conv(x: tf.Tensor4D, c: FoldedConv, activation: 'relu' | 'linear'): tf.Tensor4D {
    if (c.k === 1) return tf.fused.conv2d({ x, filter: c.filter, strides: c.stride, pad: 'valid', bias: c.bias, activation });
    if (c.stride === 1) return tf.fused.conv2d({ x, filter: c.filter, strides: 1, pad: 'same', bias: c.bias, activation });
    const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D;
    return tf.fused.conv2d({ x: padded, filter: c.filter, strides: c.stride, pad: 'valid', bias: c.bias, activation });
  }

  /** Logits [N, classes] of normalized NHWC images; call inside tf.tidy. */
  forward(x: tf.Tensor4D): tf.Tensor2D {
    let z = TfjsResNet.conv(x, this.stem, 'relu');
    for (const b of this.blocks) {
      const h = TfjsResNet.conv(z, b.conv1, 'relu');
      const f = TfjsResNet.conv(h, b.conv2, 'linear');
      const s = b.shortcut === undefined ? z : TfjsResNet.conv(z, b.shortcut, 'linear');
      z = tf.relu(tf.add(f, s)) as tf.Tensor4D;
    }
    const pooled = tf.mean(z, [1, 2]) as tf.Tensor2D;
    return tf.fused.matMul({ a: pooled, b: this.linearWeight, bias: this.linearBias }) as tf.Tensor2D;
  }

  dispose(): void {
    for (const t of this.tensors) t.dispose();
    this.tensors.length = 0;
  }
}

class TfjsResNetEngine extends TfjsEngineBase<ResNetConfig> implements Engine<ResNetConfig> {
  constructor(weights: ResNetWeights, info: TfjsBackendInfo, batchSize: number) {
    super(weights.config, new TfjsResNet(weights), info, batchSize);
  }

  protected checkImages<A extends Uint8Array | Float32Array>(images: ImageBatch<A>, kind: 'uint8' | 'float32'): ImageBatch<A> {
    return checkImagesForResNet(images, this.config, kind);
  }
}

export interface TfjsResNetOptions {
  readonly backend?: TfjsBackendRequest;
  readonly batchSize?: number;
}

/** A ResNet engine on tfjs; activates the requested backend (see selectTfjsBackend). */
export async function createTfjsResNetEngine(weights: ResNetWeights, options: TfjsResNetOptions = {}): Promise<Engine<ResNetConfig>> {
  const batchSize = checkBatchSize(options.batchSize);
  const info = await selectTfjsBackend(options.backend ?? 'auto');
  return new TfjsResNetEngine(weights, info, batchSize);
}
