/**
 * `gauntlet schedule create|list|describe|pause|unpause|trigger|delete`: nightly retraining on Temporal Schedules.
 * A schedule stores the validated spec and starts the same `pipelineWorkflow` as `gauntlet run`, so its runs show
 * up in `runs list`, the UI and the registry like any other; the Schedules page of the Temporal UI lists it.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ScheduleMemo, scheduledWorkflowIdPrefix } from '../../contracts/schedule.js';
import { searchAttributes } from '../../contracts/pipeline.js';
import type { PipelineSpec } from '../../core/spec/pipeline.js';
import { cliContext, runUiUrl, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { pipelineNote, pipelineScheduleOptions } from '../schedule/action.js';
import { onSchedule } from '../schedule/errors.js';
import { parseCreateFlags, type CreateFlags } from '../schedule/options.js';
import { renderDescription, renderList } from '../schedule/render.js';
import { triggerAndFindRun } from '../schedule/trigger.js';
import { isPipelineSchedule, listEntry, scheduleUiUrl, scheduleView, type ScheduleListEntry } from '../schedule/view.js';
import { resolveDataSource } from './run.js';
import { readPipelineFile } from './validate.js';

interface CreateOptions {
  pipeline: string;
  cron: string;
  timezone?: string;
  overlap?: string;
  catchupWindow?: string;
  paused?: boolean;
  note?: string;
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('retrain pipelines on a cron schedule (Temporal Schedules)');

  schedule
    .command('create')
    .description('store a validated pipeline as a Temporal Schedule that runs it on a cron')
    .argument('<name>', 'schedule name: lower-case, digits, dashes')
    .requiredOption('--pipeline <file>', 'pipeline YAML (validated now and stored with the schedule)')
    .requiredOption('--cron <expression>', 'when to run, e.g. "0 2 * * *" (minute hour day-of-month month day-of-week)')
    .option('--timezone <zone>', 'IANA time zone of the cron, e.g. Europe/Berlin (default UTC)')
    .option('--overlap <policy>', 'when the previous run is still going: skip, buffer-one or cancel-other (default skip)')
    .option('--catchup-window <duration>', 'after an outage, still start runs missed by up to this long, e.g. 1h (default: Temporal’s, 1 year)')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note on the schedule, e.g. why it is paused (default: the pipeline and its file)')
    .action(async (name: string, options: CreateOptions) => {
      const { flags, spec } = await checkCreate(name, options);
      const specFile = resolve(options.pipeline);
      const context = cliContext();
      await withClient(context, async (client) => {
        const handle = await onSchedule(name, () => client.schedule.create(pipelineScheduleOptions(flags, spec, specFile, context.taskQueue)), true);
        const created = await handle.describe();
        console.log(`schedule ${name} created: pipeline ${spec.name}, cron "${flags.cron}" (${flags.timezone}), overlap ${flags.overlap}${flags.paused ? ', paused' : ''}`);
        const next = created.info.nextActionTimes[0];
        if (!next) console.log(`  warning          the cron matches no future time: this schedule will never start a run`);
        else if (!flags.paused) console.log(`  next run         ${next.toISOString()}`);
        console.log(`  runs are named   ${scheduledWorkflowIdPrefix(spec.name, name)}-<scheduled time>`);
        console.log(`  ${scheduleUiUrl(context, name)}`);
      });
    });

  schedule
    .command('list')
    .description('the pipeline schedules: cron, state, next and last run')
    .option('--json', 'print a JSON array')
    .option('--pipeline <name>', 'only the schedules of this pipeline')
    .action(async (options: { json?: boolean; pipeline?: string }) => {
      const context = cliContext();
      // The schedule carries GauntletPipeline itself (cli/schedule/action.ts), so the server filters.
      const query = options.pipeline ? `${searchAttributes.pipeline.name} = ${JSON.stringify(options.pipeline)}` : undefined;
      await withClient(context, async (client) => {
        const entries: ScheduleListEntry[] = [];
        for await (const summary of client.schedule.list(query ? { query } : {})) {
          if (isPipelineSchedule(summary)) entries.push(await listEntry(client, context, summary));
        }
        entries.sort((a, b) => a.name.localeCompare(b.name));
        console.log(options.json ? JSON.stringify(entries) : renderList(entries));
      });
    });

  schedule
    .command('describe')
    .description('everything about one schedule, with its recent runs')
    .argument('<name>', 'schedule name')
    .option('--json', 'print one JSON object')
    .action(async (name: string, options: { json?: boolean }) => {
      const context = cliContext();
      await withClient(context, async (client) => {
        const description = await onSchedule(name, () => client.schedule.getHandle(name).describe());
        const view = await scheduleView(client, context, description);
        console.log(options.json ? JSON.stringify(view) : renderDescription(view));
      });
    });

  schedule
    .command('pause')
    .description('stop starting runs until unpaused (a running run goes on)')
    .argument('<name>', 'schedule name')
    .option('--note <text>', 'why, shown with the schedule')
    .action(async (name: string, options: { note?: string }) => {
      const note = nonEmpty(options.note, 'paused with `gauntlet schedule pause`');
      await withClient(cliContext(), (client) => onSchedule(name, () => client.schedule.getHandle(name).pause(note)));
      console.log(`schedule ${name} paused${options.note ? `: ${note}` : ''}`);
    });

  schedule
    .command('unpause')
    .description('start runs on the cron again')
    .argument('<name>', 'schedule name')
    .option('--note <text>', 'a note, shown with the schedule (default: the pipeline and its file again)')
    .action(async (name: string, options: { note?: string }) => {
      await withClient(cliContext(), async (client) => {
        const handle = client.schedule.getHandle(name);
        const memo = ScheduleMemo.safeParse((await onSchedule(name, () => handle.describe())).memo ?? {});
        // Temporal ignores an empty note here, and an unpause with it, so there is always one.
        const fallback = memo.success ? pipelineNote(memo.data.pipeline, memo.data.specFile) : 'unpaused with `gauntlet schedule unpause`';
        await onSchedule(name, () => handle.unpause(nonEmpty(options.note, fallback)));
      });
      console.log(`schedule ${name} unpaused`);
    });

  schedule
    .command('trigger')
    .description('start a run now, whatever the cron and pause say')
    .argument('<name>', 'schedule name')
    .action(async (name: string) => {
      const context = cliContext();
      await withClient(context, async (client) => {
        const workflowId = await onSchedule(name, () => triggerAndFindRun(client.schedule.getHandle(name)));
        if (workflowId) console.log(`triggered ${name}: started ${workflowId}\n  ${runUiUrl(context, workflowId)}`);
        else console.log(`triggered ${name}: the run starts shortly (see \`gauntlet schedule describe ${name}\`)`);
      });
    });

  schedule
    .command('delete')
    .description('delete the schedule (the runs it started are kept)')
    .argument('<name>', 'schedule name')
    .action(async (name: string) => {
      await withClient(cliContext(), (client) => onSchedule(name, () => client.schedule.getHandle(name).delete()));
      console.log(`schedule ${name} deleted (the runs it started are kept)`);
    });
}

/** Flags and pipeline file checked together: every problem of both in one exit 2, like `gauntlet validate`. */
async function checkCreate(name: string, options: CreateOptions): Promise<{ flags: CreateFlags; spec: PipelineSpec }> {
  const checked = parseCreateFlags({ name, ...options });
  let spec: PipelineSpec | null = null;
  let fileProblems: string[] = [];
  try {
    spec = resolveDataSource(await readPipelineFile(options.pipeline), options.pipeline);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    fileProblems = error.details.length > 0 ? error.details.map((line) => `${options.pipeline}: ${line}`) : [error.message];
  }
  const problems = [...(checked.ok ? [] : checked.problems), ...fileProblems];
  if (!checked.ok || spec === null) throw new CliError(`cannot create schedule ${name}: ${problems.length} problem(s)`, ExitCode.BadInput, problems);
  return { flags: checked.flags, spec };
}

function nonEmpty(text: string | undefined, fallback: string): string {
  if (text === undefined) return fallback;
  if (text.trim() === '') throw new CliError('--note must not be empty', ExitCode.BadInput);
  return text;
}
