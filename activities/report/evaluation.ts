/**
 * The evaluation section: the evaluate job's metrics and confusion matrix, and its per-row predictions joined with
 * the data set so the mistakes are shown as data, the most confident first.
 */
import type { EvaluationSection, Misclassified, SampleView } from '../../core/report/types.js';
import type { DataTable } from './dataTable.js';
import { readJson, type ReportContext } from './context.js';
import { ConfusionMatrix, JobResultView, Predictions } from './schemas.js';

const SHOWN = 40;

export async function evaluationSection(ctx: ReportContext, table: DataTable | null, view: SampleView, classes: string[]): Promise<EvaluationSection | undefined> {
  const resultUri = ctx.manifest.artifacts['evaluate.result'];
  if (!resultUri) return undefined;
  const result = await readJson(ctx, resultUri, JobResultView);
  const split = typeof result.details.split === 'string' ? result.details.split : ctx.spec.evaluate.split;
  const predictionsUri = ctx.manifest.artifacts['evaluate.predictions'];
  const predictions = predictionsUri ? await readJson(ctx, predictionsUri, Predictions) : [];
  // A trainer that writes predictions but no matrix still gets one, counted from its predictions.
  let confusion = ConfusionMatrix.safeParse(result.details.confusion_matrix).data ?? null;
  const truth = (row: number, label: number | null | undefined) => (label === undefined ? (table?.labels[row] ?? null) : label);
  if (!confusion && predictions.length) {
    confusion = classes.map(() => classes.map(() => 0));
    for (const p of predictions) {
      const label = truth(p.row, p.label);
      if (label !== null && confusion[label] && p.prediction < classes.length) confusion[label]![p.prediction]! += 1;
    }
  }
  const wrong = predictions.flatMap((p): Misclassified[] => {
    const label = truth(p.row, p.label);
    if (label === null || label === p.prediction) return [];
    const sample = table?.sample(p.row);
    if (!sample) return [];
    return [{ sample: { ...sample, label }, predicted: p.prediction, confidence: p.probabilities?.[p.prediction] ?? null, trueProbability: p.probabilities?.[label] ?? null }];
  });
  wrong.sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0) || a.sample.row - b.sample.row);
  if (!predictionsUri) ctx.notes.push('evaluation: the evaluate job wrote no predictions artifact, so its mistakes cannot be shown as data');
  return {
    split,
    metrics: result.metrics,
    classes,
    confusion,
    view,
    misclassified: wrong.slice(0, SHOWN),
    misclassifiedTotal: wrong.length,
    ...(typeof ctx.manifest.metrics.human_ceiling_accuracy === 'number' ? { humanCeiling: ctx.manifest.metrics.human_ceiling_accuracy } : {}),
  };
}
