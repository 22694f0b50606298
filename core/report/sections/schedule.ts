/** The one-cycle schedule: learning rate and momentum at every step of training. */
import { chart } from '../chart.js';
import { h, lr, num, param } from '../format.js';
import { facts, plot, plots, section, type Html } from '../html.js';
import type { ScheduleSection } from '../types.js';

export function scheduleSection(data: ScheduleSection): Html {
  const xAxis = { label: `step (${num(data.stepsPerEpoch)} per epoch, ${num(data.epochs)} epochs)`, integer: true, min: 0, max: Math.max(1, data.totalSteps - 1) };
  const lrPlot = chart({
    title: 'One-cycle learning rate per step',
    x: xAxis,
    y: { label: 'learning rate', min: 0, format: (v) => (v === 0 ? '0' : lr(v)) },
    series: [{ name: 'learning rate', points: data.points.map((p) => [p.step, p.lr] as const), colour: '#0072B2', width: 2.5 }],
    hlines: [{ at: data.maxLr, label: `max LR ${lr(data.maxLr)}`, colour: '#D55E00' }],
    width: 470,
  });
  const momentumPoints = data.points.filter((p) => p.momentum !== null).map((p) => [p.step, p.momentum] as const);
  const momentum = momentumPoints.length
    ? chart({
        title: 'One-cycle momentum per step',
        x: xAxis,
        y: { label: 'momentum (β₁ for Adam)' },
        series: [{ name: 'momentum', points: momentumPoints, colour: '#009E73', width: 2.5 }],
        width: 470,
      })
    : '';
  const first = data.points[0];
  const last = data.points[data.points.length - 1];
  const warmup = typeof data.options.pctStart === 'number' ? Math.round(data.options.pctStart * data.totalSteps) : null;
  const info = facts([
    ['Whose', h(data.of)],
    ['Max LR', h(lr(data.maxLr))],
    ['Starts at', h(first ? lr(first.lr) : '—')],
    ['Ends at', h(last ? lr(last.lr) : '—')],
    ['Steps', `${h(num(data.totalSteps))} (${h(num(data.epochs))} epochs × ${h(num(data.stepsPerEpoch))} batches)`],
    ['Warm-up', warmup === null ? '—' : `${h(num(warmup))} steps`],
    ['Options', h(Object.entries(data.options).map(([k, v]) => `${k} ${param(v)}`).join(' · '))],
  ]);
  return section(
    'schedule',
    'One-cycle schedule',
    'The learning rate rises from a small value to the max LR, then anneals far below where it started; momentum moves the other way. This is the schedule the training job ran, computed step by step as PyTorch\'s OneCycleLR does.',
    [
      info,
      plots(
        plot(lrPlot, 'Learning rate per optimizer step. The warm-up lets the weights settle before the largest steps; the long anneal lets the model settle into a minimum.'),
        momentum ? plot(momentum, 'Momentum per step: lowest while the learning rate peaks, so the two do not compound.') : '',
      ),
    ].join('\n'),
  );
}
