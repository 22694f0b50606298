/** The sweep: trials best first, the objective against each hyperparameter, and early stopping's decisions. */
import { chart, type ChartDot } from '../chart.js';
import { h, lr, metric, num, param, pct } from '../format.js';
import { badge, facts, plot, plots, section, subsection, table, tiles, verdictBadge, type Html } from '../html.js';
import type { SweepSection, SweepTrial } from '../types.js';

/** Rows of the trial table and of the decision list; the whole table stays in the store. */
const MAX_ROWS = 100;

/** The decisions that counted: up to the first stop (a job may report an epoch more before its cancellation lands). */
function counted(trial: SweepTrial): SweepTrial['decisions'] {
  const stop = trial.decisions.findIndex((d) => d.action === 'stop');
  return stop < 0 ? trial.decisions : trial.decisions.slice(0, stop + 1);
}

/** The objective of a completed trial in bold; else the last value early stopping saw, and when. */
function objectiveCell(trial: SweepTrial, metricName: string): Html {
  if (trial.status === 'completed') return `<b>${h(metric(metricName, trial.objective))}</b>`;
  const last = counted(trial).filter((d) => d.value !== null).at(-1);
  return last ? `<span class="muted">${h(metric(metricName, last.value))} at epoch ${h(String(last.epoch))}</span>` : '—';
}

/** Best first: completed trials by objective, then stopped and failed ones, each by trial number. */
export function rankTrials(trials: readonly SweepTrial[], direction: 'maximize' | 'minimize'): SweepTrial[] {
  const rank = (t: SweepTrial) => (t.status === 'completed' && t.objective !== null ? 0 : t.status === 'stopped' ? 1 : t.status === 'running' ? 2 : 3);
  return [...trials].sort((a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank !== 0) return byRank;
    if (rank(a) === 0) return direction === 'maximize' ? b.objective! - a.objective! : a.objective! - b.objective!;
    return a.trial - b.trial;
  });
}

function scatter(data: SweepSection, parameter: SweepSection['parameters'][number]): Html {
  const { objective } = data;
  const categories =
    parameter.scale === 'categorical' ? [...new Set(data.trials.map((t) => String(t.config[parameter.name] ?? '—')))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) : undefined;
  const dots: ChartDot[] = [];
  for (const trial of data.trials) {
    const value = trial.config[parameter.name];
    if (value === undefined) continue;
    const y = trial.status === 'completed' ? trial.objective : null;
    const fallback = counted(trial).filter((d) => d.value !== null).at(-1)?.value ?? null;
    const shown = y ?? fallback;
    if (shown === null) continue;
    const x = categories ? categories.indexOf(String(value)) : typeof value === 'number' ? value : Number.NaN;
    if (!Number.isFinite(x)) continue;
    // A small horizontal jitter by trial number keeps repeats of one category apart, deterministically.
    const jitter = categories ? ((trial.trial * 0.618) % 1) * 0.5 - 0.25 : 0;
    dots.push({
      x: x + jitter,
      y: shown,
      colour: trial.status === 'completed' ? (trial.trial === data.bestTrial ? '#1f2328' : '#0072B2') : '#E69F00',
      title: `trial ${trial.trial} · ${parameter.name} ${param(value)} · ${objective.metric} ${metric(objective.metric, shown)}${trial.status === 'completed' ? '' : ' (when it was stopped)'}`,
      highlight: trial.trial === data.bestTrial,
    });
  }
  const shares = /accuracy/i.test(objective.metric);
  return plot(
    chart({
      title: `${objective.metric} against ${parameter.name}`,
      x: { label: `${parameter.name}${parameter.scale === 'log' ? ' (log scale)' : ''}`, ...(parameter.scale === 'log' ? { scale: 'log' as const } : {}), ...(categories ? { categories } : {}) },
      y: { label: objective.metric, ...(shares ? { format: (v: number) => pct(v, 0) } : {}) },
      dots,
      width: 420,
      height: 280,
    }),
    `Each dot is a trial: blue completed, orange stopped early (its last value), the ringed dot the best.`,
  );
}

