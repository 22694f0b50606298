/**
 * A run report with every section, as a sweep over hand-drawn 8×8 digits would give it: for rendering tests that
 * need no stack. Deterministic; names hold markup on purpose, to check escaping.
 */
import { analyzeLrRangeTest } from '../../core/lr/rangeTest.js';
import { oneCycle } from '../../core/schedule/oneCycle.js';
import type { ReportData, Sample, SampleView, SweepTrial } from '../../core/report/types.js';

// '#' full ink (16, as in the digits data set), '+' half ink, '.' paper.
const PATTERNS: string[][] = [
  ['..####..', '.#....#.', '#......#', '#......#', '#......#', '#......#', '.#....#.', '..####..'],
  ['...##...', '..###...', '.#.##...', '...##...', '...##...', '...##...', '...##...', '.######.'],
  ['.#####..', '#.....#.', '......#.', '.....#..', '...##...', '..#.....', '.#......', '#######.'],
  ['.#####..', '......#.', '......#.', '..####..', '......#.', '......#.', '......#.', '.#####..'],
  ['....##..', '...###..', '..#.##..', '.#..##..', '########', '....##..', '....##..', '....##..'],
];

/** Row-major pixels of a pattern, shifted right by `shift` and drawn with `ink`. */
function pixels(rows: string[], shift = 0, ink = 16): number[] {
  const out: number[] = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
    const char = rows[r]?.[c - shift] ?? '.';
    out.push(char === '#' ? ink : char === '+' ? ink / 2 : 0);
  }
  return out;
}

export const FIXTURE_CLASSES = ['zero', 'one', 'two', 'three', '<b>four</b>'];

/** Row r: class r % 5, drawn plain, shifted or faint. */
export function fixtureSample(row: number, label: number | null = row % 5): Sample {
  const variant = Math.floor(row / 5) % 3;
  return { row, label, features: pixels(PATTERNS[row % 5]!, variant === 1 ? 1 : 0, variant === 2 ? 9 : 16) };
}

const view: SampleView = { columns: Array.from({ length: 64 }, (_, i) => `p${i}`), image: { width: 8, height: 8, maxValue: 16 } };

function lrFind(): ReportData['lrFind'] {
  // A loss that falls from 2.3 around lr 1e-2…1e-1 and blows up past 1.
  const points = Array.from({ length: 100 }, (_, i) => {
    const lr = 1e-6 * 10 ** (7 * (i / 99));
    const x = Math.log10(lr);
    const loss = 0.3 + 2 / (1 + Math.exp(3 * (x + 1.5))) + (x > 0 ? 4 * x * x : 0) + 0.02 * Math.sin(i * 1.7);
    return { lr, loss };
  });
  const analysis = analyzeLrRangeTest(points, { numIt: 100 });
  return {
    points: points.map(({ lr, loss }, i) => ({ lr, loss: i === 99 ? null : loss })),
    curve: analysis.curve,
    suggestions: analysis.suggestions,
    policy: 'steep',
    chosen: analysis.suggestions.steep ?? 0.1,
    source: 'range_test',
    trustworthy: analysis.trustworthy,
    reasons: analysis.reasons,
  };
}

function schedule(maxLr: number): ReportData['schedule'] {
  const options = { pctStart: 0.3, annealStrategy: 'cos' as const, divFactor: 25, finalDivFactor: 1e4, threePhase: false, cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95 };
  const cycle = oneCycle({ maxLr, epochs: 6, stepsPerEpoch: 20, ...options });
  return {
    maxLr,
    epochs: 6,
    stepsPerEpoch: 20,
    totalSteps: 120,
    options,
    points: cycle.lr.map((lr, step) => ({ step, lr, momentum: cycle.momentum[step] ?? null })),
    of: 'trial 2, the best',
  };
}

