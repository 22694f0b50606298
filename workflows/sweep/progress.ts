/** A trial job's progress update as an epoch for the stopping rule: which trial, which epoch, the objective's value. */
import type { JobProgressUpdate } from '../../core/progress.js';

export function rungOf(update: JobProgressUpdate, metric: string): { trial: number; epoch: number; value: number | null } | null {
  // The OOM fallback's job (`trial-n-oom`) reports for trial n.
  const match = /^trial-(\d+)(-oom)?$/.exec(update.stage);
  const closed = update.completedEpoch;
  const value = closed?.metrics[metric];
  if (!match || !closed || value === undefined) return null;
  return { trial: Number(match[1]), epoch: closed.epoch, value };
}
