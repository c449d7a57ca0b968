/**
 * System B's transforms in TypeScript (src/evaluate/systemB.ts over the
 * shuffle, negpos and ffx variants) against the PyTorch implementation
 * (golden/generate/system_b_transforms.py), byte for byte, on
 * golden/vectors/system-b-transforms.json: the transform's output in its own
 * domain (8-bit, or float64 in [0, 1]) exactly, and the float32 model input
 * bit for bit — on the vectors and on the whole committed CI subset (sha256).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageBatch } from '../src/core/images.ts';
import { systemBModelInput, systemBModelInputDirect } from '../src/evaluate/systemB.ts';
import { SYSTEM_B_TRANSFORMS, parseSystemBKey, systemBVariant } from '../src/variants/systemBKey.ts';
import { parseCifarRecords } from '../src/io/cifar10.ts';
import { readSystemBKeyFile } from '../src/io/keyFile.ts';
import { fromBlocks, toBlocks } from '../src/variants/blocks.ts';
import { domainPair, fromByte } from '../src/variants/contract.ts';
import { GOLDEN_DIR } from './goldenRun.ts';

interface Vector {
  tcId: number;
  comment: string;
  transform: string;
  key: Record<string, unknown>;
  pixels: { shape: [number, number, number, number]; layout: 'NCHW'; values: number[] };
  output: { domain: 'uint8' | 'unit'; values: number[] };
  modelInputFloat32Hex: string;
}
const file = JSON.parse(readFileSync(join(GOLDEN_DIR, 'vectors', 'system-b-transforms.json'), 'utf8')) as {
  numberOfTests: number;
  tests: Vector[];
  ciSubsetModelInputSha256: Record<string, string>;
};

const hex = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('System B transforms: TypeScript ≡ PyTorch, byte for byte', () => {
  it('the vector file declares its count and covers every transform', () => {
    expect(file.tests.length).toBe(file.numberOfTests);
    for (const t of SYSTEM_B_TRANSFORMS) expect(file.tests.filter((v) => v.transform === t).length).toBeGreaterThanOrEqual(4);
  });

  for (const v of file.tests) {
    it(`tcId ${v.tcId}: ${v.comment}`, () => {
      const key = parseSystemBKey(v.key);
      expect(key.transform).toBe(v.transform);
      const [count, channels, height, width] = v.pixels.shape;
      const pixels = Uint8Array.from(v.pixels.values);
      // The transform in its own domain, through the variant itself.
      const variant = systemBVariant(key.transform);
      const dom = domainPair(variant.domain);
      expect(dom.output).toBe(v.output.domain);
      const blocks = toBlocks({ data: Float64Array.from(pixels, (x) => fromByte(x, dom.input)), count, channels, height, width }, key.blockSize);
      const out = fromBlocks(variant.encrypt(blocks, key.key)).data;
      const i = out.findIndex((x, k) => !Object.is(x, v.output.values[k]));
      expect(i, i < 0 ? '' : `output[${i}]: TypeScript ${out[i]} vs PyTorch ${v.output.values[i]}`).toBe(-1);
      expect(out.length).toBe(v.output.values.length);
      // The float32 model input, bit for bit: through the lookup table (what evaluate runs) and block by block through the variant.
      const batch = imageBatch(pixels, { count, channels, height, width }, 'NCHW');
      expect(hex(systemBModelInput(batch, key).data)).toBe(v.modelInputFloat32Hex);
      expect(hex(systemBModelInputDirect(batch, key).data)).toBe(v.modelInputFloat32Hex);
    });
  }

  it('the float32 model input of the 1,000 committed CI images has the same sha256 as PyTorch’s, for every golden key set and for plain images', () => {
    const sample = parseCifarRecords(readFileSync(join(GOLDEN_DIR, 'data', 'test_batch_first1000.bin')));
    const images = imageBatch(sample.images.data, sample.images.shape, sample.images.layout);
    const sha = (a: Float32Array) => createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
    expect(sha(systemBModelInput(images, null).data), 'plain').toBe(file.ciSubsetModelInputSha256.plain);
    for (const t of SYSTEM_B_TRANSFORMS) {
      const key = readSystemBKeyFile(join(GOLDEN_DIR, 'system-b', `${t}.json`));
      expect(sha(systemBModelInput(images, key).data), t).toBe(file.ciSubsetModelInputSha256[t]);
    }
  });
});
