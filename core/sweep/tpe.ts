/**
 * Tree-structured Parzen Estimator, as Optuna's TPESampler does it (univariate, the default):
 *
 * 1. Until `nStartupTrials` trials have finished, configurations are random (the same draws as random search with
 *    the same seed, see space.ts).
 * 2. The n finished trials are ranked — completed ones by objective; then stopped ones, those that got further first,
 *    each by its last intermediate value; then those with nothing usable — and the best n_below = gamma(n) form the
 *    good set, the rest the bad set (plus running trials, as the worst, with `constantLiar`).
 * 3. Per parameter: a Parzen estimator l(x) on the good set and g(x) on the bad set (parzen.ts); nEiCandidates
 *    draws from l(x); the draw with the largest log l(x) − log g(x) wins (the first one on ties).
 *
 * Failed trials (crashed, OOM, no metric) say nothing about their configuration and are left out, as in Optuna.
 * Where we differ from Optuna: a trial that completed with a NaN or infinite objective (it diverged) is kept, ranked
 * last, instead of being marked failed and ignored — so TPE learns to avoid e.g. learning rates that diverge.
 *
 * Every draw is addressed by (seed, slot, attempt, parameter), so the same history and seed give the same
 * configuration, and the returned decision record says which trials were good and bad and how the top candidates
 * scored, so a run can be explained and replayed.
 */
import { seededRandom } from '../random.js';
import type { ParameterValue, TrialConfig } from './config.js';
import { mixSeed } from './hash.js';
import { inDomain, type ParameterDomain } from './parameters.js';
import { categoricalProbabilities, logPdfNumeric, numericMixture, observationWeights, sampleCategorical, sampleNumeric, type NumericRange } from './parzen.js';
import { firstUnused, randomConfig, type NamedDomain, type SampleResult } from './space.js';
import type { Direction } from './spec.js';

export type TpeTrialState = 'completed' | 'stopped' | 'running' | 'failed';

export interface TpeObservation {
  /** Trial number: chronological order, used for weights and ties. */
  trial: number;
  config: TrialConfig;
  state: TpeTrialState;
  /** completed: the objective; stopped: the last intermediate value (at `step`). NaN, infinite or null: diverged/missing. */
  value?: number | null;
  /** stopped: the last epoch the trial reported. */
  step?: number;
}

export interface TpeOptions {
  nStartupTrials: number;
  nEiCandidates: number;
  /** Fraction in the good set (ceil(gamma·n)); undefined: Optuna's min(ceil(0.1·n), 25). */
  gamma?: number | undefined;
  priorWeight: number;
  constantLiar: boolean;
}

export const TPE_DEFAULTS: TpeOptions = { nStartupTrials: 10, nEiCandidates: 24, priorWeight: 1, constantLiar: false };

export interface TpeCandidate {
  value: ParameterValue;
  /** log l(x) − log g(x): how much likelier the value is among good trials than among bad ones. */
  score: number;
  logL: number;
  logG: number;
}

/** Kept small: trial numbers of the good set, counts for the rest, the top candidates per parameter. */
export interface TpeDecision {
  sampler: 'random' | 'tpe';
  reason: string;
  /** Completed + stopped trials the decision saw. */
  finished: number;
  /** Trial numbers the decision saw (finished, and running ones with constantLiar), as inclusive ranges. */
  observed: Array<[number, number]>;
  nBelow?: number;
  /** The good set's trial numbers (first 50). */
  below?: number[];
  aboveCount?: number;
  /** The three best distinct candidates per parameter, best first (the winner first when it was a fresh draw). */
  parameters?: Record<string, TpeCandidate[]>;
}

export type TpeResult = (Extract<SampleResult, { ok: true }> & { decision: TpeDecision }) | (Extract<SampleResult, { ok: false }> & { decision: TpeDecision });

export interface TpeRequest {
  domains: readonly NamedDomain[];
  direction: Direction;
  options: TpeOptions;
  seed: number;
  /** The configuration slot being filled (the trial number when repeats is 1). */
  slot: number;
  observations: readonly TpeObservation[];
  /** configKey of every configuration already given out, running trials included. */
  used: ReadonlySet<string>;
}

