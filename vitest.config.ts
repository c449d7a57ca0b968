import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.test.ts', 'src/**/*.test.ts', 'properties/**/*.test.ts', 'golden/**/*.test.ts'],
    setupFiles: ['properties/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Never write snapshots in CI: golden files are regenerated only by their own scripts.
    update: false,
  },
});
