/**
 * The sweep: trials planned by the spec's strategy (grid, random, TPE — pure code in core/sweep), trained one-cycle
 * with max LR from the range test × lrFactor, stopped early by ASHA or the median rule from the per-epoch metrics
 * their jobs report, never holding more GPUs than the budget. Trial n's job id derives from the workflow and
 * `trial-n`, so a retried trial resumes its checkpoint and is not a new trial. Before the history grows large the
 * workflow drains its running trials and continues as new, carrying the trial table and the stopping rule's state.
 */
import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { rootCauseMessage, rootFailureType } from '../core/errors.js';
import { ashaInitialState, ashaStep, type AshaState } from '../core/sweep/asha.js';
import { configKey, describeConfig, type TrialConfig } from '../core/sweep/config.js';
import { medianInitialState, medianStep, type MedianState } from '../core/sweep/median.js';
import { planTrial, stoppingOptions } from '../core/sweep/plan.js';
import { lrGroupKey, trialSettings } from '../core/sweep/space.js';
import type { StoppingDecision } from '../core/sweep/stopping.js';
import type { TpeObservation } from '../core/sweep/tpe.js';
import type { Schedule } from '../core/spec/job.js';
import { durationMs } from '../core/spec/duration.js';
import { jobProgressSignal } from './definitions.js';
import { job, runContext } from './stages.js';
import { RunTracker } from './runTracker.js';
import { leaderboardQuery, type Leaderboard, type SweepInput, type SweepResult, type TrialRecord } from './sweepTypes.js';

/** Drain and continue as new past this many history events (Temporal warns at 10k, limits at 50k). */
const HISTORY_EVENTS_LIMIT = 8_000;

