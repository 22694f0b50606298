/**
 * Asynchronous successive halving (Li et al. 2018, "A System for Massively Parallel Hyperparameter Tuning"), as Ray
 * Tune's ASHAScheduler implements it with one bracket (`brackets=1`, `stop_last_trials=True`):
 *
 * - Rungs at milestones gracePeriod × η^k ≤ maxResource (epochs), η = reductionFactor.
 * - When a trial reports epoch t ≥ maxResource it is stopped (its budget is spent); its value is still recorded
 *   as Ray's on_trial_complete does.
 * - Otherwise, going down from the highest milestone, the first rung with milestone ≤ t that has no value of this
 *   trial yet judges it (Ray's `_Bracket.on_result`): the cutoff is the (1 − 1/η) quantile — numpy's linear
 *   percentile, `np.nanpercentile(recorded, (1 − 1/η)·100)` — of the values recorded at that rung *before* this
 *   one (so the first trial at a rung always passes); the trial stops when its value is strictly below the cutoff
 *   (in the maximize sense; for minimize values are negated first, as Ray's metric_op does). A value equal to the
 *   cutoff continues. Then the value is recorded at that rung. Reports that reach no new rung continue.
 *
 * NaN, infinite or missing values (where we differ from Ray, which drops NaN from the cutoff and lets a NaN trial
 * continue because `nan < cutoff` is false): they count as the worst value — recorded at the rung as the worst, so
 * they still count towards the rung's size, and the trial that reported one is stopped at that rung.
 *
 * Pure state machine: `ashaStep(options, state, report) → { state, decision }`; the input state is never modified
 * and the state is plain JSON. It is sized for 10,000-trial sweeps: rungs keep their values sorted (a cutoff is
 * O(1), a new value an O(n) array copy), and per-trial facts are arrays indexed by trial number.
 */
import { EMPTY_RANKED, orientedPercentile, rankedSize, withValue, type RankedValues } from './percentile.js';
import type { Direction } from './spec.js';
import { formatMetric, storedThreshold, storedValue, type MetricReport, type StoppingDecision } from './stopping.js';

export interface AshaOptions {
  gracePeriod: number;
  reductionFactor: number;
  /** In epochs; the spec's default is the trials' epochs (see `maxTrialEpochs`). */
  maxResource: number;
  direction: Direction;
  /** Metric name for reasons. @default "metric" */
  metric?: string;
}

export interface AshaRung extends RankedValues {
  milestone: number;
}

export interface AshaState {
  /** Ascending milestones, each with the values recorded there (NaN/missing counted apart as the worst). */
  rungs: AshaRung[];
  /** Per trial number: bit k set when rung k holds the trial's value (0 or absent: none). */
  recorded: number[];
  /** Per trial number: the epoch it was stopped at (null or absent: not stopped); a replayed report gets the same answer. */
  stoppedAt: Array<number | null>;
}

/** gracePeriod × η^k for k = 0, 1, … while ≤ maxResource, in integer arithmetic (no log rounding). */
export function ashaMilestones(options: Pick<AshaOptions, 'gracePeriod' | 'reductionFactor' | 'maxResource'>): number[] {
  const milestones: number[] = [];
  for (let m = options.gracePeriod; m <= options.maxResource; m *= options.reductionFactor) milestones.push(m);
  return milestones;
}

export function ashaInitialState(options: AshaOptions): AshaState {
  const rungs = ashaMilestones(options).map((milestone) => ({ milestone, ...EMPTY_RANKED }));
  if (rungs.length > 30) throw new RangeError('ASHA supports at most 30 rungs');
  return { rungs, recorded: [], stoppedAt: [] };
}

/** Ray's quantile, computed through the same floating-point steps: ((1 − 1/η)·100)/100. */
export function ashaQuantile(reductionFactor: number): number {
  return ((1 - 1 / reductionFactor) * 100) / 100;
}

/** Values in the maximize sense (minimize negated), as Ray's metric_op; no value ranks below everything. */
function oriented(value: number | null, direction: Direction): number {
  if (value === null) return -Infinity;
  return direction === 'maximize' ? value : -value;
}

