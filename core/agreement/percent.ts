/** Raw agreement: per item, the share of ordered pairs of its ratings (different annotators) that agree. */
import { compareText, labelCounts, pairableItems, type RatingTable } from './ratings.js';

/** Agreeing ordered pairs / all ordered pairs, from an item's label counts; m >= 2 ratings. */
export function itemAgreement(counts: readonly number[], m: number): number {
  let agreeing = 0;
  for (const c of counts) agreeing += c * (c - 1);
  return agreeing / (m * (m - 1));
}

/** The mean item agreement over items with at least 2 ratings; null when there are none. */
export function percentAgreement(table: RatingTable): number | null {
  const items = pairableItems(table);
  if (items.length === 0) return null;
  let sum = 0;
  for (const item of items) {
    const { counts, m } = labelCounts(table, item);
    sum += itemAgreement(counts, m);
  }
  return sum / items.length;
}

export interface DisputedItem {
  item: string;
  /** annotator -> label, annotators in sorted order. */
  ratings: Record<string, string>;
  /** The item's share of agreeing rating pairs. */
  agreement: number;
}

/**
 * The items annotators agree on least, least first, ties by item id; items everyone agrees on are not disputed
 * and are left out, so the list can be shorter than `limit`.
 */
export function mostDisputed(table: RatingTable, limit = 10): DisputedItem[] {
  const scored = pairableItems(table).map((item) => {
    const { counts, m } = labelCounts(table, item);
    return { item, agreement: itemAgreement(counts, m) };
  });
  return scored
    .filter((s) => s.agreement < 1)
    .sort((x, y) => x.agreement - y.agreement || compareText(x.item, y.item))
    .slice(0, limit)
    .map(({ item, agreement }) => {
      const row = table.byItem.get(item) ?? new Map<string, number>();
      const entries = [...row.entries()].sort(([a], [b]) => compareText(a, b));
      // fromEntries makes own properties, so an annotator called `__proto__` stays data.
      return { item, ratings: Object.fromEntries(entries.map(([a, label]) => [a, table.labels[label] as string])), agreement };
    });
}
