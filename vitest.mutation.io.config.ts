/**
 * Issue 25, area io: the tests Stryker runs for the edge readers and writers
 * (src/io) and the rest of src/core and src/model, when they are measured on their own — the standard
 * vitest.mutation.config.ts with only the fast tests that exercise src/io, so
 * the dry run fits the default five minutes on a shared machine (the whole
 * mutation suite's dry run did not) and a mutant costs seconds
 * (src/io/cifarFetch.test.ts, with its HTTP server, is left out here). Every file here is also in
 * vitest.mutation.config.ts; a full run can only kill more.
 *   npx stryker run stryker.io.config.mjs --mutate src/io/keyFile.ts --concurrency 1
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.mutation.config.ts';

export default defineConfig({
  test: {
    ...base.test,
    include: [
      'src/io/png.test.ts',
      'src/io/outputPaths.test.ts',
      'src/io/progress.test.ts',
      'src/evaluate/experiment.test.ts',
      'src/io/pngUnits.test.ts',
      'src/io/keyFileUnits.test.ts',
      'src/io/modelFileUnits.test.ts',
      'src/io/calibrationCacheUnits.test.ts',
      'src/io/atomicWriteUnits.test.ts',
      'src/io/atomicDirUnits.test.ts',
      'src/io/cleanup.test.ts',
      'src/io/stalePartials.test.ts',
      // The rest of src/core and src/model in this area: their unit tests (hand-worked values, no engine).
      'src/core/imagesUnits.test.ts',
      'src/core/orthogonalUnits.test.ts',
      'src/core/errors.test.ts',
      'src/core/words.test.ts',
      'src/core/shards.test.ts',
      'src/core/shardsUnits.test.ts',
      'src/model/stateDictUnits.test.ts',
      'src/model/encryptModel.test.ts',
      'src/model/convmixer.test.ts',
    ],
  },
});
