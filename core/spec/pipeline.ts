/**
 * The pipeline file (YAML) a user writes. Strict everywhere: an unknown key is an error, never silently ignored,
 * because a misspelt option that is dropped is a silent change of the experiment.
 */
import { z } from 'zod';
import { Duration } from './duration.js';
import { KubernetesSpec } from './kubernetes.js';
import { SweepSpec, sweepContextIssues } from '../sweep/spec.js';
import { ConstantSchedule, Hyperparameters, JobMode, OneCycleSchedule, RangeTestSchedule, SplitName } from './job.js';
import { missingModes, requiredModes } from './modes.js';
import { LabelSpec } from './labeling.js';
import { ChecksSpec } from './checks.js';
import { CrossFit, Handoff, ModelName, ModelSpec, modelGraphIssues } from '../twostage/spec.js';

export const PIPELINE_API_VERSION = 'gauntlet.dev/v1';

/** Lower-case words joined by dashes: it becomes part of workflow ids, object keys and Kubernetes names. */
export const PipelineName = z
  .string()
  .regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes, start with a letter, at most 40 characters');

/**
 * `sklearn:digits` (exported by the trainer's Python), `demo:digits-leak` (digits with a trap for the data checks:
 * also digits-augmented, digits-shifted; digits-canvas for two-stage pipelines), `file:path/to/data.csv` (relative to the pipeline file), or a folder of
 * dated snapshots: `file:path/to/folder/` or a MinIO prefix `s3://bucket/prefix/` (ending in `/`; see `snapshot`).
 */
export const DataSource = z
  .string()
  .regex(
    /^(sklearn:(digits|breast_cancer)|demo:(digits-leak|digits-augmented|digits-shifted|digits-canvas)|file:.+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.*\/)$/,
    'must be "sklearn:digits", "sklearn:breast_cancer", "demo:digits-leak", "demo:digits-augmented", "demo:digits-shifted", "demo:digits-canvas", "file:<path to a CSV or a folder/>" or "s3://<bucket>/<prefix>/"',
  );

/** A source ending in `/` is a folder (or MinIO prefix) of snapshots, one CSV per day or delivery. */
export function isSnapshotFolder(source: string): boolean {
  return source.endsWith('/') && (source.startsWith('file:') || source.startsWith('s3://'));
}

/**
 * Which snapshot of a folder source: `latest` (the last CSV in name order, so dated names such as 2026-11-30.csv
 * sort by date), or one file's name.
 */
export const Snapshot = z.union([z.literal('latest'), z.string().regex(/^[^/]+\.csv$/, 'must be "latest" or the name of a .csv file in the folder')]);

export const SplitSpec = z
  .strictObject({
    /** `holdout`: train / valid / test; `kfold`: a held-out test split, then `folds` folds each validated once. */
    kind: z.enum(['holdout', 'kfold']).default('holdout'),
    /** Rows sharing this column's value (a person, a patient, a source image) never sit in two splits. */
    groupColumn: z.string().min(1).optional(),
    /** Holdout only (default 0.15); in k-fold each fold is the validation split once. */
    valid: z.number().gt(0).lt(1).optional(),
    test: z.number().gt(0).lt(1).default(0.15),
    folds: z.number().int().min(2).max(20).default(5),
    seed: z.number().int().min(0).default(0),
    stratify: z.boolean().default(true),
  })
  .superRefine((split, ctx) => {
    if (split.kind === 'kfold' && split.valid !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['valid'], message: 'is not used with kind "kfold": each fold is the validation split once (remove it, or use kind "holdout")', input: split.valid });
    }
    if ((split.valid ?? 0.15) + split.test >= 0.9 && split.kind === 'holdout') {
      ctx.addIssue({ code: 'custom', path: ['test'], message: 'valid + test must leave at least 10% of the data for training', input: split.test });
    }
  })
  .transform((split) => ({ ...split, valid: split.kind === 'holdout' ? (split.valid ?? 0.15) : 0 }));

