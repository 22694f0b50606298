/**
 * TPE's next configuration, computed outside the workflow: a suggestion looks at every earlier trial (O(n) per
 * trial), which inside a workflow task both slows the task (10,000 trials: tasks past Temporal's timeout) and is
 * redone on every replay. As a local activity its result is recorded once, in a marker, and replays read it.
 *
 * The observations are not re-sent whole each time (O(n) per trial, O(n²) per sweep): this worker keeps each
 * sweep run's list, and the workflow sends what changed since the version the list is at. A worker that does not
 * hold that version (restarted, or another worker) answers `resync` and gets the whole list. The rule itself is
 * pure code in core/sweep.
 */
import { configKey } from '../core/sweep/config.js';
import { planTrial, type TrialPlan } from '../core/sweep/plan.js';
import type { SweepSpec } from '../core/sweep/spec.js';
import type { TpeObservation } from '../core/sweep/tpe.js';

export interface SuggestTrialRequest {
  sweep: SweepSpec;
  trial: number;
  /** The sweep run (workflow id + run id): whose observation list this is. */
  key: string;
  /** The list's version after this request; `base` the version it must be at before (null: `changes` is the whole list). */
  version: number;
  base: number | null;
  /** Observations of the trials that are new or changed since `base` (running ones without a value). */
  changes: TpeObservation[];
}

export type SuggestTrialResult = { kind: 'plan'; plan: TrialPlan } | { kind: 'resync' };

interface CachedRun {
  version: number;
  observations: TpeObservation[];
  /** configKey of every configuration given out (repeats share their original's). */
  used: Set<string>;
}

/** Sweep runs this worker plans for; a few at once, the oldest forgotten first (a forgotten one resyncs). */
const runs = new Map<string, CachedRun>();
const MAX_RUNS = 32;

export async function suggestTrial(request: SuggestTrialRequest): Promise<SuggestTrialResult> {
  let run = runs.get(request.key);
  if (request.base === null) run = { version: -1, observations: [], used: new Set() };
  else if (!run || run.version !== request.base) return { kind: 'resync' };
  for (const observation of request.changes) {
    if (run.observations[observation.trial] === undefined) run.used.add(configKey(observation.config));
    run.observations[observation.trial] = observation;
  }
  run.version = request.version;
  runs.delete(request.key);
  runs.set(request.key, run);
  if (runs.size > MAX_RUNS) runs.delete(runs.keys().next().value as string);
  return { kind: 'plan', plan: planTrial({ sweep: request.sweep, trial: request.trial, used: run.used, observations: run.observations }) };
}
