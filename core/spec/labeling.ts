/**
 * The `label:` section of a pipeline: who labels which rows, in what batches, how often twice, how disputes are
 * settled, and the agreement the labels must reach before anything trains on them.
 */
import { z } from 'zod';
import { Duration } from './duration.js';
import { Hyperparameters } from './job.js';

/** Becomes part of job ids and object keys, and is what a person types after `--annotator`. */
export const AnnotatorName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes, at most 32 characters');

export const JobAnnotator = z.strictObject({
  name: AnnotatorName,
  kind: z.literal('job'),
  /**
   * argv of a labeler that speaks the job contract's `label` mode (`{python}` is the worker's Python); without it,
   * the reference trainer's seeded simulated annotator, configured by `hyperparameters`.
   */
  command: z.array(z.string().min(1)).min(1).optional(),
  hyperparameters: Hyperparameters.default({}),
  /** Batches this annotator labels at once. */
  concurrency: z.number().int().min(1).max(64).default(1),
});

/** A person, who pulls batches with `gauntlet label pull` and submits them with `gauntlet label submit`. */
export const HumanAnnotator = z.strictObject({ name: AnnotatorName, kind: z.literal('human') });

export const Annotator = z.discriminatedUnion('kind', [JobAnnotator, HumanAnnotator]);
export type Annotator = z.infer<typeof Annotator>;

export const AgreementLevel = z.enum(['nominal', 'ordinal', 'interval']);
export type AgreementLevel = z.infer<typeof AgreementLevel>;

export const AgreementMetric = z.enum(['krippendorffAlpha', 'fleissKappa', 'cohenKappa', 'percentAgreement']);
export type AgreementMetric = z.infer<typeof AgreementMetric>;

export const Adjudication = z.enum(['third-annotator', 'majority', 'drop']);
export type Adjudication = z.infer<typeof Adjudication>;

export const ItemView = z.discriminatedUnion('kind', [
  /** Features are pixels in row-major order; 0 is paper and `maxValue` is ink. */
  z.strictObject({ kind: z.literal('image'), width: z.number().int().min(1), height: z.number().int().min(1), maxValue: z.number().positive() }),
  z.strictObject({ kind: z.literal('table') }),
]);
export type ItemView = z.infer<typeof ItemView>;

export const LabelRetrySpec = z.strictObject({
  initialInterval: Duration.default('2s'),
  backoffCoefficient: z.number().min(1).default(2),
  maximumInterval: Duration.default('1m'),
});

export const LabelSpec = z
  .strictObject({
    /** `unlabeled`: rows whose label is empty; `all`: every row (an audit of existing labels). */
    items: z.enum(['unlabeled', 'all']).default('unlabeled'),
    /** Class names; class i is label i in the data. By default "0" … "K-1". */
    classes: z.array(z.string().min(1)).min(2).optional(),
    batchSize: z.number().int().min(1).max(10_000).default(50),
    annotators: z.array(Annotator).min(1),
    /** Items labeled by two different annotators: `fraction` of them, at least `min` (capped at all items). */
    overlap: z.strictObject({ fraction: z.number().min(0).max(1).default(0), min: z.number().int().min(0).default(0) }).prefault({}),
    /** How an item whose two labels differ is settled. */
    adjudicate: Adjudication.default('third-annotator'),
    /** A person's lease on a batch; when it runs out the batch goes to another annotator. */
    leaseTimeout: Duration.default('1h'),
    /** Attempts at one batch (crashes, malformed output, expired leases) before it is reported unlabelable. */
    maxAttempts: z.number().int().min(1).max(100).default(3),
    /** Backoff before a failed batch is offered again. */
    retry: LabelRetrySpec.prefault({}),
    level: AgreementLevel.default('nominal'),
    gate: z
      .strictObject({
        metric: AgreementMetric.default('krippendorffAlpha'),
        min: z.number().min(-1).max(1),
        /** Share of items that may end unlabelable (attempts spent) or dropped (disputes under `drop`). */
        maxUnlabeledFraction: z.number().min(0).max(1).default(0.05),
        onFail: z.enum(['stop', 'warn']).default('stop'),
      })
      .optional(),
    /** How `gauntlet label pull` shows an item to a person. */
    view: ItemView.default({ kind: 'table' }),
    seed: z.number().int().min(0).default(0),
  })
  .superRefine((label, ctx) => {
    const names = label.annotators.map((annotator) => annotator.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['annotators', i, 'name'], message: `duplicate annotator name "${name}"`, input: name });
    });
    const overlapping = label.overlap.fraction > 0 || label.overlap.min > 0;
    if (overlapping && names.length < 2) {
      ctx.addIssue({ code: 'custom', path: ['overlap'], message: 'double labeling needs at least 2 annotators', input: label.overlap });
    }
    if (overlapping && label.adjudicate === 'third-annotator' && names.length < 3) {
      ctx.addIssue({ code: 'custom', path: ['adjudicate'], message: '"third-annotator" needs at least 3 annotators (a third who labeled neither copy)', input: label.adjudicate });
    }
    if (label.gate && !overlapping) {
      ctx.addIssue({ code: 'custom', path: ['gate'], message: 'an agreement gate needs double-labeled items: set overlap.fraction or overlap.min', input: label.gate });
    }
    if (label.level !== 'nominal' && label.classes?.some((name) => !Number.isFinite(Number(name)))) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: `level "${label.level}" needs numeric class names (ordinal and interval agreement compare them as numbers)`, input: label.classes });
    }
    if (label.classes && new Set(label.classes).size !== label.classes.length) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: 'class names must be unique', input: label.classes });
    }
  });
export type LabelSpec = z.infer<typeof LabelSpec>;
