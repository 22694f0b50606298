/**
 * McNemar's test for two models scored on the same rows, from the discordant pairs only: b rows model A got right
 * and B got wrong, c the reverse. As statsmodels' `mcnemar([[·, b], [c, ·]], exact, correction=True)`:
 *   exact: statistic min(b, c), p = min(1, 2·P(X <= min(b, c))) for X ~ Binomial(b + c, ½); b = c = 0 gives p 1;
 *   chi-square: statistic (|b − c| − 1)² / (b + c) (continuity-corrected, not clamped: b = c gives 1 / (b + c)),
 *   p from chi-square with 1 degree of freedom.
 * By default exact when b + c < 25, where the chi-square approximation is poor.
 */
import { chiSquareSf } from '../split/gamma.js';
import { binomialCdf } from './binomial.js';
import { EvalInputError } from './errors.js';

export const MCNEMAR_EXACT_BELOW = 25;

export interface McNemar {
  statistic: number;
  pValue: number;
  exact: boolean;
}

export function mcnemar(b: number, c: number, options: { exact?: boolean } = {}): McNemar {
  for (const [name, value] of [['b', b], ['c', c]] as const) {
    if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`mcnemar: ${name} must be a whole number >= 0 (got ${value})`);
  }
  const n = b + c;
  const exact = options.exact ?? n < MCNEMAR_EXACT_BELOW;
  if (exact) {
    const statistic = Math.min(b, c);
    return { statistic, pValue: Math.min(1, 2 * halfBinomialCdf(statistic, n)), exact };
  }
  if (n === 0) throw new RangeError('mcnemar: the chi-square form needs at least one discordant pair (b + c > 0)');
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { statistic, pValue: chiSquareSf(statistic, 1), exact };
}

/**
 * P(X <= k) for X ~ Binomial(n, ½) as a sum of binomial coefficients over 2^n: exact below n = 57 (every
 * coefficient is an exact double there), so b = 4, c = 5 gives p exactly 1; the incomplete beta past n = 1000.
 */
function halfBinomialCdf(k: number, n: number): number {
  if (n > 1000) return binomialCdf(k, n, 0.5);
  let coefficient = 1;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += coefficient;
    coefficient = (coefficient * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

export interface Discordance {
  n: number;
  correctA: number;
  correctB: number;
  /** A right, B wrong. */
  b: number;
  /** B right, A wrong. */
  c: number;
}

/** Counts agreement with the labels row by row; a prediction is right when it equals the label as a string. */
export function discordantPairs(labels: readonly string[], predictionsA: readonly string[], predictionsB: readonly string[]): Discordance {
  if (predictionsA.length !== labels.length || predictionsB.length !== labels.length) {
    throw new EvalInputError(`labels and predictions differ in length (${labels.length}, ${predictionsA.length}, ${predictionsB.length})`);
  }
  let correctA = 0;
  let correctB = 0;
  let b = 0;
  let c = 0;
  labels.forEach((label, i) => {
    const rightA = predictionsA[i] === label;
    const rightB = predictionsB[i] === label;
    if (rightA) correctA++;
    if (rightB) correctB++;
    if (rightA && !rightB) b++;
    if (rightB && !rightA) c++;
  });
  return { n: labels.length, correctA, correctB, b, c };
}
