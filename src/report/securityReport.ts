/**
 * The security report as files (`cipherpatch attack-report`): the result of
 * runAttackReport (src/attacks/securityReport.ts) as report.json, report.md
 * with one headline per attack next to what the paper claims, and one plot
 * per attack (SVG + PNG); writeAttackReport writes them as one directory,
 * atomically.
 */
import { attackJsonText } from '../attacks/common.ts';
import { type AttackReport, PAPER_CLAIMS, PAPER_WRONG_KEY_RANGE } from '../attacks/securityReport.ts';
import { writeDirectoryAtomic } from '../io/atomicDir.ts';
import { linePlotSvg, type LinePlotOptions, type Series } from '../plots/linePlot.ts';
import { svgToPng } from '../plots/render.ts';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One line per attack: the finding, plainly. */
export function headlines(r: AttackReport): Record<string, string> {
  const a = r.attacks;
  const s = a.randomKey.summary;
  const kp = a.knownPlaintext;
  const co = a.ciphertextOnly.points;
  const firstExact = co.find((p) => p.keyRecovered);
  const flipsRight = co.filter((p) => p.flipFraction === 1).map((p) => p.images);
  const bestCo = co.reduce((b, p) => (p.plainModelAccuracy > b.plainModelAccuracy ? p : b), co[0]);
  const lm = a.leakedModel;
  const g = a.greedy;
  const far = a.partialKey.swapDistance.at(-1);
  const farFlip = a.partialKey.flipDistance.at(-1);
  return {
    randomKey: `${a.randomKey.tries.length} random keys: median ${pct(s.median)}, best ${pct(s.max)} (right key ${pct(r.baseline.rightKey)}, most frequent label ${pct(r.baseline.chance)}); the paper's 12–20 % ${s.median >= PAPER_WRONG_KEY_RANGE[0] && s.median <= PAPER_WRONG_KEY_RANGE[1] ? 'holds' : 'does not hold'} for the median. No random key had more than ${pct(a.randomKey.fractionCorrect ?? 0)} of the key right.`,
    partialKey: `Accuracy falls smoothly with distance: swap distance ${a.partialKey.swapDistance[0]?.distance} → ${pct(a.partialKey.swapDistance[0]?.mean ?? NaN)}, ${far?.distance} → ${pct(far?.mean ?? NaN)}; flip distance ${farFlip?.distance} → ${pct(farFlip?.mean ?? NaN)}. Right shuffle + wrong flips ${pct(a.partialKey.rightShuffleWrongFlip.mean)}, wrong shuffle + right flips ${pct(a.partialKey.wrongShuffleRightFlip.mean)}.`,
    greedy: `After ${g.effort.queries} image queries (${r.effort.greedySteps} steps on ${r.effort.greedyImages} labelled images) the found key gives ${pct(g.heldOutScore ?? NaN)} on held-out images (start ${pct(g.trace[0]?.heldOut ?? NaN)}, right key ${pct(r.baseline.rightKey)}) with ${pct(g.fractionCorrect ?? 0)} of the key right.`,
    knownPlaintext: `One (plain, encrypted) image pair gives the exact key for ${kp.exactFromOnePair} of ${kp.images} images${kp.blocksNeeded ? ` (median ${kp.blocksNeeded.median} blocks, 90th percentile ${kp.blocksNeeded.p90}, worst ${kp.blocksNeeded.max} of 64)` : ''}. System C's Q falls to least squares from ${kp.systemCBlocksNeeded} block pairs (${kp.systemC.find((c) => c.recovered)?.blocks ?? 'not within the blocks tried'} was the first count tried that recovered it).`,
    leakedModel: `The encrypted model with the attacker's copy of the plain model: ${pct(lm.noise[0]?.meanFraction ?? NaN)} of the key; with noise ${lm.noise.at(-1)?.noise}× the weights' RMS still ${pct(lm.noise.at(-1)?.meanFraction ?? NaN)}.${lm.secondModel ? ` An independently trained plain model (${lm.secondModel.label}) recovers ${pct(lm.secondModel.fractionCorrect)} of the key by column matching and ${pct(lm.secondModel.gramPermutationFraction)} of the permutation by Gram matching (chance ${pct(lm.chance)}); the column-matched key gives ${pct(lm.secondModel.accuracyWithRecoveredKey)} (right key ${pct(r.baseline.rightKey)}).` : ' No independently trained model was given.'}`,
    ciphertextOnly: `From encrypted images alone: the flip vector exactly right with ${flipsRight.length > 0 ? flipsRight.join(', ') : 'none'} of the ${co.map((p) => p.images).join(', ')} encrypted images tried; the exact key ${firstExact ? `from ${firstExact.images} images` : 'at no count tried'}; the plain model reaches up to ${pct(bestCo.plainModelAccuracy)} on the attacker's decryption (${bestCo.images} images seen; plain images ${pct(r.baseline.plainModelPlainImages)}).`,
  };
}

