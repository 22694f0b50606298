/** The sweep's records, query and carried state: shared by the sweep workflow, the pipeline, the CLI and tests. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Job } from '../core/spec/job.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import type { Leaderboard } from '../core/sweep/records.js';

// The records themselves are plain data in core/ (the sweep's state machine keeps them); re-exported for everyone else.
export type { Leaderboard, SweepCarry, SweepResult, TrialRecord, TrialStatus, TrialSummary } from '../core/sweep/records.js';

export interface SweepInput {
  spec: PipelineSpec;
  data: Job['data'];
  /** The range test's max LR per LR group (lrGroupKey → lr); empty when the schedule fixes it. */
  maxLrByGroup: Record<string, number>;
  /** Set by continue-as-new: where the previous run left its state (in the store, in chunks). */
  carried?: CarryPointer;
  /** Continue as new past this many history events. @default 8000 (Temporal warns at 10k, limits at 50k) */
  historyLimit?: number;
}

/** The carried state lives in the store: one payload could not hold a 10,000-trial sweep's state. */
export interface CarryPointer {
  /** Store key prefix of the chunks. */
  prefix: string;
  chunks: number;
  bytes: number;
  /** The number of the run that reads it. */
  runs: number;
}

/** `gauntlet sweep stop RUN [--now]`: launch no more trials; with `now`, also stop the running ones. */
export interface StopSweepRequest {
  now: boolean;
  reason?: string;
}
/** `gauntlet sweep budget RUN --max-trials N | --gpu-budget N`: the new limits, never below what already ran. */
export interface SweepBudgetRequest {
  maxTrials?: number;
  gpuBudget?: number;
}
export interface SweepBudgetResponse {
  maxTrials: number;
  gpuBudget: number;
  concurrency: number;
}

export const stopSweepUpdate = defineUpdate<{ running: number; trials: number }, [StopSweepRequest]>('stopSweep');
export const sweepBudgetUpdate = defineUpdate<SweepBudgetResponse, [SweepBudgetRequest]>('sweepBudget');

export const leaderboardQuery = defineQuery<Leaderboard>('leaderboard');

export function sweepWorkflowId(runId: string): string {
  return `${runId}-sweep`;
}
