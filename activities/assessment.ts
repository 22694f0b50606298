/**
 * Evaluation you can trust: the evaluate job's per-row predictions turned into every test metric with its interval
 * (core/eval), and, when the pipeline has a champion scored on the same test rows, McNemar's test and a paired
 * bootstrap of the headline difference. The full report goes to `runs/<run>/evaluation.json`; the workflow gets
 * the compact part it decides on.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import { compareModels, evaluationReport, type Comparison, type EvaluationReport, type HeadlineMetric } from '../core/eval/index.js';
import { FailureType } from './runJob.js';
import type { ArtifactStore } from './store.js';

const Predictions = z.array(
  z.object({ row: z.number().int(), label: z.number().int().nullable(), prediction: z.number().int(), probabilities: z.array(z.number()).optional() }),
);
type Predictions = z.infer<typeof Predictions>;

export interface AssessRequest {
  runId: string;
  predictionsUri: string;
  /** "0" … "K-1" (the labels as the trainer writes them). */
  classes: string[];
  headline: HeadlineMetric;
  confidence: number;
  resamples: number;
  seed: number;
  /** The current champion's predictions, when its test set is this run's (same hash). */
  championPredictionsUri?: string;
}

export interface Assessment {
  report: EvaluationReport;
  comparison: Comparison | null;
  uri: string;
}

export function createAssessmentActivities(deps: { store: ArtifactStore }) {
  async function read(uri: string): Promise<Predictions> {
    const rows = await deps.store.getJson(uri, Predictions);
    const missing = rows.find((row) => row.label === null);
    if (missing) throw ApplicationFailure.nonRetryable(`${uri}: row ${missing.row} has no label: the test split must be labeled to be scored`, FailureType.BadInput);
    return [...rows].sort((a, b) => a.row - b.row);
  }

  return {
    async assessModel(request: AssessRequest): Promise<Assessment> {
      const beat = setInterval(() => Context.current().heartbeat(), 2000);
      try {
        const rows = await read(request.predictionsUri);
        const labels = rows.map((row) => String(row.label));
        const predictions = rows.map((row) => String(row.prediction));
        const probabilities = rows.every((row) => row.probabilities) ? rows.map((row) => row.probabilities!) : undefined;
        const options = { classes: request.classes, headline: request.headline, confidence: request.confidence, resamples: request.resamples, seed: request.seed };
        const report = evaluationReport({ labels, predictions, ...(probabilities ? { probabilities } : {}), ...options });
        let comparison: Comparison | null = null;
        if (request.championPredictionsUri) {
          const champion = await read(request.championPredictionsUri);
          const same = champion.length === rows.length && champion.every((row, i) => row.row === rows[i]!.row && row.label === rows[i]!.label);
          if (!same) throw ApplicationFailure.nonRetryable('the champion was scored on other test rows: it cannot be compared', FailureType.BadInput);
          const championProbabilities = champion.every((row) => row.probabilities) ? champion.map((row) => row.probabilities!) : undefined;
          comparison = compareModels({
            labels,
            predictionsA: champion.map((row) => String(row.prediction)),
            predictionsB: predictions,
            ...(championProbabilities && probabilities ? { probabilitiesA: championProbabilities, probabilitiesB: probabilities } : {}),
            ...options,
          });
        }
        const uri = await deps.store.putJson(`runs/${request.runId}/evaluation.json`, { report, comparison });
        return { report, comparison, uri };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
