/**
 * The sweep: trials planned by the spec's strategy (grid, random, TPE — pure code in core/sweep), trained one-cycle
 * with max LR from the range test × lrFactor, stopped early by ASHA or the median rule from the epochs their jobs
 * signal (only the epochs the rule needs), never holding more GPUs than the budget. Trial n's job id derives from
 * the workflow id and `trial-n`, so a retried trial resumes its checkpoint and is not a new trial.
 *
 * Sized for 10,000 trials: the workflow keeps a compact summary per trial (what the sampler needs) and full records
 * only for running and not-yet-written trials; the full table goes to the store in pages, a delta at a time. Before
 * the history grows large it continues as new WITHOUT waiting for running trials: their state goes to the store
 * (one payload could not hold it) and the next run re-attaches to their jobs by their stable ids.
 */
import { ApplicationFailure, CancellationScope, condition, continueAsNew, isCancellation, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { JobOutcome } from '../activities/types.js';
import { rootCauseMessage, rootFailureType } from '../core/errors.js';
import { INFRASTRUCTURE_UNAVAILABLE, StoppedBecause } from '../core/failures.js';
import { ashaInitialState, ashaMilestones, ashaStep } from '../core/sweep/asha.js';
import { configKey, describeConfig, type TrialConfig } from '../core/sweep/config.js';
import { medianInitialState, medianStep } from '../core/sweep/median.js';
import { planTrial, stoppingOptions, type TrialPlan } from '../core/sweep/plan.js';
import { lrGroupKey, trialSettings } from '../core/sweep/space.js';
import type { StoppingDecision } from '../core/sweep/stopping.js';
import type { TpeObservation } from '../core/sweep/tpe.js';
import type { Schedule } from '../core/spec/job.js';
import { durationMs } from '../core/spec/duration.js';
import { jobProgressSignal } from '../contracts/pipeline.js';
import { job, runContext, type RunContext } from './stages.js';
import { RunTracker } from './runTracker.js';
import {
  leaderboardQuery,
  stopSweepUpdate,
  sweepBudgetUpdate,
  type StopSweepRequest,
  type CarryPointer,
  type Leaderboard,
  type SweepCarry,
  type SweepInput,
  type SweepResult,
  type TrialRecord,
  type TrialStatus,
  type TrialSummary,
} from '../contracts/sweep.js';

/** Continue as new past this many history events (Temporal warns at 10k, limits at 50k)… */
const HISTORY_EVENTS_LIMIT = 8_000;
/** …or this many bytes (Temporal limits a history at 50 MB). */
const HISTORY_BYTES_LIMIT = 16 * 1024 * 1024;
/** The table in the store follows the sweep at most this often (each write is an activity in the history). */
const TABLE_WRITE_INTERVAL_MS = 10_000;
/** Records per table write: keeps each activity input far below Temporal's 2 MB payload limit. */
const TABLE_WRITE_BATCH = 100;
/** Characters per carried-state chunk: below Temporal's 512 KB payload warning. */
const CARRY_CHUNK = 256 * 1024;
/** Chunks written per workflow task (4 × 256 KiB: far below gRPC's 4 MB limit on a task's commands). */
const CARRY_CHUNKS_PER_TASK = 4;
/** Best and latest finished trials the leaderboard shows besides the running ones. */
const SHOWN = 10;

export async function sweepWorkflow(input: SweepInput): Promise<SweepResult> {
  const { spec, data } = input;
  const declared = spec.sweep;
  if (!declared) throw ApplicationFailure.nonRetryable('sweepWorkflow needs a spec with a sweep section', 'BadInput');
  const { workflowId, runId } = workflowInfo();
  const context = runContext(spec, new RunTracker(workflowId, spec.name, [], () => new Date()));
  const { quick, jobs } = context;
  const runs = input.carried?.runs ?? 1;
  const carried = input.carried ? await loadCarry(context, input.carried) : null;
  // The budget a person may change mid-sweep (`gauntlet sweep budget`); it travels across continue-as-new.
  const sweep = { ...declared, budget: { ...declared.budget, ...(carried?.budget ?? {}) } };

  const startedAt = carried?.startedAt ?? new Date().toISOString();
  const stopping = stoppingOptions(sweep, spec.train.epochs);
  const { metric, direction } = sweep.objective;
  let concurrency = Math.floor(sweep.budget.gpuBudget / sweep.budget.gpusPerTrial);
  const deadline = sweep.budget.deadline ? Date.parse(startedAt) + durationMs(sweep.budget.deadline) : Number.POSITIVE_INFINITY;
  // A trial signals only the epochs its stopping rule judges: ASHA's rungs, every epoch for the median rule.
  const reportEpochs = stopping.kind === 'asha' ? ashaMilestones(stopping) : stopping.kind === 'median' ? ('all' as const) : [];

  const summaries: TrialSummary[] = carried?.summaries ?? [];
  const open = new Map<number, TrialRecord>((carried?.open ?? []).map((record) => [record.trial, record]));
  const dirty = new Set<number>(carried?.dirty ?? []);
  const used = new Set(summaries.filter((s) => s.source !== 'repeat').map((s) => configKey(s.config)));
  const counts: Record<TrialStatus, number> = { running: 0, completed: 0, stopped: 0, failed: 0 };
  for (const summary of summaries) counts[summary.state] += 1;
  let best = carried?.best ?? null;
  let top = carried?.top ?? [];
  let latest = carried?.latest ?? [];
  let asha = carried?.asha ?? (stopping.kind === 'asha' ? ashaInitialState(stopping) : null);
  let median = carried?.median ?? (stopping.kind === 'median' ? medianInitialState() : null);
  let tableUri = carried?.tableUri ?? null;
  let endReason = carried?.endReason ?? '';
  let stoppedBecause: StoppedBecause = carried?.stoppedBecause ?? StoppedBecause.Completed;
  /** Set when a service stayed away past trainer.infraRetryWindow: the sweep fails, no trial is blamed. */
  let outage: unknown = null;
  const scopes = new Map<number, CancellationScope>();
  const stopReasons = new Map<number, string>();
  let lastTableWrite = Number.NEGATIVE_INFINITY;
  let running = 0;
  let finished = 0;
  let exhausted = false;
  /** The TPE planner's copy of the observations: its version, and the trials changed since (they travel next call). */
  let plannerVersion = 0;
  let plannerBase: number | null = null;
  const plannerChanged = new Set<number>();
  /** TPE plans fetched for the free slots, launched at once (never kept across a wait: they would go stale). */
  const tpePlans: TrialPlan[] = [];
  /** Set when this run hands over to the next: from then on the next run owns every decision. */
  let closing = false;
  /** A person's stop or budget change: wakes the scheduling loop. */
  let userChanges = 0;
  let stopRequested = carried?.stopRequested ?? false;

  const better = (a: number, b: number) => (direction === 'maximize' ? a > b : a < b);
  const leaderboard = (): Leaderboard => {
    const shown = new Map<number, TrialRecord>();
    for (const record of [...open.values()].filter((r) => r.status === 'running').concat(top, latest)) shown.set(record.trial, record);
    return {
      status: exhausted && running === 0 ? 'done' : 'running',
      objective: { metric, direction },
      concurrency,
      counts: { ...counts },
      trials: [...shown.values()].sort((a, b) => a.trial - b.trial),
      best,
      tableUri,
      runs,
      stoppedBecause: exhausted && running === 0 ? stoppedBecause : null,
      endReason,
    };
  };
  setHandler(leaderboardQuery, leaderboard);

  setHandler(
    stopSweepUpdate,
    ({ now, reason }) => {
      stopRequested = true;
      exhausted = true;
      stoppedBecause = StoppedBecause.User;
      endReason = `stopped by a person${now ? ' (--now: running trials stopped too)' : ''}${reason ? `: ${reason}` : ''} after ${summaries.length} trials`;
      if (now) {
        for (const [trial, scope] of scopes) {
          if (!stopReasons.has(trial)) stopReasons.set(trial, 'the sweep was stopped by a person (--now)');
          scope.cancel();
        }
      }
      userChanges += 1;
      return { running, trials: summaries.length };
    },
    {
      validator: (_request: StopSweepRequest) => {
        if (closing) throw new Error('the sweep is handing over to its next run: try again in a moment');
        if (exhausted) throw new Error(`the sweep is already ending: ${endReason || 'no more trials to launch'}`);
      },
    },
  );

  setHandler(
    sweepBudgetUpdate,
    ({ maxTrials, gpuBudget }) => {
      if (maxTrials !== undefined) sweep.budget.maxTrials = maxTrials;
      if (gpuBudget !== undefined) sweep.budget.gpuBudget = gpuBudget;
      concurrency = Math.floor(sweep.budget.gpuBudget / sweep.budget.gpusPerTrial);
      userChanges += 1;
      return { maxTrials: sweep.budget.maxTrials, gpuBudget: sweep.budget.gpuBudget, concurrency };
    },
    {
      validator: ({ maxTrials, gpuBudget }) => {
        if (maxTrials === undefined && gpuBudget === undefined) throw new Error('give --max-trials or --gpu-budget');
        if (closing) throw new Error('the sweep is handing over to its next run: try again in a moment');
        if (exhausted) throw new Error(`the sweep is already ending: ${endReason || 'no more trials to launch'}`);
        if (maxTrials !== undefined && (!Number.isInteger(maxTrials) || maxTrials < summaries.length)) {
          throw new Error(`--max-trials ${maxTrials}: ${summaries.length} trials have already been launched; the budget cannot go below that`);
        }
        if (gpuBudget !== undefined) {
          const { gpusPerTrial } = sweep.budget;
          if (!Number.isInteger(gpuBudget) || gpuBudget < gpusPerTrial) throw new Error(`--gpu-budget ${gpuBudget}: a trial needs ${gpusPerTrial} GPU(s) (budget.gpusPerTrial)`);
          if (Math.floor(gpuBudget / gpusPerTrial) < running) {
            throw new Error(`--gpu-budget ${gpuBudget}: ${running} trials are running on ${running * gpusPerTrial} GPUs now; stop some or wait until they finish`);
          }
        }
      },
    },
  );

  /** Epochs from a trial's job feed the stopping rule; a `stop` cancels that trial's job. */
  setHandler(jobProgressSignal, (update) => {
    if (closing) return;
    const match = /^trial-(\d+)(-oom)?$/.exec(update.stage);
    const record = match ? open.get(Number(match[1])) : undefined;
    const closed = update.completedEpoch;
    const value = closed?.metrics[metric];
    if (!record || record.status !== 'running' || !closed || value === undefined) return;
    // Epochs arrive in order; one already judged (a job re-read by a retry or by the next run) is ignored.
    if (closed.epoch <= record.reportedEpoch) return;
    setCurve(record, closed.epoch, value);
    record.reportedEpoch = closed.epoch;
    dirty.add(record.trial);
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

  function scheduleFor(config: TrialConfig): { schedule: Schedule; maxLr: number | null } {
    const { lrFactor } = trialSettings(config);
    const base = spec.train.schedule;
    if (base.kind === 'constant') return { schedule: { ...base, lr: base.lr * lrFactor }, maxLr: null };
    const group = lrGroupKey(config, sweep?.lrGroups ?? []);
    const found = base.maxLr ?? input.maxLrByGroup[group];
    if (found === undefined) throw ApplicationFailure.nonRetryable(`no max LR for LR group ${group}`, 'BadInput');
    return { schedule: { ...base, maxLr: found * lrFactor }, maxLr: found * lrFactor };
  }

  /** One launch of a trial's job; the OOM fallback relaunches it once under a new stage name (a fresh job). */
  function trialJob(record: TrialRecord, memory: string | undefined) {
    const settings = trialSettings(record.config);
    const request = job({ spec }, { data }, {
      stage: `trial-${record.trial}${record.fallback ? '-oom' : ''}` as `trial-${number}`,
      mode: 'train',
      seed: record.seed,
      epochs: record.epochs,
      batchSize: record.batchSize,
      hyperparameters: { ...spec.train.hyperparameters, ...settings.hyperparameters },
      schedule: scheduleFor(record.config).schedule,
      progress: { live: false, epochs: reportEpochs },
      ...(sweep?.oomFallback ? { failFastOn: ['OOMKilled'] } : {}),
    });
    if (memory && request.kubernetes) request.kubernetes = { ...request.kubernetes, memory };
    return jobs.runJob.executeWithOptions({ summary: `trial ${record.trial} · ${describeConfig(record.config)}${record.fallback ? ' · OOM fallback' : ''}` }, [request]);
  }

  async function runTrialJob(record: TrialRecord): Promise<JobOutcome> {
    const fallback = sweep!.oomFallback;
    // A trial carried over after its fallback started goes on with the fallback's job.
    if (record.fallback) return trialJob(record, fallback?.memory);
    try {
      return await trialJob(record, undefined);
    } catch (error) {
      if (!fallback || rootFailureType(error) !== 'OOMKilled' || stopReasons.has(record.trial) || closing) throw error;
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
      dirty.add(record.trial);
      return trialJob(record, fallback.memory);
    }
  }

  async function runTrial(record: TrialRecord): Promise<void> {
    const scope = new CancellationScope();
    scopes.set(record.trial, scope);
    let outcome: JobOutcome | null = null;
    let failure: unknown = null;
    try {
      outcome = await scope.run(() => runTrialJob(record));
    } catch (error) {
      failure = error;
    }
    scopes.delete(record.trial);
    // After the hand-over the next run adopts this trial's job and writes its record.
    if (closing) return;
    // An outage past the retry window is not the trial's failure: the sweep stops and says which service was away.
    if (!outcome && rootFailureType(failure) === INFRASTRUCTURE_UNAVAILABLE) {
      outage ??= failure;
      running -= 1;
      finished += 1;
      return;
    }
    if (outcome) {
      record.status = 'completed';
      record.metrics = outcome.result.metrics;
      record.objective = outcome.result.metrics[metric] ?? null;
      record.launches = outcome.launches;
      // The job's own epochs fill the curve between the epochs early stopping saw (a retry may have read only the later ones).
      for (const { epoch, metrics } of outcome.epochs) setCurve(record, epoch, metrics[metric] ?? null);
      if (outcome.result.artifacts.checkpoint) record.checkpoint = outcome.result.artifacts.checkpoint;
      if (median && stopping.kind === 'median') median = medianStep(stopping, median, { type: 'complete', trial: record.trial }).state;
    } else {
      const reason = stopReasons.get(record.trial);
      if (reason !== undefined && isCancellation(failure)) {
        record.status = 'stopped';
        record.stopReason = reason;
      } else {
        record.status = 'failed';
        record.error = rootCauseMessage(failure);
      }
      if (median && stopping.kind === 'median') median = medianStep(stopping, median, { type: 'end', trial: record.trial }).state;
    }
    finish(record);
  }

  function finish(record: TrialRecord): void {
    record.finishedAt = new Date().toISOString();
    record.gpuSeconds = ((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000) * sweep!.budget.gpusPerTrial;
    const summary = summaries[record.trial]!;
    counts[summary.state] -= 1;
    counts[record.status] += 1;
    summary.state = record.status;
    plannerChanged.add(record.trial);
    summary.value = record.status === 'completed' ? record.objective : record.status === 'stopped' ? (record.curve[record.reportedEpoch - 1] ?? null) : null;
    if (record.status === 'stopped') summary.step = record.reportedEpoch;
    dirty.add(record.trial);
    const slim = slimRecord(record);
    if (record.status === 'completed' && record.objective !== null) {
      if (best === null || best.objective === null || better(record.objective, best.objective)) best = record;
      top = [...top, slim].sort((a, b) => (better(a.objective ?? 0, b.objective ?? 0) ? -1 : better(b.objective ?? 0, a.objective ?? 0) ? 1 : a.trial - b.trial)).slice(0, SHOWN);
    }
    latest = [slim, ...latest].slice(0, SHOWN);
    running -= 1;
    finished += 1;
  }

  async function launchNext(): Promise<boolean> {
    const trial = summaries.length;
    if (sweep!.strategy.kind === 'tpe' && tpePlans.length === 0) tpePlans.push(...(await suggestWithTpe(trial, Math.max(1, concurrency - running))));
    const plan = sweep!.strategy.kind === 'tpe' ? tpePlans.shift()! : planTrial({ sweep: sweep!, trial, used, observations: summaries });
    if (plan.kind === 'done') {
      exhausted = true;
      endReason = plan.reason;
      stoppedBecause = StoppedBecause.Completed;
      return false;
    }
    const config = plan.kind === 'repeat' ? (summaries[plan.sameAsTrial]?.config ?? {}) : plan.config;
    const settings = trialSettings(config);
    const source = plan.kind === 'repeat' ? 'repeat' : plan.source;
    const record: TrialRecord = {
      trial,
      config,
      source,
      ...(plan.kind === 'new' && plan.decision ? { planDecision: plan.decision } : {}),
      status: 'running',
      // Repeats of one configuration differ by seed only.
      seed: spec.train.seed + (plan.kind === 'repeat' ? plan.repeat : 0),
      maxLr: scheduleFor(config).maxLr,
      epochs: settings.epochs ?? spec.train.epochs,
      batchSize: settings.batchSize ?? spec.train.batchSize,
      curve: [],
      reportedEpoch: 0,
      decisions: [],
      metrics: {},
      objective: null,
      launches: 1,
      gpuSeconds: 0,
      startedAt: new Date().toISOString(),
    };
    summaries.push({ trial, config, state: 'running', value: null, source });
    plannerChanged.add(trial);
    counts.running += 1;
    if (source !== 'repeat') used.add(configKey(config));
    open.set(trial, record);
    dirty.add(trial);
    running += 1;
    void runTrial(record);
    return true;
  }

  /**
   * TPE reads every earlier trial: computed in an activity (recorded once, never redone on replay) that keeps the
   * observation list between calls, so only what changed since the last call travels. Not a local activity: a local
   * activity's result and a signal in the same workflow task replayed in another order ("ActivityMachine in state
   * ScheduleCommandCreated … ActivityTaskCancelRequested") at ~1,300 trials.
   */
  async function suggestWithTpe(trial: number, count: number): Promise<TrialPlan[]> {
    const request = (full: boolean) => {
      plannerVersion += 1;
      const changes = full ? summaries : [...plannerChanged].sort((a, b) => a - b).flatMap((n) => summaries[n] ?? []);
      const base = full || plannerBase === null ? null : plannerBase;
      plannerChanged.clear();
      return { sweep: sweep!, trial, count, key: `${workflowId}/${runId}`, version: plannerVersion, base, changes: changes.map(observationOf) };
    };
    const options = { summary: `sweep · TPE suggestions for trials ${trial}–${trial + count - 1}` };
    let answer = await quick.suggestTrial.executeWithOptions(options, [request(plannerBase === null)]);
    if (answer.kind === 'resync') answer = await quick.suggestTrial.executeWithOptions(options, [request(true)]);
    if (answer.kind === 'resync') throw ApplicationFailure.nonRetryable('the TPE planner asked to resync a full observation list', 'PlannerFailed');
    plannerBase = plannerVersion;
    return answer.plans;
  }

  /** Writes the changed records to the paged table in the store; finished ones then leave the workflow's memory. */
  async function writeTable(): Promise<void> {
    lastTableWrite = Date.now();
    const changed = [...dirty].sort((a, b) => a - b);
    dirty.clear();
    for (let i = 0; i < changed.length || tableUri === null; i += TABLE_WRITE_BATCH) {
      const records = changed.slice(i, i + TABLE_WRITE_BATCH).flatMap((trial) => open.get(trial) ?? []);
      tableUri = await quick.writeTrialTable.executeWithOptions({ summary: `sweep · trial table (${records.length} changed)` }, [{ records, total: summaries.length }]);
    }
    for (const trial of changed) {
      const record = open.get(trial);
      if (record && record.status !== 'running' && !dirty.has(trial)) open.delete(trial);
    }
  }

  /** Hands the sweep to a fresh run with its trials still running: their jobs are adopted by the next run. */
  async function continueWithRunningTrials(): Promise<never> {
    // A stop already decided finishes here, so no job is killed after the next run has adopted it.
    await condition(() => [...stopReasons.keys()].every((trial) => !scopes.has(trial)));
    // Finished records go to the table first, so the hand-over carries only the running ones.
    await writeTable();
    closing = true;
    const state: SweepCarry = {
      summaries,
      open: [...open.values()],
      dirty: [...dirty],
      best,
      top,
      latest,
      asha,
      median,
      startedAt,
      tableUri,
      endReason,
      stoppedBecause,
      budget: { maxTrials: sweep.budget.maxTrials, gpuBudget: sweep.budget.gpuBudget },
      stopRequested,
    };
    const pointer = await saveCarry(context, state, `runs/${workflowId}/carry/run-${runs + 1}`, runs + 1);
    return continueAsNew<typeof sweepWorkflow>({ ...input, carried: pointer });
  }

  // Trials that were running when the previous run handed over: re-attach to their jobs.
  for (const record of open.values()) {
    if (record.status !== 'running') continue;
    running += 1;
    void runTrial(record);
  }

  try {
    await schedule();
  } catch (error) {
    if (isCancellation(error)) upsertMemo({ stoppedBecause: StoppedBecause.Cancelled, endReason: 'the sweep was cancelled' });
    throw error;
  }

  /** Launches trials while the budget allows and waits for them; returns when none runs and none may start. */
  async function schedule(): Promise<void> {
    const { budget } = sweep!;
    for (;;) {
      if (outage !== null && !exhausted) {
        exhausted = true;
        for (const scope of scopes.values()) scope.cancel();
      }
      if (counts.failed > budget.maxFailedTrials && !exhausted) {
        exhausted = true;
        endReason = `${counts.failed} trials failed (budget.maxFailedTrials ${budget.maxFailedTrials})`;
        stoppedBecause = StoppedBecause.MaxFailedTrials;
        // The trials still running are stopped by the sweep, not failed: their own rule would have let them go on.
        for (const [trial, scope] of scopes) {
          if (!stopReasons.has(trial)) stopReasons.set(trial, `the sweep stopped: ${endReason}`);
          scope.cancel();
        }
      }
      if (!exhausted && Date.now() >= deadline) {
        exhausted = true;
        endReason = `deadline ${budget.deadline} reached`;
        stoppedBecause = StoppedBecause.Deadline;
      }
      const history = workflowInfo();
      if (!exhausted && (history.historyLength > (input.historyLimit ?? sweep!.continueAsNewEvents ?? HISTORY_EVENTS_LIMIT) || history.historySize > HISTORY_BYTES_LIMIT)) {
        await continueWithRunningTrials();
      }
      if (!exhausted && running < concurrency && (await launchNext())) continue;
      if (running === 0) break;
      const seen = finished;
      const changes = userChanges;
      await condition(() => finished > seen || userChanges > changes);
      if (Date.now() - lastTableWrite >= TABLE_WRITE_INTERVAL_MS) await writeTable();
    }
  }
  await writeTable();
  if (outage !== null) {
    upsertMemo({ stoppedBecause: 'infrastructure', endReason: rootCauseMessage(outage) });
    throw ApplicationFailure.nonRetryable(`sweep stopped after ${summaries.length} trials: ${rootCauseMessage(outage)}`, INFRASTRUCTURE_UNAVAILABLE);
  }
  // The Temporal UI shows the memo on the sweep's page: why it ended, whatever the reason.
  upsertMemo({ stoppedBecause, endReason });
  return {
    trials: summaries.length,
    completed: counts.completed,
    stopped: counts.stopped,
    failed: counts.failed,
    best,
    tableUri,
    runs,
    stoppedBecause,
    endReason,
  };
}

/** The sampler's view of a trial (the summary without the workflow's bookkeeping). */
function observationOf({ source: _source, ...observation }: TrialSummary): TpeObservation {
  return observation;
}

function setCurve(record: TrialRecord, epoch: number, value: number | null): void {
  while (record.curve.length < epoch - 1) record.curve.push(null);
  record.curve[epoch - 1] = value;
}

/** A record for the leaderboard: without the sampler's decision record (the largest part), which the table in the store keeps. */
function slimRecord(record: TrialRecord): TrialRecord {
  const { planDecision: _plan, ...rest } = record;
  return { ...rest, decisions: [...record.decisions] };
}

async function saveCarry({ quick }: RunContext, state: SweepCarry, prefix: string, nextRun: number): Promise<CarryPointer> {
  const text = JSON.stringify(state);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += CARRY_CHUNK) chunks.push(text.slice(i, i + CARRY_CHUNK));
  // A few chunks per workflow task: one task's commands must stay under gRPC's 4 MB message limit.
  for (let first = 0; first < chunks.length; first += CARRY_CHUNKS_PER_TASK) {
    await Promise.all(
      chunks.slice(first, first + CARRY_CHUNKS_PER_TASK).map((chunk, offset) =>
        quick.writeCarryChunk.executeWithOptions({ summary: `sweep · hand-over ${first + offset + 1}/${chunks.length}` }, [{ prefix, index: first + offset, text: chunk }]),
      ),
    );
  }
  return { prefix, chunks: chunks.length, bytes: text.length, runs: nextRun };
}

async function loadCarry({ quick }: RunContext, pointer: CarryPointer): Promise<SweepCarry> {
  const chunks = await Promise.all(
    Array.from({ length: pointer.chunks }, (_, index) => quick.readCarryChunk.executeWithOptions({ summary: `sweep · take-over ${index + 1}/${pointer.chunks}` }, [{ prefix: pointer.prefix, index }])),
  );
  return JSON.parse(chunks.join('')) as SweepCarry;
}
