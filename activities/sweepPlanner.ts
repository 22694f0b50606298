/**
 * TPE's next configuration, computed outside the workflow: a suggestion looks at every earlier trial (O(n) per
 * trial), which inside a workflow task both slows the task (10,000 trials: tasks past Temporal's timeout) and is
 * redone on every replay. As a local activity its result is recorded once, in a marker, and replays read it.
 * The rule itself is pure code in core/sweep.
 */
import { configKey } from '../core/sweep/config.js';
import { planTrial, type TrialPlan } from '../core/sweep/plan.js';
import type { SweepSpec } from '../core/sweep/spec.js';
import type { TpeObservation } from '../core/sweep/tpe.js';

export interface SuggestTrialRequest {
  sweep: SweepSpec;
  trial: number;
  /** Every earlier trial: finished ones with their values, running ones without. */
  observations: TpeObservation[];
}

export async function suggestTrial(request: SuggestTrialRequest): Promise<TrialPlan> {
  // Every configuration given out so far is an observation (repeats share their original's configuration).
  const used = new Set(request.observations.map((observation) => configKey(observation.config)));
  return planTrial({ sweep: request.sweep, trial: request.trial, used, observations: request.observations });
}
