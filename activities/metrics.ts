/**
 * Gauntlet's own Prometheus metrics, counted in activities: they see every job's outcome, and the manifest writer
 * sees every gate verdict (gates are decided in workflows, which must stay free of side effects, so the verdicts
 * are counted when the run's manifest records them, once per run).
 *
 * Counts are per activity attempt: a job that fails, is retried and succeeds counts one `failed` and one
 * `succeeded`. A job left running at a worker shutdown counts nothing; the attempt that adopts it counts its end.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JobDetachedError } from './executor/types.js';
import { jobIdFor } from './runJob.js';
import type { JobOutcome, JobRequest, ManifestRequest } from './types.js';

export type JobOutcomeClass = 'succeeded' | 'failed' | 'bad-input' | 'cancelled' | 'cached';

/** Queue waits run from seconds (a free slot) to hours (a GPU queue). */
const QUEUE_WAIT_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600];

export class GauntletMetrics {
  readonly registry = new Registry();
  readonly jobsRunning = new Gauge({ name: 'gauntlet_jobs_running', help: 'Jobs an activity of this worker is running or watching now', labelNames: ['executor', 'mode'] as const, registers: [this.registry] });
  readonly jobOutcomes = new Counter({ name: 'gauntlet_job_outcomes_total', help: 'Job attempts by how they ended', labelNames: ['outcome', 'executor', 'mode'] as const, registers: [this.registry] });
  readonly trials = new Counter({ name: 'gauntlet_trials_total', help: 'Sweep trial attempts by how they ended', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly gateVerdicts = new Counter({ name: 'gauntlet_gate_verdicts_total', help: 'Gate and data-check verdicts recorded in run manifests', labelNames: ['gate', 'passed'] as const, registers: [this.registry] });
  readonly gpuSeconds = new Counter({ name: 'gauntlet_gpu_seconds_total', help: 'GPUs held by jobs times the seconds they ran', labelNames: ['executor'] as const, registers: [this.registry] });
  readonly queueWait = new Histogram({
    name: 'gauntlet_job_queue_wait_seconds',
    help: 'From the job activity being scheduled to the trainer starting (task queue, pod scheduling, process start); fresh launches only',
    labelNames: ['executor'] as const,
    buckets: QUEUE_WAIT_BUCKETS,
    registers: [this.registry],
  });
}

/** How a job attempt ended; null when it did not end (left running for the next attempt to adopt). */
export function classifyJobEnd(end: { outcome: JobOutcome } | { error: unknown; cancelled: boolean }): JobOutcomeClass | null {
  if ('outcome' in end) return end.outcome.cachedFrom ? 'cached' : 'succeeded';
  if (end.error instanceof JobDetachedError) return null;
  if (end.cancelled || end.error instanceof CancelledFailure) return 'cancelled';
  if (end.error instanceof ApplicationFailure && end.error.type === 'BadInput') return 'bad-input';
  return 'failed';
}

/** GPUs a job holds: the Kubernetes limit, or one for a local job on CUDA. */
export function gpusOf(request: Pick<JobRequest, 'executor' | 'kubernetes' | 'trainer'>, outcome?: JobOutcome): number {
  if (request.executor === 'kubernetes') return request.kubernetes?.gpus ?? 0;
  return (outcome?.result.device ?? request.trainer.device).startsWith('cuda') ? 1 : 0;
}

type RunJob = (request: JobRequest) => Promise<JobOutcome>;

/** The job activity, counted and logged with its run, stage and job id. */
export function withJobMetrics(runJob: RunJob, metrics: GauntletMetrics | null, now: () => number = Date.now): RunJob {
  return async function runJobObserved(request: JobRequest): Promise<JobOutcome> {
    const context = Context.current();
    const run = context.info.workflowExecution?.workflowId;
    const fields = { run, stage: request.stage, jobId: run ? jobIdFor(run, request.stage) : undefined, mode: request.mode, executor: request.executor };
    const labels = { executor: request.executor, mode: request.mode };
    const startedMs = now();
    context.log.info('job started', fields);
    metrics?.jobsRunning.inc(labels);
    let end: Parameters<typeof classifyJobEnd>[0];
    try {
      const outcome = await runJob(request);
      end = { outcome };
      return outcome;
    } catch (error) {
      end = { error, cancelled: context.cancellationSignal.aborted };
      throw error;
    } finally {
      metrics?.jobsRunning.dec(labels);
      const outcome = classifyJobEnd(end!);
      if (outcome) {
        const result = 'outcome' in end! ? end.outcome : undefined;
        if (metrics) record(metrics, request, outcome, result, (now() - startedMs) / 1000, context.info.currentAttemptScheduledTimestampMs);
        const summary = { ...fields, outcome, ...(result ? { trainerSeconds: result.trainerSeconds, launches: result.launches } : {}) };
        if (outcome === 'failed' || outcome === 'bad-input') context.log.warn('job ended', { ...summary, error: 'error' in end! ? String(end.error) : undefined });
        else context.log.info('job ended', summary);
      }
    }
  };
}

function record(metrics: GauntletMetrics, request: JobRequest, outcome: JobOutcomeClass, result: JobOutcome | undefined, attemptSeconds: number, scheduledMs: number): void {
  metrics.jobOutcomes.inc({ outcome, executor: request.executor, mode: request.mode });
  if (request.stage.startsWith('trial-')) metrics.trials.inc({ outcome });
  if (outcome === 'cached') return;
  // A finished job says how long it ran; for one that failed or was stopped, the time this attempt watched it.
  const gpuSeconds = gpusOf(request, result) * (result ? result.trainerSeconds : attemptSeconds);
  if (gpuSeconds > 0) metrics.gpuSeconds.inc({ executor: request.executor }, gpuSeconds);
  if (result && !result.adopted) {
    const wait = (Date.parse(result.result.startedAt) - scheduledMs) / 1000;
    if (Number.isFinite(wait)) metrics.queueWait.observe({ executor: request.executor }, Math.max(0, wait));
  }
}

type WriteManifest = (request: ManifestRequest) => Promise<string>;

/** The manifest writer, counting the run's gate verdicts once the manifest is written. */
export function withGateMetrics(writeRunManifest: WriteManifest, metrics: GauntletMetrics | null): WriteManifest {
  if (!metrics) return writeRunManifest;
  return async function writeRunManifestObserved(request: ManifestRequest): Promise<string> {
    const uri = await writeRunManifest(request);
    for (const verdict of request.gates) metrics.gateVerdicts.inc({ gate: verdict.gate, passed: String(verdict.passed) });
    return uri;
  };
}