/** The rung's cutoff in the metric's own units, or undefined when nothing is recorded there yet. */
export function ashaCutoff(rung: RankedValues, reductionFactor: number, direction: Direction): number | undefined {
  const cutoff = orientedPercentile(rung, ashaQuantile(reductionFactor), direction);
  return cutoff === undefined || direction === 'maximize' ? cutoff : -cutoff;
}

export function ashaStep(options: AshaOptions, state: AshaState, report: MetricReport): { state: AshaState; decision: StoppingDecision } {
  if (!Number.isSafeInteger(report.trial) || report.trial < 0) throw new RangeError(`trial must be a trial number (got ${report.trial})`);
  const metric = options.metric ?? 'metric';
  const value = storedValue(report.value);
  const base = { epoch: report.epoch, value };
  const stoppedAt = state.stoppedAt[report.trial];
  if (stoppedAt !== undefined && stoppedAt !== null) {
    return { state, decision: { ...base, action: 'stop', reason: `already stopped at epoch ${stoppedAt}` } };
  }
  const index = rungToJudge(state, report);
  const rung = index === undefined ? undefined : state.rungs[index];
  const cutoff = rung && ashaCutoff(rung, options.reductionFactor, options.direction);
  const basis = rung ? rankedSize(rung) : 0;
  const next = index === undefined ? state : withRecorded(state, index, report.trial, value);

  if (report.epoch >= options.maxResource) {
    return stop(next, report, { ...base, action: 'stop', complete: true, reason: `reached maxResource (${options.maxResource} epochs)` });
  }
  if (!rung) return { state, decision: { ...base, action: 'continue', reason: 'no new rung reached' } };
  const where = `rung at epoch ${rung.milestone}`;
  const evidence = { ...base, milestone: rung.milestone, threshold: storedThreshold(cutoff), basis };
  if (value === null) {
    return stop(next, report, { ...evidence, action: 'stop', reason: `${where}: ${metric} is NaN or missing, counted as worst` });
  }
  if (cutoff === undefined) {
    return { state: next, decision: { ...evidence, action: 'continue', reason: `${where}: first trial at this rung` } };
  }
  const stops = oriented(value, options.direction) < oriented(cutoff, options.direction);
  const side = stops ? (options.direction === 'maximize' ? 'below' : 'above') : 'not worse than';
  const reason = `${where}: ${metric} ${formatMetric(value)} ${side} the cutoff ${formatMetric(cutoff)} of ${basis} trial(s)`;
  if (stops) return stop(next, report, { ...evidence, action: 'stop', reason });
  return { state: next, decision: { ...evidence, action: 'continue', reason } };
}

/** Ray's loop: from the highest milestone down, the first rung reached (milestone ≤ epoch) without this trial. */
function rungToJudge(state: AshaState, report: MetricReport): number | undefined {
  const mask = state.recorded[report.trial] ?? 0;
  for (let i = state.rungs.length - 1; i >= 0; i--) {
    if (report.epoch < (state.rungs[i] as AshaRung).milestone || (mask & (1 << i)) !== 0) continue;
    return i;
  }
  return undefined;
}

/** A copy of `array` with `array[index] = value`, holes filled with `fill` (JSON has no holes). */
function withEntry<T>(array: readonly T[], index: number, value: T, fill: T): T[] {
  const copy = array.slice();
  while (copy.length < index) copy.push(fill);
  copy[index] = value;
  return copy;
}

function withRecorded(state: AshaState, index: number, trial: number, value: number | null): AshaState {
  const rungs = state.rungs.map((rung, i) => (i === index ? { milestone: rung.milestone, ...withValue(rung, value) } : rung));
  const recorded = withEntry(state.recorded, trial, (state.recorded[trial] ?? 0) | (1 << index), 0);
  return { rungs, recorded, stoppedAt: state.stoppedAt };
}

function stop(state: AshaState, report: MetricReport, decision: StoppingDecision): { state: AshaState; decision: StoppingDecision } {
  return { state: { ...state, stoppedAt: withEntry(state.stoppedAt, report.trial, report.epoch, null) }, decision };
}
