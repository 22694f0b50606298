/**
 * `gauntlet models list|show|promote|rollback`: the model registry in the store (`models/<pipeline>/`), read and
 * changed through MinIO alone (no Temporal needed). Promotion by hand takes a succeeded run's model from its manifest.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { InfrastructureError } from '../../activities/infrastructure.js';
import { ModelRegistry } from '../../activities/registry.js';
import { modelOfRun, RegistryError } from '../../activities/runModel.js';
import { compareWithChampion } from '../../core/registry/promotion.js';
import { RegistryPipelineName, RegistryRunId, type ChampionRecord, type Headline, type HistoryEntry } from '../../core/registry/schemas.js';
import { CliError, ExitCode } from '../errors.js';
import { cliStore } from '../store.js';
import { newTable } from '../table.js';

const num = (x: number): string => String(Number(x.toPrecision(4)));

export function describeHeadline(headline: Headline): string {
  const interval = headline.low !== null && headline.high !== null ? ` [${num(headline.low)}, ${num(headline.high)}]` : '';
  return `${headline.name} ${num(headline.estimate)}${interval}`;
}

/** Runs a registry command: store outages and refusals become one line and an exit code. */
async function withRegistry<T>(use: (registry: ModelRegistry) => Promise<T>): Promise<T> {
  try {
    return await use(new ModelRegistry(cliStore()));
  } catch (error) {
    if (error instanceof RegistryError) {
      const failed = error.code === 'conflict' || error.code === 'bad-record' || error.code === 'bad-manifest';
      throw new CliError(error.message, failed ? ExitCode.Failed : ExitCode.BadInput);
    }
    if (error instanceof InfrastructureError) {
      throw new CliError(`cannot reach the store: ${error.message} (is MinIO up? \`gauntlet dev up\`, or set GAUNTLET_STORAGE_* as for the worker)`, ExitCode.Unavailable);
    }
    throw error;
  }
}

function parseArgument<T>(schema: z.ZodType<T>, value: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${what} ${JSON.stringify(value)} ${parsed.error.issues[0]?.message ?? 'is not valid'}`, ExitCode.BadInput);
  return parsed.data;
}

function eventLine(entry: HistoryEntry): string {
  if (entry.event === 'rolled-back') return 'rolled back';
  if (entry.event === 'not-promoted') return `not promoted: ${entry.verdict}`;
  return entry.verdict === 'promoted' ? 'promoted' : `promoted: ${entry.verdict}`;
}

function printChampion(champion: ChampionRecord): void {
  const lines: Array<[string, string]> = [
    ['champion', `${champion.runId} (${champion.pipeline})`],
    ['headline', describeHeadline(champion.headline)],
    ['checkpoint', champion.checkpoint],
    ['test set', champion.testSetSha256],
    ['promoted', `${champion.promotedAt} by ${champion.promotedBy}: ${champion.reason}`],
  ];
  if (champion.manifestUri) lines.push(['manifest', champion.manifestUri]);
  if (champion.predictionsUri) lines.push(['predictions', champion.predictionsUri]);
  for (const [key, value] of lines) console.log(`${key.padEnd(12)}${value}`);
  const metrics = Object.entries(champion.metrics);
  if (metrics.length === 0) return;
  const table = newTable({ head: ['metric', 'value', 'interval'] });
  for (const [name, value] of metrics) {
    if (value === null) table.push([name, '—', '']);
    else if (typeof value === 'number') table.push([name, num(value), '']);
    else table.push([name, num(value.estimate), `[${num(value.low)}, ${num(value.high)}] ${value.method}`]);
  }
  console.log(table.toString());
}

function registerList(models: Command): void {
  models
    .command('list')
    .description('pipelines with a champion: its run, headline metric with interval, when and how it was promoted')
    .option('--json', 'print a JSON array of champion records')
    .action(async (options: { json?: boolean }) => {
      const champions = await withRegistry(async (registry) => {
        const records: ChampionRecord[] = [];
        for (const pipeline of await registry.listPipelines()) {
          const champion = await registry.readChampion(pipeline);
          if (champion) records.push(champion);
        }
        return records;
      });
      if (options.json) {
        console.log(JSON.stringify(champions));
        return;
      }
      if (champions.length === 0) {
        console.log('no champions yet: a run\'s promote stage or `gauntlet models promote RUN` makes one');
        return;
      }
      const table = newTable({ head: ['pipeline', 'champion', 'headline', 'promoted', 'by'] });
      for (const champion of champions) table.push([champion.pipeline, champion.runId, describeHeadline(champion.headline), champion.promotedAt, champion.promotedBy]);
      console.log(table.toString());
    });
}

function registerShow(models: Command): void {
  models
    .command('show')
    .description('a pipeline\'s champion and its history, newest first')
    .argument('<pipeline>', 'pipeline name')
    .option('--json', 'print {pipeline, champion, history} as JSON (history newest first)')
    .action(async (pipelineArgument: string, options: { json?: boolean }) => {
      const pipeline = parseArgument(RegistryPipelineName, pipelineArgument, 'pipeline');
      const { champion, history } = await withRegistry(async (registry) => ({
        champion: await registry.readChampion(pipeline),
        history: (await registry.readHistory(pipeline)).reverse(),
      }));
      if (!champion && history.length === 0) {
        throw new CliError(`no models registered for ${pipeline}: see \`gauntlet models list\``, ExitCode.BadInput);
      }
      if (options.json) {
        console.log(JSON.stringify({ pipeline, champion, history }));
        return;
      }
      if (champion) printChampion(champion);
      else console.log(`${pipeline} has no champion yet`);
      if (history.length === 0) return;
      const table = newTable({ head: ['when', 'event', 'run', 'by', 'reasons'] });
      for (const entry of history) table.push([entry.at, eventLine(entry), entry.runId, entry.by, entry.reasons.join('\n')]);
      console.log(table.toString());
    });
}

