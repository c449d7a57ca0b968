/**
 * The CIFAR ResNet-18 of System B (MaungMaung & Kiya 2021), literally, for one
 * image whose values are already normalized. Plain loops, float64, BatchNorm
 * in inference mode. Weights in PyTorch layouts (see src/model/resnet.ts for
 * the state-dict names; this file imports nothing from src/).
 *
 *   stem:   z = ReLU(BN(Conv3×3(x, stride 1, pad 1)))
 *   block:  y = ReLU(BN₂(Conv3×3(ReLU(BN₁(Conv3×3(z, stride σ, pad 1))), stride 1, pad 1)) + S(z))
 *           S(z) = z, or BN(Conv1×1(z, stride σ)) when the shape changes
 *   head:   global average pooling over the last map, then linear: logits = W·g + b
 */
import type { SpecBatchNorm } from './convmixer.ts';
import type { SpecImage } from './image.ts';

export interface SpecBasicBlock {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly conv1: Float64Array; // (out, in, 3, 3)
  readonly bn1: SpecBatchNorm;
  readonly conv2: Float64Array; // (out, out, 3, 3)
  readonly bn2: SpecBatchNorm;
  readonly shortcut?: { readonly conv: Float64Array; readonly bn: SpecBatchNorm }; // (out, in, 1, 1)
}

export interface SpecResNet {
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  readonly conv1: Float64Array; // (width, C, 3, 3)
  readonly bn1: SpecBatchNorm;
  readonly blocks: readonly SpecBasicBlock[]; // every block of every stage, in order
  readonly linearWeight: Float64Array; // (classes, features)
  readonly linearBias: Float64Array; // (classes)
}

type Map3 = SpecImage; // channel-major (C, H, W)

/**
 * Convolution without bias, square kernel k, stride s, zero padding p on
 * every side, as PyTorch's Conv2d computes it:
 *   out[o][y][x] = Σ_c Σ_i Σ_j w[o][c][i][j] · in[c][y·s + i − p][x·s + j − p]   (outside the map: 0)
 * Output size ⌊(H + 2p − k)/s⌋ + 1.
 */
export function conv2d(z: Map3, weight: Float64Array, outChannels: number, k: number, stride: number, pad: number): Map3 {
  const { channels: C, height: H, width: W } = z;
  if (weight.length !== outChannels * C * k * k) throw new Error(`conv2d: weight has ${weight.length} values, expected ${outChannels}·${C}·${k}·${k}`);
  const oh = Math.floor((H + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((W + 2 * pad - k) / stride) + 1;
  const out = new Float64Array(outChannels * oh * ow);
  for (let o = 0; o < outChannels; o++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        let sum = 0;
        for (let c = 0; c < C; c++)
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const yy = y * stride + i - pad;
              const xx = x * stride + j - pad;
              if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
              sum += weight[((o * C + c) * k + i) * k + j] * z.data[(c * H + yy) * W + xx];
            }
        out[(o * oh + y) * ow + x] = sum;
      }
  return { channels: outChannels, height: oh, width: ow, data: out };
}

/** BatchNorm in inference mode, per channel: (x − μ)/√(σ² + ε)·γ + β. */
export function batchNorm2d(z: Map3, bn: SpecBatchNorm): Map3 {
  const plane = z.height * z.width;
  const out = new Float64Array(z.data.length);
  for (let c = 0; c < z.channels; c++)
    for (let p = 0; p < plane; p++) out[c * plane + p] = ((z.data[c * plane + p] - bn.runningMean[c]) / Math.sqrt(bn.runningVar[c] + bn.eps)) * bn.weight[c] + bn.bias[c];
  return { ...z, data: out };
}

export function relu(z: Map3): Map3 {
  return { ...z, data: z.data.map((v) => (v > 0 ? v : 0)) };
}

function add(a: Map3, b: Map3): Map3 {
  if (a.data.length !== b.data.length) throw new Error('add: shapes differ');
  return { ...a, data: a.data.map((v, i) => v + b.data[i]) };
}

/** One BasicBlock (see the header). */
export function basicBlock(z: Map3, b: SpecBasicBlock): Map3 {
  const h = relu(batchNorm2d(conv2d(z, b.conv1, b.outChannels, 3, b.stride, 1), b.bn1));
  const f = batchNorm2d(conv2d(h, b.conv2, b.outChannels, 3, 1, 1), b.bn2);
  const s = b.shortcut === undefined ? z : batchNorm2d(conv2d(z, b.shortcut.conv, b.outChannels, 1, b.stride, 0), b.shortcut.bn);
  return relu(add(f, s));
}

/** Logits of one normalized image (C, H, W). */
export function resnetForward(x: SpecImage, m: SpecResNet): number[] {
  if (x.channels !== m.channels) throw new Error(`resnetForward: image has ${x.channels} channels, the model ${m.channels}`);
  let z = relu(batchNorm2d(conv2d(x, m.conv1, m.width, 3, 1, 1), m.bn1));
  for (const b of m.blocks) z = basicBlock(z, b);
  // Global average pooling: g[c] = mean over the H×W plane of channel c.
  const plane = z.height * z.width;
  const g: number[] = [];
  for (let c = 0; c < z.channels; c++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += z.data[c * plane + p];
    g.push(sum / plane);
  }
  const logits: number[] = [];
  for (let o = 0; o < m.classes; o++) {
    let sum = m.linearBias[o];
    for (let c = 0; c < g.length; c++) sum += m.linearWeight[o * g.length + c] * g[c];
    logits.push(sum);
  }
  return logits;
}
