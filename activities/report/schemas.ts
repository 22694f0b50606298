/**
 * What the report reads from the store, as zod schemas of only the fields it uses. Loose objects: a manifest or
 * artifact written by a newer version (more fields) still reads; a missing or mistyped field the report needs fails
 * with the path named, and that section is left out with a note.
 */
import { z } from 'zod';

const Num = z.number();
const NullableNum = z.number().nullable();
const Metrics = z.record(z.string(), NullableNum);
const Scalar = z.union([z.number(), z.string(), z.boolean()]);

export const ImageViewSpec = z.looseObject({ kind: z.literal('image'), width: z.number().int().positive(), height: z.number().int().positive(), maxValue: z.number().positive() });

const OneCycleSpec = z.looseObject({
  kind: z.literal('one_cycle'),
  maxLr: Num.optional(),
  pctStart: Num,
  annealStrategy: z.enum(['cos', 'linear']),
  divFactor: Num,
  finalDivFactor: Num,
  threePhase: z.boolean(),
  cycleMomentum: z.boolean(),
  baseMomentum: Num,
  maxMomentum: Num,
});
export type OneCycleSpec = z.infer<typeof OneCycleSpec>;

/** The stored spec (defaults already applied by the pipeline's schema). */
export const SpecView = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  executor: z.string().optional(),
  data: z.looseObject({
    source: z.string(),
    labelColumn: z.string(),
    ignoreColumns: z.array(z.string()).default([]),
    /** `groupColumn`: rows of one group (a patient, a source) stay in one split; not every version of the spec has it. */
    split: z.looseObject({ kind: z.string(), valid: Num, test: Num, seed: Num, stratify: z.boolean(), groupColumn: z.string() }).partial().optional(),
  }),
  trainer: z.looseObject({ kind: z.string(), device: z.string().optional() }).optional(),
  label: z
    .looseObject({
      classes: z.array(z.string()).optional(),
      batchSize: Num.optional(),
      annotators: z.array(z.looseObject({ name: z.string(), kind: z.string() })).default([]),
      overlap: z.looseObject({ fraction: Num.optional(), min: Num.optional() }).optional(),
      adjudicate: z.string().optional(),
      gate: z.looseObject({ metric: z.string(), min: Num }).optional(),
      view: z.union([ImageViewSpec, z.looseObject({ kind: z.literal('table') })]).optional(),
    })
    .optional(),
  train: z.looseObject({
    epochs: Num,
    batchSize: Num,
    hyperparameters: z.record(z.string(), Scalar).default({}),
    schedule: z.union([OneCycleSpec, z.looseObject({ kind: z.literal('constant'), lr: Num })]),
    lrFind: z.looseObject({ startLr: Num, endLr: Num, numSteps: Num, divergeFactor: Num, policy: z.string() }).optional(),
  }),
  gates: z
    .looseObject({
      overfit: z.looseObject({ enabled: z.boolean(), batchSize: Num, lossThreshold: Num, maxSteps: Num }).optional(),
      oracle: z.looseObject({ enabled: z.boolean() }).optional(),
    })
    .optional(),
  sweep: z
    .looseObject({
      space: z.record(z.string(), z.unknown()),
      strategy: z.looseObject({ kind: z.string() }),
      earlyStopping: z.looseObject({ kind: z.string() }),
      budget: z.looseObject({ maxTrials: Num }).optional(),
      objective: z.looseObject({ metric: z.string(), direction: z.enum(['maximize', 'minimize']) }),
    })
    .optional(),
  evaluate: z.looseObject({ split: z.enum(['train', 'valid', 'test']), metric: z.string(), output: z.looseObject({ targetColumn: z.string().optional() }).optional() }),
  goal: z.looseObject({ metric: z.string(), min: Num.optional(), max: Num.optional() }).optional(),
});
export type SpecView = z.infer<typeof SpecView>;

export const GateVerdict = z.looseObject({
  gate: z.string(),
  passed: z.boolean(),
  explanation: z.string(),
  value: Num.optional(),
  evidenceUri: z.string().optional(),
});

export const LrDecision = z.looseObject({
  source: z.enum(['fixed', 'range_test', 'fallback']),
  // NaN (an untrusted curve with no fallback) is written as null.
  maxLr: NullableNum,
  policy: z.string().optional(),
  suggestions: z.looseObject({ valley: NullableNum, steep: NullableNum, minimum: NullableNum, slide: NullableNum }).optional(),
  trustworthy: z.boolean().optional(),
  reasons: z.array(z.string()).optional(),
  curveUri: z.string().optional(),
});

