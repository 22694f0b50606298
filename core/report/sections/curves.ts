/** Learning curves: loss and metrics per epoch of the trained model, and each sweep trial's objective per epoch. */
import { chart, PALETTE, type ChartSeries } from '../chart.js';
import { h, metric, num, pct } from '../format.js';
import { plot, plots, section, subsection, table, type Html } from '../html.js';
import type { CurvesSection, EpochMetrics } from '../types.js';

/** Not curves: the epoch counter and the lr the trainer may log. */
const SKIP = new Set(['epochs', 'epoch', 'lr', 'steps']);

function seriesOf(epochs: readonly EpochMetrics[], names: readonly string[]): ChartSeries[] {
  return names.map((name, i) => ({
    name,
    points: epochs.map((e) => [e.epoch, e.metrics[name] ?? null] as const),
    colour: name.startsWith('train') ? PALETTE[0]! : name.startsWith('val') ? PALETTE[1]! : PALETTE[(i + 2) % PALETTE.length]!,
    dots: epochs.length <= 40,
  }));
}

function mainCurves(main: NonNullable<CurvesSection['main']>): Html {
  const names = [...new Set(main.epochs.flatMap((e) => Object.keys(e.metrics)))].filter((name) => !SKIP.has(name));
  const losses = names.filter((name) => /loss/i.test(name));
  const others = names.filter((name) => !/loss/i.test(name));
  const x = { label: 'epoch', integer: true };
  const figures: Html[] = [];
  if (losses.length) {
    figures.push(
      plot(
        chart({ title: 'Loss per epoch', x, y: { label: 'loss' }, series: seriesOf(main.epochs, losses), width: 470 }),
        'Training loss (averaged over the epoch\'s batches) and validation loss at the end of each epoch. Validation loss rising while training loss falls is overfitting.',
      ),
    );
  }
  if (others.length) {
    const shares = others.every((name) => /accuracy|f1|precision|recall|auc/i.test(name));
    figures.push(
      plot(
        chart({ title: 'Metrics per epoch', x, y: { label: others.join(', '), ...(shares ? { format: (v: number) => pct(v, 0) } : {}) }, series: seriesOf(main.epochs, others), width: 470 }),
        'The validation metrics at the end of each epoch: the model that was kept is the last epoch\'s.',
      ),
    );
  }
  const rows = main.epochs.map((e) => [h(String(e.epoch)), ...names.map((name) => h(metric(name, e.metrics[name] ?? null)))]);
  const numbers = main.epochs.length <= 60 ? `<details><summary>Every epoch as numbers</summary>${table(['epoch', ...names], rows)}</details>` : '';
  return subsection(main.name, plots(...figures) + numbers);
}

const STATUS_COLOURS: Record<string, string> = { completed: '#0072B2', stopped: '#E69F00', failed: '#cf222e', running: '#8c959f' };
const STATUS_WORDS: Record<string, string> = { completed: 'completed', stopped: 'stopped early', failed: 'failed', running: 'running' };

function trialCurves(trials: NonNullable<CurvesSection['trials']>, objective: CurvesSection['objective']): Html {
  const labelled = new Set<string>();
  const series: ChartSeries[] = [];
  // Ordinary trials first, the best on top.
  for (const trial of [...trials].sort((a, b) => Number(a.best) - Number(b.best))) {
    const key = trial.best ? 'best' : trial.status;
    const first = !labelled.has(key);
    labelled.add(key);
    series.push({
      name: trial.best ? `trial ${trial.trial} (best)` : `${STATUS_WORDS[trial.status] ?? trial.status}`,
      points: trial.curve.map((v, i) => [i + 1, v] as const),
      colour: trial.best ? '#1f2328' : (STATUS_COLOURS[trial.status] ?? '#8c959f'),
      width: trial.best ? 3 : 1.5,
      opacity: trial.best ? 1 : 0.7,
      dots: trial.curve.length <= 30,
      hideInLegend: !first,
      // A running or stopped trial reports only the epochs its stopping rule reads (ASHA's rungs).
      connectGaps: true,
      ...(trial.status === 'stopped' ? { dash: '5 3' } : {}),
    });
  }
  const name = objective?.metric ?? 'objective';
  const shares = /accuracy/i.test(name);
  const svg = chart({
    title: `Sweep: ${name} per epoch for every trial`,
    x: { label: 'epoch', integer: true },
    y: { label: name, ...(shares ? { format: (v: number) => pct(v, 0) } : {}) },
    series,
    width: 720,
    height: 340,
  });
  return subsection(
    `Every trial's ${name}`,
    plot(svg, `One line per trial: ${h(name)} at the end of each epoch${objective ? ` (${objective.direction === 'maximize' ? 'higher' : 'lower'} is better)` : ''}. Dashed lines end where early stopping cut a trial short; the thick black line is the best trial, the one that was evaluated.`),
  );
}

export function curvesSection(data: CurvesSection): Html {
  const parts: Html[] = [];
  if (data.main) parts.push(mainCurves(data.main));
  if (data.trials?.length) parts.push(trialCurves(data.trials, data.objective));
  const epochs = data.main?.epochs.length ?? 0;
  return section(
    'curves',
    'Learning curves',
    `How training went, epoch by epoch${data.trials?.length ? `, for the model that was kept and for each of the ${num(data.trials.length)} sweep trials` : ''}${epochs ? ` (${num(epochs)} epochs)` : ''}.`,
    parts.join('\n'),
  );
}
