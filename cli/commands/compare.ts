/**
 * `gauntlet runs compare A B`: the configuration and metric differences of two runs (`digits-20261126T124500Z`) or two
 * sweep trials (`RUN:3` — trial 3 of that run's sweep). Runs are read from Temporal: the spec from the run's start
 * event, the metrics from its result.
 */
import { defaultPayloadConverter, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { differences, flatten, type FlatValue } from '../../core/flatten.js';
import { cliContext, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { newTable } from '../table.js';
import { readAllTrials, readLeaderboard } from './sweep.js';

interface Side {
  label: string;
  config: Record<string, FlatValue>;
  metrics: Record<string, FlatValue>;
}

async function readSide(client: Client, ref: string): Promise<Side> {
  const trialMatch = /^(.+):(\d+)$/.exec(ref);
  if (trialMatch) {
    const [, runId = '', trial = ''] = trialMatch;
    const record = (await readAllTrials(await readLeaderboard(client, runId))).find((candidate) => candidate.trial === Number(trial));
    if (!record) throw new CliError(`${ref}: the sweep of ${runId} has no trial ${trial}`, ExitCode.BadInput);
    return {
      label: ref,
      config: flatten({ ...record.config, batchSize: record.batchSize, epochs: record.epochs, maxLr: record.maxLr }),
      metrics: flatten({ ...record.metrics, objective: record.objective, status: record.status, gpuSeconds: Math.round(record.gpuSeconds) }),
    };
  }
  const handle = client.workflow.getHandle(ref);
  let history;
  try {
    history = await handle.fetchHistory();
  } catch {
    throw new CliError(`no run ${JSON.stringify(ref)}: list runs with \`gauntlet runs list\``, ExitCode.BadInput);
  }
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = payload ? (defaultPayloadConverter.fromPayload(payload) as { spec?: unknown }) : {};
  const result = (await handle.result().catch(() => null)) as { metrics?: Record<string, unknown> } | null;
  return { label: ref, config: flatten(input.spec ?? {}), metrics: flatten(result?.metrics ?? {}) };
}

const show = (value: FlatValue | undefined) => (value === undefined ? '—' : typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value));

export function registerCompareCommand(runs: Command): void {
  runs
    .command('compare')
    .description('configuration and metric differences of two runs, or two sweep trials (RUN:TRIAL)')
    .argument('<a>', 'run id, or RUN:TRIAL')
    .argument('<b>', 'run id, or RUN:TRIAL')
    .option('--json', 'print {config: [...], metrics: [...]} differences as JSON')
    .action(async (a: string, b: string, options: { json?: boolean }) => {
      await withClient(cliContext(), async (client) => {
        const [left, right] = [await readSide(client, a), await readSide(client, b)];
        const config = differences(left.config, right.config);
        const metrics = differences(left.metrics, right.metrics);
        if (options.json) {
          console.log(JSON.stringify({ a, b, config, metrics }));
          return;
        }
        for (const [title, rows] of [['configuration', config], ['metrics', metrics]] as const) {
          if (rows.length === 0) {
            console.log(`${title}: identical`);
            continue;
          }
          const table = newTable({ head: [title, a, b] });
          for (const row of rows) table.push([row.key, show(row.a), show(row.b)]);
          console.log(table.toString());
        }
      });
    });
}
