/**
 * Every classification metric from labels, predictions and (optionally) probabilities in one pass. The rows are
 * encoded once (`prepareRows`) and scored under optional weights (`scoreRows`): weights are how the bootstrap
 * resamples without copying rows, and unweighted scoring is the plain metric.
 */
import { accuracyOf, balancedAccuracyOf, classScores, confusionMatrix, encodeClasses, macroF1Of, type ClassScore } from './confusion.js';
import { EvalInputError } from './errors.js';
import { aucRanking, checkProbabilities, rowLogLosses, weightedAuc, weightedMean, type AucRanking } from './probabilistic.js';

export interface ClassificationInput {
  labels: readonly string[];
  predictions: readonly string[];
  /** One row per label, one column per class in `classes` order. */
  probabilities?: readonly (readonly number[])[] | undefined;
  /** Every class, in the order the probability columns and the reports use. */
  classes: readonly string[];
}

export interface PreparedRows {
  classes: string[];
  truth: Int32Array;
  predicted: Int32Array;
  /** Per-row log loss; null without probabilities. */
  losses: Float64Array | null;
  /** For two classes with probabilities; null otherwise. */
  ranking: AucRanking | null;
}

export function prepareRows(input: ClassificationInput): PreparedRows {
  const { labels, predictions, probabilities, classes } = input;
  if (classes.length < 2) throw new EvalInputError(`classes: need at least 2 (got ${classes.length})`);
  if (predictions.length !== labels.length) throw new EvalInputError(`${labels.length} labels but ${predictions.length} predictions`);
  if (labels.length === 0) throw new EvalInputError('no rows to evaluate');
  const truth = encodeClasses(labels, classes, 'label');
  const predicted = encodeClasses(predictions, classes, 'prediction');
  let losses: Float64Array | null = null;
  let ranking: AucRanking | null = null;
  if (probabilities) {
    checkProbabilities(probabilities, labels.length, classes.length);
    losses = rowLogLosses(truth, probabilities);
    if (classes.length === 2) {
      ranking = aucRanking(probabilities.map((row) => row[1] as number), Array.from(truth, (t) => t === 1));
    }
  }
  return { classes: [...classes], truth, predicted, losses, ranking };
}

export interface Scores {
  confusion: number[][];
  perClass: ClassScore[];
  accuracy: number | null;
  macroF1: number | null;
  balancedAccuracy: number | null;
  logLoss: number | null;
  auc: number | null;
}

export function scoreRows(rows: PreparedRows, weights?: ArrayLike<number>): Scores {
  const confusion = confusionMatrix(rows.truth, rows.predicted, rows.classes.length, weights);
  const perClass = classScores(confusion);
  return {
    confusion,
    perClass,
    accuracy: accuracyOf(confusion),
    macroF1: macroF1Of(perClass),
    balancedAccuracy: balancedAccuracyOf(perClass),
    logLoss: rows.losses ? weightedMean(rows.losses, weights) : null,
    auc: rows.ranking ? weightedAuc(rows.ranking, weights) : null,
  };
}

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  balancedAccuracy: number;
  /** Null without probabilities. */
  logLoss: number | null;
  /** Null without probabilities, with more than 2 classes, or with one class only among the labels. */
  auc: number | null;
  perClass: Array<{ class: string } & ClassScore>;
  /** confusion[true][predicted], classes in order. */
  confusion: number[][];
}

/** The plain (unweighted) metrics; throws EvalInputError on unusable input. */
export function classificationMetrics(input: ClassificationInput): ClassificationMetrics {
  const rows = prepareRows(input);
  const s = scoreRows(rows);
  return {
    n: rows.truth.length,
    // Never null here: there is at least one row, so some class has support.
    accuracy: s.accuracy as number,
    macroF1: s.macroF1 as number,
    balancedAccuracy: s.balancedAccuracy as number,
    logLoss: s.logLoss,
    auc: s.auc,
    perClass: s.perClass.map((score, i) => ({ class: rows.classes[i] as string, ...score })),
    confusion: s.confusion,
  };
}
