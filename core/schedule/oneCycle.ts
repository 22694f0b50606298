/**
 * The one-cycle learning-rate schedule, step for step the same as PyTorch's `torch.optim.lr_scheduler.OneCycleLR`
 * (checked against vectors recorded from PyTorch 1.13: test/fixtures/lr/generate_onecycle.py).
 *
 * Step `i` (0 ≤ i < totalSteps) is the lr and momentum that PyTorch's optimizer holds for the i-th batch, i.e.
 * after construction and `i` calls of `scheduler.step()`.
 *
 * Where this is stricter than PyTorch (each rejected case either crashes PyTorch or is almost surely a mistake):
 * - `pctStart` must lie in (0, 1); PyTorch takes [0, 1], but 0 and 1 leave a phase with no steps.
 * - `pctStart × totalSteps` must not be exactly 1: PyTorch divides 0 by 0 at step 0 (ZeroDivisionError).
 * - `totalSteps` together with `epochs`/`stepsPerEpoch` is an error; PyTorch silently ignores the latter.
 * - momenta must lie in [0, 1]; factors and `maxLr` must be positive and finite.
 * Where it matches PyTorch although the result is odd: `baseMomentum > maxMomentum` is accepted (momentum then
 * moves with the lr), and `threePhase` with `pctStart ≥ 0.5` never reaches the final phase.
 */
import { z } from 'zod';

/** One bad option: `pctStart: must be in (0, 1) (got 1.5)`. */
export interface OptionProblem {
  option: string;
  message: string;
  value: unknown;
}

/** Bad options for a core function; the message lists every problem, one per line. */
export class OptionsError extends Error {
  constructor(readonly problems: OptionProblem[]) {
    super(problems.map(formatOptionProblem).join('\n'));
    this.name = 'OptionsError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

export function formatOptionProblem(p: OptionProblem): string {
  return `${p.option}: ${p.message} (got ${describe(p.value)})`;
}

/** `['points', 3, 'lr']` -> `points[3].lr`. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out;
}

/**
 * Parses options with a zod schema; any problem becomes an `OptionsError` that names the option and value.
 * `root` prefixes every name, e.g. `points` for `points[3].lr`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, root?: string): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const prefix = root === undefined ? [] : [root];
  const problems: OptionProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const given = (issue.input ?? {}) as Record<string, unknown>;
      for (const key of issue.keys) {
        problems.push({ option: formatPath([...prefix, ...issue.path, key]), message: 'unknown option', value: given[key] });
      }
    } else {
      const option = formatPath([...prefix, ...issue.path]) || 'options';
      problems.push({ option, message: issue.message, value: issue.input });
    }
  }
  throw new OptionsError(problems);
}

/** A number schema whose type error says "required" when the option is missing. */
function num(message: string): z.ZodNumber {
  return z.number({ error: (issue) => (issue.input === undefined ? 'required' : message) });
}

const positiveInt = num('must be a whole number')
  .int('must be a whole number')
  .positive('must be positive')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');
const positive = num('must be a finite number').positive('must be positive');
const momentum = num('must be a finite number')
  .min(0, 'must be in [0, 1]')
  .max(1, 'must be in [0, 1]');

/** Options of `oneCycle`; names and defaults are PyTorch's, in camelCase. */
export const OneCycleOptions = z
  .strictObject({
    /** Peak learning rate. */
    maxLr: positive,
    /** Length of the cycle; or give `epochs` and `stepsPerEpoch`. */
    totalSteps: positiveInt.optional(),
    epochs: positiveInt.optional(),
    stepsPerEpoch: positiveInt.optional(),
    /** Fraction of the cycle spent raising the lr. @default 0.3 */
    pctStart: num('must be a number').gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)').default(0.3),
    /** @default 'cos' */
    annealStrategy: z.enum(['cos', 'linear'], { error: "must be 'cos' or 'linear'" }).default('cos'),
    /** initial lr = maxLr / divFactor. @default 25 */
    divFactor: positive.default(25),
    /** min lr = initial lr / finalDivFactor. @default 1e4 */
    finalDivFactor: positive.default(1e4),
    /** Fall back to the initial lr symmetrically, then anneal to the min lr in a third phase. @default false */
    threePhase: z.boolean({ error: 'must be true or false' }).default(false),
    /** Cycle momentum inversely to the lr. @default true */
    cycleMomentum: z.boolean({ error: 'must be true or false' }).default(true),
    /** Momentum at the lr peak. @default 0.85 */
    baseMomentum: momentum.default(0.85),
    /** Momentum at the start and end of the cycle. @default 0.95 */
    maxMomentum: momentum.default(0.95),
  })
  .superRefine((o, ctx) => {
    const add = (path: string, message: string, input: unknown): void => {
      ctx.addIssue({ code: 'custom', path: [path], message, input });
    };
    if (o.totalSteps !== undefined) {
      if (o.epochs !== undefined) add('epochs', 'give either totalSteps or epochs with stepsPerEpoch, not both', o.epochs);
      if (o.stepsPerEpoch !== undefined) {
        add('stepsPerEpoch', 'give either totalSteps or epochs with stepsPerEpoch, not both', o.stepsPerEpoch);
      }
      return;
    }
    if (o.epochs === undefined && o.stepsPerEpoch === undefined) {
      add('totalSteps', 'required (or give epochs and stepsPerEpoch)', undefined);
      return;
    }
    if (o.epochs === undefined) add('epochs', 'required together with stepsPerEpoch', undefined);
    if (o.stepsPerEpoch === undefined) add('stepsPerEpoch', 'required together with epochs', undefined);
  })
  .superRefine((o, ctx) => {
    const total = o.totalSteps ?? (o.epochs ?? 0) * (o.stepsPerEpoch ?? 0);
    if (!Number.isSafeInteger(total)) {
      ctx.addIssue({ code: 'custom', path: ['epochs'], message: 'epochs × stepsPerEpoch is too large', input: o.epochs });
    } else if (total > 0 && o.pctStart * total === 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['pctStart'],
        message: `must not make pctStart × totalSteps exactly 1 (totalSteps is ${total}): PyTorch's OneCycleLR divides by zero there`,
        input: o.pctStart,
      });
    }
  });
