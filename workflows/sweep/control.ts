/**
 * The sweep's query, updates and progress signal, answered by its state machine. A refused update fails with an
 * ApplicationFailure that names why: the person sees the reason, and the workflow task is never retried for it.
 */
import { ApplicationFailure, setHandler, type CancellationScope } from '@temporalio/workflow';
import type { SweepDecision, SweepMachine } from '../../core/sweep/machine/index.js';
import { jobProgressSignal } from '../../contracts/pipeline.js';
import { leaderboardQuery, stopSweepUpdate, sweepBudgetUpdate, type StopSweepRequest } from '../../contracts/sweep.js';
import { rungOf } from './progress.js';

/** Cancels the jobs of the trials the machine decided to stop (a stopped trial's scope ends its job). */
export function carryOutStops(decisions: readonly SweepDecision[], scopes: ReadonlyMap<number, CancellationScope>): void {
  for (const decision of decisions) if (decision.kind === 'stopTrial') scopes.get(decision.trial)?.cancel();
}

export function setControlHandlers(machine: SweepMachine, scopes: ReadonlyMap<number, CancellationScope>): void {
  setHandler(leaderboardQuery, () => machine.leaderboard());

  setHandler(
    stopSweepUpdate,
    ({ now, reason }) => {
      carryOutStops(machine.handle({ type: 'stopRequested', now, ...(reason !== undefined ? { reason } : {}) }), scopes);
      return { running: machine.running, trials: machine.trials };
    },
    {
      validator: (_request: StopSweepRequest) => {
        const refusal = machine.refuseStop();
        if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
      },
    },
  );

  setHandler(
    sweepBudgetUpdate,
    ({ maxTrials, gpuBudget }) => {
      machine.handle({ type: 'budgetChanged', ...(maxTrials !== undefined ? { maxTrials } : {}), ...(gpuBudget !== undefined ? { gpuBudget } : {}) });
      return machine.budget;
    },
    {
      validator: (request) => {
        const refusal = machine.refuseBudget(request);
        if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
      },
    },
  );

  /** Epochs from a trial's job feed the stopping rule; a `stop` cancels that trial's job. */
  setHandler(jobProgressSignal, (update) => {
    const rung = rungOf(update, machine.objective.metric);
    if (rung) carryOutStops(machine.handle({ type: 'rung', ...rung }), scopes);
  });
}
