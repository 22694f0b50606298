/**
 * The `checks:` section of a pipeline: data checks that run after ingest (and labeling), before any training. Each
 * gives pass, warn or fail; `onFail: stop` makes a failing check stop the run, `warn` records it and goes on.
 */
import { z } from 'zod';

const OnFail = z.enum(['stop', 'warn']);

export const FeatureDeclaration = z.strictObject({
  type: z.enum(['number', 'integer']).default('number'),
  min: z.number().optional(),
  max: z.number().optional(),
});

export const SchemaCheckSpec = z.strictObject({
  enabled: z.boolean().default(true),
  onFail: OnFail.default('stop'),
  /** Declared types and ranges by column; undeclared feature columns must still be finite numbers. */
  features: z.record(z.string(), FeatureDeclaration).default({}),
  /** A column that never changes: a warning by default (image borders often are constant). */
  constantColumns: z.enum(['ignore', 'warn', 'fail']).default('warn'),
  /** Every class must have at least this share of the rows. */
  minClassShare: z.number().min(0).max(1).default(0.01),
});

export const DuplicatesCheckSpec = z.strictObject({
  enabled: z.boolean().default(true),
  onFail: OnFail.default('stop'),
  /**
   * Near duplicates: RMS distance of z-scored features (id-like and constant columns left out; a column's scale is at
   * least the median column's standard deviation) at most this. 0 = exact only. 0.07: on sklearn's digits a copy with
   * up to ~7 of 64 pixels nudged by one grey level is within it, the closest two distinct digits are at 0.12.
   */
  nearThreshold: z.number().min(0).default(0.07),
  /** A duplicate pair across splits is leakage between them. */
  acrossSplits: z.enum(['ignore', 'warn', 'fail']).default('fail'),
  withinSplit: z.enum(['ignore', 'warn', 'fail']).default('warn'),
});

export const LeakageCheckSpec = z.strictObject({
  enabled: z.boolean().default(true),
  onFail: OnFail.default('stop'),
  /**
   * A single column whose one-feature model reaches this accuracy (5-fold cross-validated over the train and valid
   * rows) and removes at least half the class prior's errors is a leak suspect.
   */
  maxSingleFeatureAccuracy: z.number().gt(0).lte(1).default(0.95),
});

export const PreprocessingCheckSpec = z.strictObject({
  enabled: z.boolean().default(true),
  onFail: OnFail.default('stop'),
});

/** Valid and test must look alike: label (chi-square) and per-feature (Kolmogorov–Smirnov) distributions. */
export const SplitComparisonSpec = z.strictObject({
  enabled: z.boolean().default(true),
  onFail: OnFail.default('warn'),
  /** A p-value below this (after Bonferroni over the features) is a difference worth a warning. */
  alpha: z.number().gt(0).lt(1).default(0.01),
});

export const ChecksSpec = z.strictObject({
  schema: SchemaCheckSpec.prefault({}),
  duplicates: DuplicatesCheckSpec.prefault({}),
  leakage: LeakageCheckSpec.prefault({}),
  preprocessing: PreprocessingCheckSpec.prefault({}),
  splits: SplitComparisonSpec.prefault({}),
});
export type ChecksSpec = z.infer<typeof ChecksSpec>;
