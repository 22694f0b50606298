/**
 * The confusion matrix and what follows from it, as scikit-learn computes them with labels = the declared classes
 * and zero_division = 0: a precision with nothing predicted as the class is 0, a recall with no rows of the class
 * is 0, and F1 = 2·TP / (support + predicted) is 0 when both are 0. Macro-F1 averages over every declared class
 * (absent ones count as 0, as sklearn does with labels=); balanced accuracy averages recall over the classes that
 * have rows (sklearn drops the others). Counts may be weights (bootstrap multiplicities).
 */
import { EvalInputError } from './errors.js';

/** Each value's position in `classes`; throws naming the first value that is not a declared class. */
export function encodeClasses(values: readonly string[], classes: readonly string[], what: string): Int32Array {
  const position = new Map(classes.map((c, i) => [c, i]));
  if (position.size !== classes.length) throw new EvalInputError('classes: a class is listed twice');
  const out = new Int32Array(values.length);
  values.forEach((value, i) => {
    const at = position.get(value);
    if (at === undefined) throw new EvalInputError(`row ${i}: ${what} ${JSON.stringify(value)} is not one of the classes (${classes.map((c) => JSON.stringify(c)).join(', ')})`, i);
    out[i] = at;
  });
  return out;
}

/** matrix[true][predicted], each row weighted by `weights[row]` (1 when absent). */
export function confusionMatrix(truth: Int32Array, predicted: Int32Array, k: number, weights?: ArrayLike<number>): number[][] {
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    if (w === 0) continue;
    const row = matrix[truth[i] as number] as number[];
    const j = predicted[i] as number;
    row[j] = (row[j] as number) + w;
  }
  return matrix;
}

export interface ClassScore {
  /** Rows whose label is the class. */
  support: number;
  /** Rows predicted as the class. */
  predicted: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

export function classScores(confusion: readonly (readonly number[])[]): ClassScore[] {
  return confusion.map((row, i) => {
    const truePositives = row[i] as number;
    const support = row.reduce((s, x) => s + x, 0);
    const predicted = confusion.reduce((s, r) => s + (r[i] as number), 0);
    return {
      support,
      predicted,
      truePositives,
      precision: predicted === 0 ? 0 : truePositives / predicted,
      recall: support === 0 ? 0 : truePositives / support,
      f1: support + predicted === 0 ? 0 : (2 * truePositives) / (support + predicted),
    };
  });
}

export function accuracyOf(confusion: readonly (readonly number[])[]): number | null {
  let right = 0;
  let total = 0;
  confusion.forEach((row, i) => {
    right += row[i] as number;
    for (const x of row) total += x;
  });
  return total === 0 ? null : right / total;
}

export function macroF1Of(scores: readonly ClassScore[]): number | null {
  if (scores.length === 0) return null;
  return scores.reduce((s, c) => s + c.f1, 0) / scores.length;
}

export function balancedAccuracyOf(scores: readonly ClassScore[]): number | null {
  const present = scores.filter((c) => c.support > 0);
  if (present.length === 0) return null;
  return present.reduce((s, c) => s + c.recall, 0) / present.length;
}
