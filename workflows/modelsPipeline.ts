/**
 * A pipeline of models in a chain (`models:`): one ingest and one set of data checks for all, then each model in
 * dependency order as its own child workflow. A model that reads another's predictions gets a hand-off data set:
 * out-of-fold predictions on its train rows (the upstream model is cross-fitted, so it learns from real mistakes),
 * the final upstream model's on valid and test. It is also evaluated on the upstream labels (the pipeline's upper
 * bound), and every end-to-end test error is attributed to the stage that made it.
 */
import { ApplicationFailure, executeChild, isCancellation, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { AttributionCounts } from '../core/twostage/attribution.js';
import { rootCauseMessage } from '../core/errors.js';
import { goalMet } from '../core/goal.js';
import { modelIgnoreColumns, modelOf, modelPipelineSpec, modelPlan } from '../core/spec/models.js';
import type { Job } from '../core/spec/job.js';
import { jobProgressSignal, progressQuery, searchAttributes, type PipelineInput, type PipelineResult } from '../contracts/pipeline.js';
import type { IngestResult } from '../activities/types.js';
import type { CheckResult } from '../core/data/check.js';
import { checksStage } from './checksStage.js';
import type { ModelStageResult, modelWorkflow as modelWorkflowType } from './modelStage.js';
import { record } from './recordStage.js';
import { RunTracker } from './runTracker.js';
import * as stage from './stages.js';

type JobData = Job['data'];

export interface ChainAttribution extends AttributionCounts {
  stage1: number;
  stage2: number;
  upstream: string;
  downstream: string;
  n: number;
  accuracy: { estimate: number; low: number; high: number };
  table: string;
}

export async function modelsPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { spec } = input;
  const { workflowId } = workflowInfo();
  const plan = modelPlan(spec);
  const stages = ['ingest', 'checks', ...plan.flatMap((model) => (model.from ? [`handoff-${model.name}`, model.name] : [model.name])), 'attribution', 'record'];
  const tracker = new RunTracker(workflowId, spec.name, stages, () => new Date());
  setHandler(progressQuery, () => tracker.progress);
  setHandler(jobProgressSignal, (update) => tracker.update(update));
  upsertSearchAttributes([
    { key: searchAttributes.pipeline, value: spec.name },
    { key: searchAttributes.status, value: 'running' },
  ]);
  const ctx = stage.runContext(spec, tracker, { cache: input.cache ?? true });
  const startedAt = new Date().toISOString();
  const handoff = spec.handoff ?? 'oof';
  let ingested: IngestResult | null = null;
  let checks: CheckResult[] = [];
  try {
    ingested = await stage.ingest(ctx);
    checks = await checksStage(ctx, ingested);
    const results: Record<string, ModelStageResult> = {};
    const handoffs: Record<string, { counts: Record<string, number>; outOfFoldChecked: number }> = {};
    for (const model of plan) {
      const modelSpec = modelPipelineSpec(spec, model.name);
      const own = modelOf(spec, model.name);
      let trainData: JobData = ingested.data;
      let endToEnd: JobData | null = null;
      let oracle: JobData | null = null;
      if (model.from && model.as) {
        const upstream = results[model.from]!;
        tracker.start(`handoff-${model.name}`, `${handoff}: ${model.from}'s predictions as column ${model.as}`);
        const built = await ctx.quick.buildHandoff.executeWithOptions({ summary: `hand-off · ${model.from} → ${model.name} · ${handoff}`, startToCloseTimeout: '10m' }, [
          {
            runId: workflowId,
            model: model.name,
            data: ingested.data,
            upstreamLabelColumn: modelOf(spec, model.from).labelColumn,
            as: model.as,
            mode: handoff,
            outOfFold: handoff === 'oof' && upstream.outOfFold ? { assignmentUri: upstream.outOfFold.assignmentUri, predictionsUris: upstream.outOfFold.predictionsUris } : null,
            finalPredictionsUris: handoff === 'groundTruth' ? [] : [upstream.evaluations.valid!.predictionsUri, upstream.evaluations.test!.predictionsUri],
          },
        ]);
        handoffs[model.name] = { counts: built.counts, outOfFoldChecked: built.outOfFoldChecked };
        trainData = built.train;
        endToEnd = built.evaluate;
        oracle = built.oracle;
        const { outOfFold, final, label } = built.counts;
        tracker.finish(`handoff-${model.name}`, `${model.as}: ${outOfFold} out-of-fold (checked against the folds), ${final} from the final ${model.from}, ${label} true labels`);
      }
      const data = await ctx.quick.prepareModelData.executeWithOptions({ summary: `${model.name} · label ${own.labelColumn}` }, [
        { data: trainData, labelColumn: own.labelColumn, ignoreColumns: modelIgnoreColumns(spec, model.name) },
      ]);
      const as = (other: JobData | null): JobData => ({ ...data, uri: other!.uri, sha256: other!.sha256 });
      const evaluations = [
        // The model on its own: its test split (for a downstream model: end to end, fed the upstream predictions).
        { name: 'test', data: endToEnd ? as(endToEnd) : data, split: 'test' as const },
        ...(model.consumers.length ? [{ name: 'valid', data, split: 'valid' as const }] : []),
        // The pipeline's upper bound: the downstream model fed the true upstream labels.
        ...(oracle ? [{ name: 'oracle', data: as(oracle), split: 'test' as const }] : []),
      ];
      const needsFolds = model.consumers.length > 0 && handoff === 'oof';
      const folds = needsFolds
        ? await ctx.quick.planCrossFit.executeWithOptions({ summary: `${model.name} · cross-fitting folds` }, [
            { runId: `${workflowId}-${model.name}`, data, labelColumn: own.labelColumn, ...(spec.data.split.groupColumn ? { groupColumn: spec.data.split.groupColumn } : {}), folds: spec.crossFit?.folds ?? 5, seed: spec.data.split.seed },
          ])
        : null;
      tracker.start(model.name, `${own.labelColumn} · ${modelSpec.trainer.kind === 'command' ? 'your model' : 'reference trainer'}${folds ? ` · cross-fitted over ${folds.folds.length} folds` : ''}`);
      const result = await executeChild<typeof modelWorkflowType>('modelWorkflow', {
        workflowId: `${workflowId}-${model.name}`,
        args: [{ spec: modelSpec, model: model.name, data, crossFit: folds, evaluations, cache: input.cache ?? true }],
        staticSummary: `model ${model.name} of ${spec.name} · label ${own.labelColumn}`,
      });
      results[model.name] = result;
      // The child's stages say which of its jobs came from the cache; the chain's stage says so for its model.
      const cachedFrom = result.jobs.train?.cachedFrom?.run;
      if (cachedFrom) tracker.noteCached(cachedFrom);
      for (const gate of result.gates) tracker.recordGate({ ...gate, gate: `${model.name}:${gate.gate}` });
      const prefixed = Object.fromEntries(Object.entries(result.metrics).map(([name, value]) => [`${model.name}_${name}`, value]));
      tracker.recordMetrics(prefixed);
      const describe = (name: string) => (result.evaluations[name] ? `${name} accuracy ${result.evaluations[name].metrics.accuracy}` : null);
      tracker.finish(model.name, [describe('test'), describe('oracle'), result.outOfFold ? `out-of-fold ${result.outOfFold.accuracy.toFixed(4)}` : null].filter(Boolean).join(' · '), prefixed);
    }

    tracker.start('attribution', 'each end-to-end test error to the stage that made it');
    const attributions: ChainAttribution[] = [];
    for (const model of plan.filter((entry) => entry.from)) {
      const found = await ctx.quick.attributeTwoStage.executeWithOptions({ summary: `attribution · ${model.from} → ${model.name}` }, [
        {
          runId: workflowId,
          stage1PredictionsUri: results[model.from!]!.evaluations.test!.predictionsUri,
          stage2PredictionsUri: results[model.name]!.evaluations.test!.predictionsUri,
          names: { stage1: model.from!, stage2: model.name },
          confidence: spec.evaluate.confidence,
        },
      ]);
      attributions.push({ ...found.counts, upstream: model.from!, downstream: model.name, n: found.n, accuracy: found.accuracy, table: found.table });
    }
    const last = attributions.at(-1);
    if (last) {
      tracker.recordMetrics({ test_accuracy: last.accuracy.estimate, test_accuracy_low: last.accuracy.low, test_accuracy_high: last.accuracy.high }, last.accuracy.estimate);
      tracker.progress.attribution = attributions.map(({ table: _table, ...counts }) => counts);
    }
    tracker.finish('attribution', last ? last.table : 'no model reads another one');

    const met = spec.goal && last ? goalMet(spec.goal, spec.goal.on === 'lowerBound' ? last.accuracy.low : last.accuracy.estimate) : null;
    tracker.start('record');
    const jobs = Object.fromEntries(Object.entries(results).flatMap(([name, result]) => Object.entries(result.jobs).map(([job, outcome]) => [`${name}.${job}`, outcome])));
    const { manifestUri } = await record(ctx, {
      spec,
      ...(input.specFile ? { specFile: input.specFile } : {}),
      startedAt,
      ingest: ingested,
      jobs,
      sweep: null,
      metrics: tracker.progress.metrics,
      goalMet: met,
      gates: tracker.progress.gates,
      lr: null,
      checks,
      models: { handoff, results: Object.fromEntries(Object.entries(results).map(([name, result]) => [name, { metrics: result.metrics, checkpoint: result.checkpoint, lr: result.lr, outOfFold: result.outOfFold, handoff: handoffs[name] ?? null }])), attribution: attributions },
    });
    tracker.finish('record', manifestUri);
    tracker.end('succeeded');
    const { metrics, gates } = tracker.progress;
    return {
      runId: workflowId,
      pipeline: spec.name,
      status: 'succeeded',
      metrics,
      goalMet: met,
      manifestUri,
      gates,
      lr: null,
      ...(last ? { attribution: { correct: last.correct, stage1: last.stage1, stage2: last.stage2 } } : {}),
    };
  } catch (error) {
    const stoppedByGate = error instanceof ApplicationFailure && error.type === stage.GATE_FAILED;
    tracker.end(isCancellation(error) ? 'cancelled' : stoppedByGate ? 'stopped_by_gate' : 'failed', rootCauseMessage(error));
    throw error;
  }
}
