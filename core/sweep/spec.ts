/**
 * The `sweep:` section of a pipeline file: search space, strategy, early stopping, budget, objective.
 * Strict like the rest of the file: unknown keys are errors, and every combination that cannot run as written
 * (a grid over a continuous range, a GPU budget below one trial, ASHA without rungs, …) is refused here, with its
 * path and value, before any GPU time is spent.
 *
 * Embedding: the pipeline schema uses `SweepSpec` as its optional `sweep` key; checks that need the rest of the file
 * (is there a range test for `lrFactor`? how many epochs does a trial train?) are in `sweepContextIssues`.
 */
import { z } from 'zod';
import { Duration } from '../spec/duration.js';
import { Quantity } from '../spec/kubernetes.js';
import { domainSize, isDiscrete, parameterDomain, parameterIssues, ParameterSpec, type ParameterDomain } from './parameters.js';

export const Direction = z.enum(['maximize', 'minimize']);
export type Direction = z.infer<typeof Direction>;

/** Validation metrics a trainer reports per epoch (the reference trainer reports both) and the way each improves. */
export const METRIC_DIRECTION = { val_accuracy: 'maximize', val_loss: 'minimize' } as const satisfies Record<string, Direction>;
export const SWEEP_OBJECTIVE_METRICS = ['val_accuracy', 'val_loss'] as const;
export type SweepObjectiveMetric = (typeof SWEEP_OBJECTIVE_METRICS)[number];

/**
 * Space entries that are not plain hyperparameters handed to the trainer:
 * `lrFactor` multiplies the LR range test's suggested max LR; `batchSize` and `epochs` are trial settings.
 */
export const SpecialParameter = { lrFactor: 'lrFactor', batchSize: 'batchSize', epochs: 'epochs' } as const;
export type SpecialParameter = (typeof SpecialParameter)[keyof typeof SpecialParameter];

const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export const SweepSpace = z
  .record(z.string().regex(PARAMETER_NAME), ParameterSpec, {
    error: (issue) =>
      issue.code === 'invalid_key' ? 'parameter names start with a letter and use letters, digits, "_", "." or "-" (at most 64)' : undefined,
  })
  .superRefine((space, ctx) => {
    for (const [name, value] of Object.entries(space)) {
      for (const issue of parameterIssues(value)) {
        const path = [name, ...issue.path] as (string | number)[];
        const input = issue.code === 'unrecognized_keys' ? issue.input : shown(path, issue.input);
        // `continue: false`: the sweep's cross-field checks must not run on a parameter that is not well formed.
        ctx.addIssue({ ...issue, path, input, continue: false } as Parameters<typeof ctx.addIssue>[0]);
      }
    }
  });
export type SweepSpace = z.infer<typeof SweepSpace>;

const Seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0);

/** Grid: every combination of discrete values, in a seeded shuffled order (see `gridConfig` in space.ts). */
export const GridStrategy = z.strictObject({ kind: z.literal('grid'), seed: Seed });
/** Random: trial slot k's configuration depends only on (seed, k). */
export const RandomStrategy = z.strictObject({ kind: z.literal('random'), seed: Seed });
/** Optuna's univariate TPE with its defaults (see tpe.ts). */
export const TpeStrategy = z.strictObject({
  kind: z.literal('tpe'),
  seed: Seed,
  /** Finished trials sampled at random before TPE takes over. @default 10 (Optuna) */
  nStartupTrials: z.number().int().min(0).default(10),
  /** Candidates drawn from l(x) per parameter; the one with the largest l(x)/g(x) wins. @default 24 (Optuna) */
  nEiCandidates: z.number().int().min(1).max(10_000).default(24),
  /**
   * Fraction of finished trials in the good set: n_below = ceil(gamma × n). Left out, Optuna's default function
   * n_below = min(ceil(0.1 × n), 25) is used (not hyperopt's 0.25 × sqrt(n)).
   */
  gamma: z.number().gt(0).max(1).optional(),
  /** Weight of the prior kernel in both Parzen estimators. @default 1 (Optuna) */
  priorWeight: z.number().positive().default(1),
  /** Count running trials as the worst result so parallel trials spread out (Optuna's constant_liar). @default false */
  constantLiar: z.boolean().default(false),
});
const STRATEGIES = z.discriminatedUnion('kind', [GridStrategy, RandomStrategy, TpeStrategy]);
/** `strategy: tpe` is short for `strategy: { kind: tpe }`. */
export const StrategySpec = z.preprocess((value) => (typeof value === 'string' ? { kind: value } : value), STRATEGIES);
export type StrategySpec = z.infer<typeof STRATEGIES>;
export type TpeStrategy = z.infer<typeof TpeStrategy>;

