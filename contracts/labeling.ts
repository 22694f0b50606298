/**
 * The labeling workflow's updates, query, input and result: shared by the workflow, the pipeline, the CLI
 * (`gauntlet label pull|submit|status`) and the tests. The child workflow's id is derived from the run's, so a
 * person only ever names the run.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AgreementReport } from '../core/agreement/index.js';
import type { AnnotatorThroughput, LabelingSummary } from '../core/labeling/summary.js';
import type { LabelBatch, SubmittedLabel } from '../core/labeling/queue.js';
import type { Job } from '../core/spec/job.js';
import type { ItemView } from '../core/spec/labeling.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import type { IngestResult } from './ingest.js';

export type { AnnotatorThroughput, LabelingSummary };

export const labelingWorkflowId = (runId: string): string => `${runId}-label`;

export interface LabelingInput {
  spec: PipelineSpec;
  /** The ingested data set: items are its row indices. */
  ingest: IngestResult;
  /** Row indices to label (ascending). */
  items: number[];
  classes: string[];
}

export interface LeaseRequest {
  annotator: string;
}

/** What a person needs to label a batch; the features are read from `data` by the CLI. */
export interface LeaseGranted {
  batch: number;
  items: number[];
  classes: string[];
  leaseExpiresAt: string;
  attempt: number;
  data: Job['data'];
  view: ItemView;
}

export type LeaseResponse = { granted: LeaseGranted } | { granted: null; reason: string };

export interface SubmitRequest {
  batch: number;
  annotator: string;
  labels: SubmittedLabel[];
}

export interface SubmitResponse {
  batch: number;
  recorded: number;
  /** A batch of disputed items created because this submission completed a double-labeled pair. */
  adjudicationBatch: number | null;
  remaining: { open: number; leased: number };
}

export const leaseBatchUpdate = defineUpdate<LeaseResponse, [LeaseRequest]>('leaseBatch');
export const submitLabelsUpdate = defineUpdate<SubmitResponse, [SubmitRequest]>('submitLabels');

export interface LabelingStatus {
  phase: 'labeling' | 'applying' | 'done';
  classes: string[];
  items: number;
  batches: Array<Omit<LabelBatch, 'items'> & { size: number }>;
  annotators: AnnotatorThroughput[];
  /** Agreement on the double-labeled items labeled so far (both copies done). */
  agreement: AgreementReport | null;
  /** Retries the workflow is waiting out (storage or a worker unavailable), newest last. */
  notes: string[];
}

export const labelingStatusQuery = defineQuery<LabelingStatus>('labelingStatus');

export interface LabelingResult {
  /** The data set with the adjudicated labels, re-split: what every later stage trains and evaluates on. */
  ingest: IngestResult;
  provenanceUri: string;
  summary: LabelingSummary;
}
