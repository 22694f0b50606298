/**
 * `gauntlet status` for a chain of models: per hand-off, the end-to-end accuracy with its interval, then each test
 * item once (right, wrong at the upstream model, wrong at the downstream one) with counts and shares. Pure text, so
 * it is tested without Temporal.
 */
import type { RunProgress } from '../core/progress.js';
import { newTable } from './table.js';

export type HandoffAttribution = NonNullable<RunProgress['attribution']>[number];

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;

/** Which stage to improve first: the one with more of the end-to-end errors. */
function verdict({ upstream, downstream, stage1, stage2 }: HandoffAttribution): string {
  if (stage1 + stage2 === 0) return 'no end-to-end errors';
  if (stage1 === stage2) return `the stages share the errors evenly (${stage1} each)`;
  const [worse, count] = stage1 > stage2 ? [upstream, stage1] : [downstream, stage2];
  return `improve ${worse} first: ${count} of the ${stage1 + stage2} errors are its own`;
}

export function attributionTable(attribution: HandoffAttribution): string {
  const { upstream, downstream, n, correct, stage1, stage2, accuracy } = attribution;
  const share = (count: number): string => (n > 0 ? percent(count / n) : 'n/a');
  const table = newTable({ head: ['outcome', 'items', 'share'], colAligns: ['left', 'right', 'right'], chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  table.push(['correct', String(correct), share(correct)], [`${upstream} wrong`, String(stage1), share(stage1)], [`${downstream} wrong`, String(stage2), share(stage2)]);
  return [
    `  ${upstream} → ${downstream}: end-to-end accuracy ${percent(accuracy.estimate)} [${percent(accuracy.low)}, ${percent(accuracy.high)}] on ${n} test items`,
    table.toString(),
    `  ${verdict(attribution)}`,
  ].join('\n');
}

/** Every hand-off's table, in chain order; empty for a run of one model. */
export function attributionTables(attribution: RunProgress['attribution']): string[] {
  return (attribution ?? []).map(attributionTable);
}
