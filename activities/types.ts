/** Requests and results of the activities, shared (as types only) with the workflows. */
import type { Job, JobMode, JobResult, Schedule, SplitName } from '../core/spec/job.js';
import type { SplitPlanOptions } from '../core/split/plan.js';
import type { IngestResult, SnapshotUsed } from '../contracts/ingest.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import type { KubernetesSpec } from '../core/spec/kubernetes.js';
import type { GateVerdict, LrDecision } from '../core/progress.js';
import type { LrRangeTestAnalysis, LrSuggestions } from '../core/lr/rangeTest.js';
import type { OutputConversion } from '../core/oracle.js';
import type { LabelingSummary } from '../core/labeling/summary.js';
import type { CheckResult } from '../core/data/check.js';

export interface CodeVersion {
  gauntlet: string;
  /** Commit of the checkout the worker runs from; null outside a git checkout. */
  gitCommit: string | null;
  gitDirty: boolean | null;
  /** SHA-256 of the trainer library and reference trainer sources: a job's output depends on them (job cache key). */
  trainerSha256?: string;
}

export interface IngestRequest {
  /** `sklearn:digits` or `file:/absolute/path.csv` (the CLI makes file paths absolute). */
  source: string;
  labelColumn: string;
  /** Columns the trainer must not read as features. @default [] */
  ignoreColumns?: string[];
  split: SplitPlanOptions & { groupColumn?: string | undefined };
  /** A labeling stage follows: rows may have an empty label, and `numClasses` (from label.classes) fixes K. */
  labeling?: { numClasses?: number };
  /** For a folder source: `latest` or a file name (core/spec/pipeline.ts Snapshot). */
  snapshot?: string;
}

export type { IngestResult, SnapshotUsed };

export interface JobRequest {
  /** Stage name: part of the job id and the output prefix, stable across retries. */
  stage: string;
  pipeline: string;
  executor: 'local' | 'kubernetes';
  kubernetes?: KubernetesSpec;
  mode: JobMode;
  trainer: PipelineSpec['trainer'];
  data: Job['data'];
  seed: number;
  epochs?: number;
  batchSize?: number;
  hyperparameters?: Record<string, number | string | boolean>;
  schedule?: Schedule;
  /** Model to load (evaluate / predict). */
  checkpoint?: string | null;
  split?: SplitName;
  overfit?: { batchSize: number; lossThreshold: number; maxSteps: number };
  /** label: the batch to label (core/spec/job.ts). */
  label?: Job['label'];
  /** Failure reasons Temporal must not retry with the same request, because the caller has a better plan (e.g. OOMKilled in a sweep with an OOM fallback). */
  failFastOn?: string[];
  /** Which progress the job signals to its workflow. @default { live: true, epochs: 'all' } */
  progress?: ProgressReporting;
  /** False (`gauntlet run --no-cache`): run the job even when an earlier one had the same inputs. @default true */
  cache?: boolean;
}

/** The metrics of one closed epoch (a checkpoint closes an epoch). */
export interface EpochMetrics {
  epoch: number;
  metrics: Record<string, number | null>;
}

export interface ProgressReporting {
  /** Throttled snapshots for the progress query (a pipeline's stages); a sweep's trials skip them. */
  live: boolean;
  /** Closed epochs to signal: every epoch, or only these (e.g. ASHA's rungs). */
  epochs: 'all' | number[];
}

export interface JobOutcome {
  jobId: string;
  resultUri: string;
  result: JobResult;
  /** Launches of the trainer process for this job (1 unless it was retried). */
  launches: number;
  adopted: boolean;
  /** Seconds the trainer says it ran (result.json). */
  trainerSeconds: number;
  /** The metrics of every epoch the job closed (from its progress events), in order. */
  epochs: EpochMetrics[];
  /** Set when nothing ran: an earlier job with the same inputs (activities/jobCache.ts) gave this outcome. */
  cachedFrom?: { run: string; stage: string };
}

export interface ManifestRequest {
  /** How the run ended when it did not succeed (`stopped_by_gate`): the manifest of a stopped run, with the reason. */
  status?: string;
  error?: string;
  spec: PipelineSpec;
  specFile?: string;
  startedAt: string;
  ingest: IngestResult;
  jobs: Record<string, JobOutcome>;
  metrics: Record<string, number | null>;
  goalMet: boolean | null;
  gates: GateVerdict[];
  lr: LrDecision | null;
  sweep: { trials: number; completed: number; stopped: number; failed: number; best: unknown; tableUri: string | null; stoppedBecause: string; endReason: string } | null;
  /**
   * The labeling stage: agreement, the human ceiling (annotators' accuracy against the adjudicated labels, what
   * evaluation compares a model with), and where the provenance of every label is (who, which copies, how settled).
   */
  /** The promote stage's verdict (null without a promote rule), and the full evaluation report (intervals, vs champion). */
  promotion?: { verdict: string; promoted: boolean; reasons: string[] } | null;
  evaluationUri?: string | null;
  /** The data checks' verdicts (their evidence is in runs/<run>/checks/). */
  checks?: CheckResult[];
  labeling?: { provenanceUri: string; classes: string[]; sourceData: { uri: string; sha256: string }; summary: LabelingSummary } | null;
  /** A chain of models: each model's metrics and checkpoint, the hand-offs, and the end-to-end attribution. */
  models?: { handoff: string; results: Record<string, unknown>; attribution: unknown[] } | null;
}

export interface OracleRequest {
  data: Job['data'];
  split: SplitName;
  conversion?: OutputConversion;
  /** Column of true final outputs; the label column through the conversion when absent. */
  targetColumn?: string;
}

export interface OracleResult {
  accuracy: number;
  n: number;
  errors: number;
}

export interface RangeTestAnalysisRequest {
  curveUri: string;
  /** Planned steps (fastai's num_it): sets how many leading points are trimmed. */
  numSteps: number;
  divergeFactor: number;
}

export interface RangeTestAnalysisResult {
  suggestions: LrSuggestions;
  trustworthy: boolean;
  reasons: string[];
  points: number;
  analysisUri: string;
  plotUri: string;
}

export interface FinalScoreRequest {
  data: Job['data'];
  predictionsUri: string;
  conversion?: OutputConversion;
  targetColumn?: string;
}

export type { LrRangeTestAnalysis };
