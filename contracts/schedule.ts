/**
 * What a Gauntlet schedule (a Temporal Schedule that retrains a pipeline) stores and how its runs are named, shared
 * by the CLI that writes it and anything that reads it back. The schedule starts `pipelineWorkflow` with one
 * `PipelineInput`: `{ spec, specFile, trigger: { kind: 'schedule', schedule: NAME } }`.
 */
import { z } from 'zod';

export const SCHEDULED_WORKFLOW_TYPE = 'pipelineWorkflow';

/** Schedule names end up in run ids, so they follow the pipeline-name rule and stay short. */
export const ScheduleName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (at most 63, no dash at either end)');

/**
 * The schedule's memo. Temporal keeps only the compiled calendar of a cron string, so the cron and time zone as the
 * person wrote them live here, next to the pipeline the UI's Schedules page and `schedule list` show.
 */
export const ScheduleMemo = z.object({
  pipeline: z.string(),
  specFile: z.string(),
  cron: z.string(),
  timezone: z.string(),
});
export type ScheduleMemo = z.infer<typeof ScheduleMemo>;

/** Temporal appends the action's scheduled time (`-2026-11-26T01:00:00Z`) to this id, one run id per firing. */
export function scheduledWorkflowIdPrefix(pipeline: string, schedule: string): string {
  return `${pipeline}-sched-${schedule}`;
}

/** The overlap policies a person picks from, by their CLI names, and Temporal's names for them. */
export const OVERLAP_POLICIES = { skip: 'SKIP', 'buffer-one': 'BUFFER_ONE', 'cancel-other': 'CANCEL_OTHER' } as const;
export type OverlapName = keyof typeof OVERLAP_POLICIES;
