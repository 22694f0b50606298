/** What every executor (local process, Kubernetes Job) offers the job activity. */
import type { Job, ProgressEvent } from '../../core/spec/job.js';
import type { PipelineSpec } from '../../core/spec/pipeline.js';
import type { KubernetesSpec } from '../../core/spec/kubernetes.js';
import { durationMs } from '../../core/spec/duration.js';

export type TrainerSpec = PipelineSpec['trainer'];

export interface ExecutionRequest {
  job: Job;
  /** Which trainer runs the job (reference or a user command). */
  trainer: TrainerSpec;
  /** Where the job runs; `kubernetes` needs the pipeline's Kubernetes section. */
  executor: 'local' | 'kubernetes';
  kubernetes?: KubernetesSpec;
  /** For labels and names: the pipeline, the run (workflow id) and the stage. */
  identity: { pipeline: string; run: string; stage: string };
  /** Upper bound on the job's run time, from the trainer timeout. */
  deadlineSeconds: number;
  /** Extra environment for the job's process (the trace context: TRACEPARENT); set on a new launch, not an adopted one. */
  env?: Record<string, string>;
}

/** Carried in Temporal heartbeats so that a retried attempt can adopt or resume the job. */
export interface ExecutionCheckpoint {
  /** Bytes of the job's output already read (local executor). */
  offset: number;
  /** URI of the last checkpoint the trainer reported. */
  lastCheckpoint: string | null;
}

export interface ExecutionHooks {
  onEvent(event: ProgressEvent): void;
  heartbeat(state: ExecutionCheckpoint): void;
  /** Aborted when the activity is cancelled or the worker shuts down. */
  signal: AbortSignal;
  /** True when the job must be left running for another attempt to adopt (worker shutdown, continue-as-new). */
  isWorkerShutdown(): boolean;
  /** The job to launch when an earlier launch left a checkpoint (mode-specific: train resumes, evaluate does not). */
  resumeFrom(job: Job, checkpointUri: string): Job;
  /** From the previous attempt's last heartbeat, if any. */
  previous: ExecutionCheckpoint | null;
}

export interface ExecutionOutcome {
  /** The trainer's exit code; null when it died without one (killed by a signal). */
  exitCode: number | null;
  /** Last lines of the trainer's stderr, for error messages. */
  stderrTail: string[];
  /** True when this attempt found the job already running (or finished) and took it over. */
  adopted: boolean;
  /** How many times this job's process has been launched in total (retries included). */
  launches: number;
  /** Set when the executor knows more than an exit code (an eviction, an image pull failure, a queue timeout). */
  failure?: { retryable: boolean; reason: string; message: string };
}

/** How long the trainer retries an unreachable store: the pipeline's infrastructure window. */
export function storageRetrySeconds(trainer: TrainerSpec): number {
  return durationMs(trainer.infraRetryWindow) / 1000;
}

export interface Executor {
  /** Where the executor's own service lives (the Kubernetes API server), named when it cannot be reached. */
  readonly endpoint?: string;
  run(request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionOutcome>;
}

/** Thrown when the worker shuts down or the workflow continued as new mid-job: the job keeps running and the next attempt adopts it. */
export class JobDetachedError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} left running for the next attempt to adopt`);
    this.name = 'JobDetachedError';
  }
}
