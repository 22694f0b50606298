/**
 * The headline metric `evaluate.metric` chooses, which way is better for it, and the number a goal is checked
 * against: the estimate, or with `goal.on: lowerBound` the interval's low end (so a goal of accuracy >= 0.9 is met
 * only when the data show it at the chosen confidence, not just on this draw of test rows).
 */
import type { Interval } from './interval.js';

export const HEADLINE_METRICS = ['accuracy', 'macroF1', 'balancedAccuracy', 'logLoss', 'auc'] as const;
export type HeadlineMetric = (typeof HEADLINE_METRICS)[number];

export const GOAL_ON = ['estimate', 'lowerBound'] as const;
export type GoalOn = (typeof GOAL_ON)[number];

/** Log loss is the one headline where less is better. */
export function higherIsBetter(metric: HeadlineMetric): boolean {
  return metric !== 'logLoss';
}

/**
 * The value a goal compares: `lowerBound` is literally the interval's low end, the pessimistic end for every
 * headline but log loss (where the high end is; a log-loss goal should use `estimate` or be read with that in mind).
 */
export function goalValue(interval: Interval, on: GoalOn): number {
  return on === 'lowerBound' ? interval.low : interval.estimate;
}
