/**
 * System C's keyed system and report fields without an engine (issue 25,
 * mutation testing): the key check and its message, key equality, seeded
 * keys, E′ = QᵀE, the encrypted images handed to the engine, Fig. 4's display
 * mapping and the report's key fields. Every expected value is computed here
 * from the definitions by plain loops (x′_j = Σ_i x_i Q[i][j] per block,
 * w′[o][k] = Σ_i Q[i][k]·w[o][i], sha256 of the float64 bytes via
 * node:crypto) or worked by hand, never by the helpers under test.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../properties/rejection.ts';
import { type Layout, imageBatch } from '../core/images.ts';
import type { OrthogonalKey } from '../core/orthogonal.ts';
import type { Engine } from '../engine/engine.ts';
import { randomConvMixerWeights } from '../model/convmixer.ts';
import { orthogonal } from '../variants/builtin/systemC.ts';
import { SYSTEM_C, SYSTEM_C_REPORT, encryptModelOrthogonal, evaluateOrthogonal } from './systemC.ts';

const config = { dim: 5, depth: 1, kernel: 3, patch: 2, channels: 3, classes: 10 };
const weights = randomConvMixerWeights(config, 'system-c-units');
const key = orthogonal.generateKey({ blockSize: 2, channels: 3 }, 'units-right');

/** Index of pixel (n, y, x, c) in a batch of H × W × C images. */
const at = (layout: Layout, H: number, W: number, C: number, n: number, y: number, x: number, c: number) =>
  layout === 'NHWC' ? ((n * H + y) * W + x) * C + c : ((n * C + c) * H + y) * W + x;

/** Images start … start + count − 1 normalized in float32 and multiplied by Q per M × M block, in `layout` (float64 sums, one float32 rounding). */
function expectedEncrypted(pixels: Uint8Array, inLayout: Layout, H: number, W: number, C: number, Q: Float64Array, M: number, start: number, count: number, layout: Layout): Float32Array {
  const pb = M * M * C;
  const out = new Float32Array(count * H * W * C);
  for (let n = 0; n < count; n++)
    for (let by = 0; by < H; by += M)
      for (let bx = 0; bx < W; bx += M) {
        // The block vector in (channel, row, column) order.
        const v: number[] = [];
        const where: number[] = [];
        for (let c = 0; c < C; c++)
          for (let i = 0; i < M; i++)
            for (let j = 0; j < M; j++) {
              v.push(Math.fround((2 * pixels[at(inLayout, H, W, C, start + n, by + i, bx + j, c)] - 255) / 255));
              where.push(at(layout, H, W, C, n, by + i, bx + j, c));
            }
        for (let j = 0; j < pb; j++) {
          let s = 0;
          for (let i = 0; i < pb; i++) s += v[i] * Q[i * pb + j];
          out[where[j]] = s;
        }
      }
  return out;
}

function sha256OfFloats(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(8 * values.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i], true); // little-endian, as the host stores them
  return createHash('sha256').update(bytes).digest('hex');
}

describe('SYSTEM_C: the key check', () => {
  it('the right block size and channel count pass', () => {
    expect(() => SYSTEM_C.checkKey(key, weights, 'the right matrix')).not.toThrow();
  });

  it('another block size, another channel count, or both: key.wrong-block-size, naming the p_b × p_b needed and the key\'s own sizes', () => {
    const bigger = rejection(() => SYSTEM_C.checkKey({ ...key, blockSize: 4 }, weights, 'wrong matrix 3'));
    expect(bigger.check).toBe('key.wrong-block-size');
    // p_b = 2 · 2 · 3 = 12 for this model.
    expect(bigger.message).toBe('wrong matrix 3 needs a 12×12 matrix for block size 2 and 3 channels; this one is for block size 4 and 3 channels');
    const grey = rejection(() => SYSTEM_C.checkKey({ ...key, channels: 1 }, weights, 'the matrix'));
    expect(grey.check).toBe('key.wrong-block-size');
    expect(grey.message).toBe('the matrix needs a 12×12 matrix for block size 2 and 3 channels; this one is for block size 2 and 1 channels');
    const both = rejection(() => SYSTEM_C.checkKey({ ...key, blockSize: 1, channels: 1 }, weights, 'm'));
    expect(both.message).toBe('m needs a 12×12 matrix for block size 2 and 3 channels; this one is for block size 1 and 1 channels');
    // Another model: patch 1, 2 channels, p_b = 2.
    const small = randomConvMixerWeights({ ...config, patch: 1, channels: 2 }, 'small');
    expect(rejection(() => SYSTEM_C.checkKey(key, small, 'q')).message).toBe('q needs a 2×2 matrix for block size 1 and 2 channels; this one is for block size 2 and 3 channels');
  });

  it('its nouns', () => {
    expect(SYSTEM_C.keyNoun).toBe('matrix');
    expect(SYSTEM_C.keyNouns).toBe('matrices');
  });
});