function trials(): SweepTrial[] {
  const configs: Array<[number, number, string]> = [
    [0.3, 64, 'completed'],
    [1.2, 128, 'completed'],
    [0.8, 256, 'completed'],
    [0.02, 32, 'stopped'],
    [2.9, 32, 'stopped'],
    [0.5, 64, 'failed'],
  ];
  return configs.map(([lrFactor, hidden, status], trial) => {
    const quality = status === 'completed' ? 0.9 + 0.02 * trial : 0.3 + 0.1 * trial;
    const epochsRun = status === 'completed' ? 9 : status === 'stopped' ? 3 : 1;
    return {
      trial,
      status,
      config: { hidden, lrFactor },
      maxLr: 0.45 * lrFactor,
      epochs: 9,
      epochsRun,
      batchSize: 64,
      objective: status === 'completed' ? quality - 0.4 / 9 : null,
      ...(status === 'stopped' ? { stopReason: `rung at epoch 3: val_accuracy below the cutoff of ${trial} trials` } : {}),
      ...(status === 'failed' ? { error: 'job failed: OOMKilled <twice>' } : {}),
      decisions: [
        { epoch: 1, milestone: 1, action: 'continue', reason: 'rung at epoch 1: not worse than the cutoff', value: quality - 0.4, threshold: 0.4 },
        ...(status === 'stopped' ? [{ epoch: 3, milestone: 3, action: 'stop', reason: 'rung at epoch 3: below the cutoff 0.83', value: quality - 0.1, threshold: 0.83 }] : []),
        ...(status === 'completed' ? [{ epoch: 9, action: 'stop', reason: 'reached maxResource (9 epochs)', value: quality, complete: true }] : []),
      ],
      gpuSeconds: 12.5 * epochsRun,
      launches: status === 'failed' ? 3 : 1,
    };
  });
}

/** A chain: a locator whose predicted cell a reader reads (the column name holds markup, to check escaping). */
export function modelsFixture(): NonNullable<ReportData['models']> {
  return {
    handoff: 'oof',
    confidence: 0.95,
    models: [
      { name: 'locator', labelColumn: 'cell', input: null, testAccuracy: 0.9284, outOfFoldAccuracy: 0.9171, oracleAccuracy: null, handoff: null },
      { name: 'reader', labelColumn: 'digit', input: { from: 'locator', as: 'cell <pred>' }, testAccuracy: 0.9111, outOfFoldAccuracy: null, oracleAccuracy: 0.9654, handoff: { counts: { outOfFold: 1890, final: 810, label: 0 }, outOfFoldChecked: 1890 } },
    ],
    attribution: [{ upstream: 'locator', downstream: 'reader', n: 405, correct: 369, stage1: 27, stage2: 9, accuracy: { estimate: 369 / 405, low: 0.8797, high: 0.9351 }, upperBound: 0.9654 }],
  };
}

