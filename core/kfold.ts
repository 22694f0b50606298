/** Cross-validation arithmetic: each metric's mean ± sd over folds, every fold's value, and the best fold. */
export interface FoldSummary {
  /** `cv_<metric>_mean`, `cv_<metric>_sd` and `cv_<metric>_fold<k>` for each numeric metric the folds report. */
  metrics: Record<string, number | null>;
  /** The metric the best fold is chosen by: val_accuracy when present, else lowest val_loss. */
  objective: string;
  bestFold: number;
  /** e.g. "val_accuracy 0.953 ± 0.012 over 5 folds (0.94, 0.96, …)". */
  describe: string;
}

export function foldSummary(folds: ReadonlyArray<Record<string, number | null>>): FoldSummary {
  const names = [...new Set(folds.flatMap((metrics) => Object.keys(metrics)))].sort();
  const metrics: Record<string, number | null> = {};
  for (const name of names) {
    const values = folds.map((fold) => fold[name] ?? null);
    const known = values.filter((value): value is number => value !== null && Number.isFinite(value));
    const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    // Sample standard deviation (n - 1): the folds are a sample of the ways the data could have been split.
    const sd = mean !== null && known.length > 1 ? Math.sqrt(known.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (known.length - 1)) : null;
    metrics[`cv_${name}_mean`] = mean;
    metrics[`cv_${name}_sd`] = sd;
    values.forEach((value, i) => (metrics[`cv_${name}_fold${i + 1}`] = value));
  }
  const byAccuracy = names.includes('val_accuracy');
  const objective = byAccuracy ? 'val_accuracy' : 'val_loss';
  let bestFold = 0;
  folds.forEach((fold, i) => {
    const value = fold[objective] ?? null;
    const best = folds[bestFold]?.[objective] ?? null;
    if (value !== null && (best === null || (byAccuracy ? value > best : value < best))) bestFold = i;
  });
  const values = folds.map((fold) => fold[objective]);
  const mean = metrics[`cv_${objective}_mean`];
  const sd = metrics[`cv_${objective}_sd`];
  const describe =
    `${objective} ${mean === null || mean === undefined ? 'n/a' : mean.toFixed(3)} ± ${sd === null || sd === undefined ? 'n/a' : sd.toFixed(3)} over ${folds.length} folds ` +
    `(${values.map((value) => (value === null || value === undefined ? 'n/a' : value.toFixed(3))).join(', ')})`;
  return { metrics, objective, bestFold, describe };
}
