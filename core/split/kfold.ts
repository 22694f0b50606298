/** Group-aware stratified k-fold assignment, and the manifests of k-fold mode (a held-out test split, then folds). */
import { assignGroups } from './assign.js';
import { groupRows, SplitError } from './groups.js';
import { checkFractions, groupHoldout } from './holdout.js';

export interface KFoldOptions {
  folds: number;
  seed: number;
  stratify: boolean;
}

export interface KFoldManifests {
  /** Held out before folding; every fold is evaluated on the same test rows. */
  test: number[];
  /** Fold i validates on its own rows and trains on the other folds' (the test rows in neither). */
  folds: Array<{ train: number[]; valid: number[] }>;
}

/** The 0-based fold of each row. Needs 2 <= folds <= the number of groups (each fold gets at least one group). */
export function groupKFold(labels: readonly string[], groups: readonly string[] | null, options: KFoldOptions): number[] {
  const grouped = groupRows(labels, groups);
  if (!Number.isInteger(options.folds) || options.folds < 2) throw new SplitError(`folds: must be a whole number >= 2 (got ${options.folds})`);
  if (options.folds > grouped.groups.length) {
    throw new SplitError(`folds: ${options.folds} folds need at least ${options.folds} groups (there are ${grouped.groups.length})`);
  }
  const bins = assignGroups(grouped, new Array<number>(options.folds).fill(1 / options.folds), options);
  const fold = new Array<number>(labels.length).fill(-1);
  grouped.groups.forEach((group, index) => {
    for (const row of group.rows) fold[row] = bins[index] as number;
  });
  return fold;
}

/**
 * K-fold mode: holds out `test` of the rows (whole groups, stratified) with groupHoldout, then folds the rest.
 * test 0: no test split, every row is folded.
 */
export function kfoldManifests(
  labels: readonly string[],
  groups: readonly string[] | null,
  options: KFoldOptions & { test: number },
): KFoldManifests {
  checkFractions(0, options.test);
  const rest =
    options.test > 0
      ? groupHoldout(labels, groups, { valid: 0, test: options.test, seed: options.seed, stratify: options.stratify })
      : { train: labels.map((_, row) => row), test: [] as number[] };
  const pick = <T>(values: readonly T[]): T[] => rest.train.map((row) => values[row] as T);
  const fold = groupKFold(pick(labels), groups === null ? null : pick(groups), options);
  const folds = Array.from({ length: options.folds }, (_, i) => ({
    train: rest.train.filter((_, at) => fold[at] !== i),
    valid: rest.train.filter((_, at) => fold[at] === i),
  }));
  return { test: rest.test, folds };
}
