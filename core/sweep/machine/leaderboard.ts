/** The leaderboard query: the running trials, the best and the latest finished ones (the whole table is in the store). */
import type { Leaderboard, TrialRecord } from '../records.js';
import type { SweepState } from './state.js';

export function leaderboardOf(state: SweepState): Leaderboard {
  const shown = new Map<number, TrialRecord>();
  for (const record of [...state.open.values()].filter((r) => r.status === 'running').concat(state.top, state.latest)) shown.set(record.trial, record);
  const done = state.exhausted && state.running === 0;
  const { metric, direction } = state.sweep.objective;
  return {
    status: done ? 'done' : 'running',
    objective: { metric, direction },
    concurrency: state.concurrency,
    counts: { ...state.counts },
    trials: [...shown.values()].sort((a, b) => a.trial - b.trial),
    best: state.best,
    tableUri: state.tableUri,
    runs: state.input.runs,
    stoppedBecause: done ? state.stoppedBecause : null,
    endReason: state.endReason,
  };
}
