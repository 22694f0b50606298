/**
 * Fake trial jobs for the `sweep-control` replay scenario: like real jobs they outlive the activity that started
 * them (the next run of a sweep that continued as new adopts the same job by its stage), signal the epochs the
 * request asks for, and stop only when their own trial is cancelled (not when the run that watched them ended).
 * Trial 2 is killed for memory at its first batch size; trial 5 exits 1 on every launch.
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { JobOutcome, JobRequest } from '../../activities/types.js';
import { jobProgressSignal } from '../../contracts/pipeline.js';
import { fakeActivities, outcome } from '../support/fakeActivities.js';

interface HeldJob {
  done: Promise<JobOutcome>;
  kill: () => void;
}

export function heldSweepJobs(client: Client, workflowId: string) {
  const jobs = new Map<string, HeldJob>();

  function launch(request: JobRequest): HeldJob {
    let killed = false;
    const quality = 0.5 + Number(request.hyperparameters?.dropout ?? 0) * 0.8 + Number(request.hyperparameters?.hidden ?? 0) / 1000;
    const epochs = request.epochs ?? 1;
    const done = (async () => {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        await new Promise((resolve) => setTimeout(resolve, 120));
        if (killed) throw new Error('killed');
        const value = quality * (1 - 0.5 / (epoch + 1));
        const wanted = request.progress?.epochs ?? 'all';
        if (wanted !== 'all' && !wanted.includes(epoch)) continue;
        // To the sweep's current run, as the job activity of whichever run adopted the job would.
        await client.workflow
          .getHandle(workflowId)
          .signal(jobProgressSignal, { stage: request.stage, epoch, metrics: { val_accuracy: value }, detail: '', completedEpoch: { epoch, metrics: { val_accuracy: value } } })
          .catch(() => undefined);
      }
      return outcome(request, { val_accuracy: quality * (1 - 0.5 / (epochs + 1)) }, { checkpoint: `s3://gauntlet/runs/${workflowId}/${request.stage}/last.pt` });
    })();
    done.catch(() => undefined);
    return { done, kill: () => (killed = true) };
  }

  return {
    async run(request: JobRequest): Promise<JobOutcome> {
      if (!request.stage.startsWith('trial-')) return fakeActivities().runJob(request);
      if (request.stage === 'trial-2') throw ApplicationFailure.nonRetryable('job failed: OOMKilled: the trainer ran out of memory (OOM killed)', 'OOMKilled');
      if (request.stage === 'trial-5') throw ApplicationFailure.retryable('job exited with 1', 'TrainerFailed');
      let job = jobs.get(request.stage);
      if (!job) {
        job = launch(request);
        jobs.set(request.stage, job);
      }
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 40);
      try {
        return await Promise.race([job.done, context.cancelled]);
      } catch (error) {
        // Cancelled by the sweep: the job stops. Anything else (the run handed over): the job runs on.
        if (error instanceof CancelledFailure && error.message === 'CANCELLED') job.kill();
        throw error;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
