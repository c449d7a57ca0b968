/**
 * Calibration (calibrate.ts) run on onnxruntime: one session per spinning
 * setting, built from the model itself in the graph form the engine would
 * pick for the image size, fed the same seeded images at each batch size.
 */
import seedrandom from 'seedrandom';
import type { ConvMixerWeights } from '../model/convmixer.ts';
import { CALIBRATION_IMAGES, type CalibrationResult, type OnnxTuning, calibrate } from './calibrate.ts';
import { type OnnxRuntimeInfo, type OrtSession, createOnnxSession, runOnnxInChunks } from './onnx.ts';
import { buildConvMixerOnnx, denseGraphSuits } from './onnxGraph.ts';

/** Calibrates the CPU onnx engine for `weights` on height×width images with `threads` intra-op threads. */
export async function calibrateOnnx(runtime: OnnxRuntimeInfo, weights: ConvMixerWeights, target: { readonly height: number; readonly width: number; readonly threads: number }): Promise<CalibrationResult> {
  const { height, width, threads } = target;
  const { channels, classes } = weights.config;
  const form = denseGraphSuits(weights.config, height, width) ? 'dense' : 'conv';
  const model = buildConvMixerOnnx(weights, { form, height, width });
  const rng = seedrandom('cipherpatch-calibration');
  const perImage = channels * height * width;
  const input = Float32Array.from({ length: CALIBRATION_IMAGES * perImage }, () => rng() * 2 - 1);
  const sessions = new Map<boolean, OrtSession>();
  const running = new Set<Promise<unknown>>();
  try {
    return await calibrate(threads, async (candidate: OnnxTuning) => {
      let session = sessions.get(candidate.spinning);
      if (session === undefined) {
        session = await createOnnxSession(runtime, model, { provider: 'cpu', threads, spinning: candidate.spinning }, 'ConvMixer');
        sessions.set(candidate.spinning, session);
      }
      const runner = { runtime, running, batchSize: candidate.batchSize, checkUsable: () => undefined };
      const chunk = (start: number, n: number) => input.subarray(start * perImage, (start + n) * perImage);
      await runOnnxInChunks(runner, session, { count: candidate.batchSize, channels, height, width, classes }, chunk); // warm-up
      const started = performance.now();
      await runOnnxInChunks(runner, session, { count: CALIBRATION_IMAGES, channels, height, width, classes }, chunk);
      return (performance.now() - started) / 1000;
    });
  } finally {
    for (const session of sessions.values()) await session.release();
  }
}
