/**
 * Cross-fitting for the hand-off: the train rows go into K folds (whole groups, stratified, seeded: core/split's
 * groupKFold), fold model k trains on the other folds and predicts fold k, so every train row gets a prediction from
 * a model that never saw it. `verifyOutOfFold` checks that this is what happened before stage 2 trains on them.
 */
import type { SplitManifest } from '../split.js';
import { groupKFold } from '../split/kfold.js';

export interface FoldAssignment {
  folds: number;
  seed: number;
  /** Data-set row indices of the train split, ascending. */
  rows: number[];
  /** fold[i] is the 0-based fold of rows[i]. */
  fold: number[];
}

export interface CrossFitOptions {
  folds: number;
  seed: number;
  /** Keep each fold's class mix close to the train split's (default true). */
  stratify?: boolean;
}

/**
 * `labels` and `groups` are per data-set row (the upstream model's label column, the split's group column or null).
 * Throws core/split's SplitError when there are fewer groups than folds.
 */
export function assignFolds(
  trainRows: readonly number[],
  labels: readonly string[],
  groups: readonly string[] | null,
  options: CrossFitOptions,
): FoldAssignment {
  const rows = [...new Set(trainRows)].sort((a, b) => a - b);
  if (rows.length !== trainRows.length) throw new RangeError('train rows: a row is listed twice');
  for (const row of rows) {
    if (!Number.isInteger(row) || row < 0 || row >= labels.length) throw new RangeError(`train rows: ${row} is not a row of the ${labels.length}-row data set`);
  }
  const pick = (values: readonly string[]): string[] => rows.map((row) => values[row] as string);
  const fold = groupKFold(pick(labels), groups === null ? null : pick(groups), { folds: options.folds, seed: options.seed, stratify: options.stratify ?? true });
  return { folds: options.folds, seed: options.seed, rows, fold };
}

/** The split manifest of fold model k: it trains on the other folds, and its `valid` split is fold k (what it predicts). */
export function foldManifests(assignment: FoldAssignment): SplitManifest[] {
  return Array.from({ length: assignment.folds }, (_, k) => ({
    train: assignment.rows.filter((_, i) => assignment.fold[i] !== k),
    valid: assignment.rows.filter((_, i) => assignment.fold[i] === k),
    test: [],
  }));
}

/** One out-of-fold prediction as recorded: the data-set row and the fold model (0-based) that predicted it. */
export interface FoldPrediction {
  row: number;
  fold: number;
}

export type OofViolationKind = 'seen' | 'missing' | 'duplicate' | 'notTrain' | 'unknownFold';

export interface OofViolation {
  kind: OofViolationKind;
  row: number;
  /** The fold model that made the offending prediction (absent for `missing`). */
  fold?: number;
  message: string;
}

/**
 * Everything that would make stage 2's training inputs not out-of-fold: a row predicted by a fold model that trained
 * on it (`seen`), a train row with no prediction (`missing`), a row predicted more than once (`duplicate`, each
 * prediction after the first), a prediction for a row outside the train split (`notTrain`) or by a fold model that
 * does not exist (`unknownFold`). Empty means the hand-off is clean.
 */
export function verifyOutOfFold(assignment: FoldAssignment, predictions: readonly FoldPrediction[]): OofViolation[] {
  const foldOf = new Map(assignment.rows.map((row, i) => [row, assignment.fold[i] as number]));
  const predicted = new Map<number, number>();
  const violations: OofViolation[] = [];
  for (const { row, fold } of predictions) {
    const first = predicted.get(row);
    if (first !== undefined) {
      violations.push({ kind: 'duplicate', row, fold, message: `row ${row}: predicted by fold ${fold} after fold ${first} already did` });
      continue;
    }
    predicted.set(row, fold);
    const own = foldOf.get(row);
    if (!Number.isInteger(fold) || fold < 0 || fold >= assignment.folds) {
      violations.push({ kind: 'unknownFold', row, fold, message: `row ${row}: predicted by fold ${fold}, but there are folds 0..${assignment.folds - 1}` });
    } else if (own === undefined) {
      violations.push({ kind: 'notTrain', row, fold, message: `row ${row}: predicted by fold ${fold}, but it is not a train row` });
    } else if (own !== fold) {
      violations.push({ kind: 'seen', row, fold, message: `row ${row}: predicted by fold ${fold}, which trained on it (the row is in fold ${own})` });
    }
  }
  for (const row of assignment.rows) {
    if (!predicted.has(row)) violations.push({ kind: 'missing', row, message: `row ${row}: a train row with no out-of-fold prediction (fold ${foldOf.get(row)})` });
  }
  return violations;
}
