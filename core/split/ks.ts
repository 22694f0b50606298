/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(a, b, method='asymp') computes it:
 * D = the largest gap between the two empirical CDFs; p = P(D_n > D) for the one-sample distribution at
 * n = round(m·n / (m + n)) (numpy's round: half to even). Exact p-values need the lattice of both sample sizes
 * and cost O(m·n); the asymptotic one is what a check over many features and thousands of rows can afford.
 */
import { kolmogorovSf } from './kolmogorov.js';

export interface KsResult {
  statistic: number;
  pValue: number;
}

const roundHalfEven = (x: number): number => {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
};

/** Both samples need at least one value; NaN is the caller's to drop. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('ksTwoSample: both samples need values');
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let largest = 0;
  let smallest = 0;
  // Walk the values in order; at each distinct value both CDFs count everything <= it (searchsorted, side right).
  while (i < n1 || j < n2) {
    const value = Math.min(i < n1 ? (x[i] as number) : Infinity, j < n2 ? (y[j] as number) : Infinity);
    while (i < n1 && x[i] === value) i++;
    while (j < n2 && y[j] === value) j++;
    const gap = i / n1 - j / n2;
    largest = Math.max(largest, gap);
    smallest = Math.min(smallest, gap);
  }
  const statistic = Math.max(largest, Math.min(1, Math.max(0, -smallest)));
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const effective = roundHalfEven((m * n) / (m + n));
  // Two single values give n = round(0.5) = 0, where scipy answers NaN: no evidence either way.
  const pValue = effective < 1 ? 1 : kolmogorovSf(effective, statistic);
  return { statistic, pValue };
}
