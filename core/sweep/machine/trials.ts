/** A trial's record from its plan, and what happens to the sweep's books when a trial ends. */
import { configKey } from '../config.js';
import { medianStep } from '../median.js';
import type { TrialPlan } from '../plan.js';
import { trialSettings } from '../space.js';
import type { TrialRecord } from '../records.js';
import type { SweepDecision, TrialResult } from './events.js';
import { trialSchedule } from './schedule.js';
import type { SweepState } from './state.js';
import { StoppedBecause } from '../../failures.js';

/** Best and latest finished trials the leaderboard shows besides the running ones. */
const SHOWN = 10;

/** Launches the plan's trial, or marks the sweep exhausted when the plan says there is none. */
export function launchPlan(state: SweepState, plan: TrialPlan, now: number): SweepDecision[] {
  if (plan.kind === 'done') {
    state.exhausted = true;
    state.endReason = plan.reason;
    state.stoppedBecause = StoppedBecause.Completed;
    return [];
  }
  const { input, summaries } = state;
  const trial = summaries.length;
  const config = plan.kind === 'repeat' ? (summaries[plan.sameAsTrial]?.config ?? {}) : plan.config;
  const settings = trialSettings(config);
  const source = plan.kind === 'repeat' ? 'repeat' : plan.source;
  const schedule = trialSchedule(input.train.schedule, config, state.sweep.lrGroups ?? [], input.maxLrByGroup);
  if (!schedule.ok) return [{ kind: 'fail', message: schedule.message, type: 'BadInput' }];
  const record: TrialRecord = {
    trial,
    config,
    source,
    ...(plan.kind === 'new' && plan.decision ? { planDecision: plan.decision } : {}),
    status: 'running',
    // Repeats of one configuration differ by seed only.
    seed: input.train.seed + (plan.kind === 'repeat' ? plan.repeat : 0),
    maxLr: schedule.maxLr,
    epochs: settings.epochs ?? input.train.epochs,
    batchSize: settings.batchSize ?? input.train.batchSize,
    curve: [],
    reportedEpoch: 0,
    decisions: [],
    metrics: {},
    objective: null,
    launches: 1,
    gpuSeconds: 0,
    startedAt: new Date(now).toISOString(),
  };
  summaries.push({ trial, config, state: 'running', value: null, source });
  state.planner.changed.add(trial);
  state.counts.running += 1;
  if (source !== 'repeat') state.used.add(configKey(config));
  state.open.set(trial, record);
  state.dirty.add(trial);
  state.running += 1;
  state.active.add(trial);
  return [{ kind: 'launch', record, memory: undefined, adopted: false }];
}

/** Re-attaches to the trials that were running when the previous run handed over. */
export function adoptRunning(state: SweepState): SweepDecision[] {
  const decisions: SweepDecision[] = [];
  for (const record of state.open.values()) {
    if (record.status !== 'running') continue;
    state.running += 1;
    state.active.add(record.trial);
    // A trial carried over after its fallback started goes on with the fallback's job.
    decisions.push({ kind: 'launch', record, memory: record.fallback ? state.sweep.oomFallback?.memory : undefined, adopted: true });
  }
  return decisions;
}

export function completeTrial(state: SweepState, record: TrialRecord, result: TrialResult, now: number): void {
  const { metric } = state.sweep.objective;
  record.status = 'completed';
  record.metrics = result.metrics;
  record.objective = result.metrics[metric] ?? null;
  record.launches = result.launches;
  // The job's own epochs fill the curve between the epochs early stopping saw (a retry may have read only the later ones).
  for (const { epoch, metrics } of result.epochs) setCurve(record, epoch, metrics[metric] ?? null);
  if (result.checkpoint) record.checkpoint = result.checkpoint;
  if (state.median && state.stopping.kind === 'median') state.median = medianStep(state.stopping, state.median, { type: 'complete', trial: record.trial }).state;
  closeTrial(state, record, now);
}

/** A trial that did not complete: stopped when the sweep cancelled it for a reason, failed otherwise. */
export function endTrial(state: SweepState, record: TrialRecord, error: string, cancelled: boolean, now: number): void {
  const reason = state.stopReasons.get(record.trial);
  if (reason !== undefined && cancelled) {
    record.status = 'stopped';
    record.stopReason = reason;
  } else {
    record.status = 'failed';
    record.error = error;
  }
  if (state.median && state.stopping.kind === 'median') state.median = medianStep(state.stopping, state.median, { type: 'end', trial: record.trial }).state;
  closeTrial(state, record, now);
}

function closeTrial(state: SweepState, record: TrialRecord, now: number): void {
  record.finishedAt = new Date(now).toISOString();
  record.gpuSeconds = ((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000) * state.sweep.budget.gpusPerTrial;
  const summary = state.summaries[record.trial]!;
  state.counts[summary.state] -= 1;
  state.counts[record.status] += 1;
  summary.state = record.status;
  state.planner.changed.add(record.trial);
  summary.value = record.status === 'completed' ? record.objective : record.status === 'stopped' ? (record.curve[record.reportedEpoch - 1] ?? null) : null;
  if (record.status === 'stopped') summary.step = record.reportedEpoch;
  state.dirty.add(record.trial);
  const slim = slimRecord(record);
  const better = (a: number, b: number) => (state.sweep.objective.direction === 'maximize' ? a > b : a < b);
  if (record.status === 'completed' && record.objective !== null) {
    if (state.best === null || state.best.objective === null || better(record.objective, state.best.objective)) state.best = record;
    state.top = [...state.top, slim].sort((a, b) => (better(a.objective ?? 0, b.objective ?? 0) ? -1 : better(b.objective ?? 0, a.objective ?? 0) ? 1 : a.trial - b.trial)).slice(0, SHOWN);
  }
  state.latest = [slim, ...state.latest].slice(0, SHOWN);
  state.running -= 1;
  state.finished += 1;
}

/** The OOM fallback: one relaunch under a new stage name with the smaller batch size or the larger memory limit. */
export function fallBack(state: SweepState, record: TrialRecord): SweepDecision[] {
  const fallback = state.sweep.oomFallback;
  if (!fallback || state.stopReasons.has(record.trial) || state.closing) return [];
  const changes: string[] = [];
  if (fallback.batchSizeFactor !== undefined) {
    const smaller = Math.max(1, Math.floor(record.batchSize * fallback.batchSizeFactor));
    changes.push(`batchSize ${record.batchSize} → ${smaller}`);
    record.batchSize = smaller;
  }
  if (fallback.memory !== undefined) changes.push(`memory → ${fallback.memory}`);
  record.fallback = `OOM killed: ${changes.join(', ')}`;
  record.curve = [];
  record.reportedEpoch = 0;
  state.dirty.add(record.trial);
  return [{ kind: 'launch', record, memory: fallback.memory, adopted: false }];
}

export function setCurve(record: TrialRecord, epoch: number, value: number | null): void {
  while (record.curve.length < epoch - 1) record.curve.push(null);
  record.curve[epoch - 1] = value;
}

/** A record for the leaderboard: without the sampler's decision record (the largest part), which the table in the store keeps. */
function slimRecord(record: TrialRecord): TrialRecord {
  const { planDecision: _plan, ...rest } = record;
  return { ...rest, decisions: [...record.decisions] };
}