/** Optuna's default_gamma, or ceil(gamma·n) when a fraction is given; never more than n. */
export function goodSetSize(n: number, gamma?: number): number {
  const size = gamma === undefined ? Math.min(Math.ceil(0.1 * n), 25) : Math.ceil(gamma * n);
  return Math.max(0, Math.min(n, size));
}

function rankKey(o: TpeObservation, sign: number): [number, number, number] {
  const finite = typeof o.value === 'number' && Number.isFinite(o.value);
  if (o.state === 'running') return [0, 0, Infinity];
  if (o.state === 'completed') return finite ? [0, 0, sign * (o.value as number)] : [2, 0, 0];
  if (o.step === undefined) return [2, 0, 0];
  return [1, -o.step, finite ? sign * (o.value as number) : Infinity];
}

/** The good (below) and bad (above) sets, each in trial order. */
export function tpeSplit(
  observations: readonly TpeObservation[],
  direction: Direction,
  options: Pick<TpeOptions, 'gamma' | 'constantLiar'>,
): { below: TpeObservation[]; above: TpeObservation[]; finished: number; nBelow: number } {
  const finished = observations.filter((o) => o.state === 'completed' || o.state === 'stopped');
  const running = options.constantLiar ? observations.filter((o) => o.state === 'running') : [];
  const sign = direction === 'minimize' ? 1 : -1;
  const ranked = [...finished].sort((x, y) => {
    const a = rankKey(x, sign);
    const b = rankKey(y, sign);
    return a[0] - b[0] || a[1] - b[1] || compareLoss(a[2], b[2]) || x.trial - y.trial;
  });
  const nBelow = goodSetSize(finished.length, options.gamma);
  const byTrial = (x: TpeObservation, y: TpeObservation) => x.trial - y.trial;
  return {
    below: ranked.slice(0, nBelow).sort(byTrial),
    above: [...ranked.slice(nBelow), ...running].sort(byTrial),
    finished: finished.length,
    nBelow,
  };
}

function compareLoss(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Where the estimators work: log space for loguniform, index space for choices. */
function toInternal(domain: ParameterDomain, value: ParameterValue): number {
  switch (domain.kind) {
    case 'loguniform':
      return Math.log(value as number);
    case 'choice':
      return domain.values.findIndex((candidate) => candidate === value);
    default:
      return value as number;
  }
}

function fromInternal(domain: ParameterDomain, x: number): ParameterValue {
  switch (domain.kind) {
    case 'loguniform':
      return Math.min(domain.high, Math.max(domain.low, Math.exp(x)));
    case 'choice':
      return domain.values[x] as ParameterValue;
    case 'int':
      return Math.round(x);
    default:
      return x;
  }
}

function numericRange(domain: ParameterDomain): NumericRange {
  if (domain.kind === 'loguniform') return { low: Math.log(domain.low), high: Math.log(domain.high), step: 0 };
  if (domain.kind === 'int') return { low: domain.low, high: domain.high, step: domain.step };
  if (domain.kind === 'uniform') return { low: domain.low, high: domain.high, step: 0 };
  throw new Error(`no numeric range for a ${domain.kind} parameter`);
}

/** One parameter's TPE draw: candidates from l(x), ranked by log l − log g. */
export function tpeParameter(
  domain: ParameterDomain,
  below: readonly ParameterValue[],
  above: readonly ParameterValue[],
  options: Pick<TpeOptions, 'nEiCandidates' | 'priorWeight'>,
  random: () => number,
): { value: ParameterValue; candidates: TpeCandidate[] } {
  if (domain.kind === 'fixed') return { value: domain.value, candidates: [] };
  const internalBelow = below.filter((v) => inDomain(domain, v)).map((v) => toInternal(domain, v));
  const internalAbove = above.filter((v) => inDomain(domain, v)).map((v) => toInternal(domain, v));
  let draws: { x: number; logL: number; logG: number }[];
  if (domain.kind === 'choice') {
    const n = domain.values.length;
    const pl = categoricalProbabilities(internalBelow, observationWeights(internalBelow.length), n, options.priorWeight);
    const pg = categoricalProbabilities(internalAbove, observationWeights(internalAbove.length), n, options.priorWeight);
    draws = Array.from({ length: options.nEiCandidates }, () => {
      const x = sampleCategorical(pl, random);
      return { x, logL: Math.log(pl[x] as number), logG: Math.log(pg[x] as number) };
    });
  } else {
    const range = numericRange(domain);
    const l = numericMixture(internalBelow, observationWeights(internalBelow.length), range, options.priorWeight);
    const g = numericMixture(internalAbove, observationWeights(internalAbove.length), range, options.priorWeight);
    draws = Array.from({ length: options.nEiCandidates }, () => {
      const x = sampleNumeric(l, random);
      return { x, logL: logPdfNumeric(l, x), logG: logPdfNumeric(g, x) };
    });
  }
  const scored = draws.map((d) => ({ value: fromInternal(domain, d.x), score: d.logL - d.logG, logL: d.logL, logG: d.logG }));
  let best = 0;
  scored.forEach((c, i) => {
    if (c.score > (scored[best] as TpeCandidate).score) best = i;
  });
  // Top three distinct values for the record; the winner is the first draw with the best score.
  const order = scored.map((_, i) => i).sort((i, j) => (scored[j] as TpeCandidate).score - (scored[i] as TpeCandidate).score || i - j);
  const candidates: TpeCandidate[] = [];
  for (const i of order) {
    const c = scored[i] as TpeCandidate;
    if (!candidates.some((kept) => kept.value === c.value)) candidates.push(c);
    if (candidates.length === 3) break;
  }
  return { value: (scored[best] as TpeCandidate).value, candidates };
}

/** Trial numbers as inclusive ranges: [0..9, 11..14] → [[0, 9], [11, 14]]. */
export function trialRanges(trials: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(trials)].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const t of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === t - 1) last[1] = t;
    else ranges.push([t, t]);
  }
  return ranges;
}

