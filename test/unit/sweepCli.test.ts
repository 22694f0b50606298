/** `gauntlet sweep status` rendering: what a person sees for a sweep larger than the leaderboard's shown trials. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderLeaderboard } from '../../cli/commands/sweep.js';
import type { Leaderboard, TrialRecord } from '../../contracts/sweep.js';

function trial(n: number, status: TrialRecord['status'], objective: number | null, extra: Partial<TrialRecord> = {}): TrialRecord {
  return {
    trial: n, config: { hidden: 64, dropout: n / 100 }, source: 'random', status, seed: 0, maxLr: 0.3, epochs: 9, batchSize: 64,
    curve: [0.5, null, 0.8], reportedEpoch: 3, metrics: objective === null ? {} : { val_accuracy: objective }, objective, decisions: [],
    launches: 1, gpuSeconds: 12, startedAt: '2026-11-26T10:00:00Z', ...extra,
  };
}

describe('sweep status table', () => {
  test('GIVEN a 2,500-trial sweep WHEN the leaderboard shows 3 of them THEN the header counts every trial, says what is shown, and the best is starred first', () => {
    const best = trial(7, 'completed', 0.981);
    const board: Leaderboard = {
      status: 'running',
      objective: { metric: 'val_accuracy', direction: 'maximize' },
      concurrency: 64,
      counts: { running: 1, completed: 2000, stopped: 490, failed: 9 },
      trials: [trial(2499, 'running', null), best, trial(2400, 'stopped', null, { stopReason: 'rung at epoch 3: val_accuracy 0.8 below the cutoff 0.9 of 812 trial(s)' })],
      best,
      tableUri: 's3://gauntlet/runs/x-sweep/trials.json',
      runs: 4,
      stoppedBecause: null,
      endReason: '',
    };
    const text = renderLeaderboard(board, new Map([['trial-2499', { epoch: 5, metrics: { val_accuracy: 0.913 } }]]));
    assert.match(text, /^running · 1 running · 2000 completed · 490 stopped · 9 failed · at most 64 at once/);
    assert.match(text, /showing the running, best and latest 3 of 2500 trials \(--json: all\)/);
    assert.ok(text.indexOf('7 ★') < text.indexOf('2400'), 'the best completed trial comes first');
    assert.match(text, /the cutoff 0\.9 of 812/);
    assert.match(text, /best: trial 7 · val_accuracy 0\.981/);
    assert.match(text, /2499 +│ running +│[^\n]*│ 5\/9 +│ 0\.913/, 'a running trial shows its live epoch and metric from its heartbeat');
  });
});