export const DataSpec = z
  .strictObject({
    source: DataSource,
    /** For a folder source (default `latest`); every run records which snapshot it read. */
    snapshot: Snapshot.optional(),
    labelColumn: z.string().min(1).default('label'),
    /** Columns that are neither features nor the label (ids, notes, the true final output). */
    ignoreColumns: z.array(z.string().min(1)).default([]),
    split: SplitSpec.prefault({}),
  })
  .superRefine((data, ctx) => {
    if (data.snapshot !== undefined && !isSnapshotFolder(data.source)) {
      ctx.addIssue({ code: 'custom', path: ['snapshot'], message: `only for a folder source (ending in "/"), not ${JSON.stringify(data.source)}`, input: data.snapshot });
    }
  })
  .transform((data) => (isSnapshotFolder(data.source) ? { ...data, snapshot: data.snapshot ?? 'latest' } : data));

export const RetrySpec = z.strictObject({
  maximumAttempts: z.number().int().min(1).max(100).default(3),
  initialInterval: Duration.default('2s'),
  backoffCoefficient: z.number().min(1).default(2),
  maximumInterval: Duration.default('1m'),
});

/** The reference trainer, or any command that honours the job contract. */
export const TrainerSpec = z.strictObject({
  kind: z.enum(['reference', 'command']).default('reference'),
  /**
   * argv of a user trainer; `{python}` is replaced by the worker's Python. Required when kind is `command`. An
   * argument that names a file or folder next to the pipeline file (or starts with ./ or ../) is relative to it.
   */
  command: z.array(z.string().min(1)).min(1).optional(),
  /**
   * The job-contract modes a command trainer implements (a gauntlet_trainer Learner implements all five). When given,
   * every stage's mode must be in it: checked before anything runs. The reference trainer implements all five.
   */
  modes: z.array(JobMode).min(1).optional(),
  timeout: Duration.default('2h'),
  heartbeatTimeout: Duration.default('30s'),
  /** Launches in all when the trainer itself fails (exit codes, OOM, timeouts); each retry resumes from the last checkpoint. */
  retry: RetrySpec.prefault({}),
  /**
   * How long an unreachable service (storage, the Kubernetes API, a dead worker's activity) is waited for, with
   * backoff, before the stage fails naming it. Outages never spend \`retry.maximumAttempts\`.
   */
  infraRetryWindow: Duration.default('15m'),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
});

/** One-cycle where `maxLr` may be left out: the LR range test then finds it. */
export const PipelineOneCycle = OneCycleSchedule.extend({ maxLr: z.number().positive().optional() });

export const LrPolicy = z.enum(['valley', 'steep', 'minimum', 'slide']);
export type LrPolicy = z.infer<typeof LrPolicy>;

/** The LR range test that picks one-cycle's max LR when the spec does not fix it. */
export const LrFindSpec = z.strictObject({
  ...RangeTestSchedule.omit({ kind: true }).shape,
  /** Which suggestion becomes max LR (fastai's default is valley). */
  policy: LrPolicy.default('valley'),
  /** Used, visibly, when the curve is not trustworthy; without it an untrustworthy curve stops the run. */
  fallbackMaxLr: z.number().positive().optional(),
});

export const TrainSpec = z.strictObject({
  seed: z.number().int().min(0).default(0),
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).default(64),
  hyperparameters: Hyperparameters.default({}),
  schedule: z.discriminatedUnion('kind', [PipelineOneCycle, ConstantSchedule]),
  lrFind: LrFindSpec.optional(),
  /** With `data.split.kind: kfold`: folds trained at once, and the model evaluated on the test split. */
  kfold: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64).default(2),
      /** `retrain`: one more job on all non-test rows with the same settings; `bestFold`: the best fold's model. */
      final: z.enum(['retrain', 'bestFold']).default('retrain'),
    })
    .prefault({}),
});

/** Gates that stop a run before it spends training time. */
export const GatesSpec = z.strictObject({
  /** Memorise one tiny fixed batch: a model or data pipeline that cannot is broken. */
  overfit: z
    .strictObject({
      enabled: z.boolean().default(true),
      batchSize: z.number().int().min(1).default(32),
      lossThreshold: z.number().positive().default(0.05),
      maxSteps: z.number().int().min(1).max(100_000).default(300),
    })
    .prefault({}),
  /** Score true labels through the label → output conversion: the best any model could do. */
  oracle: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
});