describe('SYSTEM_C: equal and seededKey', () => {
  it('equal: same sizes and every entry the same; one entry, the block size or the channel count differing makes them unequal', () => {
    const copy: OrthogonalKey = { blockSize: 2, channels: 3, matrix: Float64Array.from(key.matrix) };
    expect(SYSTEM_C.equal(key, copy)).toBe(true);
    expect(SYSTEM_C.equal(key, key)).toBe(true);
    const last = Float64Array.from(key.matrix);
    last[143] = -last[143];
    expect(SYSTEM_C.equal(key, { ...key, matrix: last })).toBe(false);
    const first = Float64Array.from(key.matrix);
    first[0] += 1e-12;
    expect(SYSTEM_C.equal(key, { ...key, matrix: first })).toBe(false);
    expect(SYSTEM_C.equal(key, { ...copy, blockSize: 4 })).toBe(false);
    expect(SYSTEM_C.equal(key, { ...copy, channels: 1 })).toBe(false);
    expect(SYSTEM_C.equal({ ...copy, channels: 1 }, key)).toBe(false);
  });

  it('seededKey: the orthogonal variant\'s key of that seed, with the block size and channels of `like`', () => {
    const k = SYSTEM_C.seededKey(key, 'wrong:7');
    expect(k.blockSize).toBe(2);
    expect(k.channels).toBe(3);
    expect(k.matrix.length).toBe(144);
    expect(Array.from(k.matrix)).toEqual(Array.from(orthogonal.generateKey({ blockSize: 2, channels: 3 }, 'wrong:7').matrix));
    expect(SYSTEM_C.equal(k, SYSTEM_C.seededKey(key, 'wrong:8'))).toBe(false);
    // Q Qᵀ = I, by loops.
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < 12; j++) {
        let dot = 0;
        for (let m = 0; m < 12; m++) dot += k.matrix[i * 12 + m] * k.matrix[j * 12 + m];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-9);
      }
    const small = SYSTEM_C.seededKey({ blockSize: 1, channels: 2, matrix: new Float64Array(4) }, 's');
    expect(small.blockSize).toBe(1);
    expect(small.channels).toBe(2);
    expect(small.matrix.length).toBe(4);
  });
});

