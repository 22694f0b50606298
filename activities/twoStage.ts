/**
 * The side effects of a chain of models (core/twostage has the rules): each model's view of the data set (its label
 * column, its class count), the cross-fitting folds of an upstream model, the hand-off data set (the CSV with the
 * upstream predictions appended, checked to be out-of-fold), and the end-to-end attribution of the errors.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { classCount, CsvError, readCsvColumns } from '../core/csv.js';
import type { SplitManifest } from '../core/split.js';
import { SplitError } from '../core/split/groups.js';
import { appendCsvColumn, assignFolds, attributeErrors, attributionTable, foldManifests, HandoffError, handoffColumn, verifyOutOfFold, type Attribution, type Handoff } from '../core/twostage/index.js';
import { FailureType } from './runJob.js';
import { storeManifest } from './splits.js';
import type { ArtifactStore } from './store.js';
import type { Job } from '../core/spec/job.js';

type JobData = Job['data'];

const Split = z.object({ train: z.array(z.number().int()), valid: z.array(z.number().int()), test: z.array(z.number().int()) });
const Predictions = z.array(z.object({ row: z.number().int(), label: z.number().int().nullable().optional(), prediction: z.number().int() }));
const Assignment = z.object({ folds: z.number().int(), seed: z.number().int(), rows: z.array(z.number().int()), fold: z.array(z.number().int()) });

export interface ModelDataRequest {
  data: JobData;
  labelColumn: string;
  ignoreColumns: string[];
}

export interface CrossFitRequest {
  runId: string;
  data: JobData;
  /** The upstream model's label column (folds are stratified by it). */
  labelColumn: string;
  groupColumn?: string;
  folds: number;
  seed: number;
}

export interface CrossFitPlan {
  assignmentUri: string;
  folds: Array<{ splitUri: string; trainRows: number; predictRows: number }>;
}

export interface HandoffRequest {
  runId: string;
  model: string;
  /** The downstream model's data (the original CSV, its label column and class count). */
  data: JobData;
  upstreamLabelColumn: string;
  as: string;
  mode: Handoff;
  /** Cross-fitting: the recorded fold assignment and each fold model's predictions on its own fold (mode oof). */
  outOfFold: { assignmentUri: string; predictionsUris: string[] } | null;
  /** The final upstream model's predictions on valid and test. */
  finalPredictionsUris: string[];
}

export interface HandoffResult {
  /** What the downstream model trains on, what it is evaluated on end to end, and the ground-truth upper bound. */
  train: JobData;
  evaluate: JobData;
  oracle: JobData;
  counts: { outOfFold: number; final: number; label: number };
  /** Out-of-fold predictions checked against the recorded folds (0 violations, or the hand-off fails). */
  outOfFoldChecked: number;
}

export interface AttributionRequest {
  runId: string;
  stage1PredictionsUri: string;
  stage2PredictionsUri: string;
  names: { stage1: string; stage2: string };
  confidence: number;
}

