/**
 * The spec's ConvMixer forward pass (Eqs. 1–2) against PyTorch in float64
 * (golden/vectors/convmixer-torch.json, made by
 * golden/generate/convmixer_vectors.py): an independent implementation of
 * the conv, "same" padding, GELU, BatchNorm and pooling.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalize8bit } from '../spec/blockEncryption.ts';
import { type SpecBatchNorm, type SpecConvMixer, convMixerForward } from '../spec/convmixer.ts';
import { specImage } from '../spec/image.ts';
import { patchEmbeddingConv } from '../spec/patchEmbedding.ts';
import { TOLERANCE, firstMismatch } from '../properties/tolerance.ts';

interface Stored { shape: number[]; values: number[] }
interface TorchCase {
  tcId: number;
  comment: string;
  config: { dim: number; depth: number; kernel: number; patch: number; channels: number; classes: number; height: number; width: number; bnEps: number };
  stateDict: Record<string, Stored>;
  pixels: Stored;
  patchEmbedding: Stored;
  logits: Stored;
}

const file = JSON.parse(readFileSync(new URL('./vectors/convmixer-torch.json', import.meta.url), 'utf8')) as { numberOfTests: number; tests: TorchCase[] };

function specModel(c: TorchCase): SpecConvMixer {
  const { dim, depth, kernel, patch, channels, classes, bnEps } = c.config;
  const t = (name: string) => {
    const s = c.stateDict[name];
    if (s === undefined) throw new Error(`tcId ${c.tcId}: state dict has no ${name}`);
    return Float64Array.from(s.values);
  };
  const bn = (prefix: string): SpecBatchNorm => ({ weight: t(`${prefix}.weight`), bias: t(`${prefix}.bias`), runningMean: t(`${prefix}.running_mean`), runningVar: t(`${prefix}.running_var`), eps: bnEps });
  return {
    dim, depth, kernel, patch, channels, classes,
    embed: { dim, channels, patch, weight: t('0.weight'), bias: t('0.bias') },
    embedNorm: bn('2'),
    layers: Array.from({ length: depth }, (_, l) => ({
      depthwiseWeight: t(`${3 + l}.0.fn.0.weight`),
      depthwiseBias: t(`${3 + l}.0.fn.0.bias`),
      depthwiseNorm: bn(`${3 + l}.0.fn.2`),
      pointwiseWeight: t(`${3 + l}.1.weight`),
      pointwiseBias: t(`${3 + l}.1.bias`),
      pointwiseNorm: bn(`${3 + l}.3`),
    })),
    headWeight: t(`${5 + depth}.weight`),
    headBias: t(`${5 + depth}.bias`),
  };
}

describe('spec ConvMixer ≡ PyTorch (float64)', () => {
  it('vector file declares its count', () => expect(file.tests.length).toBe(file.numberOfTests));
  for (const c of file.tests) {
    const { dim, depth, kernel, patch, channels, height, width } = c.config;
    it(`tcId ${c.tcId} d=${dim},depth=${depth},k=${kernel},P=${patch},C=${channels},${height}×${width}: ${c.comment}`, () => {
      const model = specModel(c);
      const [n, , , ] = c.pixels.shape;
      const perImage = channels * height * width;
      const embedPerImage = c.patchEmbedding.values.length / n;
      for (let i = 0; i < n; i++) {
        const x = specImage(channels, height, width, c.pixels.values.slice(i * perImage, (i + 1) * perImage).map(normalize8bit));
        const embedding = patchEmbeddingConv(x, model.embed).data;
        const expectedEmbedding = c.patchEmbedding.values.slice(i * embedPerImage, (i + 1) * embedPerImage);
        const e = firstMismatch(embedding, expectedEmbedding, TOLERANCE.torchFloat64);
        expect(e, `image ${i} embedding[${e}]: ${embedding[e]} vs torch ${expectedEmbedding[e]}`).toBe(-1);
        const logits = convMixerForward(x, model);
        const expected = c.logits.values.slice(i * c.config.classes, (i + 1) * c.config.classes);
        const j = firstMismatch(logits, expected, TOLERANCE.torchFloat64);
        expect(j, `image ${i} logit[${j}]: ${logits[j]} vs torch ${expected[j]}`).toBe(-1);
      }
    });
  }
});
