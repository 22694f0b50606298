/** Short human summaries shown in the Temporal UI (activity summaries) and the CLI. Pure. */
import type { Schedule } from './spec/job.js';

/** Three significant digits: enough to tell learning rates apart, short enough for a summary line. */
export function formatLr(lr: number): string {
  return String(Number(lr.toPrecision(3)));
}

export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'one_cycle':
      return `one-cycle · max lr ${formatLr(schedule.maxLr)}`;
    case 'constant':
      return `constant lr ${formatLr(schedule.lr)}`;
    case 'range_test':
      return `LR range test · ${schedule.numSteps} steps`;
  }
}

/** Prefixes evaluation metrics with their split: `accuracy` on test → `test_accuracy`. */
export function splitMetrics(split: string, metrics: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [`${split}_${name}`, value]));
}
