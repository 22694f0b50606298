/**
 * Queries, signals and search-attribute keys of the pipeline workflow, defined once and imported by the workflow,
 * the activities (which report progress), the CLI and the tests.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { GateVerdict, JobProgressUpdate, LrDecision, RunProgress } from '../core/progress.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import type { StoppedBecause } from '../core/failures.js';

export const TASK_QUEUE_DEFAULT = 'gauntlet';

export const progressQuery = defineQuery<RunProgress>('progress');
export const jobProgressSignal = defineSignal<[JobProgressUpdate]>('jobProgress');

/** `gauntlet approve RUN [--reject --reason TEXT]`: a person's decision on a run waiting in stage `approve`. */
export interface ApproveRequest {
  approve: boolean;
  reason?: string;
  /** Who decided (the CLI sends the OS user name). */
  by?: string;
}
export const approveUpdate = defineUpdate<{ decision: 'approved' | 'rejected' }, [ApproveRequest]>('approve');

export const searchAttributes = {
  pipeline: defineSearchAttributeKey('GauntletPipeline', 'KEYWORD'),
  status: defineSearchAttributeKey('GauntletStatus', 'KEYWORD'),
  stage: defineSearchAttributeKey('GauntletStage', 'KEYWORD'),
  bestMetric: defineSearchAttributeKey('GauntletBestMetric', 'DOUBLE'),
};

export interface PipelineInput {
  spec: PipelineSpec;
  /** Where the spec came from, for the manifest (never file contents with secrets: specs hold none). */
  specFile?: string;
  /** Who started the run: a person (`gauntlet run`), or a Temporal Schedule (nightly retraining) by its name. */
  trigger?: { kind: 'manual' } | { kind: 'schedule'; schedule: string };
  /** False (`gauntlet run --no-cache`): every stage runs, even when an earlier run had the same inputs. @default true */
  cache?: boolean;
}

export interface PipelineResult {
  runId: string;
  pipeline: string;
  /**
   * `incomplete` when the sweep stopped on budget.maxFailedTrials (see `sweep.stoppedBecause`); `unchanged` when a
   * scheduled run found nothing new since `unchangedSince` (its metrics and manifest are that run's).
   */
  status: 'succeeded' | 'incomplete' | 'unchanged';
  unchangedSince?: string;
  /** A chain of models (`models:`): each end-to-end test item counted once, by the stage that got it wrong. */
  attribution?: { correct: number; stage1: number; stage2: number };
  /** Why the sweep ended, when the run had one. */
  sweep?: { stoppedBecause: StoppedBecause; endReason: string; trials: number; completed: number; stopped: number; failed: number };
  metrics: Record<string, number | null>;
  goalMet: boolean | null;
  manifestUri: string;
  gates: GateVerdict[];
  lr: LrDecision | null;
}
