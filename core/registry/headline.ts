/**
 * The headline of a run's metrics: the evaluate split's metric (`test_accuracy`), or the final-output accuracy when
 * the spec declares an output conversion (as the pipeline's evaluate stage reports it). One function, so the promote
 * stage and `gauntlet models promote` name the same metric and their records compare.
 */
import { higherIsBetter } from './direction.js';
import type { Headline, MetricValue } from './schemas.js';

export interface EvaluateView {
  split: string;
  metric: string;
}

export function headlineName(evaluate: EvaluateView, metrics: Readonly<Record<string, MetricValue | undefined>>): string {
  const final = `${evaluate.split}_final_accuracy`;
  if (evaluate.metric === 'accuracy' && metrics[final] !== undefined && metrics[final] !== null) return final;
  return `${evaluate.split}_${evaluate.metric}`;
}

/** null when the run has no value for it. */
export function headlineOf(evaluate: EvaluateView, metrics: Readonly<Record<string, MetricValue | undefined>>): Headline | null {
  const name = headlineName(evaluate, metrics);
  const value = metrics[name];
  if (value === undefined || value === null) return null;
  const direction = higherIsBetter(evaluate.metric);
  if (typeof value === 'number') return { name, estimate: value, low: null, high: null, higherIsBetter: direction };
  return { name, estimate: value.estimate, low: value.low, high: value.high, higherIsBetter: direction };
}
