/**
 * The stages of a pipeline run, one function each. Each reads the spec, calls activities, and records what it
 * decided on the tracker (progress query, memo, search attributes). Rules and thresholds live in core/.
 */
import { ActivityCancellationType, ApplicationFailure, executeChild, proxyActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { describeConfig } from '../core/sweep/config.js';
import { lrGroupConfigs, lrGroupKey, trialSettings } from '../core/sweep/space.js';
import { sweepWorkflowId, type SweepInput, type SweepResult } from '../contracts/sweep.js';
import type { Activities } from '../activities/index.js';
import type { IngestResult, JobOutcome, JobRequest } from '../activities/types.js';
import { describeSchedule } from '../core/describe.js';
import { oracleVerdict } from '../core/oracle.js';
import type { GateVerdict, LrDecision } from '../core/progress.js';
import type { Schedule } from '../core/spec/job.js';
import type { JobStage, PipelineSpec } from '../core/spec/pipeline.js';
import type { RunTracker } from './runTracker.js';
import { INFRASTRUCTURE_UNAVAILABLE } from '../core/failures.js';
import { durationMs } from '../core/spec/duration.js';
import { retrying, type RetryRules } from './resilience.js';

export const STAGES = ['ingest', 'label', 'checks', 'oracle', 'overfit', 'lr-find', 'train', 'sweep', 'evaluate', 'promote', 'approve', 'record'] as const;
const NON_RETRYABLE = ['BadInput', INFRASTRUCTURE_UNAVAILABLE];
export const GATE_FAILED = 'GateFailed';

export interface RunContext {
  spec: PipelineSpec;
  tracker: RunTracker;
  /** False with `--no-cache`: jobs run even when an earlier job had the same inputs. */
  cache: boolean;
  quick: ReturnType<typeof proxyActivities<Activities>>;
  jobs: ReturnType<typeof proxyActivities<Activities>>;
}

export function runContext(spec: PipelineSpec, tracker: RunTracker, options: { cache?: boolean } = {}): RunContext {
  const { retry } = spec.trainer;
  // Each retry shows on the running stage (progress query, `gauntlet status`): a run waiting out an outage says so.
  const proxies = activityProxies(spec, {
    trainer: { maximumAttempts: retry.maximumAttempts, initialMs: durationMs(retry.initialInterval), coefficient: retry.backoffCoefficient, maximumMs: durationMs(retry.maximumInterval) },
    onRetry: (note) => tracker.noteRetry(note),
  });
  // A job whose outcome came from the cache: the running stage says whose outputs it reused.
  const runJob = proxies.jobs.runJob;
  const noted = (outcome: JobOutcome): JobOutcome => {
    if (outcome.cachedFrom) tracker.noteCached(outcome.cachedFrom.run);
    return outcome;
  };
  const cachedRunJob = Object.assign((request: JobRequest) => runJob(request).then(noted), {
    executeWithOptions: (options: Parameters<typeof runJob.executeWithOptions>[0], args: [JobRequest]) => runJob.executeWithOptions(options, args).then(noted),
  });
  // The activity proxies are Proxies (no own keys to spread): replace runJob through another one.
  const jobs = new Proxy(proxies.jobs, { get: (target, name, receiver) => (name === 'runJob' ? cachedRunJob : Reflect.get(target, name, receiver)) });
  return { spec, tracker, cache: options.cache ?? true, quick: proxies.quick, jobs };
}

/**
 * Short activities get short timeouts: if the worker dies during one, Temporal retries it after this, not later;
 * their own errors get Temporal's retries, outages come back to the workflow's window (./resilience.ts). Job
 * activities get one Temporal attempt per call: the workflow tells the trainer's failures (counted under `trainer`)
 * from outages (not counted).
 */
export function activityProxies(
  spec: Pick<PipelineSpec, 'trainer'>,
  rules: { trainer: NonNullable<RetryRules['trainer']>; onRetry: (note: string) => void },
): Pick<RunContext, 'quick' | 'jobs'> {
  const infraWindowMs = durationMs(spec.trainer.infraRetryWindow);
  const quick = retrying(
    proxyActivities<Activities>({
      startToCloseTimeout: '1m',
      retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
    }),
    { kind: 'quick', infraWindowMs, progressMs: 2 * 60_000, onRetry: rules.onRetry },
  );
  const jobs = retrying(
    proxyActivities<Activities>({
      startToCloseTimeout: spec.trainer.timeout,
      heartbeatTimeout: spec.trainer.heartbeatTimeout,
      retry: { maximumAttempts: 1 },
      // A cancelled job frees its GPU only once the process or Job has really stopped.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    }),
    { kind: 'job', infraWindowMs, progressMs: durationMs(spec.trainer.heartbeatTimeout) + 60_000, trainer: rules.trainer, onRetry: rules.onRetry },
  );
  return { quick, jobs };
}

/** A failed gate stops the run with its explanation; the verdict is already on the tracker. */
function stopAtGate(verdict: GateVerdict): never {
  throw ApplicationFailure.nonRetryable(verdict.explanation, GATE_FAILED, verdict);
}

/** A sweep trial's stage: `trial-<n>`; it runs where the train stage runs. */
export type TrialStage = `trial-${number}` | `lr-find-${number}` | `fold-${number}` | `fold-${number}-predict` | `evaluate-${string}`;

export function job(
  ctx: Pick<RunContext, 'spec'> & Partial<Pick<RunContext, 'cache'>>,
  data: Pick<IngestResult, 'data'>,
  request: Omit<JobRequest, 'trainer' | 'data' | 'seed' | 'pipeline' | 'executor'> & { stage: JobStage | TrialStage; seed?: number },
): JobRequest {
  const { spec } = ctx;
  const base: JobStage = /^(trial|fold)-/.test(request.stage) ? 'train' : request.stage.startsWith('lr-find') ? 'lr-find' : request.stage.startsWith('evaluate-') ? 'evaluate' : (request.stage as JobStage);
  const executor = spec.stageExecutors[base] ?? spec.executor;
  return {
    trainer: spec.trainer,
    data: data.data,
    seed: spec.train.seed,
    pipeline: spec.name,
    executor,
    ...(executor === 'kubernetes' && spec.kubernetes ? { kubernetes: spec.kubernetes } : {}),
    ...(ctx.cache === false ? { cache: false } : {}),
    ...request,
  };
}

export async function ingest({ spec, tracker, quick }: RunContext): Promise<IngestResult> {
  tracker.start('ingest', spec.data.source);
  const targetColumn = spec.evaluate.output?.targetColumn;
  // Ingest may move a large file: a longer limit than the other short activities, with heartbeats to notice a crash.
  const result = await quick.ingestDataset.executeWithOptions({ summary: `ingest · ${spec.data.source}`, startToCloseTimeout: '10m', heartbeatTimeout: '10s' }, [
    {
      source: spec.data.source,
      labelColumn: spec.data.labelColumn,
      // The group column names who or where a row came from: never a feature.
      ignoreColumns: [...spec.data.ignoreColumns, ...(targetColumn ? [targetColumn] : []), ...(spec.data.split.groupColumn ? [spec.data.split.groupColumn] : [])],
      split: spec.data.split,
      ...(spec.label ? { labeling: spec.label.classes ? { numClasses: spec.label.classes.length } : {} } : {}),
      ...(spec.data.snapshot ? { snapshot: spec.data.snapshot } : {}),
    },
  ]);
  const { train, valid, test } = result.counts;
  tracker.finish('ingest', `${result.snapshot ? `snapshot ${result.snapshot.name} · ` : ''}${result.rows} rows · ${result.data.numClasses} classes · train/valid/test ${train}/${valid}/${test} · sha256 ${result.data.sha256.slice(0, 12)}`);
  return result;
}

/** Would a perfect model reach the goal? Scored on the evaluation split through the label → output conversion. */
export async function oracleGate({ spec, tracker, quick }: RunContext, data: IngestResult): Promise<void> {
  if (!spec.gates.oracle.enabled || spec.evaluate.metric !== 'accuracy') {
    tracker.skip('oracle', spec.gates.oracle.enabled ? 'only defined for accuracy' : 'disabled in the spec');
    return;
  }
  const { split, output } = spec.evaluate;
  tracker.start('oracle', `${split} split`);
  const score = await quick.computeOracleBound.executeWithOptions({ summary: `oracle upper bound · ${split}` }, [
    {
      data: data.data,
      split,
      ...(output ? { conversion: { map: output.map } } : {}),
      ...(output?.targetColumn ? { targetColumn: output.targetColumn } : {}),
    },
  ]);
  const goalMin = spec.goal?.metric === 'accuracy' ? spec.goal.min : undefined;
  const verdict = oracleVerdict(score, goalMin, split);
  const gate: GateVerdict = { gate: 'oracle', passed: verdict.reachable, explanation: verdict.explanation, value: verdict.bound };
  tracker.recordGate(gate);
  tracker.recordMetrics({ oracle_final_accuracy: verdict.bound });
  tracker.finish('oracle', verdict.explanation, { bound: verdict.bound }, verdict.reachable ? 'succeeded' : 'failed');
  if (!verdict.reachable) stopAtGate(gate);
}

/** Can the model memorise one tiny batch? If not, the implementation or the data pipeline is broken. */
export async function overfitGate(ctx: RunContext, data: Pick<IngestResult, 'data'>): Promise<void> {
  const { spec, tracker, jobs } = ctx;
  const gate = spec.gates.overfit;
  if (!gate.enabled) {
    tracker.skip('overfit', 'disabled in the spec');
    return;
  }
  const { batchSize, lossThreshold, maxSteps } = gate;
  tracker.start('overfit', `one batch of ${batchSize} · loss < ${lossThreshold} within ${maxSteps} steps`);
  const outcome = await jobs.runJob.executeWithOptions({ summary: `overfit gate · batch ${batchSize} · ${maxSteps} steps` }, [
    job(ctx, data, {
      stage: 'overfit',
      mode: 'overfit_check',
      hyperparameters: spec.train.hyperparameters,
      overfit: { batchSize, lossThreshold, maxSteps },
    }),
  ]);
  const { metrics, details } = outcome.result;
  const finalLoss = metrics.final_loss ?? null;
  const steps = metrics.steps ?? maxSteps;
  const passed = details.passed === true;
  const loss = finalLoss === null ? 'not finite' : finalLoss.toPrecision(3);
  const explanation = passed
    ? `overfit gate passed: loss ${loss} < ${lossThreshold} after ${steps} steps on one batch of ${batchSize}`
    : `overfit gate failed: after ${steps} steps on one fixed batch of ${batchSize} training examples the loss is ${loss} ` +
      `(threshold ${lossThreshold})${typeof details.reason === 'string' ? ` — ${details.reason}` : ''}. A correct model and data ` +
      `pipeline memorise a batch this small: check that labels line up with inputs, that the optimizer really updates ` +
      `the parameters (learning rate, frozen layers), and the loss function. Loss curve: ${outcome.resultUri} (details.curve).`;
  const verdict: GateVerdict = { gate: 'overfit', passed, explanation, evidenceUri: outcome.resultUri, ...(finalLoss !== null ? { value: finalLoss } : {}) };
  tracker.recordGate(verdict);
  tracker.finish('overfit', explanation, metrics, passed ? 'succeeded' : 'failed');
  if (!passed) stopAtGate(verdict);
}

/** One-cycle's max LR: fixed in the spec, or found by the LR range test and the spec's policy. */
export async function findLearningRate(
  ctx: RunContext,
  data: Pick<IngestResult, 'data'>,
  group: { index: number; batchSize: number; hyperparameters: Record<string, number | string | boolean>; label: string } | null = null,
): Promise<Schedule> {
  const { spec, tracker, jobs, quick } = ctx;
  const { schedule } = spec.train;
  if (schedule.kind === 'constant') {
    tracker.skip('lr-find', `constant lr ${schedule.lr}`);
    return schedule;
  }
  if (schedule.maxLr !== undefined) {
    tracker.skip('lr-find', `max lr fixed at ${schedule.maxLr} in the spec`);
    tracker.recordLr({ source: 'fixed', maxLr: schedule.maxLr });
    return { ...schedule, maxLr: schedule.maxLr };
  }
  const find = spec.train.lrFind ?? { startLr: 1e-7, endLr: 10, numSteps: 100, divergeFactor: 4, policy: 'valley' as const };
  const groupNote = group ? ` · group ${group.label}` : '';
  tracker.start('lr-find', `range test ${find.startLr} → ${find.endLr} over ${find.numSteps} steps${groupNote}`);
  const test = await jobs.runJob.executeWithOptions({ summary: `LR range test · ${find.numSteps} steps${groupNote}` }, [
    job(ctx, data, {
      stage: group ? `lr-find-${group.index}` : 'lr-find',
      mode: 'lr_range_test',
      batchSize: group?.batchSize ?? spec.train.batchSize,
      hyperparameters: { ...spec.train.hyperparameters, ...(group?.hyperparameters ?? {}) },
      schedule: { kind: 'range_test', startLr: find.startLr, endLr: find.endLr, numSteps: find.numSteps, divergeFactor: find.divergeFactor },
    }),
  ]);
  const curveUri = test.result.artifacts.curve;
  if (!curveUri) throw ApplicationFailure.nonRetryable('the LR range test reported no curve artifact', 'BadInput');
  const analysis = await quick.analyzeRangeTest.executeWithOptions({ summary: 'LR range test · analysis' }, [
    { curveUri, numSteps: find.numSteps, divergeFactor: find.divergeFactor },
  ]);
  const suggested = analysis.suggestions[find.policy];
  const base = { policy: find.policy, suggestions: analysis.suggestions, trustworthy: analysis.trustworthy, reasons: analysis.reasons, curveUri, plotUri: analysis.plotUri };
  let decision: LrDecision;
  if (analysis.trustworthy && suggested !== null) {
    decision = { source: 'range_test', maxLr: suggested, ...base };
  } else if (find.fallbackMaxLr !== undefined) {
    decision = { source: 'fallback', maxLr: find.fallbackMaxLr, ...base };
  } else {
    const why = analysis.reasons.length > 0 ? analysis.reasons.join('; ') : `no ${find.policy} suggestion on this curve`;
    tracker.recordLr({ source: 'range_test', maxLr: Number.NaN, ...base });
    tracker.finish('lr-find', `curve not trustworthy: ${why}`, {}, 'failed');
    throw ApplicationFailure.nonRetryable(
      `LR range test not trustworthy (${why}); see ${analysis.plotUri}. Fix the model or data, widen the range, or set train.lrFind.fallbackMaxLr / train.schedule.maxLr`,
      GATE_FAILED,
    );
  }
  tracker.recordLr(decision);
  const note = decision.source === 'fallback' ? ` (fallback: curve not trustworthy: ${analysis.reasons.join('; ')})` : '';
  tracker.finish('lr-find', `${find.policy} ${decision.maxLr.toPrecision(3)}${groupNote}${note} · curve ${analysis.plotUri}`, { max_lr: decision.maxLr });
  return { ...schedule, maxLr: decision.maxLr };
}

export async function train(ctx: RunContext, data: Pick<IngestResult, 'data'>, schedule: Schedule, started = false): Promise<JobOutcome> {
  const { spec, tracker, jobs } = ctx;
  const { epochs, batchSize, hyperparameters } = spec.train;
  if (!started) tracker.start('train', `${epochs} epochs · ${describeSchedule(schedule)}`);
  const outcome = await jobs.runJob.executeWithOptions(
    { summary: `train · ${epochs} epochs · batch ${batchSize} · ${describeSchedule(schedule)}` },
    [job(ctx, data, { stage: 'train', mode: 'train', epochs, batchSize, hyperparameters, schedule })],
  );
  tracker.finish('train', summarizeJob(outcome), outcome.result.metrics);
  tracker.recordMetrics(outcome.result.metrics);
  return outcome;
}

export function summarizeJob(job: JobOutcome): string {
  const metrics = Object.entries(job.result.metrics)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name} ${Number(value).toFixed(4)}`);
  const retried = job.launches > 1 ? ` · ${job.launches} launches` : '';
  return `${metrics.join(' · ')} · ${job.trainerSeconds.toFixed(1)}s on ${job.result.device}${retried}`;
}

/** One range test per LR group of the sweep (e.g. per batch size): group key → max LR. */
export async function findSweepLearningRates(ctx: RunContext, data: IngestResult): Promise<Record<string, number>> {
  const sweep = ctx.spec.sweep;
  const schedule = ctx.spec.train.schedule;
  if (!sweep || schedule.kind !== 'one_cycle' || schedule.maxLr !== undefined) {
    await findLearningRate(ctx, data);
    return {};
  }
  const groups = lrGroupConfigs(sweep.space, sweep.lrGroups ?? []);
  const byGroup: Record<string, number> = {};
  for (const [index, config] of groups.entries()) {
    const settings = trialSettings(config);
    const grouped = groups.length > 1;
    const found = await findLearningRate(ctx, data, grouped
      ? { index, batchSize: settings.batchSize ?? ctx.spec.train.batchSize, hyperparameters: settings.hyperparameters, label: describeConfig(config) }
      : null);
    if (found.kind === 'one_cycle') byGroup[lrGroupKey(config, sweep.lrGroups ?? [])] = found.maxLr;
  }
  return byGroup;
}

/** The sweep runs as a child workflow with its own history (continue-as-new keeps it small). */
export async function sweepStage(ctx: RunContext, data: IngestResult, maxLrByGroup: Record<string, number>): Promise<SweepResult> {
  const { spec, tracker } = ctx;
  const sweep = spec.sweep!;
  const concurrency = Math.floor(sweep.budget.gpuBudget / sweep.budget.gpusPerTrial);
  tracker.skip('train', 'replaced by the sweep');
  tracker.start('sweep', `${sweep.strategy.kind} · ${sweep.budget.maxTrials} trials · ≤ ${concurrency} at once · early stopping ${sweep.earlyStopping.kind}`);
  const { workflowId } = workflowInfo();
  // Typed by the contract, not `typeof sweepWorkflow`: sweep.ts uses this module, and the import graph has no cycles.
  const result = await executeChild<(input: SweepInput) => Promise<SweepResult>>('sweepWorkflow', {
    workflowId: sweepWorkflowId(workflowId),
    args: [{ spec, data: data.data, maxLrByGroup }],
    staticSummary: `sweep of ${spec.name} · ${sweep.strategy.kind} · ${sweep.budget.maxTrials} trials`,
  });
  const best = result.best;
  if (!best) throw ApplicationFailure.nonRetryable(`the sweep finished without a completed trial (${result.failed} failed, ${result.stopped} stopped)`, 'SweepFailed');
  const ended = result.stoppedBecause === 'completed' ? '' : ` · stopped: ${result.stoppedBecause} (${result.endReason})`;
  tracker.finish(
    'sweep',
    `${result.trials} trials (${result.completed} completed, ${result.stopped} stopped early, ${result.failed} failed)${ended} · best trial ${best.trial}: ${describeConfig(best.config)} · ${sweep.objective.metric} ${best.objective}`,
    best.metrics,
    result.stoppedBecause === 'maxFailedTrials' ? 'failed' : 'succeeded',
  );
  tracker.progress.sweep = { stoppedBecause: result.stoppedBecause, endReason: result.endReason };
  upsertMemo({ sweepStoppedBecause: result.stoppedBecause, sweepEndReason: result.endReason });
  tracker.recordMetrics({ ...best.metrics, sweep_trials: result.trials, sweep_best_trial: best.trial });
  return result;
}
