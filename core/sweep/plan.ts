/**
 * The sweep's next step in one call: which configuration trial k runs, under the spec's strategy and repeats, and
 * the options of its early-stopping rule. What a workflow calls; the rules themselves live in space.ts, tpe.ts,
 * asha.ts and median.ts.
 */
import type { TrialConfig } from './config.js';
import type { AshaOptions } from './asha.js';
import type { MedianOptions } from './median.js';
import { gridConfig, randomConfig, spaceDomains, spaceSize, trialSlot } from './space.js';
import { maxTrialEpochs, type SweepSpec } from './spec.js';
import { tpeSuggest, type TpeDecision, type TpeObservation } from './tpe.js';
import { configKey } from './config.js';

export interface TrialPlanRequest {
  sweep: SweepSpec;
  /** 0-based trial number; trials are planned in order. */
  trial: number;
  /** configKey of every configuration given to earlier slots (the first trial of each slot). */
  used: ReadonlySet<string>;
  /** TPE only: the trials so far (finished, running, failed). */
  observations?: readonly TpeObservation[];
}

export type TrialPlan =
  | {
      kind: 'new';
      trial: number;
      slot: number;
      config: TrialConfig;
      key: string;
      source: 'grid' | 'random' | 'tpe';
      /** 'unused': every draw repeated a configuration, so one was picked among the unused ones. */
      via: 'draw' | 'unused';
      attempts: number;
      decision?: TpeDecision;
    }
  /** Repeat `repeat` of slot `slot`: run the configuration of trial `sameAsTrial` again. */
  | { kind: 'repeat'; trial: number; slot: number; repeat: number; sameAsTrial: number }
  /** No trial k: the budget is spent, the grid is done or the space has no unused configuration. */
  | { kind: 'done'; trial: number; reason: string; decision?: TpeDecision };

export function planTrial(request: TrialPlanRequest): TrialPlan {
  const { sweep, trial, used } = request;
  if (trial >= sweep.budget.maxTrials) return { kind: 'done', trial, reason: `budget.maxTrials (${sweep.budget.maxTrials}) reached` };
  const { slot, repeat } = trialSlot(trial, sweep.repeats);
  if (repeat > 0) return { kind: 'repeat', trial, slot, repeat, sameAsTrial: trial - repeat };
  const domains = spaceDomains(sweep.space);
  const strategy = sweep.strategy;
  if (strategy.kind === 'grid') {
    const size = spaceSize(domains);
    if (slot >= size) return { kind: 'done', trial, reason: `grid complete: all ${size} configurations planned` };
    const config = gridConfig(domains, strategy.seed, slot);
    return { kind: 'new', trial, slot, config, key: configKey(config), source: 'grid', via: 'draw', attempts: 0 };
  }
  if (strategy.kind === 'random') {
    const result = randomConfig(domains, strategy.seed, slot, used);
    if (!result.ok) return { kind: 'done', trial, reason: `search space exhausted: ${result.message}` };
    return { kind: 'new', trial, slot, config: result.config, key: result.key, source: 'random', via: result.via, attempts: result.attempts };
  }
  const result = tpeSuggest({
    domains,
    direction: sweep.objective.direction,
    options: strategy,
    seed: strategy.seed,
    slot,
    observations: request.observations ?? [],
    used,
  });
  if (!result.ok) return { kind: 'done', trial, reason: `search space exhausted: ${result.message}`, decision: result.decision };
  return {
    kind: 'new',
    trial,
    slot,
    config: result.config,
    key: result.key,
    source: 'tpe',
    via: result.via,
    attempts: result.attempts,
    decision: result.decision,
  };
}

export type StoppingOptions = ({ kind: 'asha' } & AshaOptions) | ({ kind: 'median' } & MedianOptions) | { kind: 'none' };

/** The early-stopping rule's options with defaults resolved (ASHA's maxResource: the trials' epochs). */
export function stoppingOptions(sweep: SweepSpec, trainEpochs: number): StoppingOptions {
  const rule = sweep.earlyStopping;
  const { direction, metric } = sweep.objective;
  if (rule.kind === 'asha') {
    const maxResource = rule.maxResource ?? maxTrialEpochs(sweep.space, trainEpochs);
    return { kind: 'asha', gracePeriod: rule.gracePeriod, reductionFactor: rule.reductionFactor, maxResource, direction, metric };
  }
  if (rule.kind === 'median') return { kind: 'median', gracePeriod: rule.gracePeriod, minTrials: rule.minTrials, direction, metric };
  return { kind: 'none' };
}

export interface SweepPlanSummary {
  /** Distinct configurations in the space (Infinity with a continuous parameter). */
  configurations: number;
  /** Trials the sweep runs at most: maxTrials, or fewer when the space runs out first. */
  trials: number;
  /** Trials running at once: floor(gpuBudget / gpusPerTrial). */
  concurrency: number;
  /** Plain-English consequences worth showing at validation (`gauntlet validate`). */
  notes: string[];
}

export function summarizeSweep(sweep: SweepSpec): SweepPlanSummary {
  const domains = spaceDomains(sweep.space);
  const configurations = spaceSize(domains);
  const { maxTrials, gpuBudget, gpusPerTrial } = sweep.budget;
  const trials = Math.min(maxTrials, configurations * sweep.repeats);
  const concurrency = Math.floor(gpuBudget / gpusPerTrial);
  const notes: string[] = [];
  if (sweep.strategy.kind === 'grid' && configurations * sweep.repeats > maxTrials) {
    notes.push(`the grid has ${configurations} configurations${sweep.repeats > 1 ? ` × ${sweep.repeats} repeats` : ''}; maxTrials ${maxTrials} runs a seeded random subset of them`);
  } else if (Number.isFinite(configurations) && configurations * sweep.repeats < maxTrials) {
    notes.push(`the space has only ${configurations} configurations: the sweep ends after ${trials} trials`);
  }
  if (gpuBudget % gpusPerTrial !== 0) notes.push(`${gpuBudget % gpusPerTrial} GPU(s) of the budget stay idle (${concurrency} trials × ${gpusPerTrial} GPUs)`);
  return { configurations, trials, concurrency, notes };
}
