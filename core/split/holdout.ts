/** Group-aware train/valid/test split: no group in two splits, class mix kept as close as the groups allow. */
import type { SplitManifest } from '../split.js';
import { assignGroups } from './assign.js';
import { groupRows, SplitError } from './groups.js';

export interface HoldoutOptions {
  /** Fractions of the rows; valid may be 0 (k-fold mode holds out only a test split). */
  valid: number;
  test: number;
  seed: number;
  stratify: boolean;
}

const ascending = (a: number, b: number): number => a - b;

export function checkFractions(valid: number, test: number): void {
  for (const [name, value] of [['valid', valid], ['test', test]] as const) {
    if (!(value >= 0 && value < 1)) throw new SplitError(`${name}: must be a fraction in [0, 1) (got ${value})`);
  }
  if (!(valid + test < 1)) throw new SplitError(`valid + test must leave rows for training (got ${valid} + ${test})`);
}

/**
 * Rows by split, each list ascending, keys in the order train, valid, test: JSON.stringify of the result is
 * canonical, so its hash (activities/ingest.ts) names the split by content. Same inputs and seed, same manifest.
 * `groups` null: each row is its own group. Splits come out empty only when there are fewer groups than splits.
 */
export function groupHoldout(labels: readonly string[], groups: readonly string[] | null, options: HoldoutOptions): SplitManifest {
  checkFractions(options.valid, options.test);
  const grouped = groupRows(labels, groups);
  const bins = assignGroups(grouped, [1 - options.valid - options.test, options.valid, options.test], options);
  const manifest: SplitManifest = { train: [], valid: [], test: [] };
  const parts = [manifest.train, manifest.valid, manifest.test];
  grouped.groups.forEach((group, index) => parts[bins[index] as number]?.push(...group.rows));
  for (const part of parts) part.sort(ascending);
  return manifest;
}
