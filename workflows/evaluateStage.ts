/**
 * The evaluate stage: the trained model on the held-out split, every test metric with its interval (Wilson, seeded
 * bootstrap), the final-output accuracy through the spec's conversion, the ceilings side by side, and the comparison
 * with the champion on the same test rows.
 */
import { ApplicationFailure, patched, workflowInfo } from '@temporalio/workflow';
import type { Assessment } from '../activities/assessment.js';
import type { IngestResult, JobOutcome } from '../activities/types.js';
import { ceilings } from '../core/eval/ceilings.js';
import type { HeadlineMetric } from '../core/eval/headline.js';
import type { ChampionRecord } from '../core/registry/schemas.js';
import { splitMetrics } from '../core/describe.js';
import { job, type RunContext } from './stages.js';

export interface Evaluation {
  outcome: JobOutcome;
  metrics: Record<string, number | null>;
  /** The metric the goal and the UI's best-metric column read (the interval's lower bound with goal.on lowerBound). */
  headline: number | null;
  /** Every test metric with its interval, and the comparison with the champion (same test rows), when predictions exist. */
  assessment: Assessment | null;
  /** The registry's hash of the test rows: models are compared only on the same one. */
  testSetHash: string | null;
  champion: ChampionRecord | null;
}

/** The spec's headline as core/eval names it (`loss` is the trainer's cross-entropy, i.e. log loss). */
const HEADLINE: Record<string, HeadlineMetric> = { accuracy: 'accuracy', loss: 'logLoss', macroF1: 'macroF1', balancedAccuracy: 'balancedAccuracy', logLoss: 'logLoss', auc: 'auc' };

export async function evaluate(ctx: RunContext, data: IngestResult, checkpoint: string | undefined, ceilingInputs: { humanCeiling?: number; irreducibleError?: number } = {}): Promise<Evaluation> {
  const { spec, tracker, jobs, quick } = ctx;
  if (!checkpoint) throw ApplicationFailure.nonRetryable('the trained model has no checkpoint artifact', 'BadInput');
  const { split, metric, output } = spec.evaluate;
  tracker.start('evaluate', `${split} split`);
  const outcome = await jobs.runJob.executeWithOptions({ summary: `evaluate · ${split} split` }, [
    job(ctx, data, { stage: 'evaluate', mode: 'evaluate', checkpoint, split }),
  ]);
  const metrics = splitMetrics(split, outcome.result.metrics);
  let headline = metrics[`${split}_${metric}`] ?? null;
  const predictionsUri = outcome.result.artifacts.predictions;
  if (output && predictionsUri) {
    // The goal is about final outputs: score predictions through the same conversion the oracle used.
    const final = await quick.scoreFinalOutputs.executeWithOptions({ summary: `final outputs · ${split}` }, [
      { data: data.data, predictionsUri, conversion: { map: output.map }, ...(output.targetColumn ? { targetColumn: output.targetColumn } : {}) },
    ]);
    metrics[`${split}_final_accuracy`] = final.accuracy;
    if (metric === 'accuracy') headline = final.accuracy;
  }
  let assessment: Assessment | null = null;
  let testSetHash: string | null = null;
  let champion: ChampionRecord | null = null;
  let detail = '';
  // Runs started before intervals existed replay without them (README: changing workflow code).
  if (predictionsUri && split === 'test' && patched('evaluation-intervals')) {
    testSetHash = await quick.testSetHashOf.executeWithOptions({ summary: 'evaluate · test-set hash' }, [{ sha256: data.data.sha256, splitUri: data.data.splitUri }]);
    champion = spec.promote ? await quick.readChampion.executeWithOptions({ summary: `evaluate · champion of ${spec.name}` }, [spec.name]) : null;
    const comparable = champion && champion.testSetSha256 === testSetHash && champion.predictionsUri ? champion.predictionsUri : undefined;
    const { confidence, bootstrap } = spec.evaluate;
    assessment = await quick.assessModel.executeWithOptions(
      { summary: `evaluate · intervals${comparable ? ' · vs champion' : ''}`, startToCloseTimeout: '10m', heartbeatTimeout: '30s' },
      [{ runId: workflowInfo().workflowId, predictionsUri, classes: data.data.numClasses ? Array.from({ length: data.data.numClasses }, (_, i) => String(i)) : data.classes, headline: HEADLINE[metric] ?? 'accuracy', confidence, resamples: bootstrap.resamples, seed: bootstrap.seed, ...(comparable ? { championPredictionsUri: comparable } : {}) }],
    );
    for (const [name, interval] of Object.entries(assessment.report.metrics)) {
      if (!interval) continue;
      metrics[`${split}_${name}`] = interval.estimate;
      metrics[`${split}_${name}_low`] = interval.low;
      metrics[`${split}_${name}_high`] = interval.high;
    }
    const chosen = metric === 'loss' ? null : assessment.report.metrics[HEADLINE[metric] as keyof typeof assessment.report.metrics];
    if (chosen && !(output && metric === 'accuracy')) headline = spec.goal?.on === 'lowerBound' ? (spec.goal.max !== undefined && spec.goal.min === undefined ? chosen.high : chosen.low) : chosen.estimate;
    const accuracy = assessment.report.metrics.accuracy;
    const bounds = ceilings({
      model: accuracy.estimate,
      ...(tracker.progress.metrics.oracle_final_accuracy != null ? { oracle: tracker.progress.metrics.oracle_final_accuracy } : {}),
      ...(ceilingInputs.humanCeiling !== undefined ? { humanCeiling: ceilingInputs.humanCeiling, humanSource: 'agreement' as const } : spec.evaluate.humanCeiling !== undefined ? { humanCeiling: spec.evaluate.humanCeiling, humanSource: 'spec' as const } : {}),
      ...(ceilingInputs.irreducibleError !== undefined ? { irreducibleError: ceilingInputs.irreducibleError } : {}),
    });
    const pct = (x: number) => (x * 100).toFixed(1);
    detail = ` · accuracy ${pct(accuracy.estimate)}% [${pct(accuracy.low)}, ${pct(accuracy.high)}] (${Math.round(spec.evaluate.confidence * 100)}% Wilson) · ${bounds.sentence}`;
    if (assessment.comparison) {
      const { b, c, mcnemar } = assessment.comparison;
      detail += ` · vs champion ${champion!.runId}: McNemar p ${mcnemar.pValue.toPrecision(3)} (${c} rows only this model gets right, ${b} only the champion)`;
    }
  }
  tracker.finish('evaluate', `${split} ${metric} ${headline ?? 'n/a'}${detail}`, metrics);
  tracker.recordMetrics(metrics, headline);
  return { outcome, metrics, headline, assessment, testSetHash, champion };
}
