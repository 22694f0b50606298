/**
 * `gauntlet sweep status RUN [--watch] [--json]`: the live trial table of a run's sweep — running, stopped and
 * finished trials with their configuration, metrics, GPU-seconds and stop reason — and the best so far.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { z } from 'zod';
import { newTable } from '../table.js';
import type { Command } from 'commander';
import { readTrialTable } from '../../activities/sweepTable.js';
import { describeConfig } from '../../core/sweep/config.js';
import { leaderboardQuery, sweepWorkflowId, type Leaderboard, type TrialRecord } from '../../contracts/sweep.js';
import { cliContext, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { cliStore } from '../store.js';
import { registerSweepControlCommands } from './sweepControl.js';

export async function readLeaderboard(client: Client, runId: string): Promise<Leaderboard> {
  // Accept the run id or the sweep's own workflow id.
  const id = runId.endsWith('-sweep') ? runId : sweepWorkflowId(runId);
  try {
    return await client.workflow.getHandle(id).query(leaderboardQuery);
  } catch (error) {
    throw new CliError(`no sweep for run ${JSON.stringify(runId)} (${(error as Error).message.split('\n')[0]}): is it a sweep pipeline, and is a worker running?`, ExitCode.BadInput);
  }
}

/** The latest progress each running trial's job reported in its heartbeat, by stage (`trial-3`). */
export type LiveProgress = Map<string, { epoch?: number; metrics: Record<string, number | null> }>;

const HeartbeatProgress = z.object({
  progress: z.object({ stage: z.string(), epoch: z.number().optional(), metrics: z.record(z.string(), z.number().nullable()) }),
});

export async function readLiveProgress(client: Client, runId: string): Promise<LiveProgress> {
  const id = runId.endsWith('-sweep') ? runId : sweepWorkflowId(runId);
  const live: LiveProgress = new Map();
  const description = await client.workflow.getHandle(id).describe();
  for (const pending of description.raw.pendingActivities ?? []) {
    const payload = pending.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const parsed = HeartbeatProgress.safeParse(defaultPayloadConverter.fromPayload(payload));
    if (parsed.success) live.set(parsed.data.progress.stage.replace(/-oom$/, ''), parsed.data.progress);
  }
  return live;
}

/**
 * Every trial of a sweep: the paged table in the store (written every few seconds), overlaid with the records
 * the workflow holds now (running and just-finished trials are fresher there).
 */
export async function readAllTrials(board: Leaderboard): Promise<TrialRecord[]> {
  const byTrial = new Map<number, TrialRecord>();
  if (board.tableUri) {
    try {
      for (const record of await readTrialTable(cliStore(), board.tableUri)) byTrial.set(record.trial, record);
    } catch (error) {
      throw new CliError(`cannot read the trial table ${board.tableUri}: ${(error as Error).message} (is MinIO up, and GAUNTLET_STORAGE_* set as for the worker?)`, ExitCode.Unavailable);
    }
  }
  for (const record of board.trials) byTrial.set(record.trial, { ...byTrial.get(record.trial), ...record });
  return [...byTrial.values()].sort((a, b) => a.trial - b.trial);
}

const fmt = (value: number | null | undefined) => (value === null || value === undefined ? '' : Number(value.toPrecision(4)).toString());

export function renderLeaderboard(board: Leaderboard, live: LiveProgress = new Map()): string {
  const table = newTable({ head: ['trial', 'status', 'config', 'max lr', 'epochs', board.objective.metric, 'gpu·s', 'note'], wordWrap: true, colWidths: [7, 11, 46, 9, 8, 14, 8, 44] });
  const order = (t: TrialRecord) => (t.status === 'completed' ? t.objective ?? -Infinity : -Infinity);
  const sorted = [...board.trials].sort((a, b) => (board.objective.direction === 'maximize' ? order(b) - order(a) : order(a) - order(b)) || a.trial - b.trial);
  for (const trial of sorted) {
    const now = trial.status === 'running' ? live.get(`trial-${trial.trial}`) : undefined;
    const value = trial.status === 'completed' ? trial.objective : (now?.metrics[board.objective.metric] ?? trial.curve.at(-1) ?? null);
    const note = trial.stopReason ?? trial.error ?? (trial.launches > 1 ? `${trial.launches} launches` : '');
    table.push([
      String(trial.trial) + (board.best?.trial === trial.trial ? ' ★' : ''),
      trial.status,
      describeConfig(trial.config),
      fmt(trial.maxLr),
      `${now?.epoch ?? trial.curve.length}/${trial.epochs}`,
      fmt(value),
      trial.gpuSeconds.toFixed(0),
      note,
    ]);
  }
  const counts = (['running', 'completed', 'stopped', 'failed'] as const).map((status) => `${board.counts[status]} ${status}`);
  const total = Object.values(board.counts).reduce((sum, n) => sum + n, 0);
  const shown = total > board.trials.length ? `showing the running, best and latest ${board.trials.length} of ${total} trials (--json: all)\n` : '';
  const best = board.best ? `best: trial ${board.best.trial} · ${board.objective.metric} ${fmt(board.best.objective)} · ${describeConfig(board.best.config)}` : 'no completed trial yet';
  const ended = board.stoppedBecause ? ` · stopped because: ${board.stoppedBecause}${board.endReason ? ` (${board.endReason})` : ''}` : '';
  return `${board.status}${ended} · ${counts.join(' · ')} · at most ${board.concurrency} at once\n${shown}${table.toString()}\n${best}${board.tableUri ? `\ntable: ${board.tableUri}` : ''}`;
}

export function registerSweepCommands(program: Command): void {
  const sweep = program.command('sweep').description('hyperparameter sweeps');
  registerSweepControlCommands(sweep);
  sweep
    .command('status')
    .description('the trial table of a run\'s sweep, best first')
    .argument('<run>', 'run id (workflow id) of a sweep pipeline')
    .option('--watch', 'refresh until the sweep ends')
    .option('--json', 'print the trials as a JSON array (config, status, metrics, stop reason)')
    .action(async (runId: string, options: { watch?: boolean; json?: boolean }) => {
      await withClient(cliContext(), async (client) => {
        for (;;) {
          const board = await readLeaderboard(client, runId);
          if (options.json) {
            console.log(JSON.stringify(await readAllTrials(board)));
            return;
          }
          if (options.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          const live = board.status === 'running' ? await readLiveProgress(client, runId).catch(() => new Map()) : new Map();
          console.log(renderLeaderboard(board, live));
          if (!options.watch || board.status === 'done') return;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      });
    });
}
