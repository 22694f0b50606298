/**
 * How well one column alone predicts the label. The model: cut the column at its quantiles (learned on the training
 * rows), predict each bin's majority label; scored by accuracy on rows it did not learn from (cross-validated). And the mutual information between
 * the binned column and the label, as a share of the label's entropy, less what chance alone gives that many bins.
 * Labels are class indexes 0…K-1; a missing value (NaN) has a bin of its own.
 */

/** Cut points: bin(x) = how many cuts are ≤ x. With few distinct values, each value is a bin of its own. */
export function binCuts(values: Float64Array, maxBins: number): number[] {
  // A typed array sorts numerically and natively: several times faster than a comparator on a number[].
  const sorted = (values.some(Number.isNaN) ? values.filter((v) => !Number.isNaN(v)) : values.slice()).sort();
  const distinct: number[] = [];
  for (const v of sorted) {
    if (distinct[distinct.length - 1] === v) continue;
    distinct.push(v);
    if (distinct.length > maxBins) break; // enough to know the quantiles are needed
  }
  if (distinct.length <= maxBins) return distinct.slice(1);
  const cuts: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    const cut = sorted[Math.floor((q * sorted.length) / maxBins)] as number;
    if (cut !== cuts[cuts.length - 1] && cut !== sorted[0]) cuts.push(cut);
  }
  return cuts;
}

function pick(values: Float64Array, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  rows.forEach((row, i) => (out[i] = values[row] as number));
  return out;
}

export function binOf(cuts: readonly number[], v: number): number {
  if (Number.isNaN(v)) return cuts.length + 1;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cuts[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The most common class among `rows` (ties: the lower index, so the answer never depends on row order). */
export function majorityClass(labels: readonly number[], rows: readonly number[], classes: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (const row of rows) counts[labels[row] as number] = (counts[labels[row] as number] ?? 0) + 1;
  let best = 0;
  counts.forEach((c, k) => {
    if (c > (counts[best] as number)) best = k;
  });
  return best;
}

/** Rows to learn on and rows to predict: one fold of a cross-validation. */
export interface Fold {
  train: readonly number[];
  evaluate: readonly number[];
}

/** Counts by (bin, class) in a Map: bins × classes can be large (a label with thousands of values) while few cells are used. */
function jointCounts(values: Float64Array, labels: readonly number[], classes: number, cuts: readonly number[], rows: readonly number[]): Map<number, number> {
  const joint = new Map<number, number>();
  for (const row of rows) {
    const key = binOf(cuts, values[row] as number) * classes + (labels[row] as number);
    joint.set(key, (joint.get(key) ?? 0) + 1);
  }
  return joint;
}

/** How many of the evaluation rows the binned majority-label model, learned on the training rows, gets right. */
export function oneFeatureCorrect(values: Float64Array, labels: readonly number[], classes: number, fold: Fold, maxBins: number): number {
  const cuts = binCuts(pick(values, fold.train), maxBins);
  // Each bin's majority class (ties: the lower class); a bin no training row fell in predicts the overall majority.
  const best = new Map<number, { k: number; count: number }>();
  for (const [key, count] of jointCounts(values, labels, classes, cuts, fold.train)) {
    const b = Math.floor(key / classes);
    const k = key % classes;
    const current = best.get(b);
    if (!current || count > current.count || (count === current.count && k < current.k)) best.set(b, { k, count });
  }
  const fallback = majorityClass(labels, fold.train, classes);
  let right = 0;
  for (const row of fold.evaluate) if ((best.get(binOf(cuts, values[row] as number))?.k ?? fallback) === labels[row]) right++;
  return right;
}

const evaluated = (folds: readonly Fold[]): number => folds.reduce((n, f) => n + f.evaluate.length, 0);

/** The one-feature model's accuracy over the folds: every row predicted once, by a model that never saw it. */
export function crossValidatedAccuracy(values: Float64Array, labels: readonly number[], classes: number, folds: readonly Fold[], maxBins: number): number {
  const right = folds.reduce((n, fold) => n + oneFeatureCorrect(values, labels, classes, fold, maxBins), 0);
  return right / Math.max(1, evaluated(folds));
}

export interface Information {
  /** I(column; label) / H(label): 1 when the binned column determines the label. */
  nmi: number;
  /** The same less the information that many bins show by chance (Miller–Madow bias), at least 0. */
  nmiAboveChance: number;
}

export function mutualInformation(values: Float64Array, labels: readonly number[], classes: number, rows: readonly number[], maxBins: number): Information {
  const cuts = binCuts(pick(values, rows), maxBins);
  const joint = jointCounts(values, labels, classes, cuts, rows);
  const byBin = new Map<number, number>();
  const byClass = new Map<number, number>();
  for (const [key, count] of joint) {
    const b = Math.floor(key / classes);
    const k = key % classes;
    byBin.set(b, (byBin.get(b) ?? 0) + count);
    byClass.set(k, (byClass.get(k) ?? 0) + count);
  }
  const n = rows.length;
  let mi = 0;
  for (const [key, c] of joint) {
    mi += (c / n) * Math.log((c * n) / ((byBin.get(Math.floor(key / classes)) ?? 1) * (byClass.get(key % classes) ?? 1)));
  }
  let entropy = 0;
  for (const c of byClass.values()) entropy -= (c / n) * Math.log(c / n);
  if (!(entropy > 0)) return { nmi: 0, nmiAboveChance: 0 };
  const bias = ((byBin.size - 1) * (byClass.size - 1)) / (2 * n);
  return { nmi: mi / entropy, nmiAboveChance: Math.max(0, (mi - bias) / entropy) };
}
