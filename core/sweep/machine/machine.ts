/**
 * The sweep as a state machine: events in (a trial ended, an epoch reported, a person's stop or budget change, the
 * loop's turn), decisions out (launch or stop a trial, write a table page, hand over, finish). Deterministic and
 * free of I/O: time and the history's size come in the events, so every run of it, and every replay, decides alike.
 * The workflow (workflows/sweep.ts) carries the decisions out, in the order given.
 */
import { ashaMilestones } from '../asha.js';
import type { Leaderboard } from '../records.js';
import { changeBudget, refuseBudget, refuseStop, stopSweep, type BudgetRequest } from './control.js';
import type { Refusal, SweepDecision, SweepEvent } from './events.js';
import { leaderboardOf } from './leaderboard.js';
import { end, handOver, idle, stopsSettled, turn, wakeups } from './loop.js';
import { planned, planNext } from './planner.js';
import { reportRung } from './rungs.js';
import { initialState, type MachineInput, type SweepState } from './state.js';
import { startTableWrite, tableDue, tableWritten } from './table.js';
import { adoptRunning, completeTrial, endTrial, fallBack } from './trials.js';

export class SweepMachine {
  private readonly state: SweepState;

  constructor(input: MachineInput) {
    this.state = initialState(input);
  }

  handle(event: SweepEvent): SweepDecision[] {
    const state = this.state;
    switch (event.type) {
      case 'start':
        return adoptRunning(state);
      case 'turn':
        return turn(state, event.now, event.historyEvents, event.historyBytes);
      case 'plan':
        return planNext(state, event.now);
      case 'planned':
        return planned(state, event.answer, event.now);
      case 'idle':
        return idle(state);
      case 'woke':
        return tableDue(state, event.now);
      case 'writeTable':
        return startTableWrite(state, event.now);
      case 'tableWritten':
        return tableWritten(state, event.uri);
      case 'rung':
        return reportRung(state, event.trial, event.epoch, event.value);
      case 'oomKilled': {
        const record = state.open.get(event.trial);
        return record ? fallBack(state, record) : [];
      }
      case 'trialCompleted':
      case 'trialFailed':
      case 'trialCancelled':
      case 'serviceLost':
        return this.trialEnded(event);
      case 'budgetChanged':
        return changeBudget(state, event);
      case 'stopRequested':
        return stopSweep(state, event.now, event.reason);
      case 'handOver':
        return handOver(state);
      case 'end':
        return end(state);
    }
  }

  private trialEnded(event: Extract<SweepEvent, { type: 'trialCompleted' | 'trialFailed' | 'trialCancelled' | 'serviceLost' }>): SweepDecision[] {
    const state = this.state;
    state.active.delete(event.trial);
    // After the hand-over the next run adopts this trial's job and writes its record.
    if (state.closing) return [];
    const record = state.open.get(event.trial);
    if (!record) return [];
    if (event.type === 'serviceLost') {
      // Not the trial's failure: the sweep ends and says which service was away (the first one lost).
      state.outage ??= event.message;
      state.running -= 1;
      state.finished += 1;
      return [];
    }
    if (event.type === 'trialCompleted') completeTrial(state, record, event.result, event.now);
    else endTrial(state, record, event.error, event.type === 'trialCancelled', event.now);
    return [];
  }

  /** Why a stop would be refused (null: it is accepted). */
  refuseStop(): Refusal | null {
    return refuseStop(this.state);
  }

  refuseBudget(request: BudgetRequest): Refusal | null {
    return refuseBudget(this.state, request);
  }

  leaderboard(): Leaderboard {
    return leaderboardOf(this.state);
  }

  /** Grows whenever a trial ends or a person acts (`wait` decisions say from which value). */
  get wakeups(): number {
    return wakeups(this.state);
  }

  /** Every stop already decided has reached its job (the hand-over waits for it). */
  get stopsSettled(): boolean {
    return stopsSettled(this.state);
  }

  get running(): number {
    return this.state.running;
  }

  get trials(): number {
    return this.state.summaries.length;
  }

  get budget(): { maxTrials: number; gpuBudget: number; concurrency: number } {
    const { maxTrials, gpuBudget } = this.state.sweep.budget;
    return { maxTrials, gpuBudget, concurrency: this.state.concurrency };
  }

  get objective(): { metric: string; direction: 'maximize' | 'minimize' } {
    return this.state.sweep.objective;
  }

  /** Epochs a trial signals: ASHA's rungs, every epoch for the median rule, none without early stopping. */
  get reportEpochs(): number[] | 'all' {
    const { stopping } = this.state;
    return stopping.kind === 'asha' ? ashaMilestones(stopping) : stopping.kind === 'median' ? 'all' : [];
  }

  get runs(): number {
    return this.state.input.runs;
  }
}