export function reportFixture(): ReportData {
  const classes = FIXTURE_CLASSES;
  const rows = Array.from({ length: 60 }, (_, row) => fixtureSample(row));
  const lr = lrFind()!;
  const confusion = [
    [11, 0, 0, 1, 0],
    [0, 12, 0, 0, 0],
    [1, 0, 10, 1, 0],
    [0, 0, 2, 9, 1],
    [0, 1, 0, 0, 11],
  ];
  return {
    generatedAt: '2026-11-26T13:00:00Z',
    run: {
      runId: 'digits-sweep-20261126T124500Z',
      pipeline: 'digits-sweep',
      description: 'A fixture: <script>alert("x")</script> & friends',
      status: 'succeeded',
      startedAt: '2026-11-26T12:45:00Z',
      finishedAt: '2026-11-26T12:52:31Z',
      specFile: 'examples/digits/sweep.yaml',
      spec: [
        ['data', 'sklearn:digits · label column label · valid 15% · test 15%'],
        ['sweep', 'tpe over lrFactor, hidden · 6 trials · early stopping asha'],
      ],
      code: { gauntlet: '0.1.0', gitCommit: '8cc80cc30dd5fcd172c6a2d0bf1a42542c624f56', gitDirty: false },
      metrics: { test_accuracy: 0.8833, test_loss: 0.3412, val_accuracy: 0.9, oracle_final_accuracy: 1, human_ceiling_accuracy: 0.94, sweep_trials: 6 },
      goal: { metric: 'accuracy', min: 0.85, met: true, value: 0.8833 },
      manifestUri: 's3://gauntlet/runs/digits-sweep-20261126T124500Z/manifest.json',
    },
    notes: ['sweep: page 3 of the trial table is missing <page-00003.json>'],
    data: {
      source: 'sklearn:digits',
      sha256: 'd7ff1341011182b7af3733b201a919cea2ffe00f25ff23ba48c5e791daffb498',
      rows: 60,
      classes,
      view,
      classCounts: [12, 12, 12, 12, 12],
      samples: rows.filter((_, i) => i % 4 === 0),
      examples: classes.map((_, label) => ({ label, samples: rows.filter((s) => s.label === label).slice(0, 6) })),
      checks: [
        {
          name: 'duplicates',
          verdict: 'fail',
          message: '2 near-duplicate pairs across splits: leakage between train and test',
          details: {
            nearThreshold: 0.05,
            counts: { exact: { across: 1, within: 0 }, near: { across: 1, within: 0 } },
            // core/data/checks/duplicates.ts lists pairs as rows: [a, b]; {a, b} is read too.
            pairs: [
              { kind: 'near', place: 'across', rows: [0, 15], lines: [2, 17], splits: ['train', 'test'], distance: 0.031 },
              { kind: 'exact', place: 'across', rows: [3, 18], lines: [5, 20], splits: ['valid', 'train'], distance: 0 },
              { a: 7, b: 9999 },
            ],
          },
          samples: [rows[0]!, rows[15]!, rows[3]!, rows[18]!, rows[7]!],
        },
        {
          name: 'leakage',
          verdict: 'warn',
          message: 'column <id> predicts the label with validation accuracy 0.97 (class prior 0.20)',
          details: {
            prior: 0.2,
            maxSingleFeatureAccuracy: 0.95,
            suspects: [{ column: '<id>', accuracy: 0.97, errorReduction: 0.9625, nmi: 0.91, nmiAboveChance: 0.9 }, { column: 'p12', score: 0.41 }],
            top: [{ column: 'p12', accuracy: 0.41, errorReduction: 0.26 }],
          },
        },
        { name: 'schema', verdict: 'pass', message: 'every column is a finite number', details: { constantColumns: ['p0', 'p7'], rows: 60 } },
      ],
    },
    labeling: {
      classes,
      items: 60,
      labeled: 59,
      unlabeled: 1,
      doubleLabeled: 20,
      settlements: { single: 40, agreed: 15, 'third-annotator': 4, dropped: 1 },
      agreement: {
        items: 20,
        percentAgreement: 0.75,
        krippendorffAlpha: 0.71,
        fleissKappa: 0.7,
        cohenKappa: [
          { a: 'careful', b: 'sloppy', n: 12, kappa: 0.64 },
          { a: 'careful', b: 'alice <admin>', n: 8, kappa: 1 },
        ],
      },
      humanCeiling: {
        accuracy: 0.94,
        annotators: [
          { annotator: 'careful', n: 20, correct: 19, accuracy: 0.95 },
          { annotator: 'sloppy', n: 12, correct: 9, accuracy: 0.75 },
        ],
      },
      gate: { gate: 'agreement', passed: true, explanation: 'labels agree: krippendorffAlpha 0.710 ≥ 0.6' },
      view,
      disputed: [4, 9, 21, 33, 44].map((item, i) => ({
        item,
        sample: fixtureSample(item),
        label: i === 4 ? null : classes[item % 5]!,
        settlement: i === 4 ? 'dropped' : 'third-annotator',
        ratings: [
          { annotator: 'careful', label: classes[item % 5]!, batch: 2, role: 'copy' },
          { annotator: 'sloppy', label: classes[(item + 1) % 5]!, batch: 7, role: 'copy' },
          ...(i === 4 ? [] : [{ annotator: 'alice <admin>', label: classes[item % 5]!, batch: 12, role: 'adjudication' }]),
        ],
      })),
      disputedTotal: 5,
    },
    splits: {
      classes,
      seed: 0,
      stratify: true,
      splits: [
        { name: 'train', size: 42, classCounts: [8, 9, 8, 9, 8], groups: 14 },
        { name: 'valid', size: 9, classCounts: [2, 2, 2, 1, 2], groups: 3 },
        { name: 'test', size: 9, classCounts: [2, 1, 2, 2, 2], groups: 3 },
      ],
      groupColumn: 'writer',
      straddlingGroups: 0,
      checks: [{ name: 'splits', verdict: 'pass', message: 'valid and test look alike: label chi-square p 0.91, no feature differs (KS, Bonferroni α 0.01)', details: { labelP: 0.91, worstFeature: 'p27', worstP: 0.08 } }],
    },
    gates: {
      dataChecks: [{ name: 'duplicates', verdict: 'fail' }, { name: 'leakage', verdict: 'warn' }],
      verdicts: [
        { gate: 'oracle', passed: true, explanation: 'oracle upper bound: a perfect model reaches final accuracy 1.0000 on test', value: 1 },
        { gate: 'overfit', passed: true, explanation: 'overfit gate passed: loss 0.0491 < 0.05 after 64 steps on one batch of 32', value: 0.0491 },
      ],
      oracle: { bound: 1, split: 'test', goalMin: 0.85 },
      overfit: { curve: Array.from({ length: 64 }, (_, step) => (step === 20 ? null : 2.3 * Math.exp(-step / 15) + 0.02)), lossThreshold: 0.05, batchSize: 32, maxSteps: 300, passed: true },
    },
    lrFind: lr,
    schedule: schedule(lr.chosen),
    curves: {
      main: {
        name: 'Trial 2, the best',
        epochs: Array.from({ length: 9 }, (_, e) => ({ epoch: e + 1, metrics: { train_loss: 2 / (e + 1.5), val_loss: 1.8 / (e + 1.4) + 0.05 * e * 0.1, val_accuracy: 0.95 - 0.4 / (e + 1), epochs: e + 1 } })),
      },
      trials: trials().map((t) => ({ trial: t.trial, status: t.status, curve: Array.from({ length: t.epochsRun }, (_, e) => (t.status === 'stopped' && e === 1 ? null : (t.objective ?? 0.5) - 0.3 / (e + 1))), best: t.trial === 2 })),
      objective: { metric: 'val_accuracy', direction: 'maximize' },
    },
    sweep: {
      objective: { metric: 'val_accuracy', direction: 'maximize' },
      strategy: 'tpe · at most 6 trials',
      earlyStopping: 'asha (gracePeriod 1, reductionFactor 3)',
      counts: { trials: 6, completed: 3, stopped: 2, failed: 1 },
      stoppedBecause: 'completed',
      endReason: 'budget.maxTrials (6) reached',
      bestTrial: 2,
      parameters: [
        { name: 'lrFactor', scale: 'log' },
        { name: 'hidden', scale: 'categorical' },
      ],
      trials: trials(),
    },
    models: modelsFixture(),
    evaluation: {
      split: 'test',
      metrics: { accuracy: 0.8833, loss: 0.3412, n: 60, auc: 0.97 },
      classes,
      confusion,
      view,
      misclassified: [
        { sample: fixtureSample(3, 0), predicted: 3, confidence: 0.91, trueProbability: 0.05 },
        { sample: fixtureSample(12, 2), predicted: 0, confidence: 0.62, trueProbability: 0.3 },
        { sample: fixtureSample(23, 3), predicted: 2, confidence: null, trueProbability: null },
      ],
      misclassifiedTotal: 7,
      humanCeiling: 0.94,
    },
  };
}
