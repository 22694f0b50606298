/**
 * A chain of models (`models:`): each model's scores, where each hand-off column came from, and, per hand-off, every
 * end-to-end test error attributed to the stage that made it, with which stage to improve first.
 */
import { PALETTE } from '../chart.js';
import { h, num, pct } from '../format.js';
import { plot, section, subsection, table, tiles, type Html } from '../html.js';
import type { ChainAttribution, ChainModel, ModelsSection } from '../types.js';

const HANDOFF_WORDS: Record<string, string> = {
  oof: 'out-of-fold: a downstream model trains on predictions the cross-fitted upstream fold models made for rows they never saw, so it learns from real mistakes; valid and test rows get the final upstream model\'s predictions',
  groundTruth: 'ground truth: a downstream model trains and is tested on the true upstream labels, so "end to end" here is the upper bound, not the chain as it runs',
  both: 'both: a downstream model trains on the true upstream labels; valid and test rows get the final upstream model\'s predictions',
};

/** Where a hand-off column's values came from, in the order people ask about them. */
const SOURCES: Array<[string, string]> = [
  ['outOfFold', 'out-of-fold predictions'],
  ['final', 'final model\'s predictions'],
  ['label', 'true labels'],
];

/** Colour-blind-safe: correct in blue, the upstream's errors in orange, the downstream's in vermillion. */
const TONES = [PALETTE[0]!, PALETTE[4]!, PALETTE[1]!];

const points = (share: number): string => `${(share * 100).toFixed(1)} points`;

/**
 * The plain-English verdict for one hand-off: which stage made more of the end-to-end errors (improve it first), and
 * how far end to end is from the downstream model fed true inputs (what a perfect upstream model would give).
 */
export function improveFirst(attribution: ChainAttribution, models: readonly ChainModel[] = []): string {
  const { upstream, downstream, n, correct, stage1, stage2, accuracy, upperBound } = attribution;
  const errors = stage1 + stage2;
  const share = (count: number) => pct(errors ? count / errors : null);
  const sentences: string[] = [];
  if (errors === 0) sentences.push(`All ${num(n)} test items are right end to end: neither stage made an error.`);
  else if (stage1 > stage2) sentences.push(`Improve ${upstream} first: it made ${num(stage1)} of the ${num(errors)} end-to-end errors (${share(stage1)}), ${downstream} ${num(stage2)} (${share(stage2)}).`);
  else if (stage2 > stage1) sentences.push(`Improve ${downstream} first: it made ${num(stage2)} of the ${num(errors)} end-to-end errors (${share(stage2)}), ${upstream} ${num(stage1)} (${share(stage1)}).`);
  else sentences.push(`The stages made as many of the ${num(errors)} end-to-end errors each (${num(stage1)}): improving either helps as much.`);
  if (upperBound !== null) {
    const truth = models.find((model) => model.name === upstream)?.labelColumn;
    const fed = truth ? `the true ${truth}` : `${upstream}'s true labels`;
    const gap = upperBound - accuracy.estimate;
    sentences.push(
      gap > 0
        ? `Fed ${fed}, ${downstream} reaches ${pct(upperBound)} against ${pct(accuracy.estimate)} end to end: a perfect ${upstream} would gain about ${points(gap)}; the last ${pct(1 - upperBound)} are ${downstream}'s own.`
        : `Fed ${fed}, ${downstream} reaches ${pct(upperBound)}, no more than ${pct(accuracy.estimate)} end to end: ${upstream}'s mistakes cost nothing measurable, so the room is in ${downstream} (${pct(1 - upperBound)} wrong on true inputs).`,
    );
  }
  if (correct + errors !== n) sentences.push(`(The counts add up to ${num(correct + errors)}, not ${num(n)}: the attribution is inconsistent.)`);
  return sentences.join(' ');
}

