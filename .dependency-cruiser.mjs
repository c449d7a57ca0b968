// The layers of src/ and the rules that keep them (README, "Layout").
// Checked in `npm test` by src/layers.test.ts; by hand: `npx depcruise src`.
//
// LAYERS lists the folders of src/ from the bottom up. A module may import
// its own folder and any folder of a lower layer; never a higher layer, and
// never a folder of its own layer (folders that share a layer are
// independent). src/index.ts, the library entry point, sits on top. Type-only
// imports count. Tests (*.test.ts) and test support (the bad-input runner,
// the broken plug-ins) may import any layer and are not checked.
const LAYERS = [
  ['core'], //            keys, block transforms, images, errors: pure, no other folder
  ['metrics', 'model'], // scoring and summaries; the models (ConvMixer, ResNet) and their state dicts
  ['engine'], //          the Engine interface, its backends (onnxruntime, tfjs) and factory
  ['variants'], //        the plug-in contract, the built-in variants, the fuzz harness, System B's key sets
  ['io'], //              files: safetensors, CIFAR-10, PNG, key files (of every system), atomic output
  ['plots'], //           drawing: SVG plots, image grids, SVG → PNG
  ['evaluate'], //        the experiments (Systems A, B, C) and their reports
  ['attacks'], //         the attacks and the security report's runs
  ['report'], //          the security report's presentation (markdown, JSON, plots)
  ['cli'], //             the cipherpatch command, a thin layer over all of the above
];

const folder = (name) => `^src/${name}/`;
const anyOf = (names) => (names.length === 0 ? '^$' : names.map(folder).join('|'));

/** For each folder: no import of a higher layer, of src/index.ts, or of another folder of its layer. */
const layerRules = LAYERS.flatMap((layer, rank) => {
  const higher = LAYERS.slice(rank + 1).flat();
  return layer.map((name) => ({
    name: `layer-${name}`,
    comment: `src/${name}/ may import only ${[...LAYERS.slice(0, rank).flat(), name].map((n) => `src/${n}/`).join(', ')} (layer ${rank + 1} of ${LAYERS.length}; .dependency-cruiser.mjs LAYERS)`,
    severity: 'error',
    from: { path: folder(name) },
    to: { path: `${anyOf([...higher, ...layer.filter((other) => other !== name)])}|^src/index\\.ts$` },
  }));
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import circle: modules that need each other are one module, or one of them holds what both need',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'unlisted-folder',
      comment: 'a folder of src/ that is in no layer: add it to LAYERS in .dependency-cruiser.mjs (and to README "Layout")',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: anyOf(LAYERS.flat()) },
      to: {},
    },
  ],
  options: {
    includeOnly: '^src/',
    exclude: { path: ['\\.test\\.ts$', '^src/cli/badInputs/table\\.ts$', '^src/variants/fixtures/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
