/** Binomial tail probabilities through the incomplete beta function (as scipy.stats.binom.cdf does). */
import { regularizedBeta } from './beta.js';

/** P(X <= k) for X ~ Binomial(n, p); k is floored, n a whole number >= 0. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`binomialCdf: n must be a whole number >= 0 (got ${n})`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialCdf: p must be in [0, 1] (got ${p})`);
  const j = Math.floor(k);
  if (j < 0) return 0;
  if (j >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  // P(X <= j) = I_{1-p}(n - j, j + 1).
  return regularizedBeta(1 - p, n - j, j + 1);
}
