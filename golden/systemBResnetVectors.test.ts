/**
 * The spec's ResNet forward pass (spec/resnet.ts) against PyTorch in float64
 * (golden/vectors/resnet-torch.json, made by golden/generate/resnet_vectors.py):
 * an independent implementation of the padded and strided convs, the
 * projection shortcuts, BatchNorm, ReLU and pooling. Also: the state-dict
 * names PyTorch writes are exactly the names src/model/resnet.ts expects.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalize8bit } from '../spec/blockEncryption.ts';
import { specImage } from '../spec/image.ts';
import { resnetForward } from '../spec/resnet.ts';
import { resnetTensorSpecs } from '../src/model/resnet.ts';
import { specResNetFrom } from '../properties/resnetBridge.ts';
import { TOLERANCE, firstMismatch } from '../properties/tolerance.ts';

interface Stored { shape: number[]; values: number[] }
interface TorchCase {
  tcId: number;
  comment: string;
  config: { width: number; blocks: number[]; channels: number; classes: number; height: number; imageWidth: number; bnEps: number };
  stateDict: Record<string, Stored>;
  pixels: Stored;
  logits: Stored;
}

const file = JSON.parse(readFileSync(new URL('./vectors/resnet-torch.json', import.meta.url), 'utf8')) as { numberOfTests: number; tests: TorchCase[] };

describe('spec ResNet ≡ PyTorch (float64)', () => {
  it('vector file declares its count', () => expect(file.tests.length).toBe(file.numberOfTests));
  for (const c of file.tests) {
    const { width, blocks, channels, classes, height, imageWidth, bnEps } = c.config;
    const config = { width, blocks, channels, classes };
    it(`tcId ${c.tcId} w=${width}, blocks ${blocks.join('/')}, C=${channels}, ${height}×${imageWidth}: ${c.comment}`, () => {
      const names = resnetTensorSpecs(config);
      expect(names.map((s) => s.name).sort()).toEqual(Object.keys(c.stateDict).sort());
      for (const s of names) expect(c.stateDict[s.name].shape, s.name).toEqual(s.shape);
      const model = specResNetFrom(config, (name) => Float64Array.from(c.stateDict[name].values), bnEps);
      const perImage = channels * height * imageWidth;
      for (let i = 0; i < c.pixels.shape[0]; i++) {
        const x = specImage(channels, height, imageWidth, c.pixels.values.slice(i * perImage, (i + 1) * perImage).map(normalize8bit));
        const logits = resnetForward(x, model);
        const expected = c.logits.values.slice(i * classes, (i + 1) * classes);
        const j = firstMismatch(logits, expected, TOLERANCE.torchFloat64);
        expect(j, `image ${i} logit[${j}]: ${logits[j]} vs torch ${expected[j]}`).toBe(-1);
      }
    });
  }
});
