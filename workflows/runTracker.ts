/**
 * The run's visible state: stage list for the progress query, and the search attributes the Temporal UI filters on.
 * One place updates both, so the query and the UI never disagree.
 */
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { GateVerdict, JobProgressUpdate, LrDecision, RunProgress, RunStatus, StageProgress } from '../core/progress.js';
import { searchAttributes } from '../contracts/pipeline.js';

export class RunTracker {
  readonly progress: RunProgress;

  constructor(runId: string, pipeline: string, stages: string[], private readonly now: () => Date) {
    this.progress = {
      runId,
      pipeline,
      status: 'running',
      stage: stages[0] ?? 'start',
      stages: stages.map((stage) => ({ stage, status: 'pending' })),
      metrics: {},
      gates: [],
    };
  }

  start(stage: string, detail?: string): void {
    const entry = this.entry(stage);
    entry.status = 'running';
    entry.startedAt = this.now().toISOString();
    if (detail) entry.detail = detail;
    this.progress.stage = stage;
    upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);
  }

  finish(stage: string, detail?: string, metrics?: Record<string, number | null>, status: 'succeeded' | 'failed' = 'succeeded'): void {
    const entry = this.entry(stage);
    entry.status = status;
    entry.finishedAt = this.now().toISOString();
    delete entry.retrying;
    if (detail) entry.detail = entry.cachedFrom ? `${detail} · cached from ${entry.cachedFrom}` : detail;
    if (metrics) entry.metrics = metrics;
  }

  /** A retry of the running stage (an outage waited out, or the trainer relaunched): visible until the stage ends. */
  noteRetry(note: string): void {
    const entry = this.progress.stages.find((candidate) => candidate.stage === this.progress.stage);
    if (entry?.status === 'running') entry.retrying = note;
  }

  /** A job of the running stage came from the cache: the stage says whose outputs it reused when it finishes. */
  noteCached(run: string): void {
    const entry = this.progress.stages.find((candidate) => candidate.stage === this.progress.stage);
    if (entry?.status === 'running') entry.cachedFrom = run;
  }

  update(update: JobProgressUpdate): void {
    const entry = this.progress.stages.find((candidate) => candidate.stage === update.stage);
    if (entry?.status !== 'running') return; // a late signal from a finished job, or a stage we do not show
    entry.detail = update.detail;
    entry.metrics = update.metrics;
    if (update.epoch !== undefined) entry.epoch = update.epoch;
    if (update.totalEpochs !== undefined) entry.totalEpochs = update.totalEpochs;
  }

  recordMetrics(metrics: Record<string, number | null>, best?: number | null): void {
    Object.assign(this.progress.metrics, metrics);
    if (best !== undefined && best !== null) upsertSearchAttributes([{ key: searchAttributes.bestMetric, value: best }]);
  }

  skip(stage: string, detail: string): void {
    const entry = this.entry(stage);
    entry.status = 'skipped';
    entry.detail = detail;
  }

  /** Gate verdicts and the LR decision go in the memo too, so the Temporal UI shows them on the run. */
  recordGate(verdict: GateVerdict): void {
    this.progress.gates.push(verdict);
    upsertMemo({ gates: this.progress.gates });
  }

  recordLr(decision: LrDecision): void {
    this.progress.lr = decision;
    upsertMemo({ lrFinder: decision });
  }

  end(status: RunStatus, error?: string): void {
    this.progress.status = status;
    if (error) this.progress.error = error;
    for (const entry of this.progress.stages) {
      if (entry.status === 'running') entry.status = status === 'succeeded' ? 'succeeded' : 'failed';
      else if (entry.status === 'pending') entry.status = 'skipped';
    }
    upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
  }

  private entry(stage: string): StageProgress {
    let entry = this.progress.stages.find((candidate) => candidate.stage === stage);
    if (!entry) {
      entry = { stage, status: 'pending' };
      this.progress.stages.push(entry);
    }
    return entry;
  }
}