/** A data check's result (core/data/check.ts CheckResult), if the manifest records any. */
export const CheckResultView = z.looseObject({
  name: z.string(),
  verdict: z.enum(['pass', 'warn', 'fail']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
});

export const LabelingSummaryView = z.looseObject({
  items: Num,
  labeled: Num,
  unlabeled: Num,
  doubleLabeled: Num,
  settlements: z.record(z.string(), Num),
  agreement: z
    .looseObject({
      items: Num,
      percentAgreement: NullableNum,
      krippendorffAlpha: NullableNum,
      fleissKappa: NullableNum,
      cohenKappa: z.array(z.looseObject({ a: z.string(), b: z.string(), n: Num, kappa: NullableNum })),
    })
    .nullable(),
  humanCeiling: z.looseObject({
    accuracy: NullableNum,
    annotators: z.array(z.looseObject({ annotator: z.string(), n: Num, correct: Num, accuracy: NullableNum })),
  }),
});

export const Manifest = z.looseObject({
  runId: z.string(),
  pipeline: z.string(),
  /** Not written today (a manifest means the run reached its record stage); read when a later version records it. */
  status: z.string().optional(),
  specFile: z.string().nullable().optional(),
  spec: z.unknown(),
  /** `snapshot`: parsed by the data section (SnapshotView), so a malformed one costs a note, not the report. */
  data: z.looseObject({ source: z.string(), sha256: z.string(), rows: Num, classes: z.array(z.string()), snapshot: z.unknown().optional() }),
  code: z.looseObject({ gauntlet: z.string(), gitCommit: z.string().nullable(), gitDirty: z.boolean().nullable() }).optional(),
  metrics: Metrics,
  goalMet: z.boolean().nullable().optional(),
  gates: z.array(GateVerdict).default([]),
  lrFinder: LrDecision.nullable().optional(),
  sweep: z
    .looseObject({
      trials: Num,
      completed: Num,
      stopped: Num,
      failed: Num,
      best: z.looseObject({ trial: Num, checkpoint: z.string().optional() }).nullable(),
      tableUri: z.string().nullable(),
      stoppedBecause: z.string(),
      endReason: z.string(),
    })
    .nullable()
    .optional(),
  labeling: z
    .looseObject({ provenanceUri: z.string(), classes: z.array(z.string()), sourceData: z.looseObject({ uri: z.string() }), summary: z.unknown() })
    .nullable()
    .optional(),
  checks: z.unknown().optional(),
  /** A chain of models; parsed by its own section (ModelsView), so a malformed one costs that section only. */
  models: z.unknown().optional(),
  artifacts: z.record(z.string(), z.string()),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type Manifest = z.infer<typeof Manifest>;

/** `data.snapshot` of a run whose source is a folder of dated files. */
export const SnapshotView = z.looseObject({ name: z.string(), location: z.string() });

/** The manifest's `models` (workflows/modelsPipeline.ts): per model its metrics and hand-off, per hand-off the attribution. */
export const ModelsView = z.looseObject({
  handoff: z.string(),
  results: z.record(
    z.string(),
    z.looseObject({
      metrics: Metrics.default({}),
      outOfFold: z.looseObject({ accuracy: NullableNum }).nullable().optional(),
      handoff: z.looseObject({ counts: z.record(z.string(), Num), outOfFoldChecked: Num }).nullable().optional(),
    }),
  ),
  attribution: z
    .array(
      z.looseObject({
        upstream: z.string(),
        downstream: z.string(),
        n: Num,
        correct: Num,
        stage1: Num,
        stage2: Num,
        accuracy: z.looseObject({ estimate: Num, low: Num, high: Num }),
      }),
    )
    .default([]),
});
export type ModelsView = z.infer<typeof ModelsView>;

/** The stored spec's chain (core/twostage/spec.ts, defaults applied) and the confidence of its intervals. */
export const ChainSpecView = z.looseObject({
  models: z
    .record(z.string(), z.looseObject({ labelColumn: z.string(), inputs: z.looseObject({ from: z.string().optional(), as: z.string().optional() }).optional() }))
    .optional(),
  handoff: z.string().optional(),
  crossFit: z.looseObject({ folds: Num.optional() }).optional(),
  evaluate: z.looseObject({ confidence: Num.optional() }).optional(),
});
export type ChainSpecView = z.infer<typeof ChainSpecView>;

export const SplitManifest = z.looseObject({ train: z.array(z.number().int()), valid: z.array(z.number().int()), test: z.array(z.number().int()) });
export type SplitManifest = z.infer<typeof SplitManifest>;

/** result.json of a job, as far as the report reads it (core/spec/job.ts JobResult). */
export const JobResultView = z.looseObject({
  mode: z.string(),
  status: z.string(),
  metrics: Metrics,
  artifacts: z.record(z.string(), z.string()).default({}),
  details: z.record(z.string(), z.unknown()).default({}),
});

export const OverfitDetails = z.looseObject({
  passed: z.boolean(),
  batchSize: Num,
  lossThreshold: Num,
  maxSteps: Num,
  curve: z.array(NullableNum).optional(),
});

/** lr_curve.json: the range test's raw points; a non-finite loss is written as null. */
export const LrCurve = z.array(z.looseObject({ lr: z.number().positive(), loss: NullableNum }));

export const Predictions = z.array(
  z.looseObject({
    row: z.number().int().min(0),
    label: z.number().int().nullable().optional(),
    prediction: z.number().int(),
    probabilities: z.array(z.number()).optional(),
  }),
);

export const ConfusionMatrix = z.array(z.array(z.number().int().min(0)));

export const Provenance = z.looseObject({
  items: z.array(
    z.looseObject({
      item: z.number().int().min(0),
      label: z.string().nullable(),
      settlement: z.string(),
      doubleLabeled: z.boolean().optional(),
      ratings: z.array(z.looseObject({ annotator: z.string(), label: z.string(), batch: Num, role: z.string() })),
    }),
  ),
});

export const TrialRecordView = z.looseObject({
  trial: z.number().int().min(0),
  config: z.record(z.string(), Scalar),
  status: z.string(),
  maxLr: NullableNum,
  epochs: Num,
  batchSize: Num,
  curve: z.array(NullableNum),
  objective: NullableNum,
  stopReason: z.string().optional(),
  error: z.string().optional(),
  decisions: z
    .array(
      z.looseObject({
        epoch: Num,
        action: z.string(),
        reason: z.string(),
        value: NullableNum,
        milestone: Num.optional(),
        threshold: NullableNum.optional(),
        complete: z.boolean().optional(),
      }),
    )
    .default([]),
  gpuSeconds: Num.default(0),
  launches: Num.default(1),
  checkpoint: z.string().optional(),
});
export type TrialRecordView = z.infer<typeof TrialRecordView>;
