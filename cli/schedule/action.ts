/**
 * The Temporal Schedule for a validated pipeline: the same workflow, task queue and search attributes as
 * `gauntlet run` (cli/commands/run.ts startRun), so a nightly run is found, filtered and shown like any other run.
 * Pure, so the exact arguments a schedule passes are checked without a server.
 */
import type { ScheduleOptions } from '@temporalio/client';
import { searchAttributes, type PipelineInput } from '../../contracts/pipeline.js';
import { OVERLAP_POLICIES, SCHEDULED_WORKFLOW_TYPE, scheduledWorkflowIdPrefix, type ScheduleMemo } from '../../contracts/schedule.js';
import { durationMs } from '../../core/spec/duration.js';
import type { PipelineSpec } from '../../core/spec/pipeline.js';
import type { CreateFlags } from './options.js';

export function pipelineScheduleOptions(flags: CreateFlags, spec: PipelineSpec, specFile: string, taskQueue: string): ScheduleOptions {
  const input: PipelineInput = { spec, specFile, trigger: { kind: 'schedule', schedule: flags.name } };
  const memo: ScheduleMemo = { pipeline: spec.name, specFile, cron: flags.cron.trim(), timezone: flags.timezone };
  const pipelineAttribute = { key: searchAttributes.pipeline, value: spec.name };
  return {
    scheduleId: flags.name,
    spec: { cronExpressions: [memo.cron], timezone: flags.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_WORKFLOW_TYPE,
      taskQueue,
      args: [input],
      workflowId: scheduledWorkflowIdPrefix(spec.name, flags.name),
      staticSummary: `pipeline ${spec.name} · schedule ${flags.name} · ${specFile}`,
      typedSearchAttributes: [
        pipelineAttribute,
        { key: searchAttributes.status, value: 'running' },
        { key: searchAttributes.stage, value: 'queued' },
      ],
    },
    policies: {
      overlap: OVERLAP_POLICIES[flags.overlap],
      ...(flags.catchupWindow ? { catchupWindow: durationMs(flags.catchupWindow) } : {}),
    },
    state: { paused: flags.paused, note: flags.note ?? pipelineNote(spec.name, specFile) },
    memo,
    // On the schedule too, so `GauntletPipeline = "digits"` finds it on the UI's Schedules page.
    typedSearchAttributes: [pipelineAttribute],
  };
}

/** The note a schedule carries while nobody has said more: the UI shows notes on the schedule's page, so it names the pipeline. */
export function pipelineNote(pipeline: string, specFile: string): string {
  return `pipeline ${pipeline} · ${specFile}`;
}
