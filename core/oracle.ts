/**
 * The oracle upper bound: the final metric a perfect model would reach. Ground-truth labels go through the same
 * label → output conversion the model's predictions go through, and are scored against the true final outputs.
 * If even that misses the goal, no amount of training will reach it: stop before spending GPU time.
 */

/** How a class label becomes the final output; labels not in `map` pass through unchanged. */
export interface OutputConversion {
  map: Record<string, string>;
}

export function toOutput(label: string, conversion: OutputConversion | undefined): string {
  return conversion?.map[label] ?? label;
}

export interface FinalScore {
  accuracy: number;
  n: number;
  /** Rows whose converted output differs from the true final output. */
  errors: number;
}

/** Accuracy of converted labels (or predictions) against the true final outputs, over the given rows. */
export function finalAccuracy(
  labels: readonly string[],
  targets: readonly string[],
  rows: readonly number[],
  conversion: OutputConversion | undefined,
): FinalScore {
  if (rows.length === 0) throw new RangeError('no rows to score');
  let errors = 0;
  for (const row of rows) {
    const label = labels[row];
    const target = targets[row];
    if (label === undefined || target === undefined) throw new RangeError(`row ${row} is outside the data set`);
    if (toOutput(label, conversion) !== target) errors++;
  }
  return { accuracy: (rows.length - errors) / rows.length, n: rows.length, errors };
}

export interface OracleVerdict {
  bound: number;
  /** False when the goal asks for more than a perfect model could reach. */
  reachable: boolean;
  explanation: string;
}

export function oracleVerdict(score: FinalScore, goalMin: number | undefined, split: string): OracleVerdict {
  const bound = score.accuracy;
  const reachable = goalMin === undefined || bound >= goalMin;
  const lost = score.errors > 0 ? `; the label → output conversion gets ${score.errors} of ${score.n} rows wrong even from true labels` : '';
  const explanation = reachable
    ? `oracle upper bound: a perfect model reaches final accuracy ${bound.toFixed(4)} on ${split}${lost}`
    : `oracle upper bound ${bound.toFixed(4)} is below the goal accuracy ≥ ${goalMin}: a perfect model would reach only ${bound.toFixed(4)} on ${split}${lost}. Fix the labels or the label → output conversion before training.`;
  return { bound, reachable, explanation };
}
