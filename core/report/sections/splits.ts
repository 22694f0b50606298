/** The splits section: sizes, class proportions per split, groups, and how alike valid and test are. */
import { barChart } from '../bars.js';
import { h, num, pct } from '../format.js';
import { plot, section, subsection, table, type Html } from '../html.js';
import type { SampleView, SplitsSection } from '../types.js';
import { checksBlock } from './checks.js';

const SPLIT_COLOURS: Record<string, string> = { train: '#0072B2', valid: '#E69F00', test: '#009E73' };
const SPLIT_WORDS: Record<string, string> = { train: 'fits the weights', valid: 'picks epochs, LRs and trials', test: 'held out for the final score' };

const shares = (counts: readonly number[]): number[] => {
  const total = counts.reduce((sum, n) => sum + n, 0);
  return counts.map((n) => (total ? n / total : 0));
};

/** Valid against test: the largest gap in one class's share, and the total variation distance of the two label distributions. */
function validTestComparison(data: SplitsSection): Html {
  const valid = data.splits.find((s) => s.name === 'valid');
  const test = data.splits.find((s) => s.name === 'test');
  if (!valid || !test || valid.size === 0 || test.size === 0) return '';
  const a = shares(valid.classCounts);
  const b = shares(test.classCounts);
  let worst = 0;
  let tv = 0;
  a.forEach((share, i) => {
    const gap = Math.abs(share - (b[i] ?? 0));
    tv += gap / 2;
    if (gap > Math.abs((a[worst] ?? 0) - (b[worst] ?? 0))) worst = i;
  });
  const gap = Math.abs((a[worst] ?? 0) - (b[worst] ?? 0));
  const name = data.classes[worst] ?? String(worst);
  const verdict = tv <= 0.05 ? 'they look alike' : tv <= 0.15 ? 'they differ somewhat: compare their scores with care' : 'they differ a lot: a validation score says little about the test score';
  const points = (share: number) => `${num(share * 100, 2)} percentage point${share * 100 === 1 ? '' : 's'}`;
  if (gap < 0.0005) return '<p>Valid and test have the same class proportions (to a tenth of a percentage point): they look alike.</p>';
  return `<p>Each class's share of valid and of test differs by at most ${h(points(gap))} (class ${h(name)}: ${h(pct(a[worst]))} of valid, ${h(pct(b[worst]))} of test). Half the summed differences, the total variation distance, is ${h(pct(tv))}: ${h(verdict)}.</p>`;
}

export function splitsSection(data: SplitsSection, view: SampleView): Html {
  const total = data.splits.reduce((sum, s) => sum + s.size, 0);
  const hasGroups = data.splits.some((s) => s.groups !== undefined);
  const extreme = (counts: readonly number[], pick: (a: number, b: number) => boolean) => {
    let best = 0;
    counts.forEach((n, i) => {
      if (pick(n, counts[best] ?? 0)) best = i;
    });
    return counts.length ? `${h(data.classes[best] ?? String(best))}: ${h(num(counts[best] ?? 0))}` : '—';
  };
  const head = ['split', 'what it is for', 'rows', 'share', ...(hasGroups ? ['groups'] : []), 'smallest class', 'largest class'];
  const rows = data.splits.map((s) => [
    `<b>${h(s.name)}</b>`,
    h(SPLIT_WORDS[s.name] ?? ''),
    h(num(s.size)),
    h(pct(total ? s.size / total : null)),
    ...(hasGroups ? [h(num(s.groups ?? null))] : []),
    extreme(s.classCounts, (a, b) => a < b),
    extreme(s.classCounts, (a, b) => a > b),
  ]);
  const perClass = table(
    ['class', ...data.splits.map((s) => s.name)],
    data.classes.map((name, i) => [h(name), ...data.splits.map((s) => `${h(num(s.classCounts[i] ?? 0))} <span class="muted">${h(pct(s.size ? (s.classCounts[i] ?? 0) / s.size : null))}</span>`)]),
  );
  const proportions = plot(
    barChart({
      title: 'Class proportions per split',
      categories: data.classes,
      groups: data.splits.map((s) => ({ name: s.name, colour: SPLIT_COLOURS[s.name] ?? '#888', values: shares(s.classCounts) })),
      xLabel: 'class',
      yLabel: 'share of the split',
      format: (v) => pct(v, 0),
    }),
    'Each class\'s share of each split. With a stratified split the three bars of a class are about equally tall; a class missing from a split would show as a gap.',
  );
  const how = [
    data.seed !== undefined ? `seed ${data.seed}` : '',
    data.stratify === undefined ? '' : data.stratify ? 'stratified by class' : 'not stratified',
    data.groupColumn ? `grouped by column ${data.groupColumn}` : '',
  ].filter(Boolean);
  const groups =
    data.groupColumn && data.straddlingGroups !== undefined
      ? data.straddlingGroups === 0
        ? `<p>No group of <code>${h(data.groupColumn)}</code> has rows in more than one split: rows from one source never straddle splits.</p>`
        : `<p>${h(num(data.straddlingGroups))} group${data.straddlingGroups === 1 ? ' of' : 's of'} <code>${h(data.groupColumn)}</code> ${data.straddlingGroups === 1 ? 'has' : 'have'} rows in more than one split: the model has seen their sources, so the test score is optimistic.</p>`
      : '';
  const body = [
    table(head, rows, { text: [0, 1, head.length - 2, head.length - 1] }),
    how.length ? `<p class="note">Split ${h(how.join(', '))}.</p>` : '',
    groups,
    subsection('Class proportions', proportions + (data.classes.length > 20 ? `<details><summary>Rows per class and split</summary>${perClass}</details>` : perClass)),
    subsection('Valid against test', validTestComparison(data) + (data.checks?.length ? checksBlock(data.checks, view, data.classes) : '')),
  ];
  return section('splits', 'Splits', 'How the rows were divided: the model learns from train, is tuned on valid and is scored once on test.', body.filter(Boolean).join('\n'));
}
