/**
 * The ratings, checked and indexed once for every statistic: labels become positions in one sorted label list,
 * and each item maps its annotators to those positions. Pure and deterministic (it runs in workflow code):
 * Maps rather than objects (ids like `__proto__` are data), code-unit string order rather than locale order.
 */
import { AgreementInputError } from './errors.js';

export const LEVELS = ['nominal', 'ordinal', 'interval'] as const;
/** Stevens' level of measurement: ordinal and interval labels are numbers. */
export type Level = (typeof LEVELS)[number];

/** One annotator's label for one item (a row of a long-format file). */
export interface Rating {
  item: string;
  annotator: string;
  label: string;
}

export interface RatingTable {
  level: Level;
  /** Number of ratings. */
  count: number;
  /** Distinct labels, sorted: numerically when all are numbers (ties by text), else by text. At ordinal and
   *  interval, as `String(Number(label))` writes them, so "1.0" and "1" are one label. */
  labels: string[];
  /** The number of each label at ordinal and interval; empty at nominal. */
  values: number[];
  /** Distinct annotators and items, sorted by text. */
  annotators: string[];
  items: string[];
  /** item -> annotator -> position of the label in `labels`. */
  byItem: Map<string, Map<string, number>>;
}

/** Decimal numbers as people write them (`-3`, `10`, `2.5`, `.5`, `1e3`); not `""`, `0x10`, `Infinity`, `NaN`. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Code-unit order: deterministic everywhere, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numerically when every label is a number (ties by text, for "1" and "1.0" at nominal), else by text. */
export function sortLabels(labels: Iterable<string>): string[] {
  const distinct = [...new Set(labels)];
  const numbers = new Map(distinct.map((label) => [label, parseNumber(label)]));
  if ([...numbers.values()].every((n) => n !== null)) {
    return distinct.sort((a, b) => (numbers.get(a) as number) - (numbers.get(b) as number) || compareText(a, b));
  }
  return distinct.sort(compareText);
}

function requireText(rating: Rating, index: number, field: 'item' | 'annotator' | 'label'): void {
  if (typeof rating[field] !== 'string' || rating[field] === '') {
    throw new AgreementInputError(`${field} is empty`, 'empty', index, field, String(rating[field] ?? ''));
  }
}

/** The label as the statistics compare it: the number's canonical text at ordinal and interval. */
function labelKey(rating: Rating, index: number, level: Level): string {
  if (level === 'nominal') return rating.label;
  const value = parseNumber(rating.label);
  if (value === null) {
    throw new AgreementInputError(
      `label ${JSON.stringify(rating.label)} is not a number (level ${level} needs numeric labels)`,
      'not-a-number', index, 'label', rating.label,
    );
  }
  return String(value);
}

/** Checks every rating (non-empty fields, numbers where the level needs them, one rating per annotator and item). */
export function tabulate(ratings: readonly Rating[], level: Level): RatingTable {
  if (!LEVELS.includes(level)) throw new RangeError(`level must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(level)})`);
  const keys: string[] = [];
  const firstIndex = new Map<string, Map<string, number>>();
  ratings.forEach((rating, index) => {
    requireText(rating, index, 'item');
    requireText(rating, index, 'annotator');
    requireText(rating, index, 'label');
    keys.push(labelKey(rating, index, level));
    const seen = firstIndex.get(rating.item) ?? new Map<string, number>();
    firstIndex.set(rating.item, seen);
    const first = seen.get(rating.annotator);
    if (first !== undefined) {
      const problem = `annotator ${JSON.stringify(rating.annotator)} rated item ${JSON.stringify(rating.item)} twice`;
      throw new AgreementInputError(problem, 'duplicate', index, 'annotator', rating.annotator, first);
    }
    seen.set(rating.annotator, index);
  });
  const labels = sortLabels(keys);
  const position = new Map(labels.map((label, i) => [label, i]));
  const byItem = new Map<string, Map<string, number>>();
  ratings.forEach((rating, index) => {
    const row = byItem.get(rating.item) ?? new Map<string, number>();
    byItem.set(rating.item, row);
    row.set(rating.annotator, position.get(keys[index] as string) as number);
  });
  return {
    level,
    count: ratings.length,
    labels,
    values: level === 'nominal' ? [] : labels.map(Number),
    annotators: [...new Set(ratings.map((r) => r.annotator))].sort(compareText),
    items: [...byItem.keys()].sort(compareText),
    byItem,
  };
}

/** How many ratings of each label an item has (indexed like `labels`), and how many ratings in all. */
export function labelCounts(table: RatingTable, item: string): { counts: number[]; m: number } {
  const counts = new Array<number>(table.labels.length).fill(0);
  const row = table.byItem.get(item);
  for (const label of row?.values() ?? []) counts[label] = (counts[label] as number) + 1;
  return { counts, m: row?.size ?? 0 };
}

/** Items with at least two ratings: the only ones that say anything about agreement. */
export function pairableItems(table: RatingTable): string[] {
  return table.items.filter((item) => (table.byItem.get(item)?.size ?? 0) >= 2);
}