function registerPromote(models: Command): void {
  models
    .command('promote')
    .description('make a succeeded run\'s model the champion of its pipeline (by hand; recorded in the history)')
    .argument('<run>', 'run id, e.g. digits-20261126T124500Z')
    .option('--reason <text>', 'why, for the history', 'promoted by hand')
    .option('--json', 'print the new champion record as JSON')
    .action(async (runArgument: string, options: { reason: string; json?: boolean }) => {
      const runId = parseArgument(RegistryRunId, runArgument, 'run');
      const { result, notes } = await withRegistry(async (registry) => {
        const { candidate, goalMet } = await modelOfRun(registry.store, runId);
        const current = await registry.readChampion(candidate.pipeline);
        if (current?.runId === runId) throw new CliError(`${runId} is already the champion of ${candidate.pipeline}`, ExitCode.BadInput);
        const compared = current ? compareWithChampion({ runId, headline: candidate.headline, testSetHash: candidate.testSetSha256 }, current) : [];
        const notes = [...compared, ...(goalMet === false ? [`${runId} did not meet its goal`] : [])];
        const result = await registry.promote({ candidate, by: 'manual', verdict: 'promoted', reasons: [options.reason, ...notes], expectedChampion: current?.runId ?? null });
        if (result.outcome === 'conflict') {
          throw new CliError(`the champion of ${candidate.pipeline} changed meanwhile (now ${result.current?.runId ?? 'none'}): run the command again`, ExitCode.Failed);
        }
        return { result, notes };
      });
      if (options.json) {
        console.log(JSON.stringify(result.champion));
        return;
      }
      const { champion } = result;
      console.log(`${champion.runId} is now the champion of ${champion.pipeline} (${describeHeadline(champion.headline)})`);
      for (const note of notes) console.log(`  ${note}`);
    });
}

function registerRollback(models: Command): void {
  models
    .command('rollback')
    .description('put back the previous champion (or --to a former one); recorded in the history')
    .argument('<pipeline>', 'pipeline name')
    .option('--to <run>', 'a former champion\'s run (default: the champion before the current one)')
    .option('--reason <text>', 'why, for the history')
    .option('--json', 'print the new champion record as JSON')
    .action(async (pipelineArgument: string, options: { to?: string; reason?: string; json?: boolean }) => {
      const pipeline = parseArgument(RegistryPipelineName, pipelineArgument, 'pipeline');
      const to = options.to === undefined ? undefined : parseArgument(RegistryRunId, options.to, '--to');
      const result = await withRegistry((registry) => registry.rollback({ pipeline, ...(to ? { to } : {}), ...(options.reason ? { reason: options.reason } : {}) }));
      if (options.json) {
        console.log(JSON.stringify(result.champion));
        return;
      }
      console.log(`${pipeline}: champion is ${result.champion.runId} again (${describeHeadline(result.champion.headline)}), was ${result.previous.runId}`);
    });
}

export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('the model registry: champions, their history, promotion and rollback');
  registerList(models);
  registerShow(models);
  registerPromote(models);
  registerRollback(models);
}
