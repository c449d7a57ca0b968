/**
 * The tests Stryker runs against mutants of the core (stryker.config.mjs):
 * the fast ones that exercise src/core and src/io — properties (without the
 * engine ones), the golden vectors, and the core and reader unit tests. The
 * slow engine, golden-model and CLI tests stay out: they add minutes per
 * mutant and test nothing in the mutated modules that these do not.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/*.test.ts', 'golden/vectors.test.ts', 'src/core/*.test.ts', 'src/io/safetensors.test.ts', 'src/io/cifar10.test.ts'],
    exclude: ['properties/engineOnnx.test.ts', 'properties/engineTfjs.test.ts', '**/node_modules/**'],
    setupFiles: ['properties/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    update: false,
  },
});
