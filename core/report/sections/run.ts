/** The top of the report: which run, did it meet its goal, its headline numbers, and what the spec asked for. */
import { duration, h, metric, utc } from '../format.js';
import { badge, facts, table, tiles, verdictBadge, type Html } from '../html.js';
import type { RunInfo } from '../types.js';

/** Headline metrics in this order, when present; every metric is in the table below them. */
const HEADLINE = ['test_accuracy', 'test_final_accuracy', 'test_loss', 'val_accuracy', 'oracle_final_accuracy', 'human_ceiling_accuracy', 'sweep_trials'];

function goalLine(run: RunInfo): Html {
  const goal = run.goal;
  if (!goal) return '<p class="goal">No goal was declared.</p>';
  const bound = [goal.min !== undefined ? `≥ ${metric(goal.metric, goal.min)}` : '', goal.max !== undefined ? `≤ ${metric(goal.metric, goal.max)}` : ''].filter(Boolean).join(' and ');
  const verdict = goal.met === null ? badge('unknown', 'neutral') : goal.met ? badge('goal met', 'good') : badge('goal not met', 'bad');
  return `<p class="goal">${verdict} The goal was ${h(goal.metric)} ${h(bound)}; the model reached <b>${h(metric(goal.metric, goal.value))}</b>.</p>`;
}

export function runHeader(run: RunInfo): Html {
  const seconds = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : Number.NaN;
  const headline = HEADLINE.filter((name) => run.metrics[name] !== undefined).slice(0, 5);
  const code = run.code ? `gauntlet ${run.code.gauntlet}${run.code.gitCommit ? ` · commit ${run.code.gitCommit.slice(0, 12)}${run.code.gitDirty ? ' (with uncommitted changes)' : ''}` : ''}` : '';
  const info = facts([
    ['Pipeline', h(run.pipeline)],
    ['Status', verdictBadge(run.status)],
    ['Started', h(utc(run.startedAt))],
    ['Finished', `${h(utc(run.finishedAt))}${Number.isFinite(seconds) ? ` <span class="muted">(${h(duration(seconds))})</span>` : ''}`],
    ...(run.specFile ? ([['Spec file', `<code>${h(run.specFile)}</code>`]] as Array<[string, Html]>) : []),
    ...(code ? ([['Code', h(code)]] as Array<[string, Html]>) : []),
    ...(run.manifestUri ? ([['Manifest', `<code>${h(run.manifestUri)}</code>`]] as Array<[string, Html]>) : []),
  ]);
  const spec = run.spec.length ? `<h3>What the spec asked for</h3>${table(['stage', 'settings'], run.spec.map(([what, how]) => [h(what), h(how)]), { text: [0, 1] })}` : '';
  const all = Object.entries(run.metrics);
  const metrics = all.length
    ? `<details><summary>All ${all.length} recorded metrics</summary>${table(['metric', 'value'], all.map(([name, value]) => [h(name), h(metric(name, value))]))}</details>`
    : '';
  return `<header>
<p class="kicker">Gauntlet run report</p>
<h1>${h(run.runId)}</h1>
${run.description ? `<p class="description">${h(run.description)}</p>` : ''}
${goalLine(run)}
${headline.length ? tiles(headline.map((name) => ({ label: name.replace(/_/g, ' '), value: metric(name, run.metrics[name] ?? null) }))) : ''}
${info}
${spec}
${metrics}
</header>`;
}
