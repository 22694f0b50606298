/** `gauntlet runs list [--json]`: recent pipeline runs with their status, stage and headline metric. */
import { newTable } from '../table.js';
import { registerCompareCommand } from './compare.js';
import type { Command } from 'commander';
import { searchAttributes } from '../../contracts/pipeline.js';
import { cliContext, runUiUrl, withClient } from '../context.js';

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

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('list and compare runs');
  registerCompareCommand(runs);
  runs
    .command('list')
    .description('recent runs, newest first')
    .option('--json', 'print a JSON array')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--limit <n>', 'at most this many runs', (value) => Number.parseInt(value, 10), 20)
    .action(async (options: { json?: boolean; pipeline?: string; limit: number }) => {
      const context = cliContext();
      await withClient(context, async (client) => {
        const filters = [`WorkflowType = 'pipelineWorkflow'`];
        if (options.pipeline) filters.push(`GauntletPipeline = ${JSON.stringify(options.pipeline)}`);
        const entries: RunListEntry[] = [];
        for await (const execution of client.workflow.list({ query: filters.join(' AND ') })) {
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
          console.log('no runs yet: start one with `gauntlet run examples/digits/pipeline.yaml`');
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
