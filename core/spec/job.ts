/**
 * Job contract v1: what an executor hands a trainer, what the trainer prints while it runs, and what it leaves behind.
 *
 * In:  one JSON document, in env `GAUNTLET_JOB` or in the file named by `GAUNTLET_JOB_FILE`.
 *      Storage credentials come from the environment only (`GAUNTLET_STORAGE_*`), never from this document.
 * Out: JSON lines on stdout (progress events), the same events in `<output.prefix>events.jsonl`,
 *      and `<output.prefix>result.json` — the source of truth.
 * Exit: 0 success; 2 bad input (do not retry); anything else is retryable (resume from the last checkpoint).
 *
 * Pure zod, no I/O: workflows and the CLI import it.
 */
import { z } from 'zod';

export const JOB_CONTRACT_VERSION = 'gauntlet.job/v1';

/** Exit codes a trainer uses; every other non-zero code means "retryable". */
export const JobExitCode = {
  Success: 0,
  BadInput: 2,
  /** Storage stayed unreachable past the trainer's retry window: an outage, retried without counting (EX_TEMPFAIL). */
  InfrastructureUnavailable: 75,
} as const;
export type JobExitCode = (typeof JobExitCode)[keyof typeof JobExitCode];

/**
 * What a job does. `inspect` trains nothing: it reports the tensors the model would really see for `split` (after the
 * trainer's own preprocessing, with `hyperparameters` applied, or job.checkpoint's when given; split `train` in the
 * order and label pairing of the first training epoch) as `<output.prefix>inspect.json`, artifact `inspection`:
 * `{split, rows, order, preprocessing, features: [{name, mean, std, min, max, nan, inf}], constantShare,
 * labels: {counts, missing}, classMeans: {<class>: number[]}, sample: [{row, label, input}] (≤ 16)}`, with metrics
 * `rows`, `features`, `nan`, `inf`, `constant_share`, `median_std` (core/data/preprocessing.ts compares it with the
 * raw CSV). `split` defaults to `valid` for every mode: an inspect job for the preprocessing check sets `train`.
 */
export const JobMode = z.enum(['lr_range_test', 'train', 'overfit_check', 'evaluate', 'predict', 'inspect', 'label']);
export type JobMode = z.infer<typeof JobMode>;

/** `s3://bucket/key` — the only way artifacts travel between stages. */
export const S3Uri = z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S*$/, 'must be an s3://bucket/key URI');
/** An output prefix: an s3 URI ending in `/` (a regex, not a refine, so the JSON Schema carries it too). */
export const S3Prefix = S3Uri.regex(/\/$/, 'an output prefix must end with "/"');

export const SplitName = z.enum(['train', 'valid', 'test']);
export type SplitName = z.infer<typeof SplitName>;

/** Parameters of PyTorch's OneCycleLR; defaults are PyTorch's. */
export const OneCycleSchedule = z.strictObject({
  kind: z.literal('one_cycle'),
  maxLr: z.number().positive(),
  pctStart: z.number().gt(0).lt(1).default(0.3),
  annealStrategy: z.enum(['cos', 'linear']).default('cos'),
  divFactor: z.number().positive().default(25),
  finalDivFactor: z.number().positive().default(1e4),
  threePhase: z.boolean().default(false),
  cycleMomentum: z.boolean().default(true),
  baseMomentum: z.number().min(0).max(1).default(0.85),
  maxMomentum: z.number().min(0).max(1).default(0.95),
});
export const ConstantSchedule = z.strictObject({
  kind: z.literal('constant'),
  lr: z.number().positive(),
});
/** Exponential LR ramp used by `lr_range_test`. */
export const RangeTestSchedule = z.strictObject({
  kind: z.literal('range_test'),
  startLr: z.number().positive().default(1e-7),
  endLr: z.number().positive().default(10),
  numSteps: z.number().int().min(5).default(100),
  divergeFactor: z.number().gt(1).default(4),
});
export const Schedule = z.discriminatedUnion('kind', [OneCycleSchedule, ConstantSchedule, RangeTestSchedule]);
export type Schedule = z.infer<typeof Schedule>;

export const JobData = z.strictObject({
  /** Content-hashed data set (CSV, label column named by `labelColumn`). */
  uri: S3Uri,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.literal('csv').default('csv'),
  labelColumn: z.string().min(1).default('label'),
  /** JSON `{train: number[], valid: number[], test: number[]}` of row indices. */
  splitUri: S3Uri,
  numClasses: z.number().int().min(2),
  /** Columns that are neither features nor the label (e.g. the true final output an oracle check reads). */
  ignoreColumns: z.array(z.string().min(1)).default([]),
});

export const HyperparameterValue = z.union([z.number(), z.string(), z.boolean()]);
export const Hyperparameters = z.record(z.string(), HyperparameterValue);

