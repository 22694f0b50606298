/** The sweep section and the trials' curves: the paged trial table in the store, checked record by record. */
import { z } from 'zod';
import type { CurvesSection, SweepSection, SweepTrial } from '../../core/report/types.js';
import { sweepWorkflowId } from '../../contracts/sweep.js';
import { TrialTableManifest } from '../sweepTable.js';
import { exists, readJson, type ReportContext } from './context.js';
import { TrialRecordView } from './schemas.js';

const TrialPage = z.looseObject({ trials: z.array(TrialRecordView) });

export async function readTrials(ctx: ReportContext, tableUri: string): Promise<TrialRecordView[]> {
  const table = await readJson(ctx, tableUri, TrialTableManifest);
  const trials: TrialRecordView[] = [];
  for (const uri of table.pages) {
    // A page is written when its first trial finishes: a sweep cut short may list pages never written.
    if (!(await exists(ctx, uri))) continue;
    trials.push(...(await readJson(ctx, uri, TrialPage)).trials);
  }
  return trials.sort((a, b) => a.trial - b.trial);
}

/** How each searched parameter is best drawn: log-uniform ranges on a log axis, choices as categories. */
function parameters(space: Record<string, unknown>): SweepSection['parameters'] {
  return Object.entries(space).flatMap(([name, entry]): SweepSection['parameters'] => {
    if (typeof entry !== 'object' || entry === null) return []; // fixed: nothing to compare
    if ('loguniform' in entry) return [{ name, scale: 'log' }];
    if ('uniform' in entry || 'int' in entry) return [{ name, scale: 'linear' }];
    if ('choice' in entry) return [{ name, scale: 'categorical' }];
    return [];
  });
}

function describeStopping(stopping: Record<string, unknown> & { kind: string }): string {
  const options = Object.entries(stopping)
    .filter(([key]) => key !== 'kind')
    .map(([key, value]) => `${key} ${String(value)}`);
  return options.length ? `${stopping.kind} (${options.join(', ')})` : stopping.kind;
}

export function sweepSection(ctx: ReportContext, trials: TrialRecordView[]): SweepSection {
  const sweep = ctx.manifest.sweep!;
  const spec = ctx.spec.sweep;
  if (!spec) throw new Error('the manifest has a sweep but its spec has no sweep section');
  const records: SweepTrial[] = trials.map((t) => ({
    trial: t.trial,
    status: t.status,
    config: t.config,
    maxLr: t.maxLr,
    epochs: t.epochs,
    epochsRun: t.curve.length,
    batchSize: t.batchSize,
    objective: t.objective,
    ...(t.stopReason ? { stopReason: t.stopReason } : {}),
    ...(t.error ? { error: t.error } : {}),
    decisions: t.decisions.map((d) => ({
      epoch: d.epoch,
      action: d.action,
      reason: d.reason,
      value: d.value,
      ...(d.milestone !== undefined ? { milestone: d.milestone } : {}),
      ...(d.threshold !== undefined ? { threshold: d.threshold } : {}),
      ...(d.complete !== undefined ? { complete: d.complete } : {}),
    })),
    gpuSeconds: t.gpuSeconds,
    launches: t.launches,
  }));
  return {
    objective: spec.objective,
    strategy: `${spec.strategy.kind}${spec.budget ? ` · at most ${spec.budget.maxTrials} trials` : ''}`,
    earlyStopping: describeStopping(spec.earlyStopping),
    counts: { trials: sweep.trials, completed: sweep.completed, stopped: sweep.stopped, failed: sweep.failed },
    stoppedBecause: sweep.stoppedBecause,
    endReason: sweep.endReason,
    bestTrial: sweep.best?.trial ?? null,
    parameters: parameters(spec.space),
    trials: records,
  };
}

export function trialCurves(ctx: ReportContext, trials: TrialRecordView[]): Pick<CurvesSection, 'trials' | 'objective'> {
  const best = ctx.manifest.sweep?.best?.trial;
  return {
    trials: trials.map((t) => ({ trial: t.trial, status: t.status, curve: t.curve, best: t.trial === best })),
    ...(ctx.spec.sweep ? { objective: ctx.spec.sweep.objective } : {}),
  };
}

/** The best trial's job folder: from its checkpoint URI, else the sweep's `trial-<n>/`. */
export function bestTrialFolder(ctx: ReportContext, trials: TrialRecordView[]): string | null {
  const best = ctx.manifest.sweep?.best;
  if (!best) return null;
  const checkpoint = best.checkpoint ?? trials.find((t) => t.trial === best.trial)?.checkpoint;
  const marker = checkpoint?.lastIndexOf('/checkpoints/') ?? -1;
  if (checkpoint && marker > 0) return checkpoint.slice(0, marker + 1);
  return ctx.store.uri(`runs/${sweepWorkflowId(ctx.runId)}/trial-${best.trial}/`);
}
