/**
 * Activities behind the pipeline's gates and decisions: the oracle upper bound, the reading of an LR range test,
 * and the final-output score of a model's predictions. The rules are in core/; these only fetch and store.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { analyzeLrRangeTest } from '../core/lr/rangeTest.js';
import { renderLrCurveSvg } from '../core/lr/svg.js';
import { finalAccuracy, type OutputConversion } from '../core/oracle.js';
import { readColumns, readSplit } from './dataset.js';
import type { ArtifactStore } from './store.js';
import { parseS3Uri } from './store.js';
import type {
  FinalScoreRequest,
  OracleRequest,
  OracleResult,
  RangeTestAnalysisRequest,
  RangeTestAnalysisResult,
} from './types.js';

export interface GateDeps {
  store: ArtifactStore;
}

/** The trainer writes non-finite losses as null; the analysis wants them back as NaN (a diverged batch). */
const CurvePoint = z.object({ lr: z.number(), loss: z.number().nullable() });
const Predictions = z.array(z.object({ row: z.number().int(), prediction: z.number().int() }));

async function targetsFor(deps: GateDeps, request: { data: OracleRequest['data']; targetColumn?: string; conversion?: OutputConversion }) {
  const { labelColumn } = request.data;
  const columns: Record<string, string> = { 'data.labelColumn': labelColumn };
  if (request.targetColumn) columns['evaluate.output.targetColumn'] = request.targetColumn;
  const values = await readColumns(deps.store, request.data, columns);
  const labels = values[labelColumn] ?? [];
  // Without a target column the true final output is the true label through the same conversion.
  const targets = request.targetColumn ? (values[request.targetColumn] ?? []) : labels.map((label) => request.conversion?.map[label] ?? label);
  return { labels, targets };
}

export function createGateActivities(deps: GateDeps) {
  return {
    async computeOracleBound(request: OracleRequest): Promise<OracleResult> {
      const { labels, targets } = await targetsFor(deps, request);
      const split = await readSplit(deps.store, request.data);
      return finalAccuracy(labels, targets, split[request.split], request.conversion);
    },

    async scoreFinalOutputs(request: FinalScoreRequest): Promise<OracleResult> {
      const { targets } = await targetsFor(deps, request);
      const predictions = await deps.store.getJson(request.predictionsUri, Predictions);
      if (predictions.length === 0) throw ApplicationFailure.nonRetryable(`${request.predictionsUri} holds no predictions`, 'BadInput');
      // Index predictions by row so they score exactly like the oracle does.
      const predicted: string[] = [];
      for (const { row, prediction } of predictions) predicted[row] = String(prediction);
      return finalAccuracy(predicted, targets, predictions.map((p) => p.row), request.conversion);
    },

    async analyzeRangeTest(request: RangeTestAnalysisRequest): Promise<RangeTestAnalysisResult> {
      const curve = await deps.store.getJson(request.curveUri, z.array(CurvePoint));
      const points = curve.map(({ lr, loss }) => ({ lr, loss: loss ?? Number.NaN }));
      const analysis = analyzeLrRangeTest(points, { numIt: request.numSteps, divergeFactor: request.divergeFactor });
      const { key } = parseS3Uri(request.curveUri);
      const prefix = key.slice(0, key.lastIndexOf('/') + 1);
      const analysisUri = await deps.store.putJson(`${prefix}lr_analysis.json`, analysis);
      const plotUri = await deps.store.putBytes(`${prefix}lr_curve.svg`, renderLrCurveSvg(analysis), 'image/svg+xml');
      return {
        suggestions: analysis.suggestions,
        trustworthy: analysis.trustworthy,
        reasons: analysis.reasons,
        points: points.length,
        analysisUri,
        plotUri,
      };
    },
  };
}