/** Headline metrics: accuracy, loss (the trainer's cross-entropy), macroF1, balancedAccuracy, logLoss, auc (binary). */
export const MetricName = z.enum(['accuracy', 'loss', 'macroF1', 'balancedAccuracy', 'logLoss', 'auc']);
export type MetricName = z.infer<typeof MetricName>;

/** How a predicted class becomes the final output, and where the true final outputs are. */
export const OutputSpec = z.strictObject({
  /** Class label → final output; labels not listed pass through unchanged. */
  map: z.record(z.string(), z.string()).default({}),
  /** Column holding the true final output; by default the label column through the same map. */
  targetColumn: z.string().min(1).optional(),
});

/** How precisely the test split must measure the metric: a Wilson interval no wider than ±halfWidth. */
export const PrecisionSpec = z.strictObject({
  halfWidth: z.number().gt(0).lt(0.5),
  confidence: z.number().gt(0).lt(1).default(0.95),
  /** The accuracy expected: the goal's min when the goal is on accuracy, else 0.5 (the widest interval). */
  expected: z.number().gt(0).lt(1).optional(),
  onFail: z.enum(['stop', 'warn']).default('stop'),
});

export const EvaluateSpec = z.strictObject({
  split: SplitName.default('test'),
  metric: MetricName.default('accuracy'),
  output: OutputSpec.optional(),
  precision: PrecisionSpec.optional(),
  /** Every test metric gets an interval at this confidence (Wilson for proportions, a seeded bootstrap otherwise). */
  confidence: z.number().gt(0).lt(1).default(0.95),
  bootstrap: z.strictObject({ resamples: z.number().int().min(1000).max(100_000).default(2000), seed: z.number().int().min(0).default(0) }).prefault({}),
  /** The human ceiling when no labeling stage measured it (annotators' accuracy against the truth, 0..1). */
  humanCeiling: z.number().gt(0).lte(1).optional(),
});

export const GoalSpec = z
  .strictObject({
    metric: MetricName,
    min: z.number().optional(),
    max: z.number().optional(),
    /** `lowerBound`: the goal must hold for the interval's lower bound (upper bound for max), not just the estimate. */
    on: z.enum(['estimate', 'lowerBound']).default('estimate'),
  })
  .refine((goal) => goal.min !== undefined || goal.max !== undefined, { message: 'give min or max', path: ['min'] });

export const ExecutorName = z.enum(['local', 'kubernetes']);
export type ExecutorName = z.infer<typeof ExecutorName>;
/** Stages that run jobs, and so can choose their executor. */
export const JobStage = z.enum(['label', 'inspect', 'overfit', 'lr-find', 'train', 'evaluate']);
export type JobStage = z.infer<typeof JobStage>;

const PipelineSpecBase = z.strictObject({
    apiVersion: z.literal(PIPELINE_API_VERSION),
    kind: z.literal('Pipeline'),
    name: PipelineName,
    description: z.string().optional(),
    executor: ExecutorName.default('local'),
    /** Per-stage executor, e.g. the cheap gates locally and training on the cluster. */
    stageExecutors: z.partialRecord(JobStage, ExecutorName).default({}),
    kubernetes: KubernetesSpec.optional(),
    data: DataSpec,
    /** Labeling before anything trains: annotator jobs and people, double labeling, the agreement gate. */
    label: LabelSpec.optional(),
    /** Data checks before anything trains: schema, duplicates, leakage, preprocessing, valid vs test. */
    checks: ChecksSpec.prefault({}),
    trainer: TrainerSpec.prefault({}),
    gates: GatesSpec.prefault({}),
    train: TrainSpec,
    evaluate: EvaluateSpec.prefault({}),
    goal: GoalSpec.optional(),
    /** Hyperparameter sweep: replaces the single train job with trials (see core/sweep). */
    sweep: SweepSpec.optional(),
    /** Whether this run's model replaces the pipeline's champion (models/<pipeline>/champion.json). */
    promote: z
      .strictObject({
        when: z.enum(['mcnemar', 'lowerBound', 'always', 'manual']),
        alpha: z.number().gt(0).lt(1).default(0.05),
        minImprovement: z.number().min(0).default(0),
      })
      .optional(),
    /**
     * Two or more models in a chain (core/twostage): each trains on its own label column, a model may read another
     * one's predictions (`inputs: { from, as }`). Each model's `trainer` and `train` override the pipeline's.
     */
    models: z.record(ModelName, ModelSpec).optional(),
    /** How predictions reach the next model (default oof). */
    handoff: Handoff.optional(),
    /** Cross-fitting of upstream models for out-of-fold predictions (default 5 folds). */
    crossFit: CrossFit.optional(),
  });

