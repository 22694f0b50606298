/**
 * The next trial's plan. Grid and random are planned here; TPE reads every earlier trial, so it is planned by an
 * activity that keeps its copy of the observations between calls: each call sends only what changed since the
 * version that copy is at, and a planner that lost its copy answers `resync` and gets the whole list once.
 */
import { planTrial } from '../plan.js';
import type { TrialSummary } from '../records.js';
import type { TpeObservation } from '../tpe.js';
import type { PlannerAnswer, SweepDecision } from './events.js';
import { launchPlan } from './trials.js';
import type { SweepState } from './state.js';

export function planNext(state: SweepState, now: number): SweepDecision[] {
  const trial = state.summaries.length;
  if (state.sweep.strategy.kind !== 'tpe') return launchPlan(state, planTrial({ sweep: state.sweep, trial, used: state.used, observations: state.summaries }), now);
  const plan = state.planner.plans.shift();
  // Plans are for the trials right after the last one, under the budget they were made with (a person may lower it).
  if (plan && plan.trial === trial && trial < state.sweep.budget.maxTrials) return launchPlan(state, plan, now);
  state.planner.plans = [];
  const count = Math.max(1, state.concurrency - state.running);
  state.planner.pending = { trial, count, resynced: false };
  return [suggest(state, trial, count, state.planner.base === null)];
}

export function planned(state: SweepState, answer: PlannerAnswer, now: number): SweepDecision[] {
  const { planner } = state;
  const pending = planner.pending;
  if (!pending) return [];
  if (answer.kind === 'resync') {
    if (pending.resynced) return [{ kind: 'fail', message: 'the TPE planner asked to resync a full observation list', type: 'PlannerFailed' }];
    pending.resynced = true;
    return [suggest(state, pending.trial, pending.count, true)];
  }
  planner.pending = null;
  planner.base = planner.version;
  planner.plans.push(...answer.plans);
  // A person may have stopped the sweep or lowered its budget while the planner worked: the plans are dropped.
  if (state.exhausted || state.running >= state.concurrency || pending.trial >= state.sweep.budget.maxTrials) {
    planner.plans = [];
    return [];
  }
  const plan = planner.plans.shift();
  return plan ? launchPlan(state, plan, now) : [];
}

function suggest(state: SweepState, trial: number, count: number, full: boolean): SweepDecision {
  const { planner, summaries } = state;
  planner.version += 1;
  const changes = full ? summaries : [...planner.changed].sort((a, b) => a - b).flatMap((n) => summaries[n] ?? []);
  const base = full || planner.base === null ? null : planner.base;
  planner.changed.clear();
  return { kind: 'suggest', request: { sweep: state.sweep, trial, count, version: planner.version, base, changes: changes.map(observationOf) } };
}

/** The sampler's view of a trial (the summary without the workflow's bookkeeping). */
function observationOf({ source: _source, ...observation }: TrialSummary): TpeObservation {
  return observation;
}
