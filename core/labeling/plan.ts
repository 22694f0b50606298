/**
 * Cuts the items to label into batches. Items picked for double labeling go into batches that exist twice (two
 * copies, labeled by two different annotators); the rest into single batches. Copies come first, so agreement is
 * known early. Seeded: the same spec and items give the same batches, on every replay.
 */
import { seededRandom, shuffled } from '../random.js';

export type BatchRole = 'single' | 'copy' | 'adjudication';

export interface PlannedBatch {
  id: number;
  items: number[];
  role: BatchRole;
  /** Batches with the same items share a group: the copies of a double-labeled batch and their adjudication. */
  group: number | null;
}

export interface PlanOptions {
  batchSize: number;
  overlap: { fraction: number; min: number };
  seed: number;
}

/** How many items are double-labeled: the fraction, at least `min`, never more than there are. */
export function overlapCount(items: number, overlap: PlanOptions['overlap']): number {
  return Math.min(items, Math.max(overlap.min, Math.round(overlap.fraction * items)));
}

export function planBatches(items: readonly number[], options: PlanOptions): PlannedBatch[] {
  const picked = new Set(shuffled(items, seededRandom(options.seed)).slice(0, overlapCount(items.length, options.overlap)));
  const doubled = items.filter((item) => picked.has(item));
  const single = items.filter((item) => !picked.has(item));
  const batches: PlannedBatch[] = [];
  let group = 0;
  for (const chunk of chunks(doubled, options.batchSize)) {
    batches.push({ id: batches.length + 1, items: chunk, role: 'copy', group }, { id: batches.length + 2, items: chunk, role: 'copy', group });
    group += 1;
  }
  for (const chunk of chunks(single, options.batchSize)) batches.push({ id: batches.length + 1, items: chunk, role: 'single', group: null });
  return batches;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
