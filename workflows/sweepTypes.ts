/** The sweep's records, query and carried state: shared by the sweep workflow, the pipeline, the CLI and tests. */
import { defineQuery } from '@temporalio/workflow';
import type { TrialConfig } from '../core/sweep/config.js';
import type { AshaState } from '../core/sweep/asha.js';
import type { MedianState } from '../core/sweep/median.js';
import type { Job } from '../core/spec/job.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import type { StoppingDecision } from '../core/sweep/stopping.js';
import type { TpeDecision } from '../core/sweep/tpe.js';

export type TrialStatus = 'running' | 'completed' | 'stopped' | 'failed';

export interface TrialRecord {
  trial: number;
  config: TrialConfig;
  /** How the configuration was chosen (grid, random, tpe, repeat). */
  source: string;
  /** TPE: which trials formed the good and bad sets and how the candidates scored (explains the choice). */
  planDecision?: TpeDecision;
  status: TrialStatus;
  maxLr: number | null;
  epochs: number;
  batchSize: number;
  /** The objective per completed epoch (index = epoch - 1). */
  curve: Array<number | null>;
  /** Final metrics of a completed trial. */
  metrics: Record<string, number | null>;
  objective: number | null;
  stopReason?: string;
  /** Every early-stopping decision about this trial, with the data it was based on (replayable, explainable). */
  decisions: StoppingDecision[];
  error?: string;
  /** The OOM fallback applied to this trial, e.g. "OOM killed: batchSize 64 → 32". */
  fallback?: string;
  launches: number;
  /** GPUs × seconds the trial held. */
  gpuSeconds: number;
  checkpoint?: string;
  startedAt: string;
  finishedAt?: string;
}

export interface SweepInput {
  spec: PipelineSpec;
  data: Job['data'];
  /** The range test's max LR per LR group (lrGroupKey → lr); empty when the schedule fixes it. */
  maxLrByGroup: Record<string, number>;
  /** Carried over continue-as-new. */
  carried?: SweepCarry;
  /** Drain and continue as new past this many history events. @default 8000 (Temporal warns at 10k, limits at 50k) */
  historyLimit?: number;
}

export interface SweepCarry {
  trials: TrialRecord[];
  asha: AshaState | null;
  median: MedianState | null;
  startedAt: string;
  runs: number;
}

export interface SweepResult {
  trials: number;
  completed: number;
  stopped: number;
  failed: number;
  best: TrialRecord | null;
  tableUri: string | null;
  /** Largest history length of any run of the sweep workflow (continue-as-new keeps it bounded). */
  runs: number;
}

export interface Leaderboard {
  status: 'running' | 'done';
  objective: { metric: string; direction: 'maximize' | 'minimize' };
  concurrency: number;
  trials: TrialRecord[];
  best: TrialRecord | null;
  tableUri: string | null;
}

export const leaderboardQuery = defineQuery<Leaderboard>('leaderboard');

export function sweepWorkflowId(runId: string): string {
  return `${runId}-sweep`;
}
