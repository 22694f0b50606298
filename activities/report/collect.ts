/**
 * Everything a run's report shows, read from the store: the manifest (`runs/<run>/manifest.json`) and the artifacts
 * it links, each parsed with zod. Sections whose stage did not run are absent; a section whose artifact is missing
 * or malformed is absent with a note saying why, so one bad file never costs the whole report.
 */
import type { CurvesSection, ReportData, SampleView } from '../../core/report/types.js';
import { InfrastructureError } from '../infrastructure.js';
import type { ArtifactStore } from '../store.js';
import { attempt, folderOf, readJson, type ReportContext } from './context.js';
import { classNames, dataSection, readChecks, readTable, sampleView, splitsSection } from './data.js';
import type { DataTable } from './dataTable.js';
import { evaluationSection } from './evaluation.js';
import { labelingSection } from './labeling.js';
import { modelsSection } from './models.js';
import { runInfo } from './runInfo.js';
import { Manifest, SpecView, SplitManifest } from './schemas.js';
import { bestTrialFolder, readTrials, sweepSection, trialCurves } from './sweep.js';
import { epochMetrics, gatesSection, lrFindSection, scheduleSection, stepsPerEpoch } from './training.js';

export function manifestKey(runId: string): string {
  return `runs/${runId}/manifest.json`;
}

export function reportKey(runId: string): string {
  return `runs/${runId}/report.html`;
}

/** No manifest: the run id is wrong, or the run has not reached its record stage (running, stopped, failed). */
export class NoManifestError extends Error {
  constructor(readonly runId: string, readonly uri: string) {
    super(`run ${runId} has no manifest at ${uri}: the run id is wrong, or the run has not reached its record stage (still running, stopped by a gate, failed)`);
    this.name = 'NoManifestError';
  }
}

/** A manifest the report cannot read: reading it again will not help. */
export class BadManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadManifestError';
  }
}

async function readManifest(store: ArtifactStore, uri: string): Promise<{ manifest: Manifest; spec: SpecView }> {
  let manifest: Manifest;
  try {
    manifest = await readJson({ store }, uri, Manifest);
  } catch (error) {
    if (error instanceof InfrastructureError) throw error;
    throw new BadManifestError((error as Error).message);
  }
  const spec = SpecView.safeParse(manifest.spec);
  if (!spec.success) {
    const issue = spec.error.issues[0];
    throw new BadManifestError(`${uri}: spec.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return { manifest, spec: spec.data };
}

export async function collectReportData(store: ArtifactStore, runId: string, options: { now?: () => Date } = {}): Promise<ReportData> {
  const manifestUri = store.uri(manifestKey(runId));
  if (!(await store.exists(manifestUri))) throw new NoManifestError(runId, manifestUri);
  const { manifest, spec } = await readManifest(store, manifestUri);
  const ctx: ReportContext = { store, runId, manifest, spec, notes: [] };
  const report: ReportData = { run: runInfo(ctx, manifestUri), generatedAt: (options.now?.() ?? new Date()).toISOString() };

  const table = await attempt(ctx, 'data', () => (manifest.artifacts.data ? readTable(ctx, manifest.artifacts.data) : Promise.reject(new Error('the manifest links no data set'))));
  const classes = classNames(ctx, table ?? null);
  const view: SampleView = table ? sampleView(ctx, table) : { columns: [], image: null };
  const checks = table ? readChecks(ctx, table) : [];
  if (table) {
    const data = await attempt(ctx, 'data', async () => dataSection(ctx, table, view, classes, checks));
    if (data) report.data = data;
    const splits = await attempt(ctx, 'splits', () => splitsSection(ctx, table, classes, checks));
    if (splits) report.splits = splits;
  }
  const labeling = await attempt(ctx, 'labeling', () => labelingSection(ctx, view));
  if (labeling) report.labeling = labeling;
  const gates = await attempt(ctx, 'gates', () => gatesSection(ctx, new Map(checks.map((check) => [check.name, check.verdict]))));
  if (gates) report.gates = gates;
  const lrFind = await attempt(ctx, 'LR range test', () => lrFindSection(ctx));
  if (lrFind) report.lrFind = lrFind;
  await collectTraining(ctx, report, table ?? null);
  const models = await attempt(ctx, 'models', async () => modelsSection(ctx));
  if (models) report.models = models;
  const evaluation = await attempt(ctx, 'evaluation', () => evaluationSection(ctx, table ?? null, view, classes));
  if (evaluation) report.evaluation = evaluation;
  if (ctx.notes.length) report.notes = ctx.notes;
  return report;
}

/** Schedule, learning curves and sweep: from the train job, or from the sweep's trial table and its best trial. */
async function collectTraining(ctx: ReportContext, report: ReportData, table: DataTable | null): Promise<void> {
  const { manifest, spec } = ctx;
  const trainRows = async () => {
    const uri = manifest.artifacts.split;
    if (uri) return (await readJson(ctx, uri, SplitManifest)).train.length;
    return table ? Math.round(table.labels.length * (1 - (spec.data.split?.valid ?? 0.15) - (spec.data.split?.test ?? 0.15))) : 0;
  };
  const schedule = spec.train.schedule.kind === 'one_cycle' ? spec.train.schedule : null;
  if (manifest.sweep) {
    const sweep = manifest.sweep;
    const trials = (sweep.tableUri ? await attempt(ctx, 'sweep', () => readTrials(ctx, sweep.tableUri!)) : undefined) ?? [];
    if (!sweep.tableUri) ctx.notes.push('sweep: the manifest links no trial table');
    const section = await attempt(ctx, 'sweep', async () => sweepSection(ctx, trials));
    if (section) report.sweep = section;
    const curves: CurvesSection = trials.length ? trialCurves(ctx, trials) : {};
    const folder = bestTrialFolder(ctx, trials);
    const best = trials.find((t) => t.trial === sweep.best?.trial);
    if (folder && best) {
      const epochs = await attempt(ctx, 'learning curves', () => epochMetrics(ctx, `${folder}events.jsonl`));
      if (epochs?.length) curves.main = { name: `Trial ${best.trial}, the best`, epochs };
      if (schedule && best.maxLr !== null) {
        const maxLr = best.maxLr;
        const section = await attempt(ctx, 'one-cycle schedule', async () =>
          scheduleSection({ schedule, maxLr, epochs: best.epochs, stepsPerEpoch: await stepsPerEpoch(ctx, `${folder}result.json`, await trainRows(), best.batchSize), of: `trial ${best.trial}, the best` }),
        );
        if (section) report.schedule = section;
      }
    }
    if (curves.main || curves.trials?.length) report.curves = curves;
    return;
  }
  const resultUri = manifest.artifacts['train.result'];
  if (!resultUri) return;
  const epochs = await attempt(ctx, 'learning curves', () => epochMetrics(ctx, `${folderOf(resultUri)}events.jsonl`));
  if (epochs?.length) report.curves = { main: { name: 'The train job', epochs } };
  const maxLr = manifest.lrFinder?.maxLr ?? (schedule?.maxLr ?? null);
  if (schedule && maxLr !== null && Number.isFinite(maxLr)) {
    const section = await attempt(ctx, 'one-cycle schedule', async () =>
      scheduleSection({ schedule, maxLr, epochs: spec.train.epochs, stepsPerEpoch: await stepsPerEpoch(ctx, resultUri, await trainRows(), spec.train.batchSize), of: 'the train job' }),
    );
    if (section) report.schedule = section;
  }
}