describe('SYSTEM_C: the encrypted model and the encrypted images', () => {
  it('encryptModelOrthogonal: E′ = QᵀE on the patch embedding (w′[o][k] = Σ_i Q[i][k]·w[o][i]); everything else the same', () => {
    const out = encryptModelOrthogonal(weights, key);
    const pb = 12;
    const w = weights.embedWeight;
    expect(out.embedWeight.length).toBe(5 * pb);
    for (let o = 0; o < 5; o++)
      for (let k = 0; k < pb; k++) {
        let s = 0;
        for (let i = 0; i < pb; i++) s += key.matrix[i * pb + k] * w[o * pb + i];
        expect(Math.abs(out.embedWeight[o * pb + k] - s), `w′[${o}][${k}]`).toBeLessThan(1e-6);
      }
    expect(out.config).toBe(weights.config);
    expect(out.embedBias).toBe(weights.embedBias);
    expect(out.embedNorm).toBe(weights.embedNorm);
    expect(out.layers).toBe(weights.layers);
    expect(out.headWeight).toBe(weights.headWeight);
    expect(out.headBias).toBe(weights.headBias);
    expect(SYSTEM_C.transformModel).toBe(encryptModelOrthogonal);
  });

  it('encryptedLogits: images start … start + count − 1, normalized, times Q, in NCHW, to logitsNormalized; its logits returned as they are', async () => {
    const H = 4;
    const W = 6;
    const count = 7;
    const pixels = Uint8Array.from({ length: count * H * W * 3 }, (_, i) => (i * 53 + (i >> 3) * 7) % 256);
    const images = imageBatch(pixels, { count, height: H, width: W, channels: 3 }, 'NHWC');
    const seen: { data: Float32Array; shape: unknown; layout: Layout }[] = [];
    const answer = new Float32Array([1.5, -2, 3]);
    const engine = {
      config,
      logitsNormalized: async (b: { data: Float32Array; shape: unknown; layout: Layout }) => {
        seen.push(b);
        return answer;
      },
    } as unknown as Engine;
    expect(await SYSTEM_C.encryptedLogits(engine, images, key, 2, 4)).toBe(answer);
    expect(seen).toHaveLength(1);
    expect(seen[0].layout).toBe('NCHW');
    expect(seen[0].shape).toEqual({ count: 4, height: H, width: W, channels: 3 });
    const expected = expectedEncrypted(pixels, 'NHWC', H, W, 3, key.matrix, 2, 2, 4, 'NCHW');
    expect(seen[0].data.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(seen[0].data[i] - expected[i]), `value ${i}`).toBeLessThan(1e-6);
  });
});

describe('evaluateOrthogonal', () => {
  it('runs the keyed experiment with SYSTEM_C: a wrong-matrix list holding the right matrix is refused in its words, before any engine', async () => {
    const images = imageBatch(new Uint8Array(2 * 4 * 4 * 3), { count: 2, height: 4, width: 4, channels: 3 }, 'NHWC');
    const noEngine = () => Promise.reject(new Error('an engine was made before the list was checked'));
    const run = evaluateOrthogonal({ weights, key, images, labels: new Uint8Array(2), wrongKeys: 1, wrongKeySeed: 'w', wrongKeyList: [{ ...key, matrix: Float64Array.from(key.matrix) }], createEngine: noEngine });
    await expect(run).rejects.toMatchObject({ message: 'wrong matrix 0 of the list is the right matrix' });
  });
});

