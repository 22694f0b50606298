/**
 * Pearson's chi-square test of homogeneity for two samples of class labels (a 2 × K table), without Yates'
 * continuity correction (scipy.stats.chi2_contingency(table, correction=False)). Classes seen in neither sample are
 * left out; with fewer than two classes there is nothing to compare (statistic 0, df 0, p 1).
 */
import { chiSquareSf } from './gamma.js';

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

export function chiSquareHomogeneity(countsA: readonly number[], countsB: readonly number[]): ChiSquareResult {
  if (countsA.length !== countsB.length) throw new RangeError('chiSquareHomogeneity: the two count vectors differ in length');
  const columns = countsA.map((a, k) => [a, countsB[k] ?? 0] as const).filter(([a, b]) => a + b > 0);
  const totalA = columns.reduce((sum, [a]) => sum + a, 0);
  const totalB = columns.reduce((sum, [, b]) => sum + b, 0);
  const total = totalA + totalB;
  if (columns.length < 2 || totalA === 0 || totalB === 0) return { statistic: 0, df: 0, pValue: 1 };
  let statistic = 0;
  for (const [a, b] of columns) {
    const expectedA = (totalA * (a + b)) / total;
    const expectedB = (totalB * (a + b)) / total;
    statistic += (a - expectedA) ** 2 / expectedA + (b - expectedB) ** 2 / expectedB;
  }
  const df = columns.length - 1;
  return { statistic, df, pValue: chiSquareSf(statistic, df) };
}
