/** Short human summaries shown in the Temporal UI (activity summaries) and the CLI. Pure. */
import type { Schedule } from './spec/job.js';

export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'one_cycle':
      return `one-cycle · max lr ${schedule.maxLr}`;
    case 'constant':
      return `constant lr ${schedule.lr}`;
    case 'range_test':
      return `LR range test · ${schedule.numSteps} steps`;
  }
}

/** Prefixes evaluation metrics with their split: `accuracy` on test → `test_accuracy`. */
export function splitMetrics(split: string, metrics: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [`${split}_${name}`, value]));
}
