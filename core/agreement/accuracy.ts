/**
 * Each annotator's accuracy against reference labels (adjudicated or gold): the "human ceiling" a model is
 * compared with. Labels are compared as text; items without a reference label are not counted.
 */
import { tabulate, type Rating } from './ratings.js';

export interface AnnotatorAccuracy {
  annotator: string;
  /** The annotator's ratings of items that have a reference label. */
  n: number;
  correct: number;
  /** correct / n; null when n is 0. */
  accuracy: number | null;
}

export function annotatorAccuracy(
  ratings: readonly Rating[],
  reference: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): AnnotatorAccuracy[] {
  // Same checks as the report: empty fields and double ratings are input errors here too.
  const { annotators } = tabulate(ratings, 'nominal');
  const lookup = (item: string): string | undefined =>
    reference instanceof Map ? reference.get(item) : Object.hasOwn(reference, item) ? (reference as Record<string, string>)[item] : undefined;
  const tally = new Map(annotators.map((a) => [a, { n: 0, correct: 0 }]));
  for (const rating of ratings) {
    const truth = lookup(rating.item);
    const entry = tally.get(rating.annotator);
    if (truth === undefined || entry === undefined) continue;
    entry.n += 1;
    if (rating.label === truth) entry.correct += 1;
  }
  return annotators.map((annotator) => {
    const { n, correct } = tally.get(annotator) ?? { n: 0, correct: 0 };
    return { annotator, n, correct, accuracy: n === 0 ? null : correct / n };
  });
}
