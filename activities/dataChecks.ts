/**
 * The data checks stage's side effects: read the ingested data set and its split, run the pure checks (schema,
 * duplicates, leakage, valid vs test, test-set size; the preprocessing check against an inspect job's statistics),
 * and keep the full results next to the run (`runs/<run>/checks.json`) for the report.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CheckResult } from '../core/data/check.js';
import { runDataChecks } from '../core/data/checks/index.js';
import { Inspection, preprocessingCheck, rawStats } from '../core/data/preprocessing.js';
import { DataTableError, parseDataTable, type DataTable } from '../core/data/table.js';
import type { Job } from '../core/spec/job.js';
import type { ChecksSpec } from '../core/spec/checks.js';
import { compareSplits, testSizeCheck, type FeatureColumns } from '../core/split/index.js';
import { readSplit } from './dataset.js';
import { FailureType } from './runJob.js';
import type { ArtifactStore } from './store.js';

export interface DataChecksRequest {
  runId: string;
  data: Job['data'];
  groupColumn?: string;
  /** "0" … "K-1": the labels a pipeline's data may hold. */
  classes: string[];
  checks: ChecksSpec;
  /** The test-set adequacy gate (evaluate.precision), with the metric expected. */
  precision?: { halfWidth: number; confidence: number; expected: number };
}

export interface DataChecksResult {
  results: CheckResult[];
  uri: string;
}

async function readTable(store: ArtifactStore, data: Job['data'], groupColumn: string | undefined): Promise<DataTable> {
  const text = (await store.getBytes(data.uri)).toString('utf8');
  try {
    const ignore = data.ignoreColumns.filter((name) => name !== groupColumn);
    return parseDataTable(text, { label: data.labelColumn, ignore, ...(groupColumn ? { group: groupColumn } : {}) });
  } catch (error) {
    if (error instanceof DataTableError) throw ApplicationFailure.nonRetryable(`${data.uri}: ${error.message}`, FailureType.BadInput);
    throw error;
  }
}

function columnsOf(table: DataTable, rows: readonly number[]): FeatureColumns {
  return Object.fromEntries(table.featureNames.map((name, f) => [name, rows.map((row) => table.features[f]![row]!)]));
}

export function createDataCheckActivities(deps: { store: ArtifactStore }) {
  async function keep(runId: string, name: string, results: CheckResult[]): Promise<string> {
    return deps.store.putJson(`runs/${runId}/checks/${name}.json`, { results });
  }

  return {
    async runDataChecks(request: DataChecksRequest): Promise<DataChecksResult> {
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 2000);
      try {
        const table = await readTable(deps.store, request.data, request.groupColumn);
        const split = await readSplit(deps.store, request.data);
        const results = runDataChecks(table, split, request.checks, { classes: request.classes });
        if (request.checks.splits.enabled) {
          const pick = (rows: readonly number[]) => rows.map((row) => table.labels[row]!);
          results.push(compareSplits(pick(split.valid), pick(split.test), columnsOf(table, split.valid), columnsOf(table, split.test), request.checks.splits.alpha));
        }
        if (request.precision) {
          const { halfWidth, confidence, expected } = request.precision;
          results.push(testSizeCheck(split.test.length, expected, { halfWidth, confidence }));
        }
        return { results, uri: await keep(request.runId, 'data', results) };
      } finally {
        clearInterval(beat);
      }
    },

    /** The tensors the model sees (an inspect job's statistics) against the raw training split. */
    async checkPreprocessing(request: { runId: string; data: Job['data']; groupColumn?: string; inspectionUri: string }): Promise<DataChecksResult> {
      const table = await readTable(deps.store, request.data, request.groupColumn);
      const split = await readSplit(deps.store, request.data);
      const inspection = await deps.store.getJson(request.inspectionUri, Inspection);
      const raw = rawStats({ columns: table.features, labels: table.labels, rows: split.train, names: table.featureNames });
      const results = [preprocessingCheck(raw, inspection)];
      return { results, uri: await keep(request.runId, 'preprocessing', results) };
    },
  };
}
