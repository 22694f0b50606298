/**
 * The pipeline workflow, read as the checklist it enforces: ingest → oracle bound → overfit gate → LR range test →
 * one-cycle training → evaluation → record. A failed gate stops the run, with its reason, before training time is
 * spent. Deterministic orchestration only: stages are in ./stages.ts, rules in core/, side effects in activities.
 */
import { ApplicationFailure, isCancellation, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { rootCauseMessage } from '../core/errors.js';
import { StoppedBecause } from '../core/failures.js';
import { describeGoal, goalMet } from '../core/goal.js';
import { jobProgressSignal, progressQuery, searchAttributes, type PipelineInput, type PipelineResult } from '../contracts/pipeline.js';
import { RunTracker } from './runTracker.js';
import type { JobOutcome } from '../activities/types.js';
import type { SweepResult } from '../contracts/sweep.js';
import * as stage from './stages.js';
import { labelStage } from './labelStage.js';
import { kfoldStage } from './kfoldStage.js';
import { checksStage } from './checksStage.js';

export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  const { spec } = input;
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const tracker = new RunTracker(workflowId, spec.name, [...stage.STAGES], () => new Date());
  setHandler(progressQuery, () => tracker.progress);
  setHandler(jobProgressSignal, (update) => tracker.update(update));
  upsertSearchAttributes([
    { key: searchAttributes.pipeline, value: spec.name },
    { key: searchAttributes.status, value: 'running' },
  ]);
  const ctx = stage.runContext(spec, tracker);

  try {
    const ingested = await stage.ingest(ctx);
    const { data, labeling } = await labelStage(ctx, ingested);
    // Runs started before the data checks existed replay without them (README: changing workflow code).
    const checks = patched('data-checks-stage') ? await checksStage(ctx, data) : [];
    await stage.oracleGate(ctx, data);
    await stage.overfitGate(ctx, data);
    let checkpoint: string | undefined;
    const jobs: Record<string, JobOutcome> = {};
    let sweep: SweepResult | null = null;
    if (spec.sweep) {
      const maxLrByGroup = await stage.findSweepLearningRates(ctx, data);
      sweep = await stage.sweepStage(ctx, data, maxLrByGroup);
      checkpoint = sweep.best?.checkpoint;
    } else if (spec.data.split.kind === 'kfold') {
      tracker.skip('sweep', 'no sweep in the spec');
      const schedule = await stage.findLearningRate(ctx, data);
      const cv = await kfoldStage(ctx, data, schedule);
      cv.folds.forEach((fold, i) => (jobs[`fold-${i + 1}`] = fold));
      jobs.train = cv.final;
      checkpoint = cv.final.result.artifacts.checkpoint;
    } else {
      tracker.skip('sweep', 'no sweep in the spec');
      const schedule = await stage.findLearningRate(ctx, data);
      const trained = await stage.train(ctx, data, schedule);
      jobs.train = trained;
      checkpoint = trained.result.artifacts.checkpoint;
    }
    const evaluation = await stage.evaluate(ctx, data, checkpoint);
    jobs.evaluate = evaluation.outcome;

    const met = spec.goal ? goalMet(spec.goal, evaluation.headline) : null;
    tracker.start('record');
    const manifestUri = await ctx.quick.writeRunManifest.executeWithOptions({ summary: 'record · run manifest' }, [
      {
        spec,
        ...(input.specFile ? { specFile: input.specFile } : {}),
        startedAt,
        ingest: data,
        labeling: labeling ? { provenanceUri: labeling.provenanceUri, classes: labeling.classes, sourceData: { uri: ingested.data.uri, sha256: ingested.data.sha256 }, summary: labeling.summary } : null,
        jobs,
        sweep: sweep ? { trials: sweep.trials, completed: sweep.completed, stopped: sweep.stopped, failed: sweep.failed, best: sweep.best, tableUri: sweep.tableUri, stoppedBecause: sweep.stoppedBecause, endReason: sweep.endReason } : null,
        metrics: tracker.progress.metrics,
        goalMet: met,
        gates: tracker.progress.gates,
        lr: tracker.progress.lr ?? null,
        checks,
      },
    ]);
    tracker.progress.manifestUri = manifestUri;
    tracker.finish('record', spec.goal ? `goal ${describeGoal(spec.goal)}: ${met === null ? 'unknown' : met ? 'met' : 'not met'}` : manifestUri);
    // A sweep cut short by failing trials still yields a model, but not the search that was asked for.
    const status = sweep?.stoppedBecause === StoppedBecause.MaxFailedTrials ? 'incomplete' : 'succeeded';
    tracker.end(status, status === 'incomplete' ? `sweep stopped early: ${sweep?.endReason}` : undefined);
    const { metrics, gates, lr } = tracker.progress;
    const sweepSummary = sweep
      ? { sweep: { stoppedBecause: sweep.stoppedBecause, endReason: sweep.endReason, trials: sweep.trials, completed: sweep.completed, stopped: sweep.stopped, failed: sweep.failed } }
      : {};
    return { runId: workflowId, pipeline: spec.name, status, metrics, goalMet: met, manifestUri, gates, lr: lr ?? null, ...sweepSummary };
  } catch (error) {
    const stoppedByGate = error instanceof ApplicationFailure && error.type === stage.GATE_FAILED;
    tracker.end(isCancellation(error) ? 'cancelled' : stoppedByGate ? 'stopped_by_gate' : 'failed', rootCauseMessage(error));
    throw error;
  }
}
