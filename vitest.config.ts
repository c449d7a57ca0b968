import { defineConfig } from 'vitest/config';

// FC_SEED=random: draw one seed for the whole run (every test file gets the
// same one, through the environment the workers inherit) and print it.
if (process.env.FC_SEED === 'random') {
  process.env.FC_SEED = String((Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0);
  process.stderr.write(`[fast-check] FC_SEED=random → seed ${process.env.FC_SEED} for every property (replay with FC_SEED=${process.env.FC_SEED})\n`);
}

export default defineConfig({
  test: {
    include: ['spec/**/*.test.ts', 'src/**/*.test.ts', 'properties/**/*.test.ts', 'golden/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    setupFiles: ['properties/setup.ts'],
    // The CLI runs in the tests keep evaluate's untuned onnx settings (batch 64, sleeping threads) whatever
    // calibration the machine's cache holds: spinning threads picked on an idle machine would slow the
    // parallel test workers. src/engine/calibrate.test.ts tests the tuning itself.
    env: { CIPHERPATCH_TUNING: 'off' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Never write snapshots in CI: golden files are regenerated only by their own scripts.
    update: false,
  },
});
