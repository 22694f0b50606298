/**
 * Krippendorff's alpha as the `krippendorff` package (0.9) computes it from a reliability matrix with missing
 * ratings: alpha = 1 - sum(o * d) / sum(e * d), over pairable values only (items with at least 2 ratings).
 *   o[c][k] = sum over items u of (n_uc n_uk - [c = k] n_uc) / (m_u - 1)   (coincidences)
 *   n_c = sum_k o[c][k], n = sum_c n_c;  e[c][k] = (n_c n_k - [c = k] n_c) / (n - 1)
 *   d: nominal [c != k]; interval (v_c - v_k)^2; ordinal (sum_{g = c..k} n_g - (n_c + n_k) / 2)^2 over the sorted
 *   labels. A label used only in unpaired ratings has n_g = 0, so the ordinal distance does not depend on
 *   whether the domain lists it.
 * Null where the package raises (fewer than 2 distinct labels, nothing pairable) or returns NaN (no expected
 * disagreement: only one label among the pairable values).
 */
import { labelCounts, pairableItems, type RatingTable } from './ratings.js';

function distances(table: RatingTable, totals: readonly number[]): number[][] {
  const k = table.labels.length;
  const prefix = [0];
  for (const t of totals) prefix.push((prefix[prefix.length - 1] as number) + t);
  return Array.from({ length: k }, (_, c) =>
    Array.from({ length: k }, (_, g) => {
      if (table.level === 'nominal') return c === g ? 0 : 1;
      if (table.level === 'interval') return ((table.values[c] as number) - (table.values[g] as number)) ** 2;
      const lo = Math.min(c, g);
      const hi = Math.max(c, g);
      const between = (prefix[hi + 1] as number) - (prefix[lo] as number);
      return (between - ((totals[lo] as number) + (totals[hi] as number)) / 2) ** 2;
    }),
  );
}

export function krippendorffAlpha(table: RatingTable): number | null {
  const k = table.labels.length;
  const items = pairableItems(table);
  if (k < 2 || items.length === 0) return null;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const item of items) {
    const { counts, m } = labelCounts(table, item);
    for (let c = 0; c < k; c++) {
      const nc = counts[c] as number;
      if (nc === 0) continue;
      const row = o[c] as number[];
      for (let g = 0; g < k; g++) row[g] = (row[g] as number) + (nc * (counts[g] as number) - (c === g ? nc : 0)) / (m - 1);
    }
  }
  const totals = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = totals.reduce((s, x) => s + x, 0);
  const d = distances(table, totals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    for (let g = 0; g < k; g++) {
      const dist = (d[c] as number[])[g] as number;
      observed += ((o[c] as number[])[g] as number) * dist;
      expected += (((totals[c] as number) * (totals[g] as number) - (c === g ? (totals[c] as number) : 0)) / (n - 1)) * dist;
    }
  }
  if (expected === 0) return null;
  return 1 - observed / expected;
}
