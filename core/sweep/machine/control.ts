/** A person acting on a running sweep: stop it (`gauntlet sweep stop`), change its budget (`gauntlet sweep budget`). */
import { StoppedBecause } from '../../failures.js';
import type { Refusal, SweepDecision } from './events.js';
import type { SweepState } from './state.js';

export interface BudgetRequest {
  maxTrials?: number;
  gpuBudget?: number;
}

function ending(state: SweepState): Refusal | null {
  if (state.closing) return { type: 'SweepHandingOver', message: 'the sweep is handing over to its next run: try again in a moment' };
  if (state.exhausted) return { type: 'SweepEnding', message: `the sweep is already ending: ${state.endReason || 'no more trials to launch'}` };
  return null;
}

export function refuseStop(state: SweepState): Refusal | null {
  return ending(state);
}

/** A budget never goes below what already ran: fewer trials than launched, fewer GPUs than the running trials hold. */
export function refuseBudget(state: SweepState, { maxTrials, gpuBudget }: BudgetRequest): Refusal | null {
  if (maxTrials === undefined && gpuBudget === undefined) return { type: 'BadInput', message: 'give --max-trials or --gpu-budget' };
  const closed = ending(state);
  if (closed) return closed;
  const launched = state.summaries.length;
  if (maxTrials !== undefined && (!Number.isInteger(maxTrials) || maxTrials < launched)) {
    return { type: 'BudgetRefused', message: `--max-trials ${maxTrials}: ${launched} trials have already been launched; the budget cannot go below that` };
  }
  if (gpuBudget !== undefined) {
    const { gpusPerTrial } = state.sweep.budget;
    const { running } = state;
    if (!Number.isInteger(gpuBudget) || gpuBudget < gpusPerTrial) return { type: 'BudgetRefused', message: `--gpu-budget ${gpuBudget}: a trial needs ${gpusPerTrial} GPU(s) (budget.gpusPerTrial)` };
    if (Math.floor(gpuBudget / gpusPerTrial) < running) {
      return { type: 'BudgetRefused', message: `--gpu-budget ${gpuBudget}: ${running} trials are running on ${running * gpusPerTrial} GPUs now; stop some or wait until they finish` };
    }
  }
  return null;
}

/** Applies a budget change (already validated by refuseBudget). */
export function changeBudget(state: SweepState, { maxTrials, gpuBudget }: BudgetRequest): SweepDecision[] {
  const { budget } = state.sweep;
  if (maxTrials !== undefined) budget.maxTrials = maxTrials;
  if (gpuBudget !== undefined) budget.gpuBudget = gpuBudget;
  state.concurrency = Math.floor(budget.gpuBudget / budget.gpusPerTrial);
  state.userChanges += 1;
  return [];
}

/** Launches no more trials; with `now`, stops the running ones too. */
export function stopSweep(state: SweepState, now: boolean, reason: string | undefined): SweepDecision[] {
  state.stopRequested = true;
  state.exhausted = true;
  state.stoppedBecause = StoppedBecause.User;
  state.endReason = `stopped by a person${now ? ' (--now: running trials stopped too)' : ''}${reason ? `: ${reason}` : ''} after ${state.summaries.length} trials`;
  const decisions: SweepDecision[] = [];
  if (now) {
    for (const trial of state.active) {
      if (!state.stopReasons.has(trial)) state.stopReasons.set(trial, 'the sweep was stopped by a person (--now)');
      decisions.push({ kind: 'stopTrial', trial });
    }
  }
  state.userChanges += 1;
  return decisions;
}
