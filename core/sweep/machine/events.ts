/**
 * What goes into the sweep's state machine and what comes out. The workflow turns Temporal's world (job outcomes,
 * signals, updates, the history's size, the clock) into events, and carries out the decisions in the order given.
 */
import type { StoppedBecause } from '../../failures.js';
import type { TrialPlan } from '../plan.js';
import type { SweepSpec } from '../spec.js';
import type { TpeObservation } from '../tpe.js';
import type { SweepCarry, SweepResult, TrialRecord } from '../records.js';

/** What a trial's job gave back when it completed. */
export interface TrialResult {
  metrics: Record<string, number | null>;
  launches: number;
  /** Every epoch the job closed, in order: they fill the curve between the epochs early stopping saw. */
  epochs: { epoch: number; metrics: Record<string, number | null> }[];
  checkpoint?: string;
}

/** One call to the TPE planner (an activity): the observations changed since the version it holds. */
export interface PlannerRequest {
  sweep: SweepSpec;
  trial: number;
  count: number;
  version: number;
  base: number | null;
  changes: TpeObservation[];
}
export type PlannerAnswer = { kind: 'plans'; plans: TrialPlan[] } | { kind: 'resync' };

export type SweepEvent =
  /** The run begins: trials carried over from the previous run are re-attached. */
  | { type: 'start' }
  /** The scheduling loop's turn: end or hand over the sweep, or free a slot for the next trial. */
  | { type: 'turn'; now: number; historyEvents: number; historyBytes: number }
  /** A slot is free: plan the next trial. */
  | { type: 'plan'; now: number }
  | { type: 'planned'; now: number; answer: PlannerAnswer }
  /** Nothing to launch: finish, or wait for a trial or a person. */
  | { type: 'idle' }
  /** The wait is over (a trial ended or a person changed something). */
  | { type: 'woke'; now: number }
  | { type: 'writeTable'; now: number }
  | { type: 'tableWritten'; uri: string }
  /** A trial's job closed an epoch its stopping rule judges. */
  | { type: 'rung'; trial: number; epoch: number; value: number | null }
  | { type: 'oomKilled'; trial: number }
  | { type: 'trialCompleted'; trial: number; now: number; result: TrialResult }
  | { type: 'trialFailed'; trial: number; now: number; error: string }
  /** The trial's job was cancelled: stopped when the sweep asked for it, failed otherwise. */
  | { type: 'trialCancelled'; trial: number; now: number; error: string }
  /** A service stayed away past trainer.infraRetryWindow: the sweep ends, the trial is not blamed. */
  | { type: 'serviceLost'; trial: number; message: string }
  | { type: 'budgetChanged'; maxTrials?: number; gpuBudget?: number }
  | { type: 'stopRequested'; now: boolean; reason?: string }
  /** The next run takes over: from here on it owns every decision. */
  | { type: 'handOver' }
  /** The loop is over and the table written: the sweep's result. */
  | { type: 'end' };

export type SweepDecision =
  /** Start (or, `adopted`, re-attach to) a trial's job; `memory` is the OOM fallback's limit. */
  | { kind: 'launch'; record: TrialRecord; memory: string | undefined; adopted: boolean }
  /** Cancel a trial's job (its record already says why). */
  | { kind: 'stopTrial'; trial: number }
  | { kind: 'plan' }
  | { kind: 'suggest'; request: PlannerRequest }
  | { kind: 'wait'; since: number }
  | { kind: 'writeTable' }
  | { kind: 'writePage'; records: TrialRecord[]; total: number }
  /** Settle the stops, write the table, then send `handOver`. */
  | { kind: 'handOver' }
  | { kind: 'continueAsNew'; carry: SweepCarry }
  | { kind: 'end' }
  | { kind: 'finish'; result: SweepResult; memo: { stoppedBecause: StoppedBecause; endReason: string } }
  | { kind: 'fail'; message: string; type: string; memo?: { stoppedBecause: string; endReason: string } };

/** A person's request the sweep refuses, with why (the workflow rejects the update with it). */
export interface Refusal {
  type: 'BadInput' | 'SweepHandingOver' | 'SweepEnding' | 'BudgetRefused';
  message: string;
}
