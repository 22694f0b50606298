/**
 * The label each item ends with, and how it was reached: the provenance the manifest keeps and training uses.
 * A double-labeled item whose copies agree is `agreed`; a dispute is settled by the adjudication batch's label
 * (`third-annotator`), by a strict majority of the copies (`majority`; a tie is dropped), or dropped (`drop`).
 */
import type { ItemRating, QueueState, Settlement } from './queue.js';

export interface SettledItem {
  item: number;
  /** The label training uses; null when the item is left out. */
  label: string | null;
  settlement: Settlement;
  doubleLabeled: boolean;
  ratings: Array<Pick<ItemRating, 'annotator' | 'label' | 'batch' | 'role'>>;
}

export function settleItems(state: QueueState, adjudicate: 'third-annotator' | 'majority' | 'drop'): SettledItem[] {
  const items = new Map<number, { doubleLabeled: boolean }>();
  for (const batch of state.batches) {
    for (const item of batch.items) {
      const known = items.get(item);
      items.set(item, { doubleLabeled: (known?.doubleLabeled ?? false) || batch.role !== 'single' });
    }
  }
  const byItem = new Map<number, ItemRating[]>();
  for (const rating of state.ratings) byItem.set(rating.item, [...(byItem.get(rating.item) ?? []), rating]);
  return [...items]
    .sort(([a], [b]) => a - b)
    .map(([item, { doubleLabeled }]) => {
      const ratings = byItem.get(item) ?? [];
      const shown = ratings.map(({ annotator, label, batch, role }) => ({ annotator, label, batch, role }));
      const { label, settlement } = settle(ratings, adjudicate);
      return { item, label, settlement, doubleLabeled, ratings: shown };
    });
}

function settle(ratings: readonly ItemRating[], adjudicate: 'third-annotator' | 'majority' | 'drop'): { label: string | null; settlement: Settlement } {
  const copies = ratings.filter((rating) => rating.role !== 'adjudication');
  if (copies.length === 0) return { label: null, settlement: 'unlabelable' };
  if (copies.length === 1) return { label: copies[0]!.label, settlement: 'single' };
  if (copies.every((rating) => rating.label === copies[0]!.label)) return { label: copies[0]!.label, settlement: 'agreed' };
  if (adjudicate === 'third-annotator') {
    const third = ratings.find((rating) => rating.role === 'adjudication');
    return third ? { label: third.label, settlement: 'third-annotator' } : { label: null, settlement: 'unlabelable' };
  }
  if (adjudicate === 'majority') {
    const counts = new Map<string, number>();
    for (const rating of copies) counts.set(rating.label, (counts.get(rating.label) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    if (ranked.length === 1 || ranked[0]![1] > ranked[1]![1]) return { label: ranked[0]![0], settlement: 'majority' };
  }
  return { label: null, settlement: 'dropped' };
}
