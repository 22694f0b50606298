/** The gates section: each gate's verdict with its evidence — the oracle bound against the goal, the overfit curve. */
import { chart } from '../chart.js';
import { h, num, pct } from '../format.js';
import { plot, section, subsection, verdictBadge, type Html } from '../html.js';
import type { GatesSection } from '../types.js';

const GATE_WORDS: Record<string, string> = {
  agreement: 'Annotator agreement: are the labels reliable enough to learn from?',
  oracle: 'Oracle bound: would even a perfect model reach the goal?',
  overfit: 'Overfit one batch: can the model memorise a tiny batch at all?',
};

/** A 0…1 bar for the oracle bound with the goal marked: how much room a perfect model leaves. */
function oracleMeter(bound: number, goalMin: number | undefined): Html {
  const width = 560;
  const x = (v: number) => 20 + Math.max(0, Math.min(1, v)) * (width - 40);
  const goal =
    goalMin === undefined
      ? ''
      : `<line x1="${x(goalMin)}" y1="14" x2="${x(goalMin)}" y2="50" stroke="#cf222e" stroke-width="2" stroke-dasharray="5 3"/><text x="${x(goalMin)}" y="64" text-anchor="middle" fill="#cf222e">goal ≥ ${h(pct(goalMin))}</text>`;
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="72" viewBox="0 0 ${width} 72" font-size="12">
<title>Oracle bound ${h(pct(bound))}${goalMin !== undefined ? ` against the goal ${h(pct(goalMin))}` : ''}</title>
<rect x="20" y="22" width="${width - 40}" height="20" fill="#eef0f2"/>
<rect x="20" y="22" width="${(x(bound) - 20).toFixed(1)}" height="20" fill="#0072B2"/>
<text x="20" y="14" fill="#59636e">0%</text><text x="${width - 20}" y="14" text-anchor="end" fill="#59636e">100%</text>
<text x="26" y="33" fill="#fff" font-weight="bold" dominant-baseline="middle">bound ${h(pct(bound))}</text>
${goal}
</svg>`;
}

function overfitPlot(overfit: NonNullable<GatesSection['overfit']>): Html {
  const points = overfit.curve.map((loss, step) => [step, loss] as const);
  const positive = overfit.curve.every((v) => v === null || v > 0);
  const svg = chart({
    title: 'Overfit gate: loss on one fixed batch per step',
    x: { label: 'step', integer: true, min: 0 },
    y: { label: 'training loss on the batch', scale: positive ? 'log' : 'linear' },
    series: [{ name: `loss on one batch of ${overfit.batchSize}`, points, colour: '#0072B2' }],
    hlines: [{ at: overfit.lossThreshold, label: `threshold ${num(overfit.lossThreshold)}`, colour: '#cf222e' }],
  });
  const last = [...overfit.curve].reverse().find((v) => v !== null) ?? null;
  const outcome = overfit.passed
    ? `It fell below the threshold after ${overfit.curve.length} of at most ${overfit.maxSteps} steps: the model and the data pipeline can learn.`
    : `After ${overfit.curve.length} steps it stood at ${num(last)}, above the threshold: the model or the data pipeline is broken (labels not matching inputs, an optimizer that does not update, a wrong loss).`;
  return plot(svg, `The training loss on one fixed batch of ${h(num(overfit.batchSize))} training rows, step by step (log scale). ${h(outcome)}`);
}

export function gatesSection(data: GatesSection): Html {
  const verdicts = data.verdicts
    .map((g) => `<div class="gate"><div class="gate-head">${verdictBadge(g.passed ? 'passed' : 'failed')} <b>${h(GATE_WORDS[g.gate] ?? `Check: ${g.gate}`)}</b></div><p>${h(g.explanation)}</p></div>`)
    .join('\n');
  const checks = data.dataChecks?.length
    ? `<div class="gate"><div class="gate-head"><b>Data checks</b> ${data.dataChecks.map((c) => `${verdictBadge(c.verdict)} ${h(c.name)}`).join(' ')}</div><p>Each with its evidence under <a href="#data">Data</a> (the split comparison under <a href="#splits">Splits</a>).</p></div>`
    : '';
  const parts = [checks, verdicts].filter(Boolean);
  if (data.oracle) {
    parts.push(
      subsection(
        'Oracle bound',
        plot(
          oracleMeter(data.oracle.bound, data.oracle.goalMin),
          `The true labels of the ${h(data.oracle.split)} split, scored through the same label → output conversion as the predictions: ${h(pct(data.oracle.bound))} is the best any model can reach here.${data.oracle.goalMin !== undefined ? ` The goal asks for ${h(pct(data.oracle.goalMin))}.` : ''}`,
        ),
      ),
    );
  }
  if (data.overfit) parts.push(subsection('Overfit one batch', overfitPlot(data.overfit)));
  return section('gates', 'Gates', 'Checks that stop a run before it spends training time, each with the evidence it was decided on.', parts.join('\n'));
}
