/**
 * `gauntlet run FILE [--watch] [--json]`: validates the pipeline, starts it with a readable id, waits for the end,
 * and prints the metrics and the run's Temporal UI link.
 */
import type { Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { formatProblem } from '../../core/spec/issues.js';
import { validatePipeline } from '../../core/spec/parse.js';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { rootCauseMessage } from '../../core/errors.js';
import { runWorkflowId } from '../../core/naming.js';
import type { PipelineSpec } from '../../core/spec/pipeline.js';
import { progressQuery, searchAttributes, type PipelineInput, type PipelineResult } from '../../contracts/pipeline.js';
import { cliContext, runUiUrl, withClient, type CliContext } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { createProgressDisplay } from '../progressDisplay.js';
import { readPipelineFile } from './validate.js';

interface RunOptions {
  watch?: boolean;
  json?: boolean;
  executor?: string;
  /** commander's `--no-cache`: false when given. */
  cache: boolean;
}

/** `--executor` overrides the pipeline's executor for one run; the result is validated again, like the file was. */
export function overrideExecutor(spec: PipelineSpec, executor: string | undefined, file: string): PipelineSpec {
  if (executor === undefined) return spec;
  const result = validatePipeline({ ...spec, executor, stageExecutors: {} });
  if (!result.ok) {
    const lines = result.problems.map(formatProblem);
    // A newcomer's first try: point at a pipeline whose kubernetes: section works on the local cluster.
    if (result.problems.some((p) => p.path === 'kubernetes')) lines.push('for the local cluster (`gauntlet dev cluster up`), see examples/digits/kubernetes.yaml');
    throw new CliError(`${file} with --executor ${executor}: ${result.problems.length} problem(s)`, ExitCode.BadInput, lines);
  }
  return result.spec;
}

/** A `file:` data source is relative to the pipeline file; the worker needs it absolute. */
/** Paths in the spec are relative to the pipeline file (data and trainer command alike), never to the worker's folder. */
export function resolveDataSource(spec: PipelineSpec, specFile: string): PipelineSpec {
  const folder = dirname(resolve(specFile));
  const { source } = spec.data;
  const data = source.startsWith('file:') ? { ...spec.data, source: `file:${resolveFrom(folder, source.slice('file:'.length))}` } : spec.data;
  const resolveArgs = (argv: string[]) => argv.map((arg) => (looksLikePath(folder, arg) ? resolveFrom(folder, arg) : arg));
  const { command } = spec.trainer;
  const trainer = command ? { ...spec.trainer, command: resolveArgs(command) } : spec.trainer;
  // A labeler's command is relative to the pipeline file too.
  const label = spec.label && {
    ...spec.label,
    annotators: spec.label.annotators.map((annotator) => (annotator.kind === 'job' && annotator.command ? { ...annotator, command: resolveArgs(annotator.command) } : annotator)),
  };
  // A chain's models may name their own trainer command (models.<name>.trainer.command).
  const models = spec.models && Object.fromEntries(Object.entries(spec.models).map(([name, model]) => {
    const command = model.trainer?.command;
    const own = Array.isArray(command) && command.every((arg): arg is string => typeof arg === 'string') ? { ...model, trainer: { ...model.trainer, command: resolveArgs(command) } } : model;
    return [name, own];
  }));
  return { ...spec, data, trainer, ...(label ? { label } : {}), ...(models ? { models } : {}) };
}

function resolveFrom(folder: string, path: string): string {
  // A folder of snapshots keeps its trailing slash: it is what marks the source as a folder.
  const absolute = isAbsolute(path) ? path : resolve(folder, path);
  return path.endsWith('/') && !absolute.endsWith('/') ? `${absolute}/` : absolute;
}

/** A command argument is a path when it starts with ./ or ../ or names something next to the pipeline file. */
function looksLikePath(folder: string, arg: string): boolean {
  if (isAbsolute(arg) || arg.startsWith('-') || arg.includes('{')) return false;
  return arg.startsWith('./') || arg.startsWith('../') || existsSync(resolve(folder, arg));
}

export async function startRun(client: Client, context: CliContext, spec: PipelineSpec, specFile: string, options: { cache?: boolean } = {}) {
  const workflowId = runWorkflowId(spec.name, new Date());
  const input: PipelineInput = { spec, specFile, ...(options.cache === false ? { cache: false } : {}) };
  return client.workflow.start('pipelineWorkflow', {
    workflowId,
    taskQueue: context.taskQueue,
    args: [input],
    staticSummary: `pipeline ${spec.name} · ${specFile}`,
    typedSearchAttributes: [
      { key: searchAttributes.pipeline, value: spec.name },
      { key: searchAttributes.status, value: 'running' },
      { key: searchAttributes.stage, value: 'queued' },
    ],
  });
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a pipeline and wait for it to finish')
    .argument('<file>', 'pipeline YAML')
    .option('--watch', 'show live progress until the run ends')
    .option('--json', 'print one JSON object with runId, status, metrics and uiUrl')
    .addOption(new Option('--executor <name>', 'run every job on this executor, whatever the file says').choices(['local', 'kubernetes']))
    .option('--no-cache', 'run every stage, even when an earlier run had the same inputs (its outputs are reused otherwise)')
    .action(async (file: string, options: RunOptions) => {
      const spec = overrideExecutor(resolveDataSource(await readPipelineFile(file), file), options.executor, file);
      const context = cliContext();
      await withClient(context, async (client) => {
        const handle = await startRun(client, context, spec, file, { cache: options.cache });
        const uiUrl = runUiUrl(context, handle.workflowId);
        if (!options.json) console.error(`started ${handle.workflowId}\n  ${uiUrl}`);
        const display = options.watch && !options.json ? createProgressDisplay() : null;
        const poller = display
          ? setInterval(() => {
              handle.query(progressQuery).then((progress) => display.update(progress), () => undefined);
            }, 1000)
          : null;
        let result: PipelineResult;
        try {
          result = (await handle.result()) as PipelineResult;
        } catch (error) {
          const message = rootCauseMessage(error);
          if (options.json) console.log(JSON.stringify({ runId: handle.workflowId, status: 'failed', metrics: {}, uiUrl, error: message }));
          throw new CliError(`run ${handle.workflowId} failed: ${message}\n  ${uiUrl}`, ExitCode.Failed);
        } finally {
          if (poller) clearInterval(poller);
          display?.stop();
        }
        if (options.json) {
          console.log(JSON.stringify({ ...result, uiUrl }));
          if (result.status === 'incomplete') process.exitCode = ExitCode.Incomplete;
          return;
        }
        console.log(`run ${result.runId} ${result.status}${result.unchangedSince ? ` (nothing new since ${result.unchangedSince})` : ''}`);
        if (result.sweep && result.sweep.stoppedBecause !== 'completed') console.log(`  sweep stopped    ${result.sweep.stoppedBecause}: ${result.sweep.endReason}`);
        for (const gate of result.gates) console.log(`  gate ${gate.gate.padEnd(11)} ${gate.passed ? 'passed' : 'FAILED'} · ${gate.explanation}`);
        if (result.lr) console.log(`  max lr           ${result.lr.maxLr.toPrecision(3)} (${[result.lr.source, result.lr.policy].filter(Boolean).join(', ')})`);
        for (const [name, value] of Object.entries(result.metrics)) console.log(`  ${name.padEnd(16)} ${value ?? 'n/a'}`);
        if (result.goalMet !== null) console.log(`  goal             ${result.goalMet ? 'met' : 'NOT met'}`);
        console.log(`  manifest         ${result.manifestUri}`);
        console.log(`  ${uiUrl}`);
        if (result.status === 'incomplete') process.exitCode = ExitCode.Incomplete;
      });
    });
}
