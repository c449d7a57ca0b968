/**
 * Issue 25: mutation kills for src/report/securityReport.ts. A synthetic
 * attack report (round numbers, no attack run) is presented; the headlines,
 * the whole report.md and the plots' series are written out here by hand
 * from the numbers below (percentages to one decimal), not read back from
 * the code. Mutant names: securityReport.ts:LINE mutator (src/report/).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type AttackReport, PAPER_CLAIMS } from '../attacks/securityReport.ts';
import { attackPlots, attackReportFiles, attackReportMarkdown, headlines, writeAttackReport } from './securityReport.ts';

// Rendering six PNGs takes seconds; src/plots/render.ts has its own tests. Here a PNG stands for its SVG.
vi.mock('../plots/render.ts', async (original) => ({ ...(await original<typeof import('../plots/render.ts')>()), svgToPng: (svg: string) => new TextEncoder().encode(`png of ${svg.length}`) }));

function report(patch: (r: Record<string, unknown> & { attacks: Record<string, Record<string, unknown>> }) => void = () => {}): AttackReport {
  const r = {
    format: 'cipherpatch-attack-report',
    version: 1,
    model: { dim: 8, depth: 1, patch: 2, kernel: 3, classes: 2 },
    blockSize: 2,
    channels: 1,
    keySpaceLog2: Math.log2(144),
    effort: { images: 2, randomKeys: 3, distances: [1, 4], trials: 1, greedyImages: 1, greedySteps: 2, greedyObjective: 'accuracy', knownPlaintextImages: 3, noise: [0, 2], noiseTrials: 1, ciphertextImages: [1, 3], reference: 2, restarts: 1 },
    seed: 's',
    split: { evaluation: [0, 2], victimImagesSeen: [0, 3], knownPlaintextPairs: [0, 3], reference: [3, 5], labelled: [5, 6] },
    baseline: { plainModelPlainImages: 0.9, rightKey: 0.875, encryptedModelPlainImages: 0.1, chance: 0.125 },
    paperClaims: PAPER_CLAIMS,
    attacks: {
      randomKey: {
        tries: [0.1, 0.15, 0.2].map((accuracy, index) => ({ index, seed: `r:${index}`, accuracy, keyFraction: 0 })),
        seed: 'r',
        summary: { min: 0.1, q1: 0.125, median: 0.15, q3: 0.175, max: 0.2, mean: 0.15, count: 3 },
        fractionCorrect: 0.25,
        bestSoFar: [0.1, 0.15, 0.2],
      },
      partialKey: {
        swapDistance: [
          { distance: 1, mean: 0.8 },
          { distance: 4, mean: 0.3 },
        ],
        flipDistance: [
          { distance: 1, mean: 0.7 },
          { distance: 4, mean: 0.2 },
        ],
        rightShuffleWrongFlip: { mean: 0.15 },
        wrongShuffleRightFlip: { mean: 0.12 },
        randomKeys: { mean: 0.11 },
      },
      greedy: {
        effort: { queries: 3, images: 1 },
        heldOutScore: 0.5,
        fractionCorrect: 0.75,
        accepted: 1,
        trace: [
          { step: 0, queries: 1, score: 0, keyFraction: 0.5, heldOut: 0.25 },
          { step: 2, queries: 3, score: 0, keyFraction: 0.75, heldOut: 0.5 },
        ],
      },
      knownPlaintext: {
        attack: 'known-plaintext',
        images: 3,
        exactFromOnePair: 2,
        blocksNeeded: { median: 2, p90: 3, max: 3 },
        fractionAfterBlocks: [
          { blocks: 1, meanFraction: 0.5 },
          { blocks: 2, meanFraction: 0.75 },
        ],
        systemC: [
          { blocks: 3, recovered: false, keyError: null, residual: null, heldOutResidual: null },
          { blocks: 4, recovered: true, keyError: 1.5e-15, residual: 1e-15, heldOutResidual: 2.5e-13 },
        ],
        systemCBlocksNeeded: 4,
      },
      leakedModel: {
        attack: 'leaked-model',
        noise: [
          { noise: 0, fractions: [1], meanFraction: 1 },
          { noise: 2, fractions: [0.625], meanFraction: 0.625 },
        ],
        secondModel: { label: 'm2', fractionCorrect: 0.25, permutationFraction: 0.5, flipFraction: 0.75, minScore: 0.1, meanScore: 0.4567, accuracyWithRecoveredKey: 0.3, gramPermutationFraction: 0.5, secondModelPlainAccuracy: 0.85 },
        chance: 0.25,
      },
      ciphertextOnly: {
        attack: 'ciphertext-only',
        reference: 2,
        points: [
          { images: 1, flipFraction: 0.5, permutationFraction: 0.25, keyFraction: 0, keyRecovered: false, plainModelAccuracy: 0.2, seconds: 0 },
          { images: 3, flipFraction: 1, permutationFraction: 1, keyFraction: 1, keyRecovered: true, plainModelAccuracy: 0.9, seconds: 0 },
        ],
      },
    },
    seconds: 3.4,
  };
  patch(r as unknown as Parameters<typeof patch>[0]);
  return r as unknown as AttackReport;
}

const H = {
  randomKey: "3 random keys: median 15.0 %, best 20.0 % (right key 87.5 %, most frequent label 12.5 %); the paper's 12–20 % holds for the median. No random key had more than 25.0 % of the key right.",
  partialKey: 'Accuracy falls smoothly with distance: swap distance 1 → 80.0 %, 4 → 30.0 %; flip distance 4 → 20.0 %. Right shuffle + wrong flips 15.0 %, wrong shuffle + right flips 12.0 %.',
  greedy: 'After 3 image queries (2 steps on 1 labelled images) the found key gives 50.0 % on held-out images (start 25.0 %, right key 87.5 %) with 75.0 % of the key right.',
  knownPlaintext:
    "One (plain, encrypted) image pair gives the exact key for 2 of 3 images (median 2 blocks, 90th percentile 3, worst 3 of 64). System C's Q falls to least squares from 4 block pairs (4 was the first count tried that recovered it).",
  leakedModel:
    "The encrypted model with the attacker's copy of the plain model: 100.0 % of the key; with noise 2× the weights' RMS still 62.5 %. An independently trained plain model (m2) recovers 25.0 % of the key by column matching and 50.0 % of the permutation by Gram matching (chance 25.0 %); the column-matched key gives 30.0 % (right key 87.5 %).",
  ciphertextOnly:
    "From encrypted images alone: the flip vector exactly right with 3 of the 1, 3 encrypted images tried; the exact key from 3 images; the plain model reaches up to 90.0 % on the attacker's decryption (3 images seen; plain images 90.0 %).",
};

describe('headlines', () => {
  it('one line per attack, by hand from the numbers', () => {
    expect(headlines(report())).toEqual(H);
  });

  // The paper's band [12 %, 20 %] is closed: medians 0.12 and 0.2 hold, 0.11 and 0.25 do not. Kills :30 (>= / <=, &&).
  it('the 12–20 % claim holds for a median inside the closed band only', () => {
    const verdict = (median: number) => (headlines(report((r) => ((r.attacks.randomKey.summary as { median: number }).median = median))).randomKey.match(/12–20 % (holds|does not hold)/) ?? [])[1];
    expect([0.11, 0.12, 0.2, 0.25].map(verdict)).toEqual(['does not hold', 'holds', 'holds', 'does not hold']);
  });

  // The fallbacks: no exact key, no exact flips, no blocks-needed figure, no System C recovery, no second model,
  // null scores; the best decryption is the first of equal maxima. Kills :21–40 (find/filter/reduce, ?? and ?:).
  it('says what was not reached', () => {
    const r = report((x) => {
      const a = x.attacks;
      a.randomKey.fractionCorrect = null;
      a.greedy.heldOutScore = null;
      a.greedy.fractionCorrect = null;
      a.greedy.trace = [{ step: 0, queries: 1, score: 0, keyFraction: 0 }];
      a.knownPlaintext.blocksNeeded = null;
      a.knownPlaintext.systemC = [{ blocks: 3, recovered: false, keyError: null, residual: null, heldOutResidual: null }];
      a.leakedModel.secondModel = null;
      a.ciphertextOnly.points = [
        { images: 1, flipFraction: 0.5, permutationFraction: 0, keyFraction: 0, keyRecovered: false, plainModelAccuracy: 0.4, seconds: 0 },
        { images: 5, flipFraction: 0.75, permutationFraction: 0, keyFraction: 0, keyRecovered: false, plainModelAccuracy: 0.4, seconds: 0 },
      ];
    });
    const h = headlines(r);
    expect(h.randomKey).toMatch(/No random key had more than 0\.0 % of the key right\.$/);
    expect(h.greedy).toBe('After 3 image queries (2 steps on 1 labelled images) the found key gives NaN % on held-out images (start NaN %, right key 87.5 %) with 0.0 % of the key right.');
    expect(h.knownPlaintext).toBe("One (plain, encrypted) image pair gives the exact key for 2 of 3 images. System C's Q falls to least squares from 4 block pairs (not within the blocks tried was the first count tried that recovered it).");
    expect(h.leakedModel).toBe("The encrypted model with the attacker's copy of the plain model: 100.0 % of the key; with noise 2× the weights' RMS still 62.5 %. No independently trained model was given.");
    expect(h.ciphertextOnly).toBe("From encrypted images alone: the flip vector exactly right with none of the 1, 5 encrypted images tried; the exact key at no count tried; the plain model reaches up to 40.0 % on the attacker's decryption (1 images seen; plain images 90.0 %).");
    // Partial keys without any distance: "undefined → NaN %" says so rather than failing.
    const p = headlines(report((x) => ((x.attacks.partialKey.swapDistance = []), (x.attacks.partialKey.flipDistance = []))));
    expect(p.partialKey).toBe('Accuracy falls smoothly with distance: swap distance undefined → NaN %, undefined → NaN %; flip distance undefined → NaN %. Right shuffle + wrong flips 15.0 %, wrong shuffle + right flips 12.0 %.');
  });
});

const ctx = { command: 'cipherpatch attack-report x', weightsPath: 'w.safetensors', keyPath: 'k.json', data: 'cifar', engine: 'stand-in', date: '2026-12-03' };

const MD = `# Security report: System A attacks

Model \`w.safetensors\` (ConvMixer-8/1, patch 2), key \`k.json\` (M = 2, key space 2^7.2), test data \`cifar\`.
Engine stand-in. 2026-12-03, 3 s. Command:

    cipherpatch attack-report x

Baseline on the 2 evaluation images: plain model 90.0 %, encrypted model with the right key 87.5 %, on plain images 10.0 %; always the most frequent label 12.5 %.
Images: evaluation 0–2, the attacker's plain reference 3–5, the attacker's labelled set 5–6 (test-set indices).

## Findings

| attack | finding | the paper |
|---|---|---|
| random keys | ${H.randomKey} | ${PAPER_CLAIMS.randomKey} |
| partial keys | ${H.partialKey} | ${PAPER_CLAIMS.partialKey} |
| greedy search | ${H.greedy} | ${PAPER_CLAIMS.greedy} |
| known plaintext | ${H.knownPlaintext} | ${PAPER_CLAIMS.knownPlaintext} |
| leaked model | ${H.leakedModel} | ${PAPER_CLAIMS.leakedModel} |
| ciphertext only | ${H.ciphertextOnly} | ${PAPER_CLAIMS.ciphertextOnly} |

## Random keys (Fig. 5)

![random keys](random-key.png)

3 keys (seed "r:i"): min 10.0 %, q1 12.5 %, median 15.0 %, q3 17.5 %, max 20.0 %. Paper: 12–20 %.

## Partial keys

![partial keys](partial-key.png)

| s | 1 | 4 |
|---|---|---|
| swap distance | 80.0 % | 30.0 % |
| flip distance | 70.0 % | 20.0 % |

Right shuffle, wrong flips 15.0 %; wrong shuffle, right flips 12.0 %; random keys 11.0 % (1 guesses per setting).

## Greedy key search

![greedy](greedy.png)

Objective accuracy on 1 labelled images, 2 proposals (a swap or a flip exchange), 1 accepted as improvements.

| queries | held-out accuracy | key fraction |
|---|---|---|
| 1 | 25.0 % | 0.500 |
| 3 | 50.0 % | 0.750 |

## Known plaintext

![known plaintext](known-plaintext.png)

System A, one image pair at a time over 3 images: exact key from 2.

| block pairs | 1 | 2 |
|---|---|---|
| mean key fraction | 0.500 | 0.750 |

System C (a seeded random orthogonal Q, p_b = 4), least squares on the first b block pairs, checked on the rest:

| b | recovered | max |Q̂ − Q| | held-out residual |
|---|---|---|---|
| 3 | no | under-determined | – |
| 4 | yes | 1.5e-15 | 2.5e-13 |

## Leaked model

![leaked model](leaked-model.png)

| noise × RMS | 0 | 2 |
|---|---|---|
| key fraction | 100.0 % | 62.5 % |

Independently trained plain model (m2; its own accuracy 85.0 %): key fraction 25.0 % (permutation entries 50.0 %, flip bits 75.0 %), mean matched |cosine| 0.457; the encrypted model with the recovered key 30.0 %. Matching the output-channel-free Gram matrices |EᵀE| instead gets 50.0 % of the permutation entries right.

## Ciphertext only

![ciphertext only](ciphertext-only.png)

| encrypted images | flip bits right | permutation right | exact key | plain model on the decryption |
|---|---|---|---|---|
| 1 | 50.0 % | 25.0 % | no | 20.0 % |
| 3 | 100.0 % | 100.0 % | yes | 90.0 % |

Reference statistics from 2 other plain test images; 1 local-search restarts.

## Files

\`report.json\` holds every number; one plot per attack as SVG and PNG.
`;

describe('report.md', () => {
  // The whole text, by hand. Kills the string and table mutants of attackReportMarkdown (:106–195).
  it('is the report, section by section', () => {
    expect(attackReportMarkdown(report(), ctx)).toBe(MD);
  });

  it('says when no second model was given', () => {
    const md = attackReportMarkdown(
      report((r) => (r.attacks.leakedModel.secondModel = null)),
      ctx,
    );
    expect(md).toContain('| key fraction | 100.0 % | 62.5 % |\n\nNo independently trained model was given (--second-model).\n');
  });
});

describe('plots', () => {
  // Each plot's series and options from the report's numbers (by hand). Kills attackPlots (:55–103).
  it('one plot per attack with its series, labels and references', () => {
    const p = attackPlots(report());
    expect([...p.keys()]).toEqual(['random-key', 'partial-key', 'greedy', 'known-plaintext', 'leaked-model', 'ciphertext-only']);
    const refs = [
      { label: 'right key', value: 0.875 },
      { label: 'most frequent label', value: 0.125 },
    ];
    const band = { label: 'paper: wrong keys 12–20 %', from: 0.12, to: 0.2 };
    expect(p.get('random-key')).toEqual({
      series: [
        { label: 'each random key', points: [{ x: 1, y: 0.1 }, { x: 2, y: 0.15 }, { x: 3, y: 0.2 }], markersOnly: true },
        { label: 'best so far', points: [{ x: 1, y: 0.1 }, { x: 2, y: 0.15 }, { x: 3, y: 0.2 }] },
      ],
      options: { title: 'Random keys (Fig. 5)', xLabel: 'random keys tried', yLabel: 'accuracy', yPercent: true, yMin: 0, references: refs, bands: [band] },
    });
    expect(p.get('partial-key')).toEqual({
      series: [
        { label: 'swap distance', points: [{ x: 1, y: 0.8 }, { x: 4, y: 0.3 }] },
        { label: 'flip distance', points: [{ x: 1, y: 0.7 }, { x: 4, y: 0.2 }] },
      ],
      options: { title: 'Partial keys: accuracy vs distance from the key', xLabel: 'key distance s (2s positions wrong)', yLabel: 'accuracy', yPercent: true, yMin: 0, references: [...refs, { label: 'random keys', value: 0.11 }], bands: [band] },
    });
    expect(p.get('greedy')).toEqual({
      series: [
        { label: 'held-out accuracy', points: [{ x: 1, y: 0.25 }, { x: 3, y: 0.5 }] },
        { label: 'key fraction right', points: [{ x: 1, y: 0.5 }, { x: 3, y: 0.75 }] },
      ],
      options: { title: 'Greedy key search', xLabel: 'image queries', yLabel: 'accuracy / key fraction', yPercent: true, yMin: 0, references: refs, bands: [band] },
    });
    expect(p.get('known-plaintext')).toEqual({
      series: [
        { label: 'System A: key fraction', points: [{ x: 1, y: 0.5 }, { x: 2, y: 0.75 }] },
        { label: 'System C: Q recovered', points: [{ x: 3, y: 0 }, { x: 4, y: 1 }] },
      ],
      options: { title: 'Known plaintext: key vs block pairs seen', xLabel: 'known block pairs', yLabel: 'key fraction recovered', xScale: 'log', yPercent: true, yMin: 0, yMax: 1 },
    });
    expect(p.get('leaked-model')).toEqual({
      series: [{ label: 'same model + noise', points: [{ x: 0, y: 1 }, { x: 2, y: 0.625 }] }],
      options: {
        title: 'Leaked model: key from patch embeddings',
        xLabel: "noise on the attacker's plain model (× weight RMS)",
        yLabel: 'key fraction recovered',
        yPercent: true,
        yMin: 0,
        yMax: 1,
        references: [
          { label: 'other model, columns', value: 0.25 },
          { label: 'other model, Gram', value: 0.5 },
          { label: 'chance 1/p_b', value: 0.25 },
        ],
      },
    });
    expect(p.get('ciphertext-only')).toEqual({
      series: [
        { label: 'flip bits right', points: [{ x: 1, y: 0.5 }, { x: 3, y: 1 }] },
        { label: 'permutation right', points: [{ x: 1, y: 0.25 }, { x: 3, y: 1 }] },
        { label: 'plain model on decryption', points: [{ x: 1, y: 0.2 }, { x: 3, y: 0.9 }] },
      ],
      options: { title: 'Ciphertext only: key vs images seen', xLabel: 'encrypted images seen', yLabel: 'fraction / accuracy', xScale: 'log', yPercent: true, yMin: 0, yMax: 1, references: [{ label: 'plain images', value: 0.9 }] },
    });
    // No second model: only chance; a trace point without held-out score plots NaN.
    const q = attackPlots(
      report((r) => {
        r.attacks.leakedModel.secondModel = null;
        r.attacks.greedy.trace = [{ step: 0, queries: 1, score: 0, keyFraction: 0 }];
      }),
    );
    expect(q.get('leaked-model')!.options.references).toEqual([{ label: 'chance 1/p_b', value: 0.25 }]);
    expect(q.get('greedy')!.series[0].points).toEqual([{ x: 1, y: Number.NaN }]);
  });
});

describe('report files', () => {
  // Kills :198–213: report.json (the report plus the context and headlines), report.md, an SVG and a PNG per plot;
  // writeAttackReport writes exactly those files.
  it('report.json, report.md and each plot as SVG and PNG, written as one directory', () => {
    const files = attackReportFiles(report(), ctx);
    const plots = ['random-key', 'partial-key', 'greedy', 'known-plaintext', 'leaked-model', 'ciphertext-only'];
    expect([...files.keys()]).toEqual(['report.json', 'report.md', ...plots.flatMap((n) => [`${n}.svg`, `${n}.png`])]);
    expect(files.get('report.md')).toBe(MD);
    const json = JSON.parse(files.get('report.json') as string);
    expect([json.command, json.weights, json.keyFile, json.data, json.engine, json.date]).toEqual(['cipherpatch attack-report x', 'w.safetensors', 'k.json', 'cifar', 'stand-in', '2026-12-03']);
    expect(json.headlines).toEqual(H);
    expect(json.attacks.randomKey.summary.median).toBe(0.15);
    for (const n of plots) {
      const svg = files.get(`${n}.svg`) as string;
      expect(svg).toMatch(/^<svg/);
      expect(new TextDecoder().decode(files.get(`${n}.png`) as Uint8Array)).toBe(`png of ${svg.length}`);
    }
    const dir = join(mkdtempSync(join(tmpdir(), 'report-units-')), 'out');
    const names = writeAttackReport(dir, report(), ctx);
    expect(names).toEqual([...files.keys()]);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.')).sort()).toEqual([...names].sort());
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(MD);
    expect(() => writeAttackReport(dir, report(), ctx)).toThrow();
    expect(writeAttackReport(dir, report(), ctx, { overwrite: true })).toEqual(names);
  });
});
