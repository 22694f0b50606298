/** A trial's learning-rate schedule: the spec's, with max LR from the range test of the trial's LR group × lrFactor. */
import type { Schedule } from '../../spec/job.js';
import type { PipelineSpec } from '../../spec/pipeline.js';
import type { TrialConfig } from '../config.js';
import { lrGroupKey, trialSettings } from '../space.js';

export type TrialSchedule = { ok: true; schedule: Schedule; maxLr: number | null } | { ok: false; message: string };

/** The spec's train.schedule: one_cycle may leave maxLr to the range test. */
export type TrainSchedule = PipelineSpec['train']['schedule'];

export function trialSchedule(base: TrainSchedule, config: TrialConfig, lrGroups: readonly string[], maxLrByGroup: Record<string, number>): TrialSchedule {
  const { lrFactor } = trialSettings(config);
  if (base.kind === 'constant') return { ok: true, schedule: { ...base, lr: base.lr * lrFactor }, maxLr: null };
  const group = lrGroupKey(config, lrGroups);
  const found = base.maxLr ?? maxLrByGroup[group];
  if (found === undefined) return { ok: false, message: `no max LR for LR group ${group}` };
  return { ok: true, schedule: { ...base, maxLr: found * lrFactor }, maxLr: found * lrFactor };
}