export const Job = z.strictObject({
  contract: z.literal(JOB_CONTRACT_VERSION),
  /** Stable across retries of one activity: derived from the workflow and activity, never the attempt. */
  jobId: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label'),
  mode: JobMode,
  seed: z.number().int().min(0),
  data: JobData,
  /** Where checkpoints, events.jsonl and result.json go. */
  output: z.strictObject({ prefix: S3Prefix }),
  hyperparameters: Hyperparameters.default({}),
  epochs: z.number().int().min(1).default(1),
  batchSize: z.number().int().min(1).default(64),
  schedule: Schedule.optional(),
  /** Checkpoint to resume from (train) or to load (evaluate / predict; inspect: its preprocessing). */
  checkpoint: S3Uri.nullable().default(null),
  /** Split to evaluate / predict / inspect on. */
  split: SplitName.default('valid'),
  /** overfit_check: batch size of the fixed batch, loss threshold and step budget. */
  overfit: z
    .strictObject({
      batchSize: z.number().int().min(1).default(32),
      lossThreshold: z.number().positive().default(0.05),
      maxSteps: z.number().int().min(1).default(300),
    })
    .optional(),
  /**
   * label: the batch to label. The batch file is JSON `{"batch": n, "items": [row indices of data.uri]}`; the job writes
   * `<output.prefix>labels.json` = `{"annotator", "batch", "labels": [{"item": row, "label": class name}]}` and names
   * it as the `labels` artifact of result.json.
   */
  label: z
    .strictObject({
      batchUri: S3Uri,
      batch: z.number().int().min(0),
      annotator: z.string().min(1),
      /** Class names; index i is class i of data.labelColumn. */
      classes: z.array(z.string().min(1)).min(2),
    })
    .optional(),
  /** Device preference; `auto` picks CUDA when present. */
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
})
  // A label job without its batch is one the trainer rejects (exit 2): refuse it here, before it is scheduled.
  .superRefine((job, ctx) => {
    if (job.mode === 'label' && job.label === undefined) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: "mode 'label' needs the label block {batchUri, batch, annotator, classes}" });
    }
  })
  // The same rule for core/spec/job.schema.json: zod cannot translate a refinement, so it travels as metadata.
  .meta({
    title: `Gauntlet job contract (${JOB_CONTRACT_VERSION})`,
    if: { properties: { mode: { const: 'label' } }, required: ['mode'] },
    then: { required: ['label'] },
  });
export type Job = z.infer<typeof Job>;
export type JobInput = z.input<typeof Job>;

// ---- progress events (stdout JSON lines, one object per line) ----

const EventBase = { time: z.string().optional() };
export const MetricEvent = z.strictObject({
  ...EventBase,
  event: z.literal('metric'),
  name: z.string().min(1),
  value: z.number().nullable(),
  step: z.number().int().min(0).optional(),
  epoch: z.number().int().min(0).optional(),
  split: SplitName.optional(),
});
export const LrPointEvent = z.strictObject({
  ...EventBase,
  event: z.literal('lr_point'),
  step: z.number().int().min(0),
  lr: z.number(),
  loss: z.number().nullable(),
});
export const CheckpointEvent = z.strictObject({
  ...EventBase,
  event: z.literal('checkpoint'),
  uri: S3Uri,
  epoch: z.number().int().min(0),
  step: z.number().int().min(0).optional(),
});
export const LogEvent = z.strictObject({
  ...EventBase,
  event: z.literal('log'),
  level: z.enum(['debug', 'info', 'warning', 'error']).default('info'),
  message: z.string(),
});
export const ProgressEvent = z.discriminatedUnion('event', [MetricEvent, LrPointEvent, CheckpointEvent, LogEvent]);
export type ProgressEvent = z.infer<typeof ProgressEvent>;

// ---- result.json ----

export const JobResult = z.strictObject({
  contract: z.literal(JOB_CONTRACT_VERSION),
  jobId: z.string(),
  mode: JobMode,
  status: z.enum(['succeeded', 'failed']),
  /** Final scalar metrics (e.g. `accuracy`, `loss`). */
  metrics: z.record(z.string(), z.number().nullable()),
  /** Artifact name → s3 URI (e.g. `checkpoint`, `curve`, `confusion_matrix`, `predictions`). */
  artifacts: z.record(z.string(), S3Uri),
  /** Small structured extras (e.g. the confusion matrix, the passed flag of an overfit check). */
  details: z.record(z.string(), z.unknown()).default({}),
  device: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  trainer: z.strictObject({ name: z.string(), version: z.string() }),
  /** Epoch the run resumed from, when it did. */
  resumedFromEpoch: z.number().int().min(0).nullable().default(null),
});
export type JobResult = z.infer<typeof JobResult>;

/** Environment variables a trainer reads. Values never appear in the job document or a workflow history. */
export const TRAINER_ENV = {
  job: 'GAUNTLET_JOB',
  jobFile: 'GAUNTLET_JOB_FILE',
  storageEndpoint: 'GAUNTLET_STORAGE_ENDPOINT',
  storageAccessKey: 'GAUNTLET_STORAGE_ACCESS_KEY',
  storageSecretKey: 'GAUNTLET_STORAGE_SECRET_KEY',
  storageRegion: 'GAUNTLET_STORAGE_REGION',
} as const;
