/**
 * Live progress of a run as the workflow's query returns it, and the parsing of trainer progress lines.
 */
import { ProgressEvent } from './spec/job.js';

/** One stdout line → a progress event, or null when the line is not one (plain text is kept as a log elsewhere). */
export function parseProgressLine(line: string): ProgressEvent | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const parsed = ProgressEvent.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * `incomplete`: the run evaluated and recorded its best model, but its sweep stopped short of its plan because too
 * many trials failed (budget.maxFailedTrials): the result is real, the search was not the one asked for.
 * `unchanged`: a scheduled run found the spec, data and code of the pipeline's last trained run, and trained nothing.
 */
export const RUN_STATUSES = ['running', 'succeeded', 'incomplete', 'failed', 'cancelled', 'stopped_by_gate', 'unchanged'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface StageProgress {
  stage: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  /** Short text for people, e.g. "epoch 7/20 · val_accuracy 0.962". */
  detail?: string;
  /** Latest value of each metric the stage reported. */
  metrics?: Record<string, number | null>;
  epoch?: number;
  totalEpochs?: number;
  /** The latest retry while the stage waits out an outage or retries its trainer, e.g. "storage … unavailable; retry 3 in 4 s". */
  retrying?: string;
  /** The run whose outputs this stage reused: its jobs had the same inputs (`cached from RUN`). */
  cachedFrom?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** How one-cycle's max LR was chosen: a fixed value, the range test's suggestion, or the declared fallback. */
export interface LrDecision {
  source: 'fixed' | 'range_test' | 'fallback';
  maxLr: number;
  policy?: string;
  suggestions?: { valley: number | null; steep: number | null; minimum: number | null; slide: number | null };
  trustworthy?: boolean;
  reasons?: string[];
  curveUri?: string;
  plotUri?: string;
}

export interface GateVerdict {
  /** The stage's gates, the labels' agreement, or a data check (schema, duplicates, leakage, preprocessing, splits, test-size). */
  gate: string;
  passed: boolean;
  /** A check that fired with `onFail: warn`: recorded, the run went on. */
  warning?: boolean;
  /** Plain-English reason, shown in the CLI, the Temporal UI and the manifest. */
  explanation: string;
  value?: number;
  /** Where the evidence is (the overfit loss curve, …). */
  evidenceUri?: string;
}

export interface RunProgress {
  runId: string;
  pipeline: string;
  status: RunStatus;
  stage: string;
  stages: StageProgress[];
  metrics: Record<string, number | null>;
  gates: GateVerdict[];
  lr?: LrDecision;
  /** A chain of models: per hand-off, the end-to-end test items that were right, or wrong at stage 1 or stage 2. */
  attribution?: Array<{ upstream: string; downstream: string; n: number; correct: number; stage1: number; stage2: number; accuracy: { estimate: number; low: number; high: number } }>;
  /** Why the sweep ended (`completed`, `maxFailedTrials`, `deadline`, `cancelled`), once it has. */
  sweep?: { stoppedBecause: string; endReason: string };
  error?: string;
  manifestUri?: string;
  /** The run report (one HTML page) next to the manifest. */
  reportUri?: string;
}

/** What an activity sends the workflow while a job runs: small, throttled. */
export interface JobProgressUpdate {
  stage: string;
  epoch?: number;
  totalEpochs?: number;
  metrics: Record<string, number | null>;
  detail: string;
  /** Set only when an epoch has closed (its checkpoint was reported): that epoch's metrics, for early stopping. */
  completedEpoch?: { epoch: number; metrics: Record<string, number | null> };
}
