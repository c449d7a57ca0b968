#!/usr/bin/env node
// Breaks the code on purpose, one mutation at a time, runs the properties that
// should notice, and prints which tests failed. Restores every file after each
// run (and on Ctrl-C). Usage: node scripts/break-once.mjs [filter]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const MUTANTS = [
  ['NHWC block offset transposed (i↔j)', 'src/core/blockTransform.ts', '(i * W + j) * C + c', '(j * W + i) * C + c', 'properties/blockTransform.test.ts'],
  ['8-bit decryption uses the encryption map (no inverse)', 'src/core/blockTransform.ts', 'const map = inverseIndexMap(blockIndexMap(batch.shape, batch.layout, key));', 'const map = (blockIndexMap(batch.shape, batch.layout, key));', 'properties/blockTransform.test.ts'],
  ['8-bit encryption ignores the flip vector', 'src/core/blockTransform.ts', 'const xor = flip.map((r) => r * 255);', 'const xor = flip.map(() => 0);', 'properties/blockTransform.test.ts properties/keyEquivalence.test.ts properties/keySpace.test.ts'],
  ['8-bit word gather: bytes 1 and 2 swapped', 'src/core/blockTransform.ts', '(input[base + source[k + 1]] << 8) | (input[base + source[k + 2]] << 16)', '(input[base + source[k + 1]] << 16) | (input[base + source[k + 2]] << 8)', 'properties/blockTransform.test.ts golden/vectors.test.ts'],
  ['normalized-domain flip forgets the sign', 'src/core/blockTransform.ts', "out[base + i] = flip[i] === 0 ? x : unit ? 1 - x : -x;", "out[base + i] = flip[i] === 0 ? x : unit ? 1 - x : x;", 'properties/blockTransform.test.ts'],
  ['unit-domain decryption off by 1e-9', 'src/core/blockTransform.ts', "out[base + source[i]] = flip[i] === 0 ? x : unit ? 1 - x : -x;", "out[base + source[i]] = flip[i] === 0 ? x : unit ? 1 - x + 1e-9 : -x;", 'properties/blockTransform.test.ts'],
  ['model transform forgets the sign flip (Eq. 9)', 'src/core/modelTransform.ts', "out[row + k] = key.flip[k] === 1 ? -value : value;", 'out[row + k] = value;', 'properties/embedding.test.ts'],
  ['model transform applies the inverse permutation', 'src/core/modelTransform.ts', "const value = w[row + key.permutation[k]];\n      out[row + k]", "const value = w[row + k];\n      out[row + key.permutation[k]]", 'properties/embedding.test.ts'],
  ['spec: E_p transposed (v⁻¹ instead of v)', 'spec/modelTransform.ts', 'return v.map((vk) => v.map((_, col) => (col === vk ? 1 : 0)));', 'return v.map((_, row) => v.map((_, col) => (v[col] === row ? 1 : 0)));', 'properties/embedding.test.ts'],
  ['spec: Eq. 9 flips nothing', 'spec/modelTransform.ts', "row.map((e) => (r[k] === 1 ? -e : e))", 'row.map((e) => e)', 'properties/embedding.test.ts'],
  ['spec: normalize8bit written literally', 'spec/blockEncryption.ts', 'return (2 * x - 255) / 255;', 'return (x / 255 - 0.5) / 0.5;', 'properties/equations.test.ts'],
  ['keygen draws p_b/2 − 1 ones (System B style)', 'src/core/keygen.ts', 'for (let k = 0; k < pb / 2; k++)', 'for (let k = 0; k < pb / 2 - 1; k++)', 'properties/keys.test.ts'],
  ['validation misses repeated permutation entries', 'src/core/key.ts', 'if (seen[vk as number]) fail(', 'if (false) fail(', 'properties/keys.test.ts'],
  ['key JSON writes the flip vector reversed', 'src/core/keyJson.ts', 'flip: Array.from(key.flip),', 'flip: Array.from(key.flip).reverse(),', 'properties/keys.test.ts'],
  ['src key space: C(p_b, p_b/2) off by one factor', 'src/core/keySpace.ts', 'fallingFactorial(pb, half) / fallingFactorial(half, half)', 'fallingFactorial(pb, half - 1) / fallingFactorial(half, half)', 'properties/keySpace.test.ts'],
  ['spec key space: binomial without (n−k)!', 'spec/keySpace.ts', 'return factorial(n) / (factorial(k) * factorial(n - k));', 'return factorial(n) / factorial(k);', 'properties/keySpace.test.ts'],
  ['spec ConvMixer: residual dropped', 'spec/convmixer.ts', 'layer.depthwiseNorm), z);', 'layer.depthwiseNorm), { ...z, data: z.data.map(() => 0) });', 'properties/embedding.test.ts golden/convmixerVectors.test.ts'],
  ['spec ConvMixer: even-kernel "same" padding on the wrong side', 'spec/convmixer.ts', 'const before = Math.floor((k - 1) / 2);', 'const before = Math.ceil((k - 1) / 2);', 'golden/convmixerVectors.test.ts'],
  ['spec ConvMixer: BatchNorm without eps', 'spec/convmixer.ts', 'Math.sqrt(bn.runningVar[c] + bn.eps)', 'Math.sqrt(bn.runningVar[c])', 'golden/convmixerVectors.test.ts'],
  ['model transform takes the flip bit of the source row', 'src/core/modelTransform.ts', "out[row + k] = key.flip[k] === 1 ? -value : value;", "out[row + k] = key.flip[key.permutation[k]] === 1 ? -value : value;", 'properties/keyEquivalence.test.ts properties/embedding.test.ts'],
  ['System C model transform uses Q instead of Qᵀ', 'src/core/orthogonal.ts', 'sum += key.matrix[i * pb + k] * w[o * pb + i];', 'sum += key.matrix[k * pb + i] * w[o * pb + i];', 'properties/orthogonal.test.ts'],
  ['System C decryption forgets to transpose', 'src/core/orthogonal.ts', 'return multiplyBlocks(batch, key, true);', 'return multiplyBlocks(batch, key, false);', 'properties/orthogonal.test.ts'],
  ['seeded keys ignore the seed', 'src/core/keygen.ts', 'const prng = seedrandom(seed);', 'const prng = seedrandom();', 'properties/keys.test.ts'],
  ['flip vector not shuffled (first p_b/2 positions)', 'src/core/keygen.ts', 'for (let k = 0; k < pb / 2; k++) flip[order[k]] = 1;', 'for (let k = 0; k < pb / 2; k++) flip[k] = 1;', 'properties/keys.test.ts'],
  ['tfjs engine: residual dropped', 'src/engine/tfjs.ts', 'layer.depthwiseNorm), z);', 'layer.depthwiseNorm), tf.zerosLike(z));', 'properties/engineTfjs.test.ts'],
  ['onnx conv graph: residual dropped', 'src/engine/onnxGraph.ts', "const residual = g.node('Add', [batchNorm(g.gelu(mixed), layer.depthwiseNorm, `${i}.0.fn.2`), z]);", "const residual = g.node('Add', [batchNorm(g.gelu(mixed), layer.depthwiseNorm, `${i}.0.fn.2`), g.node('Sub', [z, z])]);", 'properties/engineOnnx.test.ts'],
  // Issue 25: what `cipherpatch evaluate` reports with the default (seeded) wrong keys.
  ['evaluate: wrong key i seeded from "<seed>-<i>" (not "<seed>:<i>")', 'src/evaluate/evaluate.ts', 'const s = `${seed}:${i}`;', 'const s = `${seed}-${i}`;', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: seeded wrong keys start at index 1', 'src/evaluate/evaluate.ts', 'for (let i = 0; out.length < count; i++) {', 'for (let i = 1; out.length < count; i++) {', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: a seeded wrong key equal to the right key is kept', 'src/evaluate/evaluate.ts', 'if (!system.equal(k, key)) out.push', 'if (true) out.push', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: one seeded wrong key too many', 'src/evaluate/evaluate.ts', 'for (let i = 0; out.length < count; i++) {', 'for (let i = 0; out.length <= count; i++) {', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: seeded wrong keys in reverse order', 'src/evaluate/evaluate.ts', '  return out;\n}\n\n/** Wrong keys for the experiment', '  return out.reverse();\n}\n\n/** Wrong keys for the experiment', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: 99 wrong keys by default', 'src/evaluate/evaluate.ts', 'export const DEFAULT_WRONG_KEYS = 100;', 'export const DEFAULT_WRONG_KEYS = 99;', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: an explicit list outranks the count asked for', 'src/evaluate/evaluate.ts', 'return requested ?? list?.length ?? DEFAULT_WRONG_KEYS;', 'return list?.length ?? requested ?? DEFAULT_WRONG_KEYS;', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: wrong key accuracy scored with the next key\'s logits index', 'src/evaluate/evaluate.ts', 'wrong.push({ index, seed: wk.seed', 'wrong.push({ index: index + 1, seed: wk.seed', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: listed wrong keys named from 1', 'src/evaluate/evaluate.ts', 'return { seed: `list:${i}`, key };', 'return { seed: `list:${i + 1}`, key };', 'src/evaluate/wrongKeys.test.ts'],
  ['evaluate: every wrong key run with the first one', 'src/evaluate/evaluate.ts', 'return pass(encrypted, wrongKey, `wrong', 'return pass(encrypted, keys[0].key, `wrong', 'src/evaluate/wrongKeys.test.ts'],
  ['statistics: mean divides by n − 1', 'src/metrics/statistics.ts', 'mean: values.reduce((s, v) => s + v, 0) / values.length,', 'mean: values.reduce((s, v) => s + v, 0) / (values.length - 1),', 'src/evaluate/wrongKeys.test.ts'],
  ['statistics: summary of the unsorted values', 'src/metrics/statistics.ts', 'const sorted = [...values].sort((a, b) => a - b);', 'const sorted = [...values];', 'src/evaluate/wrongKeys.test.ts'],
  ['cli evaluate: default --wrong-key-seed "wrong-keys"', 'src/cli/evaluate.ts', "derived from \"<s>:<i>\"', 'wrong-key')", "derived from \"<s>:<i>\"', 'wrong-keys')", 'src/cli/commands.test.ts'],
  // Issue 25: values the oracles shared with src (properties/ORACLES.md). Each is now caught by a differential property,
  // not only by the golden files; a plant may change several files ([file, from, to] triples).
  ['oracle cut: BatchNorm ε 1e-3 in src (the spec bridges took it from src)', 'src/model/stateDict.ts', 'export const BATCH_NORM_EPS = 1e-5;', 'export const BATCH_NORM_EPS = 1e-3;', 'properties/engineTfjs.test.ts properties/engineResNet.test.ts properties/sharedValues.test.ts'],
  ['oracle cut: ResNet stage 2 starts with stride 1 (the spec ResNet took its layout from src)', 'src/model/resnet.ts', 'const stride = b === 0 && s > 0 ? 2 : 1;', 'const stride = b === 0 && s > 1 ? 2 : 1;', 'properties/engineResNet.test.ts'],
  ['oracle cut: NHWC pixelIndex with x and y swapped (the bridge read images with it)', 'src/core/images.ts', 'return layout === \'NHWC\' ? ((n * H + y) * W + x) * C + c', 'return layout === \'NHWC\' ? ((n * W + x) * H + y) * C + c', 'properties/engineTfjs.test.ts properties/sharedValues.test.ts'],
  ['oracle cut: safetensors I16 read as 4 bytes (the test files took the sizes from src)', 'src/io/safetensors.ts', '  I16: 2,\n', '  I16: 4,\n', 'src/io/safetensors.test.ts properties/sharedValues.test.ts'],
  ['oracle cut: withinTolerance always true, and BatchNorm ε 1e-3 (the properties compared with src\'s withinTolerance)', [['src/variants/tolerance.ts', 'return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);', 'return true;'], ['src/model/stateDict.ts', 'export const BATCH_NORM_EPS = 1e-5;', 'export const BATCH_NORM_EPS = 1e-3;']], 'properties/engineTfjs.test.ts'],
  ['oracle cut: randomOrthogonal off by 1e-9, and validateOrthogonalKey 10⁶× too lax (the property judged Q with it)', [['src/core/orthogonal.ts', 'for (let k = 0; k < n; k++) q[i * n + k] /= norm;', 'for (let k = 0; k < n; k++) q[i * n + k] /= norm * (1 + 1e-9);'], ['src/core/orthogonal.ts', '<= tolerance)) fail(', '<= tolerance * 1e6)) fail(']], 'properties/orthogonal.test.ts'],
  // Issue 25: the reports' statistics and the plots' geometry against numpy.
  ['stats: quantile positions n·q (not (n − 1)·q)', 'src/metrics/statistics.ts', 'const pos = (sorted.length - 1) * q;', 'const pos = Math.min(sorted.length - 1, sorted.length * q);', 'src/metrics/statistics.test.ts src/plots/boxPlot.test.ts src/attacks/randomKey.test.ts'],
  ['stats: quantile rounds down (no interpolation)', 'src/metrics/statistics.ts', 'return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);', 'return sorted[lo];', 'src/metrics/statistics.test.ts src/plots/boxPlot.test.ts src/attacks/randomKey.test.ts'],
  ['box plot: box drawn from the median to Q3', 'src/plots/boxPlot.ts', 'height="${Math.max(1, y(s.q1) - y(s.q3))}"', 'height="${Math.max(1, y(s.median) - y(s.q3))}"', 'src/plots/boxPlot.test.ts'],
  ['random-key attack: best so far is the last try', 'src/attacks/randomKey.ts', 'bestSoFar.push(Math.max(t.accuracy, bestSoFar.at(-1) ?? -Infinity));', 'bestSoFar.push(t.accuracy);', 'src/attacks/randomKey.test.ts'],
  ['scoring: argmax takes the last of tied logits', 'src/metrics/scoring.ts', 'if (logits[i * classes + c] > logits[i * classes + best]) best = c;', 'if (logits[i * classes + c] >= logits[i * classes + best]) best = c;', 'src/metrics/scoring.test.ts'],
  ['scoring: largest difference without the absolute value', 'src/metrics/scoring.ts', 'max = Math.max(max, Math.abs(a[i] - b[i]));', 'max = Math.max(max, a[i] - b[i]);', 'src/metrics/scoring.test.ts'],
];

const filter = process.argv[2] ?? '';
// One report file per run: several checkouts may break code at the same time.
const reportFile = `/tmp/break-once-${process.pid}.json`;
const rows = [];
for (const [name, ...rest] of MUTANTS) {
  if (!name.includes(filter)) continue;
  // [name, file, from, to, tests], or [name, [[file, from, to], …], tests] for a plant in several places.
  const edits = Array.isArray(rest[0]) ? rest[0] : [rest.slice(0, 3)];
  const tests = Array.isArray(rest[0]) ? rest[1] : rest[3];
  const originals = new Map(edits.map(([file]) => [file, readFileSync(file, 'utf8')]));
  if (edits.some(([file, from]) => !originals.get(file).includes(from))) {
    rows.push([name, 'MUTATION NOT APPLIED (source changed)']);
    continue;
  }
  const restore = () => originals.forEach((text, file) => writeFileSync(file, text));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      restore();
      process.exit(130);
    });
  }
  const changed = new Map(originals);
  for (const [file, from, to] of edits) changed.set(file, changed.get(file).replace(from, to));
  changed.forEach((text, file) => writeFileSync(file, text));
  let failed = [];
  rmSync(reportFile, { force: true });
  let runError = '';
  try {
    execFileSync('npx', ['vitest', 'run', ...tests.split(' '), '--reporter=json', `--outputFile=${reportFile}`], { stdio: 'ignore' });
  } catch (e) {
    // failing tests are what we want; a killed run is reported below
    runError = e.signal ? `killed by ${e.signal}` : '';
  } finally {
    restore();
  }
  if (!existsSync(reportFile)) {
    rows.push([name, `NO REPORT (test run ${runError || 'crashed'})`]);
    console.log(`${name}\n    ${rows.at(-1)[1]}`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  failed = report.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.title));
  rows.push([name, failed.length === 0 ? 'SURVIVED (no test failed)' : `caught by ${failed.length}: ${failed.join(' | ')}`]);
  console.log(`${name}\n    ${rows.at(-1)[1]}`);
}
const survived = rows.filter(([, r]) => !r.startsWith('caught'));
console.log(`\n${rows.length - survived.length}/${rows.length} mutations caught`);
process.exitCode = survived.length === 0 ? 0 : 1;
