/**
 * `gauntlet label pull|submit|status RUN`: people labeling batches of a run's labeling stage. Pull leases the next
 * batch and writes what a person needs to judge it; submit hands the labels back as a Temporal Update, whose
 * validator rejects a bad file with one line per problem (nothing recorded, the batch stays leased); status shows
 * the batches, each annotator's throughput and the agreement so far.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { rootCauseMessage } from '../../core/errors.js';
import { AnnotatorName } from '../../core/spec/labeling.js';
import { labelingStatusQuery, labelingWorkflowId, leaseBatchUpdate, submitLabelsUpdate } from '../../contracts/labeling.js';
import { cliContext, withClient } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { batchFeatures } from '../labeling/batchData.js';
import { renderSheetFiles } from '../labeling/sheet.js';
import { submitCommand } from '../labeling/submitCommand.js';
import { parseSubmission } from '../labeling/submission.js';
import { printLabelingStatus } from '../labeling/statusView.js';
import { cliStore } from '../store.js';

const Annotator = AnnotatorName;
const BatchId = z.coerce.number().int().min(1);

function annotatorOption(value: string): string {
  const parsed = Annotator.safeParse(value);
  if (!parsed.success) throw new CliError(`--annotator: ${JSON.stringify(value)} ${parsed.error.issues[0]?.message ?? 'is not a name'}`, ExitCode.BadInput);
  return parsed.data;
}

/** The run's labeling workflow; a clear error when the run has none (yet, or any more). */
async function labeling<T>(client: Client, run: string, use: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>): Promise<T> {
  try {
    return await use(client.workflow.getHandle(labelingWorkflowId(run)));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || (error instanceof Error && /not found/i.test(error.message) && !(error instanceof WorkflowUpdateFailedError))) {
      throw new CliError(`run ${run} has no labeling stage (no workflow ${labelingWorkflowId(run)}): is the run id right, and does its pipeline have a label section?`, ExitCode.BadInput);
    }
    throw error;
  }
}

export function registerLabelCommands(program: Command): void {
  const label = program.command('label').description("label batches of a run's labeling stage (people)");

  label
    .command('pull')
    .description('lease the next batch to you and write what you need to label it (sheet.html, images, labels.csv)')
    .argument('<run>', 'run id')
    .requiredOption('--annotator <name>', 'your annotator name (a human annotator of the pipeline)')
    .option('--out <dir>', 'where to write the batch (default: ./label-<run>-batch-<n>)')
    .action(async (run: string, options: { annotator: string; out?: string }) => {
      const annotator = annotatorOption(options.annotator);
      await withClient(cliContext(), async (client) => {
        const response = await labeling(client, run, (handle) => handle.executeUpdate(leaseBatchUpdate, { args: [{ annotator }] })).catch(rejected);
        if (!response.granted) {
          console.log(`nothing to label for ${annotator} right now: ${response.reason}`);
          return;
        }
        const lease = response.granted;
        const csv = (await cliStore().getBytes(lease.data.uri)).toString('utf8');
        const files = renderSheetFiles({
          run,
          batch: lease.batch,
          annotator,
          leaseExpiresAt: lease.leaseExpiresAt,
          classes: lease.classes,
          items: batchFeatures(csv, lease.data, lease.items),
          view: lease.view,
        });
        const out = resolve(options.out ?? `label-${run}-batch-${lease.batch}`);
        for (const [name, bytes] of files) {
          await mkdir(dirname(join(out, name)), { recursive: true });
          await writeFile(join(out, name), bytes);
        }
        await writeFile(join(out, 'batch.json'), JSON.stringify({ run, ...lease, data: undefined }, null, 2));
        console.log(`batch ${lease.batch} (${lease.items.length} items, attempt ${lease.attempt}) is leased to ${annotator} until ${lease.leaseExpiresAt}`);
        console.log(`  open ${join(out, 'sheet.html')}, fill in ${join(out, 'labels.csv')} (classes: ${lease.classes.join(', ')}), then:`);
        console.log(`  ${submitCommand(run, lease.batch, annotator, join(out, 'labels.csv'))}`);
      });
    });

  label
    .command('submit')
    .description('hand back the labels of a leased batch (rejected, with every problem, unless they fit the batch)')
    .argument('<run>', 'run id')
    .argument('<batch>', 'batch number')
    .argument('<file>', 'labels.csv (item,label) or a JSON array of {item, label}')
    .requiredOption('--annotator <name>', 'your annotator name')
    .action(async (run: string, batchArg: string, file: string, options: { annotator: string }) => {
      const annotator = annotatorOption(options.annotator);
      const batch = BatchId.safeParse(batchArg);
      if (!batch.success) throw new CliError(`batch: ${JSON.stringify(batchArg)} is not a batch number`, ExitCode.BadInput);
      const text = await readFile(file, 'utf8').catch((error: Error) => {
        throw new CliError(`${file}: cannot read it (${error.message})`, ExitCode.BadInput);
      });
      const { labels, problems } = parseSubmission(text, file);
      if (problems.length) throw new CliError(`${file}: nothing submitted`, ExitCode.BadInput, problems);
      await withClient(cliContext(), async (client) => {
        const response = await labeling(client, run, (handle) => handle.executeUpdate(submitLabelsUpdate, { args: [{ batch: batch.data, annotator, labels }] })).catch(rejected);
        const adjudication = response.adjudicationBatch ? ` · the disputed items of this pair went to batch ${response.adjudicationBatch} for a third annotator` : '';
        console.log(`batch ${response.batch}: ${response.recorded} labels recorded for ${annotator}${adjudication} · ${response.remaining.open} batches open, ${response.remaining.leased} leased`);
      });
    });

  label
    .command('status')
    .description('batches (open, leased to whom and until when, done), throughput per annotator, agreement so far')
    .argument('<run>', 'run id')
    .option('--json', 'print the status as JSON')
    .option('--all', 'list every batch (by default: those not done, or done after failed attempts)')
    .action(async (run: string, options: { json?: boolean; all?: boolean }) => {
      await withClient(cliContext(), async (client) => {
        const status = await labeling(client, run, (handle) => handle.query(labelingStatusQuery));
        if (options.json) console.log(JSON.stringify(status, null, 2));
        else printLabelingStatus(run, status, options.all ?? false);
      });
    });
}

/** An update the workflow's validator refused: its lines, and the promise that nothing changed. */
function rejected(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError) {
    const lines = rootCauseMessage(error).split('\n');
    throw new CliError(`rejected, nothing recorded (a leased batch stays leased):`, ExitCode.BadInput, lines);
  }
  throw error;
}
