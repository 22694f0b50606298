/**
 * The `promote` stage, and `approve` when a person decides: whether this run's model replaces the pipeline's
 * champion (models/<pipeline>/champion.json), by the spec's rule (core/registry/promotion.ts). Only a run that got
 * this far can promote: one that failed or stopped at a gate never reaches here, so a bad nightly run leaves the
 * champion untouched. Every verdict, promoted or not, is appended to the registry's history with its reasons.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { headlineOf } from '../core/registry/headline.js';
import { decidePromotion } from '../core/registry/promotion.js';
import type { ChampionRecord, MetricValue, ModelCandidate } from '../core/registry/schemas.js';
import { approveUpdate, type ApproveRequest } from '../contracts/pipeline.js';
import type { Evaluation } from './evaluateStage.js';
import type { RunContext } from './stages.js';

export interface PromotionOutcome {
  verdict: string;
  promoted: boolean;
  reasons: string[];
}

/** The Update handler lives from the start of the run; it accepts a decision only while the run waits in `approve`. */
export function approvals(ctx: Pick<RunContext, 'tracker'>) {
  let waiting = false;
  let decision: ApproveRequest | null = null;
  setHandler(
    approveUpdate,
    (request) => {
      decision = request;
      return { decision: request.approve ? ('approved' as const) : ('rejected' as const) };
    },
    {
      validator: (_request: ApproveRequest) => {
        if (!waiting) {
          const running = ctx.tracker.progress.stages.find((stage) => stage.status === 'running')?.stage;
          throw ApplicationFailure.nonRetryable(`the run is not waiting for approval (${running ? `it is in stage ${running}` : `it is ${ctx.tracker.progress.status}`}); only a run with promote.when: manual waits in stage approve`, 'NotWaitingForApproval');
        }
        if (decision) throw ApplicationFailure.nonRetryable('a decision was already made for this run', 'AlreadyDecided');
      },
    },
  );
  return {
    async wait(): Promise<ApproveRequest> {
      waiting = true;
      await condition(() => decision !== null);
      waiting = false;
      return decision!;
    },
  };
}

function intervalMetrics(evaluation: Evaluation): Record<string, MetricValue> {
  const metrics: Record<string, MetricValue> = { ...evaluation.metrics };
  for (const [name, interval] of Object.entries(evaluation.assessment?.report.metrics ?? {})) {
    if (interval) metrics[`test_${name}`] = { estimate: interval.estimate, low: interval.low, high: interval.high, method: interval.method };
  }
  return metrics;
}

export async function promoteStage(ctx: RunContext, evaluation: Evaluation, checkpoint: string, approval: ReturnType<typeof approvals>): Promise<PromotionOutcome | null> {
  const { spec, tracker, quick } = ctx;
  const rule = spec.promote;
  if (!rule) {
    tracker.skip('promote', 'no promote rule in the spec');
    tracker.skip('approve', 'no promote rule in the spec');
    return null;
  }
  tracker.start('promote', `rule: ${rule.when}${rule.when === 'mcnemar' ? ` (alpha ${rule.alpha})` : ''}`);
  const runId = tracker.progress.runId;
  const metrics = intervalMetrics(evaluation);
  const headline = headlineOf(spec.evaluate, metrics);
  if (!headline || !evaluation.testSetHash) {
    const reasons = [`no ${spec.evaluate.split} ${spec.evaluate.metric} with predictions to promote on`];
    await quick.recordPromotionVerdict.executeWithOptions({ summary: 'promote · not promoted' }, [{ pipeline: spec.name, runId, by: 'rule', verdict: 'kept', reasons, candidate: null, at: new Date().toISOString() }]);
    tracker.finish('promote', `kept: ${reasons.join('; ')}`);
    tracker.skip('approve', 'nothing to approve');
    return { verdict: 'kept', promoted: false, reasons };
  }
  const candidate: ModelCandidate = {
    pipeline: spec.name,
    runId,
    checkpoint,
    metrics,
    headline,
    testSetSha256: evaluation.testSetHash,
    predictionsUri: evaluation.outcome.result.artifacts.predictions ?? null,
    manifestUri: null,
  };
  const comparison = evaluation.assessment?.comparison ?? null;
  // core/eval counts b = champion right & challenger wrong; the registry's b is the challenger's wins.
  const mcnemar = comparison ? { b: comparison.c, c: comparison.b, pValue: comparison.mcnemar.pValue } : null;
  let champion: ChampionRecord | null = evaluation.champion;
  for (let attempt = 1; ; attempt++) {
    const decision = decidePromotion({ rule, challenger: { runId, headline, testSetHash: evaluation.testSetHash, mcnemar }, champion });
    let { verdict, promote, reasons } = decision;
    let by: 'rule' | 'manual' = 'rule';
    if (verdict === 'waiting-for-approval') {
      tracker.finish('promote', `waiting for a person: ${reasons.join('; ')}`);
      tracker.start('approve', `gauntlet approve ${runId} [--reject --reason TEXT]`);
      const answer = await approval.wait();
      by = 'manual';
      promote = answer.approve;
      verdict = answer.approve ? 'promoted' : 'kept';
      reasons = [...reasons, `${answer.approve ? 'approved' : 'rejected'} by ${answer.by ?? 'a person'}${answer.reason ? `: ${answer.reason}` : ''}`];
      tracker.finish('approve', reasons.at(-1)!, {}, answer.approve ? 'succeeded' : 'failed');
    } else {
      tracker.skip('approve', `promote.when is ${rule.when}`);
    }
    const at = new Date().toISOString();
    if (!promote) {
      await quick.recordPromotionVerdict.executeWithOptions({ summary: `promote · ${verdict}` }, [{ pipeline: spec.name, runId, by, verdict, reasons, candidate, at }]);
      if (tracker.progress.stages.find((stage) => stage.stage === 'promote')?.status === 'running') tracker.finish('promote', `${verdict}: ${reasons.join('; ')}`);
      return { verdict, promoted: false, reasons };
    }
    const result = await quick.promoteModel.executeWithOptions({ summary: `promote · ${verdict}` }, [{ candidate, by, verdict, reasons, expectedChampion: champion?.runId ?? null, at }]);
    if (result.outcome === 'promoted') {
      if (tracker.progress.stages.find((stage) => stage.stage === 'promote')?.status === 'running') tracker.finish('promote', `${verdict}: ${reasons.join('; ')}`);
      return { verdict, promoted: true, reasons };
    }
    // Another run promoted in between: decide again against the new champion (it may not be comparable any more).
    champion = result.current;
    if (attempt >= 3) {
      const lost = [...reasons, `the champion changed ${attempt} times while deciding; left as it is`];
      await quick.recordPromotionVerdict.executeWithOptions({ summary: 'promote · conflict' }, [{ pipeline: spec.name, runId, by, verdict: 'kept', reasons: lost, candidate, at }]);
      tracker.finish('promote', `kept: ${lost.join('; ')}`);
      return { verdict: 'kept', promoted: false, reasons: lost };
    }
  }
}