export type OneCycleOptions = z.input<typeof OneCycleOptions>;

/** The lr (and momentum, when cycled) of every step; `momentum` is empty when `cycleMomentum` is false, because
 * PyTorch then leaves the optimizer's momentum alone. */
export interface OneCycle {
  lr: number[];
  momentum: number[];
}

/** One step of the cycle; `phase` counts from 0 (warm-up). */
export interface OneCycleStep {
  lr: number;
  momentum: number | null;
  phase: number;
}

/** One phase as PyTorch lays it out: anneal from start to end until `endStep` (a float, as in PyTorch). */
export interface OneCyclePhase {
  endStep: number;
  startLr: number;
  endLr: number;
  startMomentum: number;
  endMomentum: number;
}

/** Validated options with the phases PyTorch builds in its constructor. */
export interface ResolvedOneCycle {
  totalSteps: number;
  cycleMomentum: boolean;
  anneal: (start: number, end: number, pct: number) => number;
  phases: OneCyclePhase[];
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/** Validates the options (throws `OptionsError`) and lays out the phases exactly as PyTorch does. */
export function resolveOneCycle(options: OneCycleOptions): ResolvedOneCycle {
  const o = parseOptions(OneCycleOptions, options);
  const totalSteps = o.totalSteps ?? (o.epochs as number) * (o.stepsPerEpoch as number);
  const initialLr = o.maxLr / o.divFactor;
  const minLr = initialLr / o.finalDivFactor;
  // The arithmetic below is PyTorch's, operation for operation, so the floats agree to the last bit or two
  // (Math.cos and C's cos may differ by an ulp).
  const warmupEnd = o.pctStart * totalSteps - 1;
  const phases: OneCyclePhase[] = o.threePhase
    ? [
        { endStep: warmupEnd, startLr: initialLr, endLr: o.maxLr, startMomentum: o.maxMomentum, endMomentum: o.baseMomentum },
        {
          endStep: 2 * o.pctStart * totalSteps - 2,
          startLr: o.maxLr,
          endLr: initialLr,
          startMomentum: o.baseMomentum,
          endMomentum: o.maxMomentum,
        },
        { endStep: totalSteps - 1, startLr: initialLr, endLr: minLr, startMomentum: o.maxMomentum, endMomentum: o.maxMomentum },
      ]
    : [
        { endStep: warmupEnd, startLr: initialLr, endLr: o.maxLr, startMomentum: o.maxMomentum, endMomentum: o.baseMomentum },
        { endStep: totalSteps - 1, startLr: o.maxLr, endLr: minLr, startMomentum: o.baseMomentum, endMomentum: o.maxMomentum },
      ];
  return {
    totalSteps,
    cycleMomentum: o.cycleMomentum,
    anneal: o.annealStrategy === 'cos' ? annealCos : annealLinear,
    phases,
  };
}

/** The lr and momentum at `step` (PyTorch's `get_lr` with `last_epoch = step`). */
export function oneCycleStepOf(resolved: ResolvedOneCycle, step: number): OneCycleStep {
  if (!Number.isInteger(step) || step < 0 || step >= resolved.totalSteps) {
    throw new RangeError(`step: must be a whole number in [0, ${resolved.totalSteps - 1}] (got ${step})`);
  }
  const { phases, anneal } = resolved;
  let startStep = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i] as OneCyclePhase;
    // The last phase also takes any step past its nominal end, as in PyTorch.
    if (step <= phase.endStep || i === phases.length - 1) {
      const pct = (step - startStep) / (phase.endStep - startStep);
      return {
        lr: anneal(phase.startLr, phase.endLr, pct),
        momentum: resolved.cycleMomentum ? anneal(phase.startMomentum, phase.endMomentum, pct) : null,
        phase: i,
      };
    }
    startStep = phase.endStep;
  }
  throw new Error('unreachable: the last phase takes every step');
}

/** The lr and momentum of one step; validates the options on every call, so prefer `oneCycle` for whole runs. */
export function oneCycleAt(options: OneCycleOptions, step: number): OneCycleStep {
  return oneCycleStepOf(resolveOneCycle(options), step);
}

/** Longest schedule `oneCycle` lists; beyond it a typo would hang the caller building the arrays. */
export const MAX_LISTED_STEPS = 10_000_000;

/** The whole schedule, one entry per step. Throws `OptionsError` naming the bad option and its value. */
export function oneCycle(options: OneCycleOptions): OneCycle {
  const resolved = resolveOneCycle(options);
  if (resolved.totalSteps > MAX_LISTED_STEPS) {
    throw new OptionsError([
      {
        option: options.totalSteps !== undefined ? 'totalSteps' : 'epochs',
        message: `gives ${resolved.totalSteps} steps, too many to list (at most ${MAX_LISTED_STEPS}); use oneCycleAt per step`,
        value: options.totalSteps ?? options.epochs,
      },
    ]);
  }
  const lr: number[] = [];
  const momentum: number[] = [];
  for (let step = 0; step < resolved.totalSteps; step++) {
    const s = oneCycleStepOf(resolved, step);
    lr.push(s.lr);
    if (s.momentum !== null) momentum.push(s.momentum);
  }
  return { lr, momentum };
}
