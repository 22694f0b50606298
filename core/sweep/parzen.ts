/**
 * Optuna's univariate Parzen estimators (optuna/samplers/_tpe/parzen_estimator.py, consider_prior=True,
 * consider_magic_clip=True, consider_endpoints=False, multivariate=False):
 *
 * - numeric (uniform; loguniform in log space; int with its step): one truncated Gaussian per observation, centred on
 *   it, with σ = the larger gap to its sorted neighbours (the prior's mean and the domain ends included; the first and
 *   last use their inner gap), clipped to [range / min(100, n + 2), range]; plus a prior kernel N(mid, range). Ints
 *   are discrete: a kernel's probability of v is its mass over [v − step/2, v + step/2] within [low − step/2,
 *   high + step/2].
 * - categorical: kernel i puts priorWeight/(n + 1) on every choice plus 1 on its observed choice, normalised; the
 *   prior kernel is uniform. The mixture of these is a smoothed, weighted count.
 *
 * Mixture weights are the observation weights (see `observationWeights`) followed by priorWeight, normalised.
 */
import { logGaussMass, logNormalPdf, normalCdf, normalQuantile } from './gaussian.js';

/**
 * Optuna's `default_weights`: equal weights below 25 observations; beyond, the oldest n − 25 (in trial order) ramp
 * linearly from 1/n up to 1 and the newest 25 weigh 1.
 */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const start = 1 / n;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? start : start + ((1 - start) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

function mixtureWeights(weights: readonly number[], priorWeight: number): number[] {
  const all = weights.length === 0 ? [1] : [...weights, priorWeight];
  const total = all.reduce((sum, w) => sum + w, 0);
  return all.map((w) => w / total);
}

/** Numeric domain in the estimator's space (log space for loguniform); `step` 0 for continuous. */
export interface NumericRange {
  low: number;
  high: number;
  step: number;
}

export interface NumericMixture extends NumericRange {
  weights: number[];
  mus: number[];
  sigmas: number[];
  /** log of each kernel's mass inside [low − step/2, high + step/2]: its truncation normaliser. */
  logMasses: number[];
}

export function numericMixture(observations: readonly number[], weights: readonly number[], range: NumericRange, priorWeight: number): NumericMixture {
  const { low, high, step } = range;
  const width = high - low + step;
  const priorMu = 0.5 * (low + high);
  const withPrior = [...observations, priorMu];
  // Stable order: equal observations keep their trial order, so the result does not depend on a sort's whims.
  const order = withPrior.map((_, i) => i).sort((i, j) => (withPrior[i] as number) - (withPrior[j] as number) || i - j);
  const sorted = [low - step / 2, ...order.map((i) => withPrior[i] as number), high + step / 2];
  const m = withPrior.length;
  const sortedSigmas = order.map((_, k) => Math.max((sorted[k + 1] as number) - (sorted[k] as number), (sorted[k + 2] as number) - (sorted[k + 1] as number)));
  if (m >= 2) {
    sortedSigmas[0] = (sorted[2] as number) - (sorted[1] as number);
    sortedSigmas[m - 1] = (sorted[m] as number) - (sorted[m - 1] as number);
  }
  const sigmas = new Array<number>(m);
  order.forEach((original, k) => (sigmas[original] = sortedSigmas[k] as number));
  const minSigma = width / Math.min(100, observations.length + 2);
  const clipped = sigmas.slice(0, observations.length).map((s) => Math.min(width, Math.max(minSigma, s)));
  const mus = [...observations, priorMu];
  const allSigmas = [...clipped, width];
  const logMasses = mus.map((mu, k) => logGaussMass((low - step / 2 - mu) / (allSigmas[k] as number), (high + step / 2 - mu) / (allSigmas[k] as number)));
  return { low, high, step, weights: mixtureWeights(weights, priorWeight), mus, sigmas: allSigmas, logMasses };
}

function pickIndex(probabilities: readonly number[], u: number): number {
  let cumulative = 0;
  for (let i = 0; i < probabilities.length; i++) {
    cumulative += probabilities[i] as number;
    if (u < cumulative) return i;
  }
  return probabilities.length - 1;
}

/** One draw: a kernel by weight, then its truncated Gaussian by inverse CDF; ints are rounded onto the step grid. */
export function sampleNumeric(mixture: NumericMixture, random: () => number): number {
  const k = pickIndex(mixture.weights, random());
  const mu = mixture.mus[k] as number;
  const sigma = mixture.sigmas[k] as number;
  const lower = mixture.low - mixture.step / 2;
  const upper = mixture.high + mixture.step / 2;
  const pa = normalCdf((lower - mu) / sigma);
  const pb = normalCdf((upper - mu) / sigma);
  const x = Math.min(upper, Math.max(lower, mu + sigma * normalQuantile(pa + random() * (pb - pa))));
  if (mixture.step === 0) return x;
  const snapped = mixture.low + Math.round((x - mixture.low) / mixture.step) * mixture.step;
  return Math.min(mixture.high, Math.max(mixture.low, snapped));
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** log density (continuous) or log probability (int) of `x` under the mixture. */
export function logPdfNumeric(mixture: NumericMixture, x: number): number {
  const { step } = mixture;
  const terms = mixture.mus.map((mu, k) => {
    const sigma = mixture.sigmas[k] as number;
    const logNormaliser = mixture.logMasses[k] as number;
    const logKernel =
      step === 0
        ? logNormalPdf((x - mu) / sigma) - Math.log(sigma)
        : logGaussMass((x - step / 2 - mu) / sigma, (x + step / 2 - mu) / sigma);
    return Math.log(mixture.weights[k] as number) + logKernel - logNormaliser;
  });
  return logSumExp(terms);
}

/** The categorical mixture collapsed into one probability per choice. */
export function categoricalProbabilities(observed: readonly number[], weights: readonly number[], nChoices: number, priorWeight: number): number[] {
  const mixture = mixtureWeights(weights, priorWeight);
  const probabilities = new Array<number>(nChoices).fill(0);
  const n = observed.length;
  const fill = priorWeight / (n + 1);
  const rowTotal = fill * nChoices + 1;
  observed.forEach((choice, i) => {
    const w = mixture[i] as number;
    for (let c = 0; c < nChoices; c++) probabilities[c] = (probabilities[c] as number) + (w * (fill + (c === choice ? 1 : 0))) / rowTotal;
  });
  const priorShare = mixture[mixture.length - 1] as number;
  for (let c = 0; c < nChoices; c++) probabilities[c] = (probabilities[c] as number) + priorShare / nChoices;
  return probabilities;
}

export function sampleCategorical(probabilities: readonly number[], random: () => number): number {
  return pickIndex(probabilities, random());
}
