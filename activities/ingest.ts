/**
 * Ingest: brings a data set into the store under its content hash, and writes the seeded split manifest next to it.
 * Content-hashed keys make ingest idempotent (a retry or a second run uploads nothing new) and give every
 * downstream artifact a data hash to record.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pickSnapshot, SnapshotError } from '../core/data/snapshot.js';
import { isSnapshotFolder } from '../core/spec/pipeline.js';
import { classCount, CsvError, readCsvColumns } from '../core/csv.js';
import { planSplits, type SplitPlan } from '../core/split/plan.js';
import { SplitError } from '../core/split/groups.js';
import { storeSplitPlan } from './splits.js';
import type { ArtifactStore } from './store.js';
import type { IngestRequest, IngestResult, SnapshotUsed } from './types.js';
import { FailureType } from './runJob.js';

export interface IngestDeps {
  store: ArtifactStore;
  /** Produces the CSV bytes of a built-in data set (`sklearn:digits`). */
  exportBuiltinDataset(name: string): Promise<Buffer>;
  /** With the trainer sources' hash, a built-in data set is exported once per trainer version and read from the store after. */
  codeVersion?: { trainerSha256?: string };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function createIngest(deps: IngestDeps) {
  return async function ingestDataset(request: IngestRequest): Promise<IngestResult> {
    // Heartbeats while it works, so a worker that dies mid-ingest is noticed in seconds, not at the 10-min timeout.
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), 2000);
    try {
      return await ingest(request);
    } finally {
      clearInterval(beat);
    }
  };

  async function ingest(request: IngestRequest): Promise<IngestResult> {
    const snapshot = isSnapshotFolder(request.source) ? await resolveSnapshot(request.source, request.snapshot ?? 'latest', deps.store) : null;
    const csv = await readSource(snapshot?.location ?? request.source, deps);
    const dataSha = sha256(csv);
    const dataKey = `datasets/${dataSha}.csv`;
    if (!(await deps.store.exists(deps.store.uri(dataKey)))) await deps.store.putBytes(dataKey, csv, 'text/csv');

    let labels: string[];
    let groups: string[] | null;
    let numClasses: number;
    const { groupColumn } = request.split;
    try {
      const columns: Record<string, string> = { 'data.labelColumn': request.labelColumn };
      (request.ignoreColumns ?? []).forEach((name, i) => (columns[`data.ignoreColumns[${i}]`] = name));
      if (groupColumn) columns['data.split.groupColumn'] = groupColumn;
      // Rows waiting to be labeled have an empty label; only a labeling stage can fill them.
      const allowEmpty = request.labeling ? [request.labelColumn] : [];
      const values = readCsvColumns(csv.toString('utf8'), columns, { allowEmpty }).values;
      labels = values[request.labelColumn] ?? [];
      groups = groupColumn ? (values[groupColumn] ?? null) : null;
      numClasses = labelClassCount(labels, request.labeling?.numClasses);
    } catch (error) {
      if (error instanceof CsvError) throw ApplicationFailure.nonRetryable(`${request.source}: ${error.message}`, FailureType.BadInput);
      throw error;
    }
    let plan: SplitPlan;
    try {
      plan = planSplits(labels, groups, request.split);
    } catch (error) {
      if (error instanceof SplitError) throw ApplicationFailure.nonRetryable(`data.split: ${error.message}`, FailureType.BadInput);
      throw error;
    }
    const split = await storeSplitPlan(deps.store, dataSha, plan);
    const classes = [...new Set(labels.filter((label) => label !== ''))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const unlabeledRows = labels.flatMap((label, row) => (label === '' ? [row] : []));
    return {
      data: {
        uri: deps.store.uri(dataKey),
        sha256: dataSha,
        format: 'csv',
        labelColumn: request.labelColumn,
        splitUri: split.splitUri,
        numClasses,
        ignoreColumns: request.ignoreColumns ?? [],
      },
      rows: labels.length,
      classes,
      counts: split.counts,
      splitSha256: split.splitSha256,
      ...(split.folds ? { folds: split.folds } : {}),
      ...(request.labeling ? { unlabeledRows } : {}),
      ...(snapshot ? { snapshot } : {}),
    };
  }
}

/** K from the labels present; a labeling stage's class list fixes K (and every present label must be below it). */
function labelClassCount(labels: readonly string[], fixed: number | undefined): number {
  const present = labels.filter((label) => label !== '');
  if (fixed === undefined) {
    if (present.length === 0) throw new CsvError('data.labelColumn: no row has a label, so the classes are unknown: give label.classes');
    return classCount(present);
  }
  const largest = present.length ? classCount([...present, '1']) - 1 : 0;
  if (largest >= fixed) throw new CsvError(`data.labelColumn: label ${largest} is not one of the ${fixed} classes of label.classes`);
  return fixed;
}

/** Lists a folder source (a directory or a MinIO prefix) and picks the snapshot the spec asks for. */
async function resolveSnapshot(source: string, snapshot: string, store: ArtifactStore): Promise<SnapshotUsed> {
  let entries: Array<{ name: string; location: string }>;
  if (source.startsWith('s3://')) {
    entries = (await store.listUris(source)).map((uri) => ({ name: uri.slice(source.length), location: uri }));
  } else {
    const folder = source.slice('file:'.length);
    try {
      entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => ({ name: entry.name, location: `file:${join(folder, entry.name)}` }));
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`data.source: cannot list ${folder}: ${(error as Error).message}`, FailureType.BadInput);
    }
  }
  try {
    const name = pickSnapshot(source, entries.map((entry) => entry.name), snapshot);
    return { name, location: entries.find((entry) => entry.name === name)!.location };
  } catch (error) {
    if (error instanceof SnapshotError) throw ApplicationFailure.nonRetryable(error.message, FailureType.BadInput);
    throw error;
  }
}

/**
 * A built-in data set is made by the trainer library's Python (about a second of interpreter start and export), the
 * same bytes for the same trainer sources: exported once, then read from the store.
 */
async function builtin(name: string, deps: IngestDeps): Promise<Buffer> {
  const version = deps.codeVersion?.trainerSha256;
  if (!version) return deps.exportBuiltinDataset(name);
  const key = `datasets/builtin/${name}-${version.slice(0, 16)}.csv`;
  if (await deps.store.exists(deps.store.uri(key))) return deps.store.getBytes(deps.store.uri(key));
  const csv = await deps.exportBuiltinDataset(name);
  await deps.store.putBytes(key, csv, 'text/csv');
  return csv;
}

async function readSource(source: string, deps: IngestDeps): Promise<Buffer> {
  if (source.startsWith('sklearn:')) return builtin(source.slice('sklearn:'.length), deps);
  if (source.startsWith('demo:')) return builtin(source.slice('demo:'.length), deps);
  if (source.startsWith('s3://')) return deps.store.getBytes(source);
  const path = source.slice('file:'.length);
  try {
    return await readFile(path);
  } catch (error) {
    throw ApplicationFailure.nonRetryable(`data.source: cannot read ${path}: ${(error as Error).message}`, FailureType.BadInput);
  }
}