export const NoEarlyStopping = z.strictObject({ kind: z.literal('none') });
/** Asynchronous successive halving (Li et al. 2018, Ray's ASHAScheduler); see asha.ts. */
export const AshaSpec = z.strictObject({
  kind: z.literal('asha'),
  /** First rung, in epochs: every trial trains at least this long. @default 1 */
  gracePeriod: z.number().int().min(1).default(1),
  /** η: rungs at gracePeriod × η^k; a trial continues past a rung when in the top 1/η there. @default 3 */
  reductionFactor: z.number().int().min(2).default(3),
  /** Epochs a trial may reach. @default the trials' epochs (the largest, when epochs is searched) */
  maxResource: z.number().int().min(1).optional(),
});
/** Median stopping rule (Golovin et al. 2017; Optuna's MedianPruner); see median.ts. */
export const MedianSpec = z.strictObject({
  kind: z.literal('median'),
  /** Epochs every trial trains before the rule may stop it. @default 1 */
  gracePeriod: z.number().int().min(1).default(1),
  /** Completed trials needed before the rule stops anything (Optuna's n_startup_trials). @default 5 */
  minTrials: z.number().int().min(1).default(5),
});
const EARLY_STOPPING = z.discriminatedUnion('kind', [NoEarlyStopping, AshaSpec, MedianSpec]);
/** `earlyStopping: asha` is short for `earlyStopping: { kind: asha }`. */
export const EarlyStoppingSpec = z.preprocess((value) => (typeof value === 'string' ? { kind: value } : value), EARLY_STOPPING);
export type EarlyStoppingSpec = z.infer<typeof EARLY_STOPPING>;
export type AshaSpec = z.infer<typeof AshaSpec>;
export type MedianSpec = z.infer<typeof MedianSpec>;

export const BudgetSpec = z
  .strictObject({
    /** Trials to run, repeats included. */
    maxTrials: z.number().int().min(1).max(100_000),
    /** The sweep fails once more trials than this have failed (after their retries). @default 3 */
    maxFailedTrials: z.number().int().min(0).default(3),
    /** GPUs one trial holds. @default 1 */
    gpusPerTrial: z.number().int().min(1).max(64).default(1),
    /** The sum of the GPUs of running trials never exceeds it: floor(gpuBudget / gpusPerTrial) trials at once. @default 1 */
    gpuBudget: z.number().int().min(1).default(1),
    /** Wall-clock limit: no trial starts after it, running ones are stopped. */
    deadline: Duration.optional(),
  })
  .superRefine((budget, ctx) => {
    if (budget.gpuBudget < budget.gpusPerTrial) {
      ctx.addIssue({
        code: 'custom',
        path: ['gpuBudget'],
        message: `is below one trial's GPUs (budget.gpusPerTrial ${budget.gpusPerTrial}): no trial could start`,
        input: budget.gpuBudget,
      });
    }
  });
export type BudgetSpec = z.infer<typeof BudgetSpec>;

export const ObjectiveSpec = z
  .strictObject({
    metric: z.enum(SWEEP_OBJECTIVE_METRICS),
    /** @default the metric's own direction (val_accuracy: maximize, val_loss: minimize) */
    direction: Direction.optional(),
  })
  .superRefine((objective, ctx) => {
    const natural = METRIC_DIRECTION[objective.metric];
    if (objective.direction !== undefined && objective.direction !== natural) {
      ctx.addIssue({
        code: 'custom',
        path: ['direction'],
        message: `${objective.metric} improves when it ${natural === 'maximize' ? 'rises' : 'falls'}: use ${natural} or leave direction out`,
        input: objective.direction,
      });
    }
  })
  .transform((objective) => ({ metric: objective.metric, direction: objective.direction ?? METRIC_DIRECTION[objective.metric] }));
export type ObjectiveSpec = z.infer<typeof ObjectiveSpec>;

