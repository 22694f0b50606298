/**
 * The irreducible error, estimated from annotator disagreement on double-labeled items.
 *
 * Model: each annotator gives the true label with probability 1 − e and otherwise one of the other K − 1 classes
 * uniformly, independently of the other annotator. Two ratings of an item then disagree with probability
 *   d = 1 − (1 − e)² − e²/(K − 1) = 2e − e²·K/(K − 1),
 * so e = ((K − 1)/K)·(1 − sqrt(1 − d·K/(K − 1))), the root in [0, (K − 1)/K] (for small d, e ≈ d/2). d at or above
 * (K − 1)/K is what random labels give: e is then (K − 1)/K and `saturated` is true.
 *
 * d is the mean over items of the share of rating pairs that disagree (items with 2+ ratings, each item counting
 * once, as raw agreement does). Adjudication ratings are left out: they are asked for disputed items only, which
 * would bias d. e is one label's error rate against the truth, so it is the error a perfect model would still
 * show when scored against labels made the same way: the irreducible error. The symmetric-noise assumption is the
 * weak point: errors that concentrate on confusable pairs make annotators agree on the same wrong label more often,
 * so e is then an underestimate.
 */
import { EvalInputError } from './errors.js';

/** core/labeling's SettledItem fits: its ratings carry annotator, label and role. */
export interface RatedItem {
  ratings: ReadonlyArray<{ label: string; role?: string }>;
}

export interface LabelNoise {
  /** Items with at least 2 (non-adjudication) ratings. */
  items: number;
  /** Mean share of disagreeing rating pairs per item. */
  disagreement: number;
  classes: number;
  /** The estimated per-label error rate e. */
  noiseRate: number;
  saturated: boolean;
}

/** Null when no item has two ratings. `classes` defaults to the number of distinct labels seen (at least 2). */
export function labelNoise(items: readonly RatedItem[], options: { classes?: number } = {}): LabelNoise | null {
  const seen = new Set<string>();
  let used = 0;
  let disagreementSum = 0;
  for (const item of items) {
    const labels = item.ratings.filter((r) => r.role !== 'adjudication').map((r) => r.label);
    for (const label of labels) seen.add(label);
    const m = labels.length;
    if (m < 2) continue;
    const counts = new Map<string, number>();
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    let agreeing = 0;
    for (const c of counts.values()) agreeing += c * (c - 1);
    disagreementSum += 1 - agreeing / (m * (m - 1));
    used++;
  }
  if (used === 0) return null;
  const k = options.classes ?? Math.max(2, seen.size);
  if (!(Number.isInteger(k) && k >= 2)) throw new EvalInputError(`classes must be a whole number >= 2 (got ${k})`);
  if (k < seen.size) throw new EvalInputError(`classes is ${k} but the ratings use ${seen.size} distinct labels`);
  const disagreement = disagreementSum / used;
  const chance = (k - 1) / k;
  const saturated = disagreement >= chance;
  const noiseRate = saturated ? chance : chance * (1 - Math.sqrt(1 - disagreement / chance));
  return { items: used, disagreement, classes: k, noiseRate, saturated };
}
