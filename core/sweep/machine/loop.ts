/**
 * The scheduling loop's decisions: whether the sweep must end (a service lost, too many failed trials, the
 * deadline), hand over to a fresh run (the history is large), launch a trial, finish, or wait.
 */
import { INFRASTRUCTURE_UNAVAILABLE, StoppedBecause } from '../../failures.js';
import type { SweepResult } from '../records.js';
import type { SweepDecision } from './events.js';
import { carryOf, HISTORY_BYTES_LIMIT, type SweepState } from './state.js';

export function turn(state: SweepState, now: number, historyEvents: number, historyBytes: number): SweepDecision[] {
  const { budget } = state.sweep;
  const decisions: SweepDecision[] = [];
  if (state.outage !== null && !state.exhausted) {
    state.exhausted = true;
    for (const trial of state.active) decisions.push({ kind: 'stopTrial', trial });
  }
  if (state.counts.failed > budget.maxFailedTrials && !state.exhausted) {
    state.exhausted = true;
    state.endReason = `${state.counts.failed} trials failed (budget.maxFailedTrials ${budget.maxFailedTrials})`;
    state.stoppedBecause = StoppedBecause.MaxFailedTrials;
    // The trials still running are stopped by the sweep, not failed: their own rule would have let them go on.
    for (const trial of state.active) {
      if (!state.stopReasons.has(trial)) state.stopReasons.set(trial, `the sweep stopped: ${state.endReason}`);
      decisions.push({ kind: 'stopTrial', trial });
    }
  }
  if (!state.exhausted && now >= state.deadline) {
    state.exhausted = true;
    state.endReason = `deadline ${budget.deadline} reached`;
    state.stoppedBecause = StoppedBecause.Deadline;
  }
  if (!state.exhausted && (historyEvents > state.historyLimit || historyBytes > HISTORY_BYTES_LIMIT)) return [...decisions, { kind: 'handOver' }];
  if (!state.exhausted && state.running < state.concurrency) decisions.push({ kind: 'plan' });
  return decisions;
}

/** Nothing was launched: the sweep ends once no trial runs, or waits for a trial to end or a person to act. */
export function idle(state: SweepState): SweepDecision[] {
  return state.running === 0 ? [{ kind: 'end' }] : [{ kind: 'wait', since: wakeups(state) }];
}

/** Grows when a trial ends or a person changes something: what a wait waits for. */
export function wakeups(state: SweepState): number {
  return state.finished + state.userChanges;
}

/** The hand-over waits for the stops already decided, so no job is killed after the next run has adopted it. */
export function stopsSettled(state: SweepState): boolean {
  return [...state.stopReasons.keys()].every((trial) => !state.active.has(trial));
}

export function handOver(state: SweepState): SweepDecision[] {
  state.closing = true;
  return [{ kind: 'continueAsNew', carry: carryOf(state) }];
}

export function end(state: SweepState): SweepDecision[] {
  if (state.outage !== null) {
    return [
      {
        kind: 'fail',
        message: `sweep stopped after ${state.summaries.length} trials: ${state.outage}`,
        type: INFRASTRUCTURE_UNAVAILABLE,
        memo: { stoppedBecause: 'infrastructure', endReason: state.outage },
      },
    ];
  }
  const { stoppedBecause, endReason } = state;
  return [{ kind: 'finish', result: resultOf(state), memo: { stoppedBecause, endReason } }];
}

function resultOf(state: SweepState): SweepResult {
  const { counts } = state;
  return {
    trials: state.summaries.length,
    completed: counts.completed,
    stopped: counts.stopped,
    failed: counts.failed,
    best: state.best,
    tableUri: state.tableUri,
    runs: state.input.runs,
    stoppedBecause: state.stoppedBecause,
    endReason: state.endReason,
  };
}
