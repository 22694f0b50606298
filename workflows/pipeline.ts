/**
 * The pipeline workflow, read as the checklist it enforces: ingest → train → evaluate → record.
 * Deterministic orchestration only; every side effect is an activity, every rule lives in core/.
 */
import {
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { JobOutcome } from '../activities/types.js';
import { describeSchedule, splitMetrics } from '../core/describe.js';
import { rootCauseMessage } from '../core/errors.js';
import { describeGoal, goalMet } from '../core/goal.js';
import { jobProgressSignal, progressQuery, searchAttributes, type PipelineInput, type PipelineResult } from './definitions.js';
import { RunTracker } from './runTracker.js';

const STAGES = ['ingest', 'train', 'evaluate', 'record'];
const NON_RETRYABLE = ['BadInput'];

export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  const { spec } = input;
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const tracker = new RunTracker(workflowId, spec.name, STAGES, () => new Date());
  setHandler(progressQuery, () => tracker.progress);
  setHandler(jobProgressSignal, (update) => tracker.update(update));
  upsertSearchAttributes([
    { key: searchAttributes.pipeline, value: spec.name },
    { key: searchAttributes.status, value: 'running' },
  ]);

  const quick = proxyActivities<Activities>({
    startToCloseTimeout: '10m',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const { retry } = spec.trainer;
  const jobs = proxyActivities<Activities>({
    startToCloseTimeout: spec.trainer.timeout,
    heartbeatTimeout: spec.trainer.heartbeatTimeout,
    retry: { ...retry, nonRetryableErrorTypes: NON_RETRYABLE },
  });

  try {
    tracker.start('ingest', spec.data.source);
    const ingest = await quick.ingestDataset.executeWithOptions({ summary: `ingest · ${spec.data.source}` }, [
      { source: spec.data.source, labelColumn: spec.data.labelColumn, split: spec.data.split },
    ]);
    tracker.finish(
      'ingest',
      `${ingest.rows} rows · ${ingest.classes.length} classes · train/valid/test ${ingest.counts.train}/${ingest.counts.valid}/${ingest.counts.test} · sha256 ${ingest.data.sha256.slice(0, 12)}`,
    );

    const { train: trainSpec } = spec;
    tracker.start('train', `${trainSpec.epochs} epochs · ${describeSchedule(trainSpec.schedule)}`);
    const train = await jobs.runJob.executeWithOptions(
      { summary: `train · ${trainSpec.epochs} epochs · batch ${trainSpec.batchSize} · ${describeSchedule(trainSpec.schedule)}` },
      [
        {
          stage: 'train',
          mode: 'train',
          trainer: spec.trainer,
          data: ingest.data,
          seed: trainSpec.seed,
          epochs: trainSpec.epochs,
          batchSize: trainSpec.batchSize,
          hyperparameters: trainSpec.hyperparameters,
          schedule: trainSpec.schedule,
        },
      ],
    );
    tracker.finish('train', summarizeJob(train), train.result.metrics);
    tracker.recordMetrics(train.result.metrics);
    const checkpoint = train.result.artifacts.checkpoint;
    if (!checkpoint) throw ApplicationFailure.nonRetryable('the train job reported no checkpoint artifact', 'BadInput');

    const { split, metric } = spec.evaluate;
    tracker.start('evaluate', `${split} split`);
    const evaluation = await jobs.runJob.executeWithOptions({ summary: `evaluate · ${split} split` }, [
      { stage: `evaluate-${split}`, mode: 'evaluate', trainer: spec.trainer, data: ingest.data, seed: trainSpec.seed, checkpoint, split },
    ]);
    const evaluated = splitMetrics(split, evaluation.result.metrics);
    const headline = evaluated[`${split}_${metric}`] ?? null;
    tracker.finish('evaluate', `${split} ${metric} ${headline ?? 'n/a'}`, evaluated);
    tracker.recordMetrics(evaluated, headline);

    const met = spec.goal ? goalMet(spec.goal, evaluated[`${split}_${spec.goal.metric}`]) : null;
    tracker.start('record');
    const manifestUri = await quick.writeRunManifest.executeWithOptions({ summary: 'record · run manifest' }, [
      {
        spec,
        ...(input.specFile ? { specFile: input.specFile } : {}),
        startedAt,
        ingest,
        jobs: { train, [`evaluate-${split}`]: evaluation },
        metrics: tracker.progress.metrics,
        goalMet: met,
      },
    ]);
    tracker.progress.manifestUri = manifestUri;
    tracker.finish('record', spec.goal ? `goal ${describeGoal(spec.goal)}: ${met === null ? 'unknown' : met ? 'met' : 'not met'}` : manifestUri);
    tracker.end('succeeded');
    return { runId: workflowId, pipeline: spec.name, status: 'succeeded', metrics: tracker.progress.metrics, goalMet: met, manifestUri };
  } catch (error) {
    tracker.end(isCancellation(error) ? 'cancelled' : 'failed', rootCauseMessage(error));
    throw error;
  }
}

function summarizeJob(job: JobOutcome): string {
  const metrics = Object.entries(job.result.metrics)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name} ${Number(value).toFixed(4)}`);
  const retried = job.launches > 1 ? ` · ${job.launches} launches` : '';
  return `${metrics.join(' · ')} · ${job.trainerSeconds.toFixed(1)}s on ${job.result.device}${retried}`;
}
