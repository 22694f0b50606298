/**
 * The labeling stage's side effects: batch files in the store (what a labeling job reads), a job's labels read
 * back and checked, and the adjudicated labels written into a new, re-split data set with its provenance.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { CsvError, readCsvColumns } from '../core/csv.js';
import { labelProblems, type SubmittedLabel } from '../core/labeling/queue.js';
import { relabelCsv } from '../core/labeling/relabel.js';
import type { SettledItem } from '../core/labeling/settle.js';
import { planSplits, type SplitPlanOptions } from '../core/split/plan.js';
import { storeSplitPlan } from './splits.js';
import { sha256 } from './ingest.js';
import { FailureType } from './runJob.js';
import type { ArtifactStore } from './store.js';
import type { IngestResult } from './types.js';
import type { LabelingSummary } from '../contracts/labeling.js';

export const MALFORMED_LABELS = 'MalformedLabels';

export interface LabelingDeps {
  store: ArtifactStore;
}

/** `runs/<labeling workflow>/labeling/batches/<n>.json`: `{"batch", "items"}` as the job contract's label mode reads it. */
export function batchKey(workflowId: string, batch: number): string {
  return `runs/${workflowId}/labeling/batches/${batch}.json`;
}

const LabelsFile = z.object({
  annotator: z.string(),
  batch: z.number().int(),
  labels: z.array(z.object({ item: z.number().int(), label: z.string() })),
});

export function createLabelingActivities(deps: LabelingDeps) {
  return {
    async publishLabelBatches(request: { workflowId: string; batches: Array<{ id: number; items: number[] }> }): Promise<Record<number, string>> {
      const uris: Record<number, string> = {};
      for (const batch of request.batches) {
        uris[batch.id] = await deps.store.putBytes(batchKey(request.workflowId, batch.id), JSON.stringify({ batch: batch.id, items: batch.items }), 'application/json');
      }
      return uris;
    },

    /** A labeling job's labels.json, checked against its batch: malformed output fails the attempt with every reason. */
    async readJobLabels(request: { labelsUri: string; batch: number; annotator: string; items: number[]; classes: string[] }): Promise<SubmittedLabel[]> {
      const text = (await deps.store.getBytes(request.labelsUri)).toString('utf8');
      let parsed: z.infer<typeof LabelsFile>;
      try {
        parsed = LabelsFile.parse(JSON.parse(text));
      } catch (error) {
        throw ApplicationFailure.nonRetryable(`batch ${request.batch} · ${request.annotator}: ${request.labelsUri} is not a labels file: ${(error as Error).message.slice(0, 300)}`, MALFORMED_LABELS);
      }
      const problems = labelProblems(request.items, parsed.labels, request.classes);
      if (parsed.batch !== request.batch) problems.unshift(`labels are for batch ${parsed.batch}, not ${request.batch}`);
      if (problems.length) {
        throw ApplicationFailure.nonRetryable(`batch ${request.batch} · ${request.annotator}: malformed labels:\n${problems.join('\n')}`, MALFORMED_LABELS, problems);
      }
      return parsed.labels;
    },

    /** The data set every later stage uses: adjudicated labels in, unlabeled rows out, split again; plus the provenance. */
    async applyLabels(request: {
      workflowId: string;
      ingest: IngestResult;
      classes: string[];
      split: SplitPlanOptions & { groupColumn?: string | undefined };
      settled: SettledItem[];
      summary: LabelingSummary;
    }): Promise<{ ingest: IngestResult; provenanceUri: string }> {
      const { data } = request.ingest;
      const text = (await deps.store.getBytes(data.uri)).toString('utf8');
      const assigned = new Map(request.settled.map((item) => [item.item, item.label === null ? null : request.classes.indexOf(item.label)]));
      let relabeled;
      try {
        relabeled = relabelCsv(text, data.labelColumn, assigned);
      } catch (error) {
        if (error instanceof CsvError) throw ApplicationFailure.nonRetryable(error.message, FailureType.BadInput);
        throw error;
      }
      if (new Set(relabeled.labels).size < 2) {
        throw ApplicationFailure.nonRetryable(`after labeling, ${relabeled.labels.length} rows keep a label and they hold fewer than 2 classes: nothing to train on`, FailureType.BadInput);
      }
      const dataSha = sha256(relabeled.csv);
      const dataUri = await deps.store.putBytes(`datasets/${dataSha}.csv`, relabeled.csv, 'text/csv');
      const { groupColumn } = request.split;
      const groups = groupColumn ? (readCsvColumns(relabeled.csv, { 'data.split.groupColumn': groupColumn }).values[groupColumn] ?? null) : null;
      const split = await storeSplitPlan(deps.store, dataSha, planSplits(relabeled.labels, groups, request.split));
      const provenance = {
        source: { uri: data.uri, sha256: data.sha256 },
        labeled: { uri: dataUri, sha256: dataSha, sourceRows: relabeled.sourceRows },
        classes: request.classes,
        summary: request.summary,
        items: request.settled,
      };
      const provenanceUri = await deps.store.putBytes(`runs/${request.workflowId}/labeling/provenance.json`, JSON.stringify(provenance), 'application/json');
      const classes = [...new Set(relabeled.labels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      return {
        ingest: {
          data: { ...data, uri: dataUri, sha256: dataSha, splitUri: split.splitUri },
          rows: relabeled.labels.length,
          classes,
          counts: split.counts,
          splitSha256: split.splitSha256,
          ...(split.folds ? { folds: split.folds } : {}),
        },
        provenanceUri,
      };
    },
  };
}
