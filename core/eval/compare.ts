/**
 * Two models on the same test rows, A the current champion and B the challenger: McNemar's test on the rows they
 * disagree about, and a paired bootstrap of the headline difference B − A (the same resampled rows for both, so
 * the noise they share cancels). `shareBBetter` reads the direction: for log loss, lower is better.
 */
import { checkBootstrapOptions, drawCounts, pairedSummary, resampleIndices, type PairedBootstrap } from './bootstrap.js';
import { EvalInputError } from './errors.js';
import { higherIsBetter, type HeadlineMetric } from './headline.js';
import { discordantPairs, mcnemar, type McNemar } from './mcnemar.js';
import { prepareRows, scoreRows, type PreparedRows } from './metrics.js';

export interface ComparisonInput {
  labels: readonly string[];
  predictionsA: readonly string[];
  predictionsB: readonly string[];
  probabilitiesA?: readonly (readonly number[])[] | undefined;
  probabilitiesB?: readonly (readonly number[])[] | undefined;
  classes: readonly string[];
  headline: HeadlineMetric;
  confidence: number;
  resamples: number;
  seed: number;
}

export interface Comparison {
  n: number;
  accuracyA: number;
  accuracyB: number;
  /** A right, B wrong. */
  b: number;
  /** B right, A wrong. */
  c: number;
  mcnemar: McNemar;
  headline: {
    metric: HeadlineMetric;
    valueA: number;
    valueB: number;
    /** B − A with its paired-bootstrap interval. */
    difference: PairedBootstrap;
    /** Share of resamples where B is better in the metric's own direction. */
    shareBBetter: number;
  };
}

function headlineOf(rows: PreparedRows, metric: HeadlineMetric, weights?: ArrayLike<number>): number | null {
  return scoreRows(rows, weights)[metric];
}

export function compareModels(input: ComparisonInput): Comparison {
  const { labels, classes, headline, confidence, resamples, seed } = input;
  checkBootstrapOptions({ resamples, confidence, seed });
  const rowsA = prepareRows({ labels, predictions: input.predictionsA, probabilities: input.probabilitiesA, classes });
  const rowsB = prepareRows({ labels, predictions: input.predictionsB, probabilities: input.probabilitiesB, classes });
  const valueA = headlineOf(rowsA, headline);
  const valueB = headlineOf(rowsB, headline);
  if (valueA === null || valueB === null) throw new EvalInputError(`headline ${headline} is undefined for ${valueA === null ? 'A' : 'B'} (it needs probabilities; auc needs 2 classes, both among the labels)`);
  const n = labels.length;
  const differences: number[] = [];
  for (const indices of resampleIndices(n, resamples, seed)) {
    const counts = drawCounts(indices, n);
    const a = headlineOf(rowsA, headline, counts);
    const b = headlineOf(rowsB, headline, counts);
    if (a !== null && b !== null) differences.push(b - a);
  }
  const difference = pairedSummary(valueB - valueA, differences, { resamples, confidence, seed });
  if (difference === null) throw new EvalInputError(`headline ${headline} is undefined on every resample`);
  const pairs = discordantPairs(labels, input.predictionsA, input.predictionsB);
  const shareBBetter = higherIsBetter(headline) ? difference.shareBGreater : 1 - difference.shareBGreater - difference.shareTied;
  return {
    n,
    accuracyA: pairs.correctA / n,
    accuracyB: pairs.correctB / n,
    b: pairs.b,
    c: pairs.c,
    mcnemar: mcnemar(pairs.b, pairs.c),
    headline: { metric: headline, valueA, valueB, difference, shareBBetter },
  };
}
