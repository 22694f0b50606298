/**
 * `gauntlet runs list [--json] [--pipeline NAME] [--status failed,stopped_by_gate] [--schedule NAME]`: recent pipeline
 * runs with their status, stage and headline metric.
 */
import { z } from 'zod';
import { newTable } from '../table.js';
import { registerCompareCommand } from './compare.js';
import type { Command } from 'commander';
import { searchAttributes } from '../../contracts/pipeline.js';
import { RUN_STATUSES, type RunStatus } from '../../core/progress.js';
import { cliContext, runUiUrl, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';

export interface RunListEntry {
  runId: string;
  pipeline: string | null;
  execution: string;
  status: string | null;
  stage: string | null;
  bestMetric: number | null;
  startTime: string;
  closeTime: string | null;
  uiUrl: string;
}

const StatusList = z.array(z.enum(RUN_STATUSES)).min(1);

/** `--status failed,stopped_by_gate` → the GauntletStatus values; exit 2 naming the valid ones otherwise. */
export function parseStatuses(text: string): RunStatus[] {
  const parsed = StatusList.safeParse(text.split(',').map((status) => status.trim()));
  if (!parsed.success) throw new CliError(`--status ${JSON.stringify(text)}: use one or more of ${RUN_STATUSES.join(', ')}, separated by commas`, ExitCode.BadInput);
  return parsed.data;
}

export interface RunFilters {
  pipeline?: string;
  statuses?: RunStatus[];
  /** Runs a Temporal Schedule started: the server sets TemporalScheduledById on each. */
  schedule?: string;
}

/** The visibility query for `runs list`; values are JSON-quoted, which Temporal's query language accepts. */
export function runsQuery(filters: RunFilters): string {
  const clauses = [`WorkflowType = 'pipelineWorkflow'`];
  if (filters.pipeline) clauses.push(`GauntletPipeline = ${JSON.stringify(filters.pipeline)}`);
  if (filters.statuses?.length) clauses.push(`GauntletStatus IN (${filters.statuses.map((status) => JSON.stringify(status)).join(', ')})`);
  if (filters.schedule) clauses.push(`TemporalScheduledById = ${JSON.stringify(filters.schedule)}`);
  return clauses.join(' AND ');
}

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('list and compare runs');
  registerCompareCommand(runs);
  runs
    .command('list')
    .description('recent runs, newest first')
    .option('--json', 'print a JSON array')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--status <statuses>', `only runs with this GauntletStatus, comma-separated: ${RUN_STATUSES.join(', ')}`)
    .option('--schedule <name>', 'only runs started by this schedule')
    .option('--limit <n>', 'at most this many runs', (value) => Number.parseInt(value, 10), 20)
    .action(async (options: { json?: boolean; pipeline?: string; status?: string; schedule?: string; limit: number }) => {
      const statuses = options.status === undefined ? undefined : parseStatuses(options.status);
      const query = runsQuery({ pipeline: options.pipeline, statuses, schedule: options.schedule });
      const context = cliContext();
      await withClient(context, async (client) => {
        const entries: RunListEntry[] = [];
        for await (const execution of client.workflow.list({ query })) {
          const attributes = execution.typedSearchAttributes;
          entries.push({
            runId: execution.workflowId,
            pipeline: attributes.get(searchAttributes.pipeline) ?? null,
            execution: execution.status.name,
            status: attributes.get(searchAttributes.status) ?? null,
            stage: attributes.get(searchAttributes.stage) ?? null,
            bestMetric: attributes.get(searchAttributes.bestMetric) ?? null,
            startTime: execution.startTime.toISOString(),
            closeTime: execution.closeTime?.toISOString() ?? null,
            uiUrl: runUiUrl(context, execution.workflowId),
          });
          if (entries.length >= options.limit) break;
        }
        if (options.json) {
          console.log(JSON.stringify(entries));
          return;
        }
        if (entries.length === 0) {
          const filtered = options.pipeline || statuses || options.schedule;
          console.log(filtered ? `no runs match ${query}` : 'no runs yet: start one with `gauntlet run examples/digits/pipeline.yaml`');
          return;
        }
        const table = newTable({ head: ['run', 'status', 'stage', 'metric', 'started'] });
        for (const entry of entries) {
          table.push([entry.runId, entry.status ?? entry.execution.toLowerCase(), entry.stage ?? '', entry.bestMetric?.toFixed(4) ?? '', entry.startTime]);
        }
        console.log(table.toString());
      });
    });
}
