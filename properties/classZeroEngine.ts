/**
 * A stand-in engine for the CLI's in-process tests (src/cli/*Units.test.ts):
 * class 0 wins for every image, so any accuracy is the share of label 0; no
 * inference. Its own module: vi.mock factories import it, and must not pull
 * in src/cli/main.ts (which imports the mocked modules).
 */

/** Logits in which class 0 wins for each of `count` images. */
function classZeroWins(count: number, classes: number): Float32Array {
  const out = new Float32Array(count * classes);
  for (let n = 0; n < count; n++) out[n * classes] = 1;
  return out;
}

/**
 * A stand-in engine for a model of `config` that predicts class 0 for every
 * image, so any accuracy is the share of label 0; no inference.
 */
export function classZeroEngine<C extends { readonly classes: number }>(config: C, named: { name: string; backend: string; threads: number; version: string; fallback?: string }) {
  return {
    ...named,
    config,
    logits: async (images: { shape: { count: number } }) => classZeroWins(images.shape.count, config.classes),
    logitsNormalized: async (images: { shape: { count: number } }) => classZeroWins(images.shape.count, config.classes),
    dispose: () => {},
  };
}
