/**
 * One model of a chain as its own child workflow (`<run>-<model>`), with its own gates and its own progress query:
 * overfit gate → LR range test → cross-fitting (when a downstream model needs out-of-fold predictions) → train →
 * evaluate on every data set asked for. Deterministic orchestration; jobs go through the same activities as a
 * one-model run, so retries, adoption after a worker crash and caching work the same.
 */
import { ApplicationFailure, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { rootCauseMessage } from '../core/errors.js';
import type { JobOutcome } from '../activities/types.js';
import type { CrossFitPlan } from '../activities/twoStage.js';
import { describeSchedule } from '../core/describe.js';
import type { GateVerdict, LrDecision } from '../core/progress.js';
import type { Job, SplitName } from '../core/spec/job.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import { jobProgressSignal, progressQuery } from '../contracts/pipeline.js';
import { RunTracker } from './runTracker.js';
import * as stage from './stages.js';

type JobData = Job['data'];

export const MODEL_STAGES = ['overfit', 'lr-find', 'crossfit', 'train', 'evaluate'] as const;

export interface ModelStageInput {
  /** The model seen as a pipeline (core/spec/models.ts modelPipelineSpec). */
  spec: PipelineSpec;
  model: string;
  data: JobData;
  /** Fold models to train, each predicting its own fold, when a downstream model reads out-of-fold predictions. */
  crossFit: CrossFitPlan | null;
  /** Where the trained model is evaluated, by name (its own test split, the valid split for a hand-off, …). */
  evaluations: Array<{ name: string; data: JobData; split: SplitName }>;
  cache: boolean;
}

export interface ModelEvaluation {
  metrics: Record<string, number | null>;
  predictionsUri: string;
}

export interface ModelStageResult {
  model: string;
  checkpoint: string;
  metrics: Record<string, number | null>;
  gates: GateVerdict[];
  lr: LrDecision | null;
  evaluations: Record<string, ModelEvaluation>;
  /** Each fold model's predictions on its own fold (fold order), and their pooled accuracy. */
  outOfFold: { assignmentUri: string; predictionsUris: string[]; accuracy: number } | null;
  jobs: Record<string, JobOutcome>;
}

export async function modelWorkflow(input: ModelStageInput): Promise<ModelStageResult> {
  const { spec, model, data } = input;
  const tracker = new RunTracker(workflowInfo().workflowId, spec.name, [...MODEL_STAGES], () => new Date());
  setHandler(progressQuery, () => tracker.progress);
  setHandler(jobProgressSignal, (update) => tracker.update(update));
  const ctx = stage.runContext(spec, tracker, { cache: input.cache });
  const jobs: Record<string, JobOutcome> = {};
  try {
    await stage.overfitGate(ctx, { data });
    const schedule = await stage.findLearningRate(ctx, { data });
    const outOfFold = input.crossFit ? await crossFit(ctx, data, input.crossFit, schedule, jobs) : null;
    if (!input.crossFit) tracker.skip('crossfit', 'no model reads out-of-fold predictions of this one');
    const trained = await stage.train(ctx, { data }, schedule);
    jobs.train = trained;
    const checkpoint = trained.result.artifacts.checkpoint;
    if (!checkpoint) throw ApplicationFailure.nonRetryable(`model ${model}: the train job wrote no checkpoint`, 'BadInput');
    const evaluations: Record<string, ModelEvaluation> = {};
    tracker.start('evaluate', input.evaluations.map((evaluation) => `${evaluation.name} (${evaluation.split})`).join(' · '));
    await Promise.all(
      input.evaluations.map(async ({ name, data: evaluated, split }) => {
        const outcome = await ctx.jobs.runJob.executeWithOptions({ summary: `${model} · evaluate ${name} · ${split} split` }, [
          stage.job(ctx, { data: evaluated }, { stage: `evaluate-${name}`, mode: 'evaluate', checkpoint, split }),
        ]);
        const predictionsUri = outcome.result.artifacts.predictions;
        if (!predictionsUri) throw ApplicationFailure.nonRetryable(`model ${model}: evaluate ${name} wrote no predictions`, 'BadInput');
        jobs[`evaluate-${name}`] = outcome;
        evaluations[name] = { metrics: outcome.result.metrics, predictionsUri };
      }),
    );
    const metrics: Record<string, number | null> = { ...tracker.progress.metrics };
    for (const [name, evaluation] of Object.entries(evaluations)) {
      for (const [metric, value] of Object.entries(evaluation.metrics)) metrics[`${name}_${metric}`] = value;
    }
    if (outOfFold) metrics.oof_accuracy = outOfFold.accuracy;
    tracker.recordMetrics(metrics);
    tracker.finish('evaluate', Object.entries(evaluations).map(([name, evaluation]) => `${name} accuracy ${evaluation.metrics.accuracy ?? 'n/a'}`).join(' · '));
    tracker.end('succeeded');
    return { model, checkpoint, metrics, gates: tracker.progress.gates, lr: tracker.progress.lr ?? null, evaluations, outOfFold, jobs };
  } catch (error) {
    tracker.end(isCancellation(error) ? 'cancelled' : 'failed', rootCauseMessage(error));
    throw error;
  }
}

/**
 * K fold models, at most train.kfold.concurrency at a time: fold k trains on the other folds (its split manifest's
 * train) and predicts fold k (its `valid`). Job ids are fixed per fold, so a worker crash adopts, never relaunches.
 */
async function crossFit(ctx: stage.RunContext, data: JobData, plan: CrossFitPlan, schedule: Parameters<typeof stage.train>[2], jobs: Record<string, JobOutcome>) {
  const { spec, tracker } = ctx;
  const { epochs, batchSize, hyperparameters, kfold } = spec.train;
  const total = plan.folds.length;
  tracker.start('crossfit', `${total} folds · ${epochs} epochs · ${describeSchedule(schedule)} · ≤ ${kfold.concurrency} at once`);
  const predictions: string[] = new Array(total);
  const scores: Array<{ correct: number; n: number }> = new Array(total);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      const fold = plan.folds[index]!;
      const foldData = { ...data, splitUri: fold.splitUri };
      const trained = await ctx.jobs.runJob.executeWithOptions(
        { summary: `crossfit · fold ${index + 1} of ${total} · trains on ${fold.trainRows} rows` },
        [stage.job(ctx, { data: foldData }, { stage: `fold-${index + 1}`, mode: 'train', epochs, batchSize, hyperparameters, schedule })],
      );
      const checkpoint = trained.result.artifacts.checkpoint;
      if (!checkpoint) throw ApplicationFailure.nonRetryable(`fold ${index + 1}: the train job wrote no checkpoint`, 'BadInput');
      const predicted = await ctx.jobs.runJob.executeWithOptions(
        { summary: `crossfit · fold ${index + 1} of ${total} · predicts its ${fold.predictRows} rows` },
        [stage.job(ctx, { data: foldData }, { stage: `fold-${index + 1}-predict`, mode: 'evaluate', checkpoint, split: 'valid' })],
      );
      const uri = predicted.result.artifacts.predictions;
      if (!uri) throw ApplicationFailure.nonRetryable(`fold ${index + 1}: the predict job wrote no predictions`, 'BadInput');
      jobs[`fold-${index + 1}`] = trained;
      jobs[`fold-${index + 1}-predict`] = predicted;
      predictions[index] = uri;
      const n = predicted.result.metrics.n ?? fold.predictRows;
      scores[index] = { correct: Math.round((predicted.result.metrics.accuracy ?? 0) * n), n };
    }
  };
  await Promise.all(Array.from({ length: Math.min(kfold.concurrency, total) }, lane));
  const pooled = scores.reduce((sum, score) => ({ correct: sum.correct + score.correct, n: sum.n + score.n }), { correct: 0, n: 0 });
  const accuracy = pooled.n ? pooled.correct / pooled.n : 0;
  tracker.finish('crossfit', `${total} folds · out-of-fold accuracy ${accuracy.toFixed(4)} on ${pooled.n} train rows`, { oof_accuracy: accuracy });
  return { assignmentUri: plan.assignmentUri, predictionsUris: predictions, accuracy };
}