export function createTwoStageActivities(deps: { store: ArtifactStore }) {
  const { store } = deps;
  const badInput = (error: unknown, what: string): never => {
    if (error instanceof CsvError || error instanceof SplitError || error instanceof HandoffError) throw ApplicationFailure.nonRetryable(`${what}: ${error.message}`, FailureType.BadInput);
    throw error;
  };
  const csvOf = async (data: JobData) => (await store.getBytes(data.uri)).toString('utf8');

  return {
    /** A model's view of the data set: its label column and class count, the other models' labels ignored. */
    async prepareModelData(request: ModelDataRequest): Promise<JobData> {
      try {
        const { values } = readCsvColumns(await csvOf(request.data), { labelColumn: request.labelColumn });
        return { ...request.data, labelColumn: request.labelColumn, numClasses: classCount(values[request.labelColumn] ?? []), ignoreColumns: request.ignoreColumns };
      } catch (error) {
        return badInput(error, `models: label column ${request.labelColumn}`);
      }
    },

    /** The train split in K folds (whole groups, stratified by the upstream label), one split manifest per fold model. */
    async planCrossFit(request: CrossFitRequest): Promise<CrossFitPlan> {
      try {
        const split = await store.getJson(request.data.splitUri, Split);
        const columns: Record<string, string> = { label: request.labelColumn, ...(request.groupColumn ? { group: request.groupColumn } : {}) };
        const { values } = readCsvColumns(await csvOf(request.data), columns);
        const assignment = assignFolds(split.train, values[request.labelColumn] ?? [], request.groupColumn ? (values[request.groupColumn] ?? null) : null, { folds: request.folds, seed: request.seed });
        const assignmentUri = await store.putJson(`runs/${request.runId}/crossfit/assignment.json`, assignment);
        const folds = await Promise.all(
          foldManifests(assignment).map(async (fold) => {
            // Fold model k trains on the other folds and predicts fold k (its `valid`); the test split stays unseen.
            const manifest: SplitManifest = { train: fold.train, valid: fold.valid, test: split.test };
            const { splitUri } = await storeManifest(store, request.data.sha256, manifest);
            return { splitUri, trainRows: fold.train.length, predictRows: fold.valid.length };
          }),
        );
        return { assignmentUri, folds };
      } catch (error) {
        return badInput(error, 'crossFit');
      }
    },

    async buildHandoff(request: HandoffRequest): Promise<HandoffResult> {
      try {
        const text = await csvOf(request.data);
        const split = await store.getJson(request.data.splitUri, Split);
        const labels = readCsvColumns(text, { upstream: request.upstreamLabelColumn }).values[request.upstreamLabelColumn] ?? [];
        const final = (await Promise.all(request.finalPredictionsUris.map((uri) => store.getJson(uri, Predictions)))).flat();
        let outOfFold: Array<{ row: number; prediction: number }> = [];
        let checked = 0;
        if (request.outOfFold) {
          const assignment = await store.getJson(request.outOfFold.assignmentUri, Assignment);
          const byFold = await Promise.all(request.outOfFold.predictionsUris.map((uri) => store.getJson(uri, Predictions)));
          const violations = verifyOutOfFold(assignment, byFold.flatMap((rows, fold) => rows.map(({ row }) => ({ row, fold }))));
          if (violations.length) {
            const shown = violations.slice(0, 5).map((violation) => violation.message).join('; ');
            throw ApplicationFailure.nonRetryable(`hand-off to ${request.model}: ${violations.length} prediction(s) are not out-of-fold: ${shown}`, FailureType.BadInput);
          }
          outOfFold = byFold.flat();
          checked = outOfFold.length;
        }
        const write = async (mode: Handoff): Promise<{ data: JobData; counts: HandoffResult['counts'] }> => {
          const column = handoffColumn({ mode, labels, split, outOfFold, final });
          const csv = appendCsvColumn(text, request.as, column.values);
          const sha256 = createHash('sha256').update(csv).digest('hex');
          const key = `datasets/${sha256}.csv`;
          if (!(await store.exists(store.uri(key)))) await store.putBytes(key, csv, 'text/csv');
          return { data: { ...request.data, uri: store.uri(key), sha256 }, counts: column.counts };
        };
        // One CSV serves training (its train rows) and the end-to-end evaluation (its test rows): oof puts out-of-fold
        // predictions on train rows, both the upstream label; valid and test rows get the final model's predictions.
        const oracle = await write('groundTruth');
        const predicted = request.mode === 'groundTruth' ? oracle : await write(request.mode);
        return { train: predicted.data, evaluate: predicted.data, oracle: oracle.data, counts: predicted.counts, outOfFoldChecked: checked };
      } catch (error) {
        return badInput(error, `hand-off to ${request.model}`);
      }
    },

    /** Each test item counted once: correct, a stage-1 error, or a stage-2 error; written next to the manifest. */
    async attributeTwoStage(request: AttributionRequest): Promise<Attribution & { table: string; uri: string }> {
      const [stage1, stage2] = await Promise.all([store.getJson(request.stage1PredictionsUri, Predictions), store.getJson(request.stage2PredictionsUri, Predictions)]);
      const first = new Map(stage1.map((item) => [item.row, item]));
      const items = stage2.map((item) => {
        const upstream = first.get(item.row);
        if (!upstream || upstream.label == null || item.label == null) {
          throw ApplicationFailure.nonRetryable(`attribution: test row ${item.row} has no stage-1 prediction or no label`, FailureType.BadInput);
        }
        return { stage1Truth: upstream.label, stage1Prediction: upstream.prediction, stage2Truth: item.label, stage2Prediction: item.prediction };
      });
      const attribution = attributeErrors(items, { confidence: request.confidence });
      const table = attributionTable(attribution, request.names);
      const uri = await store.putJson(`runs/${request.runId}/attribution.json`, { ...attribution, names: request.names, table });
      return { ...attribution, table, uri };
    },
  };
}