export const PipelineSpec = PipelineSpecBase.superRefine((spec, ctx) => {
    if (spec.models) modelsIssues(spec, ctx);
    const { schedule, lrFind } = spec.train;
    if (lrFind && schedule.kind === 'constant') {
      ctx.addIssue({ code: 'custom', path: ['train', 'lrFind'], message: 'the LR range test only feeds a one_cycle schedule', input: lrFind });
    }
    if (lrFind && schedule.kind === 'one_cycle' && schedule.maxLr !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['train', 'lrFind'],
        message: 'give train.schedule.maxLr or train.lrFind, not both (a fixed maxLr skips the range test)',
        input: lrFind,
      });
    }
    const usesKubernetes = spec.executor === 'kubernetes' || Object.values(spec.stageExecutors).includes('kubernetes');
    if (usesKubernetes && !spec.kubernetes) {
      ctx.addIssue({ code: 'custom', path: ['kubernetes'], message: 'is required when a stage runs on the kubernetes executor (give at least kubernetes.image)' });
    }
    if (spec.sweep) {
      const rangeTest = schedule.kind === 'one_cycle' && schedule.maxLr === undefined;
      for (const issue of sweepContextIssues(spec.sweep, { trainEpochs: spec.train.epochs, rangeTest })) {
        ctx.addIssue({ code: 'custom', path: ['sweep', ...issue.path], message: issue.message, input: issue.input });
      }
    }
    if (spec.data.split.kind === 'kfold' && spec.sweep) {
      ctx.addIssue({ code: 'custom', path: ['data', 'split', 'kind'], message: 'k-fold with a sweep is not supported yet: use kind "holdout" for a sweep', input: 'kfold' });
    }
    const group = spec.data.split.groupColumn;
    if (group !== undefined && group === spec.data.labelColumn) {
      ctx.addIssue({ code: 'custom', path: ['data', 'split', 'groupColumn'], message: 'must differ from data.labelColumn', input: group });
    }
    const target = spec.evaluate.output?.targetColumn;
    if (target !== undefined && target === spec.data.labelColumn) {
      ctx.addIssue({ code: 'custom', path: ['evaluate', 'output', 'targetColumn'], message: 'must differ from data.labelColumn', input: target });
    }
    const podCommand = spec.models ? null : commandOnKubernetesIssue(spec);
    if (podCommand) ctx.addIssue({ code: 'custom', path: ['kubernetes', 'command'], message: podCommand });
    if (spec.trainer.kind === 'command' && !spec.trainer.command) {
      ctx.addIssue({ code: 'custom', path: ['trainer', 'command'], message: 'required when trainer.kind is "command"' });
    }
    if (spec.trainer.modes) {
      for (const message of missingModes(requiredModes(spec), spec.trainer.modes)) {
        ctx.addIssue({ code: 'custom', path: ['trainer', 'modes'], message, input: spec.trainer.modes });
      }
    }
    if (spec.trainer.kind === 'reference' && spec.trainer.modes) {
      ctx.addIssue({ code: 'custom', path: ['trainer', 'modes'], message: 'only for trainer.kind "command": the reference trainer implements every mode', input: spec.trainer.modes });
    }
    if (spec.trainer.kind === 'reference' && spec.trainer.command) {
      ctx.addIssue({
        code: 'custom',
        path: ['trainer', 'command'],
        message: 'only allowed when trainer.kind is "command"',
        input: spec.trainer.command,
      });
    }
  });
export type PipelineSpec = z.infer<typeof PipelineSpec>;

type SpecContext = Parameters<Parameters<typeof PipelineSpec.superRefine>[0]>[1];

