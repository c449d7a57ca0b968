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
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Never write snapshots in CI: golden files are regenerated only by their own scripts.
    update: false,
  },
});
