/**
 * Matches predictions to labels by id, not by position: files written by different tools need not share an
 * order. Every id must be on both sides; the error lists the ids that are not (the first few of each kind).
 */
import { EvalInputError } from './errors.js';

export class IdMismatchError extends EvalInputError {
  constructor(
    /** Ids with a prediction but no label, and with a label but no prediction. */
    readonly notInLabels: string[],
    readonly notInPredictions: string[],
  ) {
    super(
      [
        notInLabels.length ? `${notInLabels.length} id(s) have no label: ${listIds(notInLabels)}` : '',
        notInPredictions.length ? `${notInPredictions.length} id(s) have no prediction: ${listIds(notInPredictions)}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
    this.name = 'IdMismatchError';
  }
}

const SHOWN = 5;

export function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN).map((id) => JSON.stringify(id));
  return ids.length > SHOWN ? `${shown.join(', ')} and ${ids.length - SHOWN} more` : shown.join(', ');
}

export interface Aligned {
  /** In the labels' order. */
  ids: string[];
  labels: string[];
  predictions: string[];
}

export function alignById(labels: ReadonlyMap<string, string>, predictions: ReadonlyMap<string, string>): Aligned {
  const notInLabels = [...predictions.keys()].filter((id) => !labels.has(id));
  const notInPredictions = [...labels.keys()].filter((id) => !predictions.has(id));
  if (notInLabels.length || notInPredictions.length) throw new IdMismatchError(notInLabels, notInPredictions);
  const ids = [...labels.keys()];
  return { ids, labels: ids.map((id) => labels.get(id) as string), predictions: ids.map((id) => predictions.get(id) as string) };
}
