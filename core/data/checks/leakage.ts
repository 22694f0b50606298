/**
 * The target-leakage check: a single column that predicts the label far better than the class prior (a copy of the
 * label, a field filled in after the outcome), and an id-like column related to the label (a file sorted by label
 * makes its row number an answer). Each column gets a one-feature model (see oneFeature.ts), scored by 5-fold
 * cross-validation over the train and valid rows (never test), or over all rows without a split. Cross-validation
 * rather than one train/valid cut: on breast_cancer's 86 validation rows one genuine feature scored anywhere from
 * 0.88 to 0.98 depending on the split seed, so a fixed limit of 0.95 failed one seed in ten; over 483 rows it does
 * not move that much. With a group column the folds keep each group together. An id-like column unrelated to the
 * label is no leak: it is listed in the details and passes.
 */
import type { z } from 'zod';

import type { CheckResult } from '../check.js';
import { classOrder } from '../classes.js';
import { rowSplits, type SplitAssignment } from '../membership.js';
import { seededRandom, shuffled } from '../../random.js';
import type { LeakageCheckSpec } from '../../spec/checks.js';
import type { DataTable } from '../table.js';
import { idLikeColumns, type IdLikeReason } from './idLike.js';
import { crossValidatedAccuracy, majorityClass, mutualInformation, type Fold } from './oneFeature.js';

export type LeakageOptions = z.output<typeof LeakageCheckSpec>;

/** Quantile bins of the one-feature model (at least one per class, so a copy of the label can be one). */
export const MAX_BINS = 20;
const FOLDS = 5;
const FOLD_SEED = 0;
/** "Far better than the prior": a leak removes at least half of the prior's errors… */
const LEAK_ERROR_REDUCTION = 0.5;
/** …an id-like column is related to the label once it removes a fifth of them… */
const ID_ERROR_REDUCTION = 0.2;
/** …and either must be beyond chance: this many binomial standard errors above the prior. */
const MIN_Z = 3;
const TOP = 5;

