/**
 * The metrics that need predicted probabilities. Log loss as scikit-learn's `log_loss(labels=classes)`: each row's
 * probability of its true class clipped to [ε, 1 − ε] (ε = 2^-52, float64's machine epsilon), −ln of it, averaged;
 * rows are not renormalized. AUC for two classes as `roc_auc_score`: the positive class is classes[1], the score
 * its probability, ties count one half (the trapezoid under the ROC curve is the Mann-Whitney statistic).
 */
import { EvalInputError } from './errors.js';

const EPS = 2 ** -52;
/** Rows must sum to 1 within this: loose enough for probabilities written with a few decimals. */
const SUM_TOLERANCE = 0.01;

/** Checks the probability table: one row per label, one column per class, numbers in [0, 1] summing to about 1. */
export function checkProbabilities(probabilities: readonly (readonly number[])[], n: number, k: number): void {
  if (probabilities.length !== n) throw new EvalInputError(`probabilities: ${probabilities.length} rows for ${n} labels`);
  probabilities.forEach((row, i) => {
    if (row.length !== k) throw new EvalInputError(`row ${i}: ${row.length} probabilities for ${k} classes`, i);
    let sum = 0;
    for (const p of row) {
      if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw new EvalInputError(`row ${i}: probability ${String(p)} is not in [0, 1]`, i);
      sum += p;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) throw new EvalInputError(`row ${i}: probabilities sum to ${sum}, not 1`, i);
  });
}

/** −ln p(true class) per row, clipped like sklearn. */
export function rowLogLosses(truth: Int32Array, probabilities: readonly (readonly number[])[]): Float64Array {
  const out = new Float64Array(truth.length);
  for (let i = 0; i < truth.length; i++) {
    const p = (probabilities[i] as readonly number[])[truth[i] as number] as number;
    out[i] = -Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
  }
  return out;
}

/** Σ w·x / Σ w; null when the weights sum to 0. */
export function weightedMean(values: ArrayLike<number>, weights?: ArrayLike<number>): number | null {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    sum += w * (values[i] as number);
    total += w;
  }
  return total === 0 ? null : sum / total;
}

/** Rows sorted by score once, so each bootstrap resample's AUC is one linear pass. */
export interface AucRanking {
  /** Row indices by ascending score. */
  order: Uint32Array;
  /** groupEnd[j]: one past the last position in `order` whose score equals that at j. */
  groupEnd: Uint32Array;
  positive: Uint8Array;
}

export function aucRanking(scores: ArrayLike<number>, positive: ArrayLike<boolean>): AucRanking {
  const n = scores.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const groupEnd = new Uint32Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const next = j + 1 < n && scores[order[j + 1] as number] === scores[order[j] as number];
    groupEnd[j] = next ? (groupEnd[j + 1] as number) : j + 1;
  }
  return { order, groupEnd, positive: Uint8Array.from({ length: n }, (_, i) => (positive[i] ? 1 : 0)) };
}

/** P(score of a positive > score of a negative) + ½ P(tie), rows weighted; null without both classes. */
export function weightedAuc(ranking: AucRanking, weights?: ArrayLike<number>): number | null {
  const { order, groupEnd, positive } = ranking;
  let negativesBelow = 0;
  let area = 0;
  let positives = 0;
  for (let j = 0; j < order.length; ) {
    const end = groupEnd[j] as number;
    let pos = 0;
    let neg = 0;
    for (; j < end; j++) {
      const row = order[j] as number;
      const w = weights ? (weights[row] as number) : 1;
      if (positive[row]) pos += w;
      else neg += w;
    }
    area += pos * (negativesBelow + neg / 2);
    negativesBelow += neg;
    positives += pos;
  }
  if (positives === 0 || negativesBelow === 0) return null;
  return area / (positives * negativesBelow);
}
