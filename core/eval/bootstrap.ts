/**
 * Seeded percentile bootstrap. A resample draws n row indices with replacement from core/random's seededRandom, so
 * the same rows, statistic and seed give the same interval on every machine; the interval is the (1 − c)/2 and
 * (1 + c)/2 percentiles of the resampled statistic (numpy's default linear interpolation). A resample on which the
 * statistic is undefined (AUC drawing one class only) is left out and counted in `undefinedResamples`.
 */
import { seededRandom } from '../random.js';
import { checkConfidence, type Interval } from './interval.js';

/** The floor: fewer resamples make the percentile ends themselves noisy. */
export const MIN_RESAMPLES = 1000;

export interface BootstrapOptions {
  resamples: number;
  confidence: number;
  seed: number;
}

export function checkBootstrapOptions(options: BootstrapOptions): void {
  const { resamples, confidence, seed } = options;
  if (!(Number.isInteger(resamples) && resamples >= MIN_RESAMPLES)) throw new RangeError(`resamples must be a whole number >= ${MIN_RESAMPLES} (got ${resamples})`);
  checkConfidence(confidence);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be a whole number (got ${seed})`);
}

/** The indices of each resample in turn; a fresh array each time. */
export function* resampleIndices(n: number, resamples: number, seed: number): Generator<Uint32Array> {
  const random = seededRandom(seed);
  for (let r = 0; r < resamples; r++) {
    const indices = new Uint32Array(n);
    for (let i = 0; i < n; i++) indices[i] = Math.floor(random() * n);
    yield indices;
  }
}

/** How many times each row was drawn: the resample as weights. */
export function drawCounts(indices: Uint32Array, n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (const i of indices) counts[i] = (counts[i] as number) + 1;
  return counts;
}

/** numpy.percentile(values, q) with the default 'linear' method; `sorted` ascending, q in [0, 100]. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100] (got ${q})`);
  const position = (q / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const t = position - below;
  const a = sorted[below] as number;
  const b = sorted[above] as number;
  // numpy's lerp: from the nearer end, so t = 1 gives b exactly.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** The percentile interval of the defined values; null when there are none. */
export function percentileInterval(values: readonly number[], confidence: number): { low: number; high: number } | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const tail = (100 * (1 - confidence)) / 2;
  return { low: percentile(sorted, tail), high: percentile(sorted, 100 - tail) };
}

export interface BootstrapInterval extends Interval {
  method: 'bootstrap';
  resamples: number;
  undefinedResamples: number;
}

/**
 * The statistic on all rows and its percentile interval; null when the statistic is undefined on all rows or on
 * every resample.
 */
export function bootstrapInterval<T>(rows: readonly T[], statistic: (sample: readonly T[]) => number | null, options: BootstrapOptions): BootstrapInterval | null {
  checkBootstrapOptions(options);
  const estimate = statistic(rows);
  if (estimate === null || rows.length === 0) return null;
  const values: number[] = [];
  for (const indices of resampleIndices(rows.length, options.resamples, options.seed)) {
    const value = statistic(Array.from(indices, (i) => rows[i] as T));
    if (value !== null) values.push(value);
  }
  const interval = percentileInterval(values, options.confidence);
  if (interval === null) return null;
  return { estimate, ...interval, method: 'bootstrap', resamples: options.resamples, undefinedResamples: options.resamples - values.length };
}

export interface PairedBootstrap extends BootstrapInterval {
  /** Share of the defined resamples where B's statistic is greater than A's. */
  shareBGreater: number;
  /** Share where they are equal (common for accuracy on few rows). */
  shareTied: number;
}

/**
 * The difference statistic(B) − statistic(A) between two models scored on the same rows (row i of each is the same
 * test row), resampling rows jointly so the pairing is kept; null as for bootstrapInterval.
 */
export function pairedBootstrap<T>(
  rowsA: readonly T[],
  rowsB: readonly T[],
  statistic: (sample: readonly T[]) => number | null,
  options: BootstrapOptions,
): PairedBootstrap | null {
  if (rowsA.length !== rowsB.length) throw new RangeError(`pairedBootstrap: ${rowsA.length} rows for A but ${rowsB.length} for B`);
  checkBootstrapOptions(options);
  const a = statistic(rowsA);
  const b = statistic(rowsB);
  if (a === null || b === null || rowsA.length === 0) return null;
  const differences: number[] = [];
  for (const indices of resampleIndices(rowsA.length, options.resamples, options.seed)) {
    const sa = statistic(Array.from(indices, (i) => rowsA[i] as T));
    const sb = statistic(Array.from(indices, (i) => rowsB[i] as T));
    if (sa !== null && sb !== null) differences.push(sb - sa);
  }
  return pairedSummary(b - a, differences, options);
}

/** The paired result from the resampled differences (shared with the headline comparison). */
export function pairedSummary(estimate: number, differences: readonly number[], options: BootstrapOptions): PairedBootstrap | null {
  const interval = percentileInterval(differences, options.confidence);
  if (interval === null) return null;
  const greater = differences.filter((d) => d > 0).length;
  const tied = differences.filter((d) => d === 0).length;
  return {
    estimate,
    ...interval,
    method: 'bootstrap',
    resamples: options.resamples,
    undefinedResamples: options.resamples - differences.length,
    shareBGreater: greater / differences.length,
    shareTied: tied / differences.length,
  };
}
