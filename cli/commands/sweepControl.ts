/**
 * `gauntlet sweep stop RUN [--now]` and `gauntlet sweep budget RUN --max-trials N | --gpu-budget N`: a person acting
 * on a running sweep, through Temporal Updates whose validators refuse what cannot be done (a sweep already ending,
 * a budget below what has already run) with the reason, changing nothing.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { z } from 'zod';
import { rootCauseMessage } from '../../core/errors.js';
import { stopSweepUpdate, sweepBudgetUpdate, sweepWorkflowId } from '../../contracts/sweep.js';
import { cliContext, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';

const Count = z.coerce.number().int().min(1);

function count(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Count.safeParse(value);
  if (!parsed.success) throw new CliError(`${option}: ${JSON.stringify(value)} is not a whole number ≥ 1`, ExitCode.BadInput);
  return parsed.data;
}

async function update<T>(runId: string, send: (id: string) => Promise<T>): Promise<T> {
  const id = runId.endsWith('-sweep') ? runId : sweepWorkflowId(runId);
  try {
    return await send(id);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new CliError(`refused, nothing changed: ${rootCauseMessage(error)}`, ExitCode.BadInput);
    throw new CliError(`no running sweep for run ${JSON.stringify(runId)} (${rootCauseMessage(error).split('\n')[0]})`, ExitCode.BadInput);
  }
}

export function registerSweepControlCommands(sweep: Command): void {
  sweep
    .command('stop')
    .description('launch no more trials and end the sweep with what it has (--now: stop the running trials too)')
    .argument('<run>', 'run id of a sweep pipeline')
    .option('--now', 'also stop the trials that are running')
    .option('--reason <text>', 'recorded as why the sweep ended')
    .action(async (runId: string, options: { now?: boolean; reason?: string }) => {
      await withClient(cliContext(), async (client) => {
        const result = await update(runId, (id) =>
          client.workflow.getHandle(id).executeUpdate(stopSweepUpdate, { args: [{ now: options.now ?? false, ...(options.reason ? { reason: options.reason } : {}) }] }),
        );
        console.log(
          `sweep of ${runId} stopping after ${result.trials} trials: ` +
            (options.now ? `its ${result.running} running trials are being stopped` : `${result.running} running trials finish first`),
        );
      });
    });

  sweep
    .command('budget')
    .description("change a running sweep's budget (never below what has already run)")
    .argument('<run>', 'run id of a sweep pipeline')
    .option('--max-trials <n>', 'trials in all')
    .option('--gpu-budget <n>', 'GPUs the sweep may hold at once')
    .action(async (runId: string, options: { maxTrials?: string; gpuBudget?: string }) => {
      const maxTrials = count('--max-trials', options.maxTrials);
      const gpuBudget = count('--gpu-budget', options.gpuBudget);
      if (maxTrials === undefined && gpuBudget === undefined) throw new CliError('give --max-trials or --gpu-budget', ExitCode.BadInput);
      await withClient(cliContext(), async (client) => {
        const result = await update(runId, (id) =>
          client.workflow.getHandle(id).executeUpdate(sweepBudgetUpdate, { args: [{ ...(maxTrials !== undefined ? { maxTrials } : {}), ...(gpuBudget !== undefined ? { gpuBudget } : {}) }] }),
        );
        console.log(`sweep of ${runId}: maxTrials ${result.maxTrials}, gpuBudget ${result.gpuBudget} (${result.concurrency} trials at once)`);
      });
    });
}
