/**
 * The pipeline's `label` stage: runs the labeling workflow as a child (`<run>-label`, where people pull and submit),
 * then applies the agreement gate. Every later stage trains and evaluates on the adjudicated labels it returns.
 */
import { ApplicationFailure, executeChild, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { agreementVerdict } from '../core/labeling/gate.js';
import { labelingWorkflowId, type LabelingResult } from '../contracts/labeling.js';
import type { IngestResult } from '../activities/types.js';
import type { labelingWorkflow as labelingWorkflowType } from './labeling.js';
import { GATE_FAILED, type RunContext } from './stages.js';

/** Class names: the spec's, or "0" … "K-1". */
export function labelClasses(ctx: Pick<RunContext, 'spec'>, data: IngestResult): string[] {
  return ctx.spec.label?.classes ?? Array.from({ length: data.data.numClasses }, (_, i) => String(i));
}

export async function labelStage(ctx: RunContext, data: IngestResult): Promise<{ data: IngestResult; labeling: (LabelingResult & { classes: string[] }) | null }> {
  const { spec, tracker } = ctx;
  const label = spec.label;
  if (!label) {
    tracker.skip('label', 'no label section in the spec');
    return { data, labeling: null };
  }
  const items = label.items === 'all' ? Array.from({ length: data.rows }, (_, row) => row) : (data.unlabeledRows ?? []);
  if (items.length === 0) {
    tracker.skip('label', 'every row already has a label (label.items: unlabeled)');
    return { data, labeling: null };
  }
  const classes = labelClasses(ctx, data);
  const names = label.annotators.map((annotator) => `${annotator.name} (${annotator.kind})`).join(', ');
  tracker.start('label', `${items.length} items · batches of ${label.batchSize} · ${names}`);
  const { workflowId } = workflowInfo();
  const result = await executeChild<typeof labelingWorkflowType>('labelingWorkflow', {
    workflowId: labelingWorkflowId(workflowId),
    args: [{ spec, ingest: data, items, classes }],
    staticSummary: `labeling of ${spec.name} · ${items.length} items · ${label.annotators.length} annotators`,
  });
  const { summary } = result;
  const alpha = summary.agreement?.krippendorffAlpha;
  const ceiling = summary.humanCeiling.accuracy;
  const metrics: Record<string, number | null> = {
    label_items: summary.items,
    label_unlabeled: summary.unlabeled,
    label_attempts_failed: summary.attempts.failed + summary.attempts.expired,
    ...(summary.agreement ? { label_krippendorff_alpha: alpha ?? null, label_percent_agreement: summary.agreement.percentAgreement } : {}),
    ...(ceiling !== null ? { human_ceiling_accuracy: ceiling } : {}),
  };
  tracker.recordMetrics(metrics);
  upsertMemo({ labeling: { provenanceUri: result.provenanceUri, humanCeiling: ceiling, krippendorffAlpha: alpha ?? null } });
  const described =
    `${summary.labeled} of ${summary.items} items labeled (${summary.doubleLabeled} twice) · ` +
    `${summary.attempts.total} attempts (${summary.attempts.failed} failed, ${summary.attempts.expired} expired)` +
    (alpha !== undefined ? ` · alpha ${alpha === null ? 'undefined' : alpha.toFixed(3)}` : '') +
    (ceiling !== null ? ` · human ceiling ${ceiling.toFixed(3)}` : '');
  if (label.gate) {
    const verdict = agreementVerdict(summary, label.gate);
    const warnOnly = !verdict.passed && label.gate.onFail === 'warn';
    tracker.recordGate(warnOnly ? { ...verdict, explanation: `warning (label.gate.onFail: warn): ${verdict.explanation}` } : verdict);
    tracker.finish('label', verdict.passed || warnOnly ? `${described} · ${verdict.explanation}` : verdict.explanation, metrics, verdict.passed || warnOnly ? 'succeeded' : 'failed');
    if (!verdict.passed && !warnOnly) throw ApplicationFailure.nonRetryable(verdict.explanation, GATE_FAILED, verdict);
  } else {
    tracker.finish('label', described, metrics);
  }
  return { data: result.ingest, labeling: { ...result, classes } };
}
