/** Reads an ingested data set back from the store: named columns of the CSV and the split manifest. */
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { CsvError, readCsvColumns } from '../core/csv.js';
import type { Job } from '../core/spec/job.js';
import type { SplitManifest } from '../core/split.js';
import type { ArtifactStore } from './store.js';

const Split = z.object({ train: z.array(z.number().int()), valid: z.array(z.number().int()), test: z.array(z.number().int()) });

export async function readSplit(store: ArtifactStore, data: Job['data']): Promise<SplitManifest> {
  return store.getJson(data.splitUri, Split);
}

/** Columns by spec field → column name; a missing column is bad input, not a retryable failure. */
export async function readColumns(store: ArtifactStore, data: Job['data'], columns: Record<string, string>): Promise<Record<string, string[]>> {
  const text = (await store.getBytes(data.uri)).toString('utf8');
  try {
    return readCsvColumns(text, columns).values;
  } catch (error) {
    if (error instanceof CsvError) throw ApplicationFailure.nonRetryable(error.message, 'BadInput');
    throw error;
  }
}
