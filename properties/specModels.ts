/** Random small spec ConvMixers for properties (deterministic from a seed). */
import seedrandom from 'seedrandom';
import type { SpecBatchNorm, SpecConvMixer } from '../spec/convmixer.ts';

/** The configuration part of a spec ConvMixer: d, depth, k, P, C, classes. */
export type SmallConvMixerShape = Pick<SpecConvMixer, 'dim' | 'depth' | 'kernel' | 'patch' | 'channels' | 'classes'>;

export function randomSpecConvMixer(s: SmallConvMixerShape, seed: number): SpecConvMixer {
  const rng = seedrandom(String(seed));
  const uniform = (n: number, scale: number) => Float64Array.from({ length: n }, () => (2 * rng.double() - 1) * scale);
  const positive = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.double());
  const bn = (): SpecBatchNorm => ({
    weight: positive(s.dim, 0.5, 1.5),
    bias: uniform(s.dim, 0.5),
    runningMean: uniform(s.dim, 0.5),
    runningVar: positive(s.dim, 0.25, 2),
    eps: 1e-5,
  });
  const { dim: d, channels: C, patch: P, kernel: k } = s;
  return {
    ...s,
    embed: { dim: d, channels: C, patch: P, weight: uniform(d * C * P * P, 1 / Math.sqrt(C * P * P)), bias: uniform(d, 0.5) },
    embedNorm: bn(),
    layers: Array.from({ length: s.depth }, () => ({
      depthwiseWeight: uniform(d * k * k, 1 / k),
      depthwiseBias: uniform(d, 0.5),
      depthwiseNorm: bn(),
      pointwiseWeight: uniform(d * d, 1 / Math.sqrt(d)),
      pointwiseBias: uniform(d, 0.5),
      pointwiseNorm: bn(),
    })),
    headWeight: uniform(s.classes * d, 1 / Math.sqrt(d)),
    headBias: uniform(s.classes, 0.5),
  };
}
