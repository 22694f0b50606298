/** The text people read from `schedule list` and `schedule describe` (`--json` prints the views as they are). */
import { newTable } from '../table.js';
import type { ScheduledRun, ScheduleListEntry, ScheduleView } from './view.js';

export function renderList(entries: ScheduleListEntry[]): string {
  if (entries.length === 0) return 'no schedules yet: create one with `gauntlet schedule create NAME --pipeline FILE --cron "0 2 * * *"`';
  const table = newTable({ head: ['schedule', 'pipeline', 'cron', 'state', 'next run', 'last run'] });
  for (const entry of entries) {
    table.push([
      entry.name,
      entry.pipeline ?? '',
      entry.cron ? `${entry.cron} (${entry.timezone})` : entry.timezone,
      state(entry),
      entry.paused ? '' : (entry.nextRun ?? ''),
      entry.lastRun ? runLine(entry.lastRun) : '',
    ]);
  }
  return table.toString();
}

export function renderDescription(view: ScheduleView): string {
  const lines = [
    `schedule ${view.name} · ${state(view)}`,
    `  pipeline         ${view.specName ?? view.pipeline ?? '?'}${view.specFile ? ` · ${view.specFile}` : ''}`,
    `  cron             ${view.cron ?? '(not set by gauntlet)'} · ${view.timezone}`,
    `  overlap          ${view.overlap} · catch-up window ${view.catchupWindow}`,
    `  starts           ${view.workflowType} on ${view.taskQueue} as ${view.workflowIdPrefix ?? '?'}-<scheduled time>`,
    `  actions          ${view.actionsTaken} taken · ${view.skippedOverlap} skipped (overlap) · ${view.missedCatchupWindow} missed (catch-up window)`,
    `  next runs        ${view.paused ? '(paused)' : view.nextRuns.slice(0, 3).join(', ') || 'none'}`,
  ];
  if (view.recentActions.length > 0) {
    lines.push('  recent runs');
    for (const run of view.recentActions) lines.push(`    ${runLine(run)}`);
  }
  lines.push(`  ${view.uiUrl}`);
  return lines.join('\n');
}

function state(entry: ScheduleListEntry): string {
  if (!entry.paused) return 'active';
  return entry.note ? `paused: ${entry.note}` : 'paused';
}

function runLine(run: ScheduledRun): string {
  // A run terminated from outside never ends its own GauntletStatus: Temporal's status says what happened.
  const closedOutside = run.status === 'running' && run.execution !== null && run.execution !== 'RUNNING';
  const status = (closedOutside ? null : run.status) ?? run.execution?.toLowerCase() ?? 'unknown';
  return `${run.workflowId} · ${status}`;
}
