/**
 * What the sweep keeps about its trials: the records (full, in the store's paged table), the summaries the sampler
 * needs, the state carried across continue-as-new, the leaderboard and the result. Plain data, shared by the pure
 * state machine (./machine), the workflow, the CLI and the activities (re-exported by contracts/sweep.ts).
 */
import type { StoppedBecause } from '../failures.js';
import type { AshaState } from './asha.js';
import type { TrialConfig } from './config.js';
import type { MedianState } from './median.js';
import type { StoppingDecision } from './stopping.js';
import type { TpeDecision, TpeObservation } from './tpe.js';

export type TrialStatus = 'running' | 'completed' | 'stopped' | 'failed';

export interface TrialRecord {
  trial: number;
  config: TrialConfig;
  /** How the configuration was chosen (grid, random, tpe, repeat). */
  source: string;
  /** TPE: which trials formed the good and bad sets and how the candidates scored (explains the choice). */
  planDecision?: TpeDecision;
  status: TrialStatus;
  /** The trainer's seed (repeats of one configuration differ by seed only). */
  seed: number;
  maxLr: number | null;
  epochs: number;
  batchSize: number;
  /** The objective per epoch (index = epoch - 1): the epochs early stopping saw while it ran, every epoch once it completed. */
  curve: Array<number | null>;
  /** The last epoch signalled to early stopping (0: none). */
  reportedEpoch: number;
  /** Final metrics of a completed trial. */
  metrics: Record<string, number | null>;
  objective: number | null;
  stopReason?: string;
  /** Every early-stopping decision about this trial, with the data it was based on (replayable, explainable). */
  decisions: StoppingDecision[];
  error?: string;
  /** The OOM fallback applied to this trial, e.g. "OOM killed: batchSize 64 → 32". */
  fallback?: string;
  launches: number;
  /** GPUs × seconds the trial held. */
  gpuSeconds: number;
  checkpoint?: string;
  startedAt: string;
  finishedAt?: string;
}

/** What every trial leaves in the workflow once its full record is in the store: what the sampler needs. */
export interface TrialSummary extends TpeObservation {
  source: string;
}

export interface SweepCarry {
  summaries: TrialSummary[];
  /** Full records not yet in the store: running trials (the next run adopts their jobs) and unwritten finished ones. */
  open: TrialRecord[];
  /** Trial numbers whose record changed since the table was last written. */
  dirty: number[];
  best: TrialRecord | null;
  /** The best completed and the latest finished trials, as the leaderboard shows them. */
  top: TrialRecord[];
  latest: TrialRecord[];
  asha: AshaState | null;
  median: MedianState | null;
  startedAt: string;
  tableUri: string | null;
  endReason: string;
  stoppedBecause: StoppedBecause;
  /** A budget changed mid-sweep (`gauntlet sweep budget`), and a stop asked for (`gauntlet sweep stop`). */
  budget?: { maxTrials: number; gpuBudget: number };
  stopRequested?: boolean;
}

export interface SweepResult {
  trials: number;
  completed: number;
  stopped: number;
  failed: number;
  best: TrialRecord | null;
  tableUri: string | null;
  /** Largest history length of any run of the sweep workflow (continue-as-new keeps it bounded). */
  runs: number;
  /** Why the sweep ended: `completed` (every planned trial ran), `maxFailedTrials`, `deadline`, `user`. */
  stoppedBecause: StoppedBecause;
  /** The same in words, e.g. "budget.maxTrials (16) reached". */
  endReason: string;
}

export interface Leaderboard {
  status: 'running' | 'done';
  objective: { metric: string; direction: 'maximize' | 'minimize' };
  concurrency: number;
  counts: Record<TrialStatus, number>;
  /** The running trials, the best completed ones and the latest finished ones (the whole table is in the store). */
  trials: TrialRecord[];
  best: TrialRecord | null;
  /** The trial table's manifest in the store (`gauntlet sweep status --json` reads it). */
  tableUri: string | null;
  runs: number;
  /** Why the sweep ended (null while it runs). */
  stoppedBecause: StoppedBecause | null;
  endReason: string;
}
