/** An epoch a trial's job reported: it joins the curve and the stopping rule (ASHA or median) judges it. */
import { ashaStep } from '../asha.js';
import { medianStep } from '../median.js';
import type { StoppingDecision } from '../stopping.js';
import type { SweepDecision } from './events.js';
import { setCurve } from './trials.js';
import type { SweepState } from './state.js';

export function reportRung(state: SweepState, trial: number, epoch: number, value: number | null): SweepDecision[] {
  if (state.closing) return [];
  const record = state.open.get(trial);
  if (!record || record.status !== 'running') return [];
  // Epochs arrive in order; one already judged (a job re-read by a retry or by the next run) is ignored.
  if (epoch <= record.reportedEpoch) return [];
  setCurve(record, epoch, value);
  record.reportedEpoch = epoch;
  state.dirty.add(trial);
  let decision: StoppingDecision | null = null;
  const report = { type: 'report' as const, trial, epoch, value };
  const { stopping } = state;
  if (stopping.kind === 'asha' && state.asha) ({ state: state.asha, decision } = ashaStep(stopping, state.asha, report));
  if (stopping.kind === 'median' && state.median) ({ state: state.median, decision } = medianStep(stopping, state.median, report));
  if (decision) record.decisions.push(decision);
  if (decision?.action === 'stop' && !decision.complete && !state.stopReasons.has(trial)) {
    state.stopReasons.set(trial, decision.reason);
    return [{ kind: 'stopTrial', trial }];
  }
  return [];
}
