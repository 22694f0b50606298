/**
 * Folds a job's progress events into the small, throttled updates the workflow's progress query shows.
 * Updates travel as signals, each an event in the workflow's history, so they are rare on purpose: one per epoch
 * or per interval, not one per line — and only the epochs the caller asks for (a sweep's early-stopping rule needs
 * its rung epochs, not every epoch of 10,000 trials).
 */
import type { JobProgressUpdate } from '../core/progress.js';
import type { ProgressEvent } from '../core/spec/job.js';
import type { EpochMetrics, ProgressReporting } from './types.js';

export type { EpochMetrics };

export class ProgressFolder {
  private readonly metrics: Record<string, number | null> = {};
  private epoch: number | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private lastLog = '';
  /** Every closed epoch seen, reported or not, in order: the job's curve. */
  readonly epochs: EpochMetrics[] = [];

  constructor(
    private readonly stage: string,
    private readonly totalEpochs: number | undefined,
    private readonly send: (update: JobProgressUpdate) => void,
    private readonly minIntervalMs = 2000,
    private readonly now: () => number = Date.now,
    private readonly reporting: ProgressReporting = { live: true, epochs: 'all' },
  ) {}

  add(event: ProgressEvent): void {
    if (event.event === 'metric') {
      this.metrics[event.name] = event.value;
      if (event.epoch !== undefined) this.epoch = event.epoch;
    } else if (event.event === 'lr_point') {
      this.metrics.lr = event.lr;
      this.metrics.loss = event.loss;
    } else if (event.event === 'log') {
      this.lastLog = event.message;
    }
    this.dirty = true;
    // A checkpoint closes an epoch: send that epoch's metrics now, labelled with the checkpoint's epoch, whatever
    // the throttle says, so early stopping sees every epoch with its own values.
    if (event.event === 'checkpoint') this.closeEpoch({ epoch: event.epoch, metrics: { ...this.metrics } });
    else if (this.reporting.live && this.now() - this.lastSentAt >= this.minIntervalMs) this.flush();
  }

  private closeEpoch(closed: EpochMetrics): void {
    // A resumed job re-reads its log: an epoch already closed is not closed twice.
    if (this.epochs.some((seen) => seen.epoch === closed.epoch)) return;
    this.epochs.push(closed);
    const { epochs } = this.reporting;
    if (epochs === 'all' || epochs.includes(closed.epoch)) this.flush(closed);
  }

  flush(completedEpoch?: JobProgressUpdate['completedEpoch']): void {
    if (!completedEpoch && (!this.dirty || !this.reporting.live)) return;
    this.dirty = false;
    this.lastSentAt = this.now();
    this.send({ ...this.snapshot(), ...(completedEpoch ? { completedEpoch } : {}) });
  }

  snapshot(): JobProgressUpdate {
    const parts: string[] = [];
    if (this.epoch !== undefined) parts.push(`epoch ${this.epoch}${this.totalEpochs ? `/${this.totalEpochs}` : ''}`);
    for (const [name, value] of Object.entries(this.metrics)) {
      if (value !== null) parts.push(`${name} ${formatMetric(value)}`);
    }
    if (parts.length === 0 && this.lastLog) parts.push(this.lastLog);
    return {
      stage: this.stage,
      ...(this.epoch !== undefined ? { epoch: this.epoch } : {}),
      ...(this.totalEpochs !== undefined ? { totalEpochs: this.totalEpochs } : {}),
      metrics: { ...this.metrics },
      detail: parts.join(' · '),
    };
  }
}

function formatMetric(value: number): string {
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toFixed(4).replace(/0+$/, '').replace(/\.$/, '') : value.toExponential(2);
}
