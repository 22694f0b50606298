/** The LR range test: the loss against the learning rate, fastai's four suggestions, and the max LR chosen. */
import { chart } from '../chart.js';
import { h, lr } from '../format.js';
import { badge, plot, section, table, type Html } from '../html.js';
import type { LrFindSection, LrSuggestionsData } from '../types.js';

/** The colours core/lr/svg.ts uses, so the stored plot and the report agree. */
const COLOURS: Record<keyof LrSuggestionsData, string> = { valley: '#D55E00', steep: '#009E73', minimum: '#CC79A7', slide: '#E69F00' };

const RULES: Record<keyof LrSuggestionsData, string> = {
  valley: 'about two thirds down the longest stretch where the loss keeps falling (fastai\'s default)',
  steep: 'where the loss falls fastest against log LR',
  minimum: 'one tenth of the LR with the lowest loss',
  slide: 'walking left from the end until the slope stops changing (interval slide rule)',
};

export function lrFindSection(data: LrFindSection): Html {
  const names = Object.keys(COLOURS) as Array<keyof LrSuggestionsData>;
  const smoothed = data.curve.map((p) => p.smoothed);
  // The y range follows the smoothed curve: the raw loss explodes at the end of a test and would flatten the rest.
  const lo = smoothed.length ? Math.min(...smoothed) : undefined;
  const hi = smoothed.length ? Math.max(...smoothed) : undefined;
  const span = lo !== undefined && hi !== undefined ? hi - lo || Math.abs(hi) * 0.1 || 1 : 1;
  const svg = chart({
    title: 'LR range test: loss against learning rate',
    x: { label: 'learning rate (log scale)', scale: 'log' },
    y: { label: 'training loss', ...(lo !== undefined && hi !== undefined ? { min: lo - span * 0.08, max: hi + span * 0.25 } : {}) },
    series: [
      { name: 'loss per batch', points: data.points.map((p) => [p.lr, p.loss] as const), colour: '#8c959f', width: 1, opacity: 0.6 },
      { name: 'smoothed loss', points: data.curve.map((p) => [p.lr, p.smoothed] as const), colour: '#0072B2', width: 2.5 },
    ],
    vlines: [
      ...names.flatMap((name) => {
        const at = data.suggestions[name];
        return at === null ? [] : [{ at, label: `${name} ${lr(at)}`, colour: COLOURS[name] }];
      }),
      { at: data.chosen, label: `chosen max LR ${lr(data.chosen)}`, colour: '#1f2328', dash: '1 0' },
    ],
    height: 340,
  });
  const rows = names.map((name) => {
    const value = data.suggestions[name];
    const chosen = data.source === 'range_test' && name === data.policy;
    return [`<span class="swatch" style="background:${COLOURS[name]}"></span>${h(name)}${chosen ? ` ${badge('chosen', 'good')}` : ''}`, h(value === null ? 'none' : lr(value)), h(RULES[name])];
  });
  const verdict = data.trustworthy
    ? `<p>${badge('trustworthy', 'good')} The curve falls clearly and smoothly before it diverges, so its suggestions can be acted on.</p>`
    : `<p>${badge('not trustworthy', 'bad')} ${h(data.reasons.join('; '))}</p>`;
  const choice =
    data.source === 'fallback'
      ? `The curve was not trusted, so the declared fallback max LR ${h(lr(data.chosen))} was used.`
      : `The spec's policy <b>${h(data.policy)}</b> chose max LR <b>${h(lr(data.chosen))}</b> for one-cycle training.`;
  return section(
    'lr-find',
    'LR range test',
    'A short training run whose learning rate grows exponentially each batch. Where the loss falls fastest is a good peak learning rate; where it blows up is too high.',
    [
      plot(
        svg,
        `Grey: the loss of each batch; blue: the same smoothed as fastai does (the suggestions read this curve, trimmed at both ends). Dashed lines: fastai's four suggestions; the solid black line is the max LR the run used. ${choice}`,
      ),
      verdict,
      table(['suggestion', 'learning rate', 'rule'], rows, { text: [0, 2] }),
    ].join('\n'),
  );
}
