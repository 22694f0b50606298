/**
 * The pipeline file (YAML) a user writes. Strict everywhere: an unknown key is an error, never silently ignored,
 * because a misspelt option that is dropped is a silent change of the experiment.
 */
import { z } from 'zod';
import { Duration } from './duration.js';
import { ConstantSchedule, Hyperparameters, OneCycleSchedule, SplitName } from './job.js';

export const PIPELINE_API_VERSION = 'gauntlet.dev/v1';

/** Lower-case words joined by dashes: it becomes part of workflow ids, object keys and Kubernetes names. */
export const PipelineName = z
  .string()
  .regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes, start with a letter, at most 40 characters');

/** `sklearn:digits` (exported by the trainer's Python), or `file:path/to/data.csv` (relative to the pipeline file). */
export const DataSource = z
  .string()
  .regex(/^(sklearn:(digits)|file:.+)$/, 'must be "sklearn:digits" or "file:<path to a CSV>"');

export const SplitSpec = z
  .strictObject({
    valid: z.number().gt(0).lt(1).default(0.15),
    test: z.number().gt(0).lt(1).default(0.15),
    seed: z.number().int().min(0).default(0),
    stratify: z.boolean().default(true),
  })
  .refine((split) => split.valid + split.test < 0.9, {
    message: 'valid + test must leave at least 10% of the data for training',
    path: ['test'],
  });

export const DataSpec = z.strictObject({
  source: DataSource,
  labelColumn: z.string().min(1).default('label'),
  split: SplitSpec.default({ valid: 0.15, test: 0.15, seed: 0, stratify: true }),
});

export const RetrySpec = z.strictObject({
  maximumAttempts: z.number().int().min(1).max(100).default(3),
  initialInterval: Duration.default('2s'),
  backoffCoefficient: z.number().min(1).default(2),
  maximumInterval: Duration.default('1m'),
});

/** The reference trainer, or any command that honours the job contract. */
export const TrainerSpec = z.strictObject({
  kind: z.enum(['reference', 'command']).default('reference'),
  /** argv of a user trainer; `{python}` is replaced by the worker's Python. Required when kind is `command`. */
  command: z.array(z.string().min(1)).min(1).optional(),
  timeout: Duration.default('2h'),
  heartbeatTimeout: Duration.default('30s'),
  retry: RetrySpec.default({ maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' }),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
});

export const TrainSpec = z.strictObject({
  seed: z.number().int().min(0).default(0),
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).default(64),
  hyperparameters: Hyperparameters.default({}),
  schedule: z.discriminatedUnion('kind', [OneCycleSchedule, ConstantSchedule]),
});

export const MetricName = z.enum(['accuracy', 'loss']);

export const EvaluateSpec = z.strictObject({
  split: SplitName.default('test'),
  metric: MetricName.default('accuracy'),
});

export const GoalSpec = z
  .strictObject({
    metric: MetricName,
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((goal) => goal.min !== undefined || goal.max !== undefined, { message: 'give min or max', path: ['min'] });

export const PipelineSpec = z
  .strictObject({
    apiVersion: z.literal(PIPELINE_API_VERSION),
    kind: z.literal('Pipeline'),
    name: PipelineName,
    description: z.string().optional(),
    executor: z.enum(['local']).default('local'),
    data: DataSpec,
    trainer: TrainerSpec.default({
      kind: 'reference',
      timeout: '2h',
      heartbeatTimeout: '30s',
      retry: { maximumAttempts: 3, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
      device: 'auto',
    }),
    train: TrainSpec,
    evaluate: EvaluateSpec.default({ split: 'test', metric: 'accuracy' }),
    goal: GoalSpec.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.trainer.kind === 'command' && !spec.trainer.command) {
      ctx.addIssue({ code: 'custom', path: ['trainer', 'command'], message: 'required when trainer.kind is "command"' });
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
export type PipelineSpecInput = z.input<typeof PipelineSpec>;
