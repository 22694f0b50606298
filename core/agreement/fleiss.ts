/**
 * Fleiss' kappa as statsmodels' `fleiss_kappa(aggregate_raters(data)[0], method='fleiss')` computes it. It needs
 * every item rated the same number of times (not necessarily by the same annotators); otherwise it is null.
 */
import { labelCounts, type RatingTable } from './ratings.js';

export function fleissKappa(table: RatingTable): number | null {
  const rows = table.items.map((item) => labelCounts(table, item));
  const m = rows[0]?.m ?? 0;
  if (m < 2 || rows.some((row) => row.m !== m)) return null;
  const k = table.labels.length;
  const total = rows.length * m;
  const categoryTotals = new Array<number>(k).fill(0);
  let pMeanSum = 0;
  for (const { counts } of rows) {
    let squares = 0;
    counts.forEach((c, j) => {
      categoryTotals[j] = (categoryTotals[j] as number) + c;
      squares += c * c;
    });
    pMeanSum += (squares - m) / (m * (m - 1));
  }
  const pMean = pMeanSum / rows.length;
  let pExpected = 0;
  for (const t of categoryTotals) pExpected += (t / total) * (t / total);
  // One label used throughout: chance agreement is 1 and kappa is 0/0 (statsmodels: NaN).
  if (pExpected === 1) return null;
  return (pMean - pExpected) / (1 - pExpected);
}