/** The next configuration for `slot`: random during start-up, TPE after; never one already in `used`. */
export function tpeSuggest(request: TpeRequest): TpeResult {
  const { domains, direction, options, seed, slot, observations, used } = request;
  const split = tpeSplit(observations, direction, options);
  const observed = trialRanges([...split.below, ...split.above].map((o) => o.trial));
  if (split.finished < options.nStartupTrials) {
    const decision: TpeDecision = {
      sampler: 'random',
      reason: `${split.finished} finished trial(s), fewer than nStartupTrials ${options.nStartupTrials}: random start-up`,
      finished: split.finished,
      observed,
    };
    return { ...randomConfig(domains, seed, slot, used), decision };
  }
  let parameters: Record<string, TpeCandidate[]> = {};
  const draw = (attempt: number): TrialConfig => {
    const config: Record<string, ParameterValue> = {};
    parameters = {};
    for (const { name, domain } of domains) {
      const values = (set: readonly TpeObservation[]) => set.filter((o) => name in o.config).map((o) => o.config[name] as ParameterValue);
      const random = seededRandom(mixSeed(seed, 'tpe', slot, attempt, name));
      const drawn = tpeParameter(domain, values(split.below), values(split.above), options, random);
      config[name] = drawn.value;
      if (drawn.candidates.length > 0) parameters[name] = drawn.candidates;
    }
    return config;
  };
  const result = firstUnused(domains, seed, slot, used, draw);
  const decision: TpeDecision = {
    sampler: 'tpe',
    reason: `good set: the best ${split.nBelow} of ${split.finished} finished trials`,
    finished: split.finished,
    observed,
    nBelow: split.nBelow,
    below: split.below.slice(0, 50).map((o) => o.trial),
    aboveCount: split.above.length,
  };
  if (result.ok && result.via === 'draw') decision.parameters = parameters;
  if (result.ok && result.attempts > 0) decision.reason += `; ${result.attempts} earlier draw(s) repeated a configuration`;
  if (result.ok && result.via === 'unused') decision.reason += '; every draw repeated a configuration: picked among the unused ones';
  return { ...result, decision };
}

