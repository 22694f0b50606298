/** `gauntlet cancel RUN`: asks the run to stop; its running jobs are stopped and their processes killed. */
import type { Command } from 'commander';
import { cliContext, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('cancel a run (its running jobs are stopped)')
    .argument('<run>', 'run id (workflow id)')
    .action(async (runId: string) => {
      await withClient(cliContext(), async (client) => {
        const handle = client.workflow.getHandle(runId);
        const description = await handle.describe().catch(() => {
          throw new CliError(`no run ${JSON.stringify(runId)}: list runs with \`gauntlet runs list\``, ExitCode.BadInput);
        });
        if (description.status.name !== 'RUNNING') {
          throw new CliError(`run ${runId} is not running (it is ${description.status.name})`, ExitCode.BadInput);
        }
        await handle.cancel();
        console.log(`cancellation requested for ${runId}`);
      });
    });
}
