/**
 * The job activity: turns a stage's request into a job document, runs it on the executor, and reads the result
 * from the store. The job id comes from the workflow id and the stage — never the attempt or the run — so a retry,
 * or the next run of a workflow that continued as new, finds the job already started and adopts it. Exit codes
 * become Temporal failures: bad input is non-retryable, the rest retry.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type Client } from '@temporalio/client';
import { z } from 'zod';
import { dnsLabel } from '../core/naming.js';
import { durationMs } from '../core/spec/duration.js';
import { Job, JOB_CONTRACT_VERSION, JobExitCode, JobResult, type JobInput } from '../core/spec/job.js';
import { jobProgressSignal } from '../contracts/pipeline.js';
import type { Executor, ExecutionCheckpoint } from './executor/types.js';
import { JobDetachedError } from './executor/types.js';
import { ProgressFolder } from './jobProgress.js';
import { InfrastructureError, isUnavailable } from './infrastructure.js';
import type { ArtifactStore } from './store.js';
import type { JobOutcome, JobRequest } from './types.js';
import { isCacheable, type JobCache } from './jobCache.js';
import { jobTraceEnv } from './traceContext.js';

export interface RunJobDeps {
  store: ArtifactStore;
  /** `kubernetes` is null on a worker started without cluster access. */
  executors: { local: Executor; kubernetes: Executor | null };
  /** Sends progress to the workflow; null in tests that run activities without a server. */
  temporal: Client | null;
  /** Reuses the outcome of an earlier job with the same inputs; null turns caching off. */
  jobCache?: JobCache | null;
}

const HeartbeatDetails = z.object({ offset: z.number().int().min(0), lastCheckpoint: z.string().nullable() });

/** Failure types a retry policy can name. */
export const FailureType = {
  BadInput: 'BadInput',
  TrainerFailed: 'TrainerFailed',
  ResultMissing: 'ResultMissing',
  JobFailed: 'JobFailed',
  NoExecutor: 'NoExecutor',
} as const;

/** The output prefix is `runs/<workflowId>/<stage>/` too: one job per stage of a workflow id, whatever its runs. */
export function jobIdFor(workflowId: string, stage: string): string {
  return dnsLabel([workflowId, stage]);
}

export function buildJob(request: JobRequest, jobId: string, outputPrefix: string): Job {
  const input: JobInput = {
    contract: JOB_CONTRACT_VERSION,
    jobId,
    mode: request.mode,
    seed: request.seed,
    data: request.data,
    output: { prefix: outputPrefix },
    hyperparameters: request.hyperparameters ?? {},
    device: request.trainer.device,
    checkpoint: request.checkpoint ?? null,
    ...(request.epochs !== undefined ? { epochs: request.epochs } : {}),
    ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
    ...(request.schedule !== undefined ? { schedule: request.schedule } : {}),
    ...(request.split !== undefined ? { split: request.split } : {}),
    ...(request.overfit !== undefined ? { overfit: request.overfit } : {}),
    ...(request.label !== undefined ? { label: request.label } : {}),
  };
  return Job.parse(input);
}

