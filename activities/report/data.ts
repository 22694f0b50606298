/** The data and splits sections: the trained-on data set read back, joined with its labels, and its split manifest. */
import { inferImageView } from '../../core/report/samples.js';
import { pairRows } from '../../core/report/sections/checks.js';
import type { DataSection, ReportCheck, Sample, SampleView, SplitsSection } from '../../core/report/types.js';
import { readDataTable, spread, type DataTable } from './dataTable.js';
import { readJson, readText, type ReportContext } from './context.js';
import { CheckResultView, ImageViewSpec, SnapshotView, SplitManifest } from './schemas.js';
import { z } from 'zod';

const SAMPLES = 30;
const PER_CLASS = 8;
/** Checks about the split itself are shown with the splits. */
const SPLIT_CHECKS = new Set(['splits', 'split', 'test-size', 'groups']);

/** Columns the trainer does not read: the ignored ones, the true final output of an output conversion, the group. */
export function hiddenColumns(ctx: ReportContext): string[] {
  const target = ctx.spec.evaluate.output?.targetColumn;
  const group = ctx.spec.data.split?.groupColumn;
  return [...ctx.spec.data.ignoreColumns, ...(target ? [target] : []), ...(group ? [group] : [])];
}

export async function readTable(ctx: ReportContext, uri: string): Promise<DataTable> {
  return readDataTable(await readText(ctx, uri), ctx.spec.data.labelColumn, hiddenColumns(ctx));
}

/** Names of classes 0…K-1: the labeling stage's (or the spec's) names, else the class indices. */
export function classNames(ctx: ReportContext, table: DataTable | null): string[] {
  const named = ctx.manifest.labeling?.classes ?? ctx.spec.label?.classes;
  let largest = -1;
  for (const label of table?.labels ?? []) if (label !== null && label > largest) largest = label;
  const k = Math.max(named?.length ?? 0, ctx.manifest.data.classes.length, largest + 1);
  return Array.from({ length: k }, (_, i) => named?.[i] ?? String(i));
}

/** The spec's image view when it declares one (label.view), else what the data looks like. */
export function sampleView(ctx: ReportContext, table: DataTable): SampleView {
  const rows = spread(table.labels.map((_, i) => i), 200).flatMap((row) => {
    const sample = table.sample(row);
    return sample ? [sample.features] : [];
  });
  const inferred = inferImageView(table.columns, rows);
  const declared = ctx.spec.label?.view;
  if (!declared) return { columns: table.columns, image: inferred };
  const image = ImageViewSpec.safeParse(declared);
  if (!image.success) return { columns: table.columns, image: null };
  const { width, height, maxValue } = image.data;
  // Every feature a pixel, or the pixel-named ones when other columns sit beside them; else the view cannot apply.
  if (table.columns.length === width * height) return { columns: table.columns, image: { width, height, maxValue } };
  if (inferred?.pixels?.length === width * height) return { columns: table.columns, image: { width, height, maxValue, pixels: inferred.pixels } };
  ctx.notes.push(`data: label.view is a ${width}×${height} image but the data set has ${table.columns.length} feature columns: shown as a table`);
  return { columns: table.columns, image: null };
}

/** Check results, if the manifest records any (`checks: CheckResult[]`), with the rows their pairs name. */
export function readChecks(ctx: ReportContext, table: DataTable): ReportCheck[] {
  if (ctx.manifest.checks === undefined || ctx.manifest.checks === null) return [];
  const parsed = z.array(CheckResultView).safeParse(ctx.manifest.checks);
  if (!parsed.success) {
    ctx.notes.push(`data checks: the manifest's checks are not a list of {name, verdict, message, details}`);
    return [];
  }
  return parsed.data.map((check) => {
    const rows = new Set(pairRows(check.details).slice(0, 50).flat());
    const samples = [...rows].flatMap((row) => table.sample(row) ?? []);
    return { name: check.name, verdict: check.verdict, message: check.message, details: check.details, ...(samples.length ? { samples } : {}) };
  });
}

/** The dated file a folder source resolved to; absent for other sources and for manifests from before snapshots. */
function snapshotOf(ctx: ReportContext): { name: string; location: string } | null {
  const recorded = ctx.manifest.data.snapshot;
  if (recorded === undefined || recorded === null) return null;
  const parsed = SnapshotView.safeParse(recorded);
  if (!parsed.success) {
    ctx.notes.push('data: the manifest\'s data.snapshot is not {name, location}');
    return null;
  }
  return { name: parsed.data.name, location: parsed.data.location };
}

export function dataSection(ctx: ReportContext, table: DataTable, view: SampleView, classes: string[], checks: ReportCheck[]): DataSection {
  const rows = table.labels.map((_, i) => i);
  const classCounts = classes.map(() => 0);
  table.labels.forEach((label) => {
    if (label !== null) classCounts[label] = (classCounts[label] ?? 0) + 1;
  });
  const samples = spread(rows, SAMPLES).flatMap((row) => table.sample(row) ?? []);
  const examples = classes.map((_, label) => ({
    label,
    samples: spread(rows.filter((row) => table.labels[row] === label), PER_CLASS).flatMap((row): Sample[] => {
      const sample = table.sample(row);
      return sample ? [sample] : [];
    }),
  }));
  const dataChecks = checks.filter((check) => !SPLIT_CHECKS.has(check.name));
  const snapshot = snapshotOf(ctx);
  return {
    source: ctx.spec.data.source,
    ...(snapshot ? { snapshot } : {}),
    uri: ctx.manifest.artifacts.data,
    sha256: ctx.manifest.data.sha256,
    rows: table.labels.length,
    classes,
    view,
    classCounts,
    samples,
    examples,
    ...(dataChecks.length ? { checks: dataChecks } : {}),
  };
}

export async function splitsSection(ctx: ReportContext, table: DataTable, classes: string[], checks: ReportCheck[]): Promise<SplitsSection> {
  const uri = ctx.manifest.artifacts.split;
  if (!uri) throw new Error('the manifest links no split manifest');
  const split = await readJson(ctx, uri, SplitManifest);
  const groupColumn = ctx.spec.data.split?.groupColumn;
  const groupValues = groupColumn ? table.values(groupColumn) : null;
  const groupsOf = (rows: readonly number[]) => new Set(rows.map((row) => groupValues?.[row] ?? ''));
  const names = ['train', 'valid', 'test'] as const;
  const splits = names.map((name) => {
    const counts = classes.map(() => 0);
    for (const row of split[name]) {
      const label = table.labels[row];
      if (label !== null && label !== undefined) counts[label] = (counts[label] ?? 0) + 1;
    }
    return { name, size: split[name].length, classCounts: counts, ...(groupValues ? { groups: groupsOf(split[name]).size } : {}) };
  });
  let straddling: number | undefined;
  if (groupValues) {
    const seen = new Map<string, Set<string>>();
    for (const name of names) for (const row of split[name]) seen.set(groupValues[row] ?? '', (seen.get(groupValues[row] ?? '') ?? new Set()).add(name));
    straddling = [...seen.values()].filter((inSplits) => inSplits.size > 1).length;
  }
  const splitChecks = checks.filter((check) => SPLIT_CHECKS.has(check.name));
  const options = ctx.spec.data.split;
  return {
    classes,
    ...(options?.seed !== undefined ? { seed: options.seed } : {}),
    ...(options?.stratify !== undefined ? { stratify: options.stratify } : {}),
    splits,
    ...(groupColumn && groupValues ? { groupColumn, straddlingGroups: straddling ?? 0 } : {}),
    ...(splitChecks.length ? { checks: splitChecks } : {}),
  };
}
