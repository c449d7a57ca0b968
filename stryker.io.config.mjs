// Issue 25, area io: stryker.config.mjs with the tests of vitest.mutation.io.config.ts
// (the whole mutation suite's dry run exceeded Stryker's five minutes on the shared machine).
//   npx stryker run stryker.io.config.mjs --mutate src/io/keyFile.ts --concurrency 1
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default { ...base, vitest: { ...base.vitest, configFile: 'vitest.mutation.io.config.ts' } };
