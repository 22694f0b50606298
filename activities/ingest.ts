/**
 * Ingest: brings a data set into the store under its content hash, and writes the seeded split manifest next to it.
 * Content-hashed keys make ingest idempotent (a retry or a second run uploads nothing new) and give every
 * downstream artifact a data hash to record.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { classCount, CsvError, readCsvColumns } from '../core/csv.js';
import { splitRows } from '../core/split.js';
import type { ArtifactStore } from './store.js';
import type { IngestRequest, IngestResult } from './types.js';
import { FailureType } from './runJob.js';

export interface IngestDeps {
  store: ArtifactStore;
  /** Produces the CSV bytes of a built-in data set (`sklearn:digits`). */
  exportBuiltinDataset(name: string): Promise<Buffer>;
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
    const csv = await readSource(request.source, deps);
    const dataSha = sha256(csv);
    const dataKey = `datasets/${dataSha}.csv`;
    if (!(await deps.store.exists(deps.store.uri(dataKey)))) await deps.store.putBytes(dataKey, csv, 'text/csv');

    let labels: string[];
    let numClasses: number;
    try {
      const columns: Record<string, string> = { 'data.labelColumn': request.labelColumn };
      (request.ignoreColumns ?? []).forEach((name, i) => (columns[`data.ignoreColumns[${i}]`] = name));
      labels = readCsvColumns(csv.toString('utf8'), columns).values[request.labelColumn] ?? [];
      numClasses = classCount(labels);
    } catch (error) {
      if (error instanceof CsvError) throw ApplicationFailure.nonRetryable(`${request.source}: ${error.message}`, FailureType.BadInput);
      throw error;
    }
    const split = splitRows(labels, request.split);
    const splitJson = JSON.stringify(split);
    const splitSha = sha256(splitJson);
    const splitUri = await deps.store.putBytes(`datasets/${dataSha}/splits/${splitSha}.json`, splitJson, 'application/json');
    const classes = [...new Set(labels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return {
      data: {
        uri: deps.store.uri(dataKey),
        sha256: dataSha,
        format: 'csv',
        labelColumn: request.labelColumn,
        splitUri,
        numClasses,
        ignoreColumns: request.ignoreColumns ?? [],
      },
      rows: labels.length,
      classes,
      counts: { train: split.train.length, valid: split.valid.length, test: split.test.length },
      splitSha256: splitSha,
    };
  }
}

async function readSource(source: string, deps: IngestDeps): Promise<Buffer> {
  if (source.startsWith('sklearn:')) return deps.exportBuiltinDataset(source.slice('sklearn:'.length));
  const path = source.slice('file:'.length);
  try {
    return await readFile(path);
  } catch (error) {
    throw ApplicationFailure.nonRetryable(`data.source: cannot read ${path}: ${(error as Error).message}`, FailureType.BadInput);
  }
}
