/** Per-class precision, recall and F1 from a confusion matrix (rows = true class, columns = predicted class). */

export interface ClassMetrics {
  /** Rows of this class. */
  support: number;
  /** Of the rows predicted as this class, the share that are: null when nothing was predicted as it. */
  precision: number | null;
  /** Of the rows of this class, the share found: null when the class has no rows. */
  recall: number | null;
  f1: number | null;
  /** The class its rows are most often mistaken for, with the count; null when none is. */
  confusedWith: { label: number; count: number } | null;
}

export function classMetrics(confusion: readonly (readonly number[])[]): ClassMetrics[] {
  const k = confusion.length;
  const column = (j: number) => confusion.reduce((sum, row) => sum + (row[j] ?? 0), 0);
  return confusion.map((row, i) => {
    const tp = row[i] ?? 0;
    const support = row.reduce((sum, v) => sum + v, 0);
    const predicted = column(i);
    const precision = predicted > 0 ? tp / predicted : null;
    const recall = support > 0 ? tp / support : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : precision === 0 || recall === 0 ? 0 : null;
    let confusedWith: ClassMetrics['confusedWith'] = null;
    for (let j = 0; j < k; j++) {
      const count = row[j] ?? 0;
      if (j !== i && count > 0 && (confusedWith === null || count > confusedWith.count)) confusedWith = { label: j, count };
    }
    return { support, precision, recall, f1, confusedWith };
  });
}

/** Unweighted mean over the classes that have a value (scikit-learn's macro average, undefined classes skipped). */
export function macro(values: ReadonlyArray<number | null>): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length ? defined.reduce((sum, v) => sum + v, 0) / defined.length : null;
}