describe('SYSTEM_C_REPORT', () => {
  it('its texts and names', () => {
    expect(SYSTEM_C_REPORT.intro).toBe(
      "System C (Aso, Chuman & Kiya 2023): every normalized block of the test images\nmultiplied by a secret random orthogonal matrix Q, and the plain-trained\nConvMixer's patch embedding transformed to E′ = QᵀE.",
    );
    expect(SYSTEM_C_REPORT.keyNoun).toBe('matrix');
    expect(SYSTEM_C_REPORT.keyNouns).toBe('matrices');
    expect(SYSTEM_C_REPORT.modelTransform).toBe('E′ = QᵀE');
    expect(SYSTEM_C_REPORT.paper).toBeNull();
  });

  it('keyJson and wrongKeyJson: the sizes and the sha256 of Q\'s float64 bytes, also for a matrix inside a larger buffer', () => {
    const hash = sha256OfFloats(key.matrix);
    expect(SYSTEM_C_REPORT.keyJson(key)).toEqual({ blockSize: 2, channels: 3, matrixSha256: hash });
    expect(SYSTEM_C_REPORT.wrongKeyJson(key)).toEqual({ matrixSha256: hash });
    // The same matrix as a view at byte offset 24 of a longer buffer: the hash covers only its own 144 values.
    const big = new Float64Array(3 + 144 + 5).fill(0.25);
    big.set(key.matrix, 3);
    const view: OrthogonalKey = { blockSize: 2, channels: 3, matrix: big.subarray(3, 147) };
    expect(SYSTEM_C_REPORT.keyJson(view)).toEqual({ blockSize: 2, channels: 3, matrixSha256: hash });
    expect(SYSTEM_C_REPORT.wrongKeyJson(view)).toEqual({ matrixSha256: hash });
    // A hand-checked value: sha256 of the 8 bytes of 1.0 (00 00 00 00 00 00 f0 3f) and −0.5 (… e0 bf).
    const tiny: OrthogonalKey = { blockSize: 1, channels: 2, matrix: new Float64Array([1, -0.5]) };
    const bytes = Buffer.from('000000000000f03f000000000000e0bf', 'hex');
    expect(SYSTEM_C_REPORT.wrongKeyJson(tiny)).toEqual({ matrixSha256: createHash('sha256').update(bytes).digest('hex') });
    expect(SYSTEM_C_REPORT.keyJson(tiny)).toEqual({ blockSize: 1, channels: 2, matrixSha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('shown (Fig. 4): x′ clamped to [−1, 1] and mapped to round((x′ + 1)/2 · 255), hand-worked for a 45° rotation', () => {
    // Block size 1, 2 channels: each pixel's (c0, c1) times Q = [[c, s], [−s, c]], c = s = 1/√2:
    // x′_0 = c·x0 − s·x1, x′_1 = s·x0 + c·x1.
    const r = Math.SQRT1_2;
    const Q: OrthogonalKey = { blockSize: 1, channels: 2, matrix: new Float64Array([r, r, -r, r]) };
    // Pixels (NHWC, one 1 × 4 image): (255, 255) → x = (1, 1) → x′ = (0, √2) → (128, 255);
    // (255, 0) → (1, −1) → x′ = (√2, 0) → (255, 128); (0, 0) → (−1, −1) → x′ = (0, −√2) → (128, 0);
    // (0, 255) → (−1, 1) → x′ = (−√2, 0) → (0, 128).
    const pixels = Uint8Array.from([255, 255, 255, 0, 0, 0, 0, 255]);
    const shown = SYSTEM_C_REPORT.shown(imageBatch(pixels, { count: 1, height: 1, width: 4, channels: 2 }, 'NHWC'), Q);
    expect(Array.from(shown.data)).toEqual([128, 255, 255, 128, 128, 0, 0, 128]);
    expect(shown.layout).toBe('NHWC');
    expect(shown.shape).toEqual({ count: 1, height: 1, width: 4, channels: 2 });
    // Q = I on block size 1, one channel-pair: x′ = x, so only the mapping: 0 → −1 → 0, 255 → 1 → 255,
    // 64 → −127/255 → round(64) = 64, 200 → 145/255 → 200: the pixels come back.
    const I: OrthogonalKey = { blockSize: 1, channels: 2, matrix: new Float64Array([1, 0, 0, 1]) };
    const back = SYSTEM_C_REPORT.shown(imageBatch(Uint8Array.from([0, 255, 64, 200]), { count: 1, height: 1, width: 2, channels: 2 }, 'NCHW'), I);
    expect(Array.from(back.data)).toEqual([0, 255, 64, 200]);
    expect(back.layout).toBe('NCHW');
    // Q = −I: x′ = −x, 255 − p after the mapping.
    const minus: OrthogonalKey = { blockSize: 1, channels: 2, matrix: new Float64Array([-1, 0, 0, -1]) };
    const flipped = SYSTEM_C_REPORT.shown(imageBatch(Uint8Array.from([0, 255, 64, 200]), { count: 1, height: 1, width: 2, channels: 2 }, 'NCHW'), minus);
    expect(Array.from(flipped.data)).toEqual([255, 0, 191, 55]);
  });

  it('shown on several images in both layouts: every image, each value from the loops above clamped and mapped', () => {
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const count = 3;
      const pixels = Uint8Array.from({ length: count * 4 * 4 * 3 }, (_, i) => (i * 97 + 13) % 256);
      const shown = SYSTEM_C_REPORT.shown(imageBatch(pixels, { count, height: 4, width: 4, channels: 3 }, layout), key);
      const x = expectedEncrypted(pixels, layout, 4, 4, 3, key.matrix, 2, 0, count, layout);
      const expected = Array.from(x, (v) => Math.round(((Math.min(1, Math.max(-1, v)) + 1) / 2) * 255));
      expect(Array.from(shown.data), layout).toEqual(expected);
      expect(expected.some((v) => v === 0) && expected.some((v) => v === 255), 'some values clamped at both ends').toBe(true);
    }
  });
});