export interface ColumnScore {
  column: string;
  accuracy: number;
  /** (accuracy - prior) / (1 - prior): the share of the prior's mistakes this column avoids. */
  errorReduction: number;
  nmi: number;
  nmiAboveChance: number;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

/** The rows the models learn from and are scored on: train and valid (never test), or every row without a split. */
function scoredRows(labelled: readonly number[], split: SplitAssignment | null): { rows: number[]; over: string } {
  if (split === null) return { rows: [...labelled], over: 'all rows' };
  const seen = new Set([...split.train, ...split.valid]);
  const rows = labelled.filter((row) => seen.has(row));
  return rows.length >= FOLDS ? { rows, over: 'train and valid' } : { rows: [...labelled], over: 'all rows' };
}

/** Seeded folds over rows, or over groups when there is a group column (a group's rows share a fold). */
function makeFolds(rows: readonly number[], groups: readonly string[] | null): Fold[] {
  const unitOf = (row: number): string => (groups ? (groups[row] ?? '') : String(row));
  const units = shuffled([...new Set(rows.map(unitOf))], seededRandom(FOLD_SEED));
  const count = Math.min(FOLDS, units.length);
  const foldOf = new Map(units.map((unit, i) => [unit, i % count]));
  return Array.from({ length: count }, (_, k) => ({
    train: rows.filter((row) => foldOf.get(unitOf(row)) !== k),
    evaluate: rows.filter((row) => foldOf.get(unitOf(row)) === k),
  }));
}

export function leakageCheck(table: DataTable, split: SplitAssignment | null, options: LeakageOptions): CheckResult {
  const splits = rowSplits(table.rows, split);
  const labelled = table.labels.map((label, row) => (label !== '' && splits[row] !== null ? row : -1)).filter((row) => row >= 0);
  const classes = classOrder(labelled.map((row) => table.labels[row] as string));
  if (table.featureNames.length === 0) return { name: 'leakage', verdict: 'pass', message: 'No feature columns to score.', details: {} };
  if (classes.length < 2 || labelled.length < 2 * FOLDS) {
    return { name: 'leakage', verdict: 'pass', message: `Nothing to predict: ${classes.length} class(es) among ${labelled.length} labelled rows.`, details: { classes: classes.length } };
  }
  const index = new Map(classes.map((label, k) => [label, k]));
  const labels = table.labels.map((label) => index.get(label) ?? 0);
  const K = classes.length;
  const { rows, over } = scoredRows(labelled, split);
  const folds = makeFolds(rows, table.groups);
  // The class prior: the majority class's share, what always guessing that class scores.
  const majority = majorityClass(labels, rows, K);
  const prior = rows.filter((row) => labels[row] === majority).length / rows.length;
  const standardError = Math.sqrt((prior * (1 - prior)) / rows.length);
  const bins = Math.max(MAX_BINS, K);

  const scores: ColumnScore[] = table.featureNames.map((column, f) => {
    const values = table.features[f] as Float64Array;
    const accuracy = crossValidatedAccuracy(values, labels, K, folds, bins);
    const info = mutualInformation(values, labels, K, rows, bins);
    return {
      column,
      accuracy: round(accuracy),
      errorReduction: round(prior < 1 ? (accuracy - prior) / (1 - prior) : 0),
      nmi: round(info.nmi),
      nmiAboveChance: round(info.nmiAboveChance),
    };
  });
  const beyondChance = (s: ColumnScore): boolean => standardError > 0 && (s.accuracy - prior) / standardError >= MIN_Z;

  const idLike = new Map<string, IdLikeReason>(idLikeColumns(table).map((c) => [c.column, c.reason]));
  const suspects = scores
    .filter((s) => !idLike.has(s.column) && s.accuracy >= options.maxSingleFeatureAccuracy && s.errorReduction >= LEAK_ERROR_REDUCTION && beyondChance(s))
    .sort((a, b) => b.accuracy - a.accuracy || (a.column < b.column ? -1 : 1));
  const ids = scores
    .filter((s) => idLike.has(s.column))
    .map((s) => ({ ...s, reason: idLike.get(s.column) as IdLikeReason, related: s.errorReduction >= ID_ERROR_REDUCTION && beyondChance(s) }));
  const relatedIds = ids.filter((s) => s.related);
  const top = scores
    .filter((s) => !idLike.has(s.column))
    .sort((a, b) => b.accuracy - a.accuracy || (a.column < b.column ? -1 : 1))
    .slice(0, TOP);

  const priorText = `class prior ${prior.toFixed(2)}`;
  const sentences: string[] = [];
  if (suspects.length > 0) {
    const [s, ...more] = suspects as [ColumnScore, ...ColumnScore[]];
    sentences.push(
      `column ${s.column} predicts the label with cross-validated accuracy ${s.accuracy.toFixed(2)} (${priorText})` +
        (more.length > 0 ? `; so do ${more.slice(0, 3).map((m) => `${m.column} (${m.accuracy.toFixed(2)})`).join(', ')}${more.length > 3 ? ', …' : ''}` : ''),
    );
  }
  for (const s of relatedIds.slice(0, 3)) {
    sentences.push(`id-like column ${s.column} (${s.reason === 'unique' ? 'one value per row' : 'monotonic in row order'}) is related to the label: cross-validated accuracy ${s.accuracy.toFixed(2)} (${priorText})`);
  }
  const unrelated = ids.filter((s) => !s.related).map((s) => s.column);
  const best = top[0];
  const verdict = sentences.length > 0 ? 'fail' : 'pass';
  const message =
    verdict === 'fail'
      ? `${sentences.map((s) => s[0]?.toUpperCase() + s.slice(1)).join('. ')}.`
      : `No single column predicts the label: the best, ${best?.column ?? '-'}, reaches cross-validated accuracy ${best?.accuracy.toFixed(2) ?? '-'} (${priorText}, limit ${options.maxSingleFeatureAccuracy}).` +
        (unrelated.length > 0 ? ` Id-like column${unrelated.length === 1 ? '' : 's'} ${unrelated.slice(0, 3).join(', ')} unrelated to the label.` : '');
  return {
    name: 'leakage',
    verdict,
    message,
    details: {
      evaluation: { folds: folds.length, rows: rows.length, over, byGroup: table.groups !== null },
      prior: round(prior),
      maxSingleFeatureAccuracy: options.maxSingleFeatureAccuracy,
      suspects: suspects.slice(0, 20),
      idLike: ids.slice(0, 20),
      top,
    },
  };
}