export const SweepSpec = z
  .strictObject({
    space: SweepSpace,
    strategy: StrategySpec.prefault({ kind: 'random' }),
    earlyStopping: EarlyStoppingSpec.prefault({ kind: 'none' }),
    budget: BudgetSpec,
    objective: ObjectiveSpec.prefault({ metric: 'val_accuracy' }),
    /** Space parameters that change the right LR (e.g. [batchSize]): one range test per distinct combination. */
    lrGroups: z.array(z.string()).optional(),
    /** Trials per configuration (each repeat its own trial); 1 means no two trials share a configuration. @default 1 */
    repeats: z.number().int().min(1).max(100).default(1),
    /** A trial killed for running out of memory is retried once with this change, recorded on the trial. */
    oomFallback: z
      .strictObject({
        /** Multiply the trial's batch size (e.g. 0.5 halves it). */
        batchSizeFactor: z.number().gt(0).lt(1).optional(),
        /** Kubernetes memory limit for the retry (e.g. "16Gi"). */
        memory: Quantity.optional(),
      })
      .refine((fallback) => fallback.batchSizeFactor !== undefined || fallback.memory !== undefined, 'give batchSizeFactor or memory')
      .optional(),
    /**
     * The sweep workflow continues as new (running trials keep running) once its history passes this many events.
     * @default 8000 (Temporal warns at 10k events and refuses 50k); lower it only to see hand-overs happen.
     */
    continueAsNewEvents: z.number().int().min(30).max(40_000).optional(),
  })
  .superRefine((sweep, ctx) => {
    const add = (path: (string | number)[], message: string, input: unknown) => ctx.addIssue({ code: 'custom', path, message, input: shown(path, input) });
    const names = Object.keys(sweep.space);
    const domains = new Map(names.map((name) => [name, parameterDomain(sweep.space[name] as ParameterSpec)]));

    if (names.length === 0) {
      add(['space'], 'must name at least one parameter to search', sweep.space);
      return;
    }
    if (sweep.repeats === 1 && [...domains.values()].every((domain) => domainSize(domain) === 1)) {
      add(['space'], 'every parameter has a single value: nothing to search (give a range or a choice, or set repeats)', sweep.space);
    }
    for (const [name, domain] of domains) {
      const problem = specialParameterProblem(name, domain);
      if (problem) add(['space', name], problem, sweep.space[name]);
      if (sweep.strategy.kind === 'grid' && !isDiscrete(domain)) {
        add(['space', name], 'grid search needs discrete values (choice, int or fixed)', sweep.space[name]);
      }
    }
    if (sweep.strategy.kind === 'grid' && [...domains.values()].every(isDiscrete)) {
      const size = [...domains.values()].reduce((product, domain) => product * domainSize(domain), 1);
      if (size > 2 ** 52) add(['space'], `the grid has ${size.toExponential(2)} configurations, more than 2^52`, sweep.space);
    }
    const { strategy, budget, earlyStopping } = sweep;
    if (strategy.kind === 'tpe' && strategy.nStartupTrials >= budget.maxTrials) {
      add(
        ['strategy', 'nStartupTrials'],
        `TPE would never run: the first nStartupTrials finished trials are random and budget.maxTrials is ${budget.maxTrials} (lower it, or use strategy random)`,
        strategy.nStartupTrials,
      );
    }
    if (earlyStopping.kind === 'asha' && earlyStopping.maxResource !== undefined && earlyStopping.maxResource <= earlyStopping.gracePeriod) {
      add(
        ['earlyStopping', 'maxResource'],
        `must be above gracePeriod (${earlyStopping.gracePeriod}): ASHA only stops trials at rungs below maxResource`,
        earlyStopping.maxResource,
      );
    }
    if (earlyStopping.kind === 'median' && earlyStopping.minTrials >= budget.maxTrials) {
      add(
        ['earlyStopping', 'minTrials'],
        `median stopping would never stop a trial: it waits for minTrials completed trials and budget.maxTrials is ${budget.maxTrials}`,
        earlyStopping.minTrials,
      );
    }
    const seen = new Set<string>();
    (sweep.lrGroups ?? []).forEach((name, index) => {
      const domain = domains.get(name);
      if (seen.has(name)) add(['lrGroups', index], 'is listed twice', name);
      else if (!domain) add(['lrGroups', index], `is not a parameter of sweep.space (${names.join(', ')})`, name);
      else if (name === SpecialParameter.lrFactor) add(['lrGroups', index], 'lrFactor scales the range test result; it cannot select a range test', name);
      else if (!isDiscrete(domain)) add(['lrGroups', index], 'needs a discrete parameter (choice, int or fixed): one range test per value', name);
      seen.add(name);
    });
  });
export type SweepSpec = z.infer<typeof SweepSpec>;
export type SweepSpecInput = z.input<typeof SweepSpec>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * problemsFromZod shows an object-valued `input` only through its parent (it looks the last path key up in it):
 * wrap such values as { [last key]: value }. Scalars and arrays are shown as they are.
 */
