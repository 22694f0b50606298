/**
 * The one-call evaluation report: every test metric with its interval. Wilson for the proportions (accuracy,
 * per-class precision and recall), the seeded percentile bootstrap for the rest (macro-F1, balanced accuracy, log
 * loss, binary AUC, per-class F1), all bootstrap metrics from the same resamples; plus the confusion matrix.
 * A precision with nothing predicted as the class (or a recall with no rows of it) is 0, as in sklearn with
 * zero_division=0, and its interval is the uninformative [0, 1].
 */
import { checkBootstrapOptions, drawCounts, percentileInterval, resampleIndices } from './bootstrap.js';
import { EvalInputError } from './errors.js';
import type { HeadlineMetric } from './headline.js';
import type { Interval } from './interval.js';
import { prepareRows, scoreRows, type ClassificationInput, type PreparedRows } from './metrics.js';
import { proportionInterval } from './proportion.js';

export interface EvaluationInput extends ClassificationInput {
  headline: HeadlineMetric;
  confidence: number;
  /** At least 1,000. */
  resamples: number;
  seed: number;
}

export interface ClassRow {
  class: string;
  support: number;
  predicted: number;
  precision: Interval;
  recall: Interval;
  f1: Interval;
}

export interface EvaluationMetrics {
  accuracy: Interval;
  macroF1: Interval;
  balancedAccuracy: Interval;
  /** Null without probabilities. */
  logLoss: Interval | null;
  /** Null without probabilities, with more than two classes, or with one class among the labels. */
  auc: Interval | null;
}

export interface EvaluationReport {
  n: number;
  classes: string[];
  confidence: number;
  headline: { metric: HeadlineMetric } & Interval;
  metrics: EvaluationMetrics;
  perClass: ClassRow[];
  /** confusion[true][predicted], classes in order. */
  confusion: number[][];
  /** AUC resamples that drew one class only are left out of its interval; the count is here. */
  bootstrap: { resamples: number; seed: number; aucUndefinedResamples: number };
}

function wilson(correct: number, total: number, confidence: number): Interval {
  if (total === 0) return { estimate: 0, low: 0, high: 1, method: 'wilson' };
  return proportionInterval(correct, total, { method: 'wilson', confidence });
}

/** Every bootstrap metric's resampled values, collected from one pass over the resamples. */
function resample(rows: PreparedRows, resamples: number, seed: number) {
  const n = rows.truth.length;
  const k = rows.classes.length;
  const collected = { macroF1: [] as number[], balancedAccuracy: [] as number[], logLoss: [] as number[], auc: [] as number[], f1: Array.from({ length: k }, () => [] as number[]) };
  for (const indices of resampleIndices(n, resamples, seed)) {
    const s = scoreRows(rows, drawCounts(indices, n));
    if (s.macroF1 !== null) collected.macroF1.push(s.macroF1);
    if (s.balancedAccuracy !== null) collected.balancedAccuracy.push(s.balancedAccuracy);
    if (s.logLoss !== null) collected.logLoss.push(s.logLoss);
    if (s.auc !== null) collected.auc.push(s.auc);
    s.perClass.forEach((c, i) => collected.f1[i]?.push(c.f1));
  }
  return collected;
}

function bootstrapped(estimate: number | null, values: readonly number[], confidence: number): Interval | null {
  if (estimate === null) return null;
  const interval = percentileInterval(values, confidence);
  return interval === null ? null : { estimate, ...interval, method: 'bootstrap' };
}

/** Throws EvalInputError on unusable rows or a headline the input cannot give (log loss without probabilities). */
export function evaluationReport(input: EvaluationInput): EvaluationReport {
  const { confidence, resamples, seed, headline } = input;
  checkBootstrapOptions({ resamples, confidence, seed });
  const rows = prepareRows(input);
  const n = rows.truth.length;
  const s = scoreRows(rows);
  const draws = resample(rows, resamples, seed);
  const right = s.perClass.reduce((sum, c) => sum + c.truePositives, 0);
  const metrics: EvaluationMetrics = {
    accuracy: wilson(right, n, confidence),
    // At least one row, so these three are defined on the data and on every resample.
    macroF1: bootstrapped(s.macroF1, draws.macroF1, confidence) as Interval,
    balancedAccuracy: bootstrapped(s.balancedAccuracy, draws.balancedAccuracy, confidence) as Interval,
    logLoss: bootstrapped(s.logLoss, draws.logLoss, confidence),
    auc: bootstrapped(s.auc, draws.auc, confidence),
  };
  const chosen = metrics[headline];
  if (chosen === null) throw new EvalInputError(headlineProblem(headline, rows, input.probabilities !== undefined));
  const perClass = s.perClass.map((c, i) => ({
    class: rows.classes[i] as string,
    support: c.support,
    predicted: c.predicted,
    precision: wilson(c.truePositives, c.predicted, confidence),
    recall: wilson(c.truePositives, c.support, confidence),
    f1: bootstrapped(c.f1, draws.f1[i] ?? [], confidence) as Interval,
  }));
  return {
    n,
    classes: rows.classes,
    confidence,
    headline: { metric: headline, ...chosen },
    metrics,
    perClass,
    confusion: s.confusion,
    bootstrap: { resamples, seed, aucUndefinedResamples: rows.ranking && s.auc !== null ? resamples - draws.auc.length : 0 },
  };
}

function headlineProblem(headline: HeadlineMetric, rows: PreparedRows, hasProbabilities: boolean): string {
  if (!hasProbabilities) return `headline ${headline} needs predicted probabilities`;
  if (headline === 'auc' && rows.classes.length !== 2) return `headline auc needs exactly 2 classes (got ${rows.classes.length})`;
  return `headline ${headline} is undefined: the labels hold one class only`;
}
