/**
 * The data checks stage, after ingest and labeling and before any training: schema, duplicates, leakage, valid vs
 * test, the test-set size (evaluate.precision), then the preprocessing check (an `inspect` job: the tensors the model
 * really sees, against the raw data). Each result is recorded as a gate; a failing check whose spec says
 * `onFail: stop` stops the run with its message, a `warn` one is recorded and the run goes on.
 */
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { IngestResult } from '../activities/types.js';
import type { CheckResult } from '../core/data/check.js';
import { rootCauseMessage } from '../core/errors.js';
import type { GateVerdict } from '../core/progress.js';
import { GATE_FAILED, job, type RunContext } from './stages.js';

/** The expected accuracy the test size is planned for: the spec's, the goal's minimum, or 0.5 (the widest interval). */
function expectedAccuracy(spec: RunContext['spec']): number {
  const precision = spec.evaluate.precision;
  if (precision?.expected !== undefined) return precision.expected;
  if (spec.goal?.metric === 'accuracy' && spec.goal.min !== undefined && spec.goal.min > 0 && spec.goal.min < 1) return spec.goal.min;
  return 0.5;
}

function onFail(spec: RunContext['spec'], name: string): 'stop' | 'warn' {
  const { checks } = spec;
  if (name === 'schema' || name === 'duplicates' || name === 'leakage' || name === 'preprocessing' || name === 'splits') return checks[name].onFail;
  if (name === 'test-size') return spec.evaluate.precision?.onFail ?? 'stop';
  return 'stop';
}

export async function checksStage(ctx: RunContext, data: IngestResult): Promise<CheckResult[]> {
  const { spec, tracker, quick } = ctx;
  const { checks } = spec;
  const names: string[] = (['schema', 'duplicates', 'leakage', 'splits', 'preprocessing'] as const).filter((name) => checks[name].enabled);
  if (spec.evaluate.precision) names.push('test-size');
  if (names.length === 0) {
    tracker.skip('checks', 'every data check is disabled in the spec');
    return [];
  }
  tracker.start('checks', names.join(' · '));
  const { workflowId } = workflowInfo();
  const groupColumn = spec.data.split.groupColumn;
  const precision = spec.evaluate.precision;
  const classes = Array.from({ length: data.data.numClasses }, (_, i) => String(i));
  const found = await quick.runDataChecks.executeWithOptions(
    { summary: `checks · ${names.filter((name) => name !== 'preprocessing').join(', ')}`, startToCloseTimeout: '15m', heartbeatTimeout: '30s' },
    [
      {
        runId: workflowId,
        data: data.data,
        classes,
        checks,
        ...(groupColumn ? { groupColumn } : {}),
        ...(precision ? { precision: { halfWidth: precision.halfWidth, confidence: precision.confidence, expected: expectedAccuracy(spec) } } : {}),
      },
    ],
  );
  const results = [...found.results];
  const evidence: Record<string, string> = Object.fromEntries(found.results.map((result) => [result.name, found.uri]));
  if (checks.preprocessing.enabled) {
    const inspected = await inspect(ctx, data, workflowId, groupColumn);
    results.push(inspected.result);
    if (inspected.uri) evidence.preprocessing = inspected.uri;
  }

  const stopping: CheckResult[] = [];
  for (const result of results) {
    const warnOnly = result.verdict === 'warn' || (result.verdict === 'fail' && onFail(spec, result.name) === 'warn');
    const verdict: GateVerdict = {
      gate: result.name,
      passed: result.verdict !== 'fail' || warnOnly,
      explanation: `${result.name}: ${result.message}`,
      ...(warnOnly ? { warning: true } : {}),
      ...(evidence[result.name] ? { evidenceUri: evidence[result.name] } : {}),
    };
    tracker.recordGate(verdict);
    if (result.verdict === 'fail' && !warnOnly) stopping.push(result);
  }
  const summary = results.map((result) => `${result.name} ${result.verdict}`).join(' · ');
  if (stopping.length) {
    const explanation = stopping.map((result) => `${result.name}: ${result.message}`).join('; ');
    tracker.finish('checks', explanation, {}, 'failed');
    throw ApplicationFailure.nonRetryable(`data checks failed: ${explanation}`, GATE_FAILED, { gate: 'checks', passed: false, explanation });
  }
  tracker.finish('checks', summary);
  return results;
}

/** The preprocessing check: an inspect job on the training split, compared with the raw rows by an activity. */
async function inspect(ctx: RunContext, data: IngestResult, runId: string, groupColumn: string | undefined): Promise<{ result: CheckResult; uri: string | null }> {
  const { spec, jobs, quick } = ctx;
  try {
    const outcome = await jobs.runJob.executeWithOptions({ summary: 'checks · inspect the training inputs' }, [
      job(ctx, data, { stage: 'inspect', mode: 'inspect', split: 'train', hyperparameters: spec.train.hyperparameters }),
    ]);
    const inspectionUri = outcome.result.artifacts.inspection;
    if (!inspectionUri) throw ApplicationFailure.nonRetryable(`the inspect job ${outcome.jobId} wrote no inspection artifact`, 'BadInput');
    const checked = await quick.checkPreprocessing.executeWithOptions({ summary: 'checks · preprocessing' }, [
      { runId, data: data.data, inspectionUri, ...(groupColumn ? { groupColumn } : {}) },
    ]);
    return { result: checked.results[0]!, uri: checked.uri };
  } catch (error) {
    const message = rootCauseMessage(error);
    // A hand-written trainer that predates mode inspect: say so, and go on with the other checks' verdicts.
    if (/'inspect' is not implemented/.test(message)) {
      return {
        result: { name: 'preprocessing', verdict: 'warn', message: `not checked: the trainer does not implement mode inspect (implement it, or turn the check off with checks: { preprocessing: { enabled: false } })`, details: {} },
        uri: null,
      };
    }
    throw error;
  }
}
