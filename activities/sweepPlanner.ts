/**
 * TPE's next configuration, computed outside the workflow: a suggestion looks at every earlier trial (O(n) per
 * trial), which inside a workflow task both slows the task (1,000 trials: tasks past Temporal's timeout) and is
 * redone on every replay. As an activity its result is recorded once, and replays read it.
 *
 * The observations are not re-sent whole each time (O(n) per trial, O(n²) per sweep): this worker keeps each
 * sweep run's list, and the workflow sends what changed since the version the list is at. A worker that does not
 * hold that version (restarted, or another worker took the task) answers `resync` and gets the whole list. The rule itself is
 * pure code in core/sweep.
 */
import { configKey } from '../core/sweep/config.js';
import { planTrial, type TrialPlan } from '../core/sweep/plan.js';
import type { SweepSpec } from '../core/sweep/spec.js';
import type { TpeObservation } from '../core/sweep/tpe.js';

export interface SuggestTrialRequest {
  sweep: SweepSpec;
  /** The first trial to plan; `count` trials are planned in order, each seeing the ones before it as running. */
  trial: number;
  count: number;
  /** The sweep run (workflow id + run id): whose observation list this is. */
  key: string;
  /** The list's version after this request; `base` the version it must be at before (null: `changes` is the whole list). */
  version: number;
  base: number | null;
  /** Observations of the trials that are new or changed since `base` (running ones without a value). */
  changes: TpeObservation[];
}

export type SuggestTrialResult = { kind: 'plans'; plans: TrialPlan[] } | { kind: 'resync' };

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
  const observe = (cached: CachedRun, observation: TpeObservation) => {
    if (cached.observations[observation.trial] === undefined) cached.used.add(configKey(observation.config));
    cached.observations[observation.trial] = observation;
  };
  for (const observation of request.changes) observe(run, observation);
  // One call fills every free slot: each plan sees the ones before it as running trials, as separate calls would.
  const plans: TrialPlan[] = [];
  for (let trial = request.trial; trial < request.trial + request.count; trial++) {
    const plan = planTrial({ sweep: request.sweep, trial, used: run.used, observations: run.observations });
    plans.push(plan);
    if (plan.kind === 'done') break;
    const config = plan.kind === 'new' ? plan.config : (run.observations[plan.sameAsTrial]?.config ?? {});
    observe(run, { trial, config, state: 'running', value: null });
  }
  run.version = request.version;
  runs.delete(request.key);
  runs.set(request.key, run);
  if (runs.size > MAX_RUNS) runs.delete(runs.keys().next().value as string);
  return { kind: 'plans', plans };
}
