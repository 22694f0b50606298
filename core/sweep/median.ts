/**
 * The median stopping rule (Golovin et al. 2017, Google Vizier), in the form of Optuna's MedianPruner
 * (PercentilePruner(50), optuna/pruners/_percentile.py), on epochs:
 *
 * When a trial reports epoch t, it is stopped when
 *   - t ≥ gracePeriod (every trial trains at least gracePeriod epochs; Optuna's n_warmup_steps = gracePeriod − 1
 *     with 0-based steps),
 *   - at least minTrials trials have completed (Optuna's n_startup_trials; stopped and failed trials do not count),
 *   - and the trial's best value so far (max for maximize, min for minimize, over all its epochs up to t — Optuna's
 *     `_get_best_intermediate_result_over_steps`, and Vizier's "best objective value by step t") is strictly worse
 *     than the median of the values completed trials reported at epoch t (numpy's linear percentile 50; at least one
 *     completed trial must have reported epoch t, Optuna's n_min_trials = 1). Equal to the median continues.
 * Optuna compares with completed trials' values at the same step, not Vizier's/Ray's running averages; we follow
 * Optuna. A trial whose values so far are all NaN is stopped once the rule is active (Optuna prunes a NaN best).
 *
 * NaN, infinite or missing values count as the worst value (Optuna's nanmax/nanpercentile ignore them instead): in a
 * completed trial's reference values they rank below every real value, in a trial's own history they never beat a
 * real value.
 *
 * Pure state machine: `medianStep(options, state, event) → { state, decision }`; the input state is never modified
 * and the state is plain JSON. Reference values are kept sorted per epoch, so a decision is O(1) after the report.
 */
import { EMPTY_RANKED, rankedSize, rawPercentile, withValue, type RankedValues } from './percentile.js';
import type { Direction } from './spec.js';
import { formatMetric, storedThreshold, storedValue, type MetricReport, type StoppingDecision } from './stopping.js';

export interface MedianOptions {
  gracePeriod: number;
  minTrials: number;
  direction: Direction;
  /** Metric name for reasons. @default "metric" */
  metric?: string;
}

export interface MedianState {
  /** Trials that ran to the end. */
  completed: number;
  /** Epoch → the values completed trials reported at that epoch, sorted (NaN/missing counted apart as the worst). */
  completedValues: Record<string, RankedValues>;
  /** Trial number → its values by epoch, while it runs (few at a time): they join completedValues when it completes. */
  running: Record<string, Record<string, number | null>>;
  /** Per trial number: the epoch it was stopped at (null or absent: not stopped). */
  stoppedAt: Array<number | null>;
}

export type MedianEvent =
  | MetricReport
  /** The trial ran to the end: its values become reference values (a trial that never reported is not counted). */
  | { type: 'complete'; trial: number }
  /** The trial failed or was stopped by something else: its values are dropped. */
  | { type: 'end'; trial: number };

export function medianInitialState(): MedianState {
  return { completed: 0, completedValues: {}, running: {}, stoppedAt: [] };
}

export function medianStep(options: MedianOptions, state: MedianState, event: MedianEvent): { state: MedianState; decision: StoppingDecision | null } {
  if (!Number.isSafeInteger(event.trial) || event.trial < 0) throw new RangeError(`trial must be a trial number (got ${event.trial})`);
  if (event.type === 'complete') return { state: complete(state, event.trial), decision: null };
  if (event.type === 'end') return { state: { ...state, running: without(state.running, String(event.trial)) }, decision: null };
  return report(options, state, event);
}

function report(options: MedianOptions, state: MedianState, event: MetricReport): { state: MedianState; decision: StoppingDecision } {
  const metric = options.metric ?? 'metric';
  const value = storedValue(event.value);
  const base = { epoch: event.epoch, value };
  const id = String(event.trial);
  const stoppedAt = state.stoppedAt[event.trial];
  if (stoppedAt !== undefined && stoppedAt !== null) return { state, decision: { ...base, action: 'stop', reason: `already stopped at epoch ${stoppedAt}` } };

  const history = { ...(state.running[id] ?? {}), [String(event.epoch)]: value };
  const next: MedianState = { ...state, running: { ...state.running, [id]: history } };
  const keepGoing = (reason: string, extra: Partial<StoppingDecision> = {}) => ({ state: next, decision: { ...base, ...extra, action: 'continue' as const, reason } });
  const stop = (reason: string, extra: Partial<StoppingDecision>) => {
    const stopped = next.stoppedAt.slice();
    while (stopped.length < event.trial) stopped.push(null);
    stopped[event.trial] = event.epoch;
    return { state: { ...next, running: without(next.running, id), stoppedAt: stopped }, decision: { ...base, ...extra, action: 'stop' as const, reason } };
  };

  if (event.epoch < options.gracePeriod) return keepGoing(`epoch ${event.epoch} is within the grace period (${options.gracePeriod})`);
  if (state.completed < options.minTrials) return keepGoing(`${state.completed} of minTrials ${options.minTrials} trials completed`);
  const best = bestSoFar(Object.values(history), options.direction);
  if (best === null) return stop(`every ${metric} value so far is NaN or missing`, {});
  const reference = state.completedValues[String(event.epoch)] ?? EMPTY_RANKED;
  const basis = rankedSize(reference);
  if (basis === 0) return keepGoing(`no completed trial reported epoch ${event.epoch}`);
  const median = rawPercentile(reference, 0.5, options.direction) as number;
  const worse = options.direction === 'maximize' ? best < median : best > median;
  const side = worse ? (options.direction === 'maximize' ? 'below' : 'above') : 'not worse than';
  const reason = `epoch ${event.epoch}: best ${metric} so far ${formatMetric(best)} ${side} the median ${formatMetric(median)} of ${basis} completed trial(s)`;
  const evidence = { threshold: storedThreshold(median), basis };
  return worse ? stop(reason, evidence) : keepGoing(reason, evidence);
}

function bestSoFar(values: ReadonlyArray<number | null>, direction: Direction): number | null {
  const real = values.filter((v): v is number => v !== null);
  if (real.length === 0) return null;
  return direction === 'maximize' ? Math.max(...real) : Math.min(...real);
}

/** Only a running trial that reported can complete: a repeated 'complete' (a replay) changes nothing. */
function complete(state: MedianState, trial: number): MedianState {
  const id = String(trial);
  const history = state.running[id];
  if (history === undefined) return state;
  const completedValues = { ...state.completedValues };
  for (const [epoch, value] of Object.entries(history)) completedValues[epoch] = withValue(completedValues[epoch] ?? EMPTY_RANKED, value);
  return { ...state, completed: state.completed + 1, completedValues, running: without(state.running, id) };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}