function decisionsTable(data: SweepSection): Html {
  const decisions = data.trials
    .flatMap((trial) => counted(trial).map((d) => ({ trial: trial.trial, ...d })))
    .filter((d) => !d.complete)
    .sort((a, b) => a.epoch - b.epoch || a.trial - b.trial);
  if (decisions.length === 0) return '<p class="note">Early stopping made no decision (none configured, or no trial reached a rung).</p>';
  const stops = decisions.filter((d) => d.action === 'stop').length;
  const rows = decisions.slice(0, MAX_ROWS).map((d) => [
    h(String(d.trial)),
    h(String(d.milestone ?? d.epoch)),
    h(metric(data.objective.metric, d.value)),
    h(d.threshold === undefined || d.threshold === null ? '—' : metric(data.objective.metric, d.threshold)),
    d.action === 'stop' ? badge('stop', 'warn') : badge('continue', 'good'),
    h(d.reason),
  ]);
  const more = decisions.length > MAX_ROWS ? `<p class="note">${decisions.length - MAX_ROWS} more decisions are kept on the trials in the trial table.</p>` : '';
  return `<p>${h(num(decisions.length))} decisions: ${h(num(stops))} stopped a trial, ${h(num(decisions.length - stops))} let one continue.</p>${table(['trial', 'epoch', data.objective.metric, 'cutoff', 'decision', 'why'], rows, { text: [4, 5] })}${more}`;
}

export function sweepSection(data: SweepSection): Html {
  const ranked = rankTrials(data.trials, data.objective.direction);
  const names = data.parameters.map((p) => p.name);
  const rows = ranked.slice(0, MAX_ROWS).map((t) => [
    h(String(t.trial)) + (t.trial === data.bestTrial ? ' ★' : ''),
    verdictBadge(t.status),
    ...names.map((name) => h(t.config[name] === undefined ? '—' : param(t.config[name]!))),
    h(t.maxLr === null ? '—' : lr(t.maxLr)),
    h(`${t.epochsRun} / ${t.epochs}`),
    objectiveCell(t, data.objective.metric),
    h(t.stopReason ?? t.error ?? ''),
  ]);
  const trialTable = table(['trial', 'status', ...names, 'max LR', 'epochs', data.objective.metric, 'note'], rows, {
    text: [0, 1, names.length + 5],
    rowClass: (i) => (ranked[i]?.trial === data.bestTrial ? 'best' : undefined),
  });
  const more = ranked.length > MAX_ROWS ? `<p class="note">The best ${MAX_ROWS} of ${num(ranked.length)} trials; the whole table is in the store.</p>` : '';
  const best = data.trials.find((t) => t.trial === data.bestTrial);
  const body = [
    tiles([
      { label: 'trials', value: num(data.counts.trials) },
      { label: 'completed', value: num(data.counts.completed) },
      { label: 'stopped early', value: num(data.counts.stopped) },
      { label: 'failed', value: num(data.counts.failed) },
      { label: `best ${data.objective.metric}`, value: metric(data.objective.metric, best?.objective ?? null), note: best ? `trial ${best.trial}` : undefined },
    ].map((t) => (t.note === undefined ? { label: t.label, value: t.value } : { label: t.label, value: t.value, note: t.note }))),
    facts([
      ['Objective', h(`${data.objective.metric} (${data.objective.direction})`)],
      ['Search', h(data.strategy)],
      ['Early stopping', h(data.earlyStopping)],
      ['Ended', h(`${data.stoppedBecause}: ${data.endReason}`)],
    ]),
    subsection('Trials, best first', trialTable + more),
    data.parameters.length
      ? subsection(`${data.objective.metric} against each hyperparameter`, plots(...data.parameters.map((p) => scatter(data, p))), 'Where the good trials cluster is where the next search should look; a flat cloud means the parameter hardly matters in this range.')
      : '',
    subsection('Early-stopping decisions', decisionsTable(data), 'Each time a trial reached a rung, the rule compared it with the trials that got there before; a trial below the cutoff was stopped and its job cancelled.'),
  ];
  return section('sweep', 'Sweep', `${num(data.counts.trials)} trials searched the hyperparameters; the best was evaluated on the test split.`, body.filter(Boolean).join('\n'));
}
