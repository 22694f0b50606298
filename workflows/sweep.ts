/**
 * The sweep: trials planned by the spec's strategy (grid, random, TPE — pure code in core/sweep), trained one-cycle
 * with max LR from the range test × lrFactor, stopped early by ASHA or the median rule from the epochs their jobs
 * signal (only the epochs the rule needs), never holding more GPUs than the budget. Trial n's job id derives from
 * the workflow id and `trial-n`, so a retried trial resumes its checkpoint and is not a new trial.
 *
 * Every decision is the state machine's (core/sweep/machine); this file only turns Temporal's world into its events
 * and carries out its decisions. The shape of the coroutines below (a loop, one per trial, their awaits) is what
 * fixes the order of the commands in the history: keep it, or old histories no longer replay.
 *
 * Sized for 10,000 trials: the workflow keeps a compact summary per trial and full records only for running and
 * not-yet-written trials; the full table goes to the store in pages. Before the history grows large it continues as
 * new WITHOUT waiting for running trials: their state goes to the store and the next run re-attaches to their jobs.
 */
import { ApplicationFailure, CancellationScope, condition, continueAsNew, isCancellation, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { JobOutcome } from '../activities/types.js';
import { rootCauseMessage, rootFailureType } from '../core/errors.js';
import { INFRASTRUCTURE_UNAVAILABLE, StoppedBecause } from '../core/failures.js';
import { describeConfig } from '../core/sweep/config.js';
import { SweepMachine, trialSchedule, type SweepDecision, type SweepEvent } from '../core/sweep/machine/index.js';
import { trialSettings } from '../core/sweep/space.js';
import type { SweepInput, SweepResult, TrialRecord } from '../contracts/sweep.js';
import { job, runContext } from './stages.js';
import { RunTracker } from './runTracker.js';
import { loadCarry, saveCarry } from './sweep/carry.js';
import { carryOutStops, setControlHandlers } from './sweep/control.js';

type Launch = Extract<SweepDecision, { kind: 'launch' }>;
type PlanOutcome = Extract<SweepDecision, { kind: 'launch' | 'suggest' | 'fail' }> | undefined;

export async function sweepWorkflow(input: SweepInput): Promise<SweepResult> {
  const { spec, data } = input;
  const sweep = spec.sweep;
  if (!sweep) throw ApplicationFailure.nonRetryable('sweepWorkflow needs a spec with a sweep section', 'BadInput');
  const { workflowId, runId } = workflowInfo();
  const { quick, jobs } = runContext(spec, new RunTracker(workflowId, spec.name, [], () => new Date()));
  const runs = input.carried?.runs ?? 1;
  const carried = input.carried ? await loadCarry(quick, input.carried) : null;
  const machine = new SweepMachine({
    sweep,
    train: spec.train,
    maxLrByGroup: input.maxLrByGroup,
    ...(input.historyLimit !== undefined ? { historyLimit: input.historyLimit } : {}),
    runs,
    carried,
    now: new Date().getTime(),
  });
  const reportEpochs = machine.reportEpochs;
  const { metric } = machine.objective;
  /** The running trials' jobs, by trial: cancelling a scope stops its job. */
  const scopes = new Map<number, CancellationScope>();
  setControlHandlers(machine, scopes);

  /** Every decision arrives as an array; the loop's steps expect at most one besides stops. */
  const first = (decisions: SweepDecision[]): SweepDecision | undefined => decisions.find((decision) => decision.kind !== 'stopTrial');
  const failWith = (decision: Extract<SweepDecision, { kind: 'fail' }>): never => {
    throw ApplicationFailure.nonRetryable(decision.message, decision.type);
  };

  function scheduleFor(record: TrialRecord) {
    const found = trialSchedule(spec.train.schedule, record.config, sweep?.lrGroups ?? [], input.maxLrByGroup);
    if (!found.ok) throw ApplicationFailure.nonRetryable(found.message, 'BadInput');
    return found.schedule;
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
      schedule: scheduleFor(record),
      progress: { live: false, epochs: reportEpochs },
      ...(sweep?.oomFallback ? { failFastOn: ['OOMKilled'] } : {}),
    });
    if (memory && request.kubernetes) request.kubernetes = { ...request.kubernetes, memory };
    return jobs.runJob.executeWithOptions({ summary: `trial ${record.trial} · ${describeConfig(record.config)}${record.fallback ? ' · OOM fallback' : ''}` }, [request]);
  }

  async function runTrialJob({ record, memory }: Launch): Promise<JobOutcome> {
    // A trial carried over after its fallback started goes on with the fallback's job.
    if (record.fallback) return trialJob(record, memory);
    try {
      return await trialJob(record, undefined);
    } catch (error) {
      if (rootFailureType(error) !== 'OOMKilled') throw error;
      const retry = first(machine.handle({ type: 'oomKilled', trial: record.trial }));
      if (retry?.kind !== 'launch') throw error;
      return trialJob(retry.record, retry.memory);
    }
  }

  async function runTrial(launch: Launch): Promise<void> {
    const { trial } = launch.record;
    const scope = new CancellationScope();
    scopes.set(trial, scope);
    let outcome: JobOutcome | null = null;
    let failure: unknown = null;
    try {
      outcome = await scope.run(() => runTrialJob(launch));
    } catch (error) {
      failure = error;
    }
    scopes.delete(trial);
    machine.handle(trialEnded(trial, outcome, failure));
  }

  function trialEnded(trial: number, outcome: JobOutcome | null, failure: unknown): SweepEvent {
    const now = new Date().getTime();
    if (outcome) {
      const { metrics, artifacts } = outcome.result;
      return { type: 'trialCompleted', trial, now, result: { metrics, launches: outcome.launches, epochs: outcome.epochs, ...(artifacts.checkpoint ? { checkpoint: artifacts.checkpoint } : {}) } };
    }
    // An outage past the retry window is not the trial's failure: the sweep stops and says which service was away.
    if (rootFailureType(failure) === INFRASTRUCTURE_UNAVAILABLE) return { type: 'serviceLost', trial, message: rootCauseMessage(failure) };
    return { type: isCancellation(failure) ? 'trialCancelled' : 'trialFailed', trial, now, error: rootCauseMessage(failure) };
  }

  /** Plans the next trial and launches it; false when there is none to launch now. */
  async function launchNext(): Promise<boolean> {
    let next = first(machine.handle({ type: 'plan', now: new Date().getTime() })) as PlanOutcome;
    if (next?.kind === 'suggest') next = await suggestWithTpe(next);
    if (next?.kind === 'fail') failWith(next);
    if (next?.kind !== 'launch') return false;
    void runTrial(next);
    return true;
  }

  /**
   * TPE reads every earlier trial: computed in an activity (recorded once, never redone on replay) that keeps the
   * observation list between calls, so only what changed since the last call travels. Not a local activity: a local
   * activity's result and a signal in the same workflow task replayed in another order ("ActivityMachine in state
   * ScheduleCommandCreated … ActivityTaskCancelRequested") at ~1,300 trials.
   */
  async function suggestWithTpe(suggestion: Extract<SweepDecision, { kind: 'suggest' }>): Promise<PlanOutcome> {
    const { trial, count } = suggestion.request;
    const options = { summary: `sweep · TPE suggestions for trials ${trial}–${trial + count - 1}` };
    const call = ({ request }: Extract<SweepDecision, { kind: 'suggest' }>) =>
      quick.suggestTrial.executeWithOptions(options, [
        { sweep: request.sweep, trial: request.trial, count: request.count, key: `${workflowId}/${runId}`, version: request.version, base: request.base, changes: request.changes },
      ]);
    let answer = await call(suggestion);
    let next = first(machine.handle({ type: 'planned', now: new Date().getTime(), answer })) as PlanOutcome;
    if (next?.kind === 'suggest') {
      answer = await call(next);
      next = first(machine.handle({ type: 'planned', now: new Date().getTime(), answer })) as PlanOutcome;
    }
    return next;
  }

  /** Writes the changed records to the paged table in the store; finished ones then leave the workflow's memory. */
  async function writeTable(): Promise<void> {
    for (let page = first(machine.handle({ type: 'writeTable', now: new Date().getTime() })); page?.kind === 'writePage'; ) {
      const { records, total } = page;
      const uri = await quick.writeTrialTable.executeWithOptions({ summary: `sweep · trial table (${records.length} changed)` }, [{ records, total }]);
      page = first(machine.handle({ type: 'tableWritten', uri }));
    }
  }

  /** Hands the sweep to a fresh run with its trials still running: their jobs are adopted by the next run. */
  async function continueWithRunningTrials(): Promise<never> {
    // A stop already decided finishes here, so no job is killed after the next run has adopted it.
    await condition(() => machine.stopsSettled);
    // Finished records go to the table first, so the hand-over carries only the running ones.
    await writeTable();
    const handOver = first(machine.handle({ type: 'handOver' }));
    if (handOver?.kind !== 'continueAsNew') throw ApplicationFailure.nonRetryable('the sweep could not hand over to its next run', 'SweepStateInvalid');
    const pointer = await saveCarry(quick, handOver.carry, `runs/${workflowId}/carry/run-${runs + 1}`, runs + 1);
    return continueAsNew<typeof sweepWorkflow>({ ...input, carried: pointer });
  }

  // Trials that were running when the previous run handed over: re-attach to their jobs.
  for (const decision of machine.handle({ type: 'start' })) if (decision.kind === 'launch') void runTrial(decision);

  try {
    await schedule();
  } catch (error) {
    if (isCancellation(error)) upsertMemo({ stoppedBecause: StoppedBecause.Cancelled, endReason: 'the sweep was cancelled' });
    throw error;
  }

  /** Launches trials while the budget allows and waits for them; returns when none runs and none may start. */
  async function schedule(): Promise<void> {
    for (;;) {
      const history = workflowInfo();
      const turn = machine.handle({ type: 'turn', now: new Date().getTime(), historyEvents: history.historyLength, historyBytes: history.historySize });
      carryOutStops(turn, scopes);
      const next = first(turn);
      if (next?.kind === 'handOver') await continueWithRunningTrials();
      if (next?.kind === 'plan' && (await launchNext())) continue;
      const idle = first(machine.handle({ type: 'idle' }));
      if (idle?.kind !== 'wait') break;
      await condition(() => machine.wakeups > idle.since);
      if (first(machine.handle({ type: 'woke', now: new Date().getTime() }))?.kind === 'writeTable') await writeTable();
    }
  }
  await writeTable();
  const end = first(machine.handle({ type: 'end' }));
  if (end?.kind !== 'finish' && end?.kind !== 'fail') throw ApplicationFailure.nonRetryable('the sweep ended without a result', 'SweepStateInvalid');
  // The Temporal UI shows the memo on the sweep's page: why it ended, whatever the reason.
  if (end.memo) upsertMemo(end.memo);
  return end.kind === 'fail' ? failWith(end) : end.result;
}
