/**
 * Which job-contract modes a pipeline's stages need, and whether its trainer declares them: checked with the spec,
 * before any job starts, so a trainer without (say) `overfit_check` is a clear error naming the mode and the way to
 * turn its stage off, never a misleading gate failure.
 */
import type { JobMode } from './job.js';

export interface ModeNeed {
  mode: JobMode;
  /** The stage that runs it. */
  stage: string;
  /** How to do without it, or null when the stage cannot be turned off. */
  turnOff: string | null;
}

/** What the spec's stages will ask the trainer to do (reads only the fields it needs, so it runs inside validation). */
export function requiredModes(spec: {
  gates: { overfit: { enabled: boolean } };
  checks?: { preprocessing: { enabled: boolean } };
  train: { schedule: { kind: string; maxLr?: number | undefined } };
}): ModeNeed[] {
  const needs: ModeNeed[] = [];
  if (spec.checks?.preprocessing.enabled) {
    needs.push({ mode: 'inspect', stage: 'the preprocessing check', turnOff: 'checks: { preprocessing: { enabled: false } }' });
  }
  if (spec.gates.overfit.enabled) needs.push({ mode: 'overfit_check', stage: 'the overfit gate', turnOff: 'gates: { overfit: { enabled: false } }' });
  const { schedule } = spec.train;
  if (schedule.kind === 'one_cycle' && schedule.maxLr === undefined) {
    needs.push({ mode: 'lr_range_test', stage: 'the LR range test (train.schedule.maxLr is not set)', turnOff: 'train.schedule.maxLr: <a learning rate>' });
  }
  needs.push({ mode: 'train', stage: 'training', turnOff: null });
  needs.push({ mode: 'evaluate', stage: 'evaluation', turnOff: null });
  return needs;
}

/** One message per needed mode that `declared` lacks. */
export function missingModes(needs: ModeNeed[], declared: readonly JobMode[]): string[] {
  return needs
    .filter((need) => !declared.includes(need.mode))
    .map(
      (need) =>
        `does not include "${need.mode}", which ${need.stage} needs: implement it (a gauntlet_trainer Learner implements every mode) and list it here` +
        (need.turnOff ? `, or turn the stage off with ${need.turnOff}` : ''),
    );
}
