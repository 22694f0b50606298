/**
 * `gauntlet status RUN [--json]`: the run's live progress (workflow query), falling back to what the server
 * records (status and search attributes) when no worker can answer the query.
 */
import type { Client } from '@temporalio/client';
import { attributionTables } from '../attributionTable.js';
import { newTable } from '../table.js';
import type { Command } from 'commander';
import type { RunProgress } from '../../core/progress.js';
import { progressQuery, searchAttributes } from '../../contracts/pipeline.js';
import { cliContext, runUiUrl, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';

export interface RunStatusView {
  runId: string;
  /** Temporal's status of the workflow execution (RUNNING, COMPLETED, FAILED, CANCELLED, …). */
  execution: string;
  progress: RunProgress | null;
  pipeline: string | null;
  stage: string | null;
  /** The workflow memo: gate verdicts and the LR decision, as the Temporal UI shows them. */
  memo: Record<string, unknown>;
  uiUrl: string;
}

export async function readRunStatus(client: Client, runId: string, uiUrl: string): Promise<RunStatusView> {
  const handle = client.workflow.getHandle(runId);
  let description;
  try {
    description = await handle.describe();
  } catch {
    throw new CliError(`no run ${JSON.stringify(runId)}: list runs with \`gauntlet runs list\``, ExitCode.BadInput);
  }
  const progress = await handle.query(progressQuery).catch(() => null);
  return {
    runId,
    execution: description.status.name,
    progress,
    pipeline: description.typedSearchAttributes.get(searchAttributes.pipeline) ?? null,
    stage: description.typedSearchAttributes.get(searchAttributes.stage) ?? null,
    memo: description.memo ?? {},
    uiUrl,
  };
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show the stages, progress and metrics of a run')
    .argument('<run>', 'run id (workflow id), e.g. digits-20261126T124500Z')
    .option('--json', 'print the status as JSON')
    .action(async (runId: string, options: { json?: boolean }) => {
      const context = cliContext();
      await withClient(context, async (client) => {
        const view = await readRunStatus(client, runId, runUiUrl(context, runId));
        if (options.json) {
          console.log(JSON.stringify(view));
          return;
        }
        console.log(`${view.runId} · ${view.execution}${view.pipeline ? ` · pipeline ${view.pipeline}` : ''}`);
        if (view.progress) {
          const table = newTable({ head: ['stage', 'status', 'detail'], wordWrap: true, colWidths: [12, 11, 80] });
          for (const stage of view.progress.stages) table.push([stage.stage, stage.status, [stage.detail, stage.retrying && `retrying: ${stage.retrying}`].filter(Boolean).join(' · ')]);
          console.log(table.toString());
          for (const gate of view.progress.gates) console.log(`  gate ${gate.gate.padEnd(11)} ${gate.passed ? 'passed' : 'FAILED'} · ${gate.explanation}`);
          const { lr } = view.progress;
          if (lr) {
            const how = [lr.source, lr.policy].filter(Boolean).join(', ');
            const verdict = lr.trustworthy === undefined ? '' : lr.trustworthy ? ' · curve trustworthy' : ` · curve NOT trustworthy: ${(lr.reasons ?? []).join('; ')}`;
            console.log(`  max lr           ${lr.maxLr} (${how})${verdict}${lr.plotUri ? ` · ${lr.plotUri}` : ''}`);
          }
          const { sweep } = view.progress;
          if (sweep) console.log(`  sweep stopped    ${sweep.stoppedBecause}${sweep.endReason ? ` (${sweep.endReason})` : ''}`);
          for (const [name, value] of Object.entries(view.progress.metrics)) console.log(`  ${name.padEnd(16)} ${value ?? 'n/a'}`);
          for (const table of attributionTables(view.progress.attribution)) console.log(table);
          if (view.progress.error) console.log(`  error: ${view.progress.error}`);
        } else {
          console.log(`  stage ${view.stage ?? 'unknown'} (no worker answered the progress query)`);
        }
        console.log(`  ${view.uiUrl}`);
      });
    });
}