/** Each model's merged trainer and train sections must be valid; what a chain of models does not support yet is said. */
function modelsIssues(spec: z.infer<typeof PipelineSpecBase>, ctx: SpecContext): void {
  const models = spec.models ?? {};
  for (const issue of modelGraphIssues(models)) ctx.addIssue({ code: 'custom', ...issue });
  const unsupported: Array<[keyof typeof spec, string]> = [['label', 'labeling'], ['sweep', 'a sweep'], ['promote', 'promotion']];
  for (const [key, what] of unsupported) {
    if (spec[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${what} with models: is not supported yet (remove it, or run the models as separate pipelines)` });
  }
  if (spec.data.split.kind === 'kfold') ctx.addIssue({ code: 'custom', path: ['data', 'split', 'kind'], message: 'k-fold with models: is not supported yet (models: cross-fit their upstream models themselves)', input: 'kfold' });
  const labels = new Set(Object.values(models).map((model) => model.labelColumn));
  for (const [name, model] of Object.entries(models)) {
    const base = ['models', name];
    if (model.sweep) ctx.addIssue({ code: 'custom', path: [...base, 'sweep'], message: 'a sweep per model is not supported yet' });
    if (model.labelColumn === spec.data.split.groupColumn) ctx.addIssue({ code: 'custom', path: [...base, 'labelColumn'], message: 'must differ from data.split.groupColumn', input: model.labelColumn });
    if ('from' in model.inputs && labels.has(model.inputs.as)) ctx.addIssue({ code: 'custom', path: [...base, 'inputs', 'as'], message: 'is a label column of a model: pick a new name for the predictions', input: model.inputs.as });
    const merged = mergeModelSections(spec, model);
    for (const [section, result] of [['trainer', merged.trainer], ['train', merged.train], ['kubernetes', merged.kubernetes]] as const) {
      if (result === null || result.success) continue;
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: [...base, section, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))], message: issue.message, input: issue.input });
    }
    if (model.kubernetes && !spec.kubernetes) ctx.addIssue({ code: 'custom', path: [...base, 'kubernetes'], message: 'overrides the pipeline\'s kubernetes section, which is missing' });
    if (merged.trainer.success && merged.kubernetes?.success) {
      const issue = commandOnKubernetesIssue({ ...spec, trainer: merged.trainer.data, kubernetes: merged.kubernetes.data });
      if (issue) ctx.addIssue({ code: 'custom', path: [...base, 'kubernetes', 'command'], message: issue });
    }
  }
}

/** A model's trainer, train and kubernetes: the pipeline's, with the model's keys on top (hyperparameters merged key by key). */
export function mergeModelSections(spec: Pick<z.infer<typeof PipelineSpecBase>, 'trainer' | 'train' | 'kubernetes'>, model: ModelSpec) {
  const train = model.train ?? {};
  const hyperparameters = typeof train.hyperparameters === 'object' && train.hyperparameters !== null ? train.hyperparameters : {};
  return {
    trainer: TrainerSpec.safeParse({ ...spec.trainer, ...(model.trainer ?? {}) }),
    train: TrainSpec.safeParse({ ...spec.train, ...train, hyperparameters: { ...spec.train.hyperparameters, ...hyperparameters } }),
    kubernetes: spec.kubernetes ? KubernetesSpec.safeParse({ ...spec.kubernetes, ...(model.kubernetes ?? {}) }) : null,
  };
}

const REFERENCE_CONTAINER_COMMAND = KubernetesSpec.parse({ image: 'x' }).command.join(' ');

/**
 * A command trainer on the kubernetes executor runs the container's command, not trainer.command (its paths are this
 * machine's): left at the reference trainer's default, the pods would silently train the wrong model.
 */
export function commandOnKubernetesIssue(spec: Pick<z.infer<typeof PipelineSpecBase>, 'trainer' | 'kubernetes' | 'executor' | 'stageExecutors'>): string | null {
  const usesKubernetes = spec.executor === 'kubernetes' || Object.values(spec.stageExecutors).includes('kubernetes');
  if (!usesKubernetes || spec.trainer.kind !== 'command' || !spec.kubernetes) return null;
  if (spec.kubernetes.command.join(' ') !== REFERENCE_CONTAINER_COMMAND) return null;
  return 'trainer.kind is "command", so the pods must run your trainer: give the command that starts it in the image (the default runs the reference trainer)';
}
export type PipelineSpecInput = z.input<typeof PipelineSpec>;