/** One horizontal bar, 0…n: right, the upstream's errors, the downstream's. */
function outcomeBar(a: ChainAttribution): Html {
  const width = 560;
  const inner = width - 40;
  const parts: Array<[string, number, string]> = [
    ['correct', a.correct, TONES[0]!],
    [`${a.upstream} wrong`, a.stage1, TONES[1]!],
    [`${a.downstream} wrong`, a.stage2, TONES[2]!],
  ];
  let x = 20;
  const rects = parts.map(([label, count, colour]) => {
    const w = a.n ? (count / a.n) * inner : 0;
    const rect = `<rect x="${x.toFixed(1)}" y="22" width="${w.toFixed(1)}" height="20" fill="${colour}"><title>${h(`${label}: ${num(count)} (${pct(a.n ? count / a.n : null)})`)}</title></rect>`;
    x += w;
    return rect;
  });
  let lx = 20;
  const legend = parts.map(([label, count, colour]) => {
    const text = `${label} ${num(count)}`;
    const item = `<rect x="${lx}" y="52" width="12" height="12" fill="${colour}"/><text x="${lx + 18}" y="58" dominant-baseline="middle">${h(text)}</text>`;
    lx += 34 + text.length * 7;
    return item;
  });
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="72" viewBox="0 0 ${width} 72" font-size="12">
<title>${h(`${a.upstream} → ${a.downstream}: ${a.correct} of ${a.n} test items right end to end`)}</title>
<rect x="20" y="22" width="${inner}" height="20" fill="#eef0f2"/>
${rects.join('\n')}
<text x="20" y="14" fill="#59636e">0</text><text x="${width - 20}" y="14" text-anchor="end" fill="#59636e">${h(num(a.n))} test items</text>
${legend.join('\n')}
</svg>`;
}

function attributionBlock(a: ChainAttribution, confidence: number, models: readonly ChainModel[]): Html {
  const level = `${Math.round(confidence * 100)}%`;
  const headline = tiles([
    { label: 'end-to-end accuracy', value: pct(a.accuracy.estimate), note: `${level} interval ${pct(a.accuracy.low)} – ${pct(a.accuracy.high)}` },
    ...(a.upperBound !== null ? [{ label: `${a.downstream} on true inputs`, value: pct(a.upperBound), note: 'the upper bound' }] : []),
    { label: 'end-to-end errors', value: num(a.stage1 + a.stage2), note: `of ${num(a.n)} test items` },
  ]);
  const share = (count: number) => h(pct(a.n ? count / a.n : null));
  const rows: Html[][] = [
    ['right end to end', h(num(a.correct)), share(a.correct)],
    [`${h(a.upstream)} wrong <span class="muted">(${h(a.downstream)} read a wrong input)</span>`, h(num(a.stage1)), share(a.stage1)],
    [`${h(a.downstream)} wrong <span class="muted">(its input was right)</span>`, h(num(a.stage2)), share(a.stage2)],
  ];
  return subsection(
    `Where the errors come from: ${a.upstream} → ${a.downstream}`,
    [
      headline,
      plot(outcomeBar(a), `Each test item once, as the chain ran it. An item wrong end to end counts against ${h(a.upstream)} when ${h(a.upstream)} was wrong on it, otherwise against ${h(a.downstream)}; an item ${h(a.downstream)} got right despite a wrong input counts as right.`),
      table(['outcome', 'items', 'share'], rows),
      `<p class="verdict">${h(improveFirst(a, models))}</p>`,
    ].join('\n'),
    `End-to-end accuracy with its ${h(level)} Wilson interval over ${h(num(a.n))} test items.`,
  );
}

export function modelsSection(data: ModelsSection): Html {
  const { models } = data;
  const readers = models.filter((model) => model.input);
  const chain = readers.length ? readers.map((model) => `${model.input!.from} → ${model.name}`).join(', ') : models.map((model) => model.name).join(', ');
  const anyOutOfFold = models.some((model) => model.outOfFoldAccuracy !== null);
  const anyOracle = models.some((model) => model.oracleAccuracy !== null);
  const scores = table(
    ['model', 'learns', 'reads', 'test accuracy', ...(anyOutOfFold ? ['out-of-fold accuracy'] : []), ...(anyOracle ? ['on true inputs'] : [])],
    models.map((model) => [
      `<b>${h(model.name)}</b>`,
      model.labelColumn ? `<code>${h(model.labelColumn)}</code>` : '—',
      model.input ? `${h(model.input.from)}'s predictions as <code>${h(model.input.as)}</code>` : 'the data',
      h(pct(model.testAccuracy)) + (model.input ? ' <span class="muted">end to end</span>' : ''),
      ...(anyOutOfFold ? [h(pct(model.outOfFoldAccuracy))] : []),
      ...(anyOracle ? [h(pct(model.oracleAccuracy))] : []),
    ]),
    { text: [0, 1, 2] },
  );
  const parts: Html[] = [
    subsection(
      'Each model',
      scores,
      'Test accuracy on the held-out test split; for a model that reads another\'s predictions it is end to end (fed the upstream model\'s test predictions). Out-of-fold: the cross-fitted fold models on the train rows each did not see, the quality of what a downstream model trained on. On true inputs: fed the true upstream labels instead, the best the chain can do with this model.',
    ),
  ];
  const handoffs = readers.filter((model) => model.handoff);
  if (handoffs.length) {
    const known = new Set(SOURCES.map(([key]) => key));
    const extra = [...new Set(handoffs.flatMap((model) => Object.keys(model.handoff!.counts)))].filter((key) => !known.has(key));
    const columns: Array<[string, string]> = [...SOURCES, ...extra.map((key): [string, string] => [key, key])];
    parts.push(
      subsection(
        'Hand-offs',
        table(
          ['to', 'column', 'from', ...columns.map(([, label]) => label), 'out-of-fold checked'],
          handoffs.map((model) => [
            `<b>${h(model.name)}</b>`,
            `<code>${h(model.input!.as)}</code>`,
            h(model.input!.from),
            ...columns.map(([key]) => h(num(model.handoff!.counts[key] ?? 0))),
            h(num(model.handoff!.outOfFoldChecked)),
          ]),
          { text: [0, 1, 2] },
        ),
        `Rows of the downstream data set by where their hand-off column came from. Out-of-fold checked: predictions verified against the recorded fold assignment to come from a fold model that never trained on the row.`,
      ),
    );
  }
  for (const attribution of data.attribution) parts.push(attributionBlock(attribution, data.confidence, models));
  const how = HANDOFF_WORDS[data.handoff] ?? data.handoff;
  return section('models', 'Models', `A chain of ${h(num(models.length))} models trained from one data set (${h(chain)}). Hand-off: ${h(how)}.`, parts.join('\n'));
}
