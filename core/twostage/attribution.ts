/**
 * Which stage an end-to-end error belongs to. Per test item: right end to end → correct; wrong with stage 1 wrong →
 * stage 1 (stage 2 read the wrong input); wrong with stage 1 right → stage 2. So stage1 + stage2 is exactly the
 * end-to-end error count, and an item stage 2 got right despite a wrong stage 1 counts as correct.
 */
import { proportionInterval } from '../eval/proportion.js';
import type { Interval } from '../eval/interval.js';

export interface AttributionItem {
  stage1Truth: string | number;
  stage1Prediction: string | number;
  stage2Truth: string | number;
  /** Stage 2's prediction when fed stage 1's prediction (end to end). */
  stage2Prediction: string | number;
}

export interface AttributionCounts {
  correct: number;
  stage1: number;
  stage2: number;
}

export interface Attribution {
  n: number;
  counts: AttributionCounts;
  /** End-to-end accuracy with its Wilson interval. */
  accuracy: Interval;
  confidence: number;
  /** The stage with more of the errors, or null with no errors or a tie. */
  blame: 'stage1' | 'stage2' | null;
}

export function attributeErrors(items: readonly AttributionItem[], options: { confidence?: number } = {}): Attribution {
  const confidence = options.confidence ?? 0.95;
  if (items.length === 0) throw new RangeError('attribution needs at least one test item');
  const counts: AttributionCounts = { correct: 0, stage1: 0, stage2: 0 };
  for (const item of items) {
    // Compared as strings: labels from a CSV and predicted class indices may meet as "3" and 3.
    if (String(item.stage2Prediction) === String(item.stage2Truth)) counts.correct += 1;
    else if (String(item.stage1Prediction) !== String(item.stage1Truth)) counts.stage1 += 1;
    else counts.stage2 += 1;
  }
  const accuracy = proportionInterval(counts.correct, items.length, { method: 'wilson', confidence });
  const blame = counts.stage1 > counts.stage2 ? 'stage1' : counts.stage2 > counts.stage1 ? 'stage2' : null;
  return { n: items.length, counts, accuracy, confidence, blame };
}

/** For the CLI: the accuracy line, then one row per outcome with its count and share of all items. */
export function attributionTable(attribution: Attribution, names: { stage1?: string; stage2?: string } = {}): string {
  const { n, counts, accuracy, confidence } = attribution;
  const percent = (count: number): string => `${((100 * count) / n).toFixed(1)}%`;
  const rows: Array<[string, number]> = [
    ['correct', counts.correct],
    [`${names.stage1 ?? 'stage 1'} wrong`, counts.stage1],
    [`${names.stage2 ?? 'stage 2'} wrong`, counts.stage2],
  ];
  const width = Math.max('outcome'.length, ...rows.map(([label]) => label.length));
  const countWidth = Math.max('items'.length, String(n).length);
  const line = (label: string, count: string, share: string): string => `${label.padEnd(width)}  ${count.padStart(countWidth)}  ${share.padStart(6)}`;
  return [
    `end-to-end accuracy ${accuracy.estimate.toFixed(3)} [${accuracy.low.toFixed(3)}, ${accuracy.high.toFixed(3)}] (${Math.round(confidence * 100)}% Wilson, n=${n})`,
    line('outcome', 'items', 'share'),
    ...rows.map(([label, count]) => line(label, String(count), percent(count))),
  ].join('\n');
}