export function shown(path: readonly (string | number)[], value: unknown): unknown {
  return isPlainObject(value) ? { [String(path[path.length - 1])]: value } : value;
}

/** lrFactor, batchSize and epochs have types the trial needs; other names are free hyperparameters. */
function specialParameterProblem(name: string, domain: ParameterDomain): string | null {
  if (name === SpecialParameter.lrFactor) {
    const positive =
      domain.kind === 'fixed' ? typeof domain.value === 'number' && domain.value > 0
      : domain.kind === 'choice' ? domain.values.every((value) => typeof value === 'number' && value > 0)
      : domain.low > 0;
    return positive ? null : 'lrFactor multiplies the suggested max LR: every value must be a number above 0';
  }
  if (name === SpecialParameter.batchSize || name === SpecialParameter.epochs) {
    const positiveInt = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1;
    const ok =
      domain.kind === 'fixed' ? positiveInt(domain.value)
      : domain.kind === 'choice' ? domain.values.every(positiveInt)
      : domain.kind === 'int' ? domain.low >= 1
      : false;
    return ok ? null : `${name} is a positive whole number: use { int: [low, high] } with low ≥ 1, a choice of such numbers or a fixed one`;
  }
  return null;
}

/** What `sweepContextIssues` needs to know about the rest of the pipeline file. */
export interface SweepContext {
  /** `train.epochs`: a trial's epochs unless the space sets `epochs`. */
  trainEpochs: number;
  /** Whether the pipeline runs an LR range test (`train.lrFind` with a one_cycle schedule). */
  rangeTest: boolean;
}

/** A problem found by `sweepContextIssues`: `path` is relative to the sweep section; pass it on with a `sweep` prefix. */
export interface SweepContextIssue {
  path: (string | number)[];
  message: string;
  /** For problemsFromZod's "(got …)": the value, object values wrapped by `shown`. */
  input: unknown;
}

/** The largest number of epochs any trial trains: the default ASHA maxResource. */
export function maxTrialEpochs(space: SweepSpace, trainEpochs: number): number {
  const spec = space[SpecialParameter.epochs];
  if (spec === undefined) return trainEpochs;
  const domain = parameterDomain(spec);
  if (domain.kind === 'fixed' || domain.kind === 'choice') {
    const values = domain.kind === 'fixed' ? [domain.value] : domain.values;
    return Math.max(...values.map(Number));
  }
  return domain.high;
}

/**
 * Checks that need the rest of the pipeline file; call from the pipeline schema's superRefine as
 * `ctx.addIssue({ code: 'custom', path: ['sweep', ...issue.path], message: issue.message, input: issue.input })`.
 */
export function sweepContextIssues(sweep: SweepSpec, context: SweepContext): SweepContextIssue[] {
  const issues: SweepContextIssue[] = [];
  if (sweep.space[SpecialParameter.lrFactor] !== undefined && !context.rangeTest) {
    issues.push({
      path: ['space', 'lrFactor'],
      message: 'multiplies the LR range test suggestion: add train.lrFind (with a one_cycle schedule without maxLr)',
      input: shown(['lrFactor'], sweep.space[SpecialParameter.lrFactor]),
    });
  }
  if (sweep.lrGroups && sweep.lrGroups.length > 0 && !context.rangeTest) {
    issues.push({ path: ['lrGroups'], message: 'selects range tests, but the pipeline runs none: add train.lrFind', input: sweep.lrGroups });
  }
  const epochs = maxTrialEpochs(sweep.space, context.trainEpochs);
  const stopping = sweep.earlyStopping;
  if (stopping.kind === 'asha') {
    const maxResource = stopping.maxResource ?? epochs;
    if (stopping.maxResource !== undefined && stopping.maxResource > epochs) {
      issues.push({ path: ['earlyStopping', 'maxResource'], message: `is above the epochs any trial trains (${epochs}): rungs past it never fill`, input: stopping.maxResource });
    } else if (maxResource <= stopping.gracePeriod) {
      issues.push({
        path: ['earlyStopping', 'gracePeriod'],
        message: `must be below maxResource (${maxResource}, the trials' epochs by default): ASHA would never stop a trial`,
        input: stopping.gracePeriod,
      });
    }
  }
  if (stopping.kind === 'median' && stopping.gracePeriod >= epochs) {
    issues.push({ path: ['earlyStopping', 'gracePeriod'], message: `must be below the trials' epochs (${epochs}): the rule would never stop a trial`, input: stopping.gracePeriod });
  }
  return issues;
}