export async function sweepWorkflow(input: SweepInput): Promise<SweepResult> {
  const { spec, data } = input;
  const sweep = spec.sweep;
  if (!sweep) throw new Error('sweepWorkflow needs a spec with a sweep section');
  const info = workflowInfo();
  const startedAt = input.carried?.startedAt ?? new Date().toISOString();
  const { quick, jobs } = runContext(spec, new RunTracker(info.workflowId, spec.name, [], () => new Date()));
  const stopping = stoppingOptions(sweep, spec.train.epochs);
  const { metric, direction } = sweep.objective;
  const concurrency = Math.floor(sweep.budget.gpuBudget / sweep.budget.gpusPerTrial);
  const deadline = sweep.budget.deadline ? Date.parse(startedAt) + durationMs(sweep.budget.deadline) : Number.POSITIVE_INFINITY;

  const trials: TrialRecord[] = input.carried?.trials ?? [];
  let asha: AshaState | null = input.carried?.asha ?? (stopping.kind === 'asha' ? ashaInitialState(stopping) : null);
  let median: MedianState | null = input.carried?.median ?? (stopping.kind === 'median' ? medianInitialState() : null);
  const scopes = new Map<number, CancellationScope>();
  const stopReasons = new Map<number, string>();
  let tableUri: string | null = null;
  let lastTableWrite = 0;
  let running = 0;
  let finished = 0;
  let exhausted = false;
  let endReason = '';

  const better = (a: number, b: number) => (direction === 'maximize' ? a > b : a < b);
  const best = (): TrialRecord | null =>
    trials.reduce<TrialRecord | null>((top, t) => (t.status === 'completed' && t.objective !== null && (top === null || better(t.objective, top.objective ?? 0)) ? t : top), null);
  const leaderboard = (status: Leaderboard['status']): Leaderboard => ({ status, objective: { metric, direction }, concurrency, trials, best: best(), tableUri });
  setHandler(leaderboardQuery, () => leaderboard(exhausted && running === 0 ? 'done' : 'running'));

  /** Per-epoch metrics from a trial's job feed the stopping rule; a `stop` cancels that trial's job. */
  setHandler(jobProgressSignal, (update) => {
    const match = /^trial-(\d+)(-oom)?$/.exec(update.stage);
    const record = match ? trials[Number(match[1])] : undefined;
    const closed = update.completedEpoch;
    const value = closed?.metrics[metric];
    if (!record || record.status !== 'running' || !closed || value === undefined) return;
    // Epochs arrive in order; one already judged (a retried job re-reading its log) is ignored.
    if (closed.epoch <= record.curve.length) return;
    record.curve[closed.epoch - 1] = value;
    let decision: StoppingDecision | null = null;
    const report = { type: 'report' as const, trial: record.trial, epoch: closed.epoch, value };
    if (stopping.kind === 'asha' && asha) ({ state: asha, decision } = ashaStep(stopping, asha, report));
    if (stopping.kind === 'median' && median) ({ state: median, decision } = medianStep(stopping, median, report));
    if (decision) record.decisions.push(decision);
    if (decision?.action === 'stop' && !decision.complete && !stopReasons.has(record.trial)) {
      stopReasons.set(record.trial, decision.reason);
      scopes.get(record.trial)?.cancel();
    }
  });

  const observations = (): TpeObservation[] =>
    trials.map((t) => ({
      trial: t.trial,
      config: t.config,
      state: t.status,
      value: t.status === 'completed' ? t.objective : t.status === 'stopped' ? (t.curve.at(-1) ?? null) : null,
      ...(t.status === 'stopped' ? { step: t.curve.length } : {}),
    }));

  function scheduleFor(config: TrialConfig): { schedule: Schedule; maxLr: number | null } {
    const { lrFactor } = trialSettings(config);
    const base = spec.train.schedule;
    if (base.kind === 'constant') return { schedule: { ...base, lr: base.lr * lrFactor }, maxLr: null };
    const found = base.maxLr ?? input.maxLrByGroup[lrGroupKey(config, sweep?.lrGroups ?? [])];
    if (found === undefined) throw new Error(`no max LR for LR group ${lrGroupKey(config, sweep?.lrGroups ?? [])}`);
    return { schedule: { ...base, maxLr: found * lrFactor }, maxLr: found * lrFactor };
  }

  /** One launch of a trial's job; the OOM fallback relaunches it once under a new stage name (a fresh job). */
  function trialJob(record: TrialRecord, schedule: Schedule, seed: number, memory: string | undefined) {
    const settings = trialSettings(record.config);
    const request = job({ spec }, { data }, {
      stage: `trial-${record.trial}${record.fallback ? '-oom' : ''}` as `trial-${number}`,
      mode: 'train',
      seed,
      epochs: record.epochs,
      batchSize: record.batchSize,
      hyperparameters: { ...spec.train.hyperparameters, ...settings.hyperparameters },
      schedule,
      ...(sweep?.oomFallback ? { failFastOn: ['OOMKilled'] } : {}),
    });
    if (memory && request.kubernetes) request.kubernetes = { ...request.kubernetes, memory };
    return jobs.runJob.executeWithOptions({ summary: `trial ${record.trial} · ${describeConfig(record.config)}${record.fallback ? ' · OOM fallback' : ''}` }, [request]);
  }

  async function runTrialJob(record: TrialRecord, schedule: Schedule, seed: number) {
    const fallback = sweep!.oomFallback;
    try {
      return await trialJob(record, schedule, seed, undefined);
    } catch (error) {
      if (!fallback || rootFailureType(error) !== 'OOMKilled' || stopReasons.has(record.trial)) throw error;
      const changes: string[] = [];
      if (fallback.batchSizeFactor !== undefined) {
        const smaller = Math.max(1, Math.floor(record.batchSize * fallback.batchSizeFactor));
        changes.push(`batchSize ${record.batchSize} → ${smaller}`);
        record.batchSize = smaller;
      }
      if (fallback.memory !== undefined) changes.push(`memory → ${fallback.memory}`);
      record.fallback = `OOM killed: ${changes.join(', ')}`;
      record.curve = [];
      return trialJob(record, schedule, seed, fallback.memory);
    }
  }

  async function runTrial(record: TrialRecord, schedule: Schedule, seed: number): Promise<void> {
    const scope = new CancellationScope();
    scopes.set(record.trial, scope);
    try {
      const outcome = await scope.run(() => runTrialJob(record, schedule, seed));
      record.status = 'completed';
      record.metrics = outcome.result.metrics;
      record.objective = outcome.result.metrics[metric] ?? null;
      record.launches = outcome.launches;
      if (outcome.result.artifacts.checkpoint) record.checkpoint = outcome.result.artifacts.checkpoint;
      if (median) median = medianStep(stopping as Extract<typeof stopping, { kind: 'median' }>, median, { type: 'complete', trial: record.trial }).state;
    } catch (error) {
      const reason = stopReasons.get(record.trial);
      if (reason !== undefined && isCancellation(error)) {
        record.status = 'stopped';
        record.stopReason = reason;
      } else {
        record.status = 'failed';
        record.error = rootCauseMessage(error);
      }
      if (median) median = medianStep(stopping as Extract<typeof stopping, { kind: 'median' }>, median, { type: 'end', trial: record.trial }).state;
    } finally {
      scopes.delete(record.trial);
      record.finishedAt = new Date().toISOString();
      record.gpuSeconds = ((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000) * sweep!.budget.gpusPerTrial;
      running -= 1;
      finished += 1;
    }
  }

  function launchNext(): boolean {
    const trial = trials.length;
    const used = new Set(trials.filter((t) => t.source !== 'repeat').map((t) => configKey(t.config)));
    const plan = planTrial({ sweep: sweep!, trial, used, observations: observations() });
    if (plan.kind === 'done') {
      exhausted = true;
      endReason = plan.reason;
      return false;
    }
    const config = plan.kind === 'repeat' ? (trials[plan.sameAsTrial]?.config ?? {}) : plan.config;
    const settings = trialSettings(config);
    const { schedule, maxLr } = scheduleFor(config);
    const record: TrialRecord = {
      trial,
      config,
      source: plan.kind === 'repeat' ? 'repeat' : plan.source,
      ...(plan.kind === 'new' && plan.decision ? { planDecision: plan.decision } : {}),
      status: 'running',
      maxLr,
      epochs: settings.epochs ?? spec.train.epochs,
      batchSize: settings.batchSize ?? spec.train.batchSize,
      curve: [],
      decisions: [],
      metrics: {},
      objective: null,
      launches: 1,
      gpuSeconds: 0,
      startedAt: new Date().toISOString(),
    };
    trials.push(record);
    running += 1;
    // Repeats of one configuration differ by seed only.
    void runTrial(record, schedule, spec.train.seed + (plan.kind === 'repeat' ? plan.repeat : 0));
    return true;
  }

  for (;;) {
    const failed = trials.filter((t) => t.status === 'failed').length;
    if (failed > sweep.budget.maxFailedTrials && !exhausted) {
      exhausted = true;
      endReason = `${failed} trials failed (budget.maxFailedTrials ${sweep.budget.maxFailedTrials})`;
      for (const scope of scopes.values()) scope.cancel();
    }
    if (!exhausted && Date.now() >= deadline) {
      exhausted = true;
      endReason = `deadline ${sweep.budget.deadline} reached`;
    }
    const drain = workflowInfo().historyLength > (input.historyLimit ?? HISTORY_EVENTS_LIMIT) || workflowInfo().continueAsNewSuggested;
    if (!exhausted && !drain && running < concurrency) {
      if (launchNext()) continue;
    }
    if (running === 0) {
      if (drain && !exhausted) {
        await continueAsNew<typeof sweepWorkflow>({
          ...input,
          carried: { trials, asha, median, startedAt, runs: (input.carried?.runs ?? 1) + 1 },
        });
      }
      break;
    }
    const seen = finished;
    await condition(() => finished > seen);
    // The table in the store follows the sweep, at most every 10 s (each write is an activity in the history).
    if (Date.now() - lastTableWrite >= 10_000) {
      lastTableWrite = Date.now();
      tableUri = await quick.writeTrialTable.executeWithOptions({ summary: 'sweep · trial table' }, [{ trials }]);
    }
  }
  tableUri = await quick.writeTrialTable.executeWithOptions({ summary: 'sweep · trial table' }, [{ trials }]);
  const top = best();
  return {
    trials: trials.length,
    completed: trials.filter((t) => t.status === 'completed').length,
    stopped: trials.filter((t) => t.status === 'stopped').length,
    failed: trials.filter((t) => t.status === 'failed').length,
    best: top,
    tableUri,
    runs: input.carried?.runs ?? 1,
    ...(endReason ? { endReason } : {}),
  };
}
