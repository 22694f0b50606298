/**
 * What `schedule list` and `schedule describe` show, read from Temporal and checked with zod: the memo and the
 * workflow arguments are whatever the server hands back, and a schedule someone else made may have neither.
 */
import type { Client, ScheduleDescription, ScheduleExecutionResult, ScheduleSummary } from '@temporalio/client';
import { z } from 'zod';
import { searchAttributes } from '../../contracts/pipeline.js';
import { OVERLAP_POLICIES, SCHEDULED_WORKFLOW_TYPE, ScheduleMemo, type OverlapName } from '../../contracts/schedule.js';
import { runUiUrl, type CliContext } from '../context.js';

export interface ScheduledRun {
  workflowId: string;
  scheduledAt: string;
  takenAt: string;
  /** Temporal's execution status (RUNNING, COMPLETED, FAILED, …), null when the run can no longer be described. */
  execution: string | null;
  /** GauntletStatus: running, succeeded, failed, stopped_by_gate, … */
  status: string | null;
  uiUrl: string;
}

export interface ScheduleListEntry {
  name: string;
  pipeline: string | null;
  specFile: string | null;
  cron: string | null;
  timezone: string;
  paused: boolean;
  note: string | null;
  nextRun: string | null;
  lastRun: ScheduledRun | null;
  uiUrl: string;
}

export interface ScheduleView extends ScheduleListEntry {
  /** The name inside the stored spec (what the runs are called), and how runs are told they came from a schedule. */
  specName: string | null;
  trigger: unknown;
  workflowType: string;
  taskQueue: string;
  workflowIdPrefix: string | null;
  overlap: string;
  catchupWindow: string;
  nextRuns: string[];
  recentActions: ScheduledRun[];
  runningWorkflowIds: string[];
  actionsTaken: number;
  missedCatchupWindow: number;
  skippedOverlap: number;
  createdAt: string;
  updatedAt: string | null;
}

/** The part of PipelineInput a schedule stores that describe shows; the rest of the spec is not re-validated here. */
const StoredInput = z.looseObject({
  spec: z.looseObject({ name: z.string() }),
  specFile: z.string().optional(),
  trigger: z.unknown().optional(),
});

export function scheduleUiUrl(context: CliContext, name: string): string {
  return `${context.uiUrl}/namespaces/${encodeURIComponent(context.namespace)}/schedules/${encodeURIComponent(name)}`;
}

/** Only schedules that start pipelines are Gauntlet's; others in the namespace are left out of `schedule list`. */
export function isPipelineSchedule(summary: ScheduleSummary): boolean {
  return summary.action?.workflowType === SCHEDULED_WORKFLOW_TYPE;
}

export async function listEntry(client: Client, context: CliContext, summary: ScheduleSummary): Promise<ScheduleListEntry> {
  const memo = ScheduleMemo.safeParse(summary.memo ?? {});
  const last = summary.info.recentActions.at(-1);
  return {
    name: summary.scheduleId,
    pipeline: memo.success ? memo.data.pipeline : null,
    specFile: memo.success ? memo.data.specFile : null,
    cron: memo.success ? memo.data.cron : null,
    timezone: memo.success ? memo.data.timezone : (summary.spec?.timezone ?? 'UTC'),
    paused: summary.state.paused,
    note: summary.state.note || null,
    nextRun: summary.info.nextActionTimes[0]?.toISOString() ?? null,
    lastRun: last ? await scheduledRun(client, context, last) : null,
    uiUrl: scheduleUiUrl(context, summary.scheduleId),
  };
}

export async function scheduleView(client: Client, context: CliContext, description: ScheduleDescription): Promise<ScheduleView> {
  const memo = ScheduleMemo.safeParse(description.memo ?? {});
  const input = StoredInput.safeParse(description.action.args?.[0]);
  const recentActions = await Promise.all(description.info.recentActions.map((action) => scheduledRun(client, context, action)));
  return {
    name: description.scheduleId,
    pipeline: memo.success ? memo.data.pipeline : null,
    specFile: memo.success ? memo.data.specFile : input.success ? (input.data.specFile ?? null) : null,
    cron: memo.success ? memo.data.cron : null,
    timezone: description.spec.timezone ?? 'UTC',
    paused: description.state.paused,
    note: description.state.note || null,
    nextRun: description.info.nextActionTimes[0]?.toISOString() ?? null,
    lastRun: recentActions.at(-1) ?? null,
    uiUrl: scheduleUiUrl(context, description.scheduleId),
    specName: input.success ? input.data.spec.name : null,
    trigger: input.success ? (input.data.trigger ?? null) : null,
    workflowType: description.action.workflowType,
    taskQueue: description.action.taskQueue,
    workflowIdPrefix: description.action.workflowId ?? null,
    overlap: overlapName(description.policies.overlap),
    catchupWindow: formatDuration(description.policies.catchupWindow),
    nextRuns: description.info.nextActionTimes.map((time) => time.toISOString()),
    recentActions,
    runningWorkflowIds: description.info.runningActions.map((action) => action.workflow.workflowId),
    actionsTaken: description.info.numActionsTaken,
    missedCatchupWindow: description.info.numActionsMissedCatchupWindow,
    skippedOverlap: description.info.numActionsSkippedOverlap,
    createdAt: description.info.createdAt.toISOString(),
    updatedAt: description.info.lastUpdatedAt?.toISOString() ?? null,
  };
}

/** A run the schedule started, with its status when Temporal still has it (retention may have dropped it). */
async function scheduledRun(client: Client, context: CliContext, action: ScheduleExecutionResult): Promise<ScheduledRun> {
  const { workflowId } = action.action.workflow;
  const description = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => null);
  return {
    workflowId,
    scheduledAt: action.scheduledAt.toISOString(),
    takenAt: action.takenAt.toISOString(),
    execution: description?.status.name ?? null,
    status: description?.typedSearchAttributes.get(searchAttributes.status) ?? null,
    uiUrl: runUiUrl(context, workflowId),
  };
}

/** The CLI's name for an overlap policy (`buffer-one`), also for policies set outside Gauntlet (`allow-all`). */
export function overlapName(policy: string | undefined): string {
  const known = (Object.keys(OVERLAP_POLICIES) as OverlapName[]).find((name) => OVERLAP_POLICIES[name] === policy);
  return known ?? (policy ?? 'SKIP').toLowerCase().replace(/_/g, '-');
}

/** Milliseconds in the largest unit that divides them: 3600000 → `1h`, 31536000000 → `365d`. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
