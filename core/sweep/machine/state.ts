/** The sweep's whole state, built from the spec (and what the previous run carried over), and carried on from it. */
import { StoppedBecause } from '../../failures.js';
import { durationMs } from '../../spec/duration.js';
import { ashaInitialState, type AshaState } from '../asha.js';
import { configKey } from '../config.js';
import { medianInitialState, type MedianState } from '../median.js';
import { stoppingOptions, type StoppingOptions, type TrialPlan } from '../plan.js';
import type { SweepSpec } from '../spec.js';
import type { TrainSchedule } from './schedule.js';
import type { SweepCarry, TrialRecord, TrialStatus, TrialSummary } from '../records.js';

/** Continue as new past this many history events (Temporal warns at 10k, limits at 50k)… */
export const HISTORY_EVENTS_LIMIT = 8_000;
/** …or this many bytes (Temporal limits a history at 50 MB). */
export const HISTORY_BYTES_LIMIT = 16 * 1024 * 1024;

export interface MachineInput {
  /** The spec's sweep section. */
  sweep: SweepSpec;
  train: { seed: number; epochs: number; batchSize: number; schedule: TrainSchedule };
  /** The range test's max LR per LR group. */
  maxLrByGroup: Record<string, number>;
  /** Continue as new past this many history events (overrides the spec's continueAsNewEvents). */
  historyLimit?: number;
  /** This run's number (1 for the first). */
  runs: number;
  carried: SweepCarry | null;
  now: number;
}

/** The TPE planner's copy of the observations: its version, the trials changed since, and plans not yet launched. */
export interface PlannerState {
  version: number;
  base: number | null;
  changed: Set<number>;
  /** Plans fetched for the free slots, launched at once (never kept across a wait: they would go stale). */
  plans: TrialPlan[];
  /** The call in flight: for which trials, and whether it already resynced once. */
  pending: { trial: number; count: number; resynced: boolean } | null;
}

export interface SweepState {
  readonly input: MachineInput;
  /** The spec's sweep with the budget a person may change mid-sweep. */
  readonly sweep: SweepSpec;
  readonly stopping: StoppingOptions;
  readonly startedAt: string;
  readonly deadline: number;
  readonly historyLimit: number;
  summaries: TrialSummary[];
  /** Full records not yet pruned: running trials and finished ones not yet written to the table. */
  open: Map<number, TrialRecord>;
  dirty: Set<number>;
  used: Set<string>;
  counts: Record<TrialStatus, number>;
  best: TrialRecord | null;
  top: TrialRecord[];
  latest: TrialRecord[];
  asha: AshaState | null;
  median: MedianState | null;
  tableUri: string | null;
  endReason: string;
  stoppedBecause: StoppedBecause;
  /** Set when a service stayed away past trainer.infraRetryWindow: the sweep fails, no trial is blamed. */
  outage: string | null;
  /** Trials whose job the workflow is watching, in launch order (the order stops are sent in). */
  active: Set<number>;
  /** Why the sweep stopped a trial: its job's cancellation then means `stopped`, not `failed`. */
  stopReasons: Map<number, string>;
  lastTableWrite: number;
  running: number;
  finished: number;
  /** No more trials will be launched. */
  exhausted: boolean;
  planner: PlannerState;
  /** A table write in progress: the trials it writes and the next page's offset. */
  table: { changed: number[]; offset: number } | null;
  /** Set when this run hands over to the next: from then on the next run owns every decision. */
  closing: boolean;
  /** A person's stop or budget change: wakes the scheduling loop. */
  userChanges: number;
  stopRequested: boolean;
  concurrency: number;
}

export function initialState(input: MachineInput): SweepState {
  const { carried } = input;
  const declared = input.sweep;
  // The budget a person may change mid-sweep (`gauntlet sweep budget`); it travels across continue-as-new.
  const sweep = { ...declared, budget: { ...declared.budget, ...(carried?.budget ?? {}) } };
  const startedAt = carried?.startedAt ?? new Date(input.now).toISOString();
  const stopping = stoppingOptions(sweep, input.train.epochs);
  const summaries = carried?.summaries ?? [];
  const counts: Record<TrialStatus, number> = { running: 0, completed: 0, stopped: 0, failed: 0 };
  for (const summary of summaries) counts[summary.state] += 1;
  return {
    input,
    sweep,
    stopping,
    startedAt,
    deadline: sweep.budget.deadline ? Date.parse(startedAt) + durationMs(sweep.budget.deadline) : Number.POSITIVE_INFINITY,
    historyLimit: input.historyLimit ?? sweep.continueAsNewEvents ?? HISTORY_EVENTS_LIMIT,
    summaries,
    open: new Map((carried?.open ?? []).map((record) => [record.trial, record])),
    dirty: new Set(carried?.dirty ?? []),
    used: new Set(summaries.filter((s) => s.source !== 'repeat').map((s) => configKey(s.config))),
    counts,
    best: carried?.best ?? null,
    top: carried?.top ?? [],
    latest: carried?.latest ?? [],
    asha: carried?.asha ?? (stopping.kind === 'asha' ? ashaInitialState(stopping) : null),
    median: carried?.median ?? (stopping.kind === 'median' ? medianInitialState() : null),
    tableUri: carried?.tableUri ?? null,
    endReason: carried?.endReason ?? '',
    stoppedBecause: carried?.stoppedBecause ?? StoppedBecause.Completed,
    outage: null,
    active: new Set(),
    stopReasons: new Map(),
    lastTableWrite: Number.NEGATIVE_INFINITY,
    running: 0,
    finished: 0,
    // A stop accepted while the previous run was handing over: this run launches nothing more either.
    exhausted: carried?.stopRequested ?? false,
    planner: { version: 0, base: null, changed: new Set(), plans: [], pending: null },
    table: null,
    closing: false,
    userChanges: 0,
    stopRequested: carried?.stopRequested ?? false,
    concurrency: Math.floor(sweep.budget.gpuBudget / sweep.budget.gpusPerTrial),
  };
}

/** What the next run needs; the running trials' records go with it and their jobs are adopted. */
export function carryOf(state: SweepState): SweepCarry {
  return {
    summaries: state.summaries,
    open: [...state.open.values()],
    dirty: [...state.dirty],
    best: state.best,
    top: state.top,
    latest: state.latest,
    asha: state.asha,
    median: state.median,
    startedAt: state.startedAt,
    tableUri: state.tableUri,
    endReason: state.endReason,
    stoppedBecause: state.stoppedBecause,
    budget: { maxTrials: state.sweep.budget.maxTrials, gpuBudget: state.sweep.budget.gpuBudget },
    stopRequested: state.stopRequested,
  };
}
