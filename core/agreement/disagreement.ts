/**
 * Which labels get confused with which: matrix[i][j] counts ordered pairs of ratings of one item by different
 * annotators with labels i and j. Both orders count, so it is symmetric; the diagonal counts agreeing pairs.
 */
import { labelCounts, pairableItems, type RatingTable } from './ratings.js';

export interface DisagreementMatrix {
  labels: string[];
  matrix: number[][];
}

export function disagreementMatrix(table: RatingTable): DisagreementMatrix {
  const k = table.labels.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const item of pairableItems(table)) {
    const { counts } = labelCounts(table, item);
    for (let i = 0; i < k; i++) {
      const ci = counts[i] as number;
      if (ci === 0) continue;
      const row = matrix[i] as number[];
      for (let j = 0; j < k; j++) row[j] = (row[j] as number) + ci * (i === j ? ci - 1 : (counts[j] as number));
    }
  }
  return { labels: [...table.labels], matrix };
}
