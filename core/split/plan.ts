/**
 * The split manifests a run uses, from the spec's `data.split`: holdout (train / valid / test, group-aware when a
 * group column is given) or k-fold (a held-out test split, then one manifest per fold: the other folds train, this
 * one validates). In k-fold mode the main manifest trains on every non-test row (valid empty): the final model's.
 */
import { splitRows, type SplitManifest } from '../split.js';
import { groupHoldout } from './holdout.js';
import { kfoldManifests } from './kfold.js';

export interface SplitPlanOptions {
  kind: 'holdout' | 'kfold';
  valid: number;
  test: number;
  folds: number;
  seed: number;
  stratify: boolean;
}

export interface SplitPlan {
  main: SplitManifest;
  folds: SplitManifest[] | null;
}

export function planSplits(labels: readonly string[], groups: readonly string[] | null, options: SplitPlanOptions): SplitPlan {
  const { seed, stratify } = options;
  if (options.kind === 'kfold') {
    const manifests = kfoldManifests(labels, groups, { folds: options.folds, test: options.test, seed, stratify });
    const ascending = (a: number, b: number) => a - b;
    const nonTest = manifests.folds.flatMap((fold) => fold.valid).sort(ascending);
    return {
      main: { train: nonTest, valid: [], test: manifests.test },
      folds: manifests.folds.map((fold) => ({ train: [...fold.train].sort(ascending), valid: [...fold.valid].sort(ascending), test: manifests.test })),
    };
  }
  // Without groups the long-standing stratified split: runs of earlier versions keep their exact manifests.
  const main = groups ? groupHoldout(labels, groups, { valid: options.valid, test: options.test, seed, stratify }) : splitRows(labels, { valid: options.valid, test: options.test, seed, stratify });
  return { main, folds: null };
}
