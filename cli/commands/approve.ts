/**
 * `gauntlet approve RUN [--reject --reason TEXT]`: the decision a run with `promote.when: manual` waits for in stage
 * `approve`. A Temporal Update: accepted only while the run waits, refused with the reason otherwise.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { rootCauseMessage } from '../../core/errors.js';
import { approveUpdate } from '../../contracts/pipeline.js';
import { cliContext, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';

export function registerApproveCommand(program: Command): void {
  program
    .command('approve')
    .description('approve (or --reject) the model of a run waiting in stage approve')
    .argument('<run>', 'run id')
    .option('--reject', 'reject it: the champion stays')
    .option('--reason <text>', 'why (recorded with the decision)')
    .action(async (runId: string, options: { reject?: boolean; reason?: string }) => {
      if (options.reject && !options.reason) throw new CliError('--reject needs --reason TEXT: the history records why a model was turned down', ExitCode.BadInput);
      await withClient(cliContext(), async (client) => {
        const request = { approve: !options.reject, by: userInfo().username, ...(options.reason ? { reason: options.reason } : {}) };
        const result = await client.workflow
          .getHandle(runId)
          .executeUpdate(approveUpdate, { args: [request] })
          .catch((error: unknown) => {
            if (error instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${rootCauseMessage(error)}`, ExitCode.BadInput);
            throw new CliError(`no run ${JSON.stringify(runId)} to approve (${rootCauseMessage(error).split('\n')[0]})`, ExitCode.BadInput);
          });
        console.log(`${runId}: ${result.decision}${options.reason ? ` (${options.reason})` : ''}`);
      });
    });
}
