/**
 * Cohen's kappa per pair of annotators over the items both rated, as scikit-learn's `cohen_kappa_score(y1, y2,
 * labels=L, weights=W)` computes it with L = every distinct label in the data, sorted. The weighted kappas put
 * |i - j| (linear) or (i - j)^2 (quadratic) on labels i and j by their rank in L, not by their values, so a pair's
 * kappa depends on labels other annotators used. Unweighted kappa does not depend on L.
 */
import type { RatingTable } from './ratings.js';

export type KappaWeights = 'none' | 'linear' | 'quadratic';

/**
 * Kappa from two annotators' label positions (0..k-1) on the same items; null where scikit-learn returns NaN
 * (the expected disagreement is 0: both annotators used one and the same label).
 */
export function cohenKappa(y1: readonly number[], y2: readonly number[], k: number, weights: KappaWeights): number | null {
  if (y1.length !== y2.length) throw new RangeError('cohenKappa needs two equally long label lists');
  const n = y1.length;
  if (n === 0) return null;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let t = 0; t < n; t++) {
    const row = confusion[y1[t] as number] as number[];
    row[y2[t] as number] = (row[y2[t] as number] as number) + 1;
  }
  // sklearn: expected = outer(column sums, row sums) / n; the weights are symmetric, so the orientation is moot.
  const rowSums = confusion.map((row) => row.reduce((s, x) => s + x, 0));
  const colSums = confusion[0]?.map((_, j) => confusion.reduce((s, row) => s + (row[j] as number), 0)) ?? [];
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = weights === 'none' ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) ** 2;
      observed += w * ((confusion[i] as number[])[j] as number);
      expected += w * (((colSums[i] as number) * (rowSums[j] as number)) / n);
    }
  }
  if (expected === 0) return null;
  return 1 - observed / expected;
}

export interface PairKappa {
  a: string;
  b: string;
  /** Items both annotators rated. */
  n: number;
  kappa: number | null;
  /** Weighted kappas: null at level nominal, where labels have no order. */
  linear: number | null;
  quadratic: number | null;
}

/** Every pair a < b that rated at least one item in common, in order, even when its kappa is undefined. */
export function pairwiseKappas(table: RatingTable): PairKappa[] {
  const k = table.labels.length;
  const rows = table.items.map((item) => table.byItem.get(item) as Map<string, number>);
  const pairs: PairKappa[] = [];
  table.annotators.forEach((a, x) => {
    for (const b of table.annotators.slice(x + 1)) {
      const y1: number[] = [];
      const y2: number[] = [];
      for (const row of rows) {
        const la = row.get(a);
        const lb = row.get(b);
        if (la !== undefined && lb !== undefined) {
          y1.push(la);
          y2.push(lb);
        }
      }
      if (y1.length === 0) continue;
      const ordered = table.level !== 'nominal';
      pairs.push({
        a,
        b,
        n: y1.length,
        kappa: cohenKappa(y1, y2, k, 'none'),
        linear: ordered ? cohenKappa(y1, y2, k, 'linear') : null,
        quadratic: ordered ? cohenKappa(y1, y2, k, 'quadratic') : null,
      });
    }
  });
  return pairs;
}
