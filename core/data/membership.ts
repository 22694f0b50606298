/**
 * Which split each row is in. The checks take the split as row indices (a SplitManifest from core/split.ts fits), or
 * null when there is no split yet (the standalone `gauntlet data check`): then every row is in the one split `all`.
 */

export interface SplitAssignment {
  train: readonly number[];
  valid: readonly number[];
  test: readonly number[];
}

export type SplitName = 'train' | 'valid' | 'test' | 'all';

/** The split of each row; null for a row the assignment leaves out (it is in no split, so nothing can leak through it). */
export function rowSplits(rows: number, split: SplitAssignment | null): (SplitName | null)[] {
  if (split === null) return new Array<SplitName | null>(rows).fill('all');
  const out = new Array<SplitName | null>(rows).fill(null);
  for (const name of ['train', 'valid', 'test'] as const) {
    for (const row of split[name]) {
      // The first split wins if a broken assignment lists a row twice; the split check is the one to catch that.
      if (row >= 0 && row < rows && out[row] === null) out[row] = name;
    }
  }
  return out;
}