const refs = (r: AttackReport) => [
  { label: 'right key', value: r.baseline.rightKey },
  { label: 'most frequent label', value: r.baseline.chance },
];
const paperBand = { label: "paper: wrong keys 12–20 %", from: PAPER_WRONG_KEY_RANGE[0], to: PAPER_WRONG_KEY_RANGE[1] };

/** The plots: name → (series, options). */
export function attackPlots(r: AttackReport): Map<string, { series: Series[]; options: LinePlotOptions }> {
  const a = r.attacks;
  const plots = new Map<string, { series: Series[]; options: LinePlotOptions }>();
  plots.set('random-key', {
    series: [
      { label: 'each random key', points: a.randomKey.tries.map((t, i) => ({ x: i + 1, y: t.accuracy })), markersOnly: true },
      { label: 'best so far', points: a.randomKey.bestSoFar.map((y, i) => ({ x: i + 1, y })) },
    ],
    options: { title: 'Random keys (Fig. 5)', xLabel: 'random keys tried', yLabel: 'accuracy', yPercent: true, yMin: 0, references: refs(r), bands: [paperBand] },
  });
  plots.set('partial-key', {
    series: [
      { label: 'swap distance', points: a.partialKey.swapDistance.map((p) => ({ x: p.distance, y: p.mean })) },
      { label: 'flip distance', points: a.partialKey.flipDistance.map((p) => ({ x: p.distance, y: p.mean })) },
    ],
    options: { title: 'Partial keys: accuracy vs distance from the key', xLabel: 'key distance s (2s positions wrong)', yLabel: 'accuracy', yPercent: true, yMin: 0, references: [...refs(r), { label: 'random keys', value: a.partialKey.randomKeys.mean }], bands: [paperBand] },
  });
  plots.set('greedy', {
    series: [
      { label: 'held-out accuracy', points: a.greedy.trace.map((p) => ({ x: p.queries, y: p.heldOut ?? NaN })) },
      { label: 'key fraction right', points: a.greedy.trace.map((p) => ({ x: p.queries, y: p.keyFraction })) },
    ],
    options: { title: 'Greedy key search', xLabel: 'image queries', yLabel: 'accuracy / key fraction', yPercent: true, yMin: 0, references: refs(r), bands: [paperBand] },
  });
  plots.set('known-plaintext', {
    series: [
      { label: 'System A: key fraction', points: a.knownPlaintext.fractionAfterBlocks.map((p) => ({ x: p.blocks, y: p.meanFraction })) },
      { label: 'System C: Q recovered', points: a.knownPlaintext.systemC.map((c) => ({ x: c.blocks, y: c.recovered ? 1 : 0 })) },
    ],
    options: { title: 'Known plaintext: key vs block pairs seen', xLabel: 'known block pairs', yLabel: 'key fraction recovered', xScale: 'log', yPercent: true, yMin: 0, yMax: 1 },
  });
  plots.set('leaked-model', {
    series: [{ label: 'same model + noise', points: a.leakedModel.noise.map((p) => ({ x: p.noise, y: p.meanFraction })) }],
    options: {
      title: 'Leaked model: key from patch embeddings',
      xLabel: "noise on the attacker's plain model (× weight RMS)",
      yLabel: 'key fraction recovered',
      yPercent: true,
      yMin: 0,
      yMax: 1,
      references: [
        ...(a.leakedModel.secondModel
          ? [
              { label: 'other model, columns', value: a.leakedModel.secondModel.fractionCorrect },
              { label: 'other model, Gram', value: a.leakedModel.secondModel.gramPermutationFraction },
            ]
          : []),
        { label: 'chance 1/p_b', value: a.leakedModel.chance },
      ],
    },
  });
  const co = a.ciphertextOnly.points;
  plots.set('ciphertext-only', {
    series: [
      { label: 'flip bits right', points: co.map((p) => ({ x: p.images, y: p.flipFraction })) },
      { label: 'permutation right', points: co.map((p) => ({ x: p.images, y: p.permutationFraction })) },
      { label: 'plain model on decryption', points: co.map((p) => ({ x: p.images, y: p.plainModelAccuracy })) },
    ],
    options: { title: 'Ciphertext only: key vs images seen', xLabel: 'encrypted images seen', yLabel: 'fraction / accuracy', xScale: 'log', yPercent: true, yMin: 0, yMax: 1, references: [{ label: 'plain images', value: r.baseline.plainModelPlainImages }] },
  });
  return plots;
}

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function attackReportMarkdown(r: AttackReport, ctx: { command: string; weightsPath: string; keyPath: string; data: string; engine: string; date: string }): string {
  const a = r.attacks;
  const h = headlines(r);
  const s = a.randomKey.summary;
  const sections: string[] = [];
  sections.push(`# Security report: System A attacks

Model \`${ctx.weightsPath}\` (ConvMixer-${r.model.dim}/${r.model.depth}, patch ${r.model.patch}), key \`${ctx.keyPath}\` (M = ${r.blockSize}, key space 2^${r.keySpaceLog2.toFixed(1)}), test data \`${ctx.data}\`.
Engine ${ctx.engine}. ${ctx.date}, ${r.seconds.toFixed(0)} s. Command:

    ${ctx.command}

Baseline on the ${r.effort.images} evaluation images: plain model ${pct(r.baseline.plainModelPlainImages)}, encrypted model with the right key ${pct(r.baseline.rightKey)}, on plain images ${pct(r.baseline.encryptedModelPlainImages)}; always the most frequent label ${pct(r.baseline.chance)}.
Images: evaluation ${r.split.evaluation.join('–')}, the attacker's plain reference ${r.split.reference.join('–')}, the attacker's labelled set ${r.split.labelled.join('–')} (test-set indices).

## Findings

| attack | finding | the paper |
|---|---|---|
| random keys | ${h.randomKey} | ${PAPER_CLAIMS.randomKey} |
| partial keys | ${h.partialKey} | ${PAPER_CLAIMS.partialKey} |
| greedy search | ${h.greedy} | ${PAPER_CLAIMS.greedy} |
| known plaintext | ${h.knownPlaintext} | ${PAPER_CLAIMS.knownPlaintext} |
| leaked model | ${h.leakedModel} | ${PAPER_CLAIMS.leakedModel} |
| ciphertext only | ${h.ciphertextOnly} | ${PAPER_CLAIMS.ciphertextOnly} |
`);
  sections.push(`## Random keys (Fig. 5)

![random keys](random-key.png)

${a.randomKey.tries.length} keys (seed "${a.randomKey.seed}:i"): min ${pct(s.min)}, q1 ${pct(s.q1)}, median ${pct(s.median)}, q3 ${pct(s.q3)}, max ${pct(s.max)}. Paper: 12–20 %.
`);
  sections.push(`## Partial keys

![partial keys](partial-key.png)

${table(
  ['s', ...a.partialKey.swapDistance.map((p) => String(p.distance))],
  [
    ['swap distance', ...a.partialKey.swapDistance.map((p) => pct(p.mean))],
    ['flip distance', ...a.partialKey.flipDistance.map((p) => pct(p.mean))],
  ],
)}

Right shuffle, wrong flips ${pct(a.partialKey.rightShuffleWrongFlip.mean)}; wrong shuffle, right flips ${pct(a.partialKey.wrongShuffleRightFlip.mean)}; random keys ${pct(a.partialKey.randomKeys.mean)} (${r.effort.trials} guesses per setting).
`);
  sections.push(`## Greedy key search

![greedy](greedy.png)

Objective ${r.effort.greedyObjective} on ${r.effort.greedyImages} labelled images, ${r.effort.greedySteps} proposals (a swap or a flip exchange), ${a.greedy.accepted} accepted as improvements.

${table(['queries', 'held-out accuracy', 'key fraction'], a.greedy.trace.map((p) => [p.queries, pct(p.heldOut ?? NaN), p.keyFraction.toFixed(3)]))}
`);
  sections.push(`## Known plaintext

![known plaintext](known-plaintext.png)

System A, one image pair at a time over ${a.knownPlaintext.images} images: exact key from ${a.knownPlaintext.exactFromOnePair}.

${table(['block pairs', ...a.knownPlaintext.fractionAfterBlocks.map((p) => String(p.blocks))], [['mean key fraction', ...a.knownPlaintext.fractionAfterBlocks.map((p) => p.meanFraction.toFixed(3))]])}

System C (a seeded random orthogonal Q, p_b = ${a.knownPlaintext.systemCBlocksNeeded}), least squares on the first b block pairs, checked on the rest:

${table(['b', 'recovered', 'max |Q̂ − Q|', 'held-out residual'], a.knownPlaintext.systemC.map((c) => [c.blocks, c.recovered ? 'yes' : 'no', c.keyError === null ? 'under-determined' : c.keyError.toExponential(1), c.heldOutResidual === null ? '–' : c.heldOutResidual.toExponential(1)]))}
`);
  const sm = a.leakedModel.secondModel;
  sections.push(`## Leaked model

![leaked model](leaked-model.png)

${table(['noise × RMS', ...a.leakedModel.noise.map((p) => String(p.noise))], [['key fraction', ...a.leakedModel.noise.map((p) => pct(p.meanFraction))]])}

${sm ? `Independently trained plain model (${sm.label}; its own accuracy ${pct(sm.secondModelPlainAccuracy)}): key fraction ${pct(sm.fractionCorrect)} (permutation entries ${pct(sm.permutationFraction)}, flip bits ${pct(sm.flipFraction)}), mean matched |cosine| ${sm.meanScore.toFixed(3)}; the encrypted model with the recovered key ${pct(sm.accuracyWithRecoveredKey)}. Matching the output-channel-free Gram matrices |EᵀE| instead gets ${pct(sm.gramPermutationFraction)} of the permutation entries right.` : 'No independently trained model was given (--second-model).'}
`);
  sections.push(`## Ciphertext only

![ciphertext only](ciphertext-only.png)

${table(
  ['encrypted images', 'flip bits right', 'permutation right', 'exact key', 'plain model on the decryption'],
  a.ciphertextOnly.points.map((p) => [p.images, pct(p.flipFraction), pct(p.permutationFraction), p.keyRecovered ? 'yes' : 'no', pct(p.plainModelAccuracy)]),
)}

Reference statistics from ${a.ciphertextOnly.reference} other plain test images; ${r.effort.restarts} local-search restarts.
`);
  sections.push(`## Files

\`report.json\` holds every number; one plot per attack as SVG and PNG.
`);
  return sections.join('\n');
}

export function attackReportFiles(r: AttackReport, ctx: Parameters<typeof attackReportMarkdown>[1]): Map<string, string | Uint8Array> {
  const files = new Map<string, string | Uint8Array>();
  files.set('report.json', attackJsonText({ ...r, command: ctx.command, weights: ctx.weightsPath, keyFile: ctx.keyPath, data: ctx.data, engine: ctx.engine, date: ctx.date, headlines: headlines(r) }));
  files.set('report.md', attackReportMarkdown(r, ctx));
  for (const [name, plot] of attackPlots(r)) {
    const svg = linePlotSvg(plot.series, plot.options);
    files.set(`${name}.svg`, svg);
    files.set(`${name}.png`, svgToPng(svg));
  }
  return files;
}

export function writeAttackReport(dir: string, r: AttackReport, ctx: Parameters<typeof attackReportMarkdown>[1], options: { overwrite?: boolean } = {}): string[] {
  const files = attackReportFiles(r, ctx);
  writeDirectoryAtomic(dir, files, options);
  return [...files.keys()];
}
