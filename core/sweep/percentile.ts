/**
 * numpy's percentile with its default 'linear' method, which Ray's ASHA (`np.nanpercentile`) and Optuna's
 * MedianPruner use: sorted values v, virtual index h = (n − 1)·q, result = lerp(v[⌊h⌋], v[⌊h⌋ + 1], h − ⌊h⌋).
 * The interpolation is numpy's `_lerp` (a + (b − a)·t, or b − (b − a)·(1 − t) when t ≥ 0.5), so that results —
 * and therefore ties against the cutoff — match numpy's bit for bit on the same doubles.
 *
 * Unlike nanpercentile, missing values are not dropped: the callers rank them as the worst value (±Infinity), and a
 * result interpolated towards an infinite neighbour is that infinity.
 */

function lerp(a: number, b: number, t: number): number {
  if (a === b || t === 0) return a;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (a === -Infinity && b === Infinity) return NaN;
    return a === -Infinity ? -Infinity : b === Infinity ? Infinity : a;
  }
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The `quantile` (in [0, 1]) of n values given by index in ascending order; undefined for none. */
function percentileOf(n: number, at: (index: number) => number, quantile: number): number | undefined {
  if (n === 0) return undefined;
  const h = (n - 1) * quantile;
  const below = Math.floor(h);
  const above = Math.min(below + 1, n - 1);
  return lerp(at(below), at(above), h - below);
}

/** The `quantile` of any values (sorted here). */
export function linearPercentile(values: readonly number[], quantile: number): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOf(sorted.length, (i) => sorted[i] as number, quantile);
}

/**
 * A multiset kept for percentiles without sorting on every query: finite values in ascending order, and a count of
 * missing (NaN) values that rank as the worst. Plain JSON.
 */
export interface RankedValues {
  /** Finite values, ascending. */
  values: number[];
  /** NaN or missing values, ranked below every value when maximizing and above when minimizing. */
  missing: number;
}

export const EMPTY_RANKED: RankedValues = { values: [], missing: 0 };

/** A copy with `value` added (null: missing): O(n) copy, O(log n) search. */
export function withValue(ranked: RankedValues, value: number | null): RankedValues {
  if (value === null) return { values: ranked.values, missing: ranked.missing + 1 };
  const values = ranked.values;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return { values: [...values.slice(0, lo), value, ...values.slice(lo)], missing: ranked.missing };
}

export function rankedSize(ranked: RankedValues): number {
  return ranked.values.length + ranked.missing;
}

/**
 * The `quantile` of the oriented values — as they are for maximize, negated for minimize — with missing ones as −∞.
 * The result stays oriented. Ray's ASHA negates minimized metrics before the percentile (`metric_op`); doing the same
 * reproduces its floating-point path.
 */
export function orientedPercentile(ranked: RankedValues, quantile: number, direction: 'maximize' | 'minimize'): number | undefined {
  const { values, missing } = ranked;
  const m = values.length;
  // Ascending oriented order: missing (−∞) first, then the values (maximize) or the negated values reversed (minimize).
  const at = (k: number) => (k < missing ? -Infinity : direction === 'maximize' ? (values[k - missing] as number) : -(values[m - 1 - (k - missing)] as number));
  return percentileOf(m + missing, at, quantile);
}

/** The `quantile` of the values as they are (Optuna's percentile on raw values), missing ones at the worst end. */
export function rawPercentile(ranked: RankedValues, quantile: number, direction: 'maximize' | 'minimize'): number | undefined {
  const { values, missing } = ranked;
  const m = values.length;
  const at =
    direction === 'maximize'
      ? (k: number) => (k < missing ? -Infinity : (values[k - missing] as number))
      : (k: number) => (k < m ? (values[k] as number) : Infinity);
  return percentileOf(m + missing, at, quantile);
}
