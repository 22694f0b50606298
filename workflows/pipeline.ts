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
import type { IngestResult, JobOutcome, ManifestRequest } from '../activities/types.js';
import type { UnchangedRun } from '../activities/runFingerprint.js';
import type { CheckResult } from '../core/data/check.js';
import { record } from './recordStage.js';
import { approvals, promoteStage } from './promoteStage.js';
import type { SweepResult } from '../contracts/sweep.js';
import * as stage from './stages.js';
import { labelStage } from './labelStage.js';
import { kfoldStage } from './kfoldStage.js';
import { checksStage } from './checksStage.js';
import { evaluate } from './evaluateStage.js';
import { modelsPipeline } from './modelsPipeline.js';

export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  // A chain of models has its own stages (runs from before `models:` existed never take this branch).
  if (input.spec.models) return modelsPipeline(input);
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
  const ctx = stage.runContext(spec, tracker, { cache: input.cache ?? true });
  const approval = approvals(ctx);

  // What the run knows so far: a run stopped by a gate records it, so its report shows why.
  let ingested: IngestResult | null = null;
  let data: IngestResult | null = null;
  let labeling: Awaited<ReturnType<typeof labelStage>>['labeling'] = null;
  let checks: CheckResult[] = [];
  const jobs: Record<string, JobOutcome> = {};
  const manifest = (extra: Partial<ManifestRequest>): ManifestRequest => ({
    spec,
    ...(input.specFile ? { specFile: input.specFile } : {}),
    startedAt,
    ingest: data ?? ingested!,
    labeling: labeling && ingested ? { provenanceUri: labeling.provenanceUri, classes: labeling.classes, sourceData: { uri: ingested.data.uri, sha256: ingested.data.sha256 }, summary: labeling.summary } : null,
    jobs,
    sweep: null,
    metrics: tracker.progress.metrics,
    goalMet: null,
    gates: tracker.progress.gates,
    lr: tracker.progress.lr ?? null,
    checks,
    ...extra,
  });

  try {
    ingested = await stage.ingest(ctx);
    // A nightly run on the data, spec and code of the last trained model has nothing to do (patched: README).
    if (input.trigger?.kind === 'schedule' && input.cache !== false && patched('unchanged-scheduled-run')) {
      const same = await ctx.quick.findUnchangedRun.executeWithOptions({ summary: 'unchanged? · spec, data and code of the last trained run' }, [{ spec, sourceSha256: ingested.data.sha256 }]);
      if (same) return unchanged(tracker, same, ingested);
    }
    ({ data, labeling } = await labelStage(ctx, ingested));
    // Runs started before the data checks existed replay without them (README: changing workflow code).
    checks = patched('data-checks-stage') ? await checksStage(ctx, data) : [];
    await stage.oracleGate(ctx, data);
    await stage.overfitGate(ctx, data);
    let checkpoint: string | undefined;
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
    const human = labeling?.summary.humanCeiling.accuracy;
    const noise = labeling?.summary.irreducibleError;
    const evaluation = await evaluate(ctx, data, checkpoint, { ...(human != null ? { humanCeiling: human } : {}), ...(noise != null ? { irreducibleError: noise } : {}) });
    jobs.evaluate = evaluation.outcome;
    // Runs started before the registry existed replay without the promote stage (README: changing workflow code).
    const promotion = checkpoint && patched('promote-stage') ? await promoteStage(ctx, evaluation, checkpoint, approval) : null;

    const met = spec.goal ? goalMet(spec.goal, evaluation.headline) : null;
    tracker.start('record');
    const sweepRecord = sweep
      ? { trials: sweep.trials, completed: sweep.completed, stopped: sweep.stopped, failed: sweep.failed, best: sweep.best, tableUri: sweep.tableUri, stoppedBecause: sweep.stoppedBecause, endReason: sweep.endReason }
      : null;
    const { manifestUri } = await record(
      ctx,
      manifest({ sweep: sweepRecord, goalMet: met, metrics: tracker.progress.metrics, gates: tracker.progress.gates, lr: tracker.progress.lr ?? null, promotion, evaluationUri: evaluation.assessment?.uri ?? null }),
    );
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
    if (stoppedByGate && ingested && patched('record-when-stopped')) {
      // The evidence of a stop is worth keeping; failing to keep it must not hide the stop itself.
      await record(ctx, manifest({ status: 'stopped_by_gate', error: rootCauseMessage(error) })).catch(() => undefined);
    }
    tracker.end(isCancellation(error) ? 'cancelled' : stoppedByGate ? 'stopped_by_gate' : 'failed', rootCauseMessage(error));
    throw error;
  }
}

/** The run ends without training: every later stage says why, and the result points at the run that trained. */
function unchanged(tracker: RunTracker, same: UnchangedRun, ingested: IngestResult): PipelineResult {
  const why = `unchanged since ${same.runId}: same spec, data (sha256 ${ingested.data.sha256.slice(0, 12)}${ingested.snapshot ? `, snapshot ${ingested.snapshot.name}` : ''}) and code`;
  for (const entry of tracker.progress.stages) if (entry.status === 'pending') tracker.skip(entry.stage, why);
  tracker.end('unchanged');
  const { runId, pipeline, metrics, gates } = tracker.progress;
  return { runId, pipeline, status: 'unchanged', unchangedSince: same.runId, metrics, goalMet: null, manifestUri: same.manifestUri, gates, lr: null };
}
