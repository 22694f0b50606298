/**
 * What the labeling stage measured: agreement on the double-labeled items, the human ceiling (annotators' accuracy
 * against the adjudicated label), settlements and attempts, and each annotator's throughput.
 */
import { agreementReport, annotatorAccuracy, type AgreementReport, type AnnotatorAccuracy } from '../agreement/index.js';
import type { AgreementLevel } from '../spec/labeling.js';
import { labelNoise } from '../eval/noise.js';
import type { ItemRating, QueueState } from './queue.js';
import type { SettledItem } from './settle.js';

export interface AnnotatorThroughput {
  annotator: string;
  kind: 'job' | 'human';
  batches: number;
  items: number;
  failed: number;
  expired: number;
  /** Items per hour over the time spent on the attempts that delivered labels. */
  itemsPerHour: number | null;
}

export interface LabelingSummary {
  items: number;
  batches: number;
  labeled: number;
  /** Items left out of training: unlabelable batches and disputes dropped. */
  unlabeled: number;
  settlements: Record<string, number>;
  doubleLabeled: number;
  attempts: { total: number; failed: number; expired: number };
  agreement: AgreementReport | null;
  /** Annotators' accuracy against the adjudicated label on double-labeled items: the best a model can be judged to reach. */
  humanCeiling: { accuracy: number | null; annotators: AnnotatorAccuracy[] };
  /** Label noise estimated from how often two annotators disagree on the double-labeled items (core/eval/noise.ts). */
  irreducibleError: number | null;
}

const ADJUDICATED = new Set(['agreed', 'third-annotator', 'majority']);

/** Agreement between the two copies of double-labeled batches; null until some item has both. */
export function overlapAgreement(ratings: readonly ItemRating[], level: AgreementLevel): AgreementReport | null {
  const copies = ratings.filter((rating) => rating.role === 'copy');
  const perItem = new Map<number, number>();
  for (const rating of copies) perItem.set(rating.item, (perItem.get(rating.item) ?? 0) + 1);
  const paired = copies.filter((rating) => (perItem.get(rating.item) ?? 0) >= 2);
  if (paired.length === 0) return null;
  return agreementReport(
    paired.map((rating) => ({ item: String(rating.item), annotator: rating.annotator, label: rating.label })),
    level,
  );
}

export function labelingSummary(state: QueueState, settled: readonly SettledItem[], level: AgreementLevel): LabelingSummary {
  const settlements: Record<string, number> = {};
  for (const item of settled) settlements[item.settlement] = (settlements[item.settlement] ?? 0) + 1;
  const attempts = state.batches.flatMap((batch) => batch.attempts);
  const reference = new Map(settled.filter((item) => item.doubleLabeled && ADJUDICATED.has(item.settlement)).map((item) => [String(item.item), item.label!]));
  const judged = state.ratings
    .filter((rating) => rating.role === 'copy' && reference.has(String(rating.item)))
    .map((rating) => ({ item: String(rating.item), annotator: rating.annotator, label: rating.label }));
  const annotators = annotatorAccuracy(judged, reference);
  const n = annotators.reduce((sum, annotator) => sum + annotator.n, 0);
  const correct = annotators.reduce((sum, annotator) => sum + annotator.correct, 0);
  return {
    items: settled.length,
    batches: state.batches.length,
    labeled: settled.filter((item) => item.label !== null).length,
    unlabeled: settled.filter((item) => item.label === null).length,
    settlements,
    doubleLabeled: settled.filter((item) => item.doubleLabeled).length,
    attempts: {
      total: attempts.length,
      failed: attempts.filter((attempt) => attempt.outcome === 'failed').length,
      expired: attempts.filter((attempt) => attempt.outcome === 'expired').length,
    },
    agreement: overlapAgreement(state.ratings, level),
    humanCeiling: { accuracy: n > 0 ? correct / n : null, annotators },
    irreducibleError: labelNoise(settled.filter((item) => item.doubleLabeled))?.noiseRate ?? null,
  };
}

export function throughput(state: QueueState, annotators: ReadonlyArray<{ name: string; kind: 'job' | 'human' }>): AnnotatorThroughput[] {
  return annotators.map(({ name, kind }) => {
    const attempts = state.batches.flatMap((batch) => batch.attempts.filter((attempt) => attempt.annotator === name).map((attempt) => ({ attempt, size: batch.items.length })));
    const labeled = attempts.filter(({ attempt }) => attempt.outcome === 'labeled');
    const items = labeled.reduce((sum, { size }) => sum + size, 0);
    const ms = labeled.reduce((sum, { attempt }) => sum + ((attempt.endedAt ?? attempt.startedAt) - attempt.startedAt), 0);
    return {
      annotator: name,
      kind,
      batches: labeled.length,
      items,
      failed: attempts.filter(({ attempt }) => attempt.outcome === 'failed').length,
      expired: attempts.filter(({ attempt }) => attempt.outcome === 'expired').length,
      itemsPerHour: ms > 0 ? (items * 3_600_000) / ms : null,
    };
  });
}