export function createRunJob(deps: RunJobDeps) {
  return async function runJob(request: JobRequest): Promise<JobOutcome> {
    const context = Context.current();
    const { workflowExecution } = context.info;
    if (!workflowExecution) throw ApplicationFailure.nonRetryable('runJob must run inside a workflow', FailureType.BadInput);
    const jobId = jobIdFor(workflowExecution.workflowId, request.stage);
    const prefix = deps.store.uri(`runs/${workflowExecution.workflowId}/${request.stage}/`);
    const job = buildJob(request, jobId, prefix);
    const previous = HeartbeatDetails.safeParse(context.info.heartbeatDetails);
    // A job an earlier attempt started is adopted, never swapped for a cached outcome.
    const cache = deps.jobCache && isCacheable(request) ? deps.jobCache : null;
    const cached = cache && !previous.success ? await cache.lookup(request) : null;
    if (cached?.hit) return cached.hit;

    // Signals go one after another, never in parallel, so the workflow sees epochs in the order they happened.
    let signals: Promise<void> = Promise.resolve();
    const handle = deps.temporal?.workflow.getHandle(workflowExecution.workflowId, workflowExecution.runId);
    const folder = new ProgressFolder(
      request.stage,
      request.epochs,
      (update) => {
        if (!handle) return;
        signals = signals
          .then(() => handle.signal(jobProgressSignal, update))
          .catch((error: unknown) => context.log.warn('progress signal failed', { error: String(error) }));
      },
      2000,
      Date.now,
      request.progress,
    );
    const stop = cancellationFor(context, deps.temporal);

    const executor = deps.executors[request.executor];
    if (!executor) {
      throw ApplicationFailure.nonRetryable(
        `this worker cannot run ${request.executor} jobs: start it with GAUNTLET_KUBECONFIG pointing at a cluster (\`gauntlet dev cluster up\` makes one)`,
        FailureType.NoExecutor,
      );
    }
    const execution = {
      job,
      trainer: request.trainer,
      executor: request.executor,
      ...(request.kubernetes ? { kubernetes: request.kubernetes } : {}),
      identity: { pipeline: request.pipeline, run: workflowExecution.workflowId, stage: request.stage },
      deadlineSeconds: Math.ceil(durationMs(request.trainer.timeout) / 1000),
      env: jobTraceEnv(),
    };
    let outcome;
    try {
      outcome = await executor.run(execution, {
        onEvent: (event) => folder.add(event),
        // The latest progress rides along: `gauntlet sweep status` reads it from the pending activity, at no history cost.
        heartbeat: (state: ExecutionCheckpoint) => context.heartbeat({ ...state, progress: folder.snapshot() }),
        signal: stop.signal,
        isWorkerShutdown: stop.detach,
        previous: previous.success ? previous.data : null,
        resumeFrom: (toResume, checkpoint) => (toResume.mode === 'train' ? { ...toResume, checkpoint } : toResume),
      });
    } catch (error) {
      if (error instanceof JobDetachedError) context.log.info(error.message);
      // The executor's own service (the Kubernetes API) being away is an outage, not the trainer's failure.
      if (!(error instanceof InfrastructureError) && isUnavailable(error)) {
        throw new InfrastructureError({ service: request.executor, ...(executor.endpoint ? { endpoint: executor.endpoint } : {}) }, error);
      }
      throw error;
    } finally {
      folder.flush();
      await signals;
    }

    const detail = `${outcome.stderrTail.slice(-10).join('\n')}`;
    if (outcome.exitCode === JobExitCode.InfrastructureUnavailable) {
      // The trainer waited for storage as long as the pipeline allows and gave up: an outage, not its failure.
      throw new InfrastructureError({ service: 'storage', endpoint: deps.store.endpoint }, new Error(`job ${jobId} exited 75 (storage unreachable):\n${detail}`));
    }
    if (outcome.failure) {
      const { retryable, reason, message } = outcome.failure;
      const text = `job ${jobId} failed: ${reason}: ${message}${retryable ? '; it will resume from its last checkpoint' : ''}${detail ? `\n${detail}` : ''}`;
      const type = reason === 'BadInput' ? FailureType.BadInput : FailureType.JobFailed;
      if (retryable && request.failFastOn?.includes(reason)) throw ApplicationFailure.nonRetryable(text, reason);
      throw retryable ? ApplicationFailure.retryable(text, reason) : ApplicationFailure.nonRetryable(text, type);
    }
    if (outcome.exitCode === JobExitCode.BadInput) {
      throw ApplicationFailure.nonRetryable(`job ${jobId} rejected its input (exit 2):\n${detail}`, FailureType.BadInput);
    }
    if (outcome.exitCode !== JobExitCode.Success) {
      const how = outcome.exitCode === null ? 'was killed' : `exited with ${outcome.exitCode}`;
      throw ApplicationFailure.retryable(`job ${jobId} ${how}; it will resume from its last checkpoint:\n${detail}`, FailureType.TrainerFailed);
    }
    const resultUri = `${prefix}result.json`;
    if (!(await deps.store.exists(resultUri))) {
      throw ApplicationFailure.retryable(`job ${jobId} exited 0 but wrote no ${resultUri}`, FailureType.ResultMissing);
    }
    const result = await deps.store.getJson(resultUri, JobResult);
    const trainerSeconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
    const fresh: JobOutcome = { jobId, resultUri, result, launches: outcome.launches, adopted: outcome.adopted, trainerSeconds, epochs: folder.epochs };
    // `--no-cache` runs the job and still records it for the next run. A cache that cannot be written costs the
    // next run time, never this run its result.
    if (deps.jobCache && isCacheable({ ...request, cache: true })) {
      const save = async (jobCache: JobCache) => jobCache.save(cached?.key ?? (await jobCache.keyFor(request)), workflowExecution.workflowId, request.stage, fresh, new Date());
      await save(deps.jobCache).catch((error: unknown) => context.log.warn('job cache not written', { error: String(error) }));
    }
    return fresh;
  };
}

/**
 * The executor's stop signal, aborted once we know whether to leave the job running. The job is left alone when
 * the worker shuts down, or when this attempt is gone but its workflow runs on: it continued as new, or the attempt
 * timed out while the worker or Temporal was away (the next attempt adopts the job by its stable id). Any other
 * cancellation (a request, a terminated or failed workflow) stops it. When Temporal cannot say, the job is left
 * running: killing a healthy job over an outage would cost a trial; a leftover one is adopted or finishes.
 */
function cancellationFor(context: Context, temporal: Client | null): { signal: AbortSignal; detach: () => boolean } {
  const controller = new AbortController();
  let detach = false;
  const decide = async (): Promise<boolean> => {
    const details = context.cancellationDetails;
    if (details?.workerShutdown) return true;
    const execution = context.info.workflowExecution;
    if (!details?.notFound || !temporal || !execution) return false;
    for (let tries = 0; tries < 10; tries++) {
      try {
        const latest = await temporal.workflow.getHandle(execution.workflowId).describe();
        return latest.status.name === 'RUNNING';
      } catch (error) {
        context.log.warn('cannot ask Temporal whether the workflow still runs; asking again', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    }
    return true;
  };
  const onCancel = () => {
    void decide().then((leave) => {
      detach = leave;
      if (leave) context.log.info('worker stopping, workflow continued as new, or attempt timed out: job left running for the next attempt to adopt');
      controller.abort(context.cancellationSignal.reason);
    });
  };
  if (context.cancellationSignal.aborted) onCancel();
  else context.cancellationSignal.addEventListener('abort', onCancel, { once: true });
  return { signal: controller.signal, detach: () => detach };
}
