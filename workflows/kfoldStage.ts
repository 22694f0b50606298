/**
 * K-fold training for small data: one training job per fold (each fold is the validation split once), at most
 * `train.kfold.concurrency` at a time; metrics as mean ± sd over folds with every fold's value; the final model is
 * retrained on every non-test row, or is the best fold's, as the spec says.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { IngestResult, JobOutcome } from '../activities/types.js';
import { describeSchedule } from '../core/describe.js';
import { foldSummary, type FoldSummary } from '../core/kfold.js';
import type { Schedule } from '../core/spec/job.js';
import { job, summarizeJob, train, type RunContext } from './stages.js';

export interface KfoldResult {
  folds: JobOutcome[];
  summary: FoldSummary;
  /** The model evaluation loads: the retrained one, or the best fold's. */
  final: JobOutcome;
}

export async function kfoldStage(ctx: RunContext, data: IngestResult, schedule: Schedule): Promise<KfoldResult> {
  const { spec, tracker, jobs } = ctx;
  const folds = data.folds ?? [];
  if (folds.length < 2) throw ApplicationFailure.nonRetryable(`k-fold training needs at least 2 folds; ingest made ${folds.length}`, 'BadInput');
  const { epochs, batchSize, hyperparameters, kfold } = spec.train;
  tracker.start('train', `${folds.length} folds · ${epochs} epochs · ${describeSchedule(schedule)} · ≤ ${kfold.concurrency} at once`);
  const outcomes: JobOutcome[] = new Array(folds.length);
  let next = 0;
  // A fixed pool of lanes: each takes the next fold when its job ends (deterministic: lanes start in order).
  const lane = async (): Promise<void> => {
    while (next < folds.length) {
      const index = next++;
      const fold = folds[index]!;
      outcomes[index] = await jobs.runJob.executeWithOptions(
        { summary: `train · fold ${index + 1} of ${folds.length} · ${fold.counts.train} train / ${fold.counts.valid} valid · ${epochs} epochs` },
        [job(ctx, { data: { ...data.data, splitUri: fold.splitUri } }, { stage: `fold-${index + 1}`, mode: 'train', epochs, batchSize, hyperparameters, schedule })],
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(kfold.concurrency, folds.length) }, lane));
  const summary = foldSummary(outcomes.map((outcome) => outcome.result.metrics));
  tracker.recordMetrics(summary.metrics);
  const described = summary.describe;
  if (kfold.final === 'bestFold') {
    const best = outcomes[summary.bestFold]!;
    tracker.finish('train', `${described} · final model: fold ${summary.bestFold + 1} (best ${summary.objective})`, summary.metrics);
    return { folds: outcomes, summary, final: best };
  }
  const retrained = await train(ctx, data, schedule, true);
  tracker.finish('train', `${described} · final model retrained on all ${data.counts.train} non-test rows: ${summarizeJob(retrained)}`, { ...summary.metrics, ...retrained.result.metrics });
  return { folds: outcomes, summary, final: retrained };
}
