/**
 * What ingest hands every later stage: the stored data set, its split, and (for a folder source) the snapshot it
 * read. Shared by the workflows, the activities and the labeling contract.
 */
import type { Job } from '../core/spec/job.js';

/** The file a folder source resolved to: what the run really read. */
export interface SnapshotUsed {
  name: string;
  /** `file:/abs/path.csv` or `s3://bucket/key.csv`. */
  location: string;
}

export interface IngestResult {
  data: Job['data'];
  rows: number;
  classes: string[];
  counts: { train: number; valid: number; test: number };
  splitSha256: string;
  /**
   * K-fold (data.split.kind kfold): one split manifest per fold ({train: the other folds, valid: this fold, test});
   * `data.splitUri` then trains on every non-test row (valid empty) for the final model.
   */
  folds?: Array<{ splitUri: string; splitSha256: string; counts: { train: number; valid: number; test: number } }>;
  /** Rows with an empty label (only when the request allowed them). */
  unlabeledRows?: number[];
  /** Set when the source is a folder of snapshots. */
  snapshot?: SnapshotUsed;
}
