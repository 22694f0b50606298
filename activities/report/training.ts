/**
 * The sections about training: gate evidence (the overfit job's loss curve, the oracle bound), the LR range test's
 * curve re-read with the same analysis the run used, the one-cycle schedule per step, and per-epoch metrics from a
 * job's events.jsonl.
 */
import { z } from 'zod';
import { analyzeLrRangeTest } from '../../core/lr/rangeTest.js';
import { thin } from '../../core/report/chart.js';
import type { EpochMetrics, GatesSection, LrFindSection, ScheduleSection } from '../../core/report/types.js';
import { oneCycle } from '../../core/schedule/oneCycle.js';
import { ProgressEvent } from '../../core/spec/job.js';
import { exists, readJson, readText, type ReportContext } from './context.js';
import { JobResultView, LrCurve, OverfitDetails, type OneCycleSpec } from './schemas.js';

/** `checks`: the data checks the report shows with their evidence (name → verdict); their gate verdicts become one line. */
export async function gatesSection(ctx: ReportContext, checks: ReadonlyMap<string, string>): Promise<GatesSection | undefined> {
  const all = ctx.manifest.gates.filter((g) => g.gate !== 'agreement');
  if (all.length === 0) return undefined;
  const verdicts = all.filter((g) => !checks.has(g.gate));
  const dataChecks = all.filter((g) => checks.has(g.gate)).map(({ gate }) => ({ name: gate, verdict: checks.get(gate)! }));
  const section: GatesSection = { ...(dataChecks.length ? { dataChecks } : {}), verdicts: verdicts.map(({ gate, passed, explanation, value, evidenceUri }) => ({ gate, passed, explanation, ...(value !== undefined ? { value } : {}), ...(evidenceUri ? { evidenceUri } : {}) })) };
  const oracle = verdicts.find((g) => g.gate === 'oracle');
  if (oracle?.value !== undefined) {
    const goal = ctx.spec.goal;
    section.oracle = { bound: oracle.value, split: ctx.spec.evaluate.split, ...(goal?.metric === 'accuracy' && goal.min !== undefined ? { goalMin: goal.min } : {}) };
  }
  const overfit = verdicts.find((g) => g.gate === 'overfit');
  if (overfit?.evidenceUri) {
    const result = await readJson(ctx, overfit.evidenceUri, JobResultView);
    const details = OverfitDetails.parse(result.details);
    // Long curves are an artifact of their own rather than inline details.
    const curve = details.curve ?? (result.artifacts.curve ? await readJson(ctx, result.artifacts.curve, z.array(z.number().nullable())) : []);
    section.overfit = { curve, lossThreshold: details.lossThreshold, batchSize: details.batchSize, maxSteps: details.maxSteps, passed: details.passed };
  }
  return section;
}

export async function lrFindSection(ctx: ReportContext): Promise<LrFindSection | undefined> {
  const decision = ctx.manifest.lrFinder;
  if (!decision || decision.source === 'fixed' || !decision.curveUri) return undefined;
  const raw = await readJson(ctx, decision.curveUri, LrCurve);
  const find = ctx.spec.train.lrFind ?? { numSteps: raw.length, divergeFactor: 4 };
  // The same analysis the run made (core/lr/rangeTest.ts, same options): the smoothed, trimmed curve to draw.
  const analysis = analyzeLrRangeTest(
    raw.map((p) => ({ lr: p.lr, loss: p.loss ?? Number.NaN })),
    { numIt: find.numSteps, divergeFactor: find.divergeFactor },
  );
  const chosen = decision.maxLr;
  if (chosen === null || !Number.isFinite(chosen)) throw new Error('the manifest records no usable max LR');
  return {
    points: raw.map(({ lr, loss }) => ({ lr, loss })),
    curve: analysis.curve,
    // The manifest's suggestions and verdict are the ones the run acted on.
    suggestions: decision.suggestions ?? analysis.suggestions,
    policy: decision.policy ?? ctx.spec.train.lrFind?.policy ?? 'valley',
    chosen,
    source: decision.source,
    trustworthy: decision.trustworthy ?? analysis.trustworthy,
    reasons: decision.reasons ?? analysis.reasons,
  };
}

/** The one-cycle schedule as the job ran it: PyTorch's OneCycleLR over epochs × batches per epoch. */
export function scheduleSection(options: { schedule: OneCycleSpec; maxLr: number; epochs: number; stepsPerEpoch: number; of: string }): ScheduleSection {
  const { schedule, maxLr, epochs, stepsPerEpoch } = options;
  const settings = {
    pctStart: schedule.pctStart,
    annealStrategy: schedule.annealStrategy,
    divFactor: schedule.divFactor,
    finalDivFactor: schedule.finalDivFactor,
    threePhase: schedule.threePhase,
    cycleMomentum: schedule.cycleMomentum,
    baseMomentum: schedule.baseMomentum,
    maxMomentum: schedule.maxMomentum,
  };
  const totalSteps = epochs * stepsPerEpoch;
  const cycle = oneCycle({ maxLr, totalSteps, ...settings });
  const steps = Array.from({ length: totalSteps }, (_, step) => step);
  const points = thin(steps, 2000).map((step) => ({ step, lr: cycle.lr[step] as number, momentum: schedule.cycleMomentum ? (cycle.momentum[step] ?? null) : null }));
  return { maxLr, epochs, stepsPerEpoch, totalSteps, options: settings, points, of: options.of };
}

/** Batches per epoch: what the job reported (details.stepsPerEpoch), else ceil(train rows / batch size). */
export async function stepsPerEpoch(ctx: ReportContext, resultUri: string | undefined, trainRows: number, batchSize: number): Promise<number> {
  if (resultUri && (await exists(ctx, resultUri))) {
    const result = await readJson(ctx, resultUri, JobResultView);
    const reported = result.details.stepsPerEpoch;
    if (typeof reported === 'number' && Number.isInteger(reported) && reported > 0) return reported;
  }
  return Math.ceil(trainRows / batchSize);
}

/**
 * Every metric per closed epoch from a job's events.jsonl. A retried job's log holds its earlier attempts too: the
 * last value of a metric for an epoch wins, as the resumed attempt recomputed it.
 */
export async function epochMetrics(ctx: ReportContext, eventsUri: string): Promise<EpochMetrics[]> {
  const text = await readText(ctx, eventsUri);
  const byEpoch = new Map<number, Record<string, number | null>>();
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const event = ProgressEvent.safeParse(value);
    if (!event.success || event.data.event !== 'metric' || event.data.epoch === undefined) continue;
    const metrics = byEpoch.get(event.data.epoch) ?? {};
    metrics[event.data.name] = event.data.value;
    byEpoch.set(event.data.epoch, metrics);
  }
  return [...byEpoch.entries()].sort(([a], [b]) => a - b).map(([epoch, metrics]) => ({ epoch, metrics }));
}
