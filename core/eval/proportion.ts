/**
 * Confidence intervals for a proportion (accuracy, per-class recall and precision), exactly as statsmodels'
 * `proportion_confint(correct, total, alpha = 1 - confidence, method)` computes them:
 *   wilson: the score interval, clipped to [0, 1] against rounding;
 *   clopper-pearson (statsmodels "beta"): Beta(α/2; k, n−k+1) to Beta(1−α/2; k+1, n−k) quantiles, with the low end
 *   0 at k = 0 and the high end 1 at k = n (each end keeps α/2, so the coverage there is 1 − α/2).
 */
import { normalQuantile } from '../split/normal.js';
import { betaQuantile } from './beta.js';
import { checkConfidence, type Interval, type ProportionMethod } from './interval.js';

export interface ProportionOptions {
  method: ProportionMethod;
  confidence: number;
}

export function proportionInterval(correct: number, total: number, options: ProportionOptions): Interval {
  const { method, confidence } = options;
  if (!(Number.isInteger(total) && total >= 1)) throw new RangeError(`total must be a whole number >= 1 (got ${total})`);
  if (!(Number.isInteger(correct) && correct >= 0 && correct <= total)) throw new RangeError(`correct must be a whole number from 0 to total ${total} (got ${correct})`);
  checkConfidence(confidence);
  const estimate = correct / total;
  // Same floating-point steps as statsmodels: alpha = 1 - confidence, then alpha / 2.
  const tail = (1 - confidence) / 2;
  if (method === 'wilson') {
    const z = -normalQuantile(tail);
    const z2 = z * z;
    const denominator = 1 + z2 / total;
    const center = (estimate + z2 / (2 * total)) / denominator;
    const half = (z * Math.sqrt((estimate * (1 - estimate)) / total + z2 / (4 * total * total))) / denominator;
    return { estimate, low: clip(center - half), high: clip(center + half), method };
  }
  const low = correct === 0 ? 0 : betaQuantile(tail, correct, total - correct + 1);
  // The upper quantile as 1 minus a lower one of the mirrored beta: the tail keeps its digits.
  const high = correct === total ? 1 : 1 - betaQuantile(tail, total - correct, correct + 1);
  return { estimate, low, high, method };
}

function clip(x: number): number {
  return Math.min(1, Math.max(0, x));
}
